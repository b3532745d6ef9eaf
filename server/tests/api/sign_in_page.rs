//! `/login` before the app has taken it over: the pre-rendered page, and its form posted as a
//! plain HTML form (a submit before the wasm arrived, or JavaScript off).

use gatehouse_api::Role;
use gatehouse_api::endpoints::Me;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_SECURITY_POLICY, LOCATION, ORIGIN};

use crate::helpers::*;

/// Posts the sign-in form as a browser does, from the page at `page`.
async fn post_form(app: &TestApp, page: &str, username: &str, password: &str) -> reqwest::Response {
    app.http
        .post(app.url(page))
        .header(ORIGIN, app.base.clone())
        .header("Sec-Fetch-Site", "same-origin")
        .form(&[("username", username), ("password", password)])
        .send()
        .await
        .unwrap()
}

fn location(r: &reqwest::Response) -> &str {
    r.headers().get(LOCATION).unwrap().to_str().unwrap()
}

#[tokio::test]
async fn a_posted_sign_in_form_signs_in_and_goes_on_to_next() {
    let app = spawn_app().await;
    app.add_user("ann", Role::User).await;
    let r = post_form(&app, "/login?next=%2Fnotes%2F3%3Ftab%3Da", "ann", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/notes/3?tab=a");
    let mut agent = Agent::default();
    agent.absorb(r.headers());
    assert!(
        agent.session.is_some() && agent.csrf.is_some(),
        "session and CSRF cookies"
    );
    assert!(
        agent.device.is_some(),
        "the device cookie, as for the API's sign-in"
    );
    let me = app.call(&agent, &Me, None).await;
    assert_eq!(me.status(), StatusCode::OK);
}

#[tokio::test]
async fn without_a_safe_next_a_posted_sign_in_goes_to_the_dashboard() {
    let app = spawn_app().await;
    app.add_user("ann", Role::User).await;
    for page in [
        "/login",
        "/login?next=%2F%2Fevil.example",
        "/login?next=%2Flogin",
    ] {
        let r = post_form(&app, page, "ann", PASSWORD).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{page}");
        assert_eq!(location(&r), "/dashboard", "{page}");
    }
}

#[tokio::test]
async fn a_wrong_password_posted_comes_back_to_the_sign_in_page_with_the_reason_and_no_session() {
    let app = spawn_app().await;
    app.add_user("ann", Role::User).await;
    let r = post_form(&app, "/login?next=%2Fnotes", "ann", "not the password").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&r),
        "/login?reason=invalid_credentials&next=%2Fnotes"
    );
    // The username typed goes back in a cookie only the sign-in page reads, not the address.
    let kept = set_cookies(r.headers())
        .into_iter()
        .find(|c| c.name == "gatehouse_sign_in_name")
        .expect("the username kept");
    assert!(kept.has("HttpOnly"));
    assert_eq!(kept.attr("Path"), Some("/login"));
    assert_eq!(kept.attr("Max-Age"), Some("60"));
    assert!(
        !kept.value.contains("ann"),
        "encoded, not the name as typed"
    );
    let mut agent = Agent::default();
    agent.absorb(r.headers());
    assert!(agent.session.is_none() && agent.device.is_none());
    let r = post_form(&app, "/login", "", "").await;
    assert_eq!(location(&r), "/login?reason=validation");
}

#[tokio::test]
async fn posted_sign_ins_count_toward_the_same_throttle() {
    let app = spawn_app_with(|c| c.login_max_failures = 2).await;
    app.add_user("ann", Role::User).await;
    for _ in 0..2 {
        let r = post_form(&app, "/login", "ann", "not the password").await;
        assert_eq!(location(&r), "/login?reason=invalid_credentials");
    }
    let r = post_form(&app, "/login", "ann", PASSWORD).await;
    assert_eq!(location(&r), "/login?reason=too_many_requests");
}

#[tokio::test]
async fn a_sign_in_form_posted_from_another_site_is_refused() {
    let app = spawn_app().await;
    app.add_user("ann", Role::User).await;
    let r = app
        .http
        .post(app.url("/login"))
        .header(ORIGIN, "https://evil.example")
        .header("Sec-Fetch-Site", "cross-site")
        .form(&[("username", "ann"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let mut agent = Agent::default();
    agent.absorb(r.headers());
    assert!(agent.session.is_none());
}

#[tokio::test]
async fn the_pre_rendered_sign_in_page_is_served_at_login_with_its_style_in_the_csp() {
    let app = spawn_app_with(|c| {
        std::fs::write(
            c.dist.join("login.html"),
            "<!doctype html><style>h1{color:red}</style><h1>Sign in</h1><form method=\"post\"></form>",
        )
        .unwrap();
    })
    .await;
    let r = app.get(&Agent::default(), "/login?next=%2Fnotes").await;
    assert_eq!(r.status(), StatusCode::OK);
    let csp = r.headers()[CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_string();
    // echo -n 'h1{color:red}' | openssl dgst -sha256 -binary | base64
    let style = "'sha256-/D8wWMrWSOjeD/K4IHepvRvJjPxqJbouCB3qbqmBaqY='";
    assert!(csp.contains(&format!("style-src 'self' {style}")), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert!(r.text().await.unwrap().contains("<h1>Sign in</h1>"));
    // Every other route still gets the app's index.html.
    let other = app
        .get(&Agent::default(), "/notes")
        .await
        .text()
        .await
        .unwrap();
    assert!(other.contains("boot()"), "{other}");
}
