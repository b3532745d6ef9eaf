//! Administration: the accounts list and one account, with its reset one-time password.

use gatehouse_api::endpoints::{
    GetUser, ListUserActivity, ListUserSessions, ListUsers, ResetPassword,
};
use gatehouse_api::{ActiveSession, OneTimePassword, SecurityEvent, UserPage};
use wasm_bindgen_test::*;

use crate::common::*;
use crate::fixtures::*;

#[wasm_bindgen_test]
async fn the_accounts_list_shows_loading_until_it_comes() {
    let page = open(
        "/admin",
        as_admin(Script::default().on(&ListUsers::default(), vec![Reply::never()])),
    );
    page.wait_for_text("New account").await;
    page.wait_for("section[aria-labelledby=accounts-title] .loading")
        .await;
}

#[wasm_bindgen_test]
async fn the_accounts_list_says_when_there_are_none() {
    let page = open(
        "/admin",
        as_admin(Script::default().on(
            &ListUsers::default(),
            vec![Reply::ok(&UserPage {
                users: vec![],
                next_cursor: None,
            })],
        )),
    );
    page.wait_for_text("No accounts yet.").await;
}

#[wasm_bindgen_test]
async fn the_accounts_list_shows_an_error_with_retry() {
    let page = open(
        "/admin",
        as_admin(Script::default().on(
            &ListUsers::default(),
            vec![
                server_error(),
                Reply::ok(&UserPage {
                    users: vec![account(3, "bea")],
                    next_cursor: None,
                }),
            ],
        )),
    );
    page.wait_for("[role=alert]").await;
    page.click_button("Retry");
    page.wait_for("a[href='/admin/users/3']").await;
}

#[wasm_bindgen_test]
async fn the_accounts_list_is_a_table_linking_each_account() {
    let page = open(
        "/admin",
        as_admin(Script::default().on(
            &ListUsers::default(),
            vec![Reply::ok(&UserPage {
                users: vec![account(3, "bea"), account(4, "cy")],
                next_cursor: Some("n".into()),
            })],
        )),
    );
    page.wait_for("table.users").await;
    assert_eq!(page.count("table.users tbody tr"), 2);
    assert_eq!(page.text_of("a[href='/admin/users/4']"), "cy");
    assert!(page.button("Next").is_some_and(|b| !b.disabled()));
    assert!(page.button("Previous").is_some_and(|b| b.disabled()));
}

#[wasm_bindgen_test]
async fn one_account_shows_loading_then_not_found() {
    let page = open(
        "/admin/users/3",
        as_admin(
            Script::default()
                .on(&GetUser { id: 3 }, vec![Reply::never()])
                .on(
                    &ListUserSessions { id: 3 },
                    vec![Reply::ok(&Vec::<ActiveSession>::new())],
                )
                .on(
                    &ListUserActivity { id: 3 },
                    vec![Reply::ok(&Vec::<SecurityEvent>::new())],
                ),
        ),
    );
    wait_until("the page's heading", || page.text_of("h1") == "Account").await;
    page.wait_for("section.page .loading").await;
    assert_eq!(
        page.count("a[href='/admin']"),
        2,
        "the header's and ← All accounts"
    );
    drop(page);

    let page = open(
        "/admin/users/3",
        as_admin(Script::default().on(
            &GetUser { id: 3 },
            vec![Reply::error(404, "not_found", "no such account")],
        )),
    );
    page.wait_for_text("It may have been removed.").await;
    assert_eq!(page.text_of("h1"), "Account not found");
}

#[wasm_bindgen_test]
async fn one_account_that_failed_to_load_offers_retry() {
    let page = open(
        "/admin/users/3",
        as_admin(
            Script::default()
                .on(
                    &GetUser { id: 3 },
                    vec![server_error(), Reply::ok(&account(3, "bea"))],
                )
                .on(
                    &ListUserSessions { id: 3 },
                    vec![Reply::ok(&Vec::<ActiveSession>::new())],
                )
                .on(
                    &ListUserActivity { id: 3 },
                    vec![Reply::ok(&Vec::<SecurityEvent>::new())],
                ),
        ),
    );
    page.wait_for("[role=alert]").await;
    page.click_button("Retry");
    wait_until("the account's name is the heading", || {
        page.text_of("h1") == "bea"
    })
    .await;
}

#[wasm_bindgen_test]
async fn one_account_shows_its_state_and_an_empty_session_list() {
    let page = open(
        "/admin/users/3",
        as_admin(
            Script::default()
                .on(&GetUser { id: 3 }, vec![Reply::ok(&account(3, "bea"))])
                .on(
                    &ListUserSessions { id: 3 },
                    vec![Reply::ok(&Vec::<ActiveSession>::new())],
                )
                .on(
                    &ListUserActivity { id: 3 },
                    vec![Reply::ok(&Vec::<SecurityEvent>::new())],
                ),
        ),
    );
    page.wait_for_text("Not signed in anywhere.").await;
    assert_eq!(page.text_of("h1"), "bea");
    assert!(page.text().contains("RoleUser"), "{}", page.text());
    assert!(page.text().contains("StatusActive"));
    assert!(page.button("Make administrator").is_some());
    assert!(page.button("Remove account").is_some_and(|b| b.disabled()));
}

#[wasm_bindgen_test]
async fn a_reset_password_stays_on_screen_after_the_account_is_read_again() {
    let page = open(
        "/admin/users/3",
        as_admin(
            Script::default()
                .on(&GetUser { id: 3 }, vec![Reply::ok(&account(3, "bea"))])
                .on(
                    &ListUserSessions { id: 3 },
                    vec![Reply::ok(&vec![session("s9", "Chrome on Android", false)])],
                )
                .on(
                    &ListUserActivity { id: 3 },
                    vec![Reply::ok(&Vec::<SecurityEvent>::new())],
                )
                .on(
                    &ResetPassword { id: 3 },
                    vec![Reply::ok(&OneTimePassword {
                        one_time_password: "otp-4217-aa".into(),
                    })],
                ),
        ),
    );
    page.wait_for_text("Chrome on Android · 192.0.2.1").await;
    page.click_button("Reset password");
    page.wait_for_text("Their current password stops working")
        .await;
    page.click_button("Reset the password of bea");
    page.wait_for_text("The password of bea was reset, and their sessions ended.")
        .await;
    wait_until("the account is read again", || {
        sent_to(&GetUser { id: 3 }) == 2
    })
    .await;
    page.wait_for("section[aria-labelledby=account-title]")
        .await;
    assert_eq!(page.text_of("code.otp"), "otp-4217-aa");
}
