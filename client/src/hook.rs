//! `ApiProvider`, `use_api` and `use_fetch`: how components reach the client. Requests a
//! component starts are aborted when it unmounts, and aborts are never shown. A 401 or 403 is
//! handed to the auth layer above (`SignInRoute`, which `AuthProvider` includes), which takes
//! the user to sign in; the component gets the silent `ApiError::Redirecting`.
//!
//! A change that succeeds (any request but a `GET`, through `use_api` or `use_mutation`)
//! refreshes every `use_fetch` on screen in the background, the way TanStack Query invalidates
//! after a mutation: what is shown stays until the new answer replaces it, so a page shows the
//! truth after a change without each form knowing which lists it touched.
//!
//! A change the server refuses with `reauth_required` (it needs a fresh proof that it is the
//! person) is kept, for five minutes, while the person confirms: the confirmation then finishes
//! it with `Api::finish_confirmed` (GitHub's sudo mode), rather than asking them to do it again.
//!
//! A page about to be shown can have its reads started early (`Api::prefetch`): a sign-in asks
//! for the next page's data as soon as it succeeds, before that page has rendered, and the
//! page's first read of each of those paths (`use_fetch`, or a `GET` through `Api`) takes that
//! answer instead of asking again: once, within a few seconds, and not after a change succeeded.
//!
//! A request that could not reach the server at all marks it unreachable (`use_unreachable`,
//! for one banner) until `GET /api/health` answers again, asked every few seconds; then what
//! is shown is read again.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use futures_util::FutureExt;
use futures_util::future::{LocalBoxFuture, Shared};

use gatehouse_api::endpoints::GetHealth;
use gatehouse_api::{Endpoint, ErrorCode};
use serde::de::DeserializeOwned;
use web_sys::AbortController;
use yew::prelude::*;

use crate::client::{ApiClient, Request, decode};
use crate::error::ApiError;
use crate::sign_in_route::SignInRequired;

/// Props of `ApiProvider`.
#[derive(Properties, PartialEq)]
pub struct ApiProviderProps {
    /// The app.
    pub children: Html,
}

/// Makes the client available to every component below it.
///
/// ```no_run
/// use gatehouse_client::{ApiProvider, AuthProvider};
/// use gatehouse_api::endpoints::Me;
/// use yew::prelude::*;
/// use yew_router::BrowserRouter;
///
/// #[function_component]
/// fn App() -> Html {
///     html! {
///         <BrowserRouter>
///             <ApiProvider>
///                 <AuthProvider<Me> check={Me} login_path="/login">
///                     { "pages that call use_api() and use_fetch()" }
///                 </AuthProvider<Me>>
///             </ApiProvider>
///         </BrowserRouter>
///     }
/// }
/// ```
#[function_component]
pub fn ApiProvider(props: &ApiProviderProps) -> Html {
    let revision = use_reducer(Revision::default);
    let awaiting = use_memo((), |()| AwaitingConfirmation::default());
    let unreachable = use_state_eq(|| false);
    let reach = {
        let setter = unreachable.setter();
        use_memo((), move |()| {
            Reach(Callback::from(move |down| setter.set(down)))
        })
    };
    // While the server cannot be reached, ask it how it is every few seconds; once it
    // answers, everything shown is read again.
    {
        let (reach, revision) = ((*reach).clone(), revision.dispatcher());
        use_effect_with(*unreachable, move |down| {
            let poll = down.then(|| {
                gloo_timers::callback::Interval::new(RETRY_MS, move || {
                    let (reach, revision) = (reach.clone(), revision.clone());
                    yew::platform::spawn_local(async move {
                        let probe = Request::to(&GetHealth).handle_auth_errors();
                        if ApiClient.send_text(&probe, None).await.is_ok() {
                            reach.0.emit(false);
                            revision.dispatch(());
                        }
                    });
                })
            });
            move || drop(poll)
        });
    }
    let prefetched = use_memo((), |()| Prefetched::default());
    let provided = Provided {
        changed: Changed(revision.dispatcher(), (*awaiting).clone(), (*reach).clone()),
        prefetched: (*prefetched).clone(),
    };
    let status = Status {
        seen: revision.0,
        unreachable: *unreachable,
    };
    // Two contexts: what never changes (held by `use_api`), and what moves (read by
    // `use_fetch` and the banner), so a change re-renders only what fetches. Each context
    // costs about 4 KB of wasm in Yew's generic code, so there are no more.
    html! {
        <ContextProvider<Provided> context={provided}>
            <ContextProvider<Status> context={status}>
                { props.children.clone() }
            </ContextProvider<Status>>
        </ContextProvider<Provided>>
    }
}

/// What every handle below the provider shares; it never changes.
#[derive(Clone, PartialEq)]
pub(crate) struct Provided {
    changed: Changed,
    prefetched: Prefetched,
}

/// What moves: how many changes have succeeded (`use_fetch` refreshes when it moves), and
/// whether the server is out of reach.
#[derive(Clone, Copy, PartialEq)]
struct Status {
    seen: u32,
    unreachable: bool,
}

/// How often an unreachable server is asked again (ms).
pub const RETRY_MS: u32 = 3_000;

/// Tells the provider whether the last request reached the server (`true`: it did not).
#[derive(Clone, PartialEq)]
struct Reach(Callback<bool>);

impl Reach {
    /// Reports what `outcome` says of the server's reach: a network failure marks it
    /// unreachable, any answer (even an error) reachable; an abort says nothing.
    fn report<T>(&self, outcome: &Result<T, ApiError>) {
        match outcome {
            Err(ApiError::Network(_)) => self.0.emit(true),
            Err(ApiError::Aborted) => {}
            _ => self.0.emit(false),
        }
    }
}

/// Whether the last request could not reach the server, until it can again (for one banner
/// that says so; it clears by itself).
#[hook]
pub fn use_unreachable() -> bool {
    use_context::<Status>().is_some_and(|s| s.unreachable)
}

/// How long a change refused for want of a fresh confirmation waits for it (ms).
pub const AWAITS_CONFIRMATION_MS: f64 = 5.0 * 60.0 * 1000.0;

/// The change waiting for the person to confirm it is them: the request, the page it was
/// asked from (where the confirmation returns), and since when. One per app; forgotten when
/// anyone signs in or out (`forget`), so it never runs for someone else.
#[derive(Clone, Default)]
pub(crate) struct AwaitingConfirmation(Rc<RefCell<Option<(Request, String, f64)>>>);

impl PartialEq for AwaitingConfirmation {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl AwaitingConfirmation {
    fn keep(&self, request: &Request) {
        let from = crate::client::current_location().unwrap_or_default();
        *self.0.borrow_mut() = Some((request.clone(), from, js_sys::Date::now()));
    }

    /// The change asked from `page` within the last five minutes, once.
    fn take(&self, page: &str) -> Option<Request> {
        let (request, from, since) = self.0.borrow_mut().take()?;
        (from == page && js_sys::Date::now() - since < AWAITS_CONFIRMATION_MS).then_some(request)
    }

    pub(crate) fn forget(&self) {
        self.0.borrow_mut().take();
    }
}

/// Forgets the change awaiting a confirmation (the auth layer, on every sign-in and sign-out).
#[hook]
pub(crate) fn use_awaiting_confirmation() -> Option<AwaitingConfirmation> {
    use_context::<Provided>().map(|s| s.changed.1)
}

/// How many changes have succeeded: `use_fetch` refreshes when it moves.
#[derive(Default, PartialEq)]
struct Revision(u32);

impl Reducible for Revision {
    type Action = ();

    fn reduce(self: Rc<Self>, (): ()) -> Rc<Self> {
        Rc::new(Self(self.0.wrapping_add(1)))
    }
}

/// Moves the revision (a change succeeded), keeps a change awaiting confirmation, and hears
/// whether requests reach the server.
#[derive(Clone, PartialEq)]
struct Changed(UseReducerDispatcher<Revision>, AwaitingConfirmation, Reach);

/// A read started before the page that needs it: its answer, shared.
type Early = Shared<LocalBoxFuture<'static, Result<String, ApiError>>>;

/// How long an early read's answer may wait for its page (ms): older, it is asked again.
const EARLY_FOR_MS: f64 = 5_000.0;

/// Reads started early, by path, with when they were started (`Api::prefetch`).
#[derive(Clone, Default)]
struct Prefetched(Rc<RefCell<HashMap<String, (f64, Early)>>>);

impl PartialEq for Prefetched {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl Prefetched {
    /// The early read of `path`, taken: it answers one read, and only a recent one. A page
    /// shown again later asks the server, which may have changed its mind (a session ended
    /// meanwhile must answer 401 there, not the early 200).
    fn take(&self, path: &str) -> Option<Early> {
        let (started, early) = self.0.borrow_mut().remove(path)?;
        (js_sys::Date::now() - started < EARLY_FOR_MS).then_some(early)
    }

    /// Forgets every early read (a change succeeded: they may be out of date).
    fn clear(&self) {
        self.0.borrow_mut().clear();
    }
}

/// A component's handle on the shared client; what it starts is aborted when it unmounts.
#[derive(Clone)]
pub struct Api {
    client: ApiClient,
    sign_in: Option<SignInRequired>,
    changed: Option<Changed>,
    prefetched: Option<Prefetched>,
    scope: Rc<Scope>,
}

#[derive(Default)]
struct Scope {
    next_id: Cell<u32>,
    in_flight: RefCell<HashMap<u32, AbortController>>,
}

impl Scope {
    fn abort_all(&self) {
        for (_, controller) in self.in_flight.borrow_mut().drain() {
            controller.abort();
        }
    }
}

/// What a sign-in-required answer becomes for the caller: with an auth layer above, it is
/// told (it takes the user to sign in) and the caller gets the silent `Redirecting`; without
/// one, the caller gets the server's answer as an HTTP error.
fn settle(sign_in: Option<&SignInRequired>, error: ApiError) -> ApiError {
    match error {
        ApiError::SignInRequired { status, body } => match sign_in {
            Some(sign_in) => {
                sign_in.0.emit(body.code);
                ApiError::Redirecting
            }
            None => ApiError::Http { status, body },
        },
        other => other,
    }
}

impl Api {
    /// Sends `request`, decoding a 2xx body as `T` (`()` for 204).
    pub async fn send<T: DeserializeOwned>(&self, request: Request) -> Result<T, ApiError> {
        decode(&self.send_text(request).await?)
    }

    /// Sends the request `endpoint` names, without a body.
    pub async fn fetch<E: Endpoint>(&self, endpoint: &E) -> Result<E::Response, ApiError> {
        self.send(Request::to(endpoint)).await
    }

    /// Sends the request `endpoint` names with `body` as JSON.
    pub async fn submit<E: Endpoint>(
        &self,
        endpoint: &E,
        body: &E::Request,
    ) -> Result<E::Response, ApiError> {
        self.send(Request::to(endpoint).json(body)).await
    }

    /// Starts the read `endpoint` names now, for a page about to be shown: its `use_fetch` of
    /// the same endpoint takes the answer (within five seconds) instead of asking again.
    pub fn prefetch<E: Endpoint<Request = ()>>(&self, endpoint: &E) {
        let Some(prefetched) = &self.prefetched else {
            return;
        };
        let request = Request::get(endpoint.path());
        let early: Early = async move { ApiClient.send_text(&request, None).await }
            .boxed_local()
            .shared();
        // Driven from now on, whether or not the page has asked for it yet.
        yew::platform::spawn_local(early.clone().map(drop));
        prefetched
            .0
            .borrow_mut()
            .insert(endpoint.path(), (js_sys::Date::now(), early));
    }

    /// Sends `request`, returning a 2xx body as text. Not generic, so the abort, retry and
    /// sign-in logic exists once in the wasm rather than once per response type.
    pub async fn send_text(&self, request: Request) -> Result<String, ApiError> {
        let result = self.send_raw(&request).await;
        if let Some(Changed(_, _, reach)) = &self.changed {
            reach.report(&result);
        }
        if result.is_ok()
            && request.is_change()
            && let Some(prefetched) = &self.prefetched
        {
            prefetched.clear();
        }
        if result.is_ok()
            && request.refreshes_on_success()
            && let Some(Changed(changed, ..)) = &self.changed
        {
            changed.dispatch(());
        }
        if let Err(ApiError::SignInRequired { body, .. }) = &result
            && body.code == ErrorCode::ReauthRequired
            && let Some(Changed(_, awaiting, _)) = &self.changed
        {
            if request.is_replayable() {
                awaiting.keep(&request);
            } else {
                awaiting.forget();
            }
        }
        result.map_err(|e| settle(self.sign_in.as_ref(), e))
    }

    /// Sends the change that was refused with `reauth_required` from `page` (within the last
    /// five minutes) once more, now that the person has confirmed it is them and is going
    /// back there: `None` when none waits. Taken once: a second call finds nothing. Only a
    /// `Request::replayable` change is kept.
    pub async fn finish_confirmed(&self, page: &str) -> Option<Result<String, ApiError>> {
        let Changed(_, awaiting, _) = self.changed.as_ref()?;
        let request = awaiting.take(page)?;
        Some(self.send_text(request).await)
    }

    async fn send_raw(&self, request: &Request) -> Result<String, ApiError> {
        // Read early for the page this handle's component is on: that answer.
        if request.is_get()
            && let Some(early) = self
                .prefetched
                .as_ref()
                .and_then(|p| p.take(request.path()))
        {
            return early.await;
        }
        match AbortController::new() {
            Err(_) => self.client.send_text(request, None).await,
            Ok(controller) => {
                let id = self.scope.next_id.get();
                self.scope.next_id.set(id.wrapping_add(1));
                self.scope
                    .in_flight
                    .borrow_mut()
                    .insert(id, controller.clone());
                let result = self
                    .client
                    .send_text(request, Some(&controller.signal()))
                    .await;
                self.scope.in_flight.borrow_mut().remove(&id);
                result
            }
        }
    }
}

/// The shared client, scoped to this component. A change a component sends when asked is
/// better a `use_mutation` (its states, no double submission), which runs on this.
///
/// ```no_run
/// use gatehouse_client::use_api;
/// use gatehouse_api::endpoints::DeleteNote;
/// use yew::prelude::*;
///
/// #[function_component]
/// fn DeleteButton() -> Html {
///     let api = use_api();
///     let onclick = Callback::from(move |_| {
///         let api = api.clone();
///         yew::platform::spawn_local(async move {
///             // 401/403 take the user to sign-in; anything else comes back here.
///             let _ = api.fetch(&DeleteNote { id: 1 }).await;
///         });
///     });
///     html! { <button {onclick}>{ "Delete" }</button> }
/// }
/// ```
#[hook]
pub fn use_api() -> Api {
    let Provided {
        changed,
        prefetched,
    } = use_context::<Provided>().expect("use_api needs an ApiProvider above it");
    let sign_in = use_context::<SignInRequired>();
    let scope = use_memo((), |()| Scope::default());
    {
        let scope = scope.clone();
        use_effect_with((), move |()| move || scope.abort_all());
    }
    Api {
        client: ApiClient,
        sign_in,
        changed: Some(changed),
        prefetched: Some(prefetched),
        scope: Rc::clone(&scope),
    }
}

/// The state of a fetched value: explicit, so nothing is both loading and failed.
#[derive(Debug, PartialEq)]
pub enum Fetch<T> {
    /// No answer yet (also while being redirected to sign-in).
    Loading,
    /// The value.
    Ready(Rc<T>),
    /// Failed with an error to show.
    Failed(ApiError),
}

impl<T> Clone for Fetch<T> {
    fn clone(&self) -> Self {
        match self {
            Self::Loading => Self::Loading,
            Self::Ready(v) => Self::Ready(Rc::clone(v)),
            Self::Failed(e) => Self::Failed(e.clone()),
        }
    }
}

/// What `use_fetch` returns.
pub struct FetchHandle<T> {
    /// The current state.
    pub state: Fetch<T>,
    /// Fetches again (the Retry button).
    pub reload: Callback<()>,
}

/// GETs what `endpoint` names when mounted and whenever it changes; a change or an unmount
/// aborts the request in flight. The endpoint fixes the response type.
///
/// ```no_run
/// use gatehouse_client::{Fetch, use_fetch};
/// use gatehouse_api::endpoints::GetSecuredResource;
/// use yew::prelude::*;
///
/// #[function_component]
/// fn Secret() -> Html {
///     let fetched = use_fetch(GetSecuredResource);
///     match fetched.state {
///         Fetch::Loading => html! { <p aria-busy="true">{ "Loading…" }</p> },
///         Fetch::Ready(r) => html! { <p>{ &r.message }</p> },
///         Fetch::Failed(e) => html! { <p role="alert">{ e.message() }</p> },
///     }
/// }
/// ```
#[hook]
pub fn use_fetch<E>(endpoint: E) -> FetchHandle<E::Response>
where
    E: Endpoint<Request = ()>,
{
    debug_assert!(
        E::METHOD.is_safe(),
        "use_fetch reads; send changes with use_api"
    );
    let (raw, reload) = use_fetch_text(endpoint.path());
    // Decoded once per answer; everything above this line exists once, whatever `E` is.
    let state = use_memo(raw, |raw| match raw {
        Fetch::Loading => Fetch::Loading,
        Fetch::Ready(text) => match decode::<E::Response>(text) {
            Ok(value) => Fetch::Ready(Rc::new(value)),
            Err(e) => Fetch::Failed(e),
        },
        Fetch::Failed(e) => Fetch::Failed(e.clone()),
    });
    FetchHandle {
        state: (*state).clone(),
        reload,
    }
}

/// `use_fetch` without the decoding: a GET of `path`, the body as text.
#[hook]
fn use_fetch_text(path: String) -> (Fetch<String>, Callback<()>) {
    let Provided {
        changed: Changed(_, _, reach),
        prefetched,
    } = use_context::<Provided>().expect("use_fetch needs an ApiProvider above it");
    let sign_in = use_context::<SignInRequired>();
    let seen = use_context::<Status>().map_or(0, |s| s.seen);
    // `use_state_eq`: a refresh that brings the same answer does not re-render.
    let state = use_state_eq(|| Fetch::Loading);
    let generation = use_state(|| 0u32);
    // What the last request was for: when only the revision moved, it is a refresh.
    let asked = use_mut_ref(|| None::<(String, u32)>);
    {
        let state = state.clone();
        use_effect_with((path, *generation, seen), move |(path, generation, _)| {
            let key = Some((path.clone(), *generation));
            let refresh = *asked.borrow() == key && matches!(*state, Fetch::Ready(_));
            *asked.borrow_mut() = key;
            if !refresh {
                state.set(Fetch::Loading);
            }
            let controller = AbortController::new().ok();
            let signal = controller.as_ref().map(AbortController::signal);
            let request = Request::get(path.clone());
            let reach = reach.clone();
            // Started early for this page (a sign-in did it): its answer, not a new request.
            let early = (!refresh).then(|| prefetched.take(path)).flatten();
            yew::platform::spawn_local(async move {
                let outcome = match early {
                    Some(early) => early.await,
                    None => ApiClient.send_text(&request, signal.as_ref()).await,
                };
                reach.report(&outcome);
                match outcome {
                    Ok(text) => state.set(Fetch::Ready(Rc::new(text))),
                    Err(e) => match settle(sign_in.as_ref(), e) {
                        e if e.is_silent() => {}
                        // A refresh that failed leaves what was shown: the change it
                        // followed did succeed, and Retry is for a page that has nothing.
                        _ if refresh => {}
                        e => state.set(Fetch::Failed(e)),
                    },
                }
            });
            move || {
                if let Some(c) = controller {
                    c.abort();
                }
            }
        });
    }
    let reload = {
        let generation = generation.clone();
        Callback::from(move |()| generation.set(generation.wrapping_add(1)))
    };
    ((*state).clone(), reload)
}
