//! `fetched`: what a `use_fetch` handle shows, in one place: `Loading`, the error with Retry,
//! or the content made from the value.

use std::rc::Rc;

use gatehouse_client::{ApiError, Fetch, FetchHandle};
use yew::prelude::*;

use super::{ErrorView, loading};

/// The content `ready` makes of the value once it has come; until then, `waiting`.
pub fn fetched<T>(handle: &FetchHandle<T>, ready: impl FnOnce(&Rc<T>) -> Html) -> Html {
    match &handle.state {
        Fetch::Ready(value) => ready(value),
        _ => waiting(handle),
    }
}

/// What shows until the value has come: `Loading`, or the error with Retry (where retrying
/// makes sense); nothing once it has.
pub fn waiting<T>(handle: &FetchHandle<T>) -> Html {
    match &handle.state {
        Fetch::Loading => not_yet(None, &handle.reload),
        Fetch::Failed(error) => not_yet(Some(error), &handle.reload),
        Fetch::Ready(_) => html! {},
    }
}

/// `waiting`'s views, whatever the value's type (so they are in the wasm once).
fn not_yet(error: Option<&ApiError>, onretry: &Callback<()>) -> Html {
    match error {
        None => loading(),
        Some(error) => html! { <ErrorView error={error.clone()} onretry={onretry.clone()} /> },
    }
}
