//! The guards in front of protected routes: a live session (401), the CSRF token on unsafe
//! methods and the role (403), and the renewal of the idle clock.

use std::sync::Arc;

use axum::extract::{FromRequestParts, Request, State};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use gatehouse_api::{CSRF_COOKIE, CSRF_HEADER, Role};
use subtle::ConstantTimeEq;
use time::OffsetDateTime;
use tower_sessions::Session;
use tower_sessions::session::Id;

use super::cookie::{SessionCookies, SessionPolicy, request_cookies};
use super::record::{AUTH_KEY, AuthSession, now_ms, rfc3339_ms};
use crate::data::db::Db;
use crate::data::ended::{self, EndReason};
use crate::data::sessions::SessionStore;
use crate::data::users::{Account, AccountCache};
use crate::error::AppError;

/// What the guards need, and nothing else: the policy, where sessions live, and accounts.
#[derive(Clone)]
pub struct Guard {
    /// Timeouts and cookies.
    pub policy: SessionPolicy,
    /// Where the session records live.
    pub store: SessionStore,
    /// Accounts, looked up on every guarded request.
    pub accounts: AccountCache,
    /// Why ended sessions ended (`data::ended`), for a request still carrying one's cookie.
    pub db: Db,
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

/// What the guard checks and does for one route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    /// Who may call it.
    pub access: Access,
    /// Whether it needs a recent proof of the password (403 `reauth_required` otherwise).
    pub step_up: bool,
    /// Whether calling it counts as activity and renews the idle clock.
    pub renews: bool,
    /// Whether an account that must replace its one-time password may call it (what the
    /// password change itself needs); others answer `password_change_required`.
    pub before_password_change: bool,
    /// Whether an account the second-factor policy covers, with neither a passkey nor an
    /// authenticator app, may call it (setting one up); others answer
    /// `second_factor_enrolment_required`.
    pub before_second_factor: bool,
}

/// The signed-in user, put in the request by the guards for handlers to extract.
#[derive(Clone, Debug)]
pub struct CurrentUser {
    /// The account, as loaded for this request.
    pub account: Account,
    /// When the session ends without further activity (Unix ms).
    pub expires_at_ms: i64,
    /// The session's id (never sent anywhere but in its cookie).
    pub session: Id,
    /// The session as this request saw it (after any renewal).
    pub auth: AuthSession,
    /// What the route asked of the caller (a write checks the role again, see `Writer`).
    pub rule: Rule,
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

/// The guard in front of every non-public route, configured by its `Rule`.
pub async fn guard(
    State((guard, rule)): State<(Arc<Guard>, Rule)>,
    session: Session,
    mut req: Request,
    next: Next,
) -> Response {
    let unsafe_method = !req.method().is_safe();
    match guard
        .authorize(&session, rule, req.headers(), unsafe_method)
        .await
    {
        Ok((user, renewed)) => {
            tracing::Span::current().record("user_id", user.account.id);
            req.extensions_mut().insert(user);
            let mut response = next.run(req).await;
            if let Some(cookies) = renewed {
                cookies.append_to(response.headers_mut());
            }
            response
        }
        Err(
            err @ (AppError::SessionExpired
            | AppError::AccountDisabled
            | AppError::PasswordChanged
            | AppError::SessionEnded),
        ) => guard.policy.clearing_cookies(err.into_response()),
        Err(err) => err.into_response(),
    }
}

impl Guard {
    /// 401 without a live session, 403 for a bad CSRF token (unsafe methods) or a missing
    /// role. When the idle clock is due, renews it and returns the session cookie to send
    /// with its new lifetime.
    async fn authorize(
        &self,
        session: &Session,
        rule: Rule,
        headers: &HeaderMap,
        unsafe_method: bool,
    ) -> Result<(CurrentUser, Option<SessionCookies>), AppError> {
        let policy = &self.policy;
        let Some(auth) = session.get::<AuthSession>(AUTH_KEY).await? else {
            return Err(self.why_signed_out(headers).await);
        };
        let id = session.id().ok_or(AppError::Unauthenticated)?;
        let now = now_ms();
        // An ended session's record is left to expire in the store rather than deleted here,
        // so that every request still carrying its cookie (several may be in flight) answers
        // `session_expired` alike, and is not told `unauthenticated` by whichever comes second.
        if now >= policy.expires_at_ms(&auth) {
            return Err(AppError::SessionExpired);
        }
        let account = self
            .accounts
            .get(auth.user_id)
            .await?
            .ok_or(AppError::SessionExpired)?;
        if account.disabled {
            return Err(AppError::AccountDisabled);
        }
        // A password change made through this session moves it to the new epoch a moment
        // before the account (see `routes::account`), hence `>=`.
        if auth.epoch < account.session_epoch {
            return Err(AppError::SessionExpired);
        }
        if unsafe_method {
            check_csrf(headers, &auth.csrf)?;
        }
        if rule.access == Access::Admin && account.role.0 != Role::Admin {
            return Err(AppError::Forbidden);
        }
        if account.must_change_password && !rule.before_password_change {
            return Err(AppError::PasswordChangeRequired);
        }
        if !rule.before_second_factor
            && policy.second_factor.covers(account.role.0)
            && !account.has_second_factor()
            && !auth.multi_factor
        {
            return Err(AppError::SecondFactorEnrolmentRequired);
        }
        if rule.step_up && now >= policy.reauthenticated_until_ms(&auth) {
            return Err(AppError::ReauthRequired);
        }
        let mut current = auth.clone();
        let mut renewed = None;
        if rule.renews && now - auth.last_seen_ms >= policy.touch_every() {
            current.last_seen_ms = now;
            // Compare-and-set: a session signed out (or changed) since it was loaded stays so.
            match replace(&self.store, policy, id, &auth, &current).await? {
                Some(cookies) => renewed = Some(cookies),
                None => current = auth,
            }
        }
        // A browser that kept the session cookie but lost the CSRF one (cookies of an older
        // server were session-only) gets it back with this answer, before its next change.
        if renewed.is_none() && !carries_csrf_cookie(headers) {
            renewed = Some(cookies_for(policy, id, &current));
        }
        Ok((
            CurrentUser {
                account,
                expires_at_ms: policy.expires_at_ms(&current),
                session: id,
                auth: current,
                rule,
            },
            renewed,
        ))
    }
}

impl Guard {
    /// Why a request without a live session is signed out: its cookie names a session ended
    /// for a reason the sign-in page can give (`password_changed`, `session_ended`), else
    /// `unauthenticated`.
    async fn why_signed_out(&self, headers: &HeaderMap) -> AppError {
        let name = self.policy.cookie_name();
        let id = request_cookies(headers)
            .find(|(n, _)| *n == name)
            .and_then(|(_, value)| value.parse::<Id>().ok());
        let Some(id) = id else {
            return AppError::Unauthenticated;
        };
        match ended::reason(&self.db, &id, now_ms()).await {
            Ok(Some(EndReason::PasswordChanged)) => AppError::PasswordChanged,
            Ok(Some(EndReason::EndedElsewhere)) => AppError::SessionEnded,
            Ok(None) => AppError::Unauthenticated,
            // Only the sentence is lost: the answer is the 401 it always was.
            Err(e) => {
                tracing::warn!(error = %e, "could not read why a session ended");
                AppError::Unauthenticated
            }
        }
    }
}

/// Writes `new` over the session `id` if it still holds `old`; both its cookies with the
/// record's new lifetime when it did, `None` when the session was ended or changed meanwhile.
pub async fn replace(
    store: &SessionStore,
    policy: &SessionPolicy,
    id: Id,
    old: &AuthSession,
    new: &AuthSession,
) -> Result<Option<SessionCookies>, AppError> {
    if !store
        .replace(&old.to_record(id, policy), &new.to_record(id, policy))
        .await?
    {
        return Ok(None);
    }
    Ok(Some(cookies_for(policy, id, new)))
}

/// Both cookies of the session `id` as `auth` holds it, lasting as long as its record.
pub fn cookies_for(policy: &SessionPolicy, id: Id, auth: &AuthSession) -> SessionCookies {
    let max_age = policy.stored_until(auth) - OffsetDateTime::now_utc();
    policy.session_cookies(id, &auth.csrf, max_age)
}

/// Whether the request carries a `CSRF-TOKEN` cookie.
fn carries_csrf_cookie(headers: &HeaderMap) -> bool {
    request_cookies(headers).any(|(name, _)| name == CSRF_COOKIE)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn a_csrf_header_must_equal_the_session_token() {
        assert!(check_csrf(&headers(&[]), "abc").is_err());
        assert!(check_csrf(&headers(&[("x-csrf-token", "abd")]), "abc").is_err());
        assert!(check_csrf(&headers(&[("x-csrf-token", "ab")]), "abc").is_err());
        assert!(check_csrf(&headers(&[("x-csrf-token", "abc")]), "abc").is_ok());
    }
}
