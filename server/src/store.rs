//! Where sessions live: in the database by default, or in Redis when several instances share
//! them. One enum rather than a generic parameter, so the same binary picks its store at start.

use std::time::Duration;

use async_trait::async_trait;
use fred::prelude::{Builder, ClientLike, Config as RedisConfig, ReconnectPolicy};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store;
use tower_sessions::{CachingSessionStore, ExpiredDeletion};
use tower_sessions_moka_store::MokaStore;
use tower_sessions_redis_store::RedisStore;
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

use crate::db::Db;

/// Live sessions kept in memory at most (SQLite only); beyond that, reads fall through.
pub const SESSION_CACHE: u64 = 100_000;

/// How long a Redis command may take before the request answers 503.
pub const REDIS_TIMEOUT: Duration = Duration::from_secs(2);

/// A pool of Redis connections, shared by the session store and the login throttle.
pub type Redis = fred::clients::Pool;

/// The session store in use.
#[derive(Clone, Debug)]
pub enum SessionStore {
    /// In the SQLite database, behind an in-memory cache so the check on each request costs no
    /// database round trip. Only right for one process, which SQLite implies.
    Sqlite {
        /// The store handlers use.
        cached: CachingSessionStore<MokaStore, SqliteStore>,
        /// The table behind the cache, for deleting expired records.
        table: SqliteStore,
    },
    /// In the PostgreSQL database, uncached: another instance may end a session at any time.
    Postgres(PostgresStore),
    /// In Redis, uncached, records expiring by themselves.
    Redis(RedisStore<Redis>),
}

impl SessionStore {
    /// Sessions in the database: migrates the session table.
    pub async fn in_database(db: &Db) -> Result<Self, sqlx::Error> {
        Ok(match db {
            Db::Sqlite(pool) => {
                let store = SqliteStore::new(pool.clone());
                store.migrate().await?;
                Self::Sqlite {
                    cached: CachingSessionStore::new(
                        MokaStore::new(Some(SESSION_CACHE)),
                        store.clone(),
                    ),
                    table: store,
                }
            }
            Db::Postgres(pool) => {
                let store = PostgresStore::new(pool.clone());
                store.migrate().await?;
                Self::Postgres(store)
            }
        })
    }

    /// Sessions in Redis.
    pub fn in_redis(redis: Redis) -> Self {
        Self::Redis(RedisStore::new(redis))
    }

    /// Deletes expired records every `period`, for the stores that need it (Redis expires
    /// its keys itself). Runs until the process ends.
    pub fn spawn_expiry(&self, period: Duration) {
        match self {
            Self::Sqlite { table, .. } => {
                tokio::spawn(table.clone().continuously_delete_expired(period));
            }
            Self::Postgres(store) => {
                tokio::spawn(store.clone().continuously_delete_expired(period));
            }
            Self::Redis(_) => {}
        }
    }
}

/// Runs `$body` with `$s` bound to the store inside `$store`.
macro_rules! on_store {
    ($store:expr, $s:ident => $body:expr) => {
        match $store {
            SessionStore::Sqlite { cached: $s, .. } => $body,
            SessionStore::Postgres($s) => $body,
            SessionStore::Redis($s) => $body,
        }
    };
}

#[async_trait]
impl session_store::SessionStore for SessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        on_store!(self, s => s.create(record).await)
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        on_store!(self, s => s.save(record).await)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        on_store!(self, s => s.load(id).await)
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        on_store!(self, s => s.delete(id).await)
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
