//! How sessions and their cookies behave: timeouts, and the session and CSRF cookies.

use std::time::Duration;

use std::convert::Infallible;

use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponseParts, Response, ResponseParts};
use gatehouse_api::{CSRF_COOKIE, Role};
use time::OffsetDateTime;
use tower_sessions::cookie::{Cookie, SameSite};
use tower_sessions::session::Id;

/// How sessions and their cookies behave; built once from `Config`.
#[derive(Clone, Debug)]
pub struct SessionPolicy {
    /// A session ends after this long without a request.
    pub idle_timeout: Duration,
    /// A session ends this long after sign-in.
    pub max_lifetime: Duration,
    /// How long a sign-in or re-authentication allows actions that need a recent one.
    pub reauth_window: Duration,
    /// `Secure` cookies, `__Host-` prefix, HSTS.
    pub https: bool,
    /// The origin browsers must send on unsafe requests, when configured.
    pub public_origin: Option<String>,
    /// Which accounts must have a passkey or an authenticator app.
    pub second_factor: SecondFactorPolicy,
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

    /// How stale `last_seen_ms` may get before a request writes it again. Writing on every
    /// request would cost a store write each; this costs at most one per interval and makes
    /// the idle timeout end at most this much early, never late.
    pub fn touch_every(&self) -> i64 {
        millis(self.idle_timeout / 10).min(60_000)
    }

    /// The session cookie for `id`, kept by the browser for `max_age` (as long as the record).
    pub fn session_cookie(&self, id: Id, max_age: time::Duration) -> HeaderValue {
        let cookie = Cookie::build((self.cookie_name(), id.to_string()))
            .path("/")
            .same_site(SameSite::Strict)
            .secure(self.https)
            .http_only(true)
            .max_age(max_age)
            .build();
        HeaderValue::try_from(cookie.to_string()).expect("cookie is a valid header")
    }

    /// The readable `CSRF-TOKEN` cookie carrying a token for `max_age` (or removing it when
    /// `None`).
    pub fn csrf_cookie(&self, token: Option<(&str, time::Duration)>) -> HeaderValue {
        let (value, max_age) = token.unwrap_or(("", time::Duration::ZERO));
        let mut cookie = Cookie::build((CSRF_COOKIE, value.to_string()))
            .path("/")
            .same_site(SameSite::Strict)
            .secure(self.https)
            .http_only(false)
            .max_age(max_age);
        if token.is_none() {
            cookie = cookie.expires(OffsetDateTime::UNIX_EPOCH);
        }
        HeaderValue::try_from(cookie.build().to_string()).expect("cookie is a valid header")
    }

    /// Both cookies of the session `id` whose CSRF token is `csrf`, for `max_age` (as long as
    /// its record).
    pub fn session_cookies(&self, id: Id, csrf: &str, max_age: time::Duration) -> SessionCookies {
        SessionCookies([
            self.session_cookie(id, max_age),
            self.csrf_cookie(Some((csrf, max_age))),
        ])
    }

    /// The cookie carrying the username of a sign-in posted without the app that failed, for
    /// the sign-in page to show again: HttpOnly, read only at `/login`, for a minute.
    pub fn sign_in_name_cookie(&self, username: &str) -> HeaderValue {
        use base64::Engine;
        let value = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(username);
        let cookie = Cookie::build((SIGN_IN_NAME_COOKIE, value))
            .path(gatehouse_api::SIGN_IN_PAGE)
            .same_site(SameSite::Strict)
            .secure(self.https)
            .http_only(true)
            .max_age(time::Duration::minutes(1))
            .build();
        HeaderValue::try_from(cookie.to_string()).expect("cookie is a valid header")
    }

    /// Adds the removal of the `CSRF-TOKEN` cookie to a response.
    pub fn without_csrf_cookie(&self, mut response: Response) -> Response {
        response
            .headers_mut()
            .append(SET_COOKIE, self.csrf_cookie(None));
        response
    }

    /// Adds the removal of both cookies to a response, leaving the stored record alone.
    pub fn clearing_cookies(&self, response: Response) -> Response {
        let removal = Cookie::build((self.cookie_name(), ""))
            .path("/")
            .same_site(SameSite::Strict)
            .secure(self.https)
            .http_only(true)
            .max_age(time::Duration::ZERO)
            .expires(OffsetDateTime::UNIX_EPOCH)
            .build();
        let mut response = self.without_csrf_cookie(response);
        response.headers_mut().append(
            SET_COOKIE,
            HeaderValue::try_from(removal.to_string()).expect("cookie is a valid header"),
        );
        response
    }
}

/// Every `(name, value)` pair of the request's `Cookie` headers, in order.
pub fn request_cookies(headers: &HeaderMap) -> impl Iterator<Item = (&str, &str)> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
}

/// The name of the cookie `sign_in_name_cookie` sets.
pub const SIGN_IN_NAME_COOKIE: &str = "gatehouse_sign_in_name";

/// A session's two cookies, the HttpOnly session cookie and the readable CSRF cookie, sent
/// together with one lifetime so that they live and die together. (A CSRF cookie without
/// `Max-Age` ended with the browser while the session's survived a restart, and the first
/// change after it failed `csrf_failed`.)
#[derive(Clone, Debug)]
pub struct SessionCookies([HeaderValue; 2]);

impl SessionCookies {
    /// Adds both to a response's headers.
    pub fn append_to(self, headers: &mut HeaderMap) {
        for cookie in self.0 {
            headers.append(SET_COOKIE, cookie);
        }
    }
}

impl IntoResponseParts for SessionCookies {
    type Error = Infallible;

    fn into_response_parts(self, mut parts: ResponseParts) -> Result<ResponseParts, Infallible> {
        self.append_to(parts.headers_mut());
        Ok(parts)
    }
}

/// A duration in whole milliseconds, saturating.
pub fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// Which accounts must have a second way in besides the password.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum SecondFactorPolicy {
    /// No account.
    #[default]
    None,
    /// Administrators.
    Admins,
    /// Every account.
    Everyone,
}

impl SecondFactorPolicy {
    /// Whether an account of `role` must have one.
    pub fn covers(self, role: Role) -> bool {
        match self {
            Self::None => false,
            Self::Admins => role == Role::Admin,
            Self::Everyone => true,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn policy() -> SessionPolicy {
        SessionPolicy {
            idle_timeout: Duration::from_secs(30 * 60),
            max_lifetime: Duration::from_secs(12 * 3600),
            reauth_window: Duration::from_secs(600),
            https: false,
            public_origin: None,
            second_factor: Default::default(),
        }
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
    fn the_csrf_cookie_is_readable_strict_and_secure_over_https() {
        let https = SessionPolicy {
            https: true,
            ..policy()
        };
        let set = https.csrf_cookie(Some(("tok", time::Duration::seconds(5400))));
        let set = set.to_str().unwrap();
        assert!(set.starts_with("CSRF-TOKEN=tok"), "{set}");
        assert!(
            set.contains("SameSite=Strict") && set.contains("Secure") && set.contains("Path=/")
        );
        assert!(
            set.contains("Max-Age=5400"),
            "lives as long as the session: {set}"
        );
        assert!(!set.contains("HttpOnly"));
        let removal = https.csrf_cookie(None);
        assert!(removal.to_str().unwrap().contains("Max-Age=0"));
    }

    #[test]
    fn a_renewed_session_cookie_is_http_only_strict_and_lives_as_long_as_its_record() {
        let https = SessionPolicy {
            https: true,
            ..policy()
        };
        let set = https.session_cookie(Id::default(), time::Duration::seconds(5400));
        let set = set.to_str().unwrap();
        assert!(set.starts_with("__Host-gatehouse_session="), "{set}");
        for attr in [
            "HttpOnly",
            "SameSite=Strict",
            "Secure",
            "Path=/",
            "Max-Age=5400",
        ] {
            assert!(set.contains(attr), "{attr} in {set}");
        }
    }
}
