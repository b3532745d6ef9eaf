//! The account page: the sessions and activity lists, signing one session out.

use gatehouse_api::endpoints::{EndSession, ListActivity, ListSessions};
use gatehouse_api::{SecurityEvent, SecurityEventKind};
use wasm_bindgen_test::*;

use crate::common::*;
use crate::fixtures::*;

#[wasm_bindgen_test]
async fn the_account_page_shows_loading_in_each_list_until_it_comes() {
    let page = open_signed_in(
        "/account",
        Script::default()
            .on(&ListSessions, vec![Reply::never()])
            .on(&ListActivity, vec![Reply::never()]),
    );
    page.wait_for_text("Change your password").await;
    wait_until("both lists show loading", || page.count(".loading") == 2).await;
}

#[wasm_bindgen_test]
async fn the_account_page_says_nothing_happened_yet_when_the_activity_is_empty() {
    let page = open_signed_in(
        "/account",
        Script::default()
            .on(
                &ListSessions,
                vec![Reply::ok(&vec![session("s1", "Firefox on Linux", true)])],
            )
            .on(&ListActivity, vec![Reply::ok(&Vec::<SecurityEvent>::new())]),
    );
    page.wait_for_text("Nothing yet.").await;
    page.wait_for_text("This device").await;
    assert!(
        page.button("Sign out everywhere else").is_none(),
        "no other session to end"
    );
}

#[wasm_bindgen_test]
async fn the_account_page_shows_a_failed_list_with_retry() {
    let page = open_signed_in(
        "/account",
        Script::default()
            .on(
                &ListSessions,
                vec![
                    server_error(),
                    Reply::ok(&vec![session("s1", "Firefox on Linux", true)]),
                ],
            )
            .on(&ListActivity, vec![Reply::ok(&Vec::<SecurityEvent>::new())]),
    );
    page.wait_for("section[aria-labelledby=sessions-title] [role=alert]")
        .await;
    page.click_button("Retry");
    page.wait_for_text("This device").await;
}

#[wasm_bindgen_test]
async fn the_account_page_lists_sessions_and_signs_one_out() {
    let phone = session("s2", "Safari on iPhone", false);
    let page = open_signed_in(
        "/account",
        Script::default()
            .on(
                &ListSessions,
                vec![
                    Reply::ok(&vec![session("s1", "Firefox on Linux", true), phone]),
                    Reply::ok(&vec![session("s1", "Firefox on Linux", true)]),
                ],
            )
            .on(&EndSession { id: "s2".into() }, vec![Reply::no_content()])
            .on(
                &ListActivity,
                vec![Reply::ok(&vec![event(
                    SecurityEventKind::SignInFailed,
                    5_000.0,
                )])],
            ),
    );
    page.wait_for_text("192.0.2.1 · active").await;
    assert!(page.text().contains("Safari on iPhone"));
    assert_eq!(
        page.count("section[aria-labelledby=sessions-title] li.row"),
        2
    );
    page.wait_for_text("Failed sign-in attempt").await;
    assert_eq!(page.count("ul.events li.row.warn"), 1);
    page.click("button[aria-label='Sign out Safari on iPhone']");
    page.wait_for_text("Signed out that session.").await;
    wait_until("the list is read again", || {
        page.count("section[aria-labelledby=sessions-title] li.row") == 1
    })
    .await;
    assert_eq!(sent_to(&EndSession { id: "s2".into() }), 1);
}
