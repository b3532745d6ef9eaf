//! `/dashboard`: the user, their note count, and when the session ends.

use gatehouse_api::Role;
use gatehouse_api::endpoints::{GetSecuredResource, ListNotes};
use gatehouse_client::{AuthState, Fetch, use_fetch};
use yew::prelude::*;
use yew_router::prelude::*;

use super::local_time;
use crate::app::Route;
use crate::components::{ErrorView, Loading};
use crate::session::{RequireUser, use_session};

/// The dashboard (signed-in users).
#[function_component]
pub fn DashboardPage() -> Html {
    html! { <RequireUser><Dashboard /></RequireUser> }
}

#[function_component]
fn Dashboard() -> Html {
    let auth = use_session();
    let notes = use_fetch(ListNotes);
    let secured = use_fetch(GetSecuredResource);
    let AuthState::SignedIn(info) = &auth.state else {
        return html! {};
    };
    let count = match notes.state {
        Fetch::Loading => html! { <Loading /> },
        Fetch::Ready(list) => html! {
            <p class="count">{ format!("You have {} note{}.", list.len(), if list.len() == 1 { "" } else { "s" }) }</p>
        },
        Fetch::Failed(e) => html! { <ErrorView error={e} onretry={notes.reload} /> },
    };
    let message = match secured.state {
        Fetch::Loading => html! { <Loading /> },
        Fetch::Ready(r) => html! { <p class="secured">{ &r.message }</p> },
        Fetch::Failed(e) => html! { <ErrorView error={e} onretry={secured.reload} /> },
    };
    html! {
        <section class="dashboard">
            <h1>{ format!("Welcome, {}", info.user.username) }</h1>
            { message }
            <dl>
                <dt>{ "Role" }</dt>
                <dd>{ if info.user.role == Role::Admin { "Administrator" } else { "User" } }</dd>
                <dt>{ "Session ends" }</dt>
                <dd><time datetime={info.expires_at.clone()}>{ local_time(&info.expires_at) }</time>{ " without further activity" }</dd>
            </dl>
            { count }
            <p><Link<Route> to={Route::Notes} classes="button">{ "Open your notes" }</Link<Route>></p>
        </section>
    }
}
