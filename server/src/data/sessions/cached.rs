//! The SQLite session table behind an in-memory cache, safe against a cached copy outliving a
//! deletion.
//!
//! One process owns a SQLite file, so the cache can be authoritative for what this process
//! writes. The danger is a copy read just before a deletion being put in the cache just after
//! it (tower-sessions' `CachingSessionStore` has that window). Here every write and every
//! read that fills the cache holds its session's lock across the database call and the cache
//! update, and deletions clear the cache under that lock after the row is gone, so once a
//! deletion returns no copy of the record can come back.

use std::hash::{BuildHasher, RandomState};
use std::sync::Arc;
use std::time::{Duration, Instant};

use moka::Expiry;
use time::OffsetDateTime;
use tokio::sync::Mutex;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::Error;

use super::SqlSessions;

/// Live sessions kept in memory at most; beyond that, reads fall through to the table.
pub const SESSION_CACHE: u64 = 100_000;

/// Independent locks; a session's lock is chosen by its id.
const STRIPES: usize = 64;

/// `SqlSessions` with a cache of records by id.
#[derive(Clone)]
pub struct CachedSql {
    sql: SqlSessions,
    cache: moka::sync::Cache<Id, Record>,
    locks: Arc<[Mutex<()>]>,
    hasher: RandomState,
}

/// Cached records leave the cache when their storage expiry passes.
struct UntilStored;

impl Expiry<Id, Record> for UntilStored {
    fn expire_after_create(&self, _: &Id, record: &Record, _: Instant) -> Option<Duration> {
        Some(remaining(record))
    }

    fn expire_after_update(
        &self,
        _: &Id,
        record: &Record,
        _: Instant,
        _: Option<Duration>,
    ) -> Option<Duration> {
        Some(remaining(record))
    }
}

fn remaining(record: &Record) -> Duration {
    (record.expiry_date - OffsetDateTime::now_utc())
        .try_into()
        .unwrap_or(Duration::ZERO)
}

impl CachedSql {
    /// A cache in front of `sql`.
    pub fn new(sql: SqlSessions) -> Self {
        Self {
            sql,
            cache: moka::sync::Cache::builder()
                .max_capacity(SESSION_CACHE)
                .expire_after(UntilStored)
                .build(),
            locks: (0..STRIPES).map(|_| Mutex::new(())).collect(),
            hasher: RandomState::new(),
        }
    }

    /// The table behind the cache.
    pub fn sql(&self) -> &SqlSessions {
        &self.sql
    }

    fn lock(&self, id: &Id) -> &Mutex<()> {
        let stripe = self.hasher.hash_one(id) as usize % self.locks.len();
        &self.locks[stripe]
    }

    fn cached(&self, id: &Id) -> Option<Record> {
        self.cache
            .get(id)
            .filter(|r| r.expiry_date > OffsetDateTime::now_utc())
    }

    /// Inserts a record under a new id.
    pub async fn create(&self, record: &mut Record) -> Result<(), Error> {
        self.sql.create(record).await?;
        let _locked = self.lock(&record.id).lock().await;
        self.cache.insert(record.id, record.clone());
        Ok(())
    }

    /// Updates the record if it still exists.
    pub async fn update(&self, record: &Record) -> Result<bool, Error> {
        let _locked = self.lock(&record.id).lock().await;
        let updated = self.sql.update(record).await;
        self.settle(record, &updated);
        updated
    }

    /// See `SessionStore::replace`.
    pub async fn replace(&self, expected: &Record, new: &Record) -> Result<bool, Error> {
        let _locked = self.lock(&new.id).lock().await;
        let replaced = self.sql.replace(expected, new).await;
        self.settle(new, &replaced);
        replaced
    }

    /// After a write under the lock: cache what was written, or forget what may be stale.
    fn settle(&self, record: &Record, written: &Result<bool, Error>) {
        match written {
            Ok(true) => self.cache.insert(record.id, record.clone()),
            _ => self.cache.invalidate(&record.id),
        }
    }

    /// From the cache, or from the table (filling the cache under the session's lock).
    pub async fn load(&self, id: &Id) -> Result<Option<Record>, Error> {
        if let Some(hit) = self.cached(id) {
            return Ok(Some(hit));
        }
        let _locked = self.lock(id).lock().await;
        if let Some(hit) = self.cached(id) {
            return Ok(Some(hit));
        }
        let loaded = self.sql.load(id).await?;
        if let Some(record) = &loaded {
            self.cache.insert(*id, record.clone());
        }
        Ok(loaded)
    }

    /// Deletes the record from the table, then from the cache.
    pub async fn delete(&self, id: &Id) -> Result<(), Error> {
        let _locked = self.lock(id).lock().await;
        let deleted = self.sql.delete(id).await;
        self.cache.invalidate(id);
        deleted
    }

    /// Listing reads the table: the index lives there.
    pub async fn of_account(&self, account: i64) -> Result<Vec<Record>, Error> {
        self.sql.of_account(account).await
    }

    /// Deletes the rows, then forgets each cached copy under its lock (so a read that loaded
    /// one just before has finished filling the cache first).
    pub async fn end_of_account(&self, account: i64, keep: Option<Id>) -> Result<Vec<Id>, Error> {
        let ended = self.sql.end_of_account(account, keep).await?;
        for id in &ended {
            let _locked = self.lock(id).lock().await;
            self.cache.invalidate(id);
        }
        Ok(ended)
    }
}
