//! `/api/notes`: each user's own notes. Another user's note is a 404, never a 403.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use gatehouse_api::{Endpoint, NewNote, Note, NoteBody, NoteSummary, NoteTitle, NoteUpdate};

use super::{Declared, Route};
use crate::db::Db;
use crate::error::{AppError, Json, Path, both};
use crate::notes::{self, Updated};
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

fn parse(title: &str, body: &str) -> Result<(NoteTitle, NoteBody), AppError> {
    both(NoteTitle::try_from(title), NoteBody::try_from(body))
}

/// `GET /api/notes`: the user's notes, most recently edited first.
async fn list(State(db): State<Db>, user: CurrentUser) -> Result<Json<Vec<NoteSummary>>, AppError> {
    Ok(Json(notes::list(&db, user.account.id).await?))
}

/// `POST /api/notes`: 201 with the note and its `Location`.
async fn create(
    State(db): State<Db>,
    user: CurrentUser,
    Json(new): Json<NewNote>,
) -> Result<Response, AppError> {
    let (title, body) = parse(&new.title, &new.body)?;
    let note = notes::create(&db, user.account.id, &title, &body).await?;
    let location = GetNote { id: note.id }.path();
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(note),
    )
        .into_response())
}

/// `GET /api/notes/{id}`.
async fn read(
    State(db): State<Db>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<Note>, AppError> {
    let note = notes::get(&db, user.account.id, id).await?;
    note.map(Json).ok_or(AppError::NotFound)
}

/// `PUT /api/notes/{id}`: replaces title and body if `version` is current, else 409.
async fn update(
    State(db): State<Db>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(edit): Json<NoteUpdate>,
) -> Result<Json<Note>, AppError> {
    let (title, body) = parse(&edit.title, &edit.body)?;
    match notes::update(&db, user.account.id, id, edit.version, &title, &body).await? {
        Updated::Saved(note) => Ok(Json(note)),
        Updated::Stale => Err(AppError::Conflict),
        Updated::Missing => Err(AppError::NotFound),
    }
}

/// `DELETE /api/notes/{id}`: 204, or 404 if it is not this user's.
async fn delete(
    State(db): State<Db>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    if notes::delete(&db, user.account.id, id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::NotFound)
    }
}
