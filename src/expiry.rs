//! The session's end, made visible: a warning before the idle deadline with a live countdown,
//! "Stay signed in" and "Sign out"; before the absolute deadline, a notice that it cannot be
//! extended. Coordinated across the browser's tabs.
//!
//! - The deadlines come from `GET /api/auth/session`, which does not renew the session, with
//!   the server's clock (so a wrong clock here changes nothing).
//! - Only real input (keys, pointer, touch) counts as activity: it renews the session through
//!   `POST /api/auth/session/extend`, at most once a minute (a third of the idle timeout when
//!   that is shorter). Reading the deadlines never does.
//! - Tabs tell each other (`BroadcastChannel`, or `localStorage` events where there is none):
//!   input in any tab counts for all, "Stay signed in" in one closes the warning in all, and a
//!   tab never decides alone that the session is over: at the deadline it asks the server, which
//!   answers `session_expired` (then the auth layer takes the user to sign in, keeping drafts)
//!   or the new deadline another tab earned.

use std::rc::Rc;

use gatehouse_api::SessionState;
use gatehouse_api::endpoints::{ExtendSession, GetSessionState, Logout};
use gatehouse_client::{AuthState, Request, use_api};
use gloo_timers::callback::Interval;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{BroadcastChannel, MessageEvent, StorageEvent};
use yew::prelude::*;

use yew_router::prelude::use_navigator;

use crate::app::Route;
use crate::components::time;
use crate::session::use_session;

/// The longest warning ahead of the idle deadline.
const WARN_MS: f64 = 120_000.0;
/// The fewest milliseconds between two renewals made for input.
const EXTEND_EVERY_MS: f64 = 60_000.0;
const CHANNEL: &str = "gatehouse-session";
const STORAGE_KEY: &str = "gatehouse-session-event";
const ACTIVITY: &str = "activity";
const EXTENDED: &str = "extended";

/// The deadlines, on this browser's clock.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Deadlines {
    idle: f64,
    absolute: f64,
    /// The idle timeout (ms): the warning comes a third of it ahead, two minutes at most.
    idle_timeout: f64,
}

impl Deadlines {
    /// From the server's answer, corrected by the difference between its clock and ours.
    fn of(state: &SessionState) -> Option<Self> {
        let offset = time::now() - time::millis(&state.now)?;
        Some(Self {
            idle: time::millis(&state.idle_expires_at)? + offset,
            absolute: time::millis(&state.absolute_expires_at)? + offset,
            idle_timeout: state.idle_timeout_seconds as f64 * 1000.0,
        })
    }

    fn warn_ahead(&self) -> f64 {
        WARN_MS.min(self.idle_timeout / 3.0)
    }

    fn extend_every(&self) -> f64 {
        EXTEND_EVERY_MS.min(self.idle_timeout / 3.0)
    }

    /// When the session ends: the earlier deadline.
    fn end(&self) -> f64 {
        self.idle.min(self.absolute)
    }

    /// Whether the end coming is the absolute one (nothing can move it).
    fn is_final(&self) -> bool {
        self.absolute <= self.idle
    }
}

/// Tells the other tabs `message`.
fn tell_others(message: &str) {
    if let Ok(channel) = BroadcastChannel::new(CHANNEL) {
        let _ = channel.post_message(&message.into());
        channel.close();
    } else if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        // Another tab hears a `storage` event; the time makes each message a change.
        let _ = storage.set_item(STORAGE_KEY, &format!("{message} {}", time::now()));
    }
}

/// The warning, mounted once for the whole app.
#[function_component]
pub fn ExpiryWarning() -> Html {
    let auth = use_session();
    match auth.state {
        AuthState::SignedIn(_) => html! { <Watch /> },
        _ => html! {},
    }
}

#[function_component]
fn Watch() -> Html {
    let api = use_api();
    let auth = use_session();
    let navigator = use_navigator();
    let deadlines = use_state(|| None::<Deadlines>);
    let now = use_state(time::now);
    let last_extend = use_mut_ref(time::now);
    let checking = use_mut_ref(|| false);
    let dismissed_final = use_state(|| false);
    let dialog = use_node_ref();

    // Reads the deadlines (never renews). A 401 here is the session's end: the shared hook
    // takes the user to sign in with the server's reason.
    let check = {
        let (api, deadlines, checking) = (api.clone(), deadlines.clone(), checking.clone());
        Callback::from(move |()| {
            if *checking.borrow() {
                return;
            }
            *checking.borrow_mut() = true;
            let (api, deadlines, checking) = (api.clone(), deadlines.clone(), checking.clone());
            yew::platform::spawn_local(async move {
                if let Ok(state) = api.fetch(&GetSessionState).await {
                    deadlines.set(Deadlines::of(&state));
                }
                *checking.borrow_mut() = false;
            });
        })
    };
    // Renews the session, and tells the other tabs.
    let extend = {
        let (api, deadlines, last_extend) = (api.clone(), deadlines.clone(), last_extend.clone());
        Callback::from(move |()| {
            *last_extend.borrow_mut() = time::now();
            let (api, deadlines) = (api.clone(), deadlines.clone());
            yew::platform::spawn_local(async move {
                if let Ok(state) = api.fetch(&ExtendSession).await {
                    deadlines.set(Deadlines::of(&state));
                    tell_others(EXTENDED);
                }
            });
        })
    };

    // At start, then every second: the clock for the countdown, and a fresh look at the
    // server when the warning is due or the deadline has passed.
    {
        let (check, now) = (check.clone(), now.clone());
        use_effect_with((), move |()| {
            check.emit(());
            let interval = Interval::new(1_000, move || now.set(time::now()));
            move || drop(interval)
        });
    }
    let phase = deadlines.map(|d| {
        let left = d.end() - *now;
        (left <= d.warn_ahead(), left <= 0.0)
    });
    {
        let check = check.clone();
        use_effect_with(phase, move |phase| {
            // Entering the warning or passing the deadline: ask the server before showing it
            // (another tab may have renewed the session) or before leaving.
            if matches!(phase, Some((true, _))) {
                check.emit(());
            }
        });
    }
    {
        // Polls slowly while nothing is due, so a renewal made by requests shows up.
        let check = check.clone();
        let minute = (*now / 60_000.0).floor() as i64;
        use_effect_with(minute, move |_| check.emit(()));
    }

    // Real input in this tab; activity and renewals in the others.
    {
        let (extend, check, deadlines, last_extend) = (
            extend.clone(),
            check.clone(),
            deadlines.clone(),
            last_extend.clone(),
        );
        use_effect_with((), move |()| {
            let window = web_sys::window().expect("a window");
            let throttle = {
                let deadlines = deadlines.clone();
                Rc::new(move || {
                    let every = (*deadlines).map_or(EXTEND_EVERY_MS, |d| d.extend_every());
                    time::now() - *last_extend.borrow() >= every
                })
            };
            let on_input = {
                let (extend, throttle) = (extend.clone(), throttle.clone());
                Closure::<dyn Fn()>::new(move || {
                    tell_others(ACTIVITY);
                    if throttle() {
                        extend.emit(());
                    }
                })
            };
            for event in ["keydown", "pointerdown", "touchstart"] {
                let _ = window
                    .add_event_listener_with_callback(event, on_input.as_ref().unchecked_ref());
            }
            let heard = {
                let (extend, check, throttle) = (extend.clone(), check.clone(), throttle.clone());
                move |message: &str| {
                    if message.starts_with(ACTIVITY) && throttle() {
                        extend.emit(());
                    } else if message.starts_with(EXTENDED) {
                        check.emit(());
                    }
                }
            };
            let heard = Rc::new(heard);
            let channel = BroadcastChannel::new(CHANNEL).ok();
            let on_message = {
                let heard = heard.clone();
                Closure::<dyn Fn(MessageEvent)>::new(move |e: MessageEvent| {
                    if let Some(message) = e.data().as_string() {
                        heard(&message);
                    }
                })
            };
            if let Some(channel) = &channel {
                channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            }
            let on_storage = Closure::<dyn Fn(StorageEvent)>::new(move |e: StorageEvent| {
                if e.key().as_deref() == Some(STORAGE_KEY)
                    && let Some(message) = e.new_value()
                {
                    heard(&message);
                }
            });
            let _ = window
                .add_event_listener_with_callback("storage", on_storage.as_ref().unchecked_ref());
            move || {
                for event in ["keydown", "pointerdown", "touchstart"] {
                    let _ = window.remove_event_listener_with_callback(
                        event,
                        on_input.as_ref().unchecked_ref(),
                    );
                }
                let _ = window.remove_event_listener_with_callback(
                    "storage",
                    on_storage.as_ref().unchecked_ref(),
                );
                if let Some(channel) = channel {
                    channel.set_onmessage(None);
                    channel.close();
                }
                drop((on_input, on_message, on_storage));
            }
        });
    }

    let showing = deadlines
        .filter(|d| d.end() - *now <= d.warn_ahead() && !(d.is_final() && *dismissed_final));
    // Focus moves to the warning when it appears, so it is heard and can be answered.
    {
        let dialog = dialog.clone();
        use_effect_with(showing.is_some(), move |showing| {
            if *showing && let Some(el) = dialog.cast::<web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        });
    }
    let Some(d) = showing else {
        return html! {};
    };
    let left = d.end() - *now;
    let seconds = (left / 1000.0).ceil().max(0.0) as u64;
    let countdown = format!("{}:{:02}", seconds / 60, seconds % 60);
    let onstay = {
        let extend = extend.clone();
        Callback::from(move |_| extend.emit(()))
    };
    let onsignout = {
        let (api, auth, navigator) = (api.clone(), auth.clone(), navigator.clone());
        Callback::from(move |_| {
            let (api, auth, navigator) = (api.clone(), auth.clone(), navigator.clone());
            yew::platform::spawn_local(async move {
                let _ = api
                    .send::<()>(Request::to(&Logout).handle_auth_errors())
                    .await;
                auth.signed_out();
                if let Some(n) = navigator {
                    n.push(&Route::Login);
                }
            });
        })
    };
    let ondismiss = {
        let dismissed_final = dismissed_final.clone();
        Callback::from(move |_| dismissed_final.set(true))
    };
    html! {
        <div class="expiry" role="alertdialog" aria-modal="false" aria-labelledby="expiry-title"
             aria-describedby="expiry-text" tabindex="-1" ref={dialog}>
            if d.is_final() {
                <h2 id="expiry-title">{ "Your session is ending" }</h2>
                <p id="expiry-text">
                    { format!("For your security, sessions last at most a while, and this one ends at {} (in {countdown}). It can't be extended: save your work now.", time::clock_at_ms(d.absolute)) }
                </p>
                <div class="actions">
                    <button type="button" onclick={ondismiss}>{ "OK" }</button>
                    <button type="button" onclick={onsignout}>{ "Sign out" }</button>
                </div>
            } else {
                <h2 id="expiry-title">{ "Are you still there?" }</h2>
                <p id="expiry-text">
                    { "You'll be signed out in " }<strong class="countdown">{ countdown }</strong>
                    { " because nothing has happened for a while." }
                </p>
                <div class="actions">
                    <button type="submit" onclick={onstay}>{ "Stay signed in" }</button>
                    <button type="button" onclick={onsignout}>{ "Sign out" }</button>
                </div>
            }
        </div>
    }
}
