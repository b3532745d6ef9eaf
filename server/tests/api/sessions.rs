use std::time::Duration;

use gatehouse_api::endpoints::{CreateNote, GetSecuredResource, ListNotes, Me};
use gatehouse_api::{Endpoint, ErrorCode, Password, Role, SessionInfo};
use gatehouse_server::admin::{Actor, Admin};
use gatehouse_server::auth::hashing::Hasher;
use gatehouse_server::data::sessions::SessionStore;
use gatehouse_server::data::users::AccountCache;
use gatehouse_server::session;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn every_sign_in_gets_a_new_session_id_even_a_re_login_and_the_old_id_dies() {
    let app = spawn_app().await;
    let mut agent = app.signed_in("ann", Role::User).await;
    let first = agent.clone();
    let r = app.login_as(&mut agent, "ann", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_ne!(agent.session, first.session, "re-login must rotate the id");
    assert_ne!(agent.csrf, first.csrf, "and the CSRF token");
    expect_error(
        app.call(&first, &Me, None).await,
        StatusCode::UNAUTHORIZED,
        ErrorCode::Unauthenticated,
    )
    .await;
    assert_eq!(app.call(&agent, &Me, None).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_session_id_planted_by_someone_else_is_never_adopted() {
    let app = spawn_app().await;
    app.add_user("ann", Role::User).await;
    // A well-formed id the server never issued.
    let planted = (
        "gatehouse_session".to_string(),
        "AAAAAAAAAAAAAAAAAAAAAA".to_string(),
    );
    let mut agent = Agent {
        session: Some(planted.clone()),
        ..Agent::default()
    };
    assert_eq!(
        app.login_as(&mut agent, "ann", PASSWORD).await.status(),
        StatusCode::OK
    );
    assert_ne!(agent.session.as_ref(), Some(&planted));
    let attacker = Agent {
        session: Some(planted),
        ..Agent::default()
    };
    assert_eq!(
        app.call(&attacker, &Me, None).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_session_idle_past_its_timeout_answers_session_expired_and_clears_the_cookies() {
    let app = spawn_app_with(|c| c.session_idle_timeout = Duration::from_millis(1500)).await;
    let agent = app.signed_in("ann", Role::User).await;
    wait(Duration::from_millis(1700)).await;
    let r = app.call(&agent, &GetSecuredResource, None).await;
    let cleared: Vec<_> = set_cookies(r.headers())
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert!(
        cleared.contains(&"CSRF-TOKEN".to_string())
            && cleared.contains(&"gatehouse_session".to_string())
    );
    expect_error(r, StatusCode::UNAUTHORIZED, ErrorCode::SessionExpired).await;
}

#[tokio::test]
async fn every_request_still_carrying_an_expired_cookie_is_told_session_expired() {
    let app = spawn_app_with(|c| c.session_idle_timeout = Duration::from_millis(1500)).await;
    let agent = app.signed_in("ann", Role::User).await;
    wait(Duration::from_millis(1700)).await;
    // A page's parallel requests: whichever lands second must not be told `unauthenticated`.
    let notes = ListNotes::default();
    let (first, second) = tokio::join!(app.call(&agent, &notes, None), app.call(&agent, &Me, None));
    expect_error(first, StatusCode::UNAUTHORIZED, ErrorCode::SessionExpired).await;
    expect_error(second, StatusCode::UNAUTHORIZED, ErrorCode::SessionExpired).await;
    let later = app.call(&agent, &ListNotes::default(), None).await;
    expect_error(later, StatusCode::UNAUTHORIZED, ErrorCode::SessionExpired).await;
}

#[tokio::test]
async fn reads_count_as_activity_and_renew_the_idle_timer() {
    let app = spawn_app_with(|c| c.session_idle_timeout = Duration::from_millis(1500)).await;
    let agent = app.signed_in("ann", Role::User).await;
    // Active for twice the idle timeout, with GETs only.
    for _ in 0..6 {
        wait(Duration::from_millis(500)).await;
        assert_eq!(
            app.call(&agent, &ListNotes::default(), None).await.status(),
            StatusCode::OK
        );
    }
}

#[tokio::test]
async fn an_active_session_still_ends_at_its_absolute_lifetime() {
    let app = spawn_app_with(|c| c.session_max_lifetime = Duration::from_millis(2000)).await;
    let agent = app.signed_in("ann", Role::User).await;
    let info: SessionInfo = app.call(&agent, &Me, None).await.json().await.unwrap();
    assert!(!info.expires_at.is_empty());
    let mut last = StatusCode::OK;
    for _ in 0..6 {
        wait(Duration::from_millis(500)).await;
        last = app.call(&agent, &ListNotes::default(), None).await.status();
        if last != StatusCode::OK {
            break;
        }
    }
    assert_eq!(
        last,
        StatusCode::UNAUTHORIZED,
        "still signed in past the absolute lifetime"
    );
}

#[tokio::test]
async fn a_password_change_or_a_removed_account_ends_existing_sessions() {
    let app = spawn_app().await;
    let ann = app.signed_in("ann", Role::User).await;
    let bob = app.signed_in("bob", Role::User).await;
    // As the server's `user` command does it, from another process with its own caches.
    let store = SessionStore::in_database(&app.db, session::account_of);
    let (accounts, hasher) = (AccountCache::new(app.db.clone()), Hasher::new(1));
    let command_line = Admin {
        db: &app.db,
        store: &store,
        accounts: &accounts,
        hasher: &hasher,
    };
    let ann_id = id_of(&app.db, "ann").await;
    let password = Password::new_account("a new password").unwrap();
    command_line
        .change_password(Actor::CommandLine, ann_id, &password)
        .await
        .unwrap();
    // Changed by another process (as `user passwd` does): it takes effect within the
    // account cache's lifetime.
    let ended = app
        .poll_status(&ann, &ListNotes::default(), StatusCode::UNAUTHORIZED)
        .await;
    expect_error(ended, StatusCode::UNAUTHORIZED, ErrorCode::SessionExpired).await;
    let mut again = Agent::default();
    assert_eq!(
        app.login_as(&mut again, "ann", "a new password")
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.call(&again, &ListNotes::default(), None).await.status(),
        StatusCode::OK
    );

    assert_eq!(
        app.call(&bob, &ListNotes::default(), None).await.status(),
        StatusCode::OK,
        "others unaffected"
    );
    let bob_id = id_of(&app.db, "bob").await;
    command_line
        .remove(Actor::CommandLine, bob_id)
        .await
        .unwrap();
    app.poll_status(&bob, &ListNotes::default(), StatusCode::UNAUTHORIZED)
        .await;
}

#[tokio::test]
async fn sessions_and_notes_survive_a_server_restart() {
    let mut app = spawn_app().await;
    let agent = app.signed_in("ann", Role::User).await;
    let r = app
        .call(
            &agent,
            &CreateNote,
            Some(json!({"title": "keep", "body": "me"})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    app.restart().await;
    let notes = app
        .call(&agent, &ListNotes::default(), None)
        .await
        .json::<gatehouse_api::NotePage>()
        .await
        .unwrap()
        .notes;
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].title, "keep");
    let r = app
        .call(
            &agent,
            &CreateNote,
            Some(json!({"title": "after", "body": ""})),
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::CREATED,
        "the CSRF token survives too"
    );
}

#[tokio::test]
async fn a_failing_session_store_fails_closed_with_503() {
    let mut app = spawn_app().await;
    let agent = app.signed_in("ann", Role::User).await;
    // A restart empties the in-memory cache, so the session must come from the broken store.
    app.restart().await;
    let gatehouse_server::data::db::Db::Sqlite(pool) = &app.db else {
        panic!("the default database is SQLite");
    };
    sqlx::query("DROP TABLE sessions")
        .execute(pool)
        .await
        .unwrap();
    let r = app.call(&agent, &GetSecuredResource, None).await;
    let body = expect_error(r, StatusCode::SERVICE_UNAVAILABLE, ErrorCode::Unavailable).await;
    assert!(
        !body.message.contains("sessions"),
        "no internals: {}",
        body.message
    );
    let r = app.login_as(&mut Agent::default(), "ann", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
}

/// Reads whose idle clock is due for renewal write the session back; racing a sign-out, none
/// may bring it back (tower-sessions' SQL stores upserted, so one could).
#[tokio::test]
async fn a_sign_out_is_final_even_while_reads_that_renew_the_session_are_in_flight() {
    // Renewal is due after a tenth of the idle timeout: 200 ms.
    let app = spawn_app_with(|c| c.session_idle_timeout = Duration::from_secs(2)).await;
    app.add_user("ann", Role::User).await;
    // Let the idle clock fall due for renewal before each race, so every read writes.
    assert_sign_out_is_final_under_racing_reads(&[&*app], "ann", 12, Duration::from_millis(250))
        .await;
}

/// The stored record's expiry, in seconds from now, for every stored session.
async fn stored_session_lifetimes(db: &gatehouse_server::data::db::Db) -> Vec<i64> {
    let gatehouse_server::data::db::Db::Sqlite(pool) = db else {
        panic!("the default database is SQLite");
    };
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    sqlx::query_scalar::<_, i64>(STORED_EXPIRY_SQL)
        .fetch_all(pool)
        .await
        .unwrap()
        .into_iter()
        .map(|at| at - now)
        .collect()
}

const STORED_EXPIRY_SQL: &str = "SELECT expires_at FROM sessions";

#[tokio::test]
async fn a_renewed_session_is_stored_only_until_its_own_deadline_and_the_cookie_keeps_a_max_age() {
    let idle = Duration::from_secs(2);
    let app = spawn_app_with(|c| c.session_idle_timeout = idle).await;
    let agent = app.signed_in("ann", Role::User).await;
    // Kept an hour past its deadline, to answer `session_expired`: never two weeks.
    let bound = (idle + Duration::from_secs(3600)).as_secs() as i64 + 2;
    for lifetime in stored_session_lifetimes(&app.db).await {
        assert!(lifetime <= bound, "stored for {lifetime} s after sign-in");
    }
    wait(Duration::from_millis(250)).await;
    let renewed = app.call(&agent, &ListNotes::default(), None).await;
    assert_eq!(renewed.status(), StatusCode::OK);
    for cookie in set_cookies(renewed.headers()) {
        if cookie.name == "gatehouse_session" {
            let max_age: i64 = cookie.attr("Max-Age").expect("a Max-Age").parse().unwrap();
            assert!(max_age > 0 && max_age <= bound, "cookie Max-Age {max_age}");
        }
    }
    let lifetimes = stored_session_lifetimes(&app.db).await;
    assert_eq!(lifetimes.len(), 1);
    assert!(
        lifetimes[0] <= bound,
        "stored for {} s after a renewal",
        lifetimes[0]
    );
}

/// Makes every write to the session table fail, as a full disk would.
async fn refuse_session_updates(db: &gatehouse_server::data::db::Db) {
    let gatehouse_server::data::db::Db::Sqlite(pool) = db else {
        panic!("the default database is SQLite");
    };
    let trigger = format!(
        "CREATE TRIGGER refuse_session_updates BEFORE UPDATE ON {SESSIONS_TABLE} \
         BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
    );
    sqlx::query(&trigger).execute(pool).await.unwrap();
}

const SESSIONS_TABLE: &str = "sessions";

#[tokio::test]
async fn a_session_store_that_cannot_save_answers_503_not_500() {
    let app = spawn_app_with(|c| c.session_idle_timeout = Duration::from_secs(2)).await;
    let agent = app.signed_in("ann", Role::User).await;
    refuse_session_updates(&app.db).await;
    // The idle clock is due for renewal, which writes the session.
    wait(Duration::from_millis(250)).await;
    let renewal = app.call(&agent, &ListNotes::default(), None).await;
    expect_error(
        renewal,
        StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::Unavailable,
    )
    .await;
    // Sign-in writes the new session twice (before answering, and tower-sessions at the end).
    let sign_in = app.login_as(&mut Agent::default(), "ann", PASSWORD).await;
    expect_error(
        sign_in,
        StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::Unavailable,
    )
    .await;
}

/// A sibling subdomain over plain http can plant a second cookie of the same name (cookie
/// tossing); which one the server reads must not be up to the order.
#[tokio::test]
async fn a_request_with_two_session_cookies_counts_as_carrying_no_session() {
    let app = spawn_app().await;
    let ann = app.signed_in("ann", Role::User).await;
    let (name, value) = ann.session.clone().unwrap();
    for cookies in [
        format!("{name}={value}; {name}=AAAAAAAAAAAAAAAAAAAAAA"),
        format!("{name}=AAAAAAAAAAAAAAAAAAAAAA; {name}={value}"),
        format!("{name}={value}; {name}={value}"),
    ] {
        let r = app
            .http
            .get(app.url(Me::PATH))
            .header("Cookie", cookies.as_str())
            .send()
            .await
            .unwrap();
        expect_error(r, StatusCode::UNAUTHORIZED, ErrorCode::Unauthenticated).await;
    }
    // Across two Cookie headers too.
    let r = app
        .http
        .get(app.url(Me::PATH))
        .header("Cookie", format!("{name}={value}"))
        .header("Cookie", format!("{name}=AAAAAAAAAAAAAAAAAAAAAA"))
        .send()
        .await
        .unwrap();
    expect_error(r, StatusCode::UNAUTHORIZED, ErrorCode::Unauthenticated).await;
    assert_eq!(app.call(&ann, &Me, None).await.status(), StatusCode::OK);
}
