//! Passkeys: each account's, found by credential id when one signs in. The passkey itself
//! (public key, signature counter, flags) is webauthn-rs's record, kept as JSON.

use crate::data::db::{self, Db, Tx, on_pool, on_tx};

/// One row of `passkeys`.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct StoredPasskey {
    /// Its id.
    pub id: i64,
    /// Whose.
    pub account_id: i64,
    /// The name its owner gave it.
    pub name: String,
    /// webauthn-rs's `Passkey`, JSON.
    pub passkey: String,
    /// Backed up (synced) by its provider.
    pub synced: bool,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds of its last use.
    pub last_used_at: Option<i64>,
}

const COLUMNS: &str = "id, account_id, name, passkey, synced, created_at, last_used_at";

/// The account's passkeys, oldest first.
pub async fn of_account(db: &Db, account: i64) -> sqlx::Result<Vec<StoredPasskey>> {
    let sql = format!("SELECT {COLUMNS} FROM passkeys WHERE account_id = $1 ORDER BY id");
    on_pool!(db, pool => sqlx::query_as(&sql).bind(account).fetch_all(pool).await)
}

/// The passkey a browser names by `credential_id` (base64url), whoever's it is.
pub async fn by_credential(db: &Db, credential_id: &str) -> sqlx::Result<Option<StoredPasskey>> {
    let sql = format!("SELECT {COLUMNS} FROM passkeys WHERE credential_id = $1");
    on_pool!(db, pool => sqlx::query_as(&sql).bind(credential_id).fetch_optional(pool).await)
}

/// Adds a passkey to the account; `None` when its credential is already registered (to any
/// account).
pub async fn add(
    tx: &mut Tx,
    account: i64,
    credential_id: &str,
    name: &str,
    passkey: &str,
    synced: bool,
) -> sqlx::Result<Option<StoredPasskey>> {
    let sql = format!(
        "INSERT INTO passkeys (account_id, credential_id, name, passkey, synced, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING {COLUMNS}"
    );
    let added = on_tx!(tx, conn => sqlx::query_as(&sql)
        .bind(account)
        .bind(credential_id)
        .bind(name)
        .bind(passkey)
        .bind(synced)
        .bind(db::now())
        .fetch_one(conn)
        .await);
    match added {
        Ok(row) => Ok(Some(row)),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(None),
        Err(e) => Err(e),
    }
}

/// Renames the account's passkey `id`; `None` when it has no such passkey.
pub async fn rename(
    tx: &mut Tx,
    account: i64,
    id: i64,
    name: &str,
) -> sqlx::Result<Option<StoredPasskey>> {
    let sql = format!(
        "UPDATE passkeys SET name = $1 WHERE id = $2 AND account_id = $3 RETURNING {COLUMNS}"
    );
    on_tx!(tx, conn => sqlx::query_as(&sql)
        .bind(name)
        .bind(id)
        .bind(account)
        .fetch_optional(conn)
        .await)
}

/// Removes the account's passkey `id`; its name, or `None` when it has no such passkey.
pub async fn remove(tx: &mut Tx, account: i64, id: i64) -> sqlx::Result<Option<String>> {
    let sql = "DELETE FROM passkeys WHERE id = $1 AND account_id = $2 RETURNING name";
    on_tx!(tx, conn => sqlx::query_scalar(sql)
        .bind(id)
        .bind(account)
        .fetch_optional(conn)
        .await)
}

/// Removes every passkey of the account; how many there were.
pub async fn remove_all(tx: &mut Tx, account: i64) -> sqlx::Result<u64> {
    let sql = "DELETE FROM passkeys WHERE account_id = $1";
    on_tx!(tx, conn => sqlx::query(sql)
        .bind(account)
        .execute(conn)
        .await
        .map(|done| done.rows_affected()))
}

/// Notes a use of the passkey `id`: its record after the use (counter, backup state) and when.
pub async fn used(db: &Db, id: i64, passkey: &str, synced: bool) -> sqlx::Result<()> {
    let sql = "UPDATE passkeys SET passkey = $1, synced = $2, last_used_at = $3 WHERE id = $4";
    on_pool!(db, pool => sqlx::query(sql)
        .bind(passkey)
        .bind(synced)
        .bind(db::now())
        .bind(id)
        .execute(pool)
        .await
        .map(drop))
}
