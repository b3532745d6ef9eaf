//! `/api/notes`: each user's own notes. Another user's note is a 404, never a 403.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use gatehouse_api::{Endpoint, NewNote, Note, NoteBody, NotePage, NoteTitle, NoteUpdate};

use super::{Declared, Route};
use crate::data::db::Db;
use crate::data::notes::{self, Updated};
use crate::error::{AppError, Json, Path, Query, both};
use crate::session::{Access, CurrentUser, Writer};
use gatehouse_api::endpoints::{
    CreateNote, DeleteNote, GetNote, ListNotes, RestoreNote, UpdateNote,
};

/// This resource's routes.
pub fn routes() -> Vec<Route> {
    vec![
        ListNotes::route(Access::User, list),
        CreateNote::route(Access::User, create),
        GetNote::route(Access::User, read),
        UpdateNote::route(Access::User, update),
        DeleteNote::route(Access::User, delete),
        RestoreNote::route(Access::User, restore),
    ]
}

fn parse(title: &str, body: &str) -> Result<(NoteTitle, NoteBody), AppError> {
    both(NoteTitle::try_from(title), NoteBody::try_from(body))
}

/// `GET /api/notes?q=&cursor=&limit=`: a page of the user's notes.
async fn list(
    State(db): State<Db>,
    user: CurrentUser,
    Query(query): Query<ListNotes>,
) -> Result<Json<NotePage>, AppError> {
    let limit = query.limit.unwrap_or(notes::PAGE);
    match notes::list(
        &db,
        user.account.id,
        &query.q,
        query.cursor.as_deref(),
        limit,
    )
    .await
    {
        Ok(page) => Ok(Json(page)),
        Err(e) => Err(super::admin::page_error(e)),
    }
}

/// `POST /api/notes`: 201 with the note and its `Location`.
async fn create(writer: Writer, Json(new): Json<NewNote>) -> Result<Response, AppError> {
    let (title, body) = parse(&new.title, &new.body)?;
    let mut tx = writer.begin().await?;
    let note = notes::create(&mut tx, writer.user.account.id, &title, &body).await;
    let note = tx.settle(note).await?;
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
    writer: Writer,
    Path(id): Path<i64>,
    Json(edit): Json<NoteUpdate>,
) -> Result<Json<Note>, AppError> {
    let (title, body) = parse(&edit.title, &edit.body)?;
    let user = writer.user.account.id;
    let mut tx = writer.begin().await?;
    let updated = notes::update(&mut tx, user, id, edit.version, &title, &body).await;
    let updated = updated
        .map_err(AppError::from)
        .and_then(|outcome| match outcome {
            Updated::Saved(note) => Ok(Json(note)),
            Updated::Stale => Err(AppError::Conflict),
            Updated::Missing => Err(AppError::NotFound),
        });
    tx.settle(updated).await
}

/// `POST /api/notes/{id}/restore`: the note back, if deleted within the last minute; else 404.
async fn restore(writer: Writer, Path(id): Path<i64>) -> Result<Json<Note>, AppError> {
    let mut tx = writer.begin().await?;
    let note = notes::restore(&mut tx, writer.user.account.id, id).await;
    let note = note
        .map_err(AppError::from)
        .and_then(|n| n.ok_or(AppError::NotFound));
    tx.settle(note).await.map(Json)
}

/// `DELETE /api/notes/{id}`: 204, or 404 if it is not this user's.
async fn delete(writer: Writer, Path(id): Path<i64>) -> Result<StatusCode, AppError> {
    let mut tx = writer.begin().await?;
    let deleted = notes::delete(&mut tx, writer.user.account.id, id).await;
    let deleted = deleted.map_err(AppError::from).and_then(|found| {
        found
            .then_some(StatusCode::NO_CONTENT)
            .ok_or(AppError::NotFound)
    });
    tx.settle(deleted).await
}
