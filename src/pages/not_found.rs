//! The page for paths no route matches.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::Page;
use crate::route::Route;

/// Not found.
pub fn not_found_page() -> Html {
    html! {
        <Page title="Page not found">
            <p>{ "There is nothing at this address. " }<Link<Route> to={Route::Home}>{ "Go to the start" }</Link<Route>></p>
        </Page>
    }
}
