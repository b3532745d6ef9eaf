//! The sign-in page in a real headless Chromium against a scripted `fetch`: the sentence for
//! each reason the person was sent there, the no-access page, signing in and going on, and the
//! forms for someone signed in already (confirm the password, choose one), including what is
//! kept across the trip to them and back.

#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use gatehouse_api::Endpoint;
use gatehouse_api::endpoints::{
    ChangePassword, ListActivity, ListNotes, ListSessions, Login, Me, Reauthenticate,
};
use gatehouse_api::{ActiveSession, NotePage, PasswordChange, Role, SecurityEvent};
use gatehouse_client::json;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// How each `reason` reads to someone not signed in: as a notice above the form, as the
/// form's error (a sign-in posted as a plain form that failed), or not at all.
const REASONS: &[(&str, Shown)] = &[
    (
        "unauthenticated",
        Shown::Notice("Please sign in to continue."),
    ),
    (
        "session_expired",
        Shown::Notice("Your session has expired. Please sign in again."),
    ),
    (
        "account_disabled",
        Shown::Notice(
            "This account has been disabled. Ask an administrator if you think that's a mistake.",
        ),
    ),
    (
        "forbidden",
        Shown::Notice(
            "Your account doesn't have access to that page. Sign in as someone else to continue.",
        ),
    ),
    (
        "csrf_failed",
        Shown::Notice("A security check failed. Please sign in again."),
    ),
    (
        "invalid_credentials",
        Shown::Error("Wrong username or password."),
    ),
    (
        "too_many_requests",
        Shown::Error("Too many attempts. Try again in a few minutes."),
    ),
    (
        "validation",
        Shown::Error("Enter your username and password."),
    ),
    ("reauth_required", Shown::Nothing),
    ("password_change_required", Shown::Nothing),
    ("internal", Shown::Nothing),
    ("no_such_reason", Shown::Nothing),
];

#[derive(Debug)]
enum Shown {
    Notice(&'static str),
    Error(&'static str),
    Nothing,
}

#[wasm_bindgen_test]
async fn each_reason_shows_its_sentence_on_the_sign_in_page() {
    for (reason, shown) in REASONS {
        let page = open(&format!("/login?reason={reason}"), Script::signed_out());
        page.wait_for("form input[name=username]").await;
        let (notice, alert) = (page.text_of("p.notice"), page.text_of("[role=alert]"));
        match shown {
            Shown::Notice(text) => {
                assert_eq!((notice.as_str(), alert.as_str()), (*text, ""), "{reason}")
            }
            Shown::Error(text) => {
                assert_eq!((notice.as_str(), alert.as_str()), ("", *text), "{reason}")
            }
            Shown::Nothing => assert_eq!((notice.as_str(), alert.as_str()), ("", ""), "{reason}"),
        }
        assert_eq!(page.text_of("h1"), "Sign in", "{reason}");
    }
}

#[wasm_bindgen_test]
async fn a_wrong_password_is_an_alert_that_takes_the_focus_and_keeps_what_was_typed() {
    let page = open(
        "/login",
        Script::signed_out().on(
            &Login,
            vec![Reply::error(
                401,
                "invalid_credentials",
                "wrong username or password",
            )],
        ),
    );
    page.wait_for("#username").await;
    page.type_into("#username", "ann");
    page.type_into("#password", "nope");
    page.submit("form");
    page.wait_for("[role=alert]").await;
    assert_eq!(page.text_of("[role=alert]"), "Wrong username or password.");
    wait_until("the alert has the focus", || {
        page.focused()
            .is_some_and(|e| e.get_attribute("role").as_deref() == Some("alert"))
    })
    .await;
    assert_eq!(page.value_of("#username"), "ann");
    assert!(page.button("Sign in").is_some_and(|b| !b.disabled()));
    assert_eq!(location(), "/login", "a wrong password goes nowhere");
}

#[wasm_bindgen_test]
async fn signing_in_goes_on_to_next_and_a_one_time_password_is_not_asked_for_twice() {
    let page = open(
        "/login?next=%2Fnotes",
        Script::default()
            .on(
                &Me,
                vec![
                    Reply::error(401, "unauthenticated", "sign in"),
                    Reply::ok(&session_info("bea", Role::User)),
                ],
            )
            .on(&Login, vec![Reply::ok(&session_info("bea", Role::User))])
            .on(
                &ListNotes::default(),
                vec![
                    Reply::error(403, "password_change_required", "choose a password"),
                    Reply::ok(&NotePage {
                        notes: vec![],
                        next_cursor: None,
                    }),
                ],
            )
            .on(&ChangePassword, vec![Reply::no_content()]),
    );
    page.wait_for("#username").await;
    page.type_into("#username", "bea");
    page.type_into("#password", "one-time-7Kq2");
    page.submit("form");
    // The notes page asks for a new password first: the server sends the person back here.
    wait_until("the password form", || page.count("#new_password") == 1).await;
    assert_eq!(
        location(),
        "/login?next=%2Fnotes&reason=password_change_required"
    );
    assert_eq!(page.text_of("h1"), "Choose a new password");
    assert_eq!(page.value_of("#current_password"), "one-time-7Kq2");
    page.type_into("#new_password", "otter lantern quarry 42");
    page.submit("form");
    wait_until("back at the notes", || location() == "/notes").await;
    page.wait_for_text("No notes yet.").await;
    let sent: Vec<_> = calls()
        .into_iter()
        .filter(|c| c.path == ChangePassword::PATH)
        .collect();
    assert_eq!(sent.len(), 1);
    let body: PasswordChange = json::from_str(sent[0].body.as_deref().unwrap()).unwrap();
    assert_eq!(
        (body.current_password.as_str(), body.new_password.as_str()),
        ("one-time-7Kq2", "otter lantern quarry 42")
    );
}

#[wasm_bindgen_test]
async fn someone_signed_in_already_goes_straight_on_to_next() {
    let page = open_signed_in(
        "/login?next=%2Fnotes",
        Script::default().on(
            &ListNotes::default(),
            vec![Reply::ok(&NotePage {
                notes: vec![],
                next_cursor: None,
            })],
        ),
    );
    wait_until("at the notes", || location() == "/notes").await;
    page.wait_for_text("No notes yet.").await;
}

#[wasm_bindgen_test]
async fn the_no_access_page_names_the_account_and_the_page_it_cannot_open() {
    let page = open_signed_in("/login?next=%2Fadmin&reason=forbidden", Script::default());
    page.wait_for_text("You're signed in as ann, which can't open Admin.")
        .await;
    assert_eq!(page.text_of("h1"), "No access");
    assert_eq!(page.count("form"), 0, "no form until asked");
    drop(page);

    let page = open_signed_in("/login?next=%2Fnotes&reason=forbidden", Script::default());
    page.wait_for_text("You're signed in as ann, which can't open that page.")
        .await;
}

#[wasm_bindgen_test]
async fn a_user_opening_an_admin_page_is_sent_to_the_no_access_page() {
    let page = open_signed_in("/admin", Script::default());
    wait_until("at the sign-in page", || {
        location() == "/login?next=%2Fadmin&reason=forbidden"
    })
    .await;
    page.wait_for_text("which can't open Admin.").await;
}

#[wasm_bindgen_test]
async fn the_no_access_page_goes_back_or_offers_the_form_to_sign_in_as_someone_else() {
    let page = open_after(
        &["/dashboard"],
        "/login?next=%2Fadmin&reason=forbidden",
        Script::signed_in("ann", Role::User)
            .on(
                &ListNotes {
                    limit: Some(5),
                    ..ListNotes::default()
                },
                vec![Reply::never()],
            )
            .on(&ListActivity, vec![Reply::never()]),
    );
    page.wait_for_text("No access").await;
    page.click_button("Sign in as someone else");
    page.wait_for("input[name=username]").await;
    assert_eq!(
        page.text_of("p.notice"),
        "Your account (ann) doesn't have access to that page. Sign in as someone else to continue."
    );
    drop(page);

    let page = open_after(
        &["/dashboard"],
        "/login?next=%2Fadmin&reason=forbidden",
        Script::signed_in("ann", Role::User)
            .on(
                &ListNotes {
                    limit: Some(5),
                    ..ListNotes::default()
                },
                vec![Reply::never()],
            )
            .on(&ListActivity, vec![Reply::never()]),
    );
    page.wait_for_text("No access").await;
    page.click_button("Go back");
    wait_until("back at the dashboard", || location() == "/dashboard").await;
    page.wait_for_text("Welcome, ann").await;
}

#[wasm_bindgen_test]
async fn confirming_the_password_goes_back_and_a_wrong_one_is_said_at_the_field() {
    let page = open_signed_in(
        "/login?next=%2Fnotes&reason=reauth_required",
        Script::default()
            .on(
                &Reauthenticate,
                vec![
                    Reply::text(
                        422,
                        r#"{"code":"validation","message":"invalid","fields":{"password":"wrong password"}}"#,
                    ),
                    Reply::ok(&session_state(30 * 60_000, 12 * 3_600_000, 1_800)),
                ],
            )
            .on(
                &ListNotes::default(),
                vec![Reply::ok(&NotePage {
                    notes: vec![],
                    next_cursor: None,
                })],
            ),
    );
    page.wait_for_text("You're signed in as ann. Enter your password again")
        .await;
    assert_eq!(page.text_of("h1"), "Confirm it's you");
    page.type_into("#password", "nope");
    page.submit("form");
    page.wait_for("#password-error").await;
    assert_eq!(page.text_of("#password-error"), "Wrong password");
    assert_eq!(
        page.count("[role=alert]"),
        0,
        "said at the field, not again below"
    );
    page.type_into("#password", "the right one");
    page.submit("form");
    wait_until("back where they were", || location() == "/notes").await;
}

#[wasm_bindgen_test]
async fn a_password_change_asked_to_confirm_first_comes_back_with_the_form_as_it_was() {
    let page = open_signed_in(
        "/account",
        Script::default()
            .on(&ListSessions, vec![Reply::ok(&Vec::<ActiveSession>::new())])
            .on(&ListActivity, vec![Reply::ok(&Vec::<SecurityEvent>::new())])
            .on(
                &ChangePassword,
                vec![
                    Reply::error(403, "reauth_required", "confirm your password"),
                    Reply::no_content(),
                ],
            )
            .on(
                &Reauthenticate,
                vec![Reply::ok(&session_state(
                    30 * 60_000,
                    12 * 3_600_000,
                    1_800,
                ))],
            ),
    );
    page.wait_for("#new_password").await;
    page.type_into("#current_password", "old secret");
    page.type_into("#new_password", "otter lantern quarry 42");
    page.submit("form");
    wait_until("asked to confirm", || {
        location() == "/login?next=%2Faccount&reason=reauth_required"
    })
    .await;
    page.wait_for_text("Confirm it's you").await;
    page.type_into("#password", "old secret");
    page.submit("form");
    wait_until("back at the account", || location() == "/account").await;
    page.wait_for("#new_password").await;
    assert_eq!(page.value_of("#current_password"), "old secret");
    assert_eq!(page.value_of("#new_password"), "otter lantern quarry 42");

    page.submit("section[aria-labelledby=password-title] form");
    page.wait_for_text("Password changed. You're signed out everywhere else.")
        .await;
    assert_eq!(page.value_of("#new_password"), "");
    let typed: PasswordChange = json::from_str(
        calls()
            .iter()
            .rfind(|c| c.path == ChangePassword::PATH)
            .and_then(|c| c.body.as_deref())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(typed.new_password, "otter lantern quarry 42");
}
