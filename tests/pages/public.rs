//! The pages for anyone: the start page and an address nothing answers.

use wasm_bindgen_test::*;

use crate::common::*;

#[wasm_bindgen_test]
async fn the_home_page_offers_sign_in_to_a_stranger_and_the_dashboard_to_someone_signed_in() {
    let page = open("/", Script::signed_out());
    page.wait_for_text("Your notes, kept private").await;
    assert_eq!(page.text_of("main a.button"), "Sign in");
    drop(page);

    let page = open_signed_in("/", Script::default());
    page.wait_for_text("Go to your dashboard").await;
    assert_eq!(page.count("main a.button[href='/dashboard']"), 1);
}

#[wasm_bindgen_test]
async fn an_address_nothing_answers_shows_page_not_found() {
    let page = open("/nowhere/at/all", Script::signed_out());
    page.wait_for_text("There is nothing at this address.")
        .await;
    assert_eq!(page.text_of("h1"), "Page not found");
    assert_eq!(page.count("main a[href='/']"), 1);
}
