//! Every `/api` route × every kind of caller, with the status each must get.

use std::time::Duration;

use gatehouse_api::{Note, Role};
use gatehouse_server::routes;
use gatehouse_server::session::Access;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Caller {
    Anonymous,
    User,
    Admin,
    /// An admin whose request lacks the CSRF header.
    MissingCsrf,
    /// An admin whose request carries another value.
    WrongCsrf,
    /// A session past its idle timeout.
    Expired,
    /// A cookie replayed after signing out.
    LoggedOut,
}

const CALLERS: [Caller; 7] = [
    Caller::Anonymous,
    Caller::User,
    Caller::Admin,
    Caller::MissingCsrf,
    Caller::WrongCsrf,
    Caller::Expired,
    Caller::LoggedOut,
];

/// The body a route needs and the status it answers a caller who may use it.
fn success(method: &Method, path: &str) -> Option<(Option<Value>, StatusCode)> {
    let ok = |s| Some((None, s));
    match (method.as_str(), path) {
        ("POST", "/api/auth/login") => Some((
            Some(json!({"username": "target", "password": PASSWORD})),
            StatusCode::OK,
        )),
        ("POST", "/api/auth/logout") => ok(StatusCode::NO_CONTENT),
        ("GET", "/api/auth/me") => ok(StatusCode::OK),
        ("GET", "/api/health") => ok(StatusCode::OK),
        ("GET", "/api/secured-resource") => ok(StatusCode::OK),
        ("GET", "/api/notes") => ok(StatusCode::OK),
        ("POST", "/api/notes") => Some((
            Some(json!({"title": "t", "body": "b"})),
            StatusCode::CREATED,
        )),
        ("GET", "/api/notes/{id}") => ok(StatusCode::OK),
        ("PUT", "/api/notes/{id}") => Some((
            Some(json!({"title": "t2", "body": "b2", "version": 1})),
            StatusCode::OK,
        )),
        ("DELETE", "/api/notes/{id}") => ok(StatusCode::NO_CONTENT),
        ("GET", "/api/admin/users") => ok(StatusCode::OK),
        _ => None,
    }
}

fn expected(access: Access, caller: Caller, unsafe_method: bool, ok: StatusCode) -> StatusCode {
    use Caller::*;
    match (access, caller) {
        (Access::Public, _) => ok,
        (_, Anonymous | Expired | LoggedOut) => StatusCode::UNAUTHORIZED,
        (_, MissingCsrf | WrongCsrf) if unsafe_method => StatusCode::FORBIDDEN,
        (Access::Admin, User) => StatusCode::FORBIDDEN,
        _ => ok,
    }
}

#[test]
fn every_api_route_has_an_authorization_expectation() {
    for route in routes::all() {
        assert!(
            success(&route.method, route.path).is_some(),
            "{} {} has no row in the authorization matrix: add it to tests/api/matrix.rs",
            route.method,
            route.path
        );
    }
}

/// The idle timeout `check_every_route` needs its app started with.
pub const IDLE: Duration = Duration::from_secs(3);

#[tokio::test]
async fn every_api_route_answers_every_kind_of_caller_as_expected() {
    let app = spawn_app_with(|c| c.session_idle_timeout = IDLE).await;
    check_every_route(&app).await;
}

/// Runs the matrix against `app` (started with `session_idle_timeout = IDLE`).
pub async fn check_every_route(app: &TestApp) {
    let idle = IDLE;
    app.add_user("target", Role::User).await;
    app.add_user("user", Role::User).await;
    app.add_user("admin", Role::Admin).await;
    let routes = routes::all();

    // Expired callers sign in first, so one wait serves them all.
    let mut expired = Vec::new();
    for _ in &routes {
        let mut a = Agent::default();
        assert_eq!(
            app.login_as(&mut a, "user", PASSWORD).await.status(),
            StatusCode::OK
        );
        expired.push(a);
    }
    wait(idle + Duration::from_millis(300)).await;

    let mut failures = Vec::new();
    for (route, expired_agent) in routes.iter().zip(expired) {
        let (body, ok) = success(&route.method, route.path).expect("checked above");
        for caller in CALLERS {
            let (agent, note_id) = match caller {
                Caller::Anonymous => (Agent::default(), 1),
                Caller::Expired => (expired_agent.clone(), 1),
                Caller::LoggedOut => {
                    let mut a = Agent::default();
                    app.login_as(&mut a, "user", PASSWORD).await;
                    let before = a.clone();
                    let r = app.send(&a, Method::POST, "/api/auth/logout", None).await;
                    assert_eq!(r.status(), StatusCode::NO_CONTENT);
                    (before, 1)
                }
                Caller::User | Caller::Admin | Caller::MissingCsrf | Caller::WrongCsrf => {
                    let name = if caller == Caller::User {
                        "user"
                    } else {
                        "admin"
                    };
                    let mut a = Agent::default();
                    app.login_as(&mut a, name, PASSWORD).await;
                    let note: Note = app
                        .send(
                            &a,
                            Method::POST,
                            "/api/notes",
                            Some(json!({"title": "mine", "body": ""})),
                        )
                        .await
                        .json()
                        .await
                        .unwrap();
                    match caller {
                        Caller::MissingCsrf => a.csrf = None,
                        Caller::WrongCsrf => a.csrf = Some("forged".into()),
                        _ => {}
                    }
                    (a, note.id)
                }
            };
            let path = route.path.replace("{id}", &note_id.to_string());
            let response = app
                .send(&agent, route.method.clone(), &path, body.clone())
                .await;
            let want = expected(route.access, caller, !route.method.is_safe(), ok);
            if response.status() != want {
                failures.push(format!(
                    "{} {} as {caller:?}: got {}, want {want}",
                    route.method,
                    route.path,
                    response.status()
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "authorization matrix:\n{}",
        failures.join("\n")
    );
}
