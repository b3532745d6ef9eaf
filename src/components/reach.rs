//! `Unreachable`: one banner at the top while the server cannot be reached, gone by itself
//! once it answers again (the client asks it every few seconds, see `use_unreachable`).

use gatehouse_client::use_unreachable;
use yew::prelude::*;

/// The banner, when the server is out of reach.
#[function_component]
pub fn UnreachableBanner() -> Html {
    if !use_unreachable() {
        return html! {};
    }
    html! {
        <div class="unreachable" role="status">
            <p>
                <strong>{ "Gatehouse can't be reached." }</strong>
                { " Check your connection; it tries again every few seconds, and nothing you typed is lost." }
            </p>
        </div>
    }
}
