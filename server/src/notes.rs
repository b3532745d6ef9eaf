//! Notes, the resource behind the sign-in: each user's own, with a version per note so that a
//! stale edit is refused rather than lost. Another user's note is never found.

use gatehouse_api::{Note, NoteBody, NoteSummary, NoteTitle};

use crate::db::{self, Db, on_pool};

#[derive(sqlx::FromRow)]
struct NoteRow {
    id: i64,
    title: String,
    body: String,
    version: i64,
    created_at: i64,
    updated_at: i64,
}

impl From<NoteRow> for Note {
    fn from(r: NoteRow) -> Self {
        Note {
            id: r.id,
            title: r.title,
            body: r.body,
            version: r.version,
            created_at: db::rfc3339(r.created_at),
            updated_at: db::rfc3339(r.updated_at),
        }
    }
}

const COLUMNS: &str = "id, title, body, version, created_at, updated_at";

/// The user's notes, most recently edited first.
pub async fn list(db: &Db, user: i64) -> sqlx::Result<Vec<NoteSummary>> {
    let sql = "SELECT id, title, version, updated_at FROM notes WHERE user_id = $1 \
               ORDER BY updated_at DESC, id DESC";
    let rows: Vec<(i64, String, i64, i64)> =
        on_pool!(db, pool => sqlx::query_as(sql).bind(user).fetch_all(pool).await)?;
    Ok(rows
        .into_iter()
        .map(|(id, title, version, updated_at)| NoteSummary {
            id,
            title,
            version,
            updated_at: db::rfc3339(updated_at),
        })
        .collect())
}

/// Creates a note for the user.
pub async fn create(db: &Db, user: i64, title: &NoteTitle, body: &NoteBody) -> sqlx::Result<Note> {
    let sql = format!(
        "INSERT INTO notes (user_id, title, body, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $4) RETURNING {COLUMNS}"
    );
    let row: NoteRow = on_pool!(db, pool => sqlx::query_as(&sql)
        .bind(user)
        .bind(title.as_str())
        .bind(body.as_str())
        .bind(db::now())
        .fetch_one(pool)
        .await)?;
    Ok(row.into())
}

/// The user's note `id`, if there is one.
pub async fn get(db: &Db, user: i64, id: i64) -> sqlx::Result<Option<Note>> {
    let sql = format!("SELECT {COLUMNS} FROM notes WHERE id = $1 AND user_id = $2");
    let row: Option<NoteRow> = on_pool!(db, pool => sqlx::query_as(&sql)
        .bind(id)
        .bind(user)
        .fetch_optional(pool)
        .await)?;
    Ok(row.map(Note::from))
}

/// What an edit came to.
pub enum Updated {
    /// Saved, as a new version.
    Saved(Note),
    /// The note has changed since the version edited: nothing saved.
    Stale,
    /// No such note of this user's.
    Missing,
}

/// Replaces title and body of the user's note `id` if it is still at `version`.
pub async fn update(
    db: &Db,
    user: i64,
    id: i64,
    version: i64,
    title: &NoteTitle,
    body: &NoteBody,
) -> sqlx::Result<Updated> {
    let sql = format!(
        "UPDATE notes SET title = $1, body = $2, version = version + 1, updated_at = $3 \
         WHERE id = $4 AND user_id = $5 AND version = $6 RETURNING {COLUMNS}"
    );
    let row: Option<NoteRow> = on_pool!(db, pool => sqlx::query_as(&sql)
        .bind(title.as_str())
        .bind(body.as_str())
        .bind(db::now())
        .bind(id)
        .bind(user)
        .bind(version)
        .fetch_optional(pool)
        .await)?;
    if let Some(row) = row {
        return Ok(Updated::Saved(row.into()));
    }
    // Nothing updated: tell a stale version from a note that is not this user's.
    let sql = "SELECT id FROM notes WHERE id = $1 AND user_id = $2";
    let exists: Option<i64> = on_pool!(db, pool => sqlx::query_scalar(sql)
        .bind(id)
        .bind(user)
        .fetch_optional(pool)
        .await)?;
    Ok(if exists.is_some() {
        Updated::Stale
    } else {
        Updated::Missing
    })
}

/// Deletes the user's note `id`; whether there was one.
pub async fn delete(db: &Db, user: i64, id: i64) -> sqlx::Result<bool> {
    let sql = "DELETE FROM notes WHERE id = $1 AND user_id = $2";
    on_pool!(db, pool => sqlx::query(sql)
        .bind(id)
        .bind(user)
        .execute(pool)
        .await
        .map(|done| done.rows_affected() > 0))
}
