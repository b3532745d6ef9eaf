//! `/api/notes`: each user's own notes. Another user's note is a 404, never a 403.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use gatehouse_api::{Endpoint, NewNote, Note, NoteBody, NoteSummary, NoteTitle, NoteUpdate};

use super::{Declared, Route};
use crate::db::{self, Db, on_pool};
use crate::error::{AppError, Json, Path, both};
use crate::session::{Access, CurrentUser};
use gatehouse_api::endpoints::{CreateNote, DeleteNote, GetNote, ListNotes, UpdateNote};

/// This resource's routes.
pub fn routes() -> Vec<Route> {
    vec![
        ListNotes::route(Access::User, list),
        CreateNote::route(Access::User, create),
        GetNote::route(Access::User, read),
        UpdateNote::route(Access::User, update),
        DeleteNote::route(Access::User, delete),
    ]
}

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

fn parse(title: &str, body: &str) -> Result<(NoteTitle, NoteBody), AppError> {
    both(NoteTitle::try_from(title), NoteBody::try_from(body))
}

/// `GET /api/notes`: the user's notes, most recently edited first.
async fn list(State(db): State<Db>, user: CurrentUser) -> Result<Json<Vec<NoteSummary>>, AppError> {
    let sql = "SELECT id, title, version, updated_at FROM notes WHERE user_id = $1 \
               ORDER BY updated_at DESC, id DESC";
    let rows: Vec<(i64, String, i64, i64)> =
        on_pool!(&db, pool => sqlx::query_as(sql).bind(user.account.id).fetch_all(pool).await)?;
    Ok(Json(
        rows.into_iter()
            .map(|(id, title, version, updated_at)| NoteSummary {
                id,
                title,
                version,
                updated_at: db::rfc3339(updated_at),
            })
            .collect(),
    ))
}

/// `POST /api/notes`: 201 with the note and its `Location`.
async fn create(
    State(db): State<Db>,
    user: CurrentUser,
    Json(new): Json<NewNote>,
) -> Result<Response, AppError> {
    let (title, body) = parse(&new.title, &new.body)?;
    let now = db::now();
    let sql = format!(
        "INSERT INTO notes (user_id, title, body, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $4) RETURNING {COLUMNS}"
    );
    let row: NoteRow = on_pool!(&db, pool => sqlx::query_as(&sql)
        .bind(user.account.id)
        .bind(title.as_str())
        .bind(body.as_str())
        .bind(now)
        .fetch_one(pool)
        .await)?;
    let location = GetNote { id: row.id }.path();
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(Note::from(row)),
    )
        .into_response())
}

/// `GET /api/notes/{id}`.
async fn read(
    State(db): State<Db>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<Note>, AppError> {
    let sql = format!("SELECT {COLUMNS} FROM notes WHERE id = $1 AND user_id = $2");
    let row: Option<NoteRow> = on_pool!(&db, pool => sqlx::query_as(&sql)
        .bind(id)
        .bind(user.account.id)
        .fetch_optional(pool)
        .await)?;
    row.map(|r| Json(r.into())).ok_or(AppError::NotFound)
}

/// `PUT /api/notes/{id}`: replaces title and body if `version` is current, else 409.
async fn update(
    State(db): State<Db>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(edit): Json<NoteUpdate>,
) -> Result<Json<Note>, AppError> {
    let (title, body) = parse(&edit.title, &edit.body)?;
    let sql = format!(
        "UPDATE notes SET title = $1, body = $2, version = version + 1, updated_at = $3 \
         WHERE id = $4 AND user_id = $5 AND version = $6 RETURNING {COLUMNS}"
    );
    let row: Option<NoteRow> = on_pool!(&db, pool => sqlx::query_as(&sql)
        .bind(title.as_str())
        .bind(body.as_str())
        .bind(db::now())
        .bind(id)
        .bind(user.account.id)
        .bind(edit.version)
        .fetch_optional(pool)
        .await)?;
    if let Some(row) = row {
        return Ok(Json(row.into()));
    }
    // Nothing updated: tell a stale version from a note that is not this user's.
    let sql = "SELECT id FROM notes WHERE id = $1 AND user_id = $2";
    let exists: Option<i64> = on_pool!(&db, pool => sqlx::query_scalar(sql)
        .bind(id)
        .bind(user.account.id)
        .fetch_optional(pool)
        .await)?;
    Err(if exists.is_some() {
        AppError::Conflict
    } else {
        AppError::NotFound
    })
}

/// `DELETE /api/notes/{id}`: 204, or 404 if it is not this user's.
async fn delete(
    State(db): State<Db>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    let sql = "DELETE FROM notes WHERE id = $1 AND user_id = $2";
    let deleted = on_pool!(&db, pool => sqlx::query(sql)
        .bind(id)
        .bind(user.account.id)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
    if deleted == 0 {
        return Err(AppError::NotFound);
    }
    Ok(StatusCode::NO_CONTENT)
}
