//! Signed-in sessions: the cookie policy, the record and its expiry, the guards, and sign-in
//! and sign-out.
//!
//! tower-sessions reads the cookie, loads the record, and writes it at sign-in and sign-out.
//! Renewals of the idle clock are written here, compare-and-set through the store (see
//! `session_store`), so nothing a request does can undo a sign-out.

use axum::extract::{Request, State};
use axum::http::header::{CONTENT_TYPE, COOKIE, SET_COOKIE};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_sessions::{Expiry, Session};

pub mod browser;
pub mod ceremony;
mod cookie;
pub mod current;
mod guard;
mod listing;
mod live;
mod record;
pub mod round_trip;

pub use cookie::{
    SIGN_IN_NAME_COOKIE, SecondFactorPolicy, SessionCookies, SessionPolicy, request_cookies,
};
pub use guard::{Access, CurrentUser, Guard, Rule, cookies_for, guard, replace};
pub use listing::{handle, live_sessions, rows};
pub use live::{Writer, check_live, end_all, end_one};
pub use record::{AUTH_KEY, AuthSession, KEEP_EXPIRED, account_of, now_ms, rfc3339_ms};

use crate::data::db::Db;
use crate::data::events::Origin;
use crate::data::users::{self, Account};
use crate::error::AppError;

/// Starts a new signed-in session for `account`: always under a new id (re-login included),
/// with a new CSRF token, saved before answering so a store failure is a 503, not a pass.
/// Answers with the `SessionInfo` and the CSRF cookie, lasting as long as the session cookie
/// tower-sessions sets.
pub async fn sign_in(
    policy: &SessionPolicy,
    session: &Session,
    account: &Account,
    origin: &Origin,
    multi_factor: bool,
) -> Result<Response, AppError> {
    let auth = AuthSession {
        multi_factor,
        ..AuthSession::start(account.id, account.session_epoch, origin)
    };
    session.cycle_id().await?;
    session.clear().await;
    // The record, and the cookie with it, last until the session's deadline plus an hour;
    // each renewal of the idle clock moves both (see `guard`).
    session.set_expiry(Some(Expiry::AtDateTime(policy.stored_until(&auth))));
    session.insert(AUTH_KEY, &auth).await?;
    session.save().await?;
    let info = gatehouse_api::SessionInfo {
        user: account.to_user(),
        expires_at: rfc3339_ms(policy.expires_at_ms(&auth)),
    };
    let max_age = policy.stored_until(&auth) - time::OffsetDateTime::now_utc();
    let csrf = policy.csrf_cookie(Some((&auth.csrf, max_age)));
    Ok(([(SET_COOKIE, csrf)], crate::error::Json(info)).into_response())
}

/// Ends the session of `account`: deletes the record (final for writes in flight too, see
/// `live`), and answers 204 clearing both cookies.
pub async fn sign_out(
    policy: &SessionPolicy,
    session: &Session,
    db: &Db,
    account: i64,
) -> Result<Response, AppError> {
    session.flush().await?;
    users::sessions_ended(db, account).await?;
    let body = axum::http::StatusCode::NO_CONTENT.into_response();
    Ok(policy.without_csrf_cookie(body))
}

/// Placed in front of tower-sessions' layer: a request carrying the session cookie more than
/// once (a sibling subdomain over plain http can plant one: "cookie tossing") is ambiguous, and
/// which one tower-sessions would read depends on their order; it counts as carrying none.
pub async fn one_session_cookie(
    State(policy): State<SessionPolicy>,
    mut req: Request,
    next: Next,
) -> Response {
    let name = policy.cookie_name();
    let is_session = |pair: &str| pair.trim().split_once('=').is_some_and(|(n, _)| n == name);
    let cookies: Vec<String> = req
        .headers()
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(str::to_owned)
        .collect();
    let sent = cookies
        .iter()
        .flat_map(|h| h.split(';'))
        .filter(|pair| is_session(pair))
        .count();
    if sent > 1 {
        let others: Vec<&str> = cookies
            .iter()
            .flat_map(|h| h.split(';'))
            .filter(|pair| !is_session(pair))
            .map(str::trim)
            .collect();
        let headers = req.headers_mut();
        headers.remove(COOKIE);
        if let Ok(value) = HeaderValue::try_from(others.join("; ")) {
            headers.insert(COOKIE, value);
        }
    }
    next.run(req).await
}

/// Placed just outside tower-sessions' layer: when saving a changed session at the end of a
/// request fails, tower-sessions answers a bare 500 (and logs why). That is a store that did
/// not answer, like a failing load: 503 `unavailable`. Our handlers' own errors always carry
/// a JSON body, so a bare 500 here can only be that.
pub async fn store_failures(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    if response.status() == StatusCode::INTERNAL_SERVER_ERROR
        && !response.headers().contains_key(CONTENT_TYPE)
    {
        return AppError::Unavailable("the session store failed to save".into()).into_response();
    }
    response
}
