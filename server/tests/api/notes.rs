use gatehouse_api::{ErrorCode, Note, NoteSummary, Role};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn a_note_can_be_created_read_listed_edited_and_deleted() {
    let app = spawn_app().await;
    let ann = app.signed_in("ann", Role::User).await;
    let r = app
        .send(
            &ann,
            Method::POST,
            "/api/notes",
            Some(json!({"title": " First ", "body": "hello"})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let note: Note = r.json().await.unwrap();
    assert_eq!(
        (note.title.as_str(), note.body.as_str(), note.version),
        ("First", "hello", 1)
    );
    assert_eq!(location, format!("/api/notes/{}", note.id));

    let read: Note = app.get(&ann, &location).await.json().await.unwrap();
    assert_eq!(read, note);
    let list: Vec<NoteSummary> = app.get(&ann, "/api/notes").await.json().await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].id, note.id);

    let edit = json!({"title": "First", "body": "edited", "version": 1});
    let edited: Note = app
        .send(&ann, Method::PUT, &location, Some(edit))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!((edited.body.as_str(), edited.version), ("edited", 2));

    assert_eq!(
        app.send(&ann, Method::DELETE, &location, None)
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    expect_error(
        app.get(&ann, &location).await,
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    )
    .await;
}

#[tokio::test]
async fn editing_a_stale_version_is_a_conflict_and_changes_nothing() {
    let app = spawn_app().await;
    let ann = app.signed_in("ann", Role::User).await;
    let note: Note = app
        .send(
            &ann,
            Method::POST,
            "/api/notes",
            Some(json!({"title": "t", "body": "v1"})),
        )
        .await
        .json()
        .await
        .unwrap();
    let path = format!("/api/notes/{}", note.id);
    let first = app
        .send(
            &ann,
            Method::PUT,
            &path,
            Some(json!({"title": "t", "body": "tab A", "version": 1})),
        )
        .await;
    assert_eq!(first.status(), StatusCode::OK);
    let second = app
        .send(
            &ann,
            Method::PUT,
            &path,
            Some(json!({"title": "t", "body": "tab B", "version": 1})),
        )
        .await;
    expect_error(second, StatusCode::CONFLICT, ErrorCode::Conflict).await;
    let now: Note = app.get(&ann, &path).await.json().await.unwrap();
    assert_eq!((now.body.as_str(), now.version), ("tab A", 2));
}

#[tokio::test]
async fn another_users_note_is_not_found_for_every_method() {
    let app = spawn_app().await;
    let ann = app.signed_in("ann", Role::User).await;
    let eve = app.signed_in("eve", Role::User).await;
    let note: Note = app
        .send(
            &ann,
            Method::POST,
            "/api/notes",
            Some(json!({"title": "secret", "body": "s"})),
        )
        .await
        .json()
        .await
        .unwrap();
    let path = format!("/api/notes/{}", note.id);
    expect_error(
        app.get(&eve, &path).await,
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    )
    .await;
    let put = json!({"title": "pwned", "body": "", "version": 1});
    expect_error(
        app.send(&eve, Method::PUT, &path, Some(put)).await,
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    )
    .await;
    expect_error(
        app.send(&eve, Method::DELETE, &path, None).await,
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    )
    .await;
    let list: Vec<NoteSummary> = app.get(&eve, "/api/notes").await.json().await.unwrap();
    assert!(list.is_empty());
    let still: Note = app.get(&ann, &path).await.json().await.unwrap();
    assert_eq!(still.title, "secret");
}
