//! `/api/notes`: each user's own notes. Another user's note is a 404, never a 403.

use axum::extract::State;
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use gatehouse_api::{NewNote, Note, NoteBody, NoteSummary, NoteTitle, NoteUpdate};
use sqlx::SqlitePool;

use super::Route;
use crate::db;
use crate::error::{AppError, Json, Path, both};
use crate::session::{Access, CurrentUser};

/// This resource's routes.
pub fn routes() -> Vec<Route> {
    vec![
        Route::new(Method::GET, "/api/notes", Access::User, list),
        Route::new(Method::POST, "/api/notes", Access::User, create),
        Route::new(Method::GET, "/api/notes/{id}", Access::User, read),
        Route::new(Method::PUT, "/api/notes/{id}", Access::User, update),
        Route::new(Method::DELETE, "/api/notes/{id}", Access::User, delete),
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
async fn list(
    State(db): State<SqlitePool>,
    user: CurrentUser,
) -> Result<Json<Vec<NoteSummary>>, AppError> {
    let rows: Vec<(i64, String, i64, i64)> = sqlx::query_as(
        "SELECT id, title, version, updated_at FROM notes WHERE user_id = ? \
         ORDER BY updated_at DESC, id DESC",
    )
    .bind(user.account.id)
    .fetch_all(&db)
    .await?;
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
    State(db): State<SqlitePool>,
    user: CurrentUser,
    Json(new): Json<NewNote>,
) -> Result<Response, AppError> {
    let (title, body) = parse(&new.title, &new.body)?;
    let now = db::now();
    let row: NoteRow = sqlx::query_as(&format!(
        "INSERT INTO notes (user_id, title, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?) \
         RETURNING {COLUMNS}"
    ))
    .bind(user.account.id)
    .bind(title.as_str())
    .bind(body.as_str())
    .bind(now)
    .bind(now)
    .fetch_one(&db)
    .await?;
    let location = format!("/api/notes/{}", row.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(Note::from(row)),
    )
        .into_response())
}

/// `GET /api/notes/{id}`.
async fn read(
    State(db): State<SqlitePool>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<Note>, AppError> {
    let row: Option<NoteRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM notes WHERE id = ? AND user_id = ?"
    ))
    .bind(id)
    .bind(user.account.id)
    .fetch_optional(&db)
    .await?;
    row.map(|r| Json(r.into())).ok_or(AppError::NotFound)
}

/// `PUT /api/notes/{id}`: replaces title and body if `version` is current, else 409.
async fn update(
    State(db): State<SqlitePool>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(edit): Json<NoteUpdate>,
) -> Result<Json<Note>, AppError> {
    let (title, body) = parse(&edit.title, &edit.body)?;
    let row: Option<NoteRow> = sqlx::query_as(&format!(
        "UPDATE notes SET title = ?, body = ?, version = version + 1, updated_at = ? \
         WHERE id = ? AND user_id = ? AND version = ? RETURNING {COLUMNS}"
    ))
    .bind(title.as_str())
    .bind(body.as_str())
    .bind(db::now())
    .bind(id)
    .bind(user.account.id)
    .bind(edit.version)
    .fetch_optional(&db)
    .await?;
    if let Some(row) = row {
        return Ok(Json(row.into()));
    }
    // Nothing updated: tell a stale version from a note that is not this user's.
    let exists: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM notes WHERE id = ? AND user_id = ?")
            .bind(id)
            .bind(user.account.id)
            .fetch_optional(&db)
            .await?;
    Err(if exists.is_some() {
        AppError::Conflict
    } else {
        AppError::NotFound
    })
}

/// `DELETE /api/notes/{id}`: 204, or 404 if it is not this user's.
async fn delete(
    State(db): State<SqlitePool>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    let done = sqlx::query("DELETE FROM notes WHERE id = ? AND user_id = ?")
        .bind(id)
        .bind(user.account.id)
        .execute(&db)
        .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    Ok(StatusCode::NO_CONTENT)
}
