use gatehouse_api::endpoints::{
    CreateNote, DeleteNote, GetNote, ListNotes, RestoreNote, UpdateNote,
};
use gatehouse_api::{Endpoint, ErrorCode, Note, NotePage, Role};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn a_note_can_be_created_read_listed_edited_and_deleted() {
    let app = spawn_app().await;
    let ann = app.signed_in("ann", Role::User).await;
    let r = app
        .call(
            &ann,
            &CreateNote,
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
    assert_eq!(location, GetNote { id: note.id }.path());

    let read: Note = app.get(&ann, &location).await.json().await.unwrap();
    assert_eq!(read, note);
    let list = app
        .call(&ann, &ListNotes::default(), None)
        .await
        .json::<NotePage>()
        .await
        .unwrap()
        .notes;
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
    let note = app.create_note(&ann, "t", "v1").await;
    let id = note.id;
    let first = app
        .call(
            &ann,
            &UpdateNote { id },
            Some(json!({"title": "t", "body": "tab A", "version": 1})),
        )
        .await;
    assert_eq!(first.status(), StatusCode::OK);
    let second = app
        .call(
            &ann,
            &UpdateNote { id },
            Some(json!({"title": "t", "body": "tab B", "version": 1})),
        )
        .await;
    expect_error(second, StatusCode::CONFLICT, ErrorCode::Conflict).await;
    let now: Note = app
        .call(&ann, &GetNote { id }, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!((now.body.as_str(), now.version), ("tab A", 2));
}

#[tokio::test]
async fn another_users_note_is_not_found_for_every_method() {
    let app = spawn_app().await;
    let ann = app.signed_in("ann", Role::User).await;
    let eve = app.signed_in("eve", Role::User).await;
    let note = app.create_note(&ann, "secret", "s").await;
    let id = note.id;
    expect_error(
        app.call(&eve, &GetNote { id }, None).await,
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    )
    .await;
    let put = json!({"title": "pwned", "body": "", "version": 1});
    expect_error(
        app.call(&eve, &UpdateNote { id }, Some(put)).await,
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    )
    .await;
    expect_error(
        app.call(&eve, &DeleteNote { id }, None).await,
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    )
    .await;
    let list = app
        .call(&eve, &ListNotes::default(), None)
        .await
        .json::<NotePage>()
        .await
        .unwrap()
        .notes;
    assert!(list.is_empty());
    let still: Note = app
        .call(&ann, &GetNote { id }, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(still.title, "secret");
}

/// Adds `n` notes titled `Note 0`… quickly, straight into the database, as `user`'s.
pub async fn seed_notes(db: &gatehouse_server::data::db::Db, user: i64, n: usize, body: &str) {
    let sql = "INSERT INTO notes (user_id, title, body, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)";
    for i in 0..n {
        let title = format!("Note {i}");
        match db {
            gatehouse_server::data::db::Db::Sqlite(pool) => {
                sqlx::query(sql)
                    .bind(user)
                    .bind(&title)
                    .bind(body)
                    .bind(1_000 + i as i64)
                    .execute(pool)
                    .await
                    .unwrap();
            }
            gatehouse_server::data::db::Db::Postgres(pool) => {
                sqlx::query(sql)
                    .bind(user)
                    .bind(&title)
                    .bind(body)
                    .bind(1_000 + i as i64)
                    .execute(pool)
                    .await
                    .unwrap();
            }
        }
    }
}

/// The page of `agent`'s notes that `list` asks for.
async fn page(app: &TestApp, agent: &Agent, list: &ListNotes) -> NotePage {
    let r = app.call(agent, list, None).await;
    assert_eq!(r.status(), StatusCode::OK, "{}", list.path());
    r.json().await.unwrap()
}

/// The notes with words starting with the words of `q` (as typed: the declaration encodes
/// it), `limit` a page.
fn search(q: &str, limit: Option<u32>) -> ListNotes {
    ListNotes {
        q: q.into(),
        cursor: None,
        limit,
    }
}

#[tokio::test]
async fn paging_through_120_notes_gives_each_once_newest_first() {
    let app = spawn_app().await;
    let ann = app.signed_in("ann", Role::User).await;
    seed_notes(&app.db, 1, 120, "body").await;
    let mut seen = Vec::new();
    let mut query = ListNotes {
        limit: Some(50),
        ..ListNotes::default()
    };
    let mut pages = 0;
    loop {
        let p = page(&app, &ann, &query).await;
        pages += 1;
        assert!(p.notes.len() <= 50);
        seen.extend(p.notes.iter().map(|n| n.title.clone()));
        match p.next_cursor {
            Some(c) => query.cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    let expected: Vec<String> = (0..120).rev().map(|i| format!("Note {i}")).collect();
    assert_eq!(seen, expected);
    assert_eq!(
        page(&app, &ann, &ListNotes::default()).await.notes.len(),
        50,
        "50 by default"
    );
    let forged = ListNotes {
        cursor: Some("bm9wZQ".into()),
        ..ListNotes::default()
    };
    let r = app.call(&ann, &forged, None).await;
    expect_error(r, StatusCode::BAD_REQUEST, ErrorCode::Validation).await;
}

#[tokio::test]
async fn a_search_finds_notes_by_the_start_of_a_word_in_title_or_body_titles_first() {
    let app = spawn_app().await;
    check_search(&app).await;
}

/// Search on `app` (SQLite here; PostgreSQL in `scale`).
pub async fn check_search(app: &TestApp) {
    let ann = app.signed_in("ann", Role::User).await;
    let eve = app.signed_in("eve", Role::User).await;
    for (who, title, body) in [
        (&ann, "Groceries", "milk, eggs and marmalade"),
        (&ann, "Marmalade recipe", "oranges, sugar"),
        (&ann, "Trip", "pack the tent"),
        (&eve, "Eve's marmalade", "not ann's"),
        (&ann, "Marmalade, again", "seville this time"),
    ] {
        app.create_note(who, title, body).await;
    }
    let found = page(app, &ann, &search("marm", None)).await.notes;
    let titles: Vec<_> = found.iter().map(|n| n.title.as_str()).collect();
    assert_eq!(
        titles,
        ["Marmalade, again", "Marmalade recipe", "Groceries"],
        "title matches first, then the rest; each newest first"
    );
    assert_eq!(found[2].preview, "milk, eggs and marmalade");
    // A page at a time, across titles and the rest, gives the same order.
    let mut query = search("marm", Some(1));
    let mut paged = Vec::new();
    loop {
        let p = page(app, &ann, &query).await;
        paged.extend(p.notes.into_iter().map(|n| n.title));
        match p.next_cursor {
            Some(c) => query.cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(paged, titles);
    // One word in the title and one in the body is a match (not a title one).
    let mixed = page(app, &ann, &search("trip tent", None)).await.notes;
    assert_eq!(mixed.len(), 1);
    assert_eq!(mixed[0].title, "Trip");
    // An edit is searched as it now reads.
    let trip = mixed[0].id;
    let r = app
        .call(
            &ann,
            &UpdateNote { id: trip },
            Some(json!({"title": "Trip", "body": "pack the stove", "version": 1})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        page(app, &ann, &search("tent", None))
            .await
            .notes
            .is_empty()
    );
    assert_eq!(page(app, &ann, &search("stove", None)).await.notes.len(), 1);
    let both = page(app, &ann, &search("Milk EGG", None)).await.notes;
    assert_eq!(both.len(), 1, "every word must match");
    assert!(
        page(app, &ann, &search("tent milk", None))
            .await
            .notes
            .is_empty()
    );
    // What FTS would read as operators is only text.
    for odd in ["\"", "*", "OR", "NEAR(", "-milk", ":"] {
        let r = app.call(&ann, &search(odd, None), None).await;
        assert_eq!(r.status(), StatusCode::OK, "{odd}");
    }
    // The index knows each note's owner, but only titles and bodies are searched.
    for owner in ["1", "2", "3", "user_id", "user"] {
        assert!(
            page(app, &ann, &search(owner, None)).await.notes.is_empty(),
            "{owner} is in no title or body"
        );
    }
    let mut query = search("note", Some(1));
    let mut seen = 0;
    while seen < 10 {
        let p = page(app, &ann, &query).await;
        seen += p.notes.len();
        match p.next_cursor {
            Some(c) => query.cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(seen, 0, "no note of ann's has a word starting with 'note'");
}

#[tokio::test]
async fn a_deleted_note_is_gone_until_restored_within_a_minute() {
    let app = spawn_app().await;
    let ann = app.signed_in("ann", Role::User).await;
    let note = app.create_note(&ann, "keep me", "please").await;
    let id = note.id;
    assert_eq!(
        app.call(&ann, &DeleteNote { id }, None).await.status(),
        StatusCode::NO_CONTENT
    );
    expect_error(
        app.call(&ann, &GetNote { id }, None).await,
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    )
    .await;
    assert!(
        page(&app, &ann, &ListNotes::default())
            .await
            .notes
            .is_empty()
    );
    assert!(
        page(&app, &ann, &search("keep", None))
            .await
            .notes
            .is_empty(),
        "not found by search"
    );
    let restore = RestoreNote { id };
    let back: Note = app.call(&ann, &restore, None).await.json().await.unwrap();
    assert_eq!(back, note);
    assert_eq!(page(&app, &ann, &ListNotes::default()).await.notes.len(), 1);
    assert_eq!(
        page(&app, &ann, &search("keep", None)).await.notes.len(),
        1,
        "found by search again"
    );
    // Restoring twice, or someone else's, or one never deleted: not found.
    expect_error(
        app.call(&ann, &restore, None).await,
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    )
    .await;
    let eve = app.signed_in("eve", Role::User).await;
    app.call(&ann, &DeleteNote { id }, None).await;
    expect_error(
        app.call(&eve, &restore, None).await,
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    )
    .await;
    // After the minute, it is purged and cannot come back.
    let gatehouse_server::data::db::Db::Sqlite(pool) = &app.db else {
        panic!()
    };
    sqlx::query("UPDATE notes SET deleted_at = deleted_at - 61")
        .execute(pool)
        .await
        .unwrap();
    expect_error(
        app.call(&ann, &restore, None).await,
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    )
    .await;
    assert_eq!(
        gatehouse_server::data::notes::purge(&app.db).await.unwrap(),
        1
    );
    // The index lost nothing it should keep and kept nothing it should not: a new note with
    // the same word is the only one found.
    app.create_note(&ann, "keep this one", "").await;
    let found = page(&app, &ann, &search("keep", None)).await.notes;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].title, "keep this one");
}
