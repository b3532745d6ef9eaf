//! Cross-cutting rules every request or response passes: security headers, JSON error bodies
//! on `/api`, `Secure` on every cookie over https, and the Origin check on unsafe requests.

mod origin;

pub use origin::same_origin_only;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{self, HeaderName};
use axum::http::{HeaderValue, response::Parts};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::AppError;
use crate::http::proxy::Forwarded;

/// Browser features the app never uses, denied to it and to anything it might embed; passkeys
/// (WebAuthn's create and get) for this origin only.
pub const PERMISSIONS_POLICY: &str = "accelerometer=(), autoplay=(), camera=(), \
    display-capture=(), encrypted-media=(), fullscreen=(), geolocation=(), gyroscope=(), \
    hid=(), idle-detection=(), magnetometer=(), microphone=(), midi=(), payment=(), \
    picture-in-picture=(), publickey-credentials-create=(self), \
    publickey-credentials-get=(self), screen-wake-lock=(), serial=(), usb=(), \
    xr-spatial-tracking=()";

/// Headers every response carries.
#[derive(Clone, Debug)]
pub struct SecurityHeaders {
    /// The pages' CSP (see `spa`).
    pub csp: HeaderValue,
    /// Send HSTS on every response (the public URL is https); otherwise only on responses to
    /// requests a trusted proxy says came over https.
    pub https: bool,
}

/// Whether the request reached us over https: the configured public URL says so, or a trusted
/// proxy does (`X-Forwarded-Proto`).
fn over_https(configured: bool, req: &Request) -> bool {
    configured || req.extensions().get::<Forwarded>().is_some_and(|f| f.https)
}

/// The CSP of every `/api` answer: JSON and redirects load nothing and are framed by nothing.
pub const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'";

/// Sets the security headers on every response. `/api` answers are never documents, so they get
/// a short CSP that allows nothing and none of the headers that only mean something to a page
/// (the page's CSP, `Permissions-Policy`, `Cross-Origin-Opener-Policy`): ~900 bytes less on
/// every API answer.
pub async fn security_headers(
    State(cfg): State<SecurityHeaders>,
    req: Request,
    next: Next,
) -> Response {
    let https = over_https(cfg.https, &req);
    let api = is_api(req.uri().path());
    let mut response = next.run(req).await;
    let h = response.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        HeaderName::from_static("cross-origin-resource-policy"),
        HeaderValue::from_static("same-origin"),
    );
    if api {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(API_CSP),
        );
    } else {
        h.insert(header::CONTENT_SECURITY_POLICY, cfg.csp.clone());
        h.insert(
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        );
        h.insert(
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static(PERMISSIONS_POLICY),
        );
    }
    if https {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    response
}

/// Whether `path` is `/api` or below it.
fn is_api(path: &str) -> bool {
    path.strip_prefix(gatehouse_api::API_ROOT)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// `/api` answers are never cached, and every error is a JSON `ErrorBody`, including the bare
/// ones made by the router (404, 405) and by layers (413, 408, a panic).
pub async fn api_responses(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    let mut response = if (status.is_client_error() || status.is_server_error()) && !is_json {
        let (parts, _) = response.into_parts();
        rebuild(parts, AppError::from_status(status).into_response())
    } else {
        response
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The JSON error response, keeping the original's other headers (`Allow`, `Set-Cookie`).
fn rebuild(original: Parts, json: Response) -> Response {
    let (mut parts, body) = json.into_parts();
    for (name, value) in &original.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            parts.headers.append(name.clone(), value.clone());
        }
    }
    Response::from_parts(parts, Body::new(body))
}

/// Over https (`configured`, or said by a trusted proxy), adds `Secure` to any cookie set
/// without it. tower-sessions 0.14 builds its removal cookie from the request's cookie, which
/// has no attributes, so without this the sign-out of a `__Host-` cookie is ignored by browsers.
pub async fn secure_cookies(State(configured): State<bool>, req: Request, next: Next) -> Response {
    let https = over_https(configured, &req);
    let mut response = next.run(req).await;
    if !https {
        return response;
    }
    let cookies: Vec<HeaderValue> = response
        .headers_mut()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| {
            let text = v.to_str().unwrap_or_default();
            if text.to_ascii_lowercase().contains("; secure") {
                v.clone()
            } else {
                HeaderValue::try_from(format!("{text}; Secure")).unwrap_or_else(|_| v.clone())
            }
        })
        .collect();
    if !cookies.is_empty() {
        let h = response.headers_mut();
        h.remove(header::SET_COOKIE);
        for c in cookies {
            h.append(header::SET_COOKIE, c);
        }
    }
    response
}

/// The catch-panic layer's answer: a 500 `internal` with nothing of the panic in it.
pub fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    AppError::internal("a handler panicked").into_response()
}
