use gatehouse_api::endpoints::{CreateNote, ListNotes, Login, Me};
use gatehouse_api::{Endpoint, ErrorCode, Role};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

fn note() -> Option<serde_json::Value> {
    Some(json!({"title": "t", "body": "b"}))
}

#[tokio::test]
async fn unsafe_requests_need_the_sessions_csrf_token_in_the_header() {
    let app = spawn_app().await;
    let agent = app.signed_in("ann", Role::User).await;
    let missing = Agent {
        csrf: None,
        ..agent.clone()
    };
    expect_error(
        app.call(&missing, &CreateNote, note()).await,
        StatusCode::FORBIDDEN,
        ErrorCode::CsrfFailed,
    )
    .await;
    let wrong = Agent {
        csrf: Some("not-the-token".into()),
        ..agent.clone()
    };
    expect_error(
        app.call(&wrong, &CreateNote, note()).await,
        StatusCode::FORBIDDEN,
        ErrorCode::CsrfFailed,
    )
    .await;
    assert_eq!(
        app.call(&agent, &CreateNote, note()).await.status(),
        StatusCode::CREATED
    );
    // Safe methods need no token.
    assert_eq!(
        app.call(&missing, &ListNotes::default(), None)
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_csrf_token_from_one_session_is_refused_in_another() {
    let app = spawn_app().await;
    let ann = app.signed_in("ann", Role::User).await;
    let bob = app.signed_in("bob", Role::User).await;
    let mixed = Agent {
        csrf: bob.csrf.clone(),
        ..ann.clone()
    };
    expect_error(
        app.call(&mixed, &CreateNote, note()).await,
        StatusCode::FORBIDDEN,
        ErrorCode::CsrfFailed,
    )
    .await;
}

#[tokio::test]
async fn a_foreign_origin_or_cross_site_fetch_metadata_is_refused_even_for_sign_in() {
    let app = spawn_app().await;
    app.add_user("ann", Role::User).await;
    let login = |origin: Option<&'static str>, site: Option<&'static str>| {
        let mut req = app
            .http
            .post(app.url(Login::PATH))
            .json(&json!({"username": "ann", "password": PASSWORD}));
        if let Some(o) = origin {
            req = req.header("Origin", o);
        }
        if let Some(s) = site {
            req = req.header("Sec-Fetch-Site", s);
        }
        req.send()
    };
    expect_error(
        login(Some("https://evil.example"), None).await.unwrap(),
        StatusCode::FORBIDDEN,
        ErrorCode::CsrfFailed,
    )
    .await;
    expect_error(
        login(None, Some("cross-site")).await.unwrap(),
        StatusCode::FORBIDDEN,
        ErrorCode::CsrfFailed,
    )
    .await;
    let own = app.base.clone();
    let own: &'static str = Box::leak(own.into_boxed_str());
    assert_eq!(
        login(Some(own), Some("same-origin"))
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );

    let agent = app.signed_in("bob", Role::User).await;
    let r = app
        .http
        .post(app.url(CreateNote::PATH))
        .header(
            "Cookie",
            format!(
                "{}={}",
                agent.session.as_ref().unwrap().0,
                agent.session.as_ref().unwrap().1
            ),
        )
        .header("X-CSRF-TOKEN", agent.csrf.as_ref().unwrap())
        .header("Sec-Fetch-Site", "cross-site")
        .json(&json!({"title": "t", "body": ""}))
        .send()
        .await
        .unwrap();
    expect_error(r, StatusCode::FORBIDDEN, ErrorCode::CsrfFailed).await;
}

#[tokio::test]
async fn the_csrf_cookie_lives_as_long_as_the_session_cookie() {
    let app = spawn_app().await;
    app.add_user("ann", Role::User).await;
    let mut agent = Agent::default();
    let response = app.login_as(&mut agent, "ann", PASSWORD).await;
    let cookies = set_cookies(response.headers());
    let max_age = |name: &str| {
        let cookie = cookies.iter().find(|c| c.name == name).expect(name);
        cookie
            .attr("Max-Age")
            .expect("a Max-Age")
            .parse::<i64>()
            .unwrap()
    };
    let (session, csrf) = (max_age("gatehouse_session"), max_age("CSRF-TOKEN"));
    assert!(session > 0);
    assert!(
        (session - csrf).abs() <= 1,
        "a browser restart keeps the session cookie ({session} s), so it must keep the CSRF one \
         ({csrf} s)"
    );
}

#[tokio::test]
async fn a_browser_that_lost_its_csrf_cookie_gets_it_back_before_its_next_change() {
    let app = spawn_app().await;
    let agent = app.signed_in("ann", Role::User).await;
    let token = agent.csrf.clone().unwrap();
    // A browser restart ended the CSRF cookie of an older server (it had no Max-Age).
    let mut restarted = Agent {
        csrf: None,
        ..agent.clone()
    };
    let response = app.call(&restarted, &Me, None).await;
    assert_eq!(response.status(), StatusCode::OK);
    let csrf = set_cookies(response.headers())
        .into_iter()
        .find(|c| c.name == "CSRF-TOKEN")
        .expect("the CSRF cookie, sent again");
    assert_eq!(csrf.value, token, "the session's own token");
    assert!(csrf.attr("Max-Age").is_some_and(|s| s != "0"));
    restarted.absorb(response.headers());
    assert_eq!(
        app.call(&restarted, &CreateNote, note()).await.status(),
        StatusCode::CREATED
    );
    // A browser that has it is not sent it again on every request.
    let again = app.call(&restarted, &ListNotes::default(), None).await;
    assert!(set_cookies(again.headers()).is_empty());
}
