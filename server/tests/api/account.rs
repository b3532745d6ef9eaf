//! The account's own session, sessions, password, activity and re-authentication.

use std::time::Duration;

use gatehouse_api::endpoints::{
    ChangePassword, CreateUser, EndOtherSessions, EndSession, ExtendSession, GetSessionState,
    ListActivity, ListNotes, ListSessions, Reauthenticate,
};
use gatehouse_api::{
    ActiveSession, ErrorCode, Role, SecurityEvent, SecurityEventKind, SessionState,
};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

pub const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
pub const CHROME: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 \
                      (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";
pub const NEW_PASSWORD: &str = "velvet-otter-climbs-9-ladders";

/// Signs `name` in from a browser that sends `user_agent`.
pub async fn sign_in_from(on: &Client, name: &str, user_agent: &'static str) -> Agent {
    let mut agent = Agent {
        user_agent: Some(user_agent),
        ..Agent::default()
    };
    let r = on.login_as(&mut agent, name, PASSWORD).await;
    assert_eq!(r.status(), StatusCode::OK);
    agent
}

pub async fn sessions(on: &Client, agent: &Agent) -> Vec<ActiveSession> {
    let r = on.call(agent, &ListSessions, None).await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

async fn state(on: &Client, agent: &Agent) -> SessionState {
    let r = on.call(agent, &GetSessionState, None).await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

async fn activity(on: &Client, agent: &Agent) -> Vec<SecurityEvent> {
    let r = on.call(agent, &ListActivity, None).await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

fn at(rfc3339: &str) -> time::OffsetDateTime {
    time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339).unwrap()
}

#[tokio::test]
async fn the_sessions_list_shows_each_browser_with_the_current_one_first_and_no_cookie_value() {
    let app = spawn_app().await;
    app.add_user("ann", Role::User).await;
    let firefox = sign_in_from(&app, "ann", FIREFOX).await;
    let chrome = sign_in_from(&app, "ann", CHROME).await;
    let _other_account = app.signed_in("bob", Role::User).await;
    let listed = sessions(&app, &chrome).await;
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert!(listed[0].current && !listed[1].current);
    assert_eq!(listed[0].device, "Chrome on macOS");
    assert_eq!(listed[1].device, "Firefox on Linux");
    assert_eq!(listed[1].address.as_deref(), Some("127.0.0.1"));
    for (session, agent) in listed.iter().zip([&chrome, &firefox]) {
        let cookie = &agent.session.as_ref().unwrap().1;
        assert!(!session.id.contains(cookie.as_str()) && session.id != *cookie);
        assert!(at(&session.signed_in_at) <= at(&session.last_active_at));
    }
}

#[tokio::test]
async fn ending_a_session_from_another_makes_its_next_request_401_at_once() {
    let app = spawn_app().await;
    app.add_user("ann", Role::User).await;
    let laptop = sign_in_from(&app, "ann", FIREFOX).await;
    let lost = sign_in_from(&app, "ann", CHROME).await;
    let target = sessions(&app, &laptop).await[1].id.clone();
    let r = app
        .call(&laptop, &EndSession { id: target.clone() }, None)
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.call(&lost, &ListNotes::default(), None).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.call(&laptop, &ListNotes::default(), None)
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(sessions(&app, &laptop).await.len(), 1);
    let r = app
        .call(&laptop, &EndSession { id: target.clone() }, None)
        .await;
    expect_error(r, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;
    let events = activity(&app, &laptop).await;
    assert_eq!(events[0].kind, SecurityEventKind::SessionEnded);
    assert_eq!(
        events[0].device.as_deref(),
        Some("Chrome on macOS"),
        "the ended one"
    );
}

#[tokio::test]
async fn a_session_handle_of_another_account_ends_nothing() {
    let app = spawn_app().await;
    let ann = app.signed_in("ann", Role::User).await;
    let bob = app.signed_in("bob", Role::User).await;
    let bobs = sessions(&app, &bob).await[0].id.clone();
    let r = app.call(&ann, &EndSession { id: bobs }, None).await;
    expect_error(r, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;
    assert_eq!(
        app.call(&bob, &ListNotes::default(), None).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn signing_out_everywhere_else_keeps_only_this_session() {
    let app = spawn_app().await;
    app.add_user("ann", Role::User).await;
    let here = sign_in_from(&app, "ann", FIREFOX).await;
    let others = [
        sign_in_from(&app, "ann", CHROME).await,
        sign_in_from(&app, "ann", CHROME).await,
    ];
    let r = app.call(&here, &EndOtherSessions, None).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    for other in &others {
        assert_eq!(
            app.call(other, &ListNotes::default(), None).await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let left = sessions(&app, &here).await;
    assert_eq!(left.len(), 1);
    assert!(left[0].current);
}

#[tokio::test]
async fn a_password_change_ends_the_other_sessions_and_keeps_this_one() {
    let app = spawn_app().await;
    app.add_user("ann", Role::User).await;
    let here = sign_in_from(&app, "ann", FIREFOX).await;
    let elsewhere = sign_in_from(&app, "ann", CHROME).await;
    let r = app
        .call(
            &here,
            &ChangePassword,
            Some(json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let mut here = here;
    here.absorb(r.headers());
    assert_eq!(
        app.call(&elsewhere, &ListNotes::default(), None)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    for _ in 0..3 {
        // Also after the account cache's lifetime: this session moved to the new epoch.
        assert_eq!(
            app.call(&here, &ListNotes::default(), None).await.status(),
            StatusCode::OK
        );
        wait(Duration::from_millis(600)).await;
    }
    let old = app.login_as(&mut Agent::default(), "ann", PASSWORD).await;
    expect_error(old, StatusCode::UNAUTHORIZED, ErrorCode::InvalidCredentials).await;
    let new = app
        .login_as(&mut Agent::default(), "ann", NEW_PASSWORD)
        .await;
    assert_eq!(new.status(), StatusCode::OK);
    let kinds: Vec<_> = activity(&app, &here).await.iter().map(|e| e.kind).collect();
    assert!(
        kinds.contains(&SecurityEventKind::PasswordChanged),
        "{kinds:?}"
    );
}

#[tokio::test]
async fn weak_new_passwords_and_a_wrong_current_one_are_field_errors_not_401() {
    let app = spawn_app().await;
    let ann = app.signed_in("ann", Role::User).await;
    let change =
        |current: &str, new: &str| json!({"current_password": current, "new_password": new});
    for weak in ["short", "passwordpassword", "ann-ann-ann-ann"] {
        let r = app
            .call(&ann, &ChangePassword, Some(change(PASSWORD, weak)))
            .await;
        let body = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::Validation).await;
        let message = body
            .fields
            .get("new_password")
            .expect("an error at new_password");
        assert!(!message.is_empty() && !message.contains(weak), "{message}");
    }
    let r = app
        .call(&ann, &ChangePassword, Some(change("not it", NEW_PASSWORD)))
        .await;
    let body = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::Validation).await;
    assert!(body.fields.contains_key("current_password"), "{body:?}");
    assert_eq!(
        app.call(&ann, &ListNotes::default(), None).await.status(),
        StatusCode::OK,
        "still signed in"
    );
}

#[tokio::test]
async fn wrong_current_passwords_count_toward_the_sign_in_throttle() {
    let app = spawn_app_with(|c| c.login_max_failures = 2).await;
    let ann = app.signed_in("ann", Role::User).await;
    let wrong = json!({"current_password": "not it", "new_password": NEW_PASSWORD});
    for _ in 0..2 {
        let r = app.call(&ann, &ChangePassword, Some(wrong.clone())).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let right = json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD});
    let r = app.call(&ann, &ChangePassword, Some(right)).await;
    expect_error(r, StatusCode::TOO_MANY_REQUESTS, ErrorCode::TooManyRequests).await;
}

#[tokio::test]
async fn reading_the_session_state_does_not_extend_it_but_extending_does() {
    let app = spawn_app_with(|c| c.session_idle_timeout = Duration::from_secs(2)).await;
    let ann = app.signed_in("ann", Role::User).await;
    let first = state(&app, &ann).await;
    wait(Duration::from_millis(300)).await;
    let read = state(&app, &ann).await;
    assert_eq!(
        read.idle_expires_at, first.idle_expires_at,
        "a status read renews nothing"
    );
    assert!(at(&read.now) > at(&first.now));
    let r = app.call(&ann, &ExtendSession, None).await;
    assert_eq!(r.status(), StatusCode::OK);
    let extended: SessionState = r.json().await.unwrap();
    assert!(at(&extended.idle_expires_at) > at(&first.idle_expires_at));
    assert_eq!(extended.absolute_expires_at, first.absolute_expires_at);
    // Polling alone lets the session end at its deadline.
    let deadline = at(&extended.idle_expires_at);
    loop {
        let r = app.call(&ann, &GetSessionState, None).await;
        if r.status() == StatusCode::UNAUTHORIZED {
            assert!(time::OffsetDateTime::now_utc() >= deadline - time::Duration::milliseconds(50));
            expect_error(r, StatusCode::UNAUTHORIZED, ErrorCode::SessionExpired).await;
            break;
        }
        assert!(time::OffsetDateTime::now_utc() < deadline + time::Duration::seconds(1));
        wait(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn a_stale_sign_in_must_confirm_the_password_before_sensitive_actions() {
    let app = spawn_app_with(|c| c.reauth_window = Duration::from_millis(500)).await;
    let ann = app.signed_in("ann", Role::User).await;
    wait(Duration::from_millis(600)).await;
    let r = app.call(&ann, &EndOtherSessions, None).await;
    expect_error(r, StatusCode::FORBIDDEN, ErrorCode::ReauthRequired).await;
    let r = app
        .call(&ann, &Reauthenticate, Some(json!({"password": "not it"})))
        .await;
    let body = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::Validation).await;
    assert!(body.fields.contains_key("password"));
    let r = app
        .call(&ann, &Reauthenticate, Some(json!({"password": PASSWORD})))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let confirmed: SessionState = r.json().await.unwrap();
    assert!(at(&confirmed.reauthenticated_until) > time::OffsetDateTime::now_utc());
    let r = app.call(&ann, &EndOtherSessions, None).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let kinds: Vec<_> = activity(&app, &ann).await.iter().map(|e| e.kind).collect();
    assert_eq!(kinds[0], SecurityEventKind::Reauthenticated, "{kinds:?}");
}

#[tokio::test]
async fn activity_lists_sign_ins_and_failures_newest_first_without_secrets() {
    let app = spawn_app().await;
    app.add_user("ann", Role::User).await;
    let wrong = app
        .login_as(&mut Agent::default(), "ann", "a wrong guess")
        .await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let ann = sign_in_from(&app, "ann", FIREFOX).await;
    // The failure is recorded in the background; poll until it shows.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    let events = loop {
        let events = activity(&app, &ann).await;
        if events.len() >= 2 || std::time::Instant::now() > deadline {
            break events;
        }
        wait(Duration::from_millis(50)).await;
    };
    let kinds: Vec<_> = events.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [SecurityEventKind::SignedIn, SecurityEventKind::SignInFailed]
    );
    assert_eq!(events[0].device.as_deref(), Some("Firefox on Linux"));
    assert_eq!(events[0].address.as_deref(), Some("127.0.0.1"));
    let text = serde_json::to_string(&events).unwrap();
    assert!(!text.contains("a wrong guess") && !text.contains(PASSWORD));
    assert!(!text.contains(&ann.session.as_ref().unwrap().1));
}

/// Creates `name` as an administrator would, returning its one-time password.
async fn created_by_an_administrator(app: &TestApp, admin: &Agent, name: &str) -> String {
    let r = app
        .call(
            admin,
            &CreateUser,
            Some(json!({"username": name, "role": "user"})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let created: gatehouse_api::CreatedAccount = r.json().await.unwrap();
    created.one_time_password.expect("a one-time password")
}

#[tokio::test]
async fn a_new_password_must_differ_from_the_current_one_even_the_first_one_time_password() {
    let app = spawn_app().await;
    let admin = app.signed_in("root", Role::Admin).await;
    let otp = created_by_an_administrator(&app, &admin, "dana").await;
    let mut dana = Agent::default();
    assert_eq!(
        app.login_as(&mut dana, "dana", &otp).await.status(),
        StatusCode::OK
    );
    let same = json!({"current_password": otp, "new_password": otp});
    let r = app.call(&dana, &ChangePassword, Some(same)).await;
    let body = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::Validation).await;
    assert!(
        body.fields["new_password"].contains("different"),
        "{body:?}"
    );
    let r = app.call(&dana, &ListNotes::default(), None).await;
    expect_error(r, StatusCode::FORBIDDEN, ErrorCode::PasswordChangeRequired).await;

    let ann = app.signed_in("ann", Role::User).await;
    let same = json!({"current_password": PASSWORD, "new_password": PASSWORD});
    let r = app.call(&ann, &ChangePassword, Some(same)).await;
    let body = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::Validation).await;
    assert!(body.fields.contains_key("new_password"), "{body:?}");
}

#[tokio::test]
async fn an_account_that_must_change_its_password_can_still_do_so_after_the_reauth_window() {
    let app = spawn_app_with(|c| c.reauth_window = Duration::from_secs(1)).await;
    let admin = app.signed_in("root", Role::Admin).await;
    let otp = created_by_an_administrator(&app, &admin, "dana").await;
    let mut dana = Agent::default();
    assert_eq!(
        app.login_as(&mut dana, "dana", &otp).await.status(),
        StatusCode::OK
    );
    wait(Duration::from_millis(1300)).await;
    let r = app
        .call(&dana, &Reauthenticate, Some(json!({"password": otp})))
        .await;
    assert_eq!(
        r.status(),
        StatusCode::OK,
        "confirming works for such an account"
    );
    wait(Duration::from_millis(1300)).await;
    let change = json!({"current_password": otp, "new_password": NEW_PASSWORD});
    let r = app.call(&dana, &ChangePassword, Some(change)).await;
    assert_eq!(
        r.status(),
        StatusCode::NO_CONTENT,
        "the form's current password is itself the confirmation: {}",
        r.text().await.unwrap()
    );
    let mut again = Agent::default();
    assert_eq!(
        app.login_as(&mut again, "dana", NEW_PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.call(&again, &ListNotes::default(), None).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_browser_signed_out_from_elsewhere_is_told_why() {
    let app = spawn_app().await;
    app.add_user("ann", Role::User).await;
    let here = sign_in_from(&app, "ann", FIREFOX).await;
    let ended = sign_in_from(&app, "ann", CHROME).await;
    let r = app.call(&here, &EndOtherSessions, None).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = app.call(&ended, &ListNotes::default(), None).await;
    expect_error(r, StatusCode::UNAUTHORIZED, ErrorCode::SessionEnded).await;
    // The password changed elsewhere.
    let changed = sign_in_from(&app, "ann", CHROME).await;
    let r = app
        .call(
            &here,
            &ChangePassword,
            Some(json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = app.call(&changed, &ListNotes::default(), None).await;
    expect_error(r, StatusCode::UNAUTHORIZED, ErrorCode::PasswordChanged).await;
    // A cookie no session ever had says only that.
    let stranger = Agent {
        session: Some(("gatehouse_session".into(), "AAAAAAAAAAAAAAAAAAAAAA".into())),
        ..Agent::default()
    };
    let r = app.call(&stranger, &ListNotes::default(), None).await;
    expect_error(r, StatusCode::UNAUTHORIZED, ErrorCode::Unauthenticated).await;
}
