//! Signed-in sessions: expiry, CSRF tokens, and the guards in front of protected routes.
//!
//! `tower-sessions` stores the record and sets the HttpOnly cookie. It has no absolute
//! lifetime and renews its idle timer only on writes, so expiry is decided here from two time
//! stamps kept in the session (`created_ms`, `last_seen_ms`). The record itself is kept a
//! little past the absolute lifetime, so an expired session can still be told apart from a
//! cookie the server never issued and answered with `session_expired`.

use std::time::Duration;

use axum::extract::{FromRequestParts, Request, State};
use axum::http::header::{HOST, ORIGIN, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use gatehouse_api::{CSRF_COOKIE, CSRF_HEADER, Role};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use time::OffsetDateTime;
use tower_sessions::cookie::{Cookie, SameSite};
use tower_sessions::{Expiry, Session};

use crate::error::AppError;
use crate::state::AppState;
use crate::users::Account;

/// The session key under which `AuthSession` is stored.
const AUTH_KEY: &str = "auth";

/// How long a record outlives its absolute lifetime, to answer `session_expired`.
const KEEP_EXPIRED: Duration = Duration::from_secs(3600);

/// What a signed-in session holds.
#[derive(Clone, Serialize, Deserialize)]
pub struct AuthSession {
    user_id: i64,
    /// The account's `session_epoch` at sign-in; a password change bumps it.
    epoch: i64,
    /// The synchronizer token the SPA must echo in `X-CSRF-TOKEN`.
    csrf: String,
    created_ms: i64,
    last_seen_ms: i64,
}

/// How sessions and their cookies behave; built once from `Config`.
#[derive(Clone, Debug)]
pub struct SessionPolicy {
    /// A session ends after this long without a request.
    pub idle_timeout: Duration,
    /// A session ends this long after sign-in.
    pub max_lifetime: Duration,
    /// `Secure` cookies, `__Host-` prefix, HSTS.
    pub https: bool,
    /// The origin browsers must send on unsafe requests, when configured.
    pub public_origin: Option<String>,
}

impl SessionPolicy {
    /// The session cookie's name; `__Host-` pins it to this exact origin over https.
    pub fn cookie_name(&self) -> &'static str {
        if self.https {
            "__Host-gatehouse_session"
        } else {
            "gatehouse_session"
        }
    }

    /// When the session ends without further activity (Unix ms).
    fn expires_at_ms(&self, auth: &AuthSession) -> i64 {
        let idle_end = auth.last_seen_ms.saturating_add(millis(self.idle_timeout));
        let hard_end = auth.created_ms.saturating_add(millis(self.max_lifetime));
        idle_end.min(hard_end)
    }

    /// How stale `last_seen_ms` may get before a request writes it again. Writing on every
    /// request would cost a store write each; this costs at most one per interval and makes
    /// the idle timeout end at most this much early, never late.
    fn touch_every(&self) -> i64 {
        millis(self.idle_timeout / 10).min(60_000)
    }

    /// The readable `CSRF-TOKEN` cookie carrying `token` (or removing it when `None`).
    fn csrf_cookie(&self, token: Option<&str>) -> HeaderValue {
        let mut cookie = Cookie::build((CSRF_COOKIE, token.unwrap_or("").to_string()))
            .path("/")
            .same_site(SameSite::Strict)
            .secure(self.https)
            .http_only(false);
        if token.is_none() {
            cookie = cookie
                .max_age(time::Duration::ZERO)
                .expires(OffsetDateTime::UNIX_EPOCH);
        }
        HeaderValue::try_from(cookie.build().to_string()).expect("cookie is a valid header")
    }

    /// Adds the `CSRF-TOKEN` cookie (or its removal) to a response.
    fn with_csrf_cookie(&self, mut response: Response, token: Option<&str>) -> Response {
        response
            .headers_mut()
            .append(SET_COOKIE, self.csrf_cookie(token));
        response
    }

    /// Adds the removal of both cookies to a response, leaving the stored record alone.
    fn clearing_cookies(&self, response: Response) -> Response {
        let removal = Cookie::build((self.cookie_name(), ""))
            .path("/")
            .same_site(SameSite::Strict)
            .secure(self.https)
            .http_only(true)
            .max_age(time::Duration::ZERO)
            .expires(OffsetDateTime::UNIX_EPOCH)
            .build();
        let mut response = self.with_csrf_cookie(response, None);
        response.headers_mut().append(
            SET_COOKIE,
            HeaderValue::try_from(removal.to_string()).expect("cookie is a valid header"),
        );
        response
    }
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

fn now_ms() -> i64 {
    millis(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default(),
    )
}

/// An RFC 3339 string for a Unix-ms time stamp.
fn rfc3339_ms(ms: i64) -> String {
    crate::db::rfc3339(ms.div_euclid(1000))
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The signed-in user, put in the request by the guards for handlers to extract.
#[derive(Clone, Debug)]
pub struct CurrentUser {
    /// The account, as loaded for this request.
    pub account: Account,
    /// When the session ends without further activity (Unix ms).
    pub expires_at_ms: i64,
}

impl CurrentUser {
    /// The `GET /api/auth/me` body.
    pub fn session_info(&self) -> gatehouse_api::SessionInfo {
        gatehouse_api::SessionInfo {
            user: self.account.to_user(),
            expires_at: rfc3339_ms(self.expires_at_ms),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Self>()
            .cloned()
            .ok_or_else(|| AppError::internal("CurrentUser extracted on a route with no guard"))
    }
}

/// Starts a new signed-in session for `account`: always under a new id (re-login included),
/// with a new CSRF token, saved before answering so a store failure is a 503, not a pass.
/// Answers with the `SessionInfo` and the CSRF cookie.
pub async fn sign_in(
    policy: &SessionPolicy,
    session: &Session,
    account: &Account,
) -> Result<Response, AppError> {
    let now = now_ms();
    let auth = AuthSession {
        user_id: account.id,
        epoch: account.session_epoch,
        csrf: random_token(),
        created_ms: now,
        last_seen_ms: now,
    };
    session.cycle_id().await?;
    session.clear().await;
    let keep_until = OffsetDateTime::now_utc() + policy.max_lifetime + KEEP_EXPIRED;
    session.set_expiry(Some(Expiry::AtDateTime(keep_until)));
    session.insert(AUTH_KEY, &auth).await?;
    session.save().await?;
    let user = CurrentUser {
        account: account.clone(),
        expires_at_ms: policy.expires_at_ms(&auth),
    };
    let body = crate::error::Json(user.session_info()).into_response();
    Ok(policy.with_csrf_cookie(body, Some(&auth.csrf)))
}

/// Ends the session: deletes the record, and answers 204 clearing both cookies.
pub async fn sign_out(policy: &SessionPolicy, session: &Session) -> Result<Response, AppError> {
    session.flush().await?;
    let body = axum::http::StatusCode::NO_CONTENT.into_response();
    Ok(policy.with_csrf_cookie(body, None))
}

/// Who may call a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone (sign-in, health).
    Public,
    /// Any signed-in user.
    User,
    /// Signed-in users with the admin role.
    Admin,
}

/// Guard for `Access::User` routes.
pub async fn require_user(
    State(state): State<AppState>,
    session: Session,
    req: Request,
    next: Next,
) -> Response {
    guard(state, session, Access::User, req, next).await
}

/// Guard for `Access::Admin` routes.
pub async fn require_admin(
    State(state): State<AppState>,
    session: Session,
    req: Request,
    next: Next,
) -> Response {
    guard(state, session, Access::Admin, req, next).await
}

async fn guard(
    state: AppState,
    session: Session,
    access: Access,
    mut req: Request,
    next: Next,
) -> Response {
    match authorize(
        &state,
        &session,
        access,
        req.headers(),
        !req.method().is_safe(),
    )
    .await
    {
        Ok(user) => {
            tracing::Span::current().record("user_id", user.account.id);
            req.extensions_mut().insert(user);
            next.run(req).await
        }
        Err(err @ AppError::SessionExpired) => state.sessions.clearing_cookies(err.into_response()),
        Err(err) => err.into_response(),
    }
}

/// 401 without a live session, 403 for a bad CSRF token (unsafe methods) or a missing role.
async fn authorize(
    state: &AppState,
    session: &Session,
    access: Access,
    headers: &HeaderMap,
    unsafe_method: bool,
) -> Result<CurrentUser, AppError> {
    let policy = &state.sessions;
    let mut auth: AuthSession = session
        .get(AUTH_KEY)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let now = now_ms();
    // An ended session's record is left to expire in the store rather than deleted here, so
    // that every request still carrying its cookie (several may be in flight) answers
    // `session_expired` alike, and is not told `unauthenticated` by whichever comes second.
    if now >= policy.expires_at_ms(&auth) {
        return Err(AppError::SessionExpired);
    }
    let account = state
        .accounts
        .get(&state.db, auth.user_id)
        .await?
        .filter(|a| a.session_epoch == auth.epoch);
    let Some(account) = account else {
        return Err(AppError::SessionExpired);
    };
    if unsafe_method {
        check_csrf(headers, &auth.csrf)?;
    }
    if access == Access::Admin && account.role.0 != Role::Admin {
        return Err(AppError::Forbidden);
    }
    if now - auth.last_seen_ms >= policy.touch_every() {
        auth.last_seen_ms = now;
        session.insert(AUTH_KEY, &auth).await?;
    }
    Ok(CurrentUser {
        account,
        expires_at_ms: policy.expires_at_ms(&auth),
    })
}

fn check_csrf(headers: &HeaderMap, expected: &str) -> Result<(), AppError> {
    let sent = headers
        .get(CSRF_HEADER)
        .ok_or(AppError::CsrfFailed("the X-CSRF-TOKEN header is missing"))?;
    if bool::from(sent.as_bytes().ct_eq(expected.as_bytes())) {
        Ok(())
    } else {
        Err(AppError::CsrfFailed(
            "the CSRF token does not match this session",
        ))
    }
}

/// Refuses unsafe requests that a browser marks as coming from another site.
///
/// This is what protects sign-in (which has no session, hence no token yet): every current
/// browser sends `Sec-Fetch-Site`, and `Origin` on unsafe requests. Requests with neither come
/// from programs, not from a victim's browser, so they cannot carry a forged cross-site intent.
/// Chosen over a pre-login token because that would create a stored session for every anonymous
/// visitor.
pub async fn same_origin_only(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if !req.method().is_safe()
        && let Err(err) = check_origin(req.headers(), state.sessions.public_origin.as_deref())
    {
        return err.into_response();
    }
    next.run(req).await
}

fn check_origin(headers: &HeaderMap, public_origin: Option<&str>) -> Result<(), AppError> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = header("sec-fetch-site")
        && site != "same-origin"
        && site != "none"
    {
        return Err(AppError::CsrfFailed("cross-site request"));
    }
    if let Some(origin) = header(ORIGIN.as_str()) {
        let origin = origin.to_ascii_lowercase();
        let allowed = match public_origin {
            Some(expected) => origin == expected,
            // No public URL pinned: the Origin's host must be the Host asked for, unless the
            // browser itself vouched same-origin (a dev proxy such as `trunk serve` rewrites Host).
            None => {
                header("sec-fetch-site") == Some("same-origin")
                    || origin.split_once("://").is_some_and(|(_, host)| {
                        Some(host)
                            == header(HOST.as_str())
                                .map(|h| h.to_ascii_lowercase())
                                .as_deref()
                    })
            }
        };
        if !allowed {
            return Err(AppError::CsrfFailed("request from a foreign origin"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> SessionPolicy {
        SessionPolicy {
            idle_timeout: Duration::from_secs(30 * 60),
            max_lifetime: Duration::from_secs(12 * 3600),
            https: false,
            public_origin: None,
        }
    }

    fn auth(created_ms: i64, last_seen_ms: i64) -> AuthSession {
        AuthSession {
            user_id: 1,
            epoch: 0,
            csrf: "t".into(),
            created_ms,
            last_seen_ms,
        }
    }

    #[test]
    fn a_session_ends_at_the_earlier_of_idle_and_absolute_deadlines() {
        let p = policy();
        let hour = 3_600_000;
        assert_eq!(p.expires_at_ms(&auth(0, 0)), hour / 2);
        assert_eq!(p.expires_at_ms(&auth(0, 12 * hour - 60_000)), 12 * hour);
    }

    #[test]
    fn the_idle_timer_is_rewritten_at_most_once_a_minute_and_never_late() {
        assert_eq!(policy().touch_every(), 60_000);
        let short = SessionPolicy {
            idle_timeout: Duration::from_secs(3),
            ..policy()
        };
        assert_eq!(short.touch_every(), 300);
    }

    #[test]
    fn csrf_tokens_are_random_and_url_safe() {
        let (a, b) = (random_token(), random_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
    }

    #[test]
    fn the_csrf_cookie_is_readable_strict_and_secure_over_https() {
        let https = SessionPolicy {
            https: true,
            ..policy()
        };
        let set = https.csrf_cookie(Some("tok"));
        let set = set.to_str().unwrap();
        assert!(set.starts_with("CSRF-TOKEN=tok"), "{set}");
        assert!(
            set.contains("SameSite=Strict") && set.contains("Secure") && set.contains("Path=/")
        );
        assert!(!set.contains("HttpOnly"));
        let removal = https.csrf_cookie(None);
        assert!(removal.to_str().unwrap().contains("Max-Age=0"));
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn unsafe_requests_from_other_sites_are_refused() {
        let cross = headers(&[("sec-fetch-site", "cross-site")]);
        assert!(check_origin(&cross, None).is_err());
        let sibling = headers(&[("sec-fetch-site", "same-site")]);
        assert!(check_origin(&sibling, None).is_err());
        let foreign = headers(&[
            ("origin", "https://evil.example"),
            ("host", "127.0.0.1:8080"),
        ]);
        assert!(check_origin(&foreign, None).is_err());
        let pinned = headers(&[
            ("origin", "http://127.0.0.1:8080"),
            ("host", "127.0.0.1:8080"),
        ]);
        assert!(check_origin(&pinned, Some("https://app.example")).is_err());
    }

    #[test]
    fn same_origin_and_non_browser_requests_pass() {
        assert!(check_origin(&headers(&[]), None).is_ok());
        let same = headers(&[
            ("origin", "http://127.0.0.1:8080"),
            ("host", "127.0.0.1:8080"),
        ]);
        assert!(check_origin(&same, None).is_ok());
        let proxied = headers(&[
            ("origin", "http://127.0.0.1:8080"),
            ("host", "127.0.0.1:3000"),
            ("sec-fetch-site", "same-origin"),
        ]);
        assert!(check_origin(&proxied, None).is_ok());
        let pinned = headers(&[
            ("origin", "https://app.example"),
            ("sec-fetch-site", "same-origin"),
        ]);
        assert!(check_origin(&pinned, Some("https://app.example")).is_ok());
    }

    #[test]
    fn a_csrf_header_must_equal_the_session_token() {
        assert!(check_csrf(&headers(&[]), "abc").is_err());
        assert!(check_csrf(&headers(&[("x-csrf-token", "abd")]), "abc").is_err());
        assert!(check_csrf(&headers(&[("x-csrf-token", "ab")]), "abc").is_err());
        assert!(check_csrf(&headers(&[("x-csrf-token", "abc")]), "abc").is_ok());
    }
}
