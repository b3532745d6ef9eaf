//! The scripted `fetch`: what the server answers per endpoint, and what was sent.

use gatehouse_api::{Endpoint, Method, Role, SessionInfo, SessionState, User};
use gatehouse_client::json;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

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
        // The server's clock at the answer, as a real server's "now" would be.
        const text = reply.status === 204 ? null : reply.body.replaceAll('"__NOW__"', JSON.stringify(new Date().toISOString()));
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
export function iso_in(ms) { return new Date(Date.now() + ms).toISOString(); }
"#)]
extern "C" {
    fn script_fetch(routes_json: &str);
    fn fetch_calls() -> String;
    /// Requests aborted while in flight since the fetch was scripted.
    pub fn aborted_count() -> u32;
    /// The RFC 3339 time `ms` from now.
    pub fn iso_in(ms: f64) -> String;
}

/// In a scripted body, replaced by the time of the answer (RFC 3339).
pub const NOW: &str = "__NOW__";

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

impl Script {
    /// Replaces `window.fetch` with one answering as this script says.
    pub fn install(&self) {
        script_fetch(&json::to_string(&self.0).unwrap());
    }
}

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
/// `absolute_ms` from now, with an idle timeout of `idle_timeout_seconds`; its `now` is the
/// time of each answer.
pub fn session_state(idle_ms: i64, absolute_ms: i64, idle_timeout_seconds: u64) -> SessionState {
    SessionState {
        now: NOW.into(),
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

/// How many requests to `endpoint` (its method, and its filled-in path with the query string)
/// were sent.
pub fn sent_to<E: gatehouse_api::Endpoint>(endpoint: &E) -> usize {
    sent(E::METHOD.as_str(), &endpoint.path())
}

/// How many `method path` requests were sent (`path` with its query string, if any).
pub fn sent(method: &str, path: &str) -> usize {
    calls()
        .iter()
        .filter(|c| c.method == method && format!("{}{}", c.path, c.query) == path)
        .count()
}
