//! `fetched`: what a `use_fetch` handle shows, in one place: `Loading`, the error with Retry,
//! or the content made from the value.

use std::rc::Rc;

use gatehouse_client::{Fetch, FetchHandle};
use yew::prelude::*;

use super::{ErrorView, Loading};

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
        Fetch::Loading => html! { <Loading /> },
        Fetch::Failed(error) => {
            html! { <ErrorView error={error.clone()} onretry={handle.reload.clone()} /> }
        }
        Fetch::Ready(_) => html! {},
    }
}
