//! Helpers for the app's browser tests: a `fetch` scripted per endpoint, the whole app mounted
//! at an address, the person signed in (or not), finding and using what is on the page, and
//! polling for a condition. After the client crate's `tests/common/mod.rs`, answering by
//! endpoint rather than in order, since a page sends several requests at once.

#![allow(dead_code, reason = "each test binary uses some of the helpers")]

use std::time::Duration;

use gatehouse::app::App;
use gatehouse_api::{Endpoint, Method, Role, SessionInfo, SessionState, User};
use gatehouse_client::json;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use yew::AppHandle;

#[wasm_bindgen(inline_js = r#"
export function script_fetch(routes_json) {
  const routes = JSON.parse(routes_json);
  window.__gh = { calls: [], aborted: 0 };
  const served = new Map();
  window.fetch = async (input, init) => {
    const req = input instanceof Request ? input : new Request(input, init);
    const url = new URL(req.url);
    const here = url.pathname + url.search;
    const route = routes.find(r => r.method === req.method && r.path === here)
      || routes.find(r => r.method === req.method && r.path === url.pathname);
    const body = req.method === 'GET' ? null : await req.clone().text();
    window.__gh.calls.push({ method: req.method, path: url.pathname, query: url.search, body, scripted: !!route });
    const n = route ? (served.get(route) || 0) : 0;
    if (route) served.set(route, n + 1);
    const reply = route
      ? route.replies[Math.min(n, route.replies.length - 1)]
      : { status: 404, body: '{"code":"not_found","message":"not scripted"}', delay: 0 };
    return new Promise((resolve, reject) => {
      const finish = () => {
        if (reply.status === 0) { reject(new TypeError('Failed to fetch')); return; }
        const text = reply.status === 204 ? null : reply.body;
        resolve(new Response(text, { status: reply.status, headers: { 'Content-Type': 'application/json' } }));
      };
      const timer = reply.delay < 0 ? null : setTimeout(finish, reply.delay);
      if (req.signal) req.signal.addEventListener('abort', () => {
        if (timer !== null) clearTimeout(timer);
        window.__gh.aborted++;
        reject(new DOMException('The operation was aborted.', 'AbortError'));
      });
    });
  };
}
export function fetch_calls() { return JSON.stringify(window.__gh.calls); }
export function aborted_count() { return window.__gh.aborted; }
export function listen_to_channel(name) {
  if (window.__gh_listener) window.__gh_listener.close();
  const told = [];
  const channel = new BroadcastChannel(name);
  channel.onmessage = (e) => told.push(String(e.data));
  window.__gh_listener = channel;
  window.__gh_told = told;
}
export function heard_on_channel() { return JSON.stringify(window.__gh_told || []); }
export function post_to_channel(name, message) {
  const channel = new BroadcastChannel(name);
  channel.postMessage(message);
  channel.close();
}
export function storage_event(key, value) {
  window.dispatchEvent(new StorageEvent('storage', { key, newValue: value }));
}
export function key_down() {
  window.dispatchEvent(new KeyboardEvent('keydown', { key: 'a' }));
}
export function iso_in(ms) { return new Date(Date.now() + ms).toISOString(); }
"#)]
extern "C" {
    fn script_fetch(routes_json: &str);
    fn fetch_calls() -> String;
    /// Requests aborted while in flight since the fetch was scripted.
    pub fn aborted_count() -> u32;
    /// Starts recording what is posted on the `BroadcastChannel` `name`, as another tab would.
    pub fn listen_to_channel(name: &str);
    fn heard_on_channel() -> String;
    /// Posts `message` on the `BroadcastChannel` `name`, as another tab would.
    pub fn post_to_channel(name: &str, message: &str);
    /// Fires the `storage` event another tab's `localStorage.setItem(key, value)` would.
    pub fn storage_event(key: &str, value: &str);
    /// A key pressed in this tab.
    pub fn key_down();
    /// The RFC 3339 time `ms` from now.
    pub fn iso_in(ms: f64) -> String;
}

/// One scripted answer.
#[derive(Clone, Serialize)]
pub struct Reply {
    status: u16,
    body: String,
    /// Milliseconds before it comes; negative: never (until aborted).
    delay: i32,
}

impl Reply {
    /// `status` with `value` as JSON.
    pub fn json(status: u16, value: &impl Serialize) -> Self {
        Self::text(status, &json::to_string(value).unwrap())
    }

    /// 200 with `value` as JSON.
    pub fn ok(value: &impl Serialize) -> Self {
        Self::json(200, value)
    }

    /// `status` with `body` as it is.
    pub fn text(status: u16, body: &str) -> Self {
        Self {
            status,
            body: body.into(),
            delay: 0,
        }
    }

    /// 204, no body.
    pub fn no_content() -> Self {
        Self::text(204, "")
    }

    /// The server's error body.
    pub fn error(status: u16, code: &str, message: &str) -> Self {
        Self::text(
            status,
            &format!(r#"{{"code":"{code}","message":"{message}"}}"#),
        )
    }

    /// No answer: offline.
    pub fn network_failure() -> Self {
        Self::text(0, "")
    }

    /// An answer that never comes (the request stays in flight until aborted).
    pub fn never() -> Self {
        Self {
            delay: -1,
            ..Self::text(200, "null")
        }
    }

    /// This answer, `ms` later.
    pub fn after(mut self, ms: i32) -> Self {
        self.delay = ms;
        self
    }
}

#[derive(Clone, Serialize)]
struct Route {
    method: &'static str,
    path: String,
    replies: Vec<Reply>,
}

/// What the server answers, per endpoint: in order, the last one again and again. A request
/// nothing answers gets a 404 and is recorded as unscripted.
#[derive(Clone, Default)]
pub struct Script(Vec<Route>);

fn method(m: Method) -> &'static str {
    match m {
        Method::Get => "GET",
        Method::Post => "POST",
        Method::Put => "PUT",
        Method::Patch => "PATCH",
        Method::Delete => "DELETE",
    }
}

impl Script {
    /// Answers the request `endpoint` names (its path with its query, or any query when the
    /// path has none) with `replies`; a later answer for the same request replaces it.
    pub fn on<E: Endpoint>(mut self, endpoint: &E, replies: Vec<Reply>) -> Self {
        let (method, path) = (method(E::METHOD), endpoint.path());
        self.0.retain(|r| !(r.method == method && r.path == path));
        self.0.push(Route {
            method,
            path,
            replies,
        });
        self
    }

    /// This script with `other`'s answers added (`other`'s win where both answer).
    pub fn and(mut self, other: Script) -> Self {
        for route in other.0 {
            self.0
                .retain(|r| !(r.method == route.method && r.path == route.path));
            self.0.push(route);
        }
        self
    }

    /// Nobody is signed in (the session check answers 401).
    pub fn signed_out() -> Self {
        Self::default().on(
            &gatehouse_api::endpoints::Me,
            vec![Reply::error(401, "unauthenticated", "sign in")],
        )
    }

    /// `name` is signed in with `role`, and the session is far from its end (so the expiry
    /// warning stays quiet).
    pub fn signed_in(name: &str, role: Role) -> Self {
        Self::default()
            .on(
                &gatehouse_api::endpoints::Me,
                vec![Reply::ok(&session_info(name, role))],
            )
            .on(
                &gatehouse_api::endpoints::GetSessionState,
                vec![Reply::ok(&session_state(
                    30 * 60_000,
                    12 * 3_600_000,
                    1_800,
                ))],
            )
    }
}

/// What the session check answers for `name`.
pub fn session_info(name: &str, role: Role) -> SessionInfo {
    SessionInfo {
        user: User {
            id: 1,
            username: name.into(),
            role,
        },
        expires_at: iso_in(30.0 * 60_000.0),
    }
}

/// The session's deadlines as the server tells them: idle and absolute ends `idle_ms` and
/// `absolute_ms` from now, with an idle timeout of `idle_timeout_seconds`.
pub fn session_state(idle_ms: i64, absolute_ms: i64, idle_timeout_seconds: u64) -> SessionState {
    SessionState {
        now: iso_in(0.0),
        idle_expires_at: iso_in(idle_ms as f64),
        absolute_expires_at: iso_in(absolute_ms as f64),
        reauthenticated_at: iso_in(0.0),
        reauthenticated_until: iso_in(600_000.0),
        idle_timeout_seconds,
    }
}

/// One request as the scripted fetch saw it.
#[derive(Debug, Deserialize)]
pub struct Call {
    /// `GET`, `POST`…
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The query, with its `?` (empty when none).
    pub query: String,
    /// The body sent, for methods that send one.
    pub body: Option<String>,
    /// Whether the script had an answer for it.
    pub scripted: bool,
}

/// Every request since the fetch was scripted.
pub fn calls() -> Vec<Call> {
    json::from_str(&fetch_calls()).unwrap()
}

/// How many `method path` requests were sent.
pub fn sent(method: &str, path: &str) -> usize {
    calls()
        .iter()
        .filter(|c| c.method == method && c.path == path)
        .count()
}

/// What was posted on the channel since `listen_to_channel`.
pub fn heard() -> Vec<String> {
    json::from_str(&heard_on_channel()).unwrap()
}

/// `path + search + hash` of the page.
pub fn location() -> String {
    gatehouse_client::current_location().unwrap()
}

/// Polls `condition` every 10 ms for up to 5 s.
pub async fn wait_until(what: &str, condition: impl Fn() -> bool) {
    wait_up_to(5_000, what, condition).await;
}

/// Polls `condition` every 10 ms for up to `ms`.
pub async fn wait_up_to(ms: u32, what: &str, condition: impl Fn() -> bool) {
    for _ in 0..ms / 10 {
        if condition() {
            return;
        }
        gloo_timers::future::sleep(Duration::from_millis(10)).await;
    }
    panic!("timed out waiting until {what}");
}

/// The whole app, mounted at an address, against a script. Unmounted when dropped.
pub struct Page {
    root: web_sys::Element,
}

thread_local! {
    /// The app mounted now. A test that fails does not unmount its app (a panic in wasm runs
    /// no destructors), so the next `open` does, lest two apps share the browser's history.
    static MOUNTED: std::cell::RefCell<Option<(web_sys::Element, AppHandle<App>)>> =
        const { std::cell::RefCell::new(None) };
}

fn unmount() {
    if let Some((root, app)) = MOUNTED.with(|m| m.borrow_mut().take()) {
        app.destroy();
        root.remove();
    }
}

/// Scripts the fetch with `script`, puts the page at `location` with empty session and local
/// storage, and mounts the app.
pub fn open(location: &str, script: Script) -> Page {
    open_after(&[], location, script)
}

/// `open`, with the history holding `earlier` before `location` (so Back goes there).
pub fn open_after(earlier: &[&str], location: &str, script: Script) -> Page {
    open_seeded(earlier, location, script, || {})
}

/// `open_after`, with `seed` run on the emptied storage before the app starts.
pub fn open_seeded(earlier: &[&str], location: &str, script: Script, seed: impl FnOnce()) -> Page {
    unmount();
    let window = web_sys::window().unwrap();
    window.session_storage().unwrap().unwrap().clear().unwrap();
    window.local_storage().unwrap().unwrap().clear().unwrap();
    seed();
    script_fetch(&json::to_string(&script.0).unwrap());
    let history = window.history().unwrap();
    match earlier.split_first() {
        None => history.replace_state_with_url(&JsValue::NULL, "", Some(location)),
        Some((first, rest)) => {
            history
                .replace_state_with_url(&JsValue::NULL, "", Some(first))
                .unwrap();
            for entry in rest.iter().chain([&location]) {
                history
                    .push_state_with_url(&JsValue::NULL, "", Some(entry))
                    .unwrap();
            }
            Ok(())
        }
    }
    .unwrap();
    let document = window.document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    let app = yew::Renderer::<App>::with_root(root.clone()).render();
    MOUNTED.with(|m| *m.borrow_mut() = Some((root.clone(), app)));
    Page { root }
}

/// Opens `location` with `ann` signed in as a user, and `script` answering the rest.
pub fn open_signed_in(location: &str, script: Script) -> Page {
    open(location, Script::signed_in("ann", Role::User).and(script))
}

impl Page {
    /// The text of what the app shows.
    pub fn text(&self) -> String {
        self.root.text_content().unwrap_or_default()
    }

    /// The first element matching `selector`.
    pub fn find(&self, selector: &str) -> Option<web_sys::HtmlElement> {
        self.root
            .query_selector(selector)
            .unwrap()
            .map(|e| e.unchecked_into())
    }

    /// How many elements match `selector`.
    pub fn count(&self, selector: &str) -> u32 {
        self.root.query_selector_all(selector).unwrap().length()
    }

    /// The text of the first element matching `selector` (empty when there is none).
    pub fn text_of(&self, selector: &str) -> String {
        self.find(selector)
            .and_then(|e| e.text_content())
            .unwrap_or_default()
    }

    /// The button whose text is `label`.
    pub fn button(&self, label: &str) -> Option<web_sys::HtmlButtonElement> {
        let buttons = self.root.query_selector_all("button").unwrap();
        (0..buttons.length())
            .filter_map(|i| buttons.item(i))
            .map(|b| b.unchecked_into::<web_sys::HtmlButtonElement>())
            .find(|b| b.text_content().is_some_and(|t| t.trim() == label))
    }

    /// Clicks the button whose text is `label`.
    pub fn click_button(&self, label: &str) {
        self.button(label)
            .unwrap_or_else(|| panic!("no button {label:?} in {}", self.text()))
            .click();
    }

    /// Clicks the first element matching `selector`.
    pub fn click(&self, selector: &str) {
        self.find(selector)
            .unwrap_or_else(|| panic!("nothing matches {selector} in {}", self.text()))
            .click();
    }

    /// Types `value` into the field matching `selector` (as one input event).
    pub fn type_into(&self, selector: &str, value: &str) {
        let element = self
            .root
            .query_selector(selector)
            .unwrap()
            .unwrap_or_else(|| panic!("no field {selector}"));
        if let Some(input) = element.dyn_ref::<web_sys::HtmlInputElement>() {
            input.set_value(value);
        } else {
            element
                .unchecked_ref::<web_sys::HtmlTextAreaElement>()
                .set_value(value);
        }
        // What the app's `oninput` handlers read is the field's value, as for a real keystroke.
        let init = web_sys::EventInit::new();
        init.set_bubbles(true);
        let event = web_sys::Event::new_with_event_init_dict("input", &init).unwrap();
        element.dispatch_event(&event).unwrap();
    }

    /// The value of the field matching `selector`.
    pub fn value_of(&self, selector: &str) -> String {
        self.root
            .query_selector(selector)
            .unwrap()
            .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
            .map(|i| i.value())
            .unwrap_or_default()
    }

    /// Submits the form matching `selector` as pressing Enter in it would.
    pub fn submit(&self, selector: &str) {
        self.root
            .query_selector(selector)
            .unwrap()
            .unwrap_or_else(|| panic!("no form {selector}"))
            .unchecked_into::<web_sys::HtmlFormElement>()
            .request_submit()
            .unwrap();
    }

    /// Waits until the app shows `text`.
    pub async fn wait_for_text(&self, text: &str) {
        wait_until(&format!("the page shows {text:?}"), || {
            self.text().contains(text)
        })
        .await;
    }

    /// Waits until something matches `selector`.
    pub async fn wait_for(&self, selector: &str) {
        wait_until(&format!("something matches {selector}"), || {
            self.count(selector) > 0
        })
        .await;
    }

    /// The element that has the focus, if it is in the app.
    pub fn focused(&self) -> Option<web_sys::Element> {
        let active = web_sys::window()?.document()?.active_element()?;
        self.root.contains(Some(&active)).then_some(active)
    }
}

impl Drop for Page {
    fn drop(&mut self) {
        unmount();
    }
}
