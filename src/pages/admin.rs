//! `/admin`: the user list (admins only).

use gatehouse_api::{Role, UserPage};
use yew::prelude::*;

use super::local_time;
use crate::api::{Fetch, use_fetch};
use crate::auth::RequireAuth;
use crate::components::{ErrorView, Loading};

/// The admin page.
#[function_component]
pub fn AdminPage() -> Html {
    html! { <RequireAuth role={Role::Admin}><Users /></RequireAuth> }
}

#[function_component]
fn Users() -> Html {
    let users = use_fetch::<UserPage>("/api/admin/users".into());
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
