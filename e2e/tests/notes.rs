//! Notes as a person uses them: errors at the field, a delete that can be undone, a long list
//! a page at a time, search through the text, and the no-access page's way back.

use gatehouse_api::endpoints::{CreateNote, UpdateNote};
use gatehouse_e2e::{Env, Options, journey};
use serde_json::json;

#[tokio::test]
async fn a_note_without_a_title_is_refused_at_the_field_and_nothing_typed_is_lost() {
    journey("note_field_error", Options::default(), |env: Env| async move {
        env.server.lock().await.add_user("ann", false).await;
        env.signed_in("ann").await;
        env.open("/notes").await;
        // The list comes first; "New note" (or N) opens the editor.
        env.wait_for_text("No notes yet").await;
        env.js("document.body.dispatchEvent(new KeyboardEvent('keydown', {key: 'n', bubbles: true})); return null").await;
        env.wait_for_path("/notes/new").await;
        env.fill("#new-body", "a body with no title").await;
        env.click_button("Create note").await;
        env.wait_for_field_error("#new-title").await;
        let focused = env.js("return document.activeElement.id").await;
        assert_eq!(focused.as_str(), Some("new-title"), "focus goes to the first error");
        let described = env
            .js("const id = document.querySelector('#new-title').getAttribute('aria-describedby'); return document.getElementById(id).innerText")
            .await;
        assert!(
            described.as_str().is_some_and(|t| !t.is_empty()),
            "{described}"
        );
        assert_eq!(env.value("#new-body").await, "a body with no title");
        assert_eq!(env.location().await, "/notes/new");
    })
    .await;
}

#[tokio::test]
async fn a_deleted_note_can_be_brought_back_with_undo() {
    journey("delete_undo", Options::default(), |env: Env| async move {
        env.server.lock().await.add_user("ann", false).await;
        env.signed_in("ann").await;
        let note = env.new_note("Shopping", "eggs, flour").await;
        env.click_button("Delete").await;
        env.wait_for_path("/notes").await;
        env.wait_for_text("Note “Shopping” deleted.").await;
        env.wait_for_text("No notes yet").await;
        env.assert_accessible("the Undo toast").await;
        env.click_button("Undo").await;
        env.wait_for_path(&note).await;
        env.wait_for_text("Note “Shopping” restored.").await;
        assert_eq!(env.value("#body").await, "eggs, flour");
        env.click_link("← All notes").await;
        env.wait_for_count("ul.notes li", 1).await;
    })
    .await;
}

#[tokio::test]
async fn a_deleted_note_left_alone_stays_deleted_once_the_undo_is_gone() {
    journey("delete_wait", Options::default(), |env: Env| async move {
        env.server.lock().await.add_user("ann", false).await;
        env.signed_in("ann").await;
        let note = env.new_note("Old list", "nothing to keep").await;
        env.click_button("Delete").await;
        env.wait_for_text("Note “Old list” deleted.").await;
        // The toast, and its Undo, go after ten seconds.
        env.wait_for("the Undo toast to go", |env: Env| async move {
            env.count(".toast").await == 0
        })
        .await;
        env.wait_for_text("No notes yet").await;
        env.open(&note).await;
        env.wait_for_text("Note not found").await;
    })
    .await;
}

#[tokio::test]
async fn a_hundred_and_twenty_notes_come_a_page_at_a_time_and_search_finds_a_word_in_the_text() {
    journey("many_notes", Options::default(), |env: Env| async move {
        env.server.lock().await.add_user("ann", false).await;
        env.signed_in("ann").await;
        for i in 0..120 {
            let body = if i == 37 {
                "the pelican came back at dawn".to_string()
            } else {
                format!("ordinary text number {i}")
            };
            let note = json!({ "title": format!("Note {i:03}"), "body": body });
            let (status, _) = env.call(&CreateNote, Some(note)).await;
            assert_eq!(status, 201);
        }
        env.open("/notes").await;
        env.wait_for_count("ul.notes li", 50).await;
        env.wait_for_text("50+ notes").await;
        env.click_button("Show more").await;
        env.wait_for_count("ul.notes li", 100).await;
        env.click_button("Show more").await;
        env.wait_for_count("ul.notes li", 120).await;
        env.wait_for_text("120 notes").await;
        let titles = env
            .js("return [...document.querySelectorAll('ul.notes li a .title')].map(a => a.innerText)")
            .await;
        let titles: Vec<String> = serde_json::from_value(titles).unwrap();
        let mut unique = titles.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 120, "no note twice, none missing");
        assert_eq!(titles[0], "Note 119", "newest first");

        env.fill("#search", "pelic").await;
        env.wait_for_text("1 note found").await;
        env.wait_for_count("ul.notes li", 1).await;
        assert!(env.text().await.contains("Note 037"));
        assert!(env.text().await.contains("the pelican came back at dawn"));
        env.fill("#search", "albatross").await;
        env.wait_for_text("No note has a word starting with “albatross”.")
            .await;
    })
    .await;
}

#[tokio::test]
async fn a_signed_in_user_without_access_can_go_back_to_where_they_were() {
    journey(
        "no_access_go_back",
        Options::default(),
        |env: Env| async move {
            env.server.lock().await.add_user("ann", false).await;
            env.signed_in("ann").await;
            env.click("a[href='/notes']").await;
            env.wait_for_text("No notes yet").await;
            env.open("/admin").await;
            env.wait_for_text("You're signed in as ann, which can't open Admin.")
                .await;
            assert_eq!(
                env.count("form").await,
                0,
                "no sign-in form until asked for"
            );
            env.click_button("Go back").await;
            env.wait_for_path("/notes").await;
            env.wait_for_text("No notes yet").await;
        },
    )
    .await;
}

#[tokio::test]
async fn after_a_browser_restart_the_first_change_is_saved() {
    journey("restart_csrf", Options::default(), |env: Env| async move {
        env.server.lock().await.add_user("ann", false).await;
        env.signed_in("ann").await;
        // A restart keeps the cookies with an expiry and drops the others; both of the
        // session's must be kept.
        for name in ["gatehouse_session", "CSRF-TOKEN"] {
            let cookie = env.client.get_named_cookie(name).await.unwrap();
            assert!(
                cookie.expires().is_some(),
                "{name} would end with the browser"
            );
        }
        // A browser that lost it anyway (an older server's cookie had no expiry).
        env.client.delete_cookie("CSRF-TOKEN").await.unwrap();
        env.new_note("After the restart", "saved the first time")
            .await;
        assert!(env.location().await.starts_with("/notes/"));
        env.wait_for_text("After the restart").await;
    })
    .await;
}

#[tokio::test]
async fn back_from_a_note_finds_the_list_as_it_was_and_the_search_is_in_the_address() {
    journey("list_remembers", Options::default(), |env: Env| async move {
        env.server.lock().await.add_user("ann", false).await;
        env.signed_in("ann").await;
        for i in 0..70 {
            let note = json!({ "title": format!("Note {i:03}"), "body": format!("ordinary text number {i}") });
            assert_eq!(env.call(&CreateNote, Some(note)).await.0, 201);
        }
        // An address with a search opens searched; "Show more" brings the rest.
        env.open("/notes?q=ordinary").await;
        env.wait_for_count("ul.notes li", 50).await;
        assert_eq!(env.value("#search").await, "ordinary");
        env.click_button("Show more").await;
        env.wait_for_count("ul.notes li", 70).await;
        let focused = env.js("return document.activeElement.closest('li') === document.querySelector('ul.notes li:nth-child(51)')").await;
        assert_eq!(focused, true, "focus is on the first note added");
        env.js("document.querySelector('ul.notes li:nth-child(60)').scrollIntoView(); return null")
            .await;
        let y = env.js("return window.scrollY").await.as_f64().unwrap();
        assert!(y > 500.0, "{y}");

        env.click("ul.notes li:nth-child(60) a").await;
        env.wait_for_text("Version 1").await;
        env.client.back().await.unwrap();
        env.wait_for_path("/notes").await;
        assert_eq!(env.location().await, "/notes?q=ordinary");
        env.wait_for_count("ul.notes li", 70).await;
        env.wait_for("the scroll position it had", |env: Env| async move {
            let now = env.js("return window.scrollY").await.as_f64().unwrap_or(0.0);
            (now - y).abs() < 2.0
        })
        .await;

        // The note's "All notes" goes back to the same search.
        env.click("ul.notes li:nth-child(60) a").await;
        env.wait_for_text("Version 1").await;
        env.click_link("← All notes").await;
        env.wait_for_path("/notes").await;
        assert_eq!(env.location().await, "/notes?q=ordinary");
        assert_eq!(env.value("#search").await, "ordinary");
        env.wait_for_count("ul.notes li", 70).await;
    })
    .await;
}

#[tokio::test]
async fn an_edit_that_meets_a_newer_version_keeps_mine_and_leaving_unsaved_asks_first() {
    journey(
        "conflict_and_leave",
        Options::default(),
        |env: Env| async move {
            env.server.lock().await.add_user("ann", false).await;
            env.signed_in("ann").await;
            let path = env.new_note("Plans", "Go north.").await;
            let id: i64 = path.strip_prefix("/notes/").unwrap().parse().unwrap();
            // Another tab saves first.
            let theirs = json!({ "title": "Plans", "body": "Go west.", "version": 1 });
            assert_eq!(env.call(&UpdateNote { id }, Some(theirs)).await.0, 200);
            env.fill("#body", "Go south.").await;
            env.click_button("Save").await;
            env.wait_for_text("This note was saved elsewhere (version 2) while you edited it.")
                .await;
            assert!(env.text().await.contains("Go west."));
            env.assert_accessible("an edit conflict").await;
            env.click_button("Keep mine").await;
            env.wait_for_text("Version 3").await;
            assert_eq!(env.count(".conflict").await, 0);

            // Leaving with unsaved changes through the app's own links asks first.
            env.fill("#body", "Go south, quickly.").await;
            env.click("header a[href='/notes']").await;
            let asked = env.client.get_alert_text().await.unwrap();
            assert!(asked.contains("unsaved changes"), "{asked}");
            env.client.dismiss_alert().await.unwrap();
            assert_eq!(env.location().await, path, "stayed");
            assert_eq!(env.value("#body").await, "Go south, quickly.");
            env.click("header a[href='/notes']").await;
            env.client.accept_alert().await.unwrap();
            env.wait_for_path("/notes").await;
        },
    )
    .await;
}
