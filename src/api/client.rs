//! `ApiClient`: the one place requests are built and sent. Same-origin cookies, JSON both ways,
//! the CSRF header on unsafe methods, retries for idempotent GETs, and the single trip to the
//! sign-in page when the server answers 401 or 403.

// The one module allowed to build requests (see clippy.toml).
#![allow(clippy::disallowed_types)]

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use gatehouse_api::{CSRF_COOKIE, CSRF_HEADER, ErrorCode};
use gloo_net::http::{Method, RequestBuilder};
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::JsCast;
use web_sys::{AbortSignal, RequestCredentials};
use yew::Callback;
use yew_router::AnyRoute;
use yew_router::navigator::Navigator;

use super::error::{ApiError, Verdict, classify, is_transient};
use super::return_path::safe_return_path;

/// How many times an idempotent GET is sent again after a transient failure.
pub const GET_RETRIES: u32 = 2;

/// One request to send through `ApiClient` (or the `use_api` handle).
///
/// ```
/// use gatehouse::api::Request;
/// use gatehouse_api::NewNote;
/// let create = Request::post("/api/notes").json(&NewNote { title: "t".into(), body: String::new() });
/// // Handle 401/403 here instead of being taken to the sign-in page:
/// let probe = Request::get("/api/auth/me").handle_auth_errors();
/// # let _ = (create, probe);
/// ```
#[derive(Clone, Debug)]
pub struct Request {
    method: Method,
    path: String,
    body: Option<Result<String, String>>,
    redirect_on_auth: bool,
}

impl Request {
    fn new(method: Method, path: impl Into<String>) -> Self {
        Self {
            method,
            path: path.into(),
            body: None,
            redirect_on_auth: true,
        }
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
        self.body = Some(serde_json::to_string(body).map_err(|e| e.to_string()));
        self
    }

    /// Opts this call out of the redirect: 401 and 403 come back as `ApiError::Http`.
    pub fn handle_auth_errors(mut self) -> Self {
        self.redirect_on_auth = false;
        self
    }

    fn is_unsafe(&self) -> bool {
        !matches!(self.method, Method::GET | Method::HEAD | Method::OPTIONS)
    }
}

/// Sends requests; shared by every component through `ApiProvider` and `use_api`.
#[derive(Clone)]
pub struct ApiClient {
    inner: Rc<Inner>,
}

struct Inner {
    login_path: String,
    navigator: Option<Navigator>,
    on_sign_in_required: RefCell<Option<Callback<ErrorCode>>>,
}

impl PartialEq for ApiClient {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.inner, &other.inner)
    }
}

impl ApiClient {
    /// A client that sends the user to `login_path` through `navigator` on 401/403.
    pub fn new(login_path: impl Into<String>, navigator: Option<Navigator>) -> Self {
        Self {
            inner: Rc::new(Inner {
                login_path: login_path.into(),
                navigator,
                on_sign_in_required: RefCell::new(None),
            }),
        }
    }

    /// The sign-in route this client sends users to.
    pub fn login_path(&self) -> &str {
        &self.inner.login_path
    }

    /// Told the server's code whenever a request is turned into a trip to sign-in (an auth
    /// context uses it to forget the user on 401).
    pub fn set_on_sign_in_required(&self, callback: Option<Callback<ErrorCode>>) {
        *self.inner.on_sign_in_required.borrow_mut() = callback;
    }

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
        loop {
            let outcome = self.send_once(request, signal).await;
            if aborted() {
                return Err(ApiError::Aborted);
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
            Verdict::SignInRequired { status, body } => {
                if !request.redirect_on_auth {
                    return Err(ApiError::Http { status, body });
                }
                let listener = self.inner.on_sign_in_required.borrow().clone();
                if let Some(listener) = listener {
                    listener.emit(body.code);
                }
                self.send_to_login(body.code);
                Err(ApiError::Redirecting)
            }
        }
    }

    /// Replaces the current history entry with `login?next=<here>&reason=<code>`, unless the
    /// user is already on the sign-in page. Because the first call moves the location there,
    /// any number of requests failing together make exactly one navigation.
    pub fn send_to_login(&self, reason: ErrorCode) {
        let Some(here) = current_location() else {
            return;
        };
        let login = self.login_path();
        if here.split(['?', '#']).next() == Some(login) {
            return;
        }
        let next = safe_return_path(&here, &[login]);
        #[derive(Serialize)]
        struct Query<'a> {
            #[serde(skip_serializing_if = "Option::is_none")]
            next: Option<&'a str>,
            reason: &'a str,
        }
        let query = Query {
            next,
            reason: reason.as_str(),
        };
        if let Some(navigator) = &self.inner.navigator {
            let _ = navigator.replace_with_query(&AnyRoute::new(login), &query);
        }
    }
}

/// Decodes a response body as `T`; an empty body (204) reads as `null`, so `()` works.
pub fn decode<T: DeserializeOwned>(text: &str) -> Result<T, ApiError> {
    let text = if text.trim().is_empty() { "null" } else { text };
    serde_json::from_str(text).map_err(|e| ApiError::Decode(e.to_string()))
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
