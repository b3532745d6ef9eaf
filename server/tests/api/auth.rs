use std::time::Instant;

use gatehouse_api::endpoints::{CreateNote, ListUsers, Login, Logout, Me};
use gatehouse_api::{Endpoint, ErrorCode, Role, SessionInfo};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn signing_in_returns_the_user_and_sets_an_httponly_session_cookie_and_a_csrf_cookie() {
    let app = spawn_app().await;
    app.add_user("ann", Role::User).await;
    let mut agent = Agent::default();
    let response = app.login_as(&mut agent, "ann", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    let cookies = set_cookies(response.headers());
    let session = cookies
        .iter()
        .find(|c| c.name == "gatehouse_session")
        .expect("session cookie");
    assert!(session.has("HttpOnly"));
    assert_eq!(session.attr("SameSite"), Some("Strict"));
    assert_eq!(session.attr("Path"), Some("/"));
    assert!(!session.has("Domain"));
    assert!(!session.has("Secure"), "plain http public URL");
    let csrf = cookies
        .iter()
        .find(|c| c.name == "CSRF-TOKEN")
        .expect("csrf cookie");
    assert!(!csrf.has("HttpOnly"), "the SPA must read it");
    let info: SessionInfo = response.json().await.unwrap();
    assert_eq!(info.user.username, "ann");
    assert_eq!(info.user.role, Role::User);

    let me: SessionInfo = app.call(&agent, &Me, None).await.json().await.unwrap();
    assert_eq!(me.user, info.user);
}

#[tokio::test]
async fn an_unknown_user_and_a_wrong_password_get_the_same_answer_in_about_the_same_time() {
    let app = spawn_app().await;
    app.add_user("ann", Role::User).await;
    let try_login = |name: &'static str| {
        let app = &app;
        async move {
            let start = Instant::now();
            let r = app
                .login_as(&mut Agent::default(), name, "wrong password")
                .await;
            let elapsed = start.elapsed();
            let status = r.status();
            let cookies = set_cookies(r.headers()).len();
            (status, cookies, r.text().await.unwrap(), elapsed)
        }
    };
    // Warm up, then compare the fastest of a few tries each: a busy machine only adds time.
    try_login("ann").await;
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for _ in 0..3 {
        known.push(try_login("ann").await);
        unknown.push(try_login("nobody").await);
    }
    let (ks, kc, kb, _) = &known[0];
    let (us, uc, ub, _) = &unknown[0];
    assert_eq!(*ks, StatusCode::UNAUTHORIZED);
    assert_eq!(
        (ks, kc, kb),
        (us, uc, ub),
        "identical status, cookies and body"
    );
    assert!(kb.contains("invalid_credentials"));
    let fastest = |v: &[(StatusCode, usize, String, std::time::Duration)]| {
        v.iter().map(|t| t.3).min().unwrap().as_secs_f64()
    };
    let (k, u) = (fastest(&known), fastest(&unknown));
    // Both pay one Argon2 verification; without the dummy hash `unknown` would be ~100x faster.
    assert!(
        u > k / 3.0,
        "unknown user answered in {u:.4}s, known in {k:.4}s"
    );
}

#[tokio::test]
async fn failed_sign_ins_are_throttled_with_retry_after_and_a_success_resets_the_count() {
    let app = spawn_app_with(|c| c.login_max_failures = 3).await;
    app.add_user("ann", Role::User).await;
    for _ in 0..3 {
        let r = app.login_as(&mut Agent::default(), "ann", "nope").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = app.login_as(&mut Agent::default(), "ann", PASSWORD).await;
    let retry: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 0 && retry <= 15 * 60, "{retry}");
    expect_error(r, StatusCode::TOO_MANY_REQUESTS, ErrorCode::TooManyRequests).await;

    // An unknown username is throttled the same way, so 429 reveals nothing.
    for _ in 0..3 {
        app.login_as(&mut Agent::default(), "ghost", "nope").await;
    }
    let r = app.login_as(&mut Agent::default(), "ghost", "nope").await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);

    // Below the limit, a success forgets the failures.
    app.add_user("bob", Role::User).await;
    for _ in 0..2 {
        app.login_as(&mut Agent::default(), "bob", "nope").await;
    }
    assert_eq!(
        app.login_as(&mut Agent::default(), "bob", PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );
    for _ in 0..2 {
        app.login_as(&mut Agent::default(), "bob", "nope").await;
    }
    assert_eq!(
        app.login_as(&mut Agent::default(), "bob", PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn usernames_match_without_regard_to_case_and_surrounding_spaces() {
    let app = spawn_app().await;
    app.add_user("Ann", Role::User).await;
    let r = app
        .login_as(&mut Agent::default(), "  ANN ", PASSWORD)
        .await;
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn signing_out_deletes_the_session_so_the_old_cookie_gets_401() {
    let app = spawn_app().await;
    let mut agent = app.signed_in("ann", Role::User).await;
    let before = agent.clone();
    let r = app.call(&agent, &Logout, None).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let cookies = set_cookies(r.headers());
    for name in ["gatehouse_session", "CSRF-TOKEN"] {
        let c = cookies
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("{name} cleared"));
        assert_eq!(c.attr("Max-Age"), Some("0"), "{name}");
    }
    agent.absorb(r.headers());
    assert!(agent.session.is_none() && agent.csrf.is_none());
    let replay = app.call(&before, &Me, None).await;
    assert_eq!(replay.status(), StatusCode::UNAUTHORIZED);
    let replay = app
        .call(
            &before,
            &CreateNote,
            Some(json!({"title": "x", "body": ""})),
        )
        .await;
    assert_eq!(replay.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn over_https_cookies_are_secure_host_prefixed_and_their_removal_is_secure_too() {
    let app = spawn_app_with(https).await;
    let agent = app.signed_in("ann", Role::User).await;
    assert_eq!(
        agent.session.as_ref().unwrap().0,
        "__Host-gatehouse_session"
    );
    let me = app.call(&agent, &Me, None).await;
    assert_eq!(me.status(), StatusCode::OK);
    assert!(
        me.headers()["strict-transport-security"]
            .to_str()
            .unwrap()
            .contains("max-age=")
    );

    let r = app.call(&agent, &Logout, None).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let cookies = set_cookies(r.headers());
    assert_eq!(cookies.len(), 2, "session and CSRF removals");
    for c in cookies {
        // Browsers ignore a `__Host-` removal without Secure (tower-sessions 0.14 omits it).
        assert!(c.has("Secure"), "{} removal lacks Secure", c.name);
        assert_eq!(c.attr("Path"), Some("/"));
    }
}

#[tokio::test]
async fn health_answers_without_a_session_and_reports_each_dependency() {
    let app = spawn_app().await;
    assert_eq!(
        app.health().await,
        (
            StatusCode::OK,
            deps(&[
                ("database", "sqlite", true),
                ("session_store", "sqlite", true)
            ])
        )
    );
}

#[tokio::test]
async fn the_admin_list_is_for_admins_only() {
    let app = spawn_app().await;
    let user = app.signed_in("ann", Role::User).await;
    let admin = app.signed_in("root", Role::Admin).await;
    expect_error(
        app.call(&user, &ListUsers::default(), None).await,
        StatusCode::FORBIDDEN,
        ErrorCode::Forbidden,
    )
    .await;
    let list: gatehouse_api::UserPage = app
        .call(&admin, &ListUsers::default(), None)
        .await
        .json()
        .await
        .unwrap();
    let names: Vec<_> = list.users.iter().map(|u| u.username.as_str()).collect();
    assert_eq!(names, ["ann", "root"]);
    let text = app
        .call(&admin, &ListUsers::default(), None)
        .await
        .text()
        .await
        .unwrap();
    assert!(!text.contains("argon2"), "hashes never leave the server");
}

async fn failed_login_from(app: &TestApp, username: &str, forwarded_for: &str) -> StatusCode {
    app.http
        .post(app.url(Login::PATH))
        .header("X-Forwarded-For", forwarded_for)
        .json(&serde_json::json!({"username": username, "password": "nope"}))
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_address_throttle_counts_each_forwarded_client() {
    let app = spawn_app_with(|c| {
        c.login_max_failures = 1; // ten failures per address
        c.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await;
    for i in 0..10 {
        assert_eq!(
            failed_login_from(&app, &format!("u{i}"), "198.51.100.1").await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        failed_login_from(&app, "fresh", "198.51.100.1").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        failed_login_from(&app, "fresh", "198.51.100.2").await,
        StatusCode::UNAUTHORIZED,
        "another client behind the same proxy is not locked out"
    );
}

#[tokio::test]
async fn forwarded_for_from_an_untrusted_peer_is_ignored() {
    let app = spawn_app_with(|c| c.login_max_failures = 1).await;
    for i in 0..10 {
        failed_login_from(&app, &format!("u{i}"), &format!("198.51.100.{i}")).await;
    }
    assert_eq!(
        failed_login_from(&app, "fresh", "198.51.100.200").await,
        StatusCode::TOO_MANY_REQUESTS,
        "a made-up X-Forwarded-For does not dodge the per-address limit"
    );
}

/// Signs `name` in with `X-Forwarded-Proto: https`; the response's cookies and HSTS header.
async fn sign_in_forwarded_as_https(app: &TestApp, name: &str) -> (Vec<SetCookie>, bool) {
    let r = app
        .http
        .post(app.url(Login::PATH))
        .header("X-Forwarded-Proto", "https")
        .json(&serde_json::json!({"username": name, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let hsts = r.headers().contains_key("strict-transport-security");
    (set_cookies(r.headers()), hsts)
}

#[tokio::test]
async fn a_trusted_proxy_saying_https_makes_cookies_secure_and_adds_hsts() {
    let app = spawn_app_with(|c| c.trusted_proxies = vec!["127.0.0.1".parse().unwrap()]).await;
    app.add_user("ann", Role::User).await;
    let (cookies, hsts) = sign_in_forwarded_as_https(&app, "ann").await;
    assert_eq!(cookies.len(), 3, "session, CSRF and device cookies");
    assert!(
        cookies.iter().all(|c| c.has("Secure")),
        "every cookie Secure"
    );
    assert!(hsts);
}

#[tokio::test]
async fn forwarded_proto_from_an_untrusted_peer_is_ignored() {
    let app = spawn_app().await;
    app.add_user("ann", Role::User).await;
    let (cookies, hsts) = sign_in_forwarded_as_https(&app, "ann").await;
    assert_eq!(cookies.len(), 3, "session, CSRF and device cookies");
    assert!(
        cookies.iter().all(|c| !c.has("Secure")),
        "no Secure over plain http"
    );
    assert!(!hsts);
}
