//! No request, signed in or not, costs more than a few milliseconds of the request threads'
//! CPU: the password-strength estimate and Argon2 run on the low-priority hashing threads,
//! after the throttle has reserved the attempt (regression: a 1,024-character new password
//! cost 0.8 s of a request thread, even when the answer was 429).

use std::time::Duration;

use gatehouse_api::endpoints::{ChangePassword, CreateUser, Login, Reauthenticate};
use gatehouse_api::{ErrorCode, Role};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;
use crate::scale::Instance;

/// A few milliseconds, with room for a debug build on a busy machine.
const REQUEST_THREAD_BUDGET: Duration = Duration::from_millis(50);

/// CPU time this thread has run so far (the scheduler's count, in nanoseconds).
fn thread_cpu() -> Duration {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap();
    let ns: u64 = text.split(' ').next().unwrap().trim().parse().unwrap();
    Duration::from_nanos(ns)
}

/// A password of `n` characters with no pattern a guesser would try first: the costliest
/// input for the strength estimate.
fn varied(n: usize) -> String {
    const CHARS: &[u8] = b"qZ7!mK2@vR9#tL4$wX1%yB8^nG3&pD6*hJ5(sF0)cV+eU=aQ-iO_";
    let mut state = 0x2545_f491_u64;
    (0..n)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            CHARS[(state % CHARS.len() as u64) as usize] as char
        })
        .collect()
}

/// `#[tokio::test]` runs the server in this test's thread (a current-thread runtime), so the
/// CPU this thread spends on a request is what a request thread spent on it; hashing and
/// SQLite run on their own threads.
#[tokio::test]
async fn no_request_taking_a_password_costs_the_request_thread_more_than_a_few_milliseconds() {
    let app = spawn_app().await;
    let admin = app.signed_in("root", Role::Admin).await;
    let ann = app.signed_in("ann", Role::User).await;
    let bob = app.signed_in("bob", Role::User).await;
    let longest_new = varied(gatehouse_api::Password::MAX_NEW);
    let longest = varied(gatehouse_api::Password::MAX);
    let anonymous = Agent::default();
    let cases = [
        (
            &ann,
            Call::to(&ChangePassword),
            json!({"current_password": PASSWORD, "new_password": longest}),
        ),
        (
            &ann,
            Call::to(&ChangePassword),
            json!({"current_password": longest, "new_password": longest_new}),
        ),
        (
            &ann,
            Call::to(&Reauthenticate),
            json!({"password": longest}),
        ),
        (
            &anonymous,
            Call::to(&Login),
            json!({"username": "ann", "password": longest}),
        ),
        (
            &admin,
            Call::to(&CreateUser),
            json!({"username": "new1", "role": "user", "password": longest_new}),
        ),
        (
            &admin,
            Call::to(&CreateUser),
            json!({"username": "new2", "role": "user", "password": longest}),
        ),
        (
            &bob,
            Call::to(&ChangePassword),
            json!({"current_password": PASSWORD, "new_password": longest_new}),
        ),
    ];
    let mut over = Vec::new();
    for (agent, request, body) in cases {
        let before = thread_cpu();
        let r = app.send_call(agent, &request, Some(body)).await;
        let spent = thread_cpu() - before;
        let status = r.status();
        assert!(!status.is_server_error(), "{request}: {status}");
        if spent > REQUEST_THREAD_BUDGET {
            over.push(format!(
                "{request} ({status}): {spent:?} of the request thread"
            ));
        }
    }
    assert!(over.is_empty(), "{}", over.join("\n"));
}

#[tokio::test]
async fn a_password_longer_than_the_documented_maximum_is_a_field_error() {
    let app = spawn_app().await;
    let admin = app.signed_in("root", Role::Admin).await;
    let ann = app.signed_in("ann", Role::User).await;
    let too_long = varied(gatehouse_api::Password::MAX_NEW + 1);
    let change = json!({"current_password": PASSWORD, "new_password": too_long});
    let r = app.call(&ann, &ChangePassword, Some(change)).await;
    let body = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::Validation).await;
    let limit = gatehouse_api::Password::MAX_NEW.to_string();
    assert!(body.fields["new_password"].contains(&limit), "{body:?}");
    let create = json!({"username": "dana", "role": "user", "password": too_long});
    let r = app.call(&admin, &CreateUser, Some(create)).await;
    let body = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::Validation).await;
    assert!(body.fields["password"].contains(&limit), "{body:?}");
}

/// The real binary, so that every thread's CPU is the server's alone.
#[tokio::test]
async fn a_throttled_password_change_costs_the_server_neither_an_estimate_nor_a_hash() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("cost.db").display());
    add_user(
        &gatehouse_server::data::db::connect(&database)
            .await
            .unwrap(),
        "ann",
        Role::User,
    )
    .await;
    let server = Instance::start(&database, None, &["--login-max-failures", "2"]);
    let ann = server.sign_in("ann").await;
    let costly = varied(gatehouse_api::Password::MAX_NEW);
    let change = json!({"current_password": "not it", "new_password": costly});
    for _ in 0..2 {
        let r = server
            .call(&ann, &ChangePassword, Some(change.clone()))
            .await;
        expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::Validation).await;
    }
    let before = server.cpu_time();
    const THROTTLED: u32 = 10;
    for _ in 0..THROTTLED {
        let r = server
            .call(&ann, &ChangePassword, Some(change.clone()))
            .await;
        expect_error(r, StatusCode::TOO_MANY_REQUESTS, ErrorCode::TooManyRequests).await;
    }
    let spent = server.cpu_time() - before;
    assert!(
        spent < Duration::from_millis(300),
        "{THROTTLED} throttled password changes cost the server {spent:?} of CPU"
    );
}
