//! `ApiClient`: the one place requests are built and sent. Same-origin cookies, JSON both ways,
//! the CSRF header on unsafe methods, and retries for idempotent GETs. It returns typed
//! outcomes and nothing else: a 401 or 403 comes back as `ApiError::SignInRequired` with the
//! server's code, and what to do about it is the auth layer's business (see `hook`).

// The one module allowed to build requests (see clippy.toml).
#![allow(clippy::disallowed_types)]

use std::time::Duration;

use gatehouse_api::endpoints::GetSessionState;
use gatehouse_api::{CSRF_COOKIE, CSRF_HEADER, Endpoint, ErrorCode};
use gloo_net::http::{Method, RequestBuilder};
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::JsCast;
use web_sys::{AbortSignal, RequestCredentials};

use super::error::{ApiError, Verdict, classify, is_transient};

/// How many times an idempotent GET is sent again after a transient failure.
pub const GET_RETRIES: u32 = 2;

/// One request to send through `ApiClient` (or the `use_api` handle): usually made from an
/// endpoint declaration, or from a method and a path.
///
/// ```
/// use gatehouse_client::Request;
/// use gatehouse_api::{NewNote, endpoints::{CreateNote, Me}};
/// let create = Request::to(&CreateNote).json(&NewNote { title: "t".into(), body: String::new() });
/// // Handle 401/403 here instead of being taken to the sign-in page:
/// let probe = Request::to(&Me).handle_auth_errors();
/// # let _ = (create, probe);
/// ```
#[derive(Clone, Debug)]
pub struct Request {
    method: Method,
    path: String,
    body: Option<Result<String, String>>,
    redirect_on_auth: bool,
    refreshes: bool,
    replayable: bool,
}

impl Request {
    fn new(method: Method, path: impl Into<String>) -> Self {
        Self {
            method,
            path: path.into(),
            body: None,
            redirect_on_auth: true,
            refreshes: true,
            replayable: false,
        }
    }

    /// The request `endpoint` names: its method and its path (parameters filled in).
    pub fn to<E: Endpoint>(endpoint: &E) -> Self {
        let method = match E::METHOD {
            gatehouse_api::Method::Get => Method::GET,
            gatehouse_api::Method::Post => Method::POST,
            gatehouse_api::Method::Put => Method::PUT,
            gatehouse_api::Method::Patch => Method::PATCH,
            gatehouse_api::Method::Delete => Method::DELETE,
        };
        let mut request = Self::new(method, endpoint.path());
        // A change whose answer is empty (204) can be finished after a confirmation without
        // its caller; one whose answer matters (a one-time password, new recovery codes)
        // cannot, and is asked for again instead.
        request.replayable = std::mem::size_of::<E::Response>() == 0;
        request
    }

    /// `GET path`: retried on network failure and 502/503/504.
    pub fn get(path: impl Into<String>) -> Self {
        Self::new(Method::GET, path)
    }

    /// `POST path`.
    pub fn post(path: impl Into<String>) -> Self {
        Self::new(Method::POST, path)
    }

    /// `PUT path`.
    pub fn put(path: impl Into<String>) -> Self {
        Self::new(Method::PUT, path)
    }

    /// `DELETE path`.
    pub fn delete(path: impl Into<String>) -> Self {
        Self::new(Method::DELETE, path)
    }

    /// Sends `body` as JSON.
    pub fn json(mut self, body: &impl Serialize) -> Self {
        self.body = Some(crate::json::to_string(body));
        self
    }

    /// Opts this call out of the trip to sign-in: 401 and 403 come back as `ApiError::Http`.
    pub fn handle_auth_errors(mut self) -> Self {
        self.redirect_on_auth = false;
        self
    }

    /// Whether this change may be sent again by itself after the person confirms it is them
    /// (`Api::finish_confirmed`): by default, the changes whose answer is empty. Set it for a
    /// change whose answer the page only shows again anyway, unset it for one of several.
    pub fn replayable(mut self, replayable: bool) -> Self {
        self.replayable = replayable;
        self
    }

    /// Whether it may be finished after a confirmation (see `replayable`).
    pub fn is_replayable(&self) -> bool {
        self.replayable && self.is_unsafe()
    }

    /// Opts this change out of refreshing what is shown when it succeeds (signing out: what is
    /// shown is about to go).
    pub fn without_refresh(mut self) -> Self {
        self.refreshes = false;
        self
    }

    /// Whether its success may have changed what `use_fetch` shows: a change (not a `GET`)
    /// that did not opt out.
    pub fn refreshes_on_success(&self) -> bool {
        self.refreshes && self.is_unsafe()
    }

    /// Whether a 401 or 403 should take the user to sign in (the default).
    pub fn redirects_on_auth_errors(&self) -> bool {
        self.redirect_on_auth
    }

    /// Whether the method is `GET` (safe, retried on transient failures).
    pub fn is_get(&self) -> bool {
        self.method == Method::GET
    }

    /// The path (and query) it is sent to.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Whether it changes something (any method but `GET`, `HEAD` and `OPTIONS`).
    pub fn is_change(&self) -> bool {
        self.is_unsafe()
    }

    fn is_unsafe(&self) -> bool {
        !matches!(self.method, Method::GET | Method::HEAD | Method::OPTIONS)
    }
}

/// Sends requests; shared by every component through `ApiProvider` and `use_api`. Holds no
/// state: nothing of the router or of who is signed in.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ApiClient;

impl ApiClient {
    /// Sends `request`, decoding a 2xx body as `T` (`()` for 204). `signal` aborts it.
    pub async fn send<T: DeserializeOwned>(
        &self,
        request: &Request,
        signal: Option<&AbortSignal>,
    ) -> Result<T, ApiError> {
        decode(&self.send_text(request, signal).await?)
    }

    /// Sends `request` and returns a 2xx body as text. Not generic, so the retry and redirect
    /// logic exists once in the wasm rather than once per response type.
    pub async fn send_text(
        &self,
        request: &Request,
        signal: Option<&AbortSignal>,
    ) -> Result<String, ApiError> {
        let aborted = || signal.is_some_and(AbortSignal::aborted);
        let retries = if request.method == Method::GET {
            GET_RETRIES
        } else {
            0
        };
        let mut attempt = 0;
        let mut token_recovered = false;
        loop {
            let had_token = read_cookie(CSRF_COOKIE).is_some();
            let outcome = self.send_once(request, signal).await;
            if aborted() {
                return Err(ApiError::Aborted);
            }
            // A change sent without a CSRF token (its cookie lost, say by a browser restart,
            // while the session's survived) is refused before anything is done. Any guarded
            // read gives the token back, so ask for one and send the change once more.
            if request.is_unsafe()
                && !had_token
                && !token_recovered
                && outcome.as_ref().err().and_then(ApiError::code) == Some(ErrorCode::CsrfFailed)
            {
                token_recovered = true;
                let probe = Request::to(&GetSessionState).handle_auth_errors();
                if self.send_once(&probe, signal).await.is_ok()
                    && read_cookie(CSRF_COOKIE).is_some()
                {
                    continue;
                }
            }
            if attempt < retries && is_transient(&outcome) {
                attempt += 1;
                // 300 ms, then 900 ms.
                gloo_timers::future::sleep(Duration::from_millis(100 * 3u64.pow(attempt))).await;
                if aborted() {
                    return Err(ApiError::Aborted);
                }
                continue;
            }
            return outcome;
        }
    }

    async fn send_once(
        &self,
        request: &Request,
        signal: Option<&AbortSignal>,
    ) -> Result<String, ApiError> {
        let mut builder = RequestBuilder::new(&request.path)
            .method(request.method.clone())
            .credentials(RequestCredentials::SameOrigin)
            .header("Accept", "application/json")
            .abort_signal(signal);
        if request.is_unsafe()
            && is_same_origin(&request.path)
            && let Some(token) = read_cookie(CSRF_COOKIE)
        {
            builder = builder.header(CSRF_HEADER, &token);
        }
        let built = match &request.body {
            Some(Ok(json)) => builder
                .header("Content-Type", "application/json")
                .body(json.clone()),
            Some(Err(e)) => {
                return Err(ApiError::Decode(format!(
                    "could not encode the request: {e}"
                )));
            }
            None => builder.build(),
        };
        let built = built.map_err(|e| ApiError::Network(e.to_string()))?;
        let response = built
            .send()
            .await
            .map_err(|e| ApiError::Network(e.to_string()))?;
        let status = response.status();
        let text = response
            .text()
            .await
            .map_err(|e| ApiError::Network(e.to_string()))?;
        match classify(status, &text) {
            Verdict::Success => Ok(text),
            Verdict::Failure(err) => Err(err),
            Verdict::SignInRequired { status, body } if request.redirect_on_auth => {
                Err(ApiError::SignInRequired { status, body })
            }
            Verdict::SignInRequired { status, body } => Err(ApiError::Http { status, body }),
        }
    }
}

/// Decodes a response body as `T`; an empty body (204) reads as `null`, so `()` works.
pub fn decode<T: DeserializeOwned>(text: &str) -> Result<T, ApiError> {
    let text = if text.trim().is_empty() { "null" } else { text };
    crate::json::from_str(text).map_err(ApiError::Decode)
}

/// `path + search + hash` of the current page.
pub fn current_location() -> Option<String> {
    let location = web_sys::window()?.location();
    Some(format!(
        "{}{}{}",
        location.pathname().ok()?,
        location.search().ok()?,
        location.hash().ok()?
    ))
}

/// Whether `url` stays on this origin (a rooted path, or an absolute URL with our origin).
fn is_same_origin(url: &str) -> bool {
    if url.starts_with('/') {
        return !url.starts_with("//") && !url.starts_with("/\\");
    }
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .is_some_and(|origin| url.starts_with(&format!("{origin}/")))
}

/// A cookie's value from `document.cookie` (only cookies scripts may read).
pub fn read_cookie(name: &str) -> Option<String> {
    let document = web_sys::window()?.document()?;
    let cookies = document
        .dyn_into::<web_sys::HtmlDocument>()
        .ok()?
        .cookie()
        .ok()?;
    cookies.split(';').find_map(|pair| {
        let (key, value) = pair.trim().split_once('=')?;
        (key == name && !value.is_empty()).then(|| value.to_string())
    })
}
