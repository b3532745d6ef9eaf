//! Unsaved text in a real headless Chromium against a scripted `fetch`: the drafts in
//! sessionStorage, the new-note form keeping what was typed, the editor restoring a draft from
//! before a sign-in, saving (and what a failed save keeps), and a delete's Undo.

#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use gatehouse::components::drafts::{self, Draft};
use gatehouse_api::endpoints::{
    CreateNote, DeleteNote, GetNote, ListActivity, ListNotes, RestoreNote, UpdateNote,
};
use gatehouse_api::{Note, NotePage, NoteUpdate, SecurityEvent};
use gatehouse_client::json;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn note(id: i64, title: &str, body: &str, version: i64) -> Note {
    Note {
        id,
        title: title.into(),
        body: body.into(),
        version,
        created_at: iso_in(-86_400_000.0),
        updated_at: iso_in(-3_600_000.0),
    }
}

fn draft(title: &str, body: &str, version: Option<i64>) -> Draft {
    Draft {
        title: title.into(),
        body: body.into(),
        version,
    }
}

fn no_notes() -> Reply {
    Reply::ok(&NotePage {
        notes: vec![],
        next_cursor: None,
    })
}

/// The notes page and the dashboard, with nothing in them.
fn lists() -> Script {
    Script::default()
        .on(&ListNotes::default(), vec![no_notes()])
        .on(&ListActivity, vec![Reply::ok(&Vec::<SecurityEvent>::new())])
}

// The drafts themselves.

#[wasm_bindgen_test]
fn a_draft_is_kept_under_its_notes_key_until_cleared() {
    web_sys::window()
        .unwrap()
        .session_storage()
        .unwrap()
        .unwrap()
        .clear()
        .unwrap();
    let (new, seven) = (drafts::key(None), drafts::key(Some(7)));
    assert_ne!(new, seven);
    assert_eq!(drafts::load(&seven), None);
    drafts::save(&seven, &draft("Plans", "Go “north”.\n", Some(3)));
    drafts::save(&new, &draft("Idea", "", None));
    assert_eq!(
        drafts::load(&seven),
        Some(draft("Plans", "Go “north”.\n", Some(3)))
    );
    drafts::clear(&seven);
    assert_eq!(drafts::load(&seven), None);
    assert_eq!(drafts::load(&new), Some(draft("Idea", "", None)));
}

#[wasm_bindgen_test]
fn a_draft_that_does_not_read_is_no_draft() {
    let storage = web_sys::window()
        .unwrap()
        .session_storage()
        .unwrap()
        .unwrap();
    storage
        .set_item(&drafts::key(Some(8)), "{not json")
        .unwrap();
    assert_eq!(drafts::load(&drafts::key(Some(8))), None);
}

// The new-note form.

#[wasm_bindgen_test]
async fn the_new_note_form_keeps_what_was_typed_after_leaving_the_page_and_coming_back() {
    let page = open_signed_in(
        "/notes/new",
        lists().on(
            &ListNotes {
                limit: Some(5),
                ..ListNotes::default()
            },
            vec![no_notes()],
        ),
    );
    page.wait_for("#new-title").await;
    page.type_into("#new-title", "Groceries");
    page.type_into("#new-body", "milk, eggs");
    assert_eq!(
        drafts::load(&drafts::key(None)),
        Some(draft("Groceries", "milk, eggs", None))
    );
    page.click("header a[href='/dashboard']");
    page.wait_for_text("Welcome, ann").await;
    page.click("header a[href='/notes']");
    page.wait_for("a[href='/notes/new']").await;
    page.click("a[href='/notes/new']");
    page.wait_for("#new-title").await;
    assert_eq!(page.value_of("#new-title"), "Groceries");
}

#[wasm_bindgen_test]
async fn creating_a_note_forgets_the_draft_and_opens_the_note() {
    let page = open_signed_in(
        "/notes/new",
        lists()
            .on(
                &CreateNote,
                vec![Reply::json(201, &note(12, "Groceries", "milk", 1))],
            )
            .on(
                &GetNote { id: 12 },
                vec![Reply::ok(&note(12, "Groceries", "milk", 1))],
            ),
    );
    page.wait_for("#new-title").await;
    page.type_into("#new-title", "Groceries");
    page.type_into("#new-body", "milk");
    page.submit("form.editor");
    wait_until("at the new note", || location() == "/notes/12").await;
    page.wait_for_text("Note “Groceries” created.").await;
    assert_eq!(drafts::load(&drafts::key(None)), None);
}

#[wasm_bindgen_test]
async fn a_note_the_server_refuses_says_why_at_the_field_and_keeps_the_draft() {
    let page = open_signed_in(
        "/notes/new",
        lists().on(
            &CreateNote,
            vec![Reply::text(
                422,
                r#"{"code":"validation","message":"invalid","fields":{"title":"Title can't be empty."}}"#,
            )],
        ),
    );
    page.wait_for("#new-body").await;
    page.type_into("#new-body", "no title yet");
    page.submit("form.editor");
    page.wait_for("#new-title-error").await;
    assert_eq!(page.text_of("#new-title-error"), "Title can't be empty.");
    assert_eq!(
        page.find("#new-title")
            .and_then(|e| e.get_attribute("aria-invalid")),
        Some("true".into())
    );
    assert!(page.button("Create note").is_some_and(|b| !b.disabled()));
    wait_until("focus on the field with the error", || {
        page.focused().is_some_and(|e| e.id() == "new-title")
    })
    .await;
    assert_eq!(
        drafts::load(&drafts::key(None)),
        Some(draft("", "no title yet", None))
    );
}

// The editor.

#[wasm_bindgen_test]
async fn unsaved_text_from_before_a_sign_in_is_restored_over_the_servers_copy() {
    let page = open_seeded(
        &[],
        "/notes/7",
        Script::signed_in("ann", gatehouse_api::Role::User).on(
            &GetNote { id: 7 },
            vec![Reply::ok(&note(7, "Plans", "Go north.", 3))],
        ),
        || {
            drafts::save(
                &drafts::key(Some(7)),
                &draft("Plans", "Go north, then east.", Some(3)),
            )
        },
    );
    page.wait_for("#body").await;
    page.wait_for_text("Your unsaved changes were restored. Save again to keep them.")
        .await;
    assert_eq!(
        page.find("#body")
            .map(|b| b.unchecked_into::<web_sys::HtmlTextAreaElement>().value()),
        Some("Go north, then east.".into())
    );
    assert!(page.text().contains("● Unsaved changes"));
}

#[wasm_bindgen_test]
async fn a_draft_equal_to_the_servers_copy_restores_nothing() {
    let page = open_seeded(
        &[],
        "/notes/7",
        Script::signed_in("ann", gatehouse_api::Role::User).on(
            &GetNote { id: 7 },
            vec![Reply::ok(&note(7, "Plans", "Go north.", 3))],
        ),
        || drafts::save(&drafts::key(Some(7)), &draft("Plans", "Go north.", Some(3))),
    );
    page.wait_for("#body").await;
    assert!(!page.text().contains("were restored"));
    assert!(!page.text().contains("Unsaved changes"));
}

#[wasm_bindgen_test]
async fn saving_sends_the_version_edited_forgets_the_draft_and_shows_the_new_version() {
    let page = open_signed_in(
        "/notes/7",
        Script::default()
            .on(
                &GetNote { id: 7 },
                vec![Reply::ok(&note(7, "Plans", "Go north.", 3))],
            )
            .on(
                &UpdateNote { id: 7 },
                vec![Reply::ok(&note(7, "Plans", "Go north, then east.", 4))],
            ),
    );
    page.wait_for("#body").await;
    page.type_into("#body", "Go north, then east.");
    assert!(drafts::load(&drafts::key(Some(7))).is_some());
    page.submit("form.editor");
    page.wait_for_text("Saved.").await;
    page.wait_for_text("Version 4 · edited").await;
    assert!(!page.text().contains("Unsaved changes"));
    assert_eq!(drafts::load(&drafts::key(Some(7))), None);
    let call = calls().into_iter().find(|c| c.method == "PUT").unwrap();
    let sent: NoteUpdate = json::from_str(call.body.as_deref().unwrap()).unwrap();
    assert_eq!(
        (sent.body.as_str(), sent.version),
        ("Go north, then east.", 3)
    );
}

#[wasm_bindgen_test]
async fn a_save_that_meets_an_expired_session_keeps_the_draft_for_after_signing_in() {
    let page = open_signed_in(
        "/notes/7",
        Script::default()
            .on(
                &GetNote { id: 7 },
                vec![Reply::ok(&note(7, "Plans", "Go north.", 3))],
            )
            .on(
                &UpdateNote { id: 7 },
                vec![Reply::error(401, "session_expired", "session expired")],
            ),
    );
    page.wait_for("#body").await;
    page.type_into("#body", "Go north, then east.");
    page.submit("form.editor");
    wait_until("at the sign-in page", || {
        location() == "/login?next=%2Fnotes%2F7&reason=session_expired"
    })
    .await;
    assert_eq!(
        drafts::load(&drafts::key(Some(7))),
        Some(draft("Plans", "Go north, then east.", Some(3)))
    );
}

#[wasm_bindgen_test]
async fn a_save_over_a_newer_version_shows_both_and_keep_mine_saves_over_it() {
    let page = open_signed_in(
        "/notes/7",
        Script::default()
            .on(
                &GetNote { id: 7 },
                vec![
                    Reply::ok(&note(7, "Plans", "Go north.", 3)),
                    Reply::ok(&note(7, "Plans", "Go west.", 4)),
                ],
            )
            .on(
                &UpdateNote { id: 7 },
                vec![
                    Reply::error(409, "conflict", "changed elsewhere"),
                    Reply::ok(&note(7, "Plans", "Go south.", 5)),
                ],
            ),
    );
    page.wait_for("#body").await;
    page.type_into("#body", "Go south.");
    page.submit("form.editor");
    page.wait_for_text("This note was saved elsewhere (version 4) while you edited it.")
        .await;
    let versions = page.text_of(".conflict .versions");
    assert!(
        versions.contains("Go south.") && versions.contains("Go west."),
        "{versions}"
    );
    page.click_button("Keep mine");
    page.wait_for_text("Version 5 · edited").await;
    assert_eq!(page.count(".conflict"), 0);
    let puts: Vec<NoteUpdate> = calls()
        .into_iter()
        .filter(|c| c.method == "PUT")
        .map(|c| json::from_str(c.body.as_deref().unwrap()).unwrap())
        .collect();
    assert_eq!(puts.len(), 2);
    assert_eq!(
        (puts[1].body.as_str(), puts[1].version),
        ("Go south.", 4),
        "over theirs"
    );
}

#[wasm_bindgen_test]
async fn take_theirs_puts_the_newer_version_in_the_editor_and_forgets_the_draft() {
    let page = open_signed_in(
        "/notes/7",
        Script::default()
            .on(
                &GetNote { id: 7 },
                vec![
                    Reply::ok(&note(7, "Plans", "Go north.", 3)),
                    Reply::ok(&note(7, "Plans", "Go west.", 4)),
                ],
            )
            .on(
                &UpdateNote { id: 7 },
                vec![Reply::error(409, "conflict", "changed elsewhere")],
            ),
    );
    page.wait_for("#body").await;
    page.type_into("#body", "Go south.");
    page.submit("form.editor");
    page.wait_for(".conflict").await;
    page.click_button("Take theirs");
    page.wait_for_text("Version 4 · edited").await;
    assert_eq!(
        page.find("#body")
            .map(|b| b.unchecked_into::<web_sys::HtmlTextAreaElement>().value()),
        Some("Go west.".into())
    );
    assert!(!page.text().contains("Unsaved changes"));
    assert_eq!(page.count(".conflict"), 0);
    assert_eq!(drafts::load(&drafts::key(Some(7))), None);
}

#[wasm_bindgen_test]
async fn saving_with_nothing_changed_sends_nothing_and_says_so() {
    let page = open_signed_in(
        "/notes/7",
        Script::default().on(
            &GetNote { id: 7 },
            vec![Reply::ok(&note(7, "Plans", "Go north.", 3))],
        ),
    );
    page.wait_for("#body").await;
    page.submit("form.editor");
    page.wait_for_text("Nothing to save: no changes since the last save.")
        .await;
    assert_eq!(sent_to(&UpdateNote { id: 7 }), 0);
}

#[wasm_bindgen_test]
async fn a_deleted_note_comes_back_with_undo() {
    let page = open_signed_in(
        "/notes/7",
        lists()
            .on(
                &GetNote { id: 7 },
                vec![Reply::ok(&note(7, "Plans", "Go north.", 3))],
            )
            .on(&DeleteNote { id: 7 }, vec![Reply::no_content()])
            .on(
                &RestoreNote { id: 7 },
                vec![Reply::ok(&note(7, "Plans", "Go north.", 3))],
            ),
    );
    page.wait_for("#body").await;
    page.click_button("Delete");
    wait_until("at the notes", || location() == "/notes").await;
    page.wait_for_text("Note “Plans” deleted.").await;
    page.click_button("Undo");
    wait_until("back at the note", || location() == "/notes/7").await;
    page.wait_for_text("Note “Plans” restored.").await;
    assert_eq!(sent_to(&RestoreNote { id: 7 }), 1);
}

#[wasm_bindgen_test]
async fn a_toast_dismissed_from_the_keyboard_gives_the_focus_back_to_where_it_was() {
    let page = open_signed_in(
        "/notes/7",
        Script::default()
            .on(
                &GetNote { id: 7 },
                vec![Reply::ok(&note(7, "Plans", "Go north.", 3))],
            )
            .on(
                &UpdateNote { id: 7 },
                vec![Reply::ok(&note(7, "Plans", "Go east.", 4))],
            ),
    );
    page.wait_for("#body").await;
    page.type_into("#body", "Go east.");
    let save = page.button("Save").unwrap();
    save.focus().unwrap();
    save.click();
    page.wait_for_text("Saved.").await;
    let dismiss = page.find(".toast .dismiss").unwrap();
    dismiss.focus().unwrap();
    dismiss.click();
    wait_until("the toast is gone", || page.count(".toast") == 0).await;
    assert_eq!(
        page.focused().map(|e| e.text_content().unwrap_or_default()),
        Some("Save".into())
    );
}
