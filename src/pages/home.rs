//! `/`: what Gatehouse is, for someone who has not signed in.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::Page;
use crate::route::Route;
use crate::session::{use_session, user};

/// The landing page.
#[function_component]
pub fn HomePage() -> Html {
    let auth = use_session();
    html! {
        <Page title="Your notes, kept private" class="home">
            <p class="lede">{ "Gatehouse keeps your notes in one place only you can open: write them, find them again by any word, and see where your account is signed in." }</p>
            if user(&auth).is_some() {
                <p><Link<Route> to={Route::Dashboard} classes="button">{ "Go to your dashboard" }</Link<Route>></p>
            } else {
                <p><Link<Route> to={Route::Login} classes="button">{ "Sign in" }</Link<Route>></p>
            }
            <ul class="features">
                <li class="card"><h2>{ "Find anything" }</h2><p>{ "Search every title and every line as you type." }</p></li>
                <li class="card"><h2>{ "Never lose a draft" }</h2><p>{ "Unsaved text waits for you, even if your session ends mid-sentence." }</p></li>
                <li class="card"><h2>{ "Know who's in" }</h2><p>{ "See every device signed in to your account, and sign any of them out." }</p></li>
            </ul>
        </Page>
    }
}
