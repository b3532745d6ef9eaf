//! `/`: the public landing page.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::Route;
use crate::session::{use_session, user};

/// The landing page.
#[function_component]
pub fn HomePage() -> Html {
    let auth = use_session();
    html! {
        <section class="home">
            <h1>{ "Gatehouse" }</h1>
            <p>{ "Your notes, behind a sign-in. Sessions live in an HttpOnly cookie; nothing secret is kept in the browser." }</p>
            if user(&auth).is_some() {
                <p><Link<Route> to={Route::Dashboard} classes="button">{ "Go to your dashboard" }</Link<Route>></p>
            } else {
                <p><Link<Route> to={Route::Login} classes="button">{ "Sign in" }</Link<Route>></p>
            }
        </section>
    }
}
