//! One note: loading under its heading, not found, a failed read, the editor.

use gatehouse_api::endpoints::GetNote;
use wasm_bindgen_test::*;

use crate::common::*;
use crate::fixtures::*;

#[wasm_bindgen_test]
async fn a_note_shows_loading_under_its_heading_until_it_comes() {
    let page = open_signed_in(
        "/notes/7",
        Script::default().on(&GetNote { id: 7 }, vec![Reply::never()]),
    );
    // The guard shows loading too, until the session check answers: the page's is under its
    // heading.
    wait_until("the page's heading", || page.text_of("h1") == "Note").await;
    page.wait_for("section.page .loading").await;
}

#[wasm_bindgen_test]
async fn a_note_that_is_not_there_says_so_with_the_way_back() {
    let page = open_signed_in(
        "/notes/7",
        Script::default().on(
            &GetNote { id: 7 },
            vec![Reply::error(404, "not_found", "no such note")],
        ),
    );
    page.wait_for_text("It may have been deleted.").await;
    assert_eq!(page.text_of("h1"), "Note not found");
    assert_eq!(
        page.count("a[href='/notes']"),
        2,
        "the header's and the page's"
    );
}

#[wasm_bindgen_test]
async fn a_note_that_failed_to_load_offers_retry() {
    let page = open_signed_in(
        "/notes/7",
        Script::default().on(
            &GetNote { id: 7 },
            vec![server_error(), Reply::ok(&note(7, "Plans", "Go north."))],
        ),
    );
    page.wait_for("[role=alert]").await;
    assert_eq!(page.text_of("h1"), "Note");
    page.click_button("Retry");
    page.wait_for("#title").await;
    assert_eq!(page.value_of("#title"), "Plans");
}

#[wasm_bindgen_test]
async fn a_note_opens_in_the_editor_with_its_version() {
    let page = open_signed_in(
        "/notes/7",
        Script::default().on(
            &GetNote { id: 7 },
            vec![Reply::ok(&note(7, "Plans", "Go north."))],
        ),
    );
    page.wait_for("#title").await;
    assert_eq!(page.text_of("h1"), "Edit note");
    assert_eq!(page.value_of("#title"), "Plans");
    assert!(page.text().contains("Version 4 · edited"));
    assert!(!page.text().contains("Unsaved changes"));
    page.type_into("#title", "Plans, revised");
    page.wait_for_text("● Unsaved changes").await;
}
