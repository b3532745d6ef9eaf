//! The session's end, made visible: a warning before the idle deadline with a live countdown,
//! "Stay signed in" and "Sign out"; before the absolute deadline, a notice that it cannot be
//! extended. Coordinated across the browser's tabs.
//!
//! - The deadlines come from `GET /api/auth/session`, which does not renew the session, with
//!   the server's clock (so a wrong clock here changes nothing).
//! - Only real input (keys, pointer, touch) counts as activity: it renews the session through
//!   `POST /api/auth/session/extend`, at most once a minute (a third of the idle timeout when
//!   that is shorter). Reading the deadlines never does.
//! - Tabs tell each other (`tabs`): input in any tab counts for all, "Stay signed in" in one
//!   closes the warning in all, and a tab never decides alone that the session is over: at the
//!   deadline it asks the server, which answers `session_expired` (then the auth layer takes
//!   the user to sign in, keeping drafts) or the new deadline another tab earned.

mod deadlines;
mod tabs;

pub use deadlines::{Deadlines, EXTEND_EVERY_MS, Phase, WARN_MS, countdown, extend_due};
pub use tabs::{CHANNEL, Message, STORAGE_KEY, tell_others, use_tabs};

use gatehouse_api::endpoints::{ExtendSession, GetSessionState};
use gatehouse_client::{Api, AuthState, use_mutation};
use gloo_timers::callback::Interval;
use yew::prelude::*;

use crate::components::time;
use crate::session::{use_session, use_sign_out};

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
    let deadlines = use_state(|| None::<Deadlines>);
    let now = use_state(time::now);
    let last_extend = use_mut_ref(time::now);
    let dismissed_final = use_state(|| false);
    let dialog = use_node_ref();
    let sign_out = use_sign_out();

    // Reads the deadlines (never renews), one read at a time. A 401 here is the session's end:
    // the shared hook takes the user to sign in with the server's reason.
    let check = {
        let deadlines = deadlines.clone();
        use_mutation(move |api: Api, ()| {
            let deadlines = deadlines.clone();
            async move {
                let state = api.fetch(&GetSessionState).await?;
                deadlines.set(Deadlines::of(&state, time::now()));
                Ok(())
            }
        })
    };
    // Renews the session, and tells the other tabs.
    let extend = {
        let (deadlines, last_extend) = (deadlines.clone(), last_extend.clone());
        use_mutation(move |api: Api, ()| {
            *last_extend.borrow_mut() = time::now();
            let deadlines = deadlines.clone();
            async move {
                let state = api.fetch(&ExtendSession).await?;
                deadlines.set(Deadlines::of(&state, time::now()));
                tell_others(Message::Extended);
                Ok(())
            }
        })
    };

    // At start, then every second: the clock for the countdown, and a fresh look at the
    // server when the warning is due or the deadline has passed.
    {
        let (check, now) = (check.clone(), now.clone());
        use_effect_with((), move |()| {
            check.run(());
            let interval = Interval::new(1_000, move || now.set(time::now()));
            move || drop(interval)
        });
    }
    let phase = deadlines.map(|d| d.phase(*now));
    {
        // Entering the warning or passing the deadline: ask the server before showing it
        // (another tab may have renewed the session) or before leaving.
        let check = check.clone();
        use_effect_with(phase, move |phase| {
            if matches!(phase, Some(Phase::Warning | Phase::Over)) {
                check.run(());
            }
        });
    }
    {
        // Polls slowly while nothing is due, so a renewal made by requests shows up.
        let check = check.clone();
        let minute = (*now / 60_000.0).floor() as i64;
        use_effect_with(minute, move |_| check.run(()));
    }

    // Real input in this tab, and activity and renewals in the others.
    let renew_if_due = {
        let (extend, deadlines, last_extend) =
            (extend.clone(), deadlines.clone(), last_extend.clone());
        move || {
            if extend_due((*deadlines).as_ref(), *last_extend.borrow(), time::now()) {
                extend.run(());
            }
        }
    };
    let oninput = {
        let renew_if_due = renew_if_due.clone();
        Callback::from(move |()| renew_if_due())
    };
    let onheard = {
        let check = check.clone();
        Callback::from(move |message: Message| match message {
            Message::Activity => renew_if_due(),
            Message::Extended => check.run(()),
        })
    };
    use_tabs(oninput, onheard);

    let showing =
        deadlines.filter(|d| d.phase(*now) != Phase::Quiet && !(d.is_final() && *dismissed_final));
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
    let countdown = countdown(d.end() - *now);
    let onsignout = sign_out.reform(|_: MouseEvent| ());
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
                    <button type="submit" onclick={extend.reform(|_: MouseEvent| ())}>{ "Stay signed in" }</button>
                    <button type="button" onclick={onsignout}>{ "Sign out" }</button>
                </div>
            }
        </div>
    }
}
