//! Every `/api` route × every kind of caller, with the status each must get.

use std::time::Duration;

use gatehouse_api::Role;
use gatehouse_server::routes;
use gatehouse_server::session::Access;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::account::NEW_PASSWORD;
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
        ("GET", "/api/openapi.json") => ok(StatusCode::OK),
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
        // Authorized; nothing was deleted to restore.
        ("POST", "/api/notes/{id}/restore") => ok(StatusCode::NOT_FOUND),
        ("GET", "/api/admin/users") => ok(StatusCode::OK),
        ("GET", "/api/auth/session") => ok(StatusCode::OK),
        ("POST", "/api/auth/session/extend") => ok(StatusCode::OK),
        ("GET", "/api/auth/sessions") => ok(StatusCode::OK),
        // Authorized, but the handle (a note's id here) names no session of this account.
        ("DELETE", "/api/auth/sessions/{id}") => ok(StatusCode::NOT_FOUND),
        ("POST", "/api/auth/sessions/end-others") => ok(StatusCode::NO_CONTENT),
        // Changed, then changed back by `check_every_route`, so later callers still sign in.
        ("POST", "/api/auth/password") => Some((
            Some(json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD})),
            StatusCode::NO_CONTENT,
        )),
        ("GET", "/api/auth/activity") => ok(StatusCode::OK),
        ("POST", "/api/auth/reauth") => Some((Some(json!({"password": PASSWORD})), StatusCode::OK)),
        // A new name each time: see `check_every_route`.
        ("POST", "/api/admin/users") => Some((
            Some(json!({"username": "", "role": "user"})),
            StatusCode::CREATED,
        )),
        // `{id}` is a throwaway account made for each call.
        ("GET", "/api/admin/users/{id}") => ok(StatusCode::OK),
        ("PATCH", "/api/admin/users/{id}") => {
            Some((Some(json!({"role": "admin"})), StatusCode::OK))
        }
        ("DELETE", "/api/admin/users/{id}") => ok(StatusCode::NO_CONTENT),
        ("POST", "/api/admin/users/{id}/password-reset") => ok(StatusCode::OK),
        ("GET", "/api/admin/users/{id}/sessions") => ok(StatusCode::OK),
        ("DELETE", "/api/admin/users/{id}/sessions") => ok(StatusCode::NO_CONTENT),
        ("GET", "/api/admin/users/{id}/activity") => ok(StatusCode::OK),
        _ => None,
    }
}

fn expected(route: &routes::Route, caller: Caller, ok: StatusCode) -> StatusCode {
    use Caller::*;
    match (route.access, caller) {
        (Access::Public, _) => ok,
        (_, Anonymous | Expired | LoggedOut) => StatusCode::UNAUTHORIZED,
        (_, MissingCsrf | WrongCsrf) if !route.method.is_safe() => StatusCode::FORBIDDEN,
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

/// The settings `check_every_route` needs.
pub fn settings(config: &mut gatehouse_server::config::Config) {
    config.session_idle_timeout = IDLE;
}

/// The re-authentication window `check_step_up` needs, and a long idle timeout (the stale
/// callers sign in first and must still be signed in when their turn comes).
pub fn step_up_settings(config: &mut gatehouse_server::config::Config) {
    config.reauth_window = Duration::from_secs(1);
    config.session_idle_timeout = Duration::from_secs(600);
}

#[tokio::test]
async fn every_api_route_answers_every_kind_of_caller_as_expected() {
    let app = spawn_app_with(settings).await;
    check_every_route(&app).await;
}

#[tokio::test]
async fn every_step_up_route_refuses_a_sign_in_older_than_the_reauth_window() {
    let app = spawn_app_with(step_up_settings).await;
    check_step_up(&app).await;
}

/// Every route needing a recent password answers an administrator signed in longer ago than
/// the window `403 reauth_required`, before doing anything (its matrix row for that caller;
/// the other rows are `check_every_route`'s, with a window long enough for all of them).
pub async fn check_step_up(app: &TestApp) {
    app.add_user("stale", Role::Admin).await;
    let routes: Vec<_> = routes::all().into_iter().filter(|r| r.step_up).collect();
    assert!(routes.len() >= 5, "the step-up routes are found");
    let mut stale = Vec::new();
    for _ in &routes {
        let mut agent = Agent::default();
        assert_eq!(
            app.login_as(&mut agent, "stale", PASSWORD).await.status(),
            StatusCode::OK
        );
        stale.push(agent);
    }
    wait(Duration::from_millis(1200)).await;
    let mut failures = Vec::new();
    for (route, agent) in routes.iter().zip(stale) {
        let (body, _) = success(&route.method, route.path).expect("every route has a row");
        let path = route.path.replace("{id}", "1");
        let r = app.send(&agent, route.method.clone(), &path, body).await;
        let status = r.status();
        let code = r.json::<gatehouse_api::ErrorBody>().await.map(|b| b.code);
        if status != StatusCode::FORBIDDEN
            || code.ok() != Some(gatehouse_api::ErrorCode::ReauthRequired)
        {
            failures.push(format!("{} {}: got {status}", route.method, route.path));
        }
    }
    assert!(
        failures.is_empty(),
        "stale sign-ins:\n{}",
        failures.join("\n")
    );
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
    let mut throwaways = 0u32;
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
                    let login = app.login_as(&mut a, name, PASSWORD).await;
                    assert_eq!(login.status(), StatusCode::OK, "sign-in of {name}");
                    let note = app.create_note(&a, "mine", "").await.id;
                    match caller {
                        Caller::MissingCsrf => a.csrf = None,
                        Caller::WrongCsrf => a.csrf = Some("forged".into()),
                        _ => {}
                    }
                    (a, note)
                }
            };
            throwaways += 1;
            let id = if route.path.starts_with("/api/admin/users/{id}") {
                let name = format!("throwaway{throwaways}");
                app.add_user(&name, Role::User).await;
                account_id(app, &name).await
            } else {
                note_id
            };
            let path = route.path.replace("{id}", &id.to_string());
            let mut body = body.clone();
            if let Some(name) = body.as_mut().and_then(|b| b.get_mut("username"))
                && route.method == Method::POST
                && route.path == "/api/admin/users"
            {
                *name = json!(format!("created{throwaways}"));
            }
            let response = app.send(&agent, route.method.clone(), &path, body).await;
            if route.path == "/api/auth/password" && response.status() == StatusCode::NO_CONTENT {
                let mut agent = agent.clone();
                agent.absorb(response.headers());
                let back = json!({"current_password": NEW_PASSWORD, "new_password": PASSWORD});
                let r = app.send(&agent, Method::POST, &path, Some(back)).await;
                assert_eq!(r.status(), StatusCode::NO_CONTENT, "changed back");
            }
            let want = expected(route, caller, ok);
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

/// The id of the account named `name`.
async fn account_id(app: &TestApp, name: &str) -> i64 {
    gatehouse_server::users::find_by_name(
        &app.db,
        &gatehouse_api::Username::try_from(name).unwrap(),
    )
    .await
    .unwrap()
    .unwrap()
    .id
}
