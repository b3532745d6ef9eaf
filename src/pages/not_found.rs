//! The page for paths no route matches.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::Route;

/// Not found.
#[function_component]
pub fn NotFoundPage() -> Html {
    html! {
        <section>
            <h1>{ "Page not found" }</h1>
            <p>{ "There is nothing at this address. " }<Link<Route> to={Route::Home}>{ "Go home" }</Link<Route>></p>
        </section>
    }
}
