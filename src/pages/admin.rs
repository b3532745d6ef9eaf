//! `/admin`: the accounts, searchable and paged, and a form for a new one (administrators).

use gatehouse_api::endpoints::{CreateUser, ListUsers};
use gatehouse_api::{NewAccount, Role};
use gatehouse_client::{Api, use_fetch, use_mutation};
use web_sys::HtmlSelectElement;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::{
    ErrorView, Field, OneTimePassword, Page, fetched, general_error, role_name, status, time,
    use_toasts,
};
use crate::route::Route;
use crate::session::RequireAdmin;

/// The administrators' page.
#[function_component]
pub fn AdminPage() -> Html {
    html! {
        <RequireAdmin>
            <Page title="Users" class="admin">
                <Accounts />
            </Page>
        </RequireAdmin>
    }
}

#[function_component]
fn Accounts() -> Html {
    let search = use_state(String::new);
    // The cursors of the pages before this one, to go back.
    let pages = use_state(Vec::<Option<String>>::new);
    let cursor = use_state(|| None::<String>);
    // A new account shows in the list: the shared hook reads it again after the change.
    let list = use_fetch(ListUsers {
        q: (*search).clone(),
        cursor: (*cursor).clone(),
    });
    let onsearch = {
        let (search, cursor, pages) = (search.clone(), cursor.clone(), pages.clone());
        Callback::from(move |q: String| {
            search.set(q);
            cursor.set(None);
            pages.set(Vec::new());
        })
    };
    let next = |to: Option<String>| {
        let (cursor, pages) = (cursor.clone(), pages.clone());
        Callback::from(move |_| {
            let mut before = (*pages).clone();
            before.push((*cursor).clone());
            pages.set(before);
            cursor.set(to.clone());
        })
    };
    let previous = {
        let (cursor, pages) = (cursor.clone(), pages.clone());
        Callback::from(move |_| {
            let mut before = (*pages).clone();
            cursor.set(before.pop().flatten());
            pages.set(before);
        })
    };
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
                                <tr key={u.id}>
                                    <td><Link<Route> to={Route::AdminUser { id: u.id }}>{ &u.username }</Link<Route>></td>
                                    <td>{ role_name(u.role) }</td>
                                    <td>{ status(u) }</td>
                                    <td>{ u.last_sign_in_at.as_deref().map_or_else(|| "Never".to_string(), time::relative) }</td>
                                    <td>{ u.sessions }</td>
                                    <td><time datetime={u.created_at.clone()}>{ time::relative(&u.created_at) }</time></td>
                                </tr>
                            }) }
                        </tbody>
                    </table>
                </div>
                <nav class="pager" aria-label="Pages of accounts">
                    <button type="button" disabled={pages.is_empty()} onclick={previous}>{ "Previous" }</button>
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
                       value={(*search).clone()} oninput={onsearch} />
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
                <OneTimePassword username={name.clone()} password={otp.clone()} />
            }
        </section>
    }
}
