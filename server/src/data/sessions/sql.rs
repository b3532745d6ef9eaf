//! Sessions in the `sessions` table of SQLite or PostgreSQL, indexed by account.

use time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::Error;

use super::{AccountOf, backend, decode, encode};
use crate::data::db::{Db, Tx, on_pool, on_tx};

/// The `sessions` table, on whichever database is configured.
#[derive(Clone)]
pub struct SqlSessions {
    db: Db,
    account_of: AccountOf,
}

fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

fn id_of(text: &str) -> Result<Id, Error> {
    text.parse()
        .map_err(|_| Error::Decode("a stored session id".into()))
}

impl SqlSessions {
    /// The table in `db`.
    pub fn new(db: Db, account_of: AccountOf) -> Self {
        Self { db, account_of }
    }

    /// Inserts `record`, drawing a new id until it is unique.
    pub async fn create(&self, record: &mut Record) -> Result<(), Error> {
        let sql = "INSERT INTO sessions (id, account_id, data, expires_at) VALUES ($1, $2, $3, $4) \
                   ON CONFLICT (id) DO NOTHING";
        let data = encode(record)?;
        loop {
            let inserted = on_pool!(&self.db, pool => sqlx::query(sql)
                .bind(record.id.to_string())
                .bind((self.account_of)(record))
                .bind(&data)
                .bind(record.expiry_date.unix_timestamp())
                .execute(pool)
                .await
                .map(|done| done.rows_affected()))
            .map_err(backend)?;
            if inserted == 1 {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    /// Updates `record` if it still exists; false when it was deleted.
    pub async fn update(&self, record: &Record) -> Result<bool, Error> {
        let sql = "UPDATE sessions SET account_id = $2, data = $3, expires_at = $4 WHERE id = $1";
        let updated = on_pool!(&self.db, pool => sqlx::query(sql)
            .bind(record.id.to_string())
            .bind((self.account_of)(record))
            .bind(encode(record)?)
            .bind(record.expiry_date.unix_timestamp())
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))
        .map_err(backend)?;
        Ok(updated == 1)
    }

    /// See `SessionStore::replace`.
    pub async fn replace(&self, expected: &Record, new: &Record) -> Result<bool, Error> {
        let sql = "UPDATE sessions SET account_id = $2, data = $3, expires_at = $4 \
                   WHERE id = $1 AND data = $5";
        let updated = on_pool!(&self.db, pool => sqlx::query(sql)
            .bind(new.id.to_string())
            .bind((self.account_of)(new))
            .bind(encode(new)?)
            .bind(new.expiry_date.unix_timestamp())
            .bind(encode(expected)?)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))
        .map_err(backend)?;
        Ok(updated == 1)
    }

    /// The record, unless it is missing or past its storage expiry.
    pub async fn load(&self, id: &Id) -> Result<Option<Record>, Error> {
        let sql = "SELECT data, expires_at FROM sessions WHERE id = $1 AND expires_at > $2";
        let row: Option<(String, i64)> = on_pool!(&self.db, pool => sqlx::query_as(sql)
            .bind(id.to_string())
            .bind(now())
            .fetch_optional(pool)
            .await)
        .map_err(backend)?;
        row.map(|(data, expires_at)| decode(*id, &data, at(expires_at)))
            .transpose()
    }

    /// The record as the transaction `tx` (on the same database) sees it.
    pub async fn load_in(tx: &mut Tx, id: &Id) -> Result<Option<Record>, Error> {
        let sql = "SELECT data, expires_at FROM sessions WHERE id = $1 AND expires_at > $2";
        let row: Option<(String, i64)> = on_tx!(tx, conn => sqlx::query_as(sql)
            .bind(id.to_string())
            .bind(now())
            .fetch_optional(conn)
            .await)
        .map_err(backend)?;
        row.map(|(data, expires_at)| decode(*id, &data, at(expires_at)))
            .transpose()
    }

    /// Deletes the record.
    pub async fn delete(&self, id: &Id) -> Result<(), Error> {
        on_pool!(&self.db, pool => sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(id.to_string())
            .execute(pool)
            .await
            .map(drop))
        .map_err(backend)?;
        Ok(())
    }

    /// See `SessionStore::of_account`.
    pub async fn of_account(&self, account: i64) -> Result<Vec<Record>, Error> {
        let sql = "SELECT id, data, expires_at FROM sessions \
                   WHERE account_id = $1 AND expires_at > $2";
        let rows: Vec<(String, String, i64)> = on_pool!(&self.db, pool => sqlx::query_as(sql)
            .bind(account)
            .bind(now())
            .fetch_all(pool)
            .await)
        .map_err(backend)?;
        rows.into_iter()
            .map(|(id, data, expires_at)| decode(id_of(&id)?, &data, at(expires_at)))
            .collect()
    }

    /// See `SessionStore::end_of_account`.
    pub async fn end_of_account(&self, account: i64, keep: Option<Id>) -> Result<Vec<Id>, Error> {
        let sql = "DELETE FROM sessions WHERE account_id = $1 AND id <> $2 RETURNING id";
        let keep = keep.map(|id| id.to_string()).unwrap_or_default();
        let ids: Vec<String> = on_pool!(&self.db, pool => sqlx::query_scalar(sql)
            .bind(account)
            .bind(keep)
            .fetch_all(pool)
            .await)
        .map_err(backend)?;
        ids.iter().map(|id| id_of(id)).collect()
    }

    /// Deletes the records past their storage expiry.
    pub async fn delete_expired(&self) -> Result<u64, Error> {
        let done =
            on_pool!(&self.db, pool => sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now())
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))
            .map_err(backend)?;
        Ok(done)
    }
}

fn at(unix_seconds: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(unix_seconds).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}
