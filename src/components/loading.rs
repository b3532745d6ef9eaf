//! `loading`: the one loading indicator.

use yew::prelude::*;

/// Shown while something is being fetched or decided.
pub fn loading() -> Html {
    html! { <p class="loading" aria-busy="true" aria-live="polite">{ "Loading…" }</p> }
}
