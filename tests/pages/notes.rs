//! The notes page: the list, its count, the next page, a search.

use gatehouse_api::endpoints::ListNotes;
use wasm_bindgen_test::*;

use crate::common::*;
use crate::fixtures::*;

#[wasm_bindgen_test]
async fn the_notes_page_shows_a_skeleton_until_the_first_page_comes() {
    let page = open_signed_in(
        "/notes",
        Script::default().on(&ListNotes::default(), vec![Reply::never()]),
    );
    page.wait_for(".skeleton[aria-busy=true]").await;
    assert_eq!(page.text_of("[role=status][aria-live=polite].meta"), "");
}

#[wasm_bindgen_test]
async fn the_notes_page_invites_the_first_note_when_there_is_none() {
    let page = open_signed_in(
        "/notes",
        Script::default().on(&ListNotes::default(), vec![Reply::ok(&notes(vec![], None))]),
    );
    page.wait_for_text("No notes yet. Write the first one above.")
        .await;
    assert_eq!(page.count(".skeleton"), 0);
}

#[wasm_bindgen_test]
async fn the_notes_page_shows_an_error_whose_retry_loads_the_list_again() {
    let page = open_signed_in(
        "/notes",
        Script::default().on(
            &ListNotes::default(),
            vec![
                server_error(),
                Reply::ok(&notes(vec![summary(1, "Ideas")], None)),
            ],
        ),
    );
    page.wait_for("[role=alert]").await;
    page.click_button("Retry");
    page.wait_for_text("Ideas").await;
    assert_eq!(page.count("[role=alert]"), 0);
}

#[wasm_bindgen_test]
async fn the_notes_page_lists_notes_counts_them_and_adds_the_next_page_below() {
    let more = ListNotes {
        cursor: Some("c2".into()),
        ..ListNotes::default()
    };
    let page = open_signed_in(
        "/notes",
        Script::default()
            .on(
                &ListNotes::default(),
                vec![Reply::ok(&notes(
                    vec![summary(1, "Ideas"), summary(2, "Books")],
                    Some("c2"),
                ))],
            )
            .on(
                &more,
                vec![Reply::ok(&notes(vec![summary(3, "Films")], None))],
            ),
    );
    page.wait_for_text("Books").await;
    assert_eq!(page.count("ul.notes li.row"), 2);
    assert_eq!(page.text_of("[aria-live=polite].meta"), "2+ notes");
    assert!(page.text().contains("about Ideas"), "the preview shows");
    page.click_button("Show more");
    page.wait_for_text("Films").await;
    assert_eq!(page.count("ul.notes li.row"), 3);
    assert_eq!(page.text_of("[aria-live=polite].meta"), "3 notes");
    assert!(page.button("Show more").is_none());
}

#[wasm_bindgen_test]
async fn a_search_that_finds_nothing_says_which_word_found_nothing() {
    let search = ListNotes {
        q: "zebra".into(),
        ..ListNotes::default()
    };
    let page = open_signed_in(
        "/notes",
        Script::default()
            .on(
                &ListNotes::default(),
                vec![Reply::ok(&notes(vec![summary(1, "Ideas")], None))],
            )
            .on(&search, vec![Reply::ok(&notes(vec![], None))]),
    );
    page.wait_for_text("Ideas").await;
    page.type_into("#search", "zebra");
    page.wait_for_text("No note has a word starting with “zebra”.")
        .await;
}
