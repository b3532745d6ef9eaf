//! `ApiError`: everything a request can end in besides success, and the pure rules that
//! classify a response.

use gatehouse_api::{ErrorBody, ErrorCode};

/// Why a request did not produce a value. `Clone + PartialEq` so it can be a prop; an app
/// renders it with one component, which shows nothing for the silent variants.
#[derive(Clone, Debug, PartialEq)]
pub enum ApiError {
    /// No answer: offline, server down, connection reset.
    Network(String),
    /// The server answered an error status, with its code, message and field messages.
    Http {
        /// The HTTP status.
        status: u16,
        /// The server's `ErrorBody` (or one made from the status when the body was not JSON).
        body: ErrorBody,
    },
    /// The answer was not the JSON the caller expected.
    Decode(String),
    /// Cancelled because the component that started it went away. Never shown.
    Aborted,
    /// 401/403: the server wants the user to sign in (again, or as someone else). What
    /// `ApiClient` answers; `use_api` hands it to the auth layer and returns `Redirecting`.
    SignInRequired {
        /// 401 or 403.
        status: u16,
        /// The server's body; its code says why (`session_expired`, `forbidden`, …).
        body: ErrorBody,
    },
    /// 401/403: the auth layer is taking the user to the sign-in page. Never shown.
    Redirecting,
}

impl ApiError {
    /// Aborted and redirecting requests are not errors to show.
    pub fn is_silent(&self) -> bool {
        matches!(self, Self::Aborted | Self::Redirecting)
    }

    /// The server's error code, for HTTP errors.
    pub fn code(&self) -> Option<ErrorCode> {
        self.body().map(|body| body.code)
    }

    /// The server's error body, for HTTP errors.
    pub fn body(&self) -> Option<&ErrorBody> {
        match self {
            Self::Http { body, .. } | Self::SignInRequired { body, .. } => Some(body),
            _ => None,
        }
    }

    /// The message for a field of the request (validation errors).
    pub fn field(&self, name: &str) -> Option<&str> {
        self.body()?.fields.get(name).map(String::as_str)
    }

    /// Whether the same request may succeed if tried again.
    pub fn can_retry(&self) -> bool {
        match self {
            Self::Network(_) | Self::Decode(_) => true,
            Self::Http { status, .. } => *status == 408 || *status == 429 || *status >= 500,
            Self::Aborted | Self::Redirecting | Self::SignInRequired { .. } => false,
        }
    }

    /// A sentence for the person using the app.
    pub fn message(&self) -> String {
        match self {
            Self::Network(_) => {
                "Can't reach the server. Check your connection and try again.".into()
            }
            Self::Http { body, .. } | Self::SignInRequired { body, .. } => sentence(&body.message),
            Self::Decode(_) => "The server sent an answer this page doesn't understand.".into(),
            Self::Aborted => "Cancelled.".into(),
            Self::Redirecting => "Taking you to sign in.".into(),
        }
    }
}

/// `text` with its first letter in upper case, in any script ("édition" reads "Édition"): in
/// the browser by the browser's own mapping, since Rust's would bring its Unicode case tables
/// into every app's wasm (31 KB, 9 KB brotli).
pub fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    #[cfg(target_arch = "wasm32")]
    let first: String = js_sys::JsString::from(first).to_upper_case().into();
    #[cfg(not(target_arch = "wasm32"))]
    #[allow(clippy::disallowed_methods, reason = "native builds carry no wasm")]
    let first: String = first.to_uppercase().collect();
    first + chars.as_str()
}

/// A server message as a sentence: a capital first letter and a full stop ("wrong username or
/// password" reads "Wrong username or password.").
fn sentence(message: &str) -> String {
    let message = message.trim();
    if message.is_empty() {
        return "Something went wrong.".into();
    }
    let mut out = capitalized(message);
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

/// What a response status and body mean for the caller.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// 2xx: decode the body.
    Success,
    /// 401 or 403: the user must sign in (again, or as someone else).
    SignInRequired {
        /// The HTTP status (401 or 403).
        status: u16,
        /// The server's body; its code becomes the login page's `reason`.
        body: ErrorBody,
    },
    /// Any other status: hand the error to the component.
    Failure(ApiError),
}

/// Classifies a response. Bodies that are not an `ErrorBody` (a proxy's HTML page, say) get
/// one made from the status, so components always have a code and a message.
pub fn classify(status: u16, body: &str) -> Verdict {
    if (200..300).contains(&status) {
        return Verdict::Success;
    }
    let body = crate::json::from_str::<ErrorBody>(body).unwrap_or_else(|_| ErrorBody {
        code: code_for_status(status),
        message: format!("The server answered {status}."),
        fields: Default::default(),
        methods: Vec::new(),
    });
    match status {
        401 | 403 => Verdict::SignInRequired { status, body },
        _ => Verdict::Failure(ApiError::Http { status, body }),
    }
}

fn code_for_status(status: u16) -> ErrorCode {
    match status {
        401 => ErrorCode::Unauthenticated,
        403 => ErrorCode::Forbidden,
        404 => ErrorCode::NotFound,
        408 => ErrorCode::Timeout,
        409 => ErrorCode::Conflict,
        413 => ErrorCode::PayloadTooLarge,
        429 => ErrorCode::TooManyRequests,
        502..=504 => ErrorCode::Unavailable,
        400..=499 => ErrorCode::Validation,
        _ => ErrorCode::Internal,
    }
}

/// Whether an idempotent GET should be sent again after this outcome: only when no answer
/// came, or a gateway said the server is briefly unavailable.
pub fn is_transient<T>(outcome: &Result<T, ApiError>) -> bool {
    match outcome {
        Err(ApiError::Network(_)) => true,
        Err(ApiError::Http { status, .. }) => matches!(status, 502..=504),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_message_reads_as_a_sentence() {
        assert_eq!(
            sentence("wrong username or password"),
            "Wrong username or password."
        );
        assert_eq!(
            sentence("Too many attempts. Try again in 14 minutes."),
            "Too many attempts. Try again in 14 minutes."
        );
        assert_eq!(sentence("  "), "Something went wrong.");
        assert_eq!(sentence("édition refusée!"), "Édition refusée!");
    }

    #[test]
    fn a_2xx_is_success_whatever_the_body() {
        assert_eq!(classify(200, "not json"), Verdict::Success);
        assert_eq!(classify(204, ""), Verdict::Success);
    }

    #[test]
    fn a_401_or_403_asks_for_sign_in_with_the_servers_code() {
        let v = classify(401, r#"{"code":"session_expired","message":"ended"}"#);
        let Verdict::SignInRequired { status: 401, body } = v else {
            panic!("{v:?}")
        };
        assert_eq!(body.code, ErrorCode::SessionExpired);
        let v = classify(403, r#"{"code":"csrf_failed","message":"bad token"}"#);
        assert!(matches!(
            v,
            Verdict::SignInRequired {
                body: ErrorBody {
                    code: ErrorCode::CsrfFailed,
                    ..
                },
                ..
            }
        ));
    }

    #[test]
    fn other_errors_reach_the_component_with_code_message_and_fields() {
        let v = classify(
            422,
            r#"{"code":"validation","message":"some fields are invalid","fields":{"title":"must not be empty"}}"#,
        );
        let Verdict::Failure(err) = v else { panic!() };
        assert_eq!(err.code(), Some(ErrorCode::Validation));
        assert_eq!(err.field("title"), Some("must not be empty"));
        assert!(!err.can_retry());
    }

    #[test]
    fn a_non_json_error_body_gets_a_code_from_its_status() {
        let Verdict::Failure(err) = classify(502, "<html>Bad Gateway</html>") else {
            panic!()
        };
        assert_eq!(err.code(), Some(ErrorCode::Unavailable));
        assert!(err.can_retry());
        assert!(err.message().contains("502"));
        let Verdict::SignInRequired { body, .. } = classify(403, "") else {
            panic!()
        };
        assert_eq!(body.code, ErrorCode::Forbidden);
    }

    #[test]
    fn only_network_failures_and_gateway_errors_are_transient() {
        assert!(is_transient(&Err::<(), _>(ApiError::Network("x".into()))));
        for status in [502, 503, 504] {
            let Verdict::Failure(e) = classify(status, "") else {
                panic!()
            };
            assert!(is_transient(&Err::<(), _>(e)), "{status}");
        }
        for status in [400, 404, 409, 500] {
            let Verdict::Failure(e) = classify(status, "") else {
                panic!()
            };
            assert!(!is_transient(&Err::<(), _>(e)), "{status}");
        }
        assert!(!is_transient(&Err::<(), _>(ApiError::Decode("x".into()))));
        assert!(!is_transient(&Ok::<(), ApiError>(())));
    }

    #[test]
    fn silent_errors_are_never_shown_or_retried() {
        for e in [ApiError::Aborted, ApiError::Redirecting] {
            assert!(e.is_silent() && !e.can_retry());
        }
        assert!(!ApiError::Network(String::new()).is_silent());
    }
}
