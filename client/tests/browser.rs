//! The API client hook and the guard in a real headless Chromium, against a scripted `fetch`.

#![cfg(target_arch = "wasm32")]

mod common;

use std::cell::RefCell;
use std::rc::Rc;

use common::*;
use gatehouse_api::endpoints::GetSessionState;
use gatehouse_api::{Endpoint, ErrorBody, ErrorCode, Method, NewNote, NotePage};
use gatehouse_client::{ApiError, AuthProvider, Request, RequireAuth, json};
use wasm_bindgen_test::*;
use yew::prelude::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn a_401_replaces_the_page_with_login_remembering_path_query_and_hash() {
    script(
        "/notes/7?tab=a#sec",
        vec![Reply::error(401, "session_expired", "ended")],
    );
    let (results, app) = mount_caller(vec![Request::get("/api/things")]);
    wait_until("the request settles", || results.borrow().len() == 1).await;
    assert_eq!(results.borrow()[0], Err(ApiError::Redirecting));
    assert_eq!(
        location(),
        "/login?next=%2Fnotes%2F7%3Ftab%3Da%23sec&reason=session_expired"
    );
    assert_eq!(history_changes(), 1, "one replaceState, no push");
    app.destroy();
}

#[wasm_bindgen_test]
async fn a_403_sends_to_login_with_the_servers_reason() {
    script("/admin", vec![Reply::error(403, "forbidden", "no")]);
    let (results, app) = mount_caller(vec![Request::get("/api/admin/things")]);
    wait_until("the request settles", || results.borrow().len() == 1).await;
    assert_eq!(results.borrow()[0], Err(ApiError::Redirecting));
    assert_eq!(location(), "/login?next=%2Fadmin&reason=forbidden");
    app.destroy();

    script(
        "/notes/1",
        vec![Reply::error(403, "csrf_failed", "bad token")],
    );
    let (results, app) = mount_caller(vec![Request::put("/api/things/1").json(&1)]);
    wait_until("the request settles", || results.borrow().len() == 1).await;
    assert_eq!(location(), "/login?next=%2Fnotes%2F1&reason=csrf_failed");
    app.destroy();
}

#[wasm_bindgen_test]
async fn ten_requests_failing_together_with_401_navigate_exactly_once() {
    script(
        "/dashboard",
        vec![Reply::error(401, "unauthenticated", "sign in").after(20)],
    );
    let requests = (0..10)
        .map(|i| Request::get(format!("/api/things/{i}")))
        .collect();
    let (results, app) = mount_caller(requests);
    wait_until("all ten settle", || results.borrow().len() == 10).await;
    assert!(
        results
            .borrow()
            .iter()
            .all(|r| *r == Err(ApiError::Redirecting))
    );
    assert_eq!(history_changes(), 1);
    assert_eq!(
        location(),
        "/login?next=%2Fdashboard&reason=unauthenticated"
    );
    app.destroy();
}

#[wasm_bindgen_test]
async fn a_500_with_a_body_reaches_the_component_with_code_and_message_and_is_not_retried() {
    script(
        "/notes",
        vec![Reply::error(500, "internal", "internal error")],
    );
    let (results, app) = mount_caller(vec![Request::get("/api/things")]);
    wait_until("the request settles", || results.borrow().len() == 1).await;
    let Err(ApiError::Http { status, body }) = &results.borrow()[0] else {
        panic!("{:?}", results.borrow()[0]);
    };
    assert_eq!(
        (*status, body.code, body.message.as_str()),
        (500, ErrorCode::Internal, "internal error")
    );
    assert_eq!(location(), "/notes", "no navigation");
    assert_eq!(calls().len(), 1);
    app.destroy();
}

#[wasm_bindgen_test]
fn a_server_message_reads_as_a_sentence_in_any_script() {
    let error = |message: &str| ApiError::Http {
        status: 409,
        body: ErrorBody {
            code: ErrorCode::Conflict,
            message: message.into(),
            fields: Default::default(),
            methods: Vec::new(),
        },
    };
    assert_eq!(error("édition refusée").message(), "Édition refusée.");
    assert_eq!(error("ßtraße zu").message(), "SStraße zu.");
    assert_eq!(error("wrong password").message(), "Wrong password.");
}

#[wasm_bindgen_test]
async fn a_validation_error_carries_its_field_messages() {
    script(
        "/notes",
        vec![Reply::json(
            422,
            r#"{"code":"validation","message":"some fields are invalid","fields":{"title":"must not be empty"}}"#,
        )],
    );
    let (results, app) = mount_caller(vec![
        Request::post("/api/things").json(&serde_json::json!({})),
    ]);
    wait_until("the request settles", || results.borrow().len() == 1).await;
    let err = results.borrow()[0].clone().unwrap_err();
    assert_eq!(err.field("title"), Some("must not be empty"));
    app.destroy();
}

#[wasm_bindgen_test]
async fn a_get_retries_a_network_failure_twice_then_reports_it_and_a_post_never_retries() {
    script("/notes", vec![Reply::network_failure()]);
    let (results, app) = mount_caller(vec![Request::get("/api/things")]);
    wait_until("the request settles", || results.borrow().len() == 1).await;
    assert!(
        matches!(results.borrow()[0], Err(ApiError::Network(_))),
        "{:?}",
        results.borrow()[0]
    );
    assert_eq!(calls().len(), 3, "one try and two retries");
    app.destroy();

    script("/notes", vec![Reply::network_failure()]);
    let (results, app) = mount_caller(vec![Request::post("/api/things").json(&1)]);
    wait_until("the request settles", || results.borrow().len() == 1).await;
    assert!(matches!(results.borrow()[0], Err(ApiError::Network(_))));
    assert_eq!(calls().len(), 1, "POST is not idempotent");
    app.destroy();
}

#[wasm_bindgen_test]
async fn a_get_that_meets_a_503_is_retried_and_can_succeed() {
    script(
        "/notes",
        vec![
            Reply::error(503, "unavailable", "busy"),
            Reply::json(200, "[1,2]"),
        ],
    );
    let (results, app) = mount_caller(vec![Request::get("/api/things")]);
    wait_until("the request settles", || results.borrow().len() == 1).await;
    assert_eq!(results.borrow()[0], Ok(serde_json::json!([1, 2])));
    assert_eq!(calls().len(), 2);
    app.destroy();
}

#[wasm_bindgen_test]
async fn a_body_that_is_not_json_is_a_decode_error() {
    script("/notes", vec![Reply::json(200, "<html>surprise</html>")]);
    let (results, app) = mount_caller(vec![Request::get("/api/things")]);
    wait_until("the request settles", || results.borrow().len() == 1).await;
    assert!(
        matches!(results.borrow()[0], Err(ApiError::Decode(_))),
        "{:?}",
        results.borrow()[0]
    );
    app.destroy();
}

#[wasm_bindgen_test]
async fn a_call_that_handles_auth_errors_itself_gets_the_401_and_nothing_navigates() {
    script(
        "/notes",
        vec![Reply::error(
            401,
            "invalid_credentials",
            "wrong username or password",
        )],
    );
    let (results, app) = mount_caller(vec![
        Request::post("/api/sign-in").json(&1).handle_auth_errors(),
    ]);
    wait_until("the request settles", || results.borrow().len() == 1).await;
    let err = results.borrow()[0].clone().unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::InvalidCredentials));
    assert_eq!(location(), "/notes");
    assert_eq!(history_changes(), 0);
    app.destroy();
}

#[wasm_bindgen_test]
async fn unmounting_aborts_the_request_in_flight_and_the_abort_is_silent() {
    script("/notes", vec![Reply::json(200, "[]").after(2_000)]);
    let (results, app) = mount_caller(vec![Request::get("/api/things")]);
    wait_until("the request is sent", || calls().len() == 1).await;
    app.destroy();
    wait_until("the request settles", || results.borrow().len() == 1).await;
    assert_eq!(aborted_count(), 1);
    assert_eq!(results.borrow()[0], Err(ApiError::Aborted));
    assert!(results.borrow()[0].as_ref().unwrap_err().is_silent());
}

#[wasm_bindgen_test]
async fn unsafe_methods_carry_the_csrf_cookie_in_a_header_and_gets_do_not() {
    let document: web_sys::HtmlDocument =
        wasm_bindgen::JsCast::unchecked_into(web_sys::window().unwrap().document().unwrap());
    document.set_cookie("CSRF-TOKEN=tok123; path=/").unwrap();
    script("/notes", vec![Reply::json(200, "{}")]);
    let (results, app) = mount_caller(vec![Request::post("/api/things").json(&1)]);
    wait_until("the post settles", || results.borrow().len() == 1).await;
    app.destroy();
    let (results, app) = mount_caller(vec![
        Request::get("/api/things"),
        Request::delete("/api/things/1"),
    ]);
    wait_until("both settle", || results.borrow().len() == 2).await;
    app.destroy();
    document
        .set_cookie("CSRF-TOKEN=; path=/; max-age=0")
        .unwrap();
    let calls = calls();
    let by_method = |m: &str| calls.iter().find(|c| c.method == m).unwrap();
    assert_eq!(by_method("POST").csrf.as_deref(), Some("tok123"));
    assert_eq!(by_method("DELETE").csrf.as_deref(), Some("tok123"));
    assert_eq!(by_method("GET").csrf, None);
}

#[wasm_bindgen_test]
async fn a_change_refused_for_a_lost_csrf_cookie_asks_for_the_token_and_is_sent_once_more() {
    let document: web_sys::HtmlDocument =
        wasm_bindgen::JsCast::unchecked_into(web_sys::window().unwrap().document().unwrap());
    script(
        "/notes",
        vec![
            Reply::error(403, "csrf_failed", "The CSRF token is missing."),
            Reply::json(200, "{}").setting_cookie("CSRF-TOKEN=restored; path=/"),
            Reply::json(201, r#"{"id":1}"#),
        ],
    );
    let (results, app) = mount_caller(vec![Request::post("/api/things").json(&1)]);
    wait_until("the post settles", || results.borrow().len() == 1).await;
    app.destroy();
    document
        .set_cookie("CSRF-TOKEN=; path=/; max-age=0")
        .unwrap();
    assert_eq!(results.borrow()[0], Ok(serde_json::json!({"id": 1})));
    let calls = calls();
    let sent: Vec<_> = calls
        .iter()
        .map(|c| (c.method.as_str(), c.path.as_str(), c.csrf.as_deref()))
        .collect();
    assert_eq!(
        sent,
        [
            ("POST", "/api/things", None),
            ("GET", GetSessionState::PATH, None),
            ("POST", "/api/things", Some("restored")),
        ]
    );
    assert_eq!(history_changes(), 0, "nobody was sent to sign in");
}

#[wasm_bindgen_test]
async fn a_change_refused_for_a_wrong_csrf_token_is_not_sent_again() {
    let document: web_sys::HtmlDocument =
        wasm_bindgen::JsCast::unchecked_into(web_sys::window().unwrap().document().unwrap());
    document.set_cookie("CSRF-TOKEN=stale; path=/").unwrap();
    script(
        "/notes",
        vec![Reply::error(403, "csrf_failed", "The CSRF token is wrong.")],
    );
    let (results, app) = mount_caller(vec![Request::post("/api/things").json(&1)]);
    wait_until("the post settles", || results.borrow().len() == 1).await;
    app.destroy();
    document
        .set_cookie("CSRF-TOKEN=; path=/; max-age=0")
        .unwrap();
    assert_eq!(calls().len(), 1);
    assert!(matches!(
        results.borrow()[0],
        Err(ApiError::Redirecting | ApiError::SignInRequired { .. })
    ));
}

/// A session check, as an app declares one.
#[derive(Clone, PartialEq)]
struct WhoAmI;

impl Endpoint for WhoAmI {
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "/api/whoami";
    type Request = ();
    type Response = serde_json::Value;
}

#[function_component]
fn GuardedApp() -> Html {
    html! {
        <Harness>
            <AuthProvider<WhoAmI> check={WhoAmI} login_path="/login">
                <RequireAuth<serde_json::Value>><p id="secret">{ "SECRET" }</p></RequireAuth<serde_json::Value>>
            </AuthProvider<WhoAmI>>
        </Harness>
    }
}

#[wasm_bindgen_test]
async fn a_guarded_page_shows_loading_until_the_session_check_answers_then_redirects() {
    script(
        "/dashboard",
        vec![Reply::error(401, "unauthenticated", "sign in").after(300)],
    );
    let root = root();
    let app = yew::Renderer::<GuardedApp>::with_root(root.clone()).render();
    wait_until("the session check is sent", || calls().len() == 1).await;
    assert!(
        root.inner_html().contains("Loading"),
        "{}",
        root.inner_html()
    );
    assert!(!root.inner_html().contains("SECRET"));
    assert_eq!(location(), "/dashboard", "no redirect before the answer");
    wait_until("the guard redirects", || location().starts_with("/login")).await;
    assert_eq!(
        location(),
        "/login?next=%2Fdashboard&reason=unauthenticated"
    );
    assert!(!root.inner_html().contains("SECRET"));
    assert_eq!(history_changes(), 1);
    app.destroy();
}

#[wasm_bindgen_test]
async fn a_guarded_page_renders_for_a_signed_in_user() {
    script(
        "/dashboard",
        vec![Reply::json(
            200,
            r#"{"user":{"id":1,"username":"ann","role":"user"},"expires_at":"2030-01-01T00:00:00Z"}"#,
        )],
    );
    let root = root();
    let app = yew::Renderer::<GuardedApp>::with_root(root.clone()).render();
    wait_until("the secret shows", || root.inner_html().contains("SECRET")).await;
    assert_eq!(location(), "/dashboard");
    app.destroy();
}

#[wasm_bindgen_test]
fn json_read_and_written_by_the_browser_means_what_serde_json_makes_of_it() {
    let text = r#"{"notes":[{"id":9007199254740991,"title":"Élodie \"q\" ✓ 🦀","preview":"a\\nb","version":3,"updated_at":"2026-12-05T05:00:00.000Z","extra":[1]}],"next_cursor":null}"#;
    let page: NotePage = json::from_str(text).unwrap();
    assert_eq!(page, serde_json::from_str::<NotePage>(text).unwrap());
    assert_eq!(page.notes[0].id, 9_007_199_254_740_991);
    let written = json::to_string(&page).unwrap();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&written).unwrap(),
        serde_json::to_value(&page).unwrap()
    );
    assert!(json::from_str::<NotePage>("{\"notes\": [").is_err());
}

#[wasm_bindgen_test]
fn a_number_the_browser_cannot_hold_exactly_is_refused_rather_than_rounded() {
    let beyond = "9007199254740993";
    assert_eq!(
        serde_json::from_str::<i64>(beyond).unwrap(),
        9_007_199_254_740_993
    );
    assert!(json::from_str::<i64>(beyond).is_err());
}

/// Each difference the client README lists between reading JSON through the browser and
/// serde_json, so that the list stays true.
#[wasm_bindgen_test]
fn where_the_browser_reads_json_differently_from_serde_json() {
    #[derive(Debug, serde::Deserialize)]
    struct Prototype {
        #[allow(dead_code, reason = "only whether it reads")]
        constructor: Option<String>,
    }
    // More lenient: a float for an integer, a repeated field, an unknown field where the type
    // refuses them, a lone surrogate.
    assert_eq!(json::from_str::<i64>("1.0"), Ok(1));
    assert!(serde_json::from_str::<i64>("1.0").is_err());
    let repeated = r#"{"title":"a","title":"b","body":"c"}"#;
    assert_eq!(json::from_str::<NewNote>(repeated).unwrap().title, "b");
    assert!(serde_json::from_str::<NewNote>(repeated).is_err());
    let unknown = r#"{"title":"a","body":"b","x":1}"#;
    assert!(json::from_str::<NewNote>(unknown).is_ok());
    assert!(serde_json::from_str::<NewNote>(unknown).is_err());
    assert_eq!(
        json::from_str::<String>(r#""a\ud800b""#).unwrap(),
        "a\u{fffd}b"
    );
    assert!(serde_json::from_str::<String>(r#""a\ud800b""#).is_err());
    // Stricter: a field named after an `Object.prototype` member is never missing.
    assert!(json::from_str::<Prototype>("{}").is_err());
    assert!(
        serde_json::from_str::<Prototype>("{}")
            .unwrap()
            .constructor
            .is_none()
    );
}

/// Signs in (as a sign-in form does once the server said yes) when its button is clicked.
#[function_component]
fn SignInButton() -> Html {
    let auth = gatehouse_client::use_auth::<serde_json::Value>();
    let onclick = Callback::from(move |_| auth.signed_in(serde_json::json!({"user": "ann"})));
    html! { <button id="sign-in" {onclick}>{ "Sign in" }</button> }
}

#[function_component]
fn SigningInApp() -> Html {
    html! {
        <Harness>
            <AuthProvider<WhoAmI> check={WhoAmI} login_path="/login">
                <SignInButton />
            </AuthProvider<WhoAmI>>
        </Harness>
    }
}

#[wasm_bindgen_test]
async fn a_sign_in_in_this_tab_tells_the_other_tabs_but_does_not_ask_the_server_again_itself() {
    script(
        "/login",
        vec![Reply::error(401, "unauthenticated", "sign in")],
    );
    let root = root();
    let app = yew::Renderer::<SigningInApp>::with_root(root.clone()).render();
    wait_until("the session check at start", || calls().len() == 1).await;
    // Another tab of the app, as a BroadcastChannel of the same name.
    let other = web_sys::BroadcastChannel::new("gatehouse-auth").unwrap();
    let heard = Rc::new(RefCell::new(Vec::<String>::new()));
    let listener = {
        let heard = heard.clone();
        wasm_bindgen::closure::Closure::<dyn Fn(web_sys::MessageEvent)>::new(
            move |e: web_sys::MessageEvent| {
                heard
                    .borrow_mut()
                    .push(e.data().as_string().unwrap_or_default())
            },
        )
    };
    other.set_onmessage(Some(wasm_bindgen::JsCast::unchecked_ref(listener.as_ref())));
    let button: web_sys::HtmlElement =
        wasm_bindgen::JsCast::unchecked_into(root.query_selector("#sign-in").unwrap().unwrap());
    button.click();
    wait_until("the other tab hears of the sign-in", || {
        !heard.borrow().is_empty()
    })
    .await;
    // What is checked is that nothing more happens: given the time an echo would take to come
    // back and be acted on (a bounded wait, as nothing can be polled for).
    gloo_timers::future::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(calls().len(), 1, "{:?}", calls());
    other.close();
    app.destroy();
}
