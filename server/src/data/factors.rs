//! The authenticator app's sealed secret and last accepted step, and the recovery codes (hashed):
//! the columns and table `users.totp_*` and `recovery_codes`.

use crate::data::db::{Db, Tx, on_pool, on_tx};

/// The account's sealed TOTP secret and the step of the last code accepted, when the app is on.
pub async fn totp(db: &Db, account: i64) -> sqlx::Result<Option<(String, Option<i64>)>> {
    let sql = "SELECT totp_secret, totp_last_step FROM users \
               WHERE id = $1 AND totp_secret IS NOT NULL";
    on_pool!(db, pool => sqlx::query_as(sql).bind(account).fetch_optional(pool).await)
}

/// Turns the app on with `sealed` (its secret) and sets the recovery codes (`hashes`); the code
/// that confirmed it (`step`) is spent. False when it is on already.
pub async fn enable_totp(
    tx: &mut Tx,
    account: i64,
    sealed: &str,
    step: i64,
    hashes: &[String],
) -> sqlx::Result<bool> {
    let sql = "UPDATE users SET totp_secret = $1, totp_last_step = $2 \
               WHERE id = $3 AND totp_secret IS NULL";
    let done = on_tx!(&mut *tx, conn => sqlx::query(sql)
        .bind(sealed)
        .bind(step)
        .bind(account)
        .execute(conn)
        .await
        .map(|done| done.rows_affected()))?;
    if done != 1 {
        return Ok(false);
    }
    replace_recovery_codes(tx, account, hashes).await?;
    Ok(true)
}

/// Turns the app off, with its recovery codes; whether it was on.
pub async fn disable_totp(tx: &mut Tx, account: i64) -> sqlx::Result<bool> {
    let sql = "UPDATE users SET totp_secret = NULL, totp_last_step = NULL \
               WHERE id = $1 AND totp_secret IS NOT NULL";
    let done = on_tx!(&mut *tx, conn => sqlx::query(sql)
        .bind(account)
        .execute(conn)
        .await
        .map(|done| done.rows_affected()))?;
    let sql = "DELETE FROM recovery_codes WHERE account_id = $1";
    on_tx!(tx, conn => sqlx::query(sql).bind(account).execute(conn).await.map(drop))?;
    Ok(done == 1)
}

/// Spends the code of `step`: true if no code of this step or a later one was accepted before
/// (compare-and-set, so two requests with the same code cannot both pass).
pub async fn spend_step(db: &Db, account: i64, step: i64) -> sqlx::Result<bool> {
    let sql = "UPDATE users SET totp_last_step = $1 WHERE id = $2 \
               AND totp_secret IS NOT NULL AND (totp_last_step IS NULL OR totp_last_step < $1)";
    on_pool!(db, pool => sqlx::query(sql)
        .bind(step)
        .bind(account)
        .execute(pool)
        .await
        .map(|done| done.rows_affected() == 1))
}

/// Replaces the account's recovery codes with `hashes`.
pub async fn replace_recovery_codes(
    tx: &mut Tx,
    account: i64,
    hashes: &[String],
) -> sqlx::Result<()> {
    let sql = "DELETE FROM recovery_codes WHERE account_id = $1";
    on_tx!(&mut *tx, conn => sqlx::query(sql).bind(account).execute(conn).await.map(drop))?;
    for hash in hashes {
        let sql = "INSERT INTO recovery_codes (account_id, code_hash) VALUES ($1, $2)";
        on_tx!(&mut *tx, conn => sqlx::query(sql)
            .bind(account)
            .bind(hash)
            .execute(conn)
            .await
            .map(drop))?;
    }
    Ok(())
}

/// Spends the recovery code with `hash`: true if it was one of the account's, unused.
pub async fn spend_recovery_code(db: &Db, account: i64, hash: &str) -> sqlx::Result<bool> {
    let sql = "DELETE FROM recovery_codes WHERE account_id = $1 AND code_hash = $2";
    on_pool!(db, pool => sqlx::query(sql)
        .bind(account)
        .bind(hash)
        .execute(pool)
        .await
        .map(|done| done.rows_affected() == 1))
}

/// How many unused recovery codes the account has.
pub async fn recovery_codes_left(db: &Db, account: i64) -> sqlx::Result<i64> {
    let sql = "SELECT count(*) FROM recovery_codes WHERE account_id = $1";
    on_pool!(db, pool => sqlx::query_scalar(sql).bind(account).fetch_one(pool).await)
}
