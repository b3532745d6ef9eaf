//! Serves the built SPA: hashed assets cached forever, the pre-rendered sign-in page at
//! `/login` and landing page at `/`, `index.html` (the frame) for every other path, and the Content-Security-Policy that lets
//! exactly their inline scripts and stylesheet apply.

use axum::body::Bytes;
use std::path::Path;

use axum::Router;
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, Request, State};
use axum::handler::Handler;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::middleware::{Next, from_fn};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use base64::Engine;
use sha2::{Digest, Sha256};
use tower::ServiceExt;
use tower_http::services::ServeDir;

/// The loaded `index.html` and `login.html`, and the CSP that matches them.
#[derive(Clone, Debug)]
pub struct Spa {
    index_html: Option<Bytes>,
    /// The sign-in page pre-rendered at build time (`cargo xtask dist`), else `index.html`.
    login_html: Option<Bytes>,
    /// The landing page at `/`, pre-rendered likewise, else `index.html`.
    home_html: Option<Bytes>,
    /// The `Content-Security-Policy` header value for every page (`/api` answers have their own).
    pub csp: HeaderValue,
    /// What the identity provider is called, when one is configured.
    provider_label: Option<String>,
}

const NOT_BUILT: &str = "<!doctype html><title>Gatehouse</title><p>The SPA is not built yet. \
Run <code>cargo xtask serve</code>, or <code>trunk build --release</code> and restart.";

impl Spa {
    /// Reads `dist/index.html` and `dist/login.html` (if built) and hashes their inline
    /// scripts and stylesheets into the CSP. With an identity provider labelled
    /// `provider_label`, every page names it in a `<meta>` the app reads.
    pub fn load(dist: &Path, provider_label: Option<String>) -> Self {
        let read = |name: &str| {
            std::fs::read_to_string(dist.join(name))
                .ok()
                .map(|html| with_provider_meta(html, provider_label.as_deref()))
        };
        let index_html = read("index.html");
        if index_html.is_none() {
            tracing::warn!(dist = %dist.display(), "no index.html: the SPA is not built");
        }
        let login_html = read("login.html");
        let home_html = read("home.html");
        let pages = [
            index_html.as_deref(),
            login_html.as_deref(),
            home_html.as_deref(),
        ];
        let hashes_of = |element: &str| {
            let mut hashes: Vec<String> = pages
                .iter()
                .flatten()
                .flat_map(|html| inline_elements(html, element))
                .map(|text| {
                    let digest = Sha256::digest(text.as_bytes());
                    format!(
                        " 'sha256-{}'",
                        base64::engine::general_purpose::STANDARD.encode(digest)
                    )
                })
                .collect();
            hashes.sort();
            hashes.dedup();
            hashes.concat()
        };
        let csp = format!(
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{}; style-src 'self'{}; \
             img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
             frame-ancestors 'none'; form-action 'self'",
            hashes_of("script"),
            hashes_of("style"),
        );
        Self {
            login_html: login_html.or_else(|| index_html.clone()).map(Bytes::from),
            home_html: home_html.or_else(|| index_html.clone()).map(Bytes::from),
            index_html: index_html.map(Bytes::from),
            csp: HeaderValue::try_from(csp).expect("CSP is ASCII"),
            provider_label,
        }
    }

    /// `GET /login`: the pre-rendered sign-in page; after a sign-in posted without the app
    /// failed (`POST /login` sends it back here), with its error and the username typed, so
    /// that the page says what happened with JavaScript off too.
    pub fn sign_in_page<S: Clone + Send + Sync + 'static>(&self) -> MethodRouter<S> {
        let html = self.login_html.clone();
        let label = self.provider_label.clone();
        get(
            move |uri: Uri,
                  headers: HeaderMap,
                  query: Result<Query<FailedSignIn>, QueryRejection>| async move {
                let html = match (html, query) {
                    (Some(html), Ok(Query(mut failed))) => {
                        failed.username = username_kept(&headers);
                        failed.label = label;
                        Some(failed.show_in(html))
                    }
                    (html, _) => html,
                };
                index(State(html), uri).await
            },
        )
    }

    /// The service for every non-`/api` path.
    pub fn router(&self, dist: &Path) -> Router {
        let html = self.index_html.clone();
        let files = ServeDir::new(dist)
            .precompressed_br()
            .precompressed_gzip()
            .append_index_html_on_directories(false)
            .fallback(index.with_state(html.clone()));
        let home = self.home_html.clone();
        Router::new()
            .route("/", get(move |uri: Uri| index(State(home.clone()), uri)))
            .route("/index.html", get(index))
            .fallback(move |State(html): State<Option<Bytes>>, req: Request| {
                let files = files.clone();
                async move {
                    // No file has such a name (the file system would refuse it with an error,
                    // a 500): answer as for any other unknown path.
                    if has_overlong_segment(req.uri().path()) {
                        return index(State(html), req.uri().clone()).await;
                    }
                    files.oneshot(req).await.into_response()
                }
            })
            .with_state(html)
            .layer(from_fn(cache_control))
    }
}

/// The sign-in page's query after a failed sign-in posted as a form, and the username it
/// kept (`SessionPolicy::sign_in_name_cookie`).
#[derive(Debug, Default, serde::Deserialize)]
pub struct FailedSignIn {
    reason: Option<String>,
    /// How a round trip through the identity provider ended.
    provider: Option<String>,
    /// Where to go once signed in.
    next: Option<String>,
    #[serde(skip)]
    username: Option<String>,
    /// The identity provider's label, when one is configured.
    #[serde(skip)]
    label: Option<String>,
}

/// The username `POST /login` kept in its cookie, if any.
fn username_kept(headers: &HeaderMap) -> Option<String> {
    let (_, value) = crate::session::request_cookies(headers)
        .find(|(name, _)| *name == crate::session::SIGN_IN_NAME_COOKIE)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(value)
        .ok()?;
    String::from_utf8(bytes).ok()
}

impl FailedSignIn {
    /// `html` (the pre-rendered sign-in page) with the error said under the form and the
    /// username back in its field; unchanged for any other `reason`.
    fn show_in(&self, html: Bytes) -> Bytes {
        let Ok(page) = std::str::from_utf8(&html) else {
            return html;
        };
        let label = self.label.as_deref();
        let reason = self
            .reason
            .as_deref()
            .map(gatehouse_api::ErrorCode::parse)
            .and_then(gatehouse_api::ErrorCode::failed_sign_in_message)
            .map(str::to_owned);
        let provider = self
            .provider
            .as_deref()
            .and_then(gatehouse_api::ProviderOutcome::parse)
            .filter(|o| o.is_error())
            .map(|o| o.message(label.unwrap_or("your organization")));
        let mut page = page.to_string();
        let failed = reason.is_some();
        if let Some(message) = reason.or(provider) {
            page = page.replacen(
                "</form>",
                &format!(
                    "</form><div class=\"error\" role=\"alert\"><p>{}</p></div>",
                    escape_attribute(&message)
                ),
                1,
            );
        }
        if let Some(name) = self
            .username
            .as_deref()
            .filter(|n| failed && n.len() <= 256)
        {
            page = page.replacen(
                r#"<input value="" id="username""#,
                &format!(r#"<input value="{}" id="username""#, escape_attribute(name)),
                1,
            );
        }
        if let Some(label) = label {
            let next = self
                .next
                .as_deref()
                .and_then(|n| gatehouse_api::safe_return_path(n, &[gatehouse_api::SIGN_IN_PAGE]))
                .map(str::to_owned);
            let start = gatehouse_api::endpoints::StartProviderSignIn { next };
            let link = provider_link(&gatehouse_api::Endpoint::path(&start), label);
            page = page.replacen(
                r#"<details class="forgot">"#,
                &format!("{link}<details class=\"forgot\">"),
                1,
            );
        }
        Bytes::from(page)
    }
}

/// The sign-in page's "Sign in with LABEL" link to `href`, as the app renders it.
fn provider_link(href: &str, label: &str) -> String {
    format!(
        r#"<a class="button secondary provider" href="{}">Sign in with {}</a>"#,
        escape_attribute(href),
        escape_attribute(label)
    )
}

/// `html` with `<meta name="gatehouse-provider" content="LABEL">` in its head, when there is a
/// provider.
fn with_provider_meta(html: String, label: Option<&str>) -> String {
    match label {
        Some(label) => html.replacen(
            "</head>",
            &format!(
                r#"<meta name="{}" content="{}"></head>"#,
                gatehouse_api::PROVIDER_META,
                escape_attribute(label)
            ),
            1,
        ),
        None => html,
    }
}

/// `text` safe inside a double-quoted HTML attribute.
fn escape_attribute(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

async fn index(State(html): State<Option<Bytes>>, uri: Uri) -> Response {
    // A missing file (`/favicon.ico`, an old asset) is a 404, not the app: serving HTML under
    // a script's name only produces confusing errors.
    let last = uri.path().rsplit('/').next().unwrap_or_default();
    if last.contains('.') && last != "index.html" {
        return (
            StatusCode::NOT_FOUND,
            [(header::CACHE_CONTROL, "no-cache")],
            "not found",
        )
            .into_response();
    }
    match html {
        Some(html) => (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            Body::from(html),
        )
            .into_response(),
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            NOT_BUILT,
        )
            .into_response(),
    }
}

/// Hashed asset names change with their content, so they may be cached for a year; anything
/// else must be revalidated so a new build shows up.
async fn cache_control(req: Request, next: Next) -> Response {
    let hashed = is_hashed_asset(req.uri().path());
    let mut response = next.run(req).await;
    if response.status().is_success() && !response.headers().contains_key(header::CACHE_CONTROL) {
        let value = if hashed {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    }
    response
}

/// The longest file name most file systems accept, in bytes.
const NAME_MAX: usize = 255;

/// Whether a segment of `path`, percent-decoded, is longer than any file name can be.
fn has_overlong_segment(path: &str) -> bool {
    path.split('/').any(|segment| {
        let encoded = segment.bytes().filter(|b| *b == b'%').count();
        segment.len() - 2 * encoded > NAME_MAX
    })
}

/// Trunk names assets `name-<16 hex digits>.ext` (and `name-<hash>_bg.wasm`).
fn is_hashed_asset(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or_default();
    file.split(['-', '.', '_'])
        .any(|part| part.len() == 16 && part.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The contents of every inline `<script>` (one without a `src`) or `<style>`, as `element`
/// says, exactly as the browser hashes them.
fn inline_elements<'a>(html: &'a str, element: &str) -> Vec<&'a str> {
    let (open, close) = (format!("<{element}"), format!("</{element}>"));
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find(&open) {
        let after = &rest[start..];
        let Some(tag_end) = after.find('>') else {
            break;
        };
        let tag = &after[..tag_end];
        let body_and_rest = &after[tag_end + 1..];
        let Some(end) = body_and_rest.find(&close) else {
            break;
        };
        if !tag.contains(" src=") {
            found.push(&body_and_rest[..end]);
        }
        rest = &body_and_rest[end..];
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_found_and_external_ones_skipped() {
        let html = r#"<head><script src="/a.js"></script><script type="module">import x from '/x.js';
x();</script></head><body><script>one()</script></body>"#;
        assert_eq!(
            inline_elements(html, "script"),
            vec!["import x from '/x.js';\nx();", "one()"]
        );
        let styled = "<head><style>a{color:red}</style><link rel=stylesheet href=/s.css></head>";
        assert_eq!(inline_elements(styled, "style"), vec!["a{color:red}"]);
    }

    #[test]
    fn the_csp_hashes_each_inline_script_and_allows_no_unsafe_inline() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("index.html"), "<script>alert(1)</script>").unwrap();
        let csp = Spa::load(dir.path(), None).csp;
        let csp = csp.to_str().unwrap();
        // echo -n 'alert(1)' | openssl dgst -sha256 -binary | base64
        assert!(
            csp.contains("'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"),
            "{csp}"
        );
        assert!(!csp.contains("unsafe-inline"));
        assert!(csp.contains("object-src 'none'") && csp.contains("base-uri 'none'"));
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("'wasm-unsafe-eval'"));
    }

    #[test]
    fn a_segment_longer_than_a_file_name_can_be_is_spotted_after_decoding() {
        assert!(has_overlong_segment(&format!("/{}", "a".repeat(256))));
        assert!(has_overlong_segment(&format!(
            "/notes/{}/x",
            "b".repeat(300)
        )));
        assert!(!has_overlong_segment(&format!("/{}", "a".repeat(255))));
        assert!(
            !has_overlong_segment(&format!("/{}", "%41".repeat(200))),
            "200 bytes decoded"
        );
        assert!(!has_overlong_segment("/"));
    }

    #[test]
    fn only_trunk_hashed_names_count_as_immutable() {
        assert!(is_hashed_asset("/gatehouse-5f3c2b1a9e8d7c6b.js"));
        assert!(is_hashed_asset("/gatehouse-5f3c2b1a9e8d7c6b_bg.wasm"));
        assert!(is_hashed_asset("/style-0123456789abcdef.css"));
        assert!(!is_hashed_asset("/index.html"));
        assert!(!is_hashed_asset("/favicon.ico"));
        assert!(!is_hashed_asset("/notes/42"));
    }

    #[test]
    fn a_failed_sign_in_shows_its_error_and_the_username_typed_escaped() {
        let page = Bytes::from_static(
            br#"<form method="post"><input value="" id="username" name="username"></form><p>x</p>"#,
        );
        let failed = FailedSignIn {
            reason: Some("invalid_credentials".into()),
            username: Some(r#"ann"><script>alert(1)</script>"#.into()),
            ..FailedSignIn::default()
        };
        let shown = String::from_utf8(failed.show_in(page.clone()).to_vec()).unwrap();
        assert!(shown.contains(
            r#"</form><div class="error" role="alert"><p>Wrong username or password.</p></div>"#
        ));
        assert!(
            shown.contains(
                r#"value="ann&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" id="username""#
            ),
            "{shown}"
        );
        assert!(!shown.contains("<script>"));
        // Any other reason changes nothing.
        let other = FailedSignIn {
            reason: Some("session_expired".into()),
            username: Some("ann".into()),
            ..FailedSignIn::default()
        };
        assert_eq!(other.show_in(page.clone()), page);
    }

    #[test]
    fn with_a_provider_the_page_links_to_it_keeping_next_and_says_how_its_round_trip_failed() {
        use gatehouse_api::Endpoint as _;
        let page = Bytes::from_static(
            br#"<form method="post"></form><details class="forgot"><summary>?</summary></details>"#,
        );
        let failed = FailedSignIn {
            provider: Some("cancelled".into()),
            next: Some("/notes?q=a b".into()),
            label: Some("Acme <SSO>".into()),
            ..FailedSignIn::default()
        };
        let shown = String::from_utf8(failed.show_in(page.clone()).to_vec()).unwrap();
        let start = gatehouse_api::endpoints::StartProviderSignIn::PATH;
        assert!(
            shown.contains(&format!(
                r#"<a class="button secondary provider" href="{start}?next=%2Fnotes%3Fq%3Da%20b">Sign in with Acme &lt;SSO&gt;</a><details class="forgot">"#
            )),
            "{shown}"
        );
        assert!(
            shown.contains("<p>Signing in with Acme &lt;SSO&gt; was cancelled."),
            "{shown}"
        );
        // No provider configured: no link, and an outcome in the address says nothing.
        let without = FailedSignIn {
            provider: Some("cancelled".into()),
            ..FailedSignIn::default()
        };
        let shown = String::from_utf8(without.show_in(page.clone()).to_vec()).unwrap();
        assert!(!shown.contains("provider\""), "{shown}");
    }

    #[test]
    fn every_page_names_the_provider_in_a_meta_when_there_is_one() {
        let html = "<html><head><title>t</title></head><body></body></html>".to_string();
        assert_eq!(with_provider_meta(html.clone(), None), html);
        let named = with_provider_meta(html, Some(r#"Acme "SSO""#));
        assert!(
            named.contains(
                r#"<meta name="gatehouse-provider" content="Acme &quot;SSO&quot;"></head>"#
            ),
            "{named}"
        );
    }
}
