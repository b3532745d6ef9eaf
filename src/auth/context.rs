//! `AuthProvider`: the signed-in user, from `/api/auth/me` at start and from sign-in/out.

use std::rc::Rc;

use gatehouse_api::{ErrorCode, SessionInfo, User};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{BroadcastChannel, MessageEvent};
use yew::prelude::*;

use crate::api::{ApiClient, ApiError, Request};

/// Whether someone is signed in. `Unknown` until `/api/auth/me` answers, so guards wait
/// instead of flashing content or redirecting too early.
#[derive(Clone, Debug, PartialEq)]
pub enum AuthState {
    /// The session check has not answered yet.
    Unknown,
    /// Nobody is signed in; `reason` says why when the server said so.
    SignedOut {
        /// `unauthenticated` or `session_expired`, when known.
        reason: Option<ErrorCode>,
    },
    /// Signed in.
    SignedIn(Rc<SessionInfo>),
}

/// The auth context: the state, plus the actions that change it.
#[derive(Clone, PartialEq)]
pub struct Auth {
    /// Who is signed in.
    pub state: AuthState,
    /// Set when the session check itself failed (server unreachable): the guard offers Retry.
    pub check_failed: Option<ApiError>,
    dispatch: Callback<Event>,
}

enum Event {
    SignedIn(SessionInfo),
    SignedOut(Option<ErrorCode>),
    Check,
}

impl Auth {
    /// The signed-in user, if any.
    pub fn user(&self) -> Option<&User> {
        match &self.state {
            AuthState::SignedIn(info) => Some(&info.user),
            _ => None,
        }
    }

    /// Records a successful sign-in here and in the other tabs.
    pub fn signed_in(&self, info: SessionInfo) {
        self.dispatch.emit(Event::SignedIn(info));
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
}

/// The `BroadcastChannel` the tabs of one browser share.
const CHANNEL: &str = "gatehouse-auth";
const SIGNED_IN: &str = "signed-in";
const SIGNED_OUT: &str = "signed-out";

fn broadcast(message: &str) {
    if let Ok(channel) = BroadcastChannel::new(CHANNEL) {
        let _ = channel.post_message(&message.into());
        channel.close();
    }
}

/// Props of `AuthProvider`.
#[derive(Properties, PartialEq)]
pub struct AuthProviderProps {
    /// The app.
    pub children: Html,
}

/// Loads the session at start and provides `Auth`. Must sit inside `ApiProvider`.
#[function_component]
pub fn AuthProvider(props: &AuthProviderProps) -> Html {
    let client = use_context::<ApiClient>().expect("AuthProvider needs an ApiProvider above it");
    let state = use_state(|| AuthState::Unknown);
    let check_failed = use_state(|| None::<ApiError>);
    let checks = use_state(|| 0u32);

    let dispatch = {
        let (state, checks) = (state.clone(), checks.clone());
        Callback::from(move |event: Event| match event {
            Event::SignedIn(info) => state.set(AuthState::SignedIn(Rc::new(info))),
            Event::SignedOut(reason) => state.set(AuthState::SignedOut { reason }),
            Event::Check => checks.set(checks.wrapping_add(1)),
        })
    };

    // Ask the server who is signed in, at start and on every recheck.
    {
        let (client, state, check_failed) = (client.clone(), state.clone(), check_failed.clone());
        use_effect_with(*checks, move |_| {
            yew::platform::spawn_local(async move {
                let request = Request::get("/api/auth/me").handle_auth_errors();
                match client.send::<SessionInfo>(&request, None).await {
                    Ok(info) => {
                        check_failed.set(None);
                        state.set(AuthState::SignedIn(Rc::new(info)));
                    }
                    Err(ApiError::Http { status: 401, body }) => {
                        check_failed.set(None);
                        let reason = (body.code == ErrorCode::SessionExpired).then_some(body.code);
                        state.set(AuthState::SignedOut { reason });
                    }
                    Err(e) => check_failed.set(Some(e)),
                }
            });
        });
    }

    // A 401 anywhere means the session is gone; a 403 does not (wrong role, stale token).
    {
        let (client, dispatch) = (client.clone(), dispatch.clone());
        use_effect_with((), move |()| {
            client.set_on_sign_in_required(Some(Callback::from(move |code: ErrorCode| {
                if matches!(code, ErrorCode::Unauthenticated | ErrorCode::SessionExpired) {
                    dispatch.emit(Event::SignedOut(Some(code)));
                }
            })));
            move || client.set_on_sign_in_required(None)
        });
    }

    // Other tabs' sign-ins and sign-outs.
    {
        let dispatch = dispatch.clone();
        use_effect_with((), move |()| {
            let channel = BroadcastChannel::new(CHANNEL).ok();
            let listener = Closure::<dyn Fn(MessageEvent)>::new(move |e: MessageEvent| {
                match e.data().as_string().as_deref() {
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

    let auth = Auth {
        state: (*state).clone(),
        check_failed: (*check_failed).clone(),
        dispatch,
    };
    html! {
        <ContextProvider<Auth> context={auth}>{ props.children.clone() }</ContextProvider<Auth>>
    }
}

/// The auth context.
#[hook]
pub fn use_auth() -> Auth {
    use_context::<Auth>().expect("use_auth needs an AuthProvider above it")
}
