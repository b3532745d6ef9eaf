//! The notes page: the list, its count, the next page, a search.

use gatehouse_api::endpoints::{GetNote, ListNotes};
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
    page.wait_for_text("No notes yet. Write the first one with “New note”.")
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

#[wasm_bindgen_test]
async fn the_search_is_in_the_address_and_an_address_with_one_opens_searched() {
    let ideas = ListNotes {
        q: "ide".into(),
        ..ListNotes::default()
    };
    let books = ListNotes {
        q: "books".into(),
        ..ListNotes::default()
    };
    let page = open_signed_in(
        "/notes?q=ide",
        Script::default()
            .on(
                &ideas,
                vec![Reply::ok(&notes(vec![summary(1, "Ideas")], None))],
            )
            .on(
                &books,
                vec![Reply::ok(&notes(vec![summary(2, "Books")], None))],
            ),
    );
    page.wait_for_text("Ideas").await;
    assert_eq!(page.value_of("#search"), "ide");
    assert_eq!(page.text_of("[aria-live=polite].meta"), "1 note found");
    page.type_into("#search", "books");
    page.wait_for_text("Books").await;
    assert_eq!(
        location(),
        "/notes?q=books",
        "a search typed replaces the address"
    );
    page.type_into("#search", "");
    wait_until("no search, no query", || location() == "/notes").await;
}

#[wasm_bindgen_test]
async fn coming_back_to_the_list_finds_the_pages_loaded_the_search_and_focus_on_the_new_rows() {
    let found = ListNotes {
        q: "o".into(),
        ..ListNotes::default()
    };
    let more = ListNotes {
        q: "o".into(),
        cursor: Some("c2".into()),
        limit: None,
    };
    // Coming back reads as many as were shown again, in the background; never answered here,
    // so what shows is what the list left.
    let again = ListNotes {
        q: "o".into(),
        cursor: None,
        limit: Some(50),
    };
    let page = open_signed_in(
        "/notes?q=o",
        Script::default()
            .on(
                &found,
                vec![Reply::ok(&notes(
                    vec![summary(1, "Ideas"), summary(2, "Books")],
                    Some("c2"),
                ))],
            )
            .on(
                &more,
                vec![Reply::ok(&notes(vec![summary(3, "Films")], None))],
            )
            .on(&again, vec![Reply::never()])
            .on(
                &GetNote { id: 3 },
                vec![Reply::ok(&note(3, "Films", "to see"))],
            ),
    );
    page.wait_for_text("Books").await;
    page.click_button("Show more");
    page.wait_for_text("Films").await;
    wait_until("focus on the first note added", || {
        page.focused()
            .is_some_and(|e| e.get_attribute("href").as_deref() == Some("/notes/3"))
    })
    .await;
    page.click("a[href='/notes/3']");
    page.wait_for("#body").await;
    web_sys::window()
        .unwrap()
        .history()
        .unwrap()
        .back()
        .unwrap();
    wait_until("back at the list", || location() == "/notes?q=o").await;
    page.wait_for("ul.notes").await;
    assert_eq!(
        page.count("ul.notes li.row"),
        3,
        "the pages loaded, at once"
    );
    assert_eq!(page.value_of("#search"), "o");
    wait_until("the list read again", || sent_to(&again) == 1).await;
}
