//! `/admin`: the user list (admins only).

use gatehouse_api::endpoints::ListUsers;
use gatehouse_client::{Fetch, use_fetch};
use yew::prelude::*;

use super::local_time;
use crate::components::{ErrorView, Loading};
use crate::session::RequireAdmin;

/// The admin page.
#[function_component]
pub fn AdminPage() -> Html {
    html! { <RequireAdmin><Users /></RequireAdmin> }
}

#[function_component]
fn Users() -> Html {
    let users = use_fetch(ListUsers::default());
    let body = match users.state {
        Fetch::Loading => html! { <Loading /> },
        Fetch::Failed(e) => html! { <ErrorView error={e} onretry={users.reload} /> },
        Fetch::Ready(list) => html! {
            <table class="users">
                <thead><tr><th>{ "Username" }</th><th>{ "Role" }</th><th>{ "Created" }</th></tr></thead>
                <tbody>
                    { for list.users.iter().map(|u| html! {
                        <tr>
                            <td>{ &u.username }</td>
                            <td>{ u.role.as_str() }</td>
                            <td>{ local_time(&u.created_at) }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        },
    };
    html! { <section><h1>{ "Users" }</h1>{ body }</section> }
}
