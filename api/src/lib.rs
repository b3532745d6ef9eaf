//! The types that cross the wire between the Gatehouse SPA and its server.
//!
//! Both sides depend on this crate, so renaming a field breaks the build instead of production.
//! Request types reject unknown fields; input that has rules (usernames, note titles and bodies)
//! is parsed into newtypes here, so the server and the SPA's forms apply the same rules.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

mod account;
mod admin;
mod endpoint;
pub mod endpoints;
mod fields;
mod methods;
mod provider;
mod return_path;
#[cfg(feature = "openapi")]
pub mod schema;

pub use account::{
    ActiveSession, PasswordChange, Reauth, SecurityEvent, SecurityEventKind, SessionState,
};
pub use admin::{AccountChange, AdminUser, CreatedAccount, NewAccount, OneTimePassword, UserPage};
pub use endpoint::{Endpoint, Method, Param, ParamIn, encode, with_query};
pub use fields::{FieldError, NoteBody, NoteTitle, Password, Username};
pub use methods::{
    NewPasskey, PasskeyAssertion, PasskeyInfo, PasskeyName, PasskeyOptions, RecoveryCodes,
    SecondFactorMethod, SecondFactorProof, TotpCode, TotpSetup, TotpStatus, WebAuthnJson,
};
pub use provider::{
    LinkedIdentity, PROVIDER_META, PROVIDER_PARAM, ProviderOutcome, ProviderRedirect,
};
pub use return_path::safe_return_path;

/// The sign-in page: where 401s and 403s send the browser, and where its form posts when the
/// app has not taken it over yet (`POST /login`, answered with a 303).
pub const SIGN_IN_PAGE: &str = "/login";

/// Where signing in leads when there is no (safe) `next`.
pub const HOME_AFTER_SIGN_IN: &str = "/dashboard";

/// The stable, machine-readable reason carried by every error response.
///
/// The HTTP status is given on each variant; clients branch on the code, never on the message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// 401: the request carries no valid session.
    Unauthenticated,
    /// 401: the session ran past its idle timeout or absolute lifetime, or was ended elsewhere.
    SessionExpired,
    /// 401: wrong username or password (the same for both, so no account is revealed).
    InvalidCredentials,
    /// 401: an administrator disabled the account; its sessions have ended.
    AccountDisabled,
    /// 401: this session was ended because the account's password changed (by its owner
    /// elsewhere, or reset by an administrator).
    PasswordChanged,
    /// 401: this session was signed out from another of the account's sessions, or by an
    /// administrator.
    SessionEnded,
    /// 401: the password was right, and the account has a second factor: send it to
    /// `POST /api/auth/login/second-factor` within five minutes (`methods` says which).
    /// Nothing is signed in yet.
    SecondFactorRequired,
    /// 401: the code from the authenticator app, or the recovery code, is wrong, expired or
    /// already used.
    InvalidCode,
    /// 403: the CSRF token is missing or wrong, or the request came from another site.
    CsrfFailed,
    /// 403: signed in, but the account lacks the role the route needs.
    Forbidden,
    /// 403: the account signed in with a one-time password and must choose its own first
    /// (`POST /api/auth/password`); nothing else is allowed until then.
    PasswordChangeRequired,
    /// 403: the action needs a recent proof of the password (`POST /api/auth/reauth`), and the
    /// last one (sign-in or re-authentication) is older than the server's window.
    ReauthRequired,
    /// 403: the server's policy (`--require-second-factor`) wants this account to have a
    /// passkey or an authenticator app, and it has neither: set one up first.
    SecondFactorEnrolmentRequired,
    /// 400 or 422: the body is malformed or a field breaks its rules (see `fields`).
    Validation,
    /// 404: no such route, or no such resource visible to this user.
    NotFound,
    /// 405: the route exists but not with this method.
    MethodNotAllowed,
    /// 409: the resource changed since the version the client edited.
    Conflict,
    /// 413: the request body is larger than the server accepts.
    PayloadTooLarge,
    /// 415: the request body is not `application/json`.
    UnsupportedMediaType,
    /// 429: too many failed sign-ins; the `Retry-After` header says when to try again.
    TooManyRequests,
    /// 408: the request took longer than the server allows.
    Timeout,
    /// 503: a dependency (database or session store) is not answering; nothing was decided.
    Unavailable,
    /// 500: an unexpected server fault; details are in the server log, never in the response.
    Internal,
    /// A code this build does not know yet (a newer server); treated like `Internal`.
    #[serde(other)]
    Unknown,
}

impl ErrorCode {
    /// What the sign-in page says when a sign-in failed with this code, for the codes a
    /// sign-in fails with (`None` for the others). The same words whether the app or the
    /// server (a form posted without the app) puts them on the page.
    pub fn failed_sign_in_message(self) -> Option<&'static str> {
        Some(match self {
            Self::InvalidCredentials => "Wrong username or password.",
            Self::TooManyRequests => "Too many attempts. Try again in a few minutes.",
            Self::Validation => "Enter your username and password.",
            _ => return None,
        })
    }

    /// The wire spelling of the code, as in the JSON body and the login page's `reason`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unauthenticated => "unauthenticated",
            Self::SessionExpired => "session_expired",
            Self::InvalidCredentials => "invalid_credentials",
            Self::AccountDisabled => "account_disabled",
            Self::PasswordChanged => "password_changed",
            Self::SessionEnded => "session_ended",
            Self::SecondFactorRequired => "second_factor_required",
            Self::InvalidCode => "invalid_code",
            Self::CsrfFailed => "csrf_failed",
            Self::Forbidden => "forbidden",
            Self::PasswordChangeRequired => "password_change_required",
            Self::ReauthRequired => "reauth_required",
            Self::SecondFactorEnrolmentRequired => "second_factor_enrolment_required",
            Self::Validation => "validation",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::Conflict => "conflict",
            Self::PayloadTooLarge => "payload_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::TooManyRequests => "too_many_requests",
            Self::Timeout => "timeout",
            Self::Unavailable => "unavailable",
            Self::Internal => "internal",
            Self::Unknown => "unknown",
        }
    }

    /// The HTTP status this code is answered with (`validation` is 400 for a body that is not
    /// JSON and 422 otherwise; this gives 422).
    pub fn status(self) -> u16 {
        match self {
            Self::Unauthenticated
            | Self::SessionExpired
            | Self::InvalidCredentials
            | Self::AccountDisabled
            | Self::PasswordChanged
            | Self::SessionEnded
            | Self::SecondFactorRequired
            | Self::InvalidCode => 401,
            Self::CsrfFailed
            | Self::Forbidden
            | Self::PasswordChangeRequired
            | Self::ReauthRequired
            | Self::SecondFactorEnrolmentRequired => 403,
            Self::Validation => 422,
            Self::NotFound => 404,
            Self::MethodNotAllowed => 405,
            Self::Timeout => 408,
            Self::Conflict => 409,
            Self::PayloadTooLarge => 413,
            Self::UnsupportedMediaType => 415,
            Self::TooManyRequests => 429,
            Self::Unavailable => 503,
            Self::Internal | Self::Unknown => 500,
        }
    }

    /// Parses the wire spelling; anything unrecognised is `Unknown`.
    pub fn parse(s: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .unwrap_or(Self::Unknown)
    }

    /// Every known code (all but `Unknown`).
    pub const ALL: [Self; 23] = [
        Self::Unauthenticated,
        Self::SessionExpired,
        Self::InvalidCredentials,
        Self::AccountDisabled,
        Self::PasswordChanged,
        Self::SessionEnded,
        Self::SecondFactorRequired,
        Self::InvalidCode,
        Self::CsrfFailed,
        Self::Forbidden,
        Self::PasswordChangeRequired,
        Self::ReauthRequired,
        Self::SecondFactorEnrolmentRequired,
        Self::Validation,
        Self::NotFound,
        Self::MethodNotAllowed,
        Self::Conflict,
        Self::PayloadTooLarge,
        Self::UnsupportedMediaType,
        Self::TooManyRequests,
        Self::Timeout,
        Self::Unavailable,
        Self::Internal,
    ];
}

/// The schema of a code: the strings in `ALL` (`unknown` is what a client reads a newer code as,
/// never what a server sends).
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for ErrorCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(Self::ALL.iter().map(|c| c.as_str())))
            .description(Some(
                "What went wrong, for programs (see the status of each).",
            ))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for ErrorCode {}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The JSON body of every error response: `{"code": "...", "message": "..."}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// What went wrong, for programs.
    pub code: ErrorCode,
    /// What went wrong, for people. Never carries internal details.
    pub message: String,
    /// Per-field messages for `validation` errors, keyed by the request field's name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, String>,
    /// With `second_factor_required`: the ways the account can finish signing in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub methods: Vec<SecondFactorMethod>,
}

/// A user's role; routes under `/api/admin` need `Admin`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// An ordinary user: their own notes.
    User,
    /// Also sees the user list.
    Admin,
}

impl Role {
    /// The spelling stored in the database and sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Admin => "admin",
        }
    }
}

/// A signed-in user as the SPA sees them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    /// Database id.
    pub id: i64,
    /// The unique sign-in name.
    pub username: String,
    /// What the user may do.
    pub role: Role,
}

/// `POST /api/auth/login` body.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// The sign-in name.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 64))]
    pub username: String,
    /// The password in clear; only ever sent over the wire to be hashed and compared.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 1024))]
    pub password: String,
}

impl fmt::Debug for LoginRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoginRequest")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// `GET /api/auth/me` and `POST /api/auth/login` response: who is signed in, and until when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionInfo {
    /// The signed-in user.
    pub user: User,
    /// When the session ends without further activity (RFC 3339, UTC): the earlier of the idle
    /// deadline and the absolute lifetime.
    pub expires_at: String,
}

/// `GET /api/secured-resource` response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SecuredResource {
    /// A greeting only a signed-in user can read.
    pub message: String,
}

/// One note, as returned by `GET /api/notes/{id}`, `POST` and `PUT`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Note {
    /// Database id.
    pub id: i64,
    /// 1 to 200 characters.
    pub title: String,
    /// Up to 20,000 characters.
    pub body: String,
    /// Incremented by each successful `PUT`; a `PUT` must carry the version it edited.
    pub version: i64,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// RFC 3339, UTC.
    pub updated_at: String,
}

/// One row of `GET /api/notes` (the body's beginning only, so the list stays small).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NoteSummary {
    /// Database id.
    pub id: i64,
    /// The note's title.
    pub title: String,
    /// The body's first line, up to 160 characters.
    pub preview: String,
    /// The current version.
    pub version: i64,
    /// RFC 3339, UTC.
    pub updated_at: String,
}

/// `GET /api/notes?q=&cursor=&limit=`: one page of notes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NotePage {
    /// Most recently edited first; with `q`, best matches first.
    pub notes: Vec<NoteSummary>,
    /// Pass as `cursor` for the next page; absent on the last one.
    pub next_cursor: Option<String>,
}

/// `POST /api/notes` body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewNote {
    /// 1 to 200 characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub title: String,
    /// Up to 20,000 characters.
    #[cfg_attr(feature = "openapi", schema(max_length = 20000))]
    pub body: String,
}

/// `PUT /api/notes/{id}` body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NoteUpdate {
    /// 1 to 200 characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub title: String,
    /// Up to 20,000 characters.
    #[cfg_attr(feature = "openapi", schema(max_length = 20000))]
    pub body: String,
    /// The version the client edited; a stale one answers 409 `conflict`.
    pub version: i64,
}

/// `GET /api/health` response (200 when every dependency answers, else 503).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    /// True when every dependency answered.
    pub ok: bool,
    /// One entry per dependency the server uses.
    pub dependencies: Vec<DependencyHealth>,
}

/// Whether one dependency answered the health check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DependencyHealth {
    /// What the server uses it for: `database` or `session_store`.
    pub name: String,
    /// What it is: `sqlite`, `postgres` or `redis`.
    pub kind: String,
    /// True when it answered in time.
    pub ok: bool,
}

/// Where the API lives: every endpoint's path starts with it.
pub const API_ROOT: &str = "/api";

/// The router's pattern for any path below `API_ROOT` (answered 404 when no endpoint matches).
pub const API_ANY: &str = "/api/{*rest}";

/// The name of the readable cookie that carries the CSRF token.
pub const CSRF_COOKIE: &str = "CSRF-TOKEN";
/// The request header that must echo the CSRF token on unsafe methods.
pub const CSRF_HEADER: &str = "X-CSRF-TOKEN";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_code_round_trips_through_its_wire_spelling() {
        for code in ErrorCode::ALL {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            assert_eq!(ErrorCode::parse(code.as_str()), code);
        }
    }

    #[test]
    fn an_unknown_error_code_decodes_as_unknown() {
        let body: ErrorBody =
            serde_json::from_str(r#"{"code":"brand_new","message":"m"}"#).unwrap();
        assert_eq!(body.code, ErrorCode::Unknown);
        assert!(body.fields.is_empty());
    }

    #[test]
    fn login_request_rejects_unknown_fields_and_hides_the_password_in_debug() {
        let err =
            serde_json::from_str::<LoginRequest>(r#"{"username":"a","password":"b","admin":true}"#);
        assert!(err.is_err());
        let req = LoginRequest {
            username: "ann".into(),
            password: "hunter2".into(),
        };
        let debug = format!("{req:?}");
        assert!(!debug.contains("hunter2"), "{debug}");
    }
}
