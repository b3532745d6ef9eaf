//! The expiry warning in a real headless Chromium against a scripted `fetch`: its deadline
//! arithmetic, when it shows and what it says, "Stay signed in", the deadline passing, what the
//! tabs tell each other (`BroadcastChannel`, and `storage` events where there is none), and
//! signing out from it or from the header, with or without the server.

#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use gatehouse::expiry::{CHANNEL, Deadlines, Phase, STORAGE_KEY};
use gatehouse_api::SessionState;
use gatehouse_api::endpoints::{ExtendSession, GetSessionState, Logout};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const MINUTE: i64 = 60_000;
const HOURS_12: i64 = 12 * 3_600_000;

fn with_state(replies: Vec<Reply>) -> Script {
    Script::default().on(&GetSessionState, replies)
}

fn warning(page: &Page) -> bool {
    page.count("[role=alertdialog]") == 1
}

// The arithmetic, on the browser's own time parsing.

#[wasm_bindgen_test]
fn the_deadlines_follow_the_servers_clock_not_this_one() {
    let state = SessionState {
        now: "2026-01-01T12:00:00Z".into(),
        idle_expires_at: "2026-01-01T12:10:00Z".into(),
        absolute_expires_at: "2026-01-02T00:00:00Z".into(),
        reauthenticated_at: "2026-01-01T11:55:00Z".into(),
        reauthenticated_until: "2026-01-01T12:05:00Z".into(),
        idle_timeout_seconds: 1_800,
    };
    // This browser's clock is an hour and a second ahead of the server's.
    let server_now = 1_767_268_800_000.0;
    let here = server_now + 3_601_000.0;
    let d = Deadlines::of(&state, here).unwrap();
    assert_eq!(d.idle, here + 600_000.0);
    assert_eq!(d.absolute, here + 12.0 * 3_600_000.0);
    assert_eq!(d.idle_timeout, 1_800_000.0);
    assert_eq!(d.end(), here + 600_000.0);
    assert_eq!(d.phase(here), Phase::Quiet);
    assert_eq!(d.phase(here + 600_000.0 - 120_000.0), Phase::Warning);
    assert_eq!(d.phase(here + 600_000.0), Phase::Over);
}

#[wasm_bindgen_test]
fn deadlines_that_do_not_read_are_none() {
    let state = SessionState {
        now: "not a time".into(),
        idle_expires_at: "2026-01-01T12:10:00Z".into(),
        absolute_expires_at: "2026-01-02T00:00:00Z".into(),
        reauthenticated_at: String::new(),
        reauthenticated_until: String::new(),
        idle_timeout_seconds: 1_800,
    };
    assert_eq!(Deadlines::of(&state, 0.0), None);
}

// The warning.

#[wasm_bindgen_test]
async fn the_warning_shows_ahead_of_the_idle_deadline_counts_down_and_takes_the_focus() {
    // A 15-second idle timeout warns 5 seconds ahead.
    let page = open_signed_in(
        "/",
        with_state(vec![Reply::ok(&session_state(4_000, HOURS_12, 15))]),
    );
    wait_until("the warning", || warning(&page)).await;
    assert_eq!(page.text_of("#expiry-title"), "Are you still there?");
    // Four seconds, give or take the milliseconds between writing the script and reading it.
    let countdown = page.text_of(".countdown");
    assert!(
        ["0:05", "0:04", "0:03"].contains(&countdown.as_str()),
        "{countdown}"
    );
    wait_until("the countdown moves", || {
        page.text_of(".countdown") != countdown
    })
    .await;
    wait_until("the warning has the focus", || {
        page.focused()
            .is_some_and(|e| e.get_attribute("role").as_deref() == Some("alertdialog"))
    })
    .await;
}

#[wasm_bindgen_test]
async fn the_warning_waits_until_the_deadline_is_a_third_of_the_idle_timeout_away() {
    // Seven seconds left of a 15-second timeout: quiet for two, then the warning from 0:05.
    let page = open_signed_in(
        "/",
        with_state(vec![Reply::ok(&session_state(7_000, HOURS_12, 15))]),
    );
    wait_until("the warning", || warning(&page)).await;
    let countdown = page.text_of(".countdown");
    assert!(
        ["0:05", "0:04"].contains(&countdown.as_str()),
        "{countdown}"
    );
}

#[wasm_bindgen_test]
async fn stay_signed_in_renews_the_session_closes_the_warning_and_tells_the_other_tabs() {
    listen_to_channel(CHANNEL);
    // As the server would: once renewed, reading the deadlines gives the new ones (the first
    // two reads are at the start and as the warning shows).
    let (soon, later) = (
        session_state(4_000, HOURS_12, 15),
        session_state(30 * MINUTE, HOURS_12, 15),
    );
    let page = open_signed_in(
        "/",
        with_state(vec![Reply::ok(&soon), Reply::ok(&soon), Reply::ok(&later)])
            .on(&ExtendSession, vec![Reply::ok(&later)]),
    );
    wait_until("the warning", || warning(&page)).await;
    page.click_button("Stay signed in");
    wait_until("the warning closes", || !warning(&page)).await;
    assert_eq!(sent_to(&ExtendSession), 1);
    wait_until("the other tabs are told", || {
        heard().contains(&"extended".to_string())
    })
    .await;
    assert_eq!(location(), "/");
}

#[wasm_bindgen_test]
async fn at_the_deadline_the_tab_asks_the_server_and_goes_to_sign_in_when_it_says_expired() {
    let state = session_state(1_500, HOURS_12, 15);
    let page = open_signed_in(
        "/",
        with_state(vec![
            Reply::ok(&state),
            Reply::ok(&state),
            Reply::error(401, "session_expired", "session expired"),
        ]),
    );
    wait_until("the warning", || warning(&page)).await;
    assert_eq!(location(), "/", "nothing decided before the server says so");
    wait_until("at the sign-in page", || {
        location() == "/login?next=%2F&reason=session_expired"
    })
    .await;
    page.wait_for_text("Your session has expired. Please sign in again.")
        .await;
    assert!(!warning(&page));
}

#[wasm_bindgen_test]
async fn at_the_deadline_a_renewal_another_tab_made_keeps_this_one_signed_in() {
    let state = session_state(1_500, HOURS_12, 15);
    let page = open_signed_in(
        "/",
        with_state(vec![
            Reply::ok(&state),
            Reply::ok(&state),
            Reply::ok(&session_state(30 * MINUTE, HOURS_12, 15)),
        ]),
    );
    wait_until("the warning", || warning(&page)).await;
    wait_until("the warning closes", || !warning(&page)).await;
    assert_eq!(location(), "/");
    assert_eq!(page.text_of("main a.button"), "Go to your dashboard");
}

#[wasm_bindgen_test]
async fn before_the_absolute_deadline_the_notice_says_it_cannot_be_extended_and_ok_closes_it() {
    let page = open_signed_in(
        "/",
        with_state(vec![Reply::ok(&session_state(30 * MINUTE, 4_000, 15))]),
    );
    wait_until("the notice", || warning(&page)).await;
    assert_eq!(page.text_of("#expiry-title"), "Your session is ending");
    assert!(
        page.text_of("#expiry-text")
            .contains("It can't be extended")
    );
    assert!(page.button("Stay signed in").is_none());
    page.click_button("OK");
    wait_until("the notice closes", || !warning(&page)).await;
}

// Across tabs.

#[wasm_bindgen_test]
async fn activity_in_another_tab_renews_the_session_here() {
    // A 3-second idle timeout allows a renewal for input each second (`extend_due`'s tests
    // hold the rule; this one that the other tab's activity reaches it).
    let page = open_signed_in(
        "/",
        with_state(vec![Reply::ok(&session_state(30 * MINUTE, HOURS_12, 3))]).on(
            &ExtendSession,
            vec![Reply::ok(&session_state(30 * MINUTE, HOURS_12, 3))],
        ),
    );
    page.wait_for_text("Go to your dashboard").await;
    wait_until("the other tab's activity renews the session", || {
        post_to_channel(CHANNEL, "activity");
        sent_to(&ExtendSession) >= 1
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_renewal_in_another_tab_makes_this_one_read_the_deadlines_again() {
    let page = open_signed_in("/", Script::default());
    wait_until("the deadlines are read", || sent_to(&GetSessionState) >= 1).await;
    let before = sent_to(&GetSessionState);
    // Told again until heard: a read under way when the message comes is not doubled.
    wait_until("read again", || {
        post_to_channel(CHANNEL, "extended");
        sent_to(&GetSessionState) > before
    })
    .await;
    drop(page);
}

#[wasm_bindgen_test]
async fn without_a_channel_the_other_tabs_storage_events_carry_the_same_messages() {
    let page = open_signed_in("/", Script::default());
    wait_until("the deadlines are read", || sent_to(&GetSessionState) >= 1).await;
    let before = sent_to(&GetSessionState);
    wait_until("read again", || {
        storage_event(STORAGE_KEY, "extended 1733400000000");
        sent_to(&GetSessionState) > before
    })
    .await;
    drop(page);
}

#[wasm_bindgen_test]
async fn input_in_this_tab_is_told_to_the_other_tabs() {
    let page = open_signed_in("/", Script::default());
    wait_until("the deadlines are read", || sent_to(&GetSessionState) == 1).await;
    listen_to_channel(CHANNEL);
    key_down();
    wait_until("the others are told", || heard() == ["activity"]).await;
    drop(page);
}

// Signing out, from the warning or the header.

#[wasm_bindgen_test]
async fn signing_out_from_the_warning_without_the_server_still_signs_out_here_and_everywhere() {
    let page = open_signed_in(
        "/",
        with_state(vec![Reply::ok(&session_state(4_000, HOURS_12, 15))])
            .on(&Logout, vec![Reply::network_failure()]),
    );
    wait_until("the warning", || warning(&page)).await;
    listen_to_channel("gatehouse-auth");
    page.click("[role=alertdialog] .actions button[type=button]");
    wait_until("at the sign-in page", || location() == "/login").await;
    page.wait_for("form input[name=username]").await;
    assert!(!warning(&page));
    assert_eq!(
        page.count("header .username"),
        0,
        "nobody is shown signed in"
    );
    assert_eq!(sent_to(&Logout), 1);
    wait_until("the other tabs are told", || heard() == ["signed-out"]).await;
}

#[wasm_bindgen_test]
async fn signing_out_from_the_header_without_the_server_ends_the_same_way_as_from_the_warning() {
    let page = open_signed_in(
        "/",
        Script::default().on(&Logout, vec![Reply::network_failure()]),
    );
    page.wait_for("header .username").await;
    listen_to_channel("gatehouse-auth");
    page.click_button("Sign out");
    wait_until("at the sign-in page", || location() == "/login").await;
    page.wait_for("form input[name=username]").await;
    assert_eq!(page.count("header .username"), 0);
    wait_until("the other tabs are told", || heard() == ["signed-out"]).await;
}

#[wasm_bindgen_test]
async fn signing_out_from_the_header_ends_the_session_and_opens_the_sign_in_page() {
    let page = open_signed_in(
        "/notes",
        Script::default().on(&Logout, vec![Reply::no_content()]),
    );
    page.wait_for("header .username").await;
    page.click_button("Sign out");
    wait_until("at the sign-in page", || location() == "/login").await;
    assert_eq!(sent_to(&Logout), 1);
    page.wait_for("form input[name=username]").await;
    assert_eq!(page.text_of("p.notice"), "", "no reason to give");
}
