//! The Origin layer: unsafe requests that a browser marks as cross-site are refused, which is
//! what protects sign-in (it has no session, hence no CSRF token yet).

use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::http::header::{HOST, ORIGIN};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::AppError;
use crate::session::SessionPolicy;

/// Refuses unsafe requests that a browser marks as coming from another site.
///
/// This is what protects sign-in (which has no session, hence no token yet): every current
/// browser sends `Sec-Fetch-Site`, and `Origin` on unsafe requests. Requests with neither come
/// from programs, not from a victim's browser, so they cannot carry a forged cross-site intent.
/// Chosen over a pre-login token because that would create a stored session for every anonymous
/// visitor.
pub async fn same_origin_only(
    State(policy): State<SessionPolicy>,
    req: Request,
    next: Next,
) -> Response {
    if !req.method().is_safe()
        && let Err(err) = check_origin(req.headers(), policy.public_origin.as_deref())
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
}
