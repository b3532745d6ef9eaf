//! The auth layer: who is signed in (`AuthProvider`, checked with the server at start and kept
//! in step across tabs).
//!
//! Data flows one way: the client returns a typed outcome, `use_api` hands a sign-in-required
//! answer up to the nearest `SignInRequired` context, and the component providing it decides.
//! `AuthProvider` provides its own, which forgets the user on a 401 before passing the answer
//! on to the `SignInRoute` (`sign_in_route`) it contains, which navigates.

use std::rc::Rc;

use gatehouse_api::{Endpoint, ErrorCode};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{BroadcastChannel, MessageEvent};
use yew::prelude::*;

use crate::client::{ApiClient, Request, decode};
use crate::error::ApiError;
use crate::sign_in_route::{SignInRequired, SignInRoute};

/// Whether someone is signed in. `Unknown` until the session check answers, so guards wait
/// instead of flashing content or redirecting too early.
#[derive(Debug, PartialEq)]
pub enum AuthState<S> {
    /// The session check has not answered yet.
    Unknown,
    /// Nobody is signed in; `reason` says why when the server said so.
    SignedOut {
        /// `unauthenticated`, `session_expired` or `account_disabled`, when known.
        reason: Option<ErrorCode>,
    },
    /// Signed in, with what the session check answered.
    SignedIn(Rc<S>),
}

// Cloning shares the session (`Rc`), whatever `S` is.
impl<S> Clone for AuthState<S> {
    fn clone(&self) -> Self {
        match self {
            Self::Unknown => Self::Unknown,
            Self::SignedOut { reason } => Self::SignedOut { reason: *reason },
            Self::SignedIn(s) => Self::SignedIn(Rc::clone(s)),
        }
    }
}

/// The auth context: the state, plus the actions that change it. `S` is what the app's
/// session check answers (who is signed in).
#[derive(PartialEq)]
pub struct Auth<S: PartialEq> {
    /// Who is signed in.
    pub state: AuthState<S>,
    /// Set when the session check itself failed (server unreachable): the guard offers Retry.
    pub check_failed: Option<ApiError>,
    dispatch: Callback<Event<S>>,
    sign_in: SignInRequired,
    login_path: AttrValue,
}

impl<S: PartialEq> Clone for Auth<S> {
    fn clone(&self) -> Self {
        Self {
            state: self.state.clone(),
            check_failed: self.check_failed.clone(),
            dispatch: self.dispatch.clone(),
            sign_in: self.sign_in.clone(),
            login_path: self.login_path.clone(),
        }
    }
}

enum Event<S> {
    SignedIn(S),
    SignedOut(Option<ErrorCode>),
    Check,
}

impl<S: PartialEq> Auth<S> {
    /// What the session check answered, when signed in.
    pub fn session(&self) -> Option<&S> {
        match &self.state {
            AuthState::SignedIn(s) => Some(s),
            _ => None,
        }
    }

    /// Records a successful sign-in here and in the other tabs.
    pub fn signed_in(&self, session: S) {
        self.dispatch.emit(Event::SignedIn(session));
        broadcast(SIGNED_IN);
    }

    /// Records a sign-out here and in the other tabs.
    pub fn signed_out(&self) {
        self.dispatch.emit(Event::SignedOut(None));
        broadcast(SIGNED_OUT);
    }

    /// Asks the server again who is signed in.
    pub fn recheck(&self) {
        self.dispatch.emit(Event::Check);
    }

    /// Takes the user to sign in, saying why (what a 401 or 403 does; a guard uses it too).
    pub fn require_sign_in(&self, reason: ErrorCode) {
        self.sign_in.0.emit(reason);
    }

    /// The app's sign-in route.
    pub fn login_path(&self) -> &str {
        &self.login_path
    }
}

/// The `BroadcastChannel` the tabs of one browser share.
const CHANNEL: &str = "gatehouse-auth";
const SIGNED_IN: &str = "signed-in";
const SIGNED_OUT: &str = "signed-out";

fn broadcast(message: &str) {
    if let Ok(channel) = BroadcastChannel::new(CHANNEL) {
        let _ = channel.post_message(&format!("{message} {}", this_tab()).into());
        channel.close();
    }
}

thread_local! {
    /// This tab's name on the channel: a message is heard by every other channel object of its
    /// name, this tab's own listener included, which must not act on its own news.
    static TAB: String = format!("{:x}", (js_sys::Math::random() * 2f64.powi(52)) as u64);
}

fn this_tab() -> String {
    TAB.with(Clone::clone)
}

/// What a message on the channel says, unless this tab sent it.
fn from_another_tab(message: &str) -> Option<&str> {
    let (what, tab) = message.split_once(' ').unwrap_or((message, ""));
    (tab != this_tab()).then_some(what)
}

/// Whether a code means the session is gone (a 403 does not: wrong role, stale token).
fn ends_the_session(code: ErrorCode) -> bool {
    matches!(
        code,
        ErrorCode::Unauthenticated
            | ErrorCode::SessionExpired
            | ErrorCode::AccountDisabled
            | ErrorCode::PasswordChanged
            | ErrorCode::SessionEnded
    )
}

/// Props of `AuthProvider`.
#[derive(Properties, PartialEq)]
pub struct AuthProviderProps<E: PartialEq> {
    /// The session check: a GET answering who is signed in, or 401.
    pub check: E,
    /// The app's sign-in route.
    pub login_path: AttrValue,
    /// The app.
    pub children: Html,
}

/// Loads the session at start with `check`, provides `Auth<E::Response>`, and takes the user to
/// `login_path` when a request needs a sign-in. Must sit inside `ApiProvider` and a router.
#[function_component]
pub fn AuthProvider<E>(props: &AuthProviderProps<E>) -> Html
where
    E: Endpoint<Request = ()>,
    E::Response: PartialEq,
{
    html! {
        <SignInRoute path={props.login_path.clone()}>
            <Sessions<E> check={props.check.clone()} login_path={props.login_path.clone()}>
                { props.children.clone() }
            </Sessions<E>>
        </SignInRoute>
    }
}

#[derive(Properties, PartialEq)]
struct SessionsProps<E: PartialEq> {
    check: E,
    login_path: AttrValue,
    children: Html,
}

#[function_component]
fn Sessions<E>(props: &SessionsProps<E>) -> Html
where
    E: Endpoint<Request = ()>,
    E::Response: PartialEq,
{
    use_context::<crate::hook::Provided>().expect("AuthProvider needs an ApiProvider above it");
    let client = ApiClient;
    let route = use_context::<SignInRequired>().expect("inside its SignInRoute");
    let state = use_state(|| AuthState::<E::Response>::Unknown);
    let check_failed = use_state(|| None::<ApiError>);
    let checks = use_state(|| 0u32);

    // A change waiting for a confirmation is one person's: any sign-in or sign-out drops it.
    let awaiting = crate::hook::use_awaiting_confirmation();
    let dispatch = {
        let (state, checks) = (state.clone(), checks.clone());
        Callback::from(move |event: Event<E::Response>| {
            if !matches!(event, Event::Check)
                && let Some(awaiting) = &awaiting
            {
                awaiting.forget();
            }
            match event {
                Event::SignedIn(s) => state.set(AuthState::SignedIn(Rc::new(s))),
                Event::SignedOut(reason) => state.set(AuthState::SignedOut { reason }),
                Event::Check => checks.set(checks.wrapping_add(1)),
            }
        })
    };

    // Ask the server who is signed in, at start and on every recheck.
    {
        let (state, check_failed) = (state.clone(), check_failed.clone());
        let request = Request::to(&props.check).handle_auth_errors();
        use_effect_with(*checks, move |_| {
            yew::platform::spawn_local(async move {
                let answer = client.send_text(&request, None).await;
                match answer.and_then(|text| decode::<E::Response>(&text)) {
                    Ok(session) => {
                        check_failed.set(None);
                        state.set(AuthState::SignedIn(Rc::new(session)));
                    }
                    Err(ApiError::Http { status: 401, body }) => {
                        check_failed.set(None);
                        let reason = (body.code != ErrorCode::Unauthenticated).then_some(body.code);
                        state.set(AuthState::SignedOut { reason });
                    }
                    Err(e) => check_failed.set(Some(e)),
                }
            });
        });
    }

    // Other tabs' sign-ins and sign-outs.
    {
        let dispatch = dispatch.clone();
        use_effect_with((), move |()| {
            let channel = BroadcastChannel::new(CHANNEL).ok();
            let listener = Closure::<dyn Fn(MessageEvent)>::new(move |e: MessageEvent| {
                let message = e.data().as_string().unwrap_or_default();
                match from_another_tab(&message) {
                    Some(SIGNED_OUT) => dispatch.emit(Event::SignedOut(None)),
                    Some(SIGNED_IN) => dispatch.emit(Event::Check),
                    _ => {}
                }
            });
            if let Some(channel) = &channel {
                channel.set_onmessage(Some(listener.as_ref().unchecked_ref()));
            }
            move || {
                if let Some(channel) = channel {
                    channel.set_onmessage(None);
                    channel.close();
                }
                drop(listener);
            }
        });
    }

    // What requests below hear when the server wants a sign-in: a 401 forgets the user, then
    // the route takes them to sign in.
    let sign_in = {
        let dispatch = dispatch.clone();
        SignInRequired(Callback::from(move |code: ErrorCode| {
            if ends_the_session(code) {
                dispatch.emit(Event::SignedOut(Some(code)));
            }
            route.0.emit(code);
        }))
    };
    let auth = Auth {
        state: (*state).clone(),
        check_failed: (*check_failed).clone(),
        dispatch,
        sign_in: sign_in.clone(),
        login_path: props.login_path.clone(),
    };
    html! {
        <ContextProvider<SignInRequired> context={sign_in}>
            <ContextProvider<Auth<E::Response>> context={auth}>
                { props.children.clone() }
            </ContextProvider<Auth<E::Response>>>
        </ContextProvider<SignInRequired>>
    }
}

/// The auth context, for an app whose session check answers `S`.
#[hook]
pub fn use_auth<S: PartialEq + 'static>() -> Auth<S> {
    use_context::<Auth<S>>().expect("use_auth needs an AuthProvider above it")
}
