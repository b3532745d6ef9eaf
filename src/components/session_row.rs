//! `SessionRow`: one place an account is signed in: the browser and address, when it signed in
//! and was last active, and (on the person's own list) "This device" or a Sign out button.

use gatehouse_api::ActiveSession;
use yew::prelude::*;

use super::time;

/// Props of `SessionRow`.
#[derive(Properties, PartialEq)]
pub struct SessionRowProps {
    /// The session.
    pub session: ActiveSession,
    /// Ends this session: the row offers Sign out (or says "This device" for the current one).
    /// Without it, the row only tells.
    #[prop_or_default]
    pub onend: Option<Callback<()>>,
}

/// One session, as a list item.
#[function_component]
pub fn SessionRow(props: &SessionRowProps) -> Html {
    let s = &props.session;
    let place = match &s.address {
        Some(address) => format!("{} · {address}", s.device),
        None => s.device.clone(),
    };
    let action = props.onend.as_ref().map(|onend| {
        if s.current {
            html! { <span class="badge">{ "This device" }</span> }
        } else {
            let onclick = onend.reform(|_: MouseEvent| ());
            html! { <button type="button" {onclick} aria-label={format!("Sign out {}", s.device)}>{ "Sign out" }</button> }
        }
    });
    html! {
        <li class="row">
            <div>
                <strong>{ place }</strong>
                <p class="meta">
                    { "Signed in " }<time datetime={s.signed_in_at.clone()} title={time::full(&s.signed_in_at)}>{ time::relative(&s.signed_in_at) }</time>
                    { " · active " }<time datetime={s.last_active_at.clone()} title={time::full(&s.last_active_at)}>{ time::relative(&s.last_active_at) }</time>
                </p>
            </div>
            { for action }
        </li>
    }
}
