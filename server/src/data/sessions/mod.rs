//! Where sessions live (SQLite, PostgreSQL or Redis), and the index of each account's sessions.
//!
//! Written here rather than with tower-sessions-sqlx-store and tower-sessions-redis-store for
//! two reasons those crates cannot serve:
//! - **A save never brings a deleted record back.** tower-sessions calls `save` for a session
//!   it loaded earlier in the same request; the SQL stores upserted, so a request that was in
//!   flight when its session was signed out wrote the session back. Here `save` only updates,
//!   and renewals compare-and-set (`replace`), on every store.
//! - **Sessions are found by account**, to list and end them, at a cost in proportion to that
//!   account's sessions: an indexed `account_id` column in SQL, a set per account in Redis.
//!
//! One enum rather than a generic parameter, so the same binary picks its store at start.

use async_trait::async_trait;
use time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, Error};

use crate::data::db::{Db, Tx};

mod cached;
mod redis;
mod sql;

pub use cached::CachedSql;
pub use redis::{REDIS_TIMEOUT, Redis, RedisSessions, connect_redis, ping_redis};
pub use sql::SqlSessions;

/// Which account a record belongs to, if it is a signed-in session; the stores index by it.
pub type AccountOf = fn(&Record) -> Option<i64>;

/// The session store in use.
#[derive(Clone)]
pub enum SessionStore {
    /// In the SQLite database, behind an in-memory cache (one process owns the file), so the
    /// check on each request costs no database round trip.
    Sqlite(CachedSql),
    /// In the PostgreSQL database, uncached: another instance may end a session at any time.
    Postgres(SqlSessions),
    /// In Redis, uncached, records expiring by themselves.
    Redis(RedisSessions),
}

impl std::fmt::Debug for SessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Sqlite(_) => "SessionStore::Sqlite",
            Self::Postgres(_) => "SessionStore::Postgres",
            Self::Redis(_) => "SessionStore::Redis",
        })
    }
}

/// Runs `$body` with `$s` bound to the store inside `$store`.
macro_rules! on_store {
    ($store:expr, $s:ident => $body:expr) => {
        match $store {
            SessionStore::Sqlite($s) => $body,
            SessionStore::Postgres($s) => $body,
            SessionStore::Redis($s) => $body,
        }
    };
}

impl SessionStore {
    /// Sessions in the database (its migrations made the table); `account_of` names the
    /// account a record belongs to.
    pub fn in_database(db: &Db, account_of: AccountOf) -> Self {
        let sql = SqlSessions::new(db.clone(), account_of);
        match db {
            Db::Sqlite(_) => Self::Sqlite(CachedSql::new(sql)),
            Db::Postgres(_) => Self::Postgres(sql),
        }
    }

    /// Sessions in Redis.
    pub fn in_redis(redis: Redis, account_of: AccountOf) -> Self {
        Self::Redis(RedisSessions::new(redis, account_of))
    }

    /// Replaces the record `new.id` with `new`, but only if it still holds `expected` (what
    /// this request loaded). False when it was deleted or changed meanwhile: a renewal never
    /// resurrects a signed-out session nor undoes another request's change.
    pub async fn replace(&self, expected: &Record, new: &Record) -> Result<bool, Error> {
        on_store!(self, s => s.replace(expected, new).await)
    }

    /// The record `id` as seen from inside `tx`, a transaction on the database: from its own
    /// connection when sessions live in that database (the table, not the cache in front of
    /// it), from Redis otherwise.
    pub async fn load_in(&self, tx: &mut Tx, id: &Id) -> Result<Option<Record>, Error> {
        match self {
            Self::Sqlite(_) | Self::Postgres(_) => SqlSessions::load_in(tx, id).await,
            Self::Redis(s) => s.load(id).await,
        }
    }

    /// The live sessions of `account`.
    pub async fn of_account(&self, account: i64) -> Result<Vec<Record>, Error> {
        on_store!(self, s => s.of_account(account).await)
    }

    /// Deletes every session of `account` except `keep`, returning the ids it deleted. Final
    /// at once: no request carrying one of them is answered as signed in afterwards.
    pub async fn end_of_account(&self, account: i64, keep: Option<Id>) -> Result<Vec<Id>, Error> {
        on_store!(self, s => s.end_of_account(account, keep).await)
    }

    /// Deletes the records past their storage expiry, for the stores that need it (Redis
    /// expires its keys itself); how many.
    pub async fn delete_expired(&self) -> Result<u64, Error> {
        match self {
            Self::Sqlite(cached) => cached.sql().delete_expired().await,
            Self::Postgres(sql) => sql.delete_expired().await,
            Self::Redis(_) => Ok(0),
        }
    }
}

#[async_trait]
impl session_store::SessionStore for SessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        on_store!(self, s => s.create(record).await)
    }

    /// Updates an existing record; never inserts one (see the module comment).
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        on_store!(self, s => s.update(record).await.map(drop))
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        on_store!(self, s => s.load(id).await)
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        on_store!(self, s => s.delete(id).await)
    }
}

/// A record's data as stored: JSON text with its keys sorted (serde_json keeps nested objects
/// sorted too), so the same data is always the same bytes and `replace` can compare them.
fn encode(record: &Record) -> Result<String, Error> {
    let sorted: std::collections::BTreeMap<_, _> = record.data.iter().collect();
    serde_json::to_string(&sorted).map_err(|e| Error::Encode(e.to_string()))
}

fn decode(id: Id, data: &str, expiry_date: OffsetDateTime) -> Result<Record, Error> {
    Ok(Record {
        id,
        data: serde_json::from_str(data).map_err(|e| Error::Decode(e.to_string()))?,
        expiry_date,
    })
}

fn backend(e: impl std::fmt::Display) -> Error {
    Error::Backend(e.to_string())
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use tower_sessions::session_store::SessionStore as _;

    use super::*;

    fn account_of(record: &Record) -> Option<i64> {
        record.data.get("account")?.as_i64()
    }

    async fn sqlite() -> (tempfile::TempDir, Db, SessionStore) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("s.db").display());
        let db = crate::data::db::connect(&url).await.unwrap();
        for name in ["ann", "bob"] {
            let sql = "INSERT INTO users (username, username_folded, password_hash, role, created_at) \
                       VALUES ($1, $1, 'h', 'user', 0)";
            on_pool!(&db, pool => sqlx::query(sql).bind(name).execute(pool).await.map(drop))
                .unwrap();
        }
        let store = SessionStore::in_database(&db, account_of);
        (dir, db, store)
    }

    fn record(account: i64, n: i64) -> Record {
        Record {
            id: Id::default(),
            data: [
                ("account".to_string(), json!(account)),
                ("n".to_string(), json!(n)),
            ]
            .into_iter()
            .collect(),
            expiry_date: OffsetDateTime::now_utc() + time::Duration::hours(1),
        }
    }

    use crate::data::db::on_pool;

    #[tokio::test]
    async fn a_save_after_a_delete_does_not_bring_the_record_back() {
        let (_dir, _db, store) = sqlite().await;
        let mut r = record(1, 0);
        store.create(&mut r).await.unwrap();
        assert_eq!(store.load(&r.id).await.unwrap(), Some(r.clone()));
        store.delete(&r.id).await.unwrap();
        store.save(&r).await.unwrap();
        assert_eq!(store.load(&r.id).await.unwrap(), None);
        assert!(!store.replace(&r, &r).await.unwrap());
        assert_eq!(store.load(&r.id).await.unwrap(), None);
    }

    #[tokio::test]
    async fn a_replace_only_writes_over_what_was_loaded() {
        let (_dir, _db, store) = sqlite().await;
        let mut loaded = record(1, 0);
        store.create(&mut loaded).await.unwrap();
        let mut changed = loaded.clone();
        changed.data.insert("n".into(), json!(1));
        assert!(store.replace(&loaded, &changed).await.unwrap());
        let mut stale = loaded.clone();
        stale.data.insert("n".into(), json!(2));
        assert!(
            !store.replace(&loaded, &stale).await.unwrap(),
            "a write from an older copy is refused"
        );
        let stored = store.load(&loaded.id).await.unwrap().unwrap();
        assert_eq!(stored.data, changed.data);
    }

    #[tokio::test]
    async fn an_accounts_sessions_are_listed_and_ended_without_touching_others() {
        let (_dir, _db, store) = sqlite().await;
        let (mut a1, mut a2, mut b1) = (record(1, 1), record(1, 2), record(2, 1));
        for r in [&mut a1, &mut a2, &mut b1] {
            store.create(r).await.unwrap();
        }
        let mut listed: Vec<Id> = store
            .of_account(1)
            .await
            .unwrap()
            .iter()
            .map(|r| r.id)
            .collect();
        listed.sort_by_key(|id| id.0);
        let mut expected = vec![a1.id, a2.id];
        expected.sort_by_key(|id| id.0);
        assert_eq!(listed, expected);
        assert_eq!(
            store.end_of_account(1, Some(a1.id)).await.unwrap(),
            vec![a2.id]
        );
        assert_eq!(
            store.load(&a2.id).await.unwrap(),
            None,
            "ended, cache included"
        );
        assert!(store.load(&a1.id).await.unwrap().is_some(), "kept");
        assert!(
            store.load(&b1.id).await.unwrap().is_some(),
            "another account's"
        );
        assert_eq!(store.end_of_account(1, None).await.unwrap(), vec![a1.id]);
        assert!(store.of_account(1).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn expired_records_are_neither_loaded_nor_listed_and_are_deleted() {
        let (_dir, _db, store) = sqlite().await;
        let mut old = record(1, 0);
        old.expiry_date = OffsetDateTime::now_utc() - time::Duration::seconds(1);
        store.create(&mut old).await.unwrap();
        assert_eq!(store.load(&old.id).await.unwrap(), None);
        assert!(store.of_account(1).await.unwrap().is_empty());
        let SessionStore::Sqlite(cached) = &store else {
            panic!("SQLite")
        };
        assert_eq!(cached.sql().delete_expired().await.unwrap(), 1);
    }
}
