//! Notes, the resource behind the sign-in: each user's own, with a version per note so that a
//! stale edit is refused rather than lost. Another user's note is never found.
//!
//! Lists come a page at a time, by keyset (never an offset scan): most recently edited first,
//! or, for a search, through the database's full-text index (SQLite FTS5, PostgreSQL's GIN
//! index over a `tsvector`), best matches first with prefix matching. A deleted note stays
//! restorable for `RESTORABLE` (the SPA's Undo), then is purged.

use std::time::Duration;

use gatehouse_api::{Note, NoteBody, NotePage, NoteSummary, NoteTitle};

use crate::data::cursor::{self, PageError};
use crate::data::db::{self, Db, Tx, on_pool, on_tx};

/// How long a deleted note can be restored.
pub const RESTORABLE: Duration = Duration::from_secs(60);

/// Notes per page when the request does not say.
pub const PAGE: u32 = 50;
/// The most notes per page.
pub const MAX_PAGE: u32 = 100;

/// The longest preview, in characters.
const PREVIEW: usize = 160;

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

/// A list row: id, title, the body's beginning, version, updated at.
type SummaryRow = (i64, String, String, i64, i64);

/// The body's first line, shortened.
fn preview(start: &str) -> String {
    let line = start
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or_default();
    match line.char_indices().nth(PREVIEW) {
        Some((cut, _)) => format!("{}…", line[..cut].trim_end()),
        None => line.to_string(),
    }
}

fn summary((id, title, start, version, updated_at): SummaryRow) -> NoteSummary {
    NoteSummary {
        id,
        title,
        preview: preview(&start),
        version,
        updated_at: db::rfc3339(updated_at),
    }
}

/// Where a page starts: after a (updated_at, id) position, or after `offset` search results.
enum Cursor {
    After(i64, i64),
    Skip(i64),
}

impl Cursor {
    fn encode(&self) -> String {
        cursor::encode(&match self {
            Self::After(at, id) => format!("a{at}:{id}"),
            Self::Skip(n) => format!("s{n}"),
        })
    }

    fn decode(cursor: &str) -> Option<Self> {
        let text = cursor::decode(cursor).ok()?;
        if let Some(rest) = text.strip_prefix('a') {
            let (at, id) = rest.split_once(':')?;
            return Some(Self::After(at.parse().ok()?, id.parse().ok()?));
        }
        let n: i64 = text.strip_prefix('s')?.parse().ok()?;
        (n >= 0).then_some(Self::Skip(n))
    }
}

/// The words of a search, as the full-text index takes them: letters and digits only, each
/// matched as a prefix, all of them required. `None` when nothing searchable is left.
#[allow(
    clippy::disallowed_methods,
    reason = "notes are in any script, and the index folds case in all of them"
)]
fn search_words(q: &str) -> Option<Vec<String>> {
    let words: Vec<String> = q
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(8)
        .map(str::to_lowercase)
        .collect();
    (!words.is_empty()).then_some(words)
}

/// One page of the user's notes: most recently edited first, or the notes matching `q`.
pub async fn list(
    db: &Db,
    user: i64,
    q: &str,
    cursor: Option<&str>,
    limit: u32,
) -> Result<NotePage, PageError> {
    let limit = i64::from(limit.clamp(1, MAX_PAGE));
    let cursor = cursor
        .map(|c| Cursor::decode(c).ok_or(PageError::BadCursor))
        .transpose()?;
    let rows: Vec<SummaryRow> = match search_words(q) {
        None => {
            let (at, id) = match cursor {
                None => (i64::MAX, i64::MAX),
                Some(Cursor::After(at, id)) => (at, id),
                Some(Cursor::Skip(_)) => return Err(PageError::BadCursor),
            };
            let sql = "SELECT id, title, substr(body, 1, 400), version, updated_at FROM notes \
                       WHERE user_id = $1 AND deleted_at IS NULL \
                       AND (updated_at, id) < ($2, $3) \
                       ORDER BY updated_at DESC, id DESC LIMIT $4";
            on_pool!(db, pool => sqlx::query_as(sql)
                .bind(user)
                .bind(at)
                .bind(id)
                .bind(limit + 1)
                .fetch_all(pool)
                .await)?
        }
        Some(words) => {
            let skip = match cursor {
                None => 0,
                Some(Cursor::Skip(n)) => n,
                Some(Cursor::After(..)) => return Err(PageError::BadCursor),
            };
            let rows = search(db, user, &words, skip, limit + 1).await?;
            let more = rows.len() as i64 > limit;
            let next = more.then(|| Cursor::Skip(skip + limit).encode());
            return Ok(page(rows, limit, next));
        }
    };
    let next = (rows.len() as i64 > limit)
        .then(|| {
            rows.get(limit as usize - 1)
                .map(|r| Cursor::After(r.4, r.0).encode())
        })
        .flatten();
    Ok(page(rows, limit, next))
}

fn page(rows: Vec<SummaryRow>, limit: i64, next_cursor: Option<String>) -> NotePage {
    NotePage {
        notes: rows.into_iter().take(limit as usize).map(summary).collect(),
        next_cursor,
    }
}

/// The user's notes matching every word (as a prefix): those with every word in the title first,
/// then the rest, each newest first.
async fn search(
    db: &Db,
    user: i64,
    words: &[String],
    skip: i64,
    limit: i64,
) -> sqlx::Result<Vec<SummaryRow>> {
    match db {
        Db::Sqlite(pool) => {
            // FTS5: each word quoted (no operators get through) and marked as a prefix, looked
            // for in the owner's live notes only (the index holds nothing else). Titles first,
            // then the rest; each newest first, read in the index's own order, so a page costs
            // the same for ten notes or ten thousand (no ranking of every hit).
            let words: Vec<String> = words.iter().map(|w| format!("\"{w}\"*")).collect();
            let words = words.join(" ");
            let in_title = format!("user_id : {user} AND {{title}} : ({words})");
            let elsewhere = format!(
                "user_id : {user} AND {{title body}} : ({words}) NOT {{title}} : ({words})"
            );
            let sql = "SELECT n.id, n.title, substr(n.body, 1, 400), n.version, n.updated_at FROM ( \
                         SELECT * FROM (SELECT 0 AS tier, rowid AS id FROM notes_fts \
                           WHERE notes_fts MATCH $1 ORDER BY rowid DESC LIMIT $3) \
                         UNION ALL \
                         SELECT * FROM (SELECT 1 AS tier, rowid AS id FROM notes_fts \
                           WHERE notes_fts MATCH $2 ORDER BY rowid DESC LIMIT $4) \
                       ) AS hit CROSS JOIN notes n ON n.id = hit.id \
                       WHERE n.user_id = $5 AND n.deleted_at IS NULL \
                       ORDER BY hit.tier, hit.id DESC LIMIT $6 OFFSET $7";
            sqlx::query_as(sql)
                .bind(in_title)
                .bind(elsewhere)
                .bind(skip + limit)
                .bind(skip + limit)
                .bind(user)
                .bind(limit)
                .bind(skip)
                .fetch_all(pool)
                .await
        }
        Db::Postgres(pool) => {
            // The same order from the GIN-indexed vector: weight A is the title.
            let all: Vec<String> = words.iter().map(|w| format!("{w}:*")).collect();
            let title: Vec<String> = words.iter().map(|w| format!("{w}:*A")).collect();
            let sql = "SELECT id, title, substr(body, 1, 400), version, updated_at FROM notes \
                       WHERE user_id = $2 AND deleted_at IS NULL \
                       AND search @@ to_tsquery('simple', $1) \
                       ORDER BY search @@ to_tsquery('simple', $5) DESC, id DESC \
                       LIMIT $3 OFFSET $4";
            sqlx::query_as(sql)
                .bind(all.join(" & "))
                .bind(user)
                .bind(limit)
                .bind(skip)
                .bind(title.join(" & "))
                .fetch_all(pool)
                .await
        }
    }
}

/// Creates a note for the user.
pub async fn create(
    tx: &mut Tx,
    user: i64,
    title: &NoteTitle,
    body: &NoteBody,
) -> sqlx::Result<Note> {
    let sql = format!(
        "INSERT INTO notes (user_id, title, body, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $4) RETURNING {COLUMNS}"
    );
    let row: NoteRow = on_tx!(tx, conn => sqlx::query_as(&sql)
        .bind(user)
        .bind(title.as_str())
        .bind(body.as_str())
        .bind(db::now())
        .fetch_one(conn)
        .await)?;
    Ok(row.into())
}

/// The user's note `id`, if there is one.
pub async fn get(db: &Db, user: i64, id: i64) -> sqlx::Result<Option<Note>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM notes WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL"
    );
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
    tx: &mut Tx,
    user: i64,
    id: i64,
    version: i64,
    title: &NoteTitle,
    body: &NoteBody,
) -> sqlx::Result<Updated> {
    let sql = format!(
        "UPDATE notes SET title = $1, body = $2, version = version + 1, updated_at = $3 \
         WHERE id = $4 AND user_id = $5 AND version = $6 AND deleted_at IS NULL \
         RETURNING {COLUMNS}"
    );
    let row: Option<NoteRow> = on_tx!(&mut *tx, conn => sqlx::query_as(&sql)
        .bind(title.as_str())
        .bind(body.as_str())
        .bind(db::now())
        .bind(id)
        .bind(user)
        .bind(version)
        .fetch_optional(conn)
        .await)?;
    if let Some(row) = row {
        return Ok(Updated::Saved(row.into()));
    }
    // Nothing updated: tell a stale version from a note that is not this user's.
    let sql = "SELECT id FROM notes WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL";
    let exists: Option<i64> = on_tx!(tx, conn => sqlx::query_scalar(sql)
        .bind(id)
        .bind(user)
        .fetch_optional(conn)
        .await)?;
    Ok(if exists.is_some() {
        Updated::Stale
    } else {
        Updated::Missing
    })
}

/// Deletes the user's note `id` (restorable for `RESTORABLE`); whether there was one.
pub async fn delete(tx: &mut Tx, user: i64, id: i64) -> sqlx::Result<bool> {
    let sql = "UPDATE notes SET deleted_at = $1 WHERE id = $2 AND user_id = $3 \
               AND deleted_at IS NULL";
    on_tx!(tx, conn => sqlx::query(sql)
        .bind(db::now())
        .bind(id)
        .bind(user)
        .execute(conn)
        .await
        .map(|done| done.rows_affected() > 0))
}

/// Brings back the user's note `id` if it was deleted less than `RESTORABLE` ago.
pub async fn restore(tx: &mut Tx, user: i64, id: i64) -> sqlx::Result<Option<Note>> {
    let sql = format!(
        "UPDATE notes SET deleted_at = NULL WHERE id = $1 AND user_id = $2 \
         AND deleted_at IS NOT NULL AND deleted_at > $3 RETURNING {COLUMNS}"
    );
    let since = db::now() - RESTORABLE.as_secs() as i64;
    let row: Option<NoteRow> = on_tx!(tx, conn => sqlx::query_as(&sql)
        .bind(id)
        .bind(user)
        .bind(since)
        .fetch_optional(conn)
        .await)?;
    Ok(row.map(Note::from))
}

/// Deletes for good the notes deleted longer than `RESTORABLE` ago.
pub async fn purge(db: &Db) -> sqlx::Result<u64> {
    let sql = "DELETE FROM notes WHERE deleted_at IS NOT NULL AND deleted_at <= $1";
    let before = db::now() - RESTORABLE.as_secs() as i64;
    on_pool!(db, pool => sqlx::query(sql)
        .bind(before)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_preview_is_the_first_line_with_text_shortened() {
        assert_eq!(preview("\n  \n Shopping list\nmilk"), "Shopping list");
        let long = "x".repeat(300);
        let p = preview(&long);
        assert_eq!(p.chars().count(), PREVIEW + 1);
        assert!(p.ends_with('…'));
    }

    #[test]
    fn search_words_are_letters_and_digits_only() {
        assert_eq!(
            search_words("Milk, \"eggs\" OR* -bread"),
            Some(vec![
                "milk".into(),
                "eggs".into(),
                "or".into(),
                "bread".into()
            ])
        );
        assert_eq!(search_words("  ** \" "), None);
    }

    #[test]
    fn a_cursor_round_trips_and_a_forged_one_does_not_parse() {
        assert!(matches!(
            Cursor::decode(&Cursor::After(5, 9).encode()),
            Some(Cursor::After(5, 9))
        ));
        assert!(matches!(
            Cursor::decode(&Cursor::Skip(50).encode()),
            Some(Cursor::Skip(50))
        ));
        assert!(Cursor::decode("bm90IGEgY3Vyc29y").is_none());
        assert!(Cursor::decode(&cursor::encode("s-5")).is_none());
    }
}
