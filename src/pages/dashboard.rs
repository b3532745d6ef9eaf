//! `/dashboard`: the user, their note count, and when the session ends.

use gatehouse_api::{NoteSummary, Role, SecuredResource};
use yew::prelude::*;
use yew_router::prelude::*;

use super::local_time;
use crate::api::{Fetch, use_fetch};
use crate::app::Route;
use crate::auth::{AuthState, RequireAuth, use_auth};
use crate::components::{ErrorView, Loading};

/// The dashboard (signed-in users).
#[function_component]
pub fn DashboardPage() -> Html {
    html! { <RequireAuth><Dashboard /></RequireAuth> }
}

#[function_component]
fn Dashboard() -> Html {
    let auth = use_auth();
    let notes = use_fetch::<Vec<NoteSummary>>("/api/notes".into());
    let secured = use_fetch::<SecuredResource>("/api/secured-resource".into());
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
