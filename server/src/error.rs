//! `AppError`: everything a request can end in, and the JSON error body it becomes.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use gatehouse_api::{ErrorBody, ErrorCode, FieldError, SecondFactorMethod};

/// Why a request failed. Each variant documents the status and `code` it answers with; 5xx
/// details are logged and never sent.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 401 `unauthenticated`: no valid session.
    #[error("sign-in required")]
    Unauthenticated,
    /// 401 `session_expired`: idle timeout, absolute lifetime, or ended by a password change.
    #[error("your session has ended; please sign in again")]
    SessionExpired,
    /// 401 `invalid_credentials`: wrong username or password, indistinguishably.
    #[error("wrong username or password")]
    InvalidCredentials,
    /// 403 `csrf_failed`: missing or wrong CSRF token, or a cross-site request.
    #[error("security check failed: {0}")]
    CsrfFailed(&'static str),
    /// 403 `forbidden`: the account lacks the role.
    #[error("your account does not have access to this")]
    Forbidden,
    /// 403 `reauth_required`: the action needs the password confirmed again.
    #[error("please confirm your password to continue")]
    ReauthRequired,
    /// 422 `validation`: one or more fields break their rules.
    #[error("some fields are invalid")]
    Invalid(Vec<FieldError>),
    /// 422 `validation`: well-formed JSON of the wrong shape (unknown or missing field, wrong type).
    #[error("{0}")]
    WrongShape(String),
    /// 400 `validation`: the body is not valid JSON.
    #[error("{0}")]
    Malformed(String),
    /// 404 `not_found`.
    #[error("not found")]
    NotFound,
    /// 405 `method_not_allowed`.
    #[error("method not allowed here")]
    MethodNotAllowed,
    /// 409 `conflict`: edited a stale version.
    #[error("this was changed elsewhere since you loaded it")]
    Conflict,
    /// 409 `conflict`: refused as it stands, with the reason (the last administrator).
    #[error("{0}")]
    Refused(&'static str),
    /// 401 `second_factor_required`: the password was right; the sign-in waits (five minutes)
    /// for one of `methods`.
    #[error("enter the code from your authenticator app to finish signing in")]
    SecondFactorRequired(Vec<SecondFactorMethod>),
    /// 401 `invalid_code`: a wrong, expired or already used code.
    #[error("that code is not right, or was used already")]
    InvalidCode,
    /// 403 `second_factor_enrolment_required`: the policy wants a passkey or an authenticator
    /// app on this account first.
    #[error("set up a passkey or an authenticator app to continue")]
    SecondFactorEnrolmentRequired,
    /// 401 `account_disabled`: an administrator disabled the account.
    #[error("this account has been disabled; ask an administrator")]
    AccountDisabled,
    /// 401 `password_changed`: the session ended because the account's password changed.
    #[error("the password of this account was changed; sign in with the new one")]
    PasswordChanged,
    /// 401 `session_ended`: the session was signed out from elsewhere.
    #[error("this session was signed out from another device")]
    SessionEnded,
    /// 403 `password_change_required`: the one-time password must be replaced first.
    #[error("choose a new password to continue")]
    PasswordChangeRequired,
    /// 413 `payload_too_large`.
    #[error("request body too large")]
    PayloadTooLarge,
    /// 415 `unsupported_media_type`.
    #[error("request body must be JSON with Content-Type: application/json")]
    UnsupportedMediaType,
    /// 429 `too_many_requests`, with `Retry-After`.
    #[error("Too many attempts. Try again in {}.", in_words(*retry_after))]
    TooManyRequests {
        /// How long until the next attempt is allowed.
        retry_after: Duration,
    },
    /// 408 `timeout`.
    #[error("the request took too long")]
    Timeout,
    /// 503 `unavailable`: the database or session store did not answer. Fails closed.
    #[error("the service is temporarily unavailable")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// 500 `internal`.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// A wait in words, rounded up: "a minute", "14 minutes", "30 seconds".
fn in_words(wait: Duration) -> String {
    let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
    match seconds {
        1 => "a second".into(),
        2..=59 => format!("{seconds} seconds"),
        60 => "a minute".into(),
        _ => format!("{} minutes", seconds.div_ceil(60)),
    }
}

impl AppError {
    /// The status and stable code this error answers with.
    pub fn status_and_code(&self) -> (StatusCode, ErrorCode) {
        use ErrorCode as C;
        match self {
            Self::Unauthenticated => (StatusCode::UNAUTHORIZED, C::Unauthenticated),
            Self::SessionExpired => (StatusCode::UNAUTHORIZED, C::SessionExpired),
            Self::InvalidCredentials => (StatusCode::UNAUTHORIZED, C::InvalidCredentials),
            Self::CsrfFailed(_) => (StatusCode::FORBIDDEN, C::CsrfFailed),
            Self::Forbidden => (StatusCode::FORBIDDEN, C::Forbidden),
            Self::ReauthRequired => (StatusCode::FORBIDDEN, C::ReauthRequired),
            Self::Invalid(_) | Self::WrongShape(_) => {
                (StatusCode::UNPROCESSABLE_ENTITY, C::Validation)
            }
            Self::Malformed(_) => (StatusCode::BAD_REQUEST, C::Validation),
            Self::NotFound => (StatusCode::NOT_FOUND, C::NotFound),
            Self::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, C::MethodNotAllowed),
            Self::Conflict | Self::Refused(_) => (StatusCode::CONFLICT, C::Conflict),
            Self::AccountDisabled => (StatusCode::UNAUTHORIZED, C::AccountDisabled),
            Self::PasswordChanged => (StatusCode::UNAUTHORIZED, C::PasswordChanged),
            Self::SessionEnded => (StatusCode::UNAUTHORIZED, C::SessionEnded),
            Self::SecondFactorRequired(_) => (StatusCode::UNAUTHORIZED, C::SecondFactorRequired),
            Self::InvalidCode => (StatusCode::UNAUTHORIZED, C::InvalidCode),
            Self::SecondFactorEnrolmentRequired => {
                (StatusCode::FORBIDDEN, C::SecondFactorEnrolmentRequired)
            }
            Self::PasswordChangeRequired => (StatusCode::FORBIDDEN, C::PasswordChangeRequired),
            Self::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, C::PayloadTooLarge),
            Self::UnsupportedMediaType => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, C::UnsupportedMediaType)
            }
            Self::TooManyRequests { .. } => (StatusCode::TOO_MANY_REQUESTS, C::TooManyRequests),
            Self::Timeout => (StatusCode::REQUEST_TIMEOUT, C::Timeout),
            Self::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, C::Unavailable),
            Self::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, C::Internal),
        }
    }

    /// Wraps any fault as a 500.
    pub fn internal(err: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::Internal(err.into())
    }

    /// The error for a bare status produced outside our handlers (router, layers).
    pub fn from_status(status: StatusCode) -> Self {
        match status {
            StatusCode::UNAUTHORIZED => Self::Unauthenticated,
            StatusCode::FORBIDDEN => Self::Forbidden,
            StatusCode::NOT_FOUND => Self::NotFound,
            StatusCode::METHOD_NOT_ALLOWED => Self::MethodNotAllowed,
            StatusCode::PAYLOAD_TOO_LARGE => Self::PayloadTooLarge,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => Self::UnsupportedMediaType,
            StatusCode::REQUEST_TIMEOUT => Self::Timeout,
            StatusCode::SERVICE_UNAVAILABLE => Self::Unavailable("dependency unavailable".into()),
            s if s.is_client_error() => Self::Malformed(
                s.canonical_reason()
                    .unwrap_or("bad request")
                    .to_ascii_lowercase(),
            ),
            s => Self::internal(format!("bare {s} from a layer")),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        match &self {
            Self::Internal(e) => {
                tracing::error!(error = %e, source = ?e.source(), "internal error")
            }
            Self::Unavailable(e) => tracing::error!(error = %e, "dependency unavailable"),
            _ => {}
        }
        let fields = match &self {
            Self::Invalid(errors) => errors
                .iter()
                .map(|e| (e.field.to_string(), e.message.clone()))
                .collect(),
            _ => BTreeMap::new(),
        };
        let methods = match &self {
            Self::SecondFactorRequired(methods) => methods.clone(),
            _ => Vec::new(),
        };
        let body = ErrorBody {
            code,
            message: self.to_string(),
            fields,
            methods,
        };
        let mut response = (status, axum::Json(body)).into_response();
        if let Self::TooManyRequests { retry_after } = self {
            let secs = retry_after.as_secs_f64().ceil().max(1.0) as u64;
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

impl From<JsonRejection> for AppError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::JsonDataError(e) => Self::WrongShape(plain_words(&e.body_text())),
            JsonRejection::JsonSyntaxError(e) => Self::Malformed(format!(
                "the body is not valid JSON ({})",
                plain_words(&e.body_text())
            )),
            JsonRejection::MissingJsonContentType(_) => Self::UnsupportedMediaType,
            other => Self::from_status(other.status()),
        }
    }
}

/// serde's message for a body of the wrong shape, for people: the field and what was wrong,
/// without axum's preamble, the position, or the Rust type it was read into.
fn plain_words(text: &str) -> String {
    let text = text
        .split_once("target type: ")
        .map_or(text, |(_, rest)| rest);
    let text = text.split_once("as JSON: ").map_or(text, |(_, rest)| rest);
    let text = match text.rfind(" at line ") {
        Some(at) if text[at..].contains(" column ") => &text[..at],
        _ => text,
    };
    let text = text.strip_prefix(".: ").unwrap_or(text);
    let mut words: Vec<String> = Vec::new();
    let mut parts = text.split(' ').peekable();
    while let Some(word) = parts.next() {
        let type_name = |w: &str| w.starts_with(|c: char| c.is_ascii_uppercase());
        match word {
            "struct" | "map" if parts.peek().is_some_and(|w| type_name(w)) => {
                parts.next();
                words.push("an object".into());
            }
            "enum" if parts.peek().is_some_and(|w| type_name(w)) => {
                parts.next();
                words.push("one of the allowed values".into());
            }
            "tuple" | "unit" if parts.peek() == Some(&"struct") => {
                parts.next();
                parts.next();
                words.push("a value of another shape".into());
            }
            _ => words.push(word.to_string()),
        }
    }
    let text = words.join(" ");
    text.replace(" a an ", " an ")
}

impl From<PathRejection> for AppError {
    /// A path parameter that does not parse names nothing that exists.
    fn from(_: PathRejection) -> Self {
        Self::NotFound
    }
}

impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        match err {
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
                Self::Unavailable(err.into())
            }
            other => Self::internal(other),
        }
    }
}

impl From<tower_sessions::session::Error> for AppError {
    /// A session store that cannot answer fails closed.
    fn from(err: tower_sessions::session::Error) -> Self {
        Self::Unavailable(err.into())
    }
}

impl From<tower_sessions::session_store::Error> for AppError {
    /// A session store that cannot answer fails closed.
    fn from(err: tower_sessions::session_store::Error) -> Self {
        Self::Unavailable(err.into())
    }
}

impl From<FieldError> for AppError {
    fn from(err: FieldError) -> Self {
        Self::Invalid(vec![err])
    }
}

/// `axum::Json`, but its rejections are `AppError`s (JSON bodies with stable codes), and the
/// body must be a JSON object, as every request body of the API is: serde reads a struct from
/// an array of its fields too (`["t","b"]` as a note), which the contract does not allow.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<T, S> FromRequest<S> for Json<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        if !json_content_type(req.headers()) {
            return Err(AppError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|rejection| AppError::from_status(rejection.status()))?;
        match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{') => {}
            // Anything else, once it is valid JSON at all, is of the wrong shape.
            _ => {
                return Err(
                    match serde_json::from_slice::<serde::de::IgnoredAny>(&bytes) {
                        Ok(_) => AppError::WrongShape("the body must be a JSON object".into()),
                        Err(e) => AppError::Malformed(format!(
                            "the body is not valid JSON ({})",
                            plain_words(&e.to_string())
                        )),
                    },
                );
            }
        }
        let axum::Json(value) = axum::Json::<T>::from_bytes(&bytes)?;
        Ok(Self(value))
    }
}

/// Whether the request says its body is JSON (`application/json`, or `application/*+json`), as
/// `axum::Json` decides it.
fn json_content_type(headers: &axum::http::HeaderMap) -> bool {
    let Some(mime) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
    else {
        return false;
    };
    let Some((kind, subtype)) = mime.split_once('/') else {
        return false;
    };
    kind == "application" && (subtype == "json" || subtype.ends_with("+json"))
}

impl<T: serde::Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// `axum::extract::Path`, but a parameter that does not parse is a 404.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct Path<T>(pub T);

/// `axum::extract::Query`, but a query string that does not parse is a 400 `validation`.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct Query<T>(pub T);

impl From<QueryRejection> for AppError {
    fn from(_: QueryRejection) -> Self {
        Self::Malformed("the query string is not valid here".into())
    }
}

/// Both parsed fields, or `Invalid` with every field error, so a form can show them all at once.
pub fn both<A, B>(a: Result<A, FieldError>, b: Result<B, FieldError>) -> Result<(A, B), AppError> {
    match (a, b) {
        (Ok(a), Ok(b)) => Ok((a, b)),
        (a, b) => Err(AppError::Invalid(
            a.err().into_iter().chain(b.err()).collect(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_never_send_their_details() {
        let err = AppError::internal("secret table users_v2 is missing");
        assert_eq!(err.to_string(), "internal error");
        let response = err.into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }

    #[test]
    fn too_many_requests_rounds_retry_after_up_to_whole_seconds() {
        let response = AppError::TooManyRequests {
            retry_after: Duration::from_millis(1500),
        }
        .into_response();
        assert_eq!(response.headers()[header::RETRY_AFTER], "2");
    }

    #[test]
    fn shape_errors_keep_the_field_and_lose_rust_types_and_positions() {
        let cases = [
            (
                "Failed to deserialize the JSON body into the target type: owner: unknown field `owner`, expected `title` or `body` at line 1 column 18",
                "owner: unknown field `owner`, expected `title` or `body`",
            ),
            (
                "Failed to deserialize the JSON body into the target type: invalid type: sequence, expected struct NewNote at line 1 column 0",
                "invalid type: sequence, expected an object",
            ),
            (
                "Failed to deserialize the JSON body into the target type: role: unknown variant `root`, expected `user` or `admin` at line 1 column 30",
                "role: unknown variant `root`, expected `user` or `admin`",
            ),
            (
                "Failed to parse the request body as JSON: key must be a string at line 1 column 2",
                "key must be a string",
            ),
        ];
        for (serde, words) in cases {
            assert_eq!(plain_words(serde), words);
        }
    }

    #[test]
    fn a_throttled_sign_in_says_how_long_in_minutes_not_seconds() {
        let err = AppError::TooManyRequests {
            retry_after: Duration::from_secs(14 * 60 - 20),
        };
        assert_eq!(
            err.to_string(),
            "Too many attempts. Try again in 14 minutes."
        );
        let err = AppError::TooManyRequests {
            retry_after: Duration::from_millis(1500),
        };
        assert_eq!(
            err.to_string(),
            "Too many attempts. Try again in 2 seconds."
        );
    }

    #[test]
    fn bare_statuses_map_to_their_codes() {
        for (status, code) in [
            (StatusCode::NOT_FOUND, ErrorCode::NotFound),
            (StatusCode::METHOD_NOT_ALLOWED, ErrorCode::MethodNotAllowed),
            (StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::PayloadTooLarge),
            (StatusCode::SERVICE_UNAVAILABLE, ErrorCode::Unavailable),
            (StatusCode::BAD_GATEWAY, ErrorCode::Internal),
        ] {
            assert_eq!(AppError::from_status(status).status_and_code().1, code);
        }
    }
}
