//! Sessions in Redis: one key per session (its JSON, expiring with the session) and one set per
//! account naming its sessions. Each operation is one Lua script, so it is atomic and one round
//! trip; a set member whose session has gone is dropped the next time the set is read.

use std::time::Duration;

use fred::prelude::{Builder, ClientLike, Config as RedisConfig, LuaInterface, ReconnectPolicy};
use fred::types::Value;
use time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::Error;

use super::{AccountOf, backend, decode, encode};

/// How long a Redis command may take before the request answers 503.
pub const REDIS_TIMEOUT: Duration = Duration::from_secs(2);

/// A pool of Redis connections, shared by the session store and the login throttle.
pub type Redis = fred::clients::Pool;

const SESSION: &str = "gatehouse:session:";
const ACCOUNT: &str = "gatehouse:account-sessions:";

/// Keeps the account's set at least as long as the session just written. ARGV[2]: expiry (ms),
/// ARGV[3]: the session id; KEYS[2], when present: the account's set.
const INDEX: &str = "
if KEYS[2] then
  redis.call('SADD', KEYS[2], ARGV[3])
  if redis.call('PEXPIRETIME', KEYS[2]) < tonumber(ARGV[2]) then
    redis.call('PEXPIREAT', KEYS[2], ARGV[2])
  end
end
return 1";

/// KEYS[1]: the session; ARGV[1]: its data. Writes only if the key is new (NX) or exists (XX).
fn write_script(condition: &str) -> String {
    format!(
        "if not redis.call('SET', KEYS[1], ARGV[1], '{condition}', 'PXAT', ARGV[2]) then return 0 end{INDEX}"
    )
}

/// Like `write_script('XX')`, but only while the key still holds ARGV[4].
const REPLACE: &str = "
if redis.call('GET', KEYS[1]) ~= ARGV[4] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'XX', 'PXAT', ARGV[2])";

/// KEYS[1]: the session. Its data and expiry (ms), or nothing.
const LOAD: &str = "
local data = redis.call('GET', KEYS[1])
if not data then return {} end
return {data, redis.call('PEXPIRETIME', KEYS[1])}";

/// KEYS[1]: the account's set; ARGV[1]: the session key prefix. Id, data and expiry of each
/// live session, dropping members whose session has gone.
const OF_ACCOUNT: &str = "
local out = {}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local data = redis.call('GET', ARGV[1] .. id)
  if data then
    table.insert(out, id)
    table.insert(out, data)
    table.insert(out, redis.call('PEXPIRETIME', ARGV[1] .. id))
  else
    redis.call('SREM', KEYS[1], id)
  end
end
return out";

/// KEYS[1]: the account's set; ARGV[1]: the session key prefix; ARGV[2]: the id to keep.
/// Deletes every other session, returning the ids that were live.
const END_OF_ACCOUNT: &str = "
local ended = {}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if id ~= ARGV[2] then
    if redis.call('DEL', ARGV[1] .. id) == 1 then table.insert(ended, id) end
    redis.call('SREM', KEYS[1], id)
  end
end
return ended";

/// Sessions in Redis.
#[derive(Clone)]
pub struct RedisSessions {
    redis: Redis,
    account_of: AccountOf,
    create: String,
    update: String,
    replace: String,
}

fn ms(at: OffsetDateTime) -> String {
    (at.unix_timestamp_nanos() / 1_000_000).to_string()
}

fn at_ms(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

fn text(value: &Value) -> Result<String, Error> {
    value
        .as_string()
        .ok_or_else(|| Error::Decode("a Redis reply".into()))
}

impl RedisSessions {
    /// Sessions in `redis`.
    pub fn new(redis: Redis, account_of: AccountOf) -> Self {
        Self {
            redis,
            account_of,
            create: write_script("NX"),
            update: write_script("XX"),
            replace: format!("{REPLACE}{INDEX}"),
        }
    }

    /// KEYS for a write of `record`: its key, and its account's set when it has one.
    fn keys(&self, record: &Record) -> Vec<String> {
        let mut keys = vec![format!("{SESSION}{}", record.id)];
        if let Some(account) = (self.account_of)(record) {
            keys.push(format!("{ACCOUNT}{account}"));
        }
        keys
    }

    async fn write(
        &self,
        script: &str,
        record: &Record,
        extra: Option<String>,
    ) -> Result<bool, Error> {
        let mut args = vec![
            encode(record)?,
            ms(record.expiry_date),
            record.id.to_string(),
        ];
        args.extend(extra);
        let written: i64 = self
            .redis
            .eval(script, self.keys(record), args)
            .await
            .map_err(backend)?;
        Ok(written == 1)
    }

    /// Inserts `record`, drawing a new id until it is unique.
    pub async fn create(&self, record: &mut Record) -> Result<(), Error> {
        while !self.write(&self.create, record, None).await? {
            record.id = Id::default();
        }
        Ok(())
    }

    /// Updates `record` if it still exists (`SET … XX`).
    pub async fn update(&self, record: &Record) -> Result<bool, Error> {
        self.write(&self.update, record, None).await
    }

    /// See `SessionStore::replace`.
    pub async fn replace(&self, expected: &Record, new: &Record) -> Result<bool, Error> {
        self.write(&self.replace, new, Some(encode(expected)?))
            .await
    }

    /// The record, if its key exists.
    pub async fn load(&self, id: &Id) -> Result<Option<Record>, Error> {
        let reply: Vec<Value> = self
            .redis
            .eval(LOAD, vec![format!("{SESSION}{id}")], Vec::<String>::new())
            .await
            .map_err(backend)?;
        match reply.as_slice() {
            [data, expires] => Ok(Some(decode(
                *id,
                &text(data)?,
                at_ms(expires.as_i64().unwrap_or_default()),
            )?)),
            _ => Ok(None),
        }
    }

    /// Deletes the record; its account's set forgets it when next read.
    pub async fn delete(&self, id: &Id) -> Result<(), Error> {
        let _: i64 = fred::prelude::KeysInterface::del(&self.redis, format!("{SESSION}{id}"))
            .await
            .map_err(backend)?;
        Ok(())
    }

    /// See `SessionStore::of_account`.
    pub async fn of_account(&self, account: i64) -> Result<Vec<Record>, Error> {
        let reply: Vec<Value> = self
            .redis
            .eval(
                OF_ACCOUNT,
                vec![format!("{ACCOUNT}{account}")],
                vec![SESSION],
            )
            .await
            .map_err(backend)?;
        reply
            .chunks_exact(3)
            .map(|row| {
                let id = text(&row[0])?
                    .parse()
                    .map_err(|_| Error::Decode("a stored session id".into()))?;
                decode(
                    id,
                    &text(&row[1])?,
                    at_ms(row[2].as_i64().unwrap_or_default()),
                )
            })
            .collect()
    }

    /// See `SessionStore::end_of_account`.
    pub async fn end_of_account(&self, account: i64, keep: Option<Id>) -> Result<Vec<Id>, Error> {
        let keep = keep.map(|id| id.to_string()).unwrap_or_default();
        let ended: Vec<String> = self
            .redis
            .eval(
                END_OF_ACCOUNT,
                vec![format!("{ACCOUNT}{account}")],
                vec![SESSION.to_string(), keep],
            )
            .await
            .map_err(backend)?;
        ended
            .iter()
            .map(|id| {
                id.parse()
                    .map_err(|_| Error::Decode("a stored session id".into()))
            })
            .collect()
    }
}

/// Connects to Redis at `url`, failing fast: a command that cannot be answered within
/// `REDIS_TIMEOUT` errors (the request answers 503) while the pool keeps reconnecting in the
/// background, so service resumes by itself when Redis is back.
pub async fn connect_redis(url: &str) -> Result<Redis, fred::error::Error> {
    let config = RedisConfig::from_url(url)?;
    let pool = Builder::from_config(config)
        .with_connection_config(|c| {
            c.connection_timeout = REDIS_TIMEOUT;
            c.internal_command_timeout = REDIS_TIMEOUT;
            c.max_command_attempts = 1;
        })
        .with_performance_config(|p| {
            p.default_command_timeout = REDIS_TIMEOUT;
        })
        .set_policy(ReconnectPolicy::new_constant(0, 250))
        .build_pool(4)?;
    pool.init().await?;
    Ok(pool)
}

/// Whether Redis answers `PING` in time.
pub async fn ping_redis(redis: &Redis) -> bool {
    redis.ping::<String>(None).await.is_ok()
}
