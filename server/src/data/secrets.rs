//! `server_secrets`: values every instance must share, made by the first to need them.

use crate::data::db::{Db, on_pool};

/// The value named `name`; `value` is stored first if there is none yet (the first instance
/// to ask wins, and every other gets its value).
pub async fn get_or_insert(db: &Db, name: &str, value: &str) -> sqlx::Result<String> {
    let insert = "INSERT INTO server_secrets (name, value) VALUES ($1, $2) \
                  ON CONFLICT (name) DO NOTHING";
    on_pool!(db, pool => sqlx::query(insert)
        .bind(name)
        .bind(value)
        .execute(pool)
        .await
        .map(drop))?;
    let select = "SELECT value FROM server_secrets WHERE name = $1";
    on_pool!(db, pool => sqlx::query_scalar(select).bind(name).fetch_one(pool).await)
}
