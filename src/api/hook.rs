//! `ApiProvider`, `use_api` and `use_fetch`: how components reach the client. Requests a
//! component starts are aborted when it unmounts, and aborts are never shown.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use serde::de::DeserializeOwned;
use web_sys::AbortController;
use yew::prelude::*;
use yew_router::hooks::use_navigator;

use super::client::{ApiClient, Request, decode};
use super::error::ApiError;

/// Props of `ApiProvider`.
#[derive(Properties, PartialEq)]
pub struct ApiProviderProps {
    /// Where 401/403 answers send the user (a route of the app's router).
    pub login_path: AttrValue,
    /// The app.
    pub children: Html,
}

/// Makes one `ApiClient` available to every component below it. Must sit inside a router.
///
/// ```no_run
/// use gatehouse::api::ApiProvider;
/// use yew::prelude::*;
/// use yew_router::BrowserRouter;
///
/// #[function_component]
/// fn App() -> Html {
///     html! {
///         <BrowserRouter>
///             <ApiProvider login_path="/login">{ "pages that call use_api()" }</ApiProvider>
///         </BrowserRouter>
///     }
/// }
/// ```
#[function_component]
pub fn ApiProvider(props: &ApiProviderProps) -> Html {
    let navigator = use_navigator();
    let client = use_memo(
        (props.login_path.clone(), navigator),
        |(login, navigator)| ApiClient::new(login.to_string(), navigator.clone()),
    );
    html! {
        <ContextProvider<ApiClient> context={(*client).clone()}>
            { props.children.clone() }
        </ContextProvider<ApiClient>>
    }
}

/// A component's handle on the shared client; what it starts is aborted when it unmounts.
#[derive(Clone)]
pub struct Api {
    client: ApiClient,
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

impl Api {
    /// Sends `request`; see `ApiClient::send`.
    pub async fn send<T: DeserializeOwned>(&self, request: Request) -> Result<T, ApiError> {
        decode(&self.send_text(request).await?)
    }

    /// Sends `request`, returning a 2xx body as text.
    pub async fn send_text(&self, request: Request) -> Result<String, ApiError> {
        let Ok(controller) = AbortController::new() else {
            return self.client.send_text(&request, None).await;
        };
        let id = self.scope.next_id.get();
        self.scope.next_id.set(id.wrapping_add(1));
        self.scope
            .in_flight
            .borrow_mut()
            .insert(id, controller.clone());
        let result = self
            .client
            .send_text(&request, Some(&controller.signal()))
            .await;
        self.scope.in_flight.borrow_mut().remove(&id);
        result
    }
}

/// The shared client, scoped to this component.
///
/// ```no_run
/// use gatehouse::api::{use_api, Request};
/// use yew::prelude::*;
///
/// #[function_component]
/// fn DeleteButton() -> Html {
///     let api = use_api();
///     let onclick = Callback::from(move |_| {
///         let api = api.clone();
///         yew::platform::spawn_local(async move {
///             // 401/403 take the user to sign-in; anything else comes back here.
///             let _: Result<(), _> = api.send(Request::delete("/api/notes/1")).await;
///         });
///     });
///     html! { <button {onclick}>{ "Delete" }</button> }
/// }
/// ```
#[hook]
pub fn use_api() -> Api {
    let client = use_context::<ApiClient>().expect("use_api needs an ApiProvider above it");
    let scope = use_memo((), |()| Scope::default());
    {
        let scope = scope.clone();
        use_effect_with((), move |()| move || scope.abort_all());
    }
    Api {
        client,
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

/// GETs `path` when mounted and whenever `path` changes; a changed path or an unmount aborts
/// the request in flight.
///
/// ```no_run
/// use gatehouse::api::{use_fetch, Fetch};
/// use gatehouse::components::ErrorView;
/// use gatehouse_api::SecuredResource;
/// use yew::prelude::*;
///
/// #[function_component]
/// fn Secret() -> Html {
///     let fetched = use_fetch::<SecuredResource>("/api/secured-resource".into());
///     match fetched.state {
///         Fetch::Loading => html! { <p aria-busy="true">{ "Loading…" }</p> },
///         Fetch::Ready(r) => html! { <p>{ &r.message }</p> },
///         Fetch::Failed(e) => html! { <ErrorView error={e} onretry={fetched.reload} /> },
///     }
/// }
/// ```
#[hook]
pub fn use_fetch<T: DeserializeOwned + 'static>(path: String) -> FetchHandle<T> {
    let (raw, reload) = use_fetch_text(path);
    // Decoded once per answer; everything above this line exists once, whatever `T` is.
    let state = use_memo(raw, |raw| match raw {
        Fetch::Loading => Fetch::Loading,
        Fetch::Ready(text) => match decode::<T>(text) {
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

/// `use_fetch` without the decoding: the body as text.
#[hook]
fn use_fetch_text(path: String) -> (Fetch<String>, Callback<()>) {
    let client = use_context::<ApiClient>().expect("use_fetch needs an ApiProvider above it");
    let state = use_state(|| Fetch::Loading);
    let generation = use_state(|| 0u32);
    {
        let state = state.clone();
        use_effect_with((path, *generation), move |(path, _)| {
            state.set(Fetch::Loading);
            let controller = AbortController::new().ok();
            let signal = controller.as_ref().map(AbortController::signal);
            let request = Request::get(path.clone());
            yew::platform::spawn_local(async move {
                match client.send_text(&request, signal.as_ref()).await {
                    Ok(text) => state.set(Fetch::Ready(Rc::new(text))),
                    Err(e) if e.is_silent() => {}
                    Err(e) => state.set(Fetch::Failed(e)),
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
