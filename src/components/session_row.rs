//! `session_row`: one place an account is signed in: the browser and address, when it signed
//! in and was last active, and (on the person's own list) "This device" or a Sign out button.

use gatehouse_api::ActiveSession;
use yew::prelude::*;

use super::time;

/// One session, as a list item keyed by its id. `onend` ends it: the row then offers Sign out
/// (or says "This device" for the current one); without it, the row only tells.
pub fn session_row(s: &ActiveSession, onend: Option<Callback<()>>) -> Html {
    let place = match &s.address {
        Some(address) => format!("{} · {address}", s.device),
        None => s.device.clone(),
    };
    let action = onend.map(|onend| {
        if s.current {
            html! { <span class="badge">{ "This device" }</span> }
        } else {
            let onclick = onend.reform(|_: MouseEvent| ());
            html! { <button type="button" {onclick} aria-label={format!("Sign out {}", s.device)}>{ "Sign out" }</button> }
        }
    });
    html! {
        <li key={s.id.clone()} class="row">
            <div>
                <strong>{ place }</strong>
                <p class="meta">
                    { "Signed in " }<time datetime={s.signed_in_at.clone()} title={time::full(&s.signed_in_at)}>{ time::relative(&s.signed_in_at) }</time>
                    { " · active " }<time datetime={s.last_active_at.clone()} title={time::full(&s.last_active_at)}>{ time::relative(&s.last_active_at) }</time>
                </p>
            </div>
            { action.unwrap_or_default() }
        </li>
    }
}
