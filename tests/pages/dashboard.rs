//! The dashboard: its recent notes, the session in words, the last sign-in.

use gatehouse_api::endpoints::ListActivity;
use gatehouse_api::{SecurityEvent, SecurityEventKind};
use wasm_bindgen_test::*;

use crate::common::*;
use crate::fixtures::*;

#[wasm_bindgen_test]
async fn the_dashboard_shows_loading_until_the_recent_notes_come() {
    let page = open_signed_in(
        "/dashboard",
        Script::default()
            .on(&recent_notes(), vec![Reply::never()])
            .on(&ListActivity, vec![Reply::ok(&Vec::<SecurityEvent>::new())]),
    );
    page.wait_for_text("Welcome, ann").await;
    page.wait_for("section[aria-labelledby=recent-title] .loading")
        .await;
    assert_eq!(page.text_of("h1"), "Welcome, ann");
}

#[wasm_bindgen_test]
async fn the_dashboard_says_when_there_are_no_notes_yet() {
    let page = open_signed_in(
        "/dashboard",
        Script::default()
            .on(&recent_notes(), vec![Reply::ok(&notes(vec![], None))])
            .on(&ListActivity, vec![Reply::ok(&Vec::<SecurityEvent>::new())]),
    );
    page.wait_for_text("You haven't written any notes yet.")
        .await;
    assert_eq!(page.count(".loading"), 0);
}

#[wasm_bindgen_test]
async fn the_dashboard_shows_an_error_whose_retry_loads_the_notes_again() {
    let page = open_signed_in(
        "/dashboard",
        Script::default()
            .on(
                &recent_notes(),
                vec![
                    server_error(),
                    Reply::ok(&notes(vec![summary(3, "Groceries")], None)),
                ],
            )
            .on(&ListActivity, vec![Reply::ok(&Vec::<SecurityEvent>::new())]),
    );
    page.wait_for("[role=alert]").await;
    assert!(page.text_of("[role=alert]").contains("Internal error."));
    page.click_button("Retry");
    page.wait_for_text("Groceries").await;
    assert_eq!(page.count("[role=alert]"), 0);
    assert_eq!(sent_to(&recent_notes()), 2);
}

#[wasm_bindgen_test]
async fn the_dashboard_lists_the_recent_notes_and_the_last_sign_in_with_failed_attempts() {
    let activity = vec![
        event(SecurityEventKind::SignedIn, 1_000.0),
        event(SecurityEventKind::SignInFailed, 60_000.0),
        event(SecurityEventKind::SignInFailed, 120_000.0),
        event(SecurityEventKind::SignedIn, 2.0 * 86_400_000.0),
    ];
    let page = open_signed_in(
        "/dashboard",
        Script::default()
            .on(
                &recent_notes(),
                vec![Reply::ok(&notes(
                    vec![summary(3, "Groceries"), summary(4, "Trip")],
                    None,
                ))],
            )
            .on(&ListActivity, vec![Reply::ok(&activity)]),
    );
    page.wait_for_text("Trip").await;
    assert_eq!(page.count("a[href='/notes/3']"), 1);
    page.wait_for_text("2 failed sign-in attempts since.").await;
    assert!(
        page.text()
            .contains("Last signed in 2 days ago from Firefox on Linux (192.0.2.1)."),
        "{}",
        page.text()
    );
    assert_eq!(page.count(".notice.warn"), 1);
    page.wait_for_text("Signed in until").await;
    assert!(page.text().contains("unless you're away for 30 minutes."));
}
