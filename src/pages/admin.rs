//! `/admin`: the accounts, searchable and paged (both in the address, `?q=&page=`, so Back from
//! an account finds the same page), and a form for a new one (administrators).

use gatehouse_api::endpoints::{CreateUser, ListUsers};
use gatehouse_api::{NewAccount, Role};
use gatehouse_client::{Api, Fetch, use_fetch, use_mutation};
use gloo_timers::callback::Timeout;
use web_sys::HtmlSelectElement;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::remembered::{use_list_key, use_remembered, use_scroll_memory};
use crate::components::{
    ErrorView, Field, Page, fetched, general_error, one_time_password, role_name, status, time,
    use_toasts,
};
use crate::route::{AccountsQuery, Route, replace_with_query};
use crate::session::for_admins;

/// The administrators' page.
pub fn admin_page() -> Html {
    for_admins(
        "admin",
        html! {
            <Page title="Users" class="admin">
                <Accounts />
            </Page>
        },
    )
}

/// What the remembered account lists are called (`remembered::use_last_query`).
pub const ADMIN_LIST: &str = "accounts";

/// The cursors of the pages before the one shown, carried in each page's history entry.
type Before = Vec<Option<String>>;

#[function_component]
fn Accounts() -> Html {
    let navigator = use_navigator();
    let location = use_location();
    let query = location
        .as_ref()
        .and_then(|l| l.query::<AccountsQuery>().ok())
        .unwrap_or_default();
    // Lost with a reload: "Previous" then goes to the first page.
    let before: Before = location
        .as_ref()
        .and_then(|l| l.state::<Before>())
        .map(|b| (*b).clone())
        .unwrap_or_default();
    let typed = use_state(|| query.q.clone());
    // A new account shows in the list: the shared hook reads it again after the change.
    let list = use_fetch(ListUsers {
        q: query.q.clone(),
        cursor: query.page.clone(),
    });
    let key = use_list_key();
    use_remembered().keep(&key, ADMIN_LIST, query.clone(), ());
    use_scroll_memory(key, matches!(list.state, Fetch::Ready(_)));
    // The search goes in the address, a quarter of a second after the last key.
    let debounce = use_mut_ref(|| None::<Timeout>);
    let onsearch = {
        let (typed, navigator, debounce) = (typed.clone(), navigator.clone(), debounce.clone());
        Callback::from(move |q: String| {
            typed.set(q.clone());
            let (navigator, pending) = (navigator.clone(), debounce.clone());
            *debounce.borrow_mut() = Some(Timeout::new(250, move || {
                pending.borrow_mut().take();
                if let Some(n) = &navigator {
                    replace_with_query(n, &Route::Admin, &AccountsQuery { q, page: None });
                }
            }));
        })
    };
    {
        let typed = typed.clone();
        use_effect_with(query.q.clone(), move |q| {
            if debounce.borrow().is_none() && *typed != *q {
                typed.set(q.clone());
            }
        });
    }
    // Each page is an entry in the history: Back goes to the page before, as "Previous" does.
    let go = |page: Option<String>, before: Before| {
        let (navigator, q) = (navigator.clone(), query.q.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(n) = &navigator {
                let query = AccountsQuery {
                    q: q.clone(),
                    page: page.clone(),
                };
                let _ = n.push_with_query_and_state(&Route::Admin, &query, before.clone());
            }
        })
    };
    let next = |to: Option<String>| {
        let mut stack = before.clone();
        stack.push(query.page.clone());
        go(to, stack)
    };
    let previous = {
        let mut stack = before.clone();
        let page = stack.pop().flatten();
        go(page, stack)
    };
    let first_page = query.page.is_none();
    let search = typed.clone();
    let table = fetched(&list, |page| {
        if page.users.is_empty() {
            return html! {
                <p class="empty">{ if search.is_empty() { "No accounts yet." } else { "No account matches." } }</p>
            };
        }
        html! {
            <>
                <div class="table-scroll">
                    <table class="users">
                        <caption class="visually-hidden">{ "Accounts" }</caption>
                        <thead><tr>
                            <th scope="col">{ "Username" }</th><th scope="col">{ "Role" }</th>
                            <th scope="col">{ "Status" }</th><th scope="col">{ "Last sign-in" }</th>
                            <th scope="col">{ "Sessions" }</th><th scope="col">{ "Created" }</th>
                        </tr></thead>
                        <tbody>
                            { for page.users.iter().map(|u| html! {
                                // `data-label`: on a phone each row is a card, each cell named.
                                <tr key={u.id}>
                                    <td data-label="Username"><Link<Route> to={Route::AdminUser { id: u.id }}>{ &u.username }</Link<Route>></td>
                                    <td data-label="Role">{ role_name(u.role) }</td>
                                    <td data-label="Status">{ status(u) }</td>
                                    <td data-label="Last sign-in">{ u.last_sign_in_at.as_deref().map_or_else(|| "Never".to_string(), time::relative) }</td>
                                    <td data-label="Sessions">{ u.sessions }</td>
                                    <td data-label="Created"><time datetime={u.created_at.clone()}>{ time::relative(&u.created_at) }</time></td>
                                </tr>
                            }) }
                        </tbody>
                    </table>
                </div>
                <nav class="pager" aria-label="Pages of accounts">
                    <button type="button" disabled={first_page} onclick={previous}>{ "Previous" }</button>
                    <button type="button" disabled={page.next_cursor.is_none()} onclick={next(page.next_cursor.clone())}>{ "Next" }</button>
                </nav>
            </>
        }
    });
    html! {
        <>
            <NewAccountForm />
            <section aria-labelledby="accounts-title" class="card">
                <h2 id="accounts-title">{ "Accounts" }</h2>
                <Field id="search" label="Search by name" kind="search" autocomplete="off"
                       value={(*typed).clone()} oninput={onsearch} />
                { table }
            </section>
        </>
    }
}

#[function_component]
fn NewAccountForm() -> Html {
    let toasts = use_toasts();
    let username = use_state(String::new);
    let role = use_state(|| Role::User);
    // Shown once: the new account's one-time password.
    let made = use_state(|| None::<(String, String)>);
    let create = {
        let (username, made) = (username.clone(), made.clone());
        use_mutation(move |api: Api, body: NewAccount| {
            let (toasts, username, made) = (toasts.clone(), username.clone(), made.clone());
            async move {
                let created = api.submit(&CreateUser, &body).await?;
                username.set(String::new());
                made.set(
                    created
                        .one_time_password
                        .map(|otp| (created.user.username.clone(), otp)),
                );
                toasts.say(format!("Account {} created.", created.user.username));
                Ok(())
            }
        })
    };
    let onsubmit = {
        let (username, role) = (username.clone(), role.clone());
        create.reform(move |e: SubmitEvent| {
            e.prevent_default();
            NewAccount {
                username: (*username).clone(),
                role: *role,
                password: None,
            }
        })
    };
    let oninput = {
        let username = username.clone();
        Callback::from(move |v: String| username.set(v))
    };
    let onrole = {
        let role = role.clone();
        Callback::from(move |e: Event| {
            let value = e.target_unchecked_into::<HtmlSelectElement>().value();
            role.set(if value == "admin" {
                Role::Admin
            } else {
                Role::User
            });
        })
    };
    let (busy, error) = (create.running(), create.error());
    let username_error = error
        .and_then(|e| e.field("username"))
        .map(|m| AttrValue::from(m.to_string()));
    let general = general_error(error, &["username"]);
    html! {
        <section aria-labelledby="new-account-title" class="card">
            <h2 id="new-account-title">{ "New account" }</h2>
            <form {onsubmit} aria-busy={busy.to_string()} novalidate=true class="inline">
                <Field id="new-username" name="username" label="Username" autocomplete="off"
                       value={(*username).clone()} {oninput} error={username_error} required=true />
                <div class="field">
                    <label for="new-role">{ "Role" }</label>
                    <select id="new-role" name="role" onchange={onrole}>
                        <option value="user" selected={*role == Role::User}>{ "User" }</option>
                        <option value="admin" selected={*role == Role::Admin}>{ "Administrator" }</option>
                    </select>
                </div>
                <button type="submit" disabled={busy}>{ if busy { "Creating…" } else { "Create account" } }</button>
            </form>
            if let Some(e) = general {
                <ErrorView error={e} />
            }
            if let Some((name, otp)) = &*made {
                { one_time_password(name, otp) }
            }
        </section>
    }
}
