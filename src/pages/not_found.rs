//! The page for paths no route matches.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::Page;
use crate::route::Route;

/// Not found.
#[function_component]
pub fn NotFoundPage() -> Html {
    html! {
        <Page title="Page not found">
            <p>{ "There is nothing at this address. " }<Link<Route> to={Route::Home}>{ "Go to the start" }</Link<Route>></p>
        </Page>
    }
}
