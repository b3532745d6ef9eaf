//! Identities at the OpenID provider linked to local accounts (`linked_identities`): found by
//! (issuer, subject) when one signs in, listed and removed by their account or an administrator.

use crate::data::db::{self, Db, Tx, on_pool, on_tx};

/// One row of `linked_identities`.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct LinkedIdentity {
    /// Its id.
    pub id: i64,
    /// Whose.
    pub account_id: i64,
    /// The provider's issuer URL.
    pub issuer: String,
    /// The provider's stable identifier for the person.
    pub subject: String,
    /// What the provider called the person when it was linked (or last signed in).
    pub display_name: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds of its last sign-in.
    pub last_used_at: Option<i64>,
}

const COLUMNS: &str = "id, account_id, issuer, subject, display_name, created_at, last_used_at";

/// The identity (`issuer`, `subject`), whoever's it is.
pub async fn find(db: &Db, issuer: &str, subject: &str) -> sqlx::Result<Option<LinkedIdentity>> {
    let sql = format!("SELECT {COLUMNS} FROM linked_identities WHERE issuer = $1 AND subject = $2");
    on_pool!(db, pool => sqlx::query_as(&sql)
        .bind(issuer)
        .bind(subject)
        .fetch_optional(pool)
        .await)
}

/// The account's identities, oldest first.
pub async fn of_account(db: &Db, account: i64) -> sqlx::Result<Vec<LinkedIdentity>> {
    let sql = format!("SELECT {COLUMNS} FROM linked_identities WHERE account_id = $1 ORDER BY id");
    on_pool!(db, pool => sqlx::query_as(&sql).bind(account).fetch_all(pool).await)
}

/// Links (`issuer`, `subject`) to the account; `None` when it is linked already (to any
/// account: the unique key decides, so two links at once cannot both win).
pub async fn link(
    tx: &mut Tx,
    account: i64,
    issuer: &str,
    subject: &str,
    display_name: Option<&str>,
) -> sqlx::Result<Option<LinkedIdentity>> {
    let sql = format!(
        "INSERT INTO linked_identities (account_id, issuer, subject, display_name, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING {COLUMNS}"
    );
    let linked = on_tx!(tx, conn => sqlx::query_as(&sql)
        .bind(account)
        .bind(issuer)
        .bind(subject)
        .bind(display_name)
        .bind(db::now())
        .fetch_one(conn)
        .await);
    match linked {
        Ok(row) => Ok(Some(row)),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(None),
        Err(e) => Err(e),
    }
}

/// Notes a sign-in through the identity `id`, with the name the provider gives now.
pub async fn used(db: &Db, id: i64, display_name: Option<&str>) -> sqlx::Result<()> {
    let sql = "UPDATE linked_identities SET last_used_at = $1, \
               display_name = COALESCE($2, display_name) WHERE id = $3";
    on_pool!(db, pool => sqlx::query(sql)
        .bind(db::now())
        .bind(display_name)
        .bind(id)
        .execute(pool)
        .await
        .map(drop))
}

/// Removes the account's identity `id`; the row removed, `None` when it has no such identity.
pub async fn unlink(tx: &mut Tx, account: i64, id: i64) -> sqlx::Result<Option<LinkedIdentity>> {
    let sql = format!(
        "DELETE FROM linked_identities WHERE id = $1 AND account_id = $2 RETURNING {COLUMNS}"
    );
    on_tx!(tx, conn => sqlx::query_as(&sql)
        .bind(id)
        .bind(account)
        .fetch_optional(conn)
        .await)
}

/// Removes every identity of the account; how many it had.
pub async fn remove_all(tx: &mut Tx, account: i64) -> sqlx::Result<u64> {
    let sql = "DELETE FROM linked_identities WHERE account_id = $1";
    on_tx!(tx, conn => sqlx::query(sql)
        .bind(account)
        .execute(conn)
        .await
        .map(|done| done.rows_affected()))
}
