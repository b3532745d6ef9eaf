//! Helpers for the browser tests: a scripted `fetch`, a counter of history changes, mounting a
//! component under the real router and `ApiProvider`, and polling for a condition.

#![allow(dead_code)]

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use gatehouse_client::{ApiError, ApiProvider, Request, SignInRoute, use_api};
use wasm_bindgen::prelude::*;
use yew::AppHandle;
use yew::prelude::*;
use yew_router::BrowserRouter;

#[wasm_bindgen(inline_js = r#"
export function script_fetch(replies_json) {
  const replies = JSON.parse(replies_json);
  window.__gh = { calls: [], history: 0, aborted: 0 };
  let i = 0;
  window.fetch = (input, init) => {
    const req = input instanceof Request ? input : new Request(input, init);
    const reply = replies[Math.min(i++, replies.length - 1)];
    const url = new URL(req.url);
    window.__gh.calls.push({ path: url.pathname, method: req.method, csrf: req.headers.get('X-CSRF-TOKEN') });
    return new Promise((resolve, reject) => {
      const finish = () => {
        if (reply.status === 0) { reject(new TypeError('Failed to fetch')); return; }
        if (reply.cookie) document.cookie = reply.cookie;
        const body = reply.status === 204 ? null : reply.body;
        resolve(new Response(body, { status: reply.status, headers: { 'Content-Type': 'application/json' } }));
      };
      const timer = setTimeout(finish, reply.delay || 0);
      if (req.signal) req.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        window.__gh.aborted++;
        reject(new DOMException('The operation was aborted.', 'AbortError'));
      });
    });
  };
  if (!window.__gh_history_counted) {
    window.__gh_history_counted = true;
    for (const name of ['pushState', 'replaceState']) {
      const original = history[name].bind(history);
      history[name] = (...args) => { window.__gh.history++; return original(...args); };
    }
  }
}
export function fetch_calls() { return JSON.stringify(window.__gh.calls); }
export function history_changes() { return window.__gh.history; }
export function reset_history_changes() { window.__gh.history = 0; }
export function aborted_count() { return window.__gh.aborted; }
"#)]
extern "C" {
    fn script_fetch(replies_json: &str);
    fn fetch_calls() -> String;
    /// pushState + replaceState calls since the fetch was scripted (or the last reset).
    pub fn history_changes() -> u32;
    fn reset_history_changes();
    /// Requests aborted while in flight.
    pub fn aborted_count() -> u32;
}

/// One scripted answer: `status` 0 is a network failure.
pub struct Reply {
    pub status: u16,
    pub body: String,
    pub delay_ms: u32,
    /// A cookie the answer sets (as `document.cookie` takes it).
    pub cookie: Option<String>,
}

impl Reply {
    pub fn json(status: u16, body: &str) -> Self {
        Self {
            status,
            body: body.into(),
            delay_ms: 0,
            cookie: None,
        }
    }
    pub fn error(status: u16, code: &str, message: &str) -> Self {
        Self::json(
            status,
            &format!(r#"{{"code":"{code}","message":"{message}"}}"#),
        )
    }
    pub fn network_failure() -> Self {
        Self::json(0, "")
    }
    pub fn setting_cookie(mut self, cookie: &str) -> Self {
        self.cookie = Some(cookie.into());
        self
    }
    pub fn after(mut self, ms: u32) -> Self {
        self.delay_ms = ms;
        self
    }
}

/// Replaces `window.fetch` with one answering `replies` in order (the last one repeats), and
/// puts the page at `location` without counting that as a history change.
pub fn script(location: &str, replies: Vec<Reply>) {
    let replies: Vec<serde_json::Value> = replies
        .into_iter()
        .map(|r| {
            serde_json::json!({"status": r.status, "body": r.body, "delay": r.delay_ms, "cookie": r.cookie})
        })
        .collect();
    script_fetch(&serde_json::to_string(&replies).unwrap());
    let history = web_sys::window().unwrap().history().unwrap();
    history
        .replace_state_with_url(&JsValue::NULL, "", Some(location))
        .unwrap();
    reset_history_changes();
}

/// One request as the scripted fetch saw it.
#[derive(Debug, serde::Deserialize)]
pub struct Call {
    pub path: String,
    pub method: String,
    pub csrf: Option<String>,
}

pub fn calls() -> Vec<Call> {
    serde_json::from_str(&fetch_calls()).unwrap()
}

/// `path + search + hash` of the page.
pub fn location() -> String {
    gatehouse_client::current_location().unwrap()
}

/// Polls `condition` every 10 ms for up to 5 s.
pub async fn wait_until(what: &str, condition: impl Fn() -> bool) {
    for _ in 0..500 {
        if condition() {
            return;
        }
        gloo_timers::future::sleep(Duration::from_millis(10)).await;
    }
    panic!("timed out waiting until {what}");
}

/// Results of the requests a mounted `Caller` sent, in completion order.
pub type Results = Rc<RefCell<Vec<Result<serde_json::Value, ApiError>>>>;

/// Compared by identity, so shared test state can be a prop.
#[derive(Clone)]
pub struct Shared<T>(pub Rc<T>);

impl<T> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

#[derive(Properties, PartialEq)]
pub struct CallerProps {
    pub requests: Shared<Vec<Request>>,
    pub results: Shared<RefCell<Vec<Result<serde_json::Value, ApiError>>>>,
}

/// Sends every request through `use_api()` when mounted, recording each result.
#[function_component]
pub fn Caller(props: &CallerProps) -> Html {
    let api = use_api();
    let (requests, results) = (props.requests.clone(), props.results.clone());
    use_effect_with((), move |()| {
        for request in requests.0.iter().cloned() {
            let (api, results) = (api.clone(), results.clone());
            yew::platform::spawn_local(async move {
                let result = api.send::<serde_json::Value>(request).await;
                results.0.borrow_mut().push(result);
            });
        }
    });
    html! { <p>{ "caller" }</p> }
}

#[derive(Properties, PartialEq)]
pub struct HarnessProps {
    pub children: Html,
}

/// The real router, `ApiProvider` and the sign-in route (`/login`) around `children`.
#[function_component]
pub fn Harness(props: &HarnessProps) -> Html {
    html! {
        <BrowserRouter>
            <ApiProvider>
                <SignInRoute path="/login">{ props.children.clone() }</SignInRoute>
            </ApiProvider>
        </BrowserRouter>
    }
}

/// A fresh element in the page to mount into.
pub fn root() -> web_sys::Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let div = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&div).unwrap();
    div
}

#[derive(Properties, PartialEq)]
pub struct MountProps {
    pub requests: Shared<Vec<Request>>,
    pub results: Shared<RefCell<Vec<Result<serde_json::Value, ApiError>>>>,
}

/// `Caller` inside `Harness`.
#[function_component]
pub fn CallerApp(props: &MountProps) -> Html {
    html! {
        <Harness>
            <Caller requests={props.requests.clone()} results={props.results.clone()} />
        </Harness>
    }
}

/// Mounts a `Caller` sending `requests`; returns its results and the app (drop = keep mounted;
/// `destroy()` = unmount).
pub fn mount_caller(requests: Vec<Request>) -> (Results, AppHandle<CallerApp>) {
    let results: Results = Rc::default();
    let props = MountProps {
        requests: Shared(Rc::new(requests)),
        results: Shared(results.clone()),
    };
    let handle = yew::Renderer::<CallerApp>::with_root_and_props(root(), props).render();
    (results, handle)
}
