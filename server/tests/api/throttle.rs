//! The sign-in throttle: attempts reserved before the password is verified, and a browser that
//! signed in before never locked out by failures made elsewhere.

use gatehouse_api::{ErrorCode, Role};
use gatehouse_server::config::Config;
use reqwest::StatusCode;

use crate::helpers::*;

/// Behind a trusted proxy (this test), so each agent can come from its own address.
pub fn behind_a_proxy(config: &mut Config) {
    config.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
}

pub fn from(address: &str) -> Agent {
    Agent {
        forwarded_for: Some(address.to_string()),
        ..Agent::default()
    }
}

/// Sends `n` sign-ins for `name` with `password` from `agent` all at once; their statuses.
pub async fn at_once(
    on: &Client,
    agent: &Agent,
    name: &str,
    password: &str,
    n: usize,
) -> Vec<StatusCode> {
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..n {
        let (on, mut agent) = (on.clone(), agent.clone());
        let (name, password) = (name.to_string(), password.to_string());
        tasks.spawn(async move { on.login_as(&mut agent, &name, &password).await.status() });
    }
    tasks.join_all().await
}

#[tokio::test]
async fn wrong_passwords_sent_at_the_same_moment_are_verified_no_more_than_the_limit() {
    let app = spawn_app_with(|c| c.login_max_failures = 5).await;
    app.add_user("ann", Role::User).await;
    let statuses = at_once(&app, &Agent::default(), "ann", "not the password", 20).await;
    let verified = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(verified + refused, 20, "{statuses:?}");
    assert!(
        verified <= 5,
        "{verified} of 20 were checked against the hash: {statuses:?}"
    );
}

#[tokio::test]
async fn failures_from_elsewhere_never_lock_out_a_browser_that_signed_in_before() {
    let app = spawn_app_with(|c| {
        behind_a_proxy(c);
        c.login_max_failures = 5;
    })
    .await;
    app.add_user("carol", Role::User).await;
    let mut carols = from("203.0.113.7");
    assert_eq!(
        app.login_as(&mut carols, "carol", PASSWORD).await.status(),
        StatusCode::OK
    );
    assert!(carols.device.is_some(), "a sign-in leaves a device cookie");
    carols.session = None;
    // Guesses from many addresses, and more from carol's own network.
    for i in 0..30 {
        let mut attacker = from(&format!("198.51.100.{}", i % 6));
        app.login_as(&mut attacker, "carol", "guess").await;
    }
    for _ in 0..10 {
        app.login_as(&mut from("203.0.113.7"), "carol", "guess")
            .await;
    }
    let r = app.login_as(&mut carols, "carol", PASSWORD).await;
    assert_eq!(
        r.status(),
        StatusCode::OK,
        "carol is locked out of her own account"
    );
}

#[tokio::test]
async fn an_unknown_client_still_faces_a_per_account_limit_across_addresses() {
    let app = spawn_app_with(|c| {
        behind_a_proxy(c);
        c.login_max_failures = 2;
    })
    .await;
    app.add_user("dave", Role::User).await;
    // Two failures per address, each under its own limit, from many addresses.
    for i in 0..10 {
        for _ in 0..2 {
            app.login_as(&mut from(&format!("198.51.100.{i}")), "dave", "guess")
                .await;
        }
    }
    let r = app.login_as(&mut from("192.0.2.1"), "dave", PASSWORD).await;
    expect_error(r, StatusCode::TOO_MANY_REQUESTS, ErrorCode::TooManyRequests).await;
    // The same for a name that does not exist: nothing tells them apart.
    for i in 0..10 {
        for _ in 0..2 {
            app.login_as(&mut from(&format!("198.51.100.{i}")), "nobody", "guess")
                .await;
        }
    }
    let r = app
        .login_as(&mut from("192.0.2.1"), "nobody", PASSWORD)
        .await;
    expect_error(r, StatusCode::TOO_MANY_REQUESTS, ErrorCode::TooManyRequests).await;
}

#[tokio::test]
async fn a_device_cookie_of_another_account_or_a_forged_one_does_not_help() {
    let app = spawn_app_with(|c| {
        behind_a_proxy(c);
        c.login_max_failures = 2;
    })
    .await;
    app.add_user("erin", Role::User).await;
    app.add_user("mallory", Role::User).await;
    let mut mallory = from("198.51.100.1");
    assert_eq!(
        app.login_as(&mut mallory, "mallory", PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );
    let mallorys = mallory.device.clone().unwrap();
    for i in 0..12 {
        app.login_as(&mut from(&format!("198.51.100.{i}")), "erin", "guess")
            .await;
    }
    let (name, value) = mallorys.clone();
    let forged = (name.clone(), value.replace('.', "_"));
    for device in [mallorys, forged] {
        let mut agent = Agent {
            device: Some(device),
            ..from("198.51.100.99")
        };
        let r = app.login_as(&mut agent, "erin", PASSWORD).await;
        expect_error(r, StatusCode::TOO_MANY_REQUESTS, ErrorCode::TooManyRequests).await;
    }
}

#[tokio::test]
async fn failures_made_with_a_device_cookie_lock_out_that_device_only() {
    let app = spawn_app_with(|c| {
        behind_a_proxy(c);
        c.login_max_failures = 3;
    })
    .await;
    app.add_user("fred", Role::User).await;
    let mut laptop = from("203.0.113.7");
    assert_eq!(
        app.login_as(&mut laptop, "fred", PASSWORD).await.status(),
        StatusCode::OK
    );
    laptop.session = None;
    let statuses = at_once(&app, &laptop, "fred", "guess", 10).await;
    let verified = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    assert!(verified <= 3, "{statuses:?}");
    let r = app.login_as(&mut laptop.clone(), "fred", PASSWORD).await;
    expect_error(r, StatusCode::TOO_MANY_REQUESTS, ErrorCode::TooManyRequests).await;
    let r = app.login_as(&mut from("192.0.2.8"), "fred", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::OK, "another client is not affected");
}

#[tokio::test]
async fn the_device_cookie_is_http_only_strict_long_lived_and_named_for_https() {
    for https_app in [false, true] {
        let app = spawn_app_with(|c| {
            if https_app {
                https(c);
            }
        })
        .await;
        app.add_user("gail", Role::User).await;
        let r = app.login_as(&mut Agent::default(), "gail", PASSWORD).await;
        let cookies = set_cookies(r.headers());
        let device = cookies
            .iter()
            .find(|c| c.name.ends_with("gatehouse_device"))
            .expect("a device cookie");
        assert!(device.has("HttpOnly") && device.attr("SameSite") == Some("Strict"));
        let days = device.attr("Max-Age").unwrap().parse::<i64>().unwrap() / 86_400;
        assert!(days >= 90, "{days} days");
        assert!(!device.value.contains("gail"), "no name in clear");
        assert_eq!(device.name.starts_with("__Host-"), https_app);
        assert_eq!(device.has("Secure"), https_app);
    }
}
