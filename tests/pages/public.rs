//! The pages for anyone (the start page, an address nothing answers) and the header's menu.

use gatehouse_api::SecurityEvent;
use gatehouse_api::endpoints::{ListActivity, ListNotes};
use wasm_bindgen_test::*;

use crate::common::*;
use crate::fixtures::*;

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

#[wasm_bindgen_test]
async fn the_phone_menu_opens_closes_on_a_page_chosen_and_on_escape_giving_focus_back() {
    let page = open_signed_in(
        "/dashboard",
        Script::default()
            .on(&recent_notes(), vec![Reply::ok(&notes(vec![], None))])
            .on(&ListActivity, vec![Reply::ok(&Vec::<SecurityEvent>::new())])
            .on(&ListNotes::default(), vec![Reply::ok(&notes(vec![], None))]),
    );
    page.wait_for(".menu-button").await;
    page.click(".menu-button");
    page.wait_for(".nav.open").await;
    assert_eq!(
        page.find(".menu-button")
            .and_then(|b| b.get_attribute("aria-expanded")),
        Some("true".into())
    );
    page.click("#nav-menu a[href='/notes']");
    wait_until("at the notes", || location() == "/notes").await;
    wait_until("the menu closes", || page.count(".nav.open") == 0).await;

    page.click(".menu-button");
    page.wait_for(".nav.open").await;
    let init = web_sys::KeyboardEventInit::new();
    init.set_key("Escape");
    init.set_bubbles(true);
    let escape =
        web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    page.find("#nav-menu a[href='/notes']")
        .unwrap()
        .dispatch_event(&escape)
        .unwrap();
    wait_until("Escape closes it", || page.count(".nav.open") == 0).await;
    assert!(
        page.focused()
            .is_some_and(|e| e.class_name().contains("menu-button")),
        "focus back on Menu"
    );
}
