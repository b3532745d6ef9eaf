//! Each page of the app in a real headless Chromium against a scripted `fetch`: what it shows
//! while loading, with nothing to show, after an error (and its Retry), and when ready.

#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use gatehouse_api::endpoints::{
    EndSession, GetNote, GetUser, ListActivity, ListNotes, ListSessions, ListUserActivity,
    ListUserSessions, ListUsers, ResetPassword,
};
use gatehouse_api::{
    ActiveSession, AdminUser, Note, NotePage, NoteSummary, OneTimePassword, Role, SecurityEvent,
    SecurityEventKind, UserPage,
};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn summary(id: i64, title: &str) -> NoteSummary {
    NoteSummary {
        id,
        title: title.into(),
        preview: format!("about {title}"),
        version: 1,
        updated_at: iso_in(-3_600_000.0),
    }
}

fn notes(list: Vec<NoteSummary>, next: Option<&str>) -> NotePage {
    NotePage {
        notes: list,
        next_cursor: next.map(Into::into),
    }
}

fn note(id: i64, title: &str, body: &str) -> Note {
    Note {
        id,
        title: title.into(),
        body: body.into(),
        version: 4,
        created_at: iso_in(-86_400_000.0),
        updated_at: iso_in(-3_600_000.0),
    }
}

fn session(id: &str, device: &str, current: bool) -> ActiveSession {
    ActiveSession {
        id: id.into(),
        device: device.into(),
        address: Some("192.0.2.1".into()),
        signed_in_at: iso_in(-7_200_000.0),
        last_active_at: iso_in(-60_000.0),
        current,
    }
}

fn event(kind: SecurityEventKind, ago_ms: f64) -> SecurityEvent {
    SecurityEvent {
        kind,
        at: iso_in(-ago_ms),
        device: Some("Firefox on Linux".into()),
        address: Some("192.0.2.1".into()),
        by: None,
        subject: None,
        detail: None,
    }
}

fn account(id: i64, name: &str) -> AdminUser {
    AdminUser {
        id,
        username: name.into(),
        role: Role::User,
        disabled: false,
        must_change_password: false,
        created_at: iso_in(-86_400_000.0),
        last_sign_in_at: None,
        sessions: 1,
    }
}

fn recent_notes() -> ListNotes {
    ListNotes {
        limit: Some(5),
        ..ListNotes::default()
    }
}

fn server_error() -> Reply {
    Reply::error(500, "internal", "internal error")
}

fn as_admin(script: Script) -> Script {
    Script::signed_in("root", Role::Admin).and(script)
}

// The dashboard.

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
    assert_eq!(sent("GET", "/api/notes"), 2);
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

// The notes.

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

// One note.

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

// The account page.

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
    page.wait_for_text("Safari on iPhone · 192.0.2.1").await;
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
    assert_eq!(sent("DELETE", "/api/auth/sessions/s2"), 1);
}

// Administration.

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
    page.wait_for_text("Password of bea reset; their sessions ended.")
        .await;
    wait_until("the account is read again", || {
        sent("GET", "/api/admin/users/3") == 2
    })
    .await;
    page.wait_for("section[aria-labelledby=account-title]")
        .await;
    assert_eq!(page.text_of("code.otp"), "otp-4217-aa");
}

// The public pages.

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
