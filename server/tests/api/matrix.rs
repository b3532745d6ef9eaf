//! Every `/api` route × every kind of caller, with the status each must get.

use std::time::Duration;

use gatehouse_api::Role;
use gatehouse_server::routes;
use gatehouse_server::session::Access;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::account::NEW_PASSWORD;
use crate::helpers::*;

/// Who may call a route, as this file states it: written here by hand, never read from the
/// route table, so that a route declared with the wrong access fails a test.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Who {
    /// Anyone, signed in or not.
    Anyone,
    /// Any signed-in account.
    SignedIn,
    /// Signed-in administrators only.
    Admin,
}

/// What one route is meant to be.
#[derive(Clone, Copy, Debug)]
struct Meant {
    method: &'static str,
    path: &'static str,
    who: Who,
    /// Needs a password typed within the reauth window (`reauth_required` otherwise).
    step_up: bool,
    /// Open to an account that must still replace its one-time password.
    before_password_change: bool,
    /// Open to an account the second-factor policy covers that has none yet.
    before_second_factor: bool,
}

const fn meant(method: &'static str, path: &'static str, who: Who) -> Meant {
    Meant {
        method,
        path,
        who,
        step_up: false,
        before_password_change: false,
        before_second_factor: false,
    }
}

impl Meant {
    const fn step_up(self) -> Self {
        Self {
            step_up: true,
            ..self
        }
    }

    const fn before_password_change(self) -> Self {
        Self {
            before_password_change: true,
            ..self
        }
    }

    const fn before_second_factor(self) -> Self {
        Self {
            before_second_factor: true,
            ..self
        }
    }
}

use Who::{Admin as ADMIN, Anyone as ANYONE, SignedIn as SIGNED_IN};

/// Every `/api` route and who may call it. A new route fails
/// `every_route_is_declared_as_the_matrix_says` until it has a row here.
const MEANT: &[Meant] = &[
    meant("POST", "/api/auth/login", ANYONE),
    meant("POST", "/api/auth/login/second-factor", ANYONE),
    meant("POST", "/api/auth/passkey/options", ANYONE),
    meant("POST", "/api/auth/passkey", ANYONE),
    meant("POST", "/api/auth/logout", SIGNED_IN)
        .before_password_change()
        .before_second_factor(),
    meant("GET", "/api/auth/me", SIGNED_IN)
        .before_password_change()
        .before_second_factor(),
    meant("GET", "/api/auth/session", SIGNED_IN).before_second_factor(),
    meant("POST", "/api/auth/session/extend", SIGNED_IN).before_second_factor(),
    meant("GET", "/api/auth/sessions", SIGNED_IN),
    meant("DELETE", "/api/auth/sessions/{id}", SIGNED_IN).step_up(),
    meant("POST", "/api/auth/sessions/end-others", SIGNED_IN).step_up(),
    meant("POST", "/api/auth/password", SIGNED_IN)
        .before_password_change()
        .before_second_factor(),
    meant("GET", "/api/auth/activity", SIGNED_IN),
    meant("POST", "/api/auth/reauth", SIGNED_IN)
        .before_password_change()
        .before_second_factor(),
    meant("POST", "/api/auth/reauth/passkey/options", SIGNED_IN)
        .before_password_change()
        .before_second_factor(),
    meant("POST", "/api/auth/reauth/passkey", SIGNED_IN)
        .before_password_change()
        .before_second_factor(),
    meant("GET", "/api/auth/passkeys", SIGNED_IN).before_second_factor(),
    meant("POST", "/api/auth/passkeys/options", SIGNED_IN)
        .step_up()
        .before_second_factor(),
    meant("POST", "/api/auth/passkeys", SIGNED_IN)
        .step_up()
        .before_second_factor(),
    meant("PATCH", "/api/auth/passkeys/{id}", SIGNED_IN),
    meant("DELETE", "/api/auth/passkeys/{id}", SIGNED_IN).step_up(),
    meant("GET", "/api/auth/totp", SIGNED_IN).before_second_factor(),
    meant("POST", "/api/auth/totp/setup", SIGNED_IN)
        .step_up()
        .before_second_factor(),
    meant("POST", "/api/auth/totp/confirm", SIGNED_IN).before_second_factor(),
    meant("DELETE", "/api/auth/totp", SIGNED_IN).step_up(),
    meant("POST", "/api/auth/recovery-codes", SIGNED_IN).step_up(),
    meant("GET", "/api/auth/oidc/start", ANYONE),
    meant("GET", "/api/auth/oidc/callback", ANYONE),
    meant("POST", "/api/auth/oidc/link", SIGNED_IN).step_up(),
    meant("POST", "/api/auth/oidc/confirm", SIGNED_IN)
        .before_password_change()
        .before_second_factor(),
    meant("GET", "/api/auth/identities", SIGNED_IN),
    meant("DELETE", "/api/auth/identities/{id}", SIGNED_IN).step_up(),
    meant("GET", "/api/health", ANYONE),
    meant("GET", "/api/openapi.json", ANYONE),
    meant("GET", "/api/secured-resource", SIGNED_IN),
    meant("GET", "/api/notes", SIGNED_IN),
    meant("POST", "/api/notes", SIGNED_IN),
    meant("GET", "/api/notes/{id}", SIGNED_IN),
    meant("PUT", "/api/notes/{id}", SIGNED_IN),
    meant("DELETE", "/api/notes/{id}", SIGNED_IN),
    meant("POST", "/api/notes/{id}/restore", SIGNED_IN),
    meant("GET", "/api/admin/users", ADMIN),
    meant("POST", "/api/admin/users", ADMIN).step_up(),
    meant("GET", "/api/admin/users/{id}", ADMIN),
    meant("PATCH", "/api/admin/users/{id}", ADMIN).step_up(),
    meant("DELETE", "/api/admin/users/{id}", ADMIN).step_up(),
    meant("POST", "/api/admin/users/{id}/password-reset", ADMIN).step_up(),
    meant("GET", "/api/admin/users/{id}/sessions", ADMIN),
    meant("DELETE", "/api/admin/users/{id}/sessions", ADMIN).step_up(),
    meant("GET", "/api/admin/users/{id}/activity", ADMIN),
    meant("DELETE", "/api/admin/users/{id}/totp", ADMIN).step_up(),
    meant("DELETE", "/api/admin/users/{id}/passkeys", ADMIN).step_up(),
    meant("GET", "/api/admin/users/{id}/identities", ADMIN),
    meant("DELETE", "/api/admin/users/{id}/identities", ADMIN).step_up(),
];

/// The routes anyone may call: signing in, and what a load balancer or a client generator
/// reads. Everything else needs a session.
const OPEN_TO_ANYONE: &[&str] = &[
    "/api/auth/login",
    "/api/auth/login/second-factor",
    "/api/auth/passkey/options",
    "/api/auth/passkey",
    "/api/auth/oidc/start",
    "/api/auth/oidc/callback",
    "/api/health",
    "/api/openapi.json",
];

/// The row for `route`, if the matrix has one.
fn meant_for(method: &str, path: &str) -> Option<Meant> {
    MEANT
        .iter()
        .copied()
        .find(|m| m.method == method && m.path == path)
}

#[test]
fn the_matrix_follows_its_own_rules() {
    for m in MEANT {
        if m.path.starts_with("/api/admin") {
            assert_eq!(
                m.who, ADMIN,
                "{} {}: everything under /api/admin is for administrators",
                m.method, m.path
            );
            assert_eq!(
                m.step_up,
                m.method != "GET",
                "{} {}: an administrator's every change, and nothing else, needs a recent password",
                m.method,
                m.path
            );
        }
        assert_eq!(
            m.who == ANYONE,
            OPEN_TO_ANYONE.contains(&m.path),
            "{} {}: only the ways of signing in, health and the contract are open to anyone",
            m.method,
            m.path
        );
        let rows = MEANT
            .iter()
            .filter(|o| o.method == m.method && o.path == m.path)
            .count();
        assert_eq!(rows, 1, "{} {} has one row", m.method, m.path);
    }
}

#[test]
fn every_route_is_declared_as_the_matrix_says() {
    let routes = routes::all();
    let mut wrong = Vec::new();
    for route in &routes {
        let Some(m) = meant_for(route.method.as_str(), route.path) else {
            wrong.push(format!(
                "{} {} has no row in the authorization matrix: add it to MEANT in tests/api/matrix.rs",
                route.method, route.path
            ));
            continue;
        };
        let declared = match route.access {
            Access::Public => ANYONE,
            Access::User => SIGNED_IN,
            Access::Admin => ADMIN,
        };
        if declared != m.who {
            wrong.push(format!(
                "{} {} is declared {:?}, meant for {:?}",
                route.method, route.path, route.access, m.who
            ));
        }
        if route.step_up != m.step_up {
            wrong.push(format!(
                "{} {}: step-up declared {}, meant {}",
                route.method, route.path, route.step_up, m.step_up
            ));
        }
        if route.before_second_factor != m.before_second_factor {
            wrong.push(format!(
                "{} {}: open before a second factor is set up declared {}, meant {}",
                route.method, route.path, route.before_second_factor, m.before_second_factor
            ));
        }
        if route.before_password_change != m.before_password_change {
            wrong.push(format!(
                "{} {}: open before the password change declared {}, meant {}",
                route.method, route.path, route.before_password_change, m.before_password_change
            ));
        }
    }
    for m in MEANT {
        if !routes
            .iter()
            .any(|r| r.method.as_str() == m.method && r.path == m.path)
        {
            wrong.push(format!(
                "{} {} is in the matrix but not served",
                m.method, m.path
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

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
    /// An account that must still replace its one-time password.
    MustChange,
}

const CALLERS: [Caller; 8] = [
    Caller::Anonymous,
    Caller::User,
    Caller::Admin,
    Caller::MissingCsrf,
    Caller::WrongCsrf,
    Caller::Expired,
    Caller::LoggedOut,
    Caller::MustChange,
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
        // The throwaway account has no app (404) and no passkeys (204 all the same).
        ("DELETE", "/api/admin/users/{id}/totp") => ok(StatusCode::NOT_FOUND),
        ("DELETE", "/api/admin/users/{id}/passkeys") => ok(StatusCode::NO_CONTENT),
        // Nothing waits in a fresh session: the answer is the one the step gives then.
        ("POST", "/api/auth/login/second-factor") => {
            Some((Some(json!({"code": "000000"})), StatusCode::UNAUTHORIZED))
        }
        ("POST", "/api/auth/passkey/options") => ok(StatusCode::OK),
        ("POST", "/api/auth/passkey") => {
            Some((Some(json!({"credential": {}})), StatusCode::UNAUTHORIZED))
        }
        ("GET", "/api/auth/passkeys") => ok(StatusCode::OK),
        ("POST", "/api/auth/passkeys/options") => ok(StatusCode::OK),
        // Authorized; no ceremony was started in this session.
        ("POST", "/api/auth/passkeys") => Some((
            Some(json!({"name": "key", "credential": {}})),
            StatusCode::CONFLICT,
        )),
        // Authorized; `{id}` (a note's) names no passkey of this account.
        ("PATCH", "/api/auth/passkeys/{id}") => {
            Some((Some(json!({"name": "renamed"})), StatusCode::NOT_FOUND))
        }
        ("DELETE", "/api/auth/passkeys/{id}") => ok(StatusCode::NOT_FOUND),
        ("GET", "/api/auth/totp") => ok(StatusCode::OK),
        ("POST", "/api/auth/totp/setup") => ok(StatusCode::OK),
        // Authorized; no setup waits in this session, no app is on.
        ("POST", "/api/auth/totp/confirm") => {
            Some((Some(json!({"code": "000000"})), StatusCode::CONFLICT))
        }
        ("DELETE", "/api/auth/totp") => ok(StatusCode::NOT_FOUND),
        ("POST", "/api/auth/recovery-codes") => ok(StatusCode::CONFLICT),
        // Authorized; the account has no passkey, and no confirmation waits.
        ("POST", "/api/auth/reauth/passkey/options") => ok(StatusCode::CONFLICT),
        ("POST", "/api/auth/reauth/passkey") => {
            Some((Some(json!({"credential": {}})), StatusCode::CONFLICT))
        }
        // Browser navigations, answered with a 303 to a page either way.
        ("GET", "/api/auth/oidc/start") => ok(StatusCode::SEE_OTHER),
        ("GET", "/api/auth/oidc/callback") => ok(StatusCode::SEE_OTHER),
        // Authorized; this server has no identity provider configured.
        ("POST", "/api/auth/oidc/link") => ok(StatusCode::NOT_FOUND),
        ("POST", "/api/auth/oidc/confirm") => ok(StatusCode::NOT_FOUND),
        ("GET", "/api/auth/identities") => ok(StatusCode::OK),
        // Authorized; `{id}` (a note's) names no identity of this account.
        ("DELETE", "/api/auth/identities/{id}") => ok(StatusCode::NOT_FOUND),
        ("GET", "/api/admin/users/{id}/identities") => ok(StatusCode::OK),
        ("DELETE", "/api/admin/users/{id}/identities") => ok(StatusCode::NO_CONTENT),
        _ => None,
    }
}

/// What `caller` must get from the route `m` is meant to be, if `ok` is its success.
fn expected(m: &Meant, caller: Caller, ok: StatusCode) -> StatusCode {
    use Caller::*;
    let safe = m.method == "GET";
    match (m.who, caller) {
        (ANYONE, _) => ok,
        (_, Anonymous | Expired | LoggedOut) => StatusCode::UNAUTHORIZED,
        (_, MissingCsrf | WrongCsrf) if !safe => StatusCode::FORBIDDEN,
        (ADMIN, User | MustChange) => StatusCode::FORBIDDEN,
        (_, MustChange) if !m.before_password_change => StatusCode::FORBIDDEN,
        _ => ok,
    }
}

#[test]
fn every_row_of_the_matrix_has_a_request_that_succeeds() {
    for m in MEANT {
        let method = Method::from_bytes(m.method.as_bytes()).unwrap();
        assert!(
            success(&method, m.path).is_some(),
            "{} {} has no successful request in `success`",
            m.method,
            m.path
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
    let rows: Vec<Meant> = MEANT.iter().copied().filter(|m| m.step_up).collect();
    assert!(rows.len() >= 5, "the step-up routes are found");
    let mut stale = Vec::new();
    for _ in &rows {
        let mut agent = Agent::default();
        assert_eq!(
            app.login_as(&mut agent, "stale", PASSWORD).await.status(),
            StatusCode::OK
        );
        stale.push(agent);
    }
    wait(Duration::from_millis(1200)).await;
    let mut failures = Vec::new();
    for (m, agent) in rows.iter().zip(stale) {
        let method = Method::from_bytes(m.method.as_bytes()).unwrap();
        let (body, _) = success(&method, m.path).expect("every route has a row");
        let path = m.path.replace("{id}", "1");
        let r = app.send(&agent, method, &path, body).await;
        let status = r.status();
        let code = r.json::<gatehouse_api::ErrorBody>().await.map(|b| b.code);
        if status != StatusCode::FORBIDDEN
            || code.ok() != Some(gatehouse_api::ErrorCode::ReauthRequired)
        {
            failures.push(format!("{} {}: got {status}", m.method, m.path));
        }
    }
    assert!(
        failures.is_empty(),
        "stale sign-ins:\n{}",
        failures.join("\n")
    );
}

#[tokio::test]
async fn every_route_not_open_before_a_second_factor_sends_an_account_without_one_to_set_it_up() {
    let app = spawn_app_with(|c| {
        c.require_second_factor = gatehouse_server::session::SecondFactorPolicy::Everyone;
    })
    .await;
    let mut failures = Vec::new();
    for (n, m) in MEANT.iter().filter(|m| m.who != ANYONE).enumerate() {
        // An administrator with neither a passkey nor an app, new for each row (a row may
        // change its password).
        let agent = app.signed_in(&format!("bare{n}"), Role::Admin).await;
        let method = Method::from_bytes(m.method.as_bytes()).unwrap();
        let (body, _) = success(&method, m.path).expect("every row has a request");
        let path = m.path.replace("{id}", "1");
        let r = app.send(&agent, method, &path, body).await;
        let status = r.status();
        let code = r
            .json::<gatehouse_api::ErrorBody>()
            .await
            .ok()
            .map(|b| b.code);
        let refused = code == Some(gatehouse_api::ErrorCode::SecondFactorEnrolmentRequired);
        if refused == m.before_second_factor {
            failures.push(format!("{} {}: got {status} {code:?}", m.method, m.path));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Runs the matrix against `app` (started with `session_idle_timeout = IDLE`): every row of
/// `MEANT`, called by every kind of caller, answers what the row says.
pub async fn check_every_route(app: &TestApp) {
    let idle = IDLE;
    app.add_user("target", Role::User).await;
    app.add_user("user", Role::User).await;
    app.add_user("admin", Role::Admin).await;

    // Expired callers sign in first, so one wait serves them all.
    let mut expired = Vec::new();
    for _ in MEANT {
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
    for (m, expired_agent) in MEANT.iter().zip(expired) {
        let method = Method::from_bytes(m.method.as_bytes()).unwrap();
        let (body, ok) = success(&method, m.path).expect("checked above");
        for caller in CALLERS {
            throwaways += 1;
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
                Caller::MustChange => {
                    // A new account holding a one-time password, for each call (a password
                    // change ends that state).
                    let name = format!("fresh{throwaways}");
                    add_user_who_must_change(&app.db, &name).await;
                    (app.sign_in(&name).await, 1)
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
            let id = if m.path.starts_with("/api/admin/users/{id}") {
                let name = format!("throwaway{throwaways}");
                app.add_user(&name, Role::User).await;
                account_id(app, &name).await
            } else {
                note_id
            };
            let path = m.path.replace("{id}", &id.to_string());
            let mut body = body.clone();
            if let Some(name) = body.as_mut().and_then(|b| b.get_mut("username"))
                && m.method == "POST"
                && m.path == "/api/admin/users"
            {
                *name = json!(format!("created{throwaways}"));
            }
            let response = app.send(&agent, method.clone(), &path, body).await;
            if m.path == "/api/auth/password" && response.status() == StatusCode::NO_CONTENT {
                let mut agent = agent.clone();
                agent.absorb(response.headers());
                let back = json!({"current_password": NEW_PASSWORD, "new_password": PASSWORD});
                let r = app.send(&agent, Method::POST, &path, Some(back)).await;
                assert_eq!(r.status(), StatusCode::NO_CONTENT, "changed back");
            }
            let want = expected(m, caller, ok);
            if response.status() != want {
                failures.push(format!(
                    "{} {} as {caller:?}: got {}, want {want}",
                    m.method,
                    m.path,
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

/// Creates `name` (password `PASSWORD`) holding a one-time password: it must choose its own
/// before anything but the routes open to it.
async fn add_user_who_must_change(db: &gatehouse_server::data::db::Db, name: &str) {
    add_user(db, name, Role::User).await;
    let id = id_of(db, name).await;
    let mut tx = db.begin().await.unwrap();
    let hash = gatehouse_server::data::users::find_by_id(db, id)
        .await
        .unwrap()
        .unwrap()
        .password_hash;
    let set = gatehouse_server::data::users::set_password(&mut tx, id, hash, true).await;
    assert!(tx.settle(set).await.unwrap());
}

/// The id of the account named `name`.
async fn account_id(app: &TestApp, name: &str) -> i64 {
    gatehouse_server::data::users::find_by_name(
        &app.db,
        &gatehouse_api::Username::try_from(name).unwrap(),
    )
    .await
    .unwrap()
    .unwrap()
    .id
}

/// A resource of the account `name` (signed in as `agent`) that the `{id}` of `m`'s path can
/// name, made for this call: the id as the path takes it. A new `{id}` route fails
/// `every_id_route_serves_its_owner_and_answers_404_for_another_accounts_id` until it has one.
async fn owned_by(app: &TestApp, agent: &Agent, name: &str, m: &Meant) -> String {
    match m.path {
        "/api/notes/{id}" | "/api/notes/{id}/restore" => {
            let note = app.create_note(agent, "owned", "").await;
            if m.path.ends_with("/restore") {
                let r = app
                    .send(
                        agent,
                        Method::DELETE,
                        &format!("/api/notes/{}", note.id),
                        None,
                    )
                    .await;
                assert_eq!(r.status(), StatusCode::NO_CONTENT);
            }
            note.id.to_string()
        }
        "/api/auth/sessions/{id}" => {
            // Another session of the same account, named by its handle in their list.
            app.sign_in(name).await;
            let listed: Vec<gatehouse_api::ActiveSession> = app
                .get(agent, "/api/auth/sessions")
                .await
                .json()
                .await
                .unwrap();
            listed.into_iter().find(|s| !s.current).unwrap().id
        }
        "/api/auth/passkeys/{id}" => {
            let account = id_of(&app.db, name).await;
            add_passkey_directly(&app.db, account, &format!("credential-of-{name}"))
                .await
                .to_string()
        }
        "/api/auth/identities/{id}" => {
            let account = id_of(&app.db, name).await;
            let subject = format!("subject-of-{name}-{}", rand_suffix());
            link_identity_directly(&app.db, account, &subject)
                .await
                .to_string()
        }
        other => {
            panic!("{other}: no resource to own: add one to `owned_by` in tests/api/matrix.rs")
        }
    }
}

/// A suffix making each linked test identity's subject unique.
fn rand_suffix() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// What a signed-in caller gets from an `{id}` route on a resource of their own.
fn owner_success(m: &Meant) -> StatusCode {
    match (m.method, m.path) {
        ("GET" | "PUT", "/api/notes/{id}") | ("POST", "/api/notes/{id}/restore") => StatusCode::OK,
        ("PATCH", "/api/auth/passkeys/{id}") => StatusCode::OK,
        (
            "DELETE",
            "/api/notes/{id}"
            | "/api/auth/sessions/{id}"
            | "/api/auth/passkeys/{id}"
            | "/api/auth/identities/{id}",
        ) => StatusCode::NO_CONTENT,
        (method, path) => panic!("{method} {path}: add its owner's success to `owner_success`"),
    }
}

#[tokio::test]
async fn every_id_route_serves_its_owner_and_answers_404_for_another_accounts_id() {
    let app = spawn_app().await;
    let mut checked = 0;
    for (n, m) in MEANT
        .iter()
        .filter(|m| m.who == SIGNED_IN && m.path.contains("{id}"))
        .enumerate()
    {
        let (owner_name, other_name) = (format!("owner{n}"), format!("other{n}"));
        let owner = app.signed_in(&owner_name, Role::User).await;
        let other = app.signed_in(&other_name, Role::User).await;
        let method = Method::from_bytes(m.method.as_bytes()).unwrap();
        let (body, _) = success(&method, m.path).expect("every row has a request");

        let theirs = owned_by(&app, &other, &other_name, m).await;
        let path = m.path.replace("{id}", &theirs);
        let r = app.send(&owner, method.clone(), &path, body.clone()).await;
        assert_eq!(
            r.status(),
            StatusCode::NOT_FOUND,
            "{} {path}: another account's id",
            m.method
        );

        let mine = owned_by(&app, &owner, &owner_name, m).await;
        let path = m.path.replace("{id}", &mine);
        let r = app.send(&owner, method, &path, body).await;
        assert_eq!(
            r.status(),
            owner_success(m),
            "{} {path}: the owner's own",
            m.method
        );
        checked += 1;
    }
    assert!(checked >= 5, "the `{{id}}` routes are found ({checked})");
}
