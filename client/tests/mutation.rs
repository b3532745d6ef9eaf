//! `use_mutation` and `use_sign_out` in a real headless Chromium, against a scripted `fetch`;
//! and what a change that succeeded does to what `use_fetch` shows.

#![cfg(target_arch = "wasm32")]

mod common;

use std::cell::Cell;
use std::rc::Rc;

use common::*;
use gatehouse_api::{Endpoint, Method};
use gatehouse_client::{
    Api, ApiError, AuthProvider, AuthState, Fetch, Mutation, Request, use_auth, use_fetch,
    use_mutation, use_sign_out,
};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use yew::prelude::*;

wasm_bindgen_test_configure!(run_in_browser);

#[derive(Properties, PartialEq)]
struct SenderProps {
    /// Counts the runs whose request settled, and those that got past it.
    counts: Shared<Counts>,
}

#[derive(Default)]
struct Counts {
    settled: Cell<u32>,
    after: Cell<u32>,
}

/// Posts its input and shows the mutation's state, its error, and buttons to run and reset.
#[function_component]
fn Sender(props: &SenderProps) -> Html {
    let counts = Rc::clone(&props.counts.0);
    let post = use_mutation(move |api: Api, n: u32| {
        let counts = counts.clone();
        async move {
            let answer = api
                .send::<serde_json::Value>(Request::post("/api/things").json(&n))
                .await;
            counts.settled.set(counts.settled.get() + 1);
            let answer = answer?;
            counts.after.set(counts.after.get() + 1);
            Ok(answer)
        }
    });
    let state = match &post.state {
        Mutation::Idle => "idle".to_string(),
        Mutation::Running => "running".to_string(),
        Mutation::Done(v) => format!("done {v}"),
        Mutation::Failed(e) => format!("failed {}", e.message()),
    };
    let onreset = {
        let post = post.clone();
        Callback::from(move |_| post.reset())
    };
    html! {
        <>
            <p id="state">{ state }</p>
            <p id="error">{ post.error().map(ApiError::message).unwrap_or_default() }</p>
            <button id="run" disabled={post.running()} onclick={post.reform(|_| 7)}>{ "Run" }</button>
            <button id="reset" onclick={onreset}>{ "Reset" }</button>
        </>
    }
}

#[function_component]
fn SenderApp(props: &SenderProps) -> Html {
    html! { <Harness><Sender counts={Shared(Rc::clone(&props.counts.0))} /></Harness> }
}

struct Mounted {
    root: web_sys::Element,
    counts: Rc<Counts>,
    app: Option<yew::AppHandle<SenderApp>>,
}

impl Mounted {
    fn text(&self, id: &str) -> String {
        self.root
            .query_selector(&format!("#{id}"))
            .unwrap()
            .and_then(|e| e.text_content())
            .unwrap_or_default()
    }

    fn click(&self, id: &str) {
        self.root
            .query_selector(&format!("#{id}"))
            .unwrap()
            .unwrap()
            .unchecked_into::<web_sys::HtmlElement>()
            .click();
    }
}

fn mount_sender() -> Mounted {
    let root = root();
    let counts = Rc::new(Counts::default());
    let app = yew::Renderer::<SenderApp>::with_root_and_props(
        root.clone(),
        SenderProps {
            counts: Shared(counts.clone()),
        },
    )
    .render();
    Mounted {
        root,
        counts,
        app: Some(app),
    }
}

impl Drop for Mounted {
    fn drop(&mut self) {
        if let Some(app) = self.app.take() {
            app.destroy();
        }
        self.root.remove();
    }
}

#[wasm_bindgen_test]
async fn a_mutation_is_idle_then_running_then_done_with_the_answer() {
    script("/things", vec![Reply::json(200, r#"{"id":7}"#).after(200)]);
    let m = mount_sender();
    wait_until("mounted", || m.text("state") == "idle").await;
    assert!(calls().is_empty(), "nothing is sent until it runs");
    m.click("run");
    wait_until("running", || m.text("state") == "running").await;
    wait_until("done", || m.text("state") == r#"done {"id":7}"#).await;
    assert_eq!(calls().len(), 1);
    assert_eq!(calls()[0].method, "POST");
    assert_eq!(m.counts.after.get(), 1);
}

#[wasm_bindgen_test]
async fn running_again_while_a_run_is_under_way_sends_nothing() {
    script("/things", vec![Reply::json(200, "1").after(100)]);
    let m = mount_sender();
    wait_until("mounted", || m.text("state") == "idle").await;
    // Three clicks in one frame: the button is not disabled yet, the hook still refuses.
    m.click("run");
    m.click("run");
    m.click("run");
    wait_until("done", || m.text("state") == "done 1").await;
    assert_eq!(calls().len(), 1);
}

#[wasm_bindgen_test]
async fn a_failure_keeps_its_error_shown_while_the_next_run_is_under_way_until_one_succeeds() {
    script(
        "/things",
        vec![
            Reply::error(409, "conflict", "taken"),
            Reply::json(200, "2").after(200),
        ],
    );
    let m = mount_sender();
    wait_until("mounted", || m.text("state") == "idle").await;
    m.click("run");
    wait_until("failed", || m.text("state") == "failed Taken.").await;
    assert_eq!(m.text("error"), "Taken.");
    assert_eq!(
        m.counts.after.get(),
        0,
        "nothing after a failed request runs"
    );
    m.click("run");
    wait_until("running", || m.text("state") == "running").await;
    assert_eq!(
        m.text("error"),
        "Taken.",
        "the error stays until the answer"
    );
    wait_until("done", || m.text("state") == "done 2").await;
    assert_eq!(m.text("error"), "");
}

#[wasm_bindgen_test]
async fn reset_forgets_the_last_outcome() {
    script("/things", vec![Reply::error(500, "internal", "broken")]);
    let m = mount_sender();
    wait_until("mounted", || m.text("state") == "idle").await;
    m.click("run");
    wait_until("failed", || m.text("state").starts_with("failed")).await;
    m.click("reset");
    wait_until("idle", || m.text("state") == "idle").await;
    assert_eq!(m.text("error"), "");
}

#[wasm_bindgen_test]
async fn a_silent_error_is_no_failure_the_trip_to_sign_in_is_under_way() {
    script(
        "/things",
        vec![Reply::error(401, "session_expired", "ended")],
    );
    let m = mount_sender();
    wait_until("mounted", || m.text("state") == "idle").await;
    m.click("run");
    wait_until("at the sign-in page", || location().starts_with("/login")).await;
    wait_until("idle again", || m.text("state") == "idle").await;
    assert_eq!(m.text("error"), "");
}

#[wasm_bindgen_test]
async fn unmounting_aborts_the_run_and_nothing_after_its_request_runs() {
    script("/things", vec![Reply::json(200, "1").after(2_000)]);
    let mut m = mount_sender();
    wait_until("mounted", || m.text("state") == "idle").await;
    m.click("run");
    wait_until("the request is sent", || calls().len() == 1).await;
    m.app.take().unwrap().destroy();
    wait_until("the request settles", || m.counts.settled.get() == 1).await;
    assert_eq!(aborted_count(), 1);
    assert_eq!(m.counts.after.get(), 0);
}

// Signing out.

#[derive(Clone, PartialEq)]
struct WhoAmI;

impl Endpoint for WhoAmI {
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "/api/whoami";
    type Request = ();
    type Response = serde_json::Value;
}

#[derive(Clone, PartialEq)]
struct SignOut;

impl Endpoint for SignOut {
    const METHOD: Method = Method::Post;
    const PATH: &'static str = "/api/sign-out";
    type Request = ();
    type Response = ();
}

#[function_component]
fn SignOutButton() -> Html {
    let auth = use_auth::<serde_json::Value>();
    let sign_out = use_sign_out::<serde_json::Value, _>(SignOut);
    let who = match auth.state {
        AuthState::Unknown => "unknown",
        AuthState::SignedOut { .. } => "signed out",
        AuthState::SignedIn(_) => "signed in",
    };
    html! {
        <>
            <p id="who">{ who }</p>
            <button id="sign-out" onclick={sign_out.reform(|_| ())}>{ "Sign out" }</button>
        </>
    }
}

#[function_component]
fn SignOutApp() -> Html {
    html! {
        <Harness>
            <AuthProvider<WhoAmI> check={WhoAmI} login_path="/login">
                <SignOutButton />
            </AuthProvider<WhoAmI>>
        </Harness>
    }
}

async fn sign_out_with(logout: Reply) {
    script(
        "/notes",
        vec![Reply::json(200, r#"{"user":"ann"}"#), logout],
    );
    let root = root();
    let app = yew::Renderer::<SignOutApp>::with_root(root.clone()).render();
    let text = |id: &str| {
        root.query_selector(&format!("#{id}"))
            .unwrap()
            .and_then(|e| e.text_content())
            .unwrap_or_default()
    };
    wait_until("signed in", || text("who") == "signed in").await;
    root.query_selector("#sign-out")
        .unwrap()
        .unwrap()
        .unchecked_into::<web_sys::HtmlElement>()
        .click();
    wait_until("signed out", || text("who") == "signed out").await;
    assert_eq!(location(), "/login");
    assert_eq!(
        history_changes(),
        1,
        "one new entry: Back shows what was left"
    );
    assert_eq!(calls()[1].method, "POST");
    app.destroy();
}

#[wasm_bindgen_test]
async fn signing_out_forgets_the_user_and_goes_to_sign_in_when_the_server_ends_the_session() {
    sign_out_with(Reply::json(204, "")).await;
}

#[wasm_bindgen_test]
async fn signing_out_without_the_server_forgets_the_user_and_goes_to_sign_in_all_the_same() {
    sign_out_with(Reply::network_failure()).await;
}

#[wasm_bindgen_test]
async fn signing_out_a_session_the_server_had_ended_already_goes_to_sign_in_without_a_reason() {
    sign_out_with(Reply::error(401, "session_expired", "ended")).await;
}

#[derive(Clone, PartialEq)]
struct Things;

impl Endpoint for Things {
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "/api/things";
    type Request = ();
    type Response = serde_json::Value;
}

/// A list read with `use_fetch`, and two buttons that add to it: `#run` as any change does,
/// `#quiet` opting out of the refresh (as signing out does).
#[function_component]
fn ListAndAdd() -> Html {
    let list = use_fetch(Things);
    let add = use_mutation(|api: Api, quiet: bool| async move {
        let mut request = Request::post("/api/things").json(&2);
        if quiet {
            request = request.without_refresh();
        }
        api.send::<serde_json::Value>(request).await
    });
    let shown = match &list.state {
        Fetch::Loading => "loading".to_string(),
        Fetch::Ready(v) => v.to_string(),
        Fetch::Failed(e) => format!("failed {}", e.message()),
    };
    let added = match &add.state {
        Mutation::Idle => "idle",
        Mutation::Running => "running",
        Mutation::Done(_) => "done",
        Mutation::Failed(_) => "failed",
    };
    html! {
        <>
            <p id="list">{ shown }</p>
            <p id="added">{ added }</p>
            <button id="run" onclick={add.reform(|_| false)}>{ "Add" }</button>
            <button id="quiet" onclick={add.reform(|_| true)}>{ "Add quietly" }</button>
        </>
    }
}

#[function_component]
fn ListApp() -> Html {
    html! { <Harness><ListAndAdd /></Harness> }
}

fn mount_list() -> (web_sys::Element, yew::AppHandle<ListApp>) {
    let root = root();
    let app = yew::Renderer::<ListApp>::with_root(root.clone()).render();
    (root, app)
}

fn text_of(root: &web_sys::Element, id: &str) -> String {
    root.query_selector(&format!("#{id}"))
        .unwrap()
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

fn click_on(root: &web_sys::Element, id: &str) {
    root.query_selector(&format!("#{id}"))
        .unwrap()
        .unwrap()
        .unchecked_into::<web_sys::HtmlElement>()
        .click();
}

#[wasm_bindgen_test]
async fn a_change_that_succeeds_refreshes_what_is_shown_which_stays_until_the_new_answer() {
    script(
        "/things",
        vec![
            Reply::json(200, "[1]"),
            Reply::json(201, "{}"),
            Reply::json(200, "[1,2]").after(300),
        ],
    );
    let (root, app) = mount_list();
    wait_until("the list", || text_of(&root, "list") == "[1]").await;
    click_on(&root, "run");
    wait_until("the refresh is asked", || calls().len() == 3).await;
    assert_eq!(
        text_of(&root, "list"),
        "[1]",
        "no Loading while it refreshes"
    );
    wait_until("the new list", || text_of(&root, "list") == "[1,2]").await;
    let methods: Vec<_> = calls().into_iter().map(|c| (c.method, c.path)).collect();
    assert_eq!(methods[2], ("GET".to_string(), "/api/things".to_string()));
    app.destroy();
}

#[wasm_bindgen_test]
async fn a_change_that_failed_or_opted_out_refreshes_nothing() {
    script(
        "/things",
        vec![
            Reply::json(200, "[1]"),
            Reply::error(500, "internal", "broken"),
            Reply::json(201, "{}"),
            Reply::json(201, "{}"),
            Reply::json(200, "[1,2]"),
        ],
    );
    let (root, app) = mount_list();
    wait_until("the list", || text_of(&root, "list") == "[1]").await;
    click_on(&root, "run");
    wait_until("the failure", || text_of(&root, "added") == "failed").await;
    click_on(&root, "quiet");
    wait_until("the quiet change", || text_of(&root, "added") == "done").await;
    // A change that refreshes comes last: its GET is the first since the list was read.
    click_on(&root, "run");
    wait_until("the new list", || text_of(&root, "list") == "[1,2]").await;
    let methods: Vec<_> = calls().into_iter().map(|c| c.method).collect();
    assert_eq!(methods, ["GET", "POST", "POST", "POST", "GET"]);
    app.destroy();
}

/// Starts reading the secured resource early, then shows the component that reads it.
#[function_component]
fn EarlyThenReader() -> Html {
    let show = use_state(|| false);
    html! {
        <Harness>
            <Early show={show.clone()} />
            if *show { <Reader /> }
        </Harness>
    }
}

#[derive(Properties, PartialEq)]
struct EarlyProps {
    show: UseStateHandle<bool>,
}

/// Inside the provider: starts the read, then has the reader shown.
#[function_component]
fn Early(props: &EarlyProps) -> Html {
    let api = gatehouse_client::use_api();
    {
        let show = props.show.clone();
        use_effect_with((), move |()| {
            api.prefetch(&gatehouse_api::endpoints::GetSecuredResource);
            show.set(true);
        });
    }
    Html::default()
}

#[function_component]
fn Reader() -> Html {
    let read = use_fetch(gatehouse_api::endpoints::GetSecuredResource);
    match &read.state {
        Fetch::Ready(v) => html! { <p id="read">{ v.message.clone() }</p> },
        _ => html! { <p id="read">{ "…" }</p> },
    }
}

#[wasm_bindgen_test]
async fn a_read_started_early_is_taken_by_its_page_instead_of_asked_again() {
    script(
        "/",
        vec![
            Reply::json(200, r#"{"message":"the early answer"}"#).after(50),
            Reply::json(200, r#"{"message":"asked again"}"#),
        ],
    );
    let root = root();
    let _app = yew::Renderer::<EarlyThenReader>::with_root(root.clone()).render();
    let read = || {
        root.query_selector("#read")
            .unwrap()
            .and_then(|e| e.text_content())
            .unwrap_or_default()
    };
    wait_until("the reader shows an answer", || {
        read() != "…" && !read().is_empty()
    })
    .await;
    assert_eq!(read(), "the early answer");
    let sent: Vec<_> = calls()
        .into_iter()
        .filter(|c| c.path == gatehouse_api::endpoints::GetSecuredResource::PATH)
        .collect();
    assert_eq!(sent.len(), 1, "{sent:?}");
}
