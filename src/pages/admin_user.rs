//! `/admin/users/:id`: one account, for administrators: role, enable or disable, a new one-time
//! password, its sessions, its activity, and removal (after typing its name).

use gatehouse_api::endpoints::{
    ChangeUser, EndUserSessions, GetUser, ListUserActivity, ListUserSessions, RemoveUser,
    ResetPassword,
};
use gatehouse_api::{AccountChange, AdminUser, ErrorCode, Role};
use gatehouse_client::{ApiError, Fetch, use_api, use_fetch};
use yew::prelude::*;
use yew_router::prelude::*;

use super::EventList;
use super::admin::{role_name, status};
use crate::app::Route;
use crate::components::{ErrorView, Field, Loading, Page, time, use_toasts};
use crate::session::RequireAdmin;

/// Props of `AdminUserPage`.
#[derive(Properties, PartialEq)]
pub struct AdminUserProps {
    /// The account's id, from the path.
    pub id: i64,
}

/// The account page for administrators.
#[function_component]
pub fn AdminUserPage(props: &AdminUserProps) -> Html {
    html! { <RequireAdmin><Account id={props.id} /></RequireAdmin> }
}

#[function_component]
fn Account(props: &AdminUserProps) -> Html {
    let account = use_fetch(GetUser { id: props.id });
    let back = html! { <p><Link<Route> to={Route::Admin}>{ "← All accounts" }</Link<Route>></p> };
    match account.state {
        Fetch::Loading => html! { <Page title="Account">{ back }<Loading /></Page> },
        Fetch::Failed(e) if e.code() == Some(ErrorCode::NotFound) => html! {
            <Page title="Account not found">{ back }<p>{ "It may have been removed." }</p></Page>
        },
        Fetch::Failed(e) => {
            html! { <Page title="Account">{ back }<ErrorView error={e} onretry={account.reload} /></Page> }
        }
        Fetch::Ready(user) => html! {
            <Page title={user.username.clone()} class="admin-user">
                { back }
                <Actions user={(*user).clone()} onchange={account.reload.clone()} />
                <Sessions id={user.id} />
                <Activity id={user.id} />
                <Remove user={(*user).clone()} />
            </Page>
        },
    }
}

#[derive(Properties, PartialEq)]
struct UserProps {
    user: AdminUser,
    #[prop_or_default]
    onchange: Callback<()>,
}

/// Role, enable or disable, reset password.
#[function_component]
fn Actions(props: &UserProps) -> Html {
    let api = use_api();
    let toasts = use_toasts();
    let otp = use_state(|| None::<String>);
    let error = use_state(|| None::<ApiError>);
    let user = &props.user;
    let change = |change: AccountChange, done: String| {
        let (api, toasts, error, onchange, id) = (
            api.clone(),
            toasts.clone(),
            error.clone(),
            props.onchange.clone(),
            user.id,
        );
        Callback::from(move |_| {
            let (api, toasts, error, onchange, change, done) = (
                api.clone(),
                toasts.clone(),
                error.clone(),
                onchange.clone(),
                change.clone(),
                done.clone(),
            );
            yew::platform::spawn_local(async move {
                match api.submit(&ChangeUser { id }, &change).await {
                    Ok(_) => {
                        error.set(None);
                        toasts.say(done);
                        onchange.emit(());
                    }
                    Err(e) if e.is_silent() => {}
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    let onreset = {
        let (api, toasts, otp, error, onchange, id) = (
            api.clone(),
            toasts.clone(),
            otp.clone(),
            error.clone(),
            props.onchange.clone(),
            user.id,
        );
        let name = user.username.clone();
        Callback::from(move |_| {
            let (api, toasts, otp, error, onchange, name) = (
                api.clone(),
                toasts.clone(),
                otp.clone(),
                error.clone(),
                onchange.clone(),
                name.clone(),
            );
            yew::platform::spawn_local(async move {
                match api.fetch(&ResetPassword { id }).await {
                    Ok(reset) => {
                        otp.set(Some(reset.one_time_password));
                        toasts.say(format!("Password of {name} reset; their sessions ended."));
                        onchange.emit(());
                    }
                    Err(e) if e.is_silent() => {}
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    let other_role = match user.role {
        Role::Admin => Role::User,
        Role::User => Role::Admin,
    };
    let onrole = change(
        AccountChange {
            role: Some(other_role),
            disabled: None,
        },
        format!(
            "{} is now {}.",
            user.username,
            role_name(other_role).to_ascii_lowercase()
        ),
    );
    let ondisable = change(
        AccountChange {
            role: None,
            disabled: Some(!user.disabled),
        },
        format!(
            "{} {}.",
            user.username,
            if user.disabled {
                "can sign in again"
            } else {
                "is disabled and signed out"
            }
        ),
    );
    html! {
        <section aria-labelledby="account-title" class="card">
            <h2 id="account-title">{ "Account" }</h2>
            <dl>
                <dt>{ "Role" }</dt><dd>{ role_name(user.role) }</dd>
                <dt>{ "Status" }</dt><dd>{ status(user) }</dd>
                <dt>{ "Created" }</dt><dd><time datetime={user.created_at.clone()} title={time::full(&user.created_at)}>{ time::relative(&user.created_at) }</time></dd>
                <dt>{ "Last sign-in" }</dt><dd>{ user.last_sign_in_at.as_deref().map_or_else(|| "Never".to_string(), time::relative) }</dd>
            </dl>
            <div class="actions">
                <button type="button" onclick={onrole}>{ format!("Make {}", role_name(other_role).to_ascii_lowercase()) }</button>
                <button type="button" class={classes!((!user.disabled).then_some("danger"))} onclick={ondisable}>
                    { if user.disabled { "Enable" } else { "Disable" } }
                </button>
                <button type="button" onclick={onreset}>{ "Reset password" }</button>
            </div>
            if let Some(e) = &*error {
                <ErrorView error={e.clone()} />
            }
            if let Some(otp) = &*otp {
                <div class="secret" role="status">
                    <p>{ format!("Give {} this one-time password. It is shown only now.", user.username) }</p>
                    <p><code class="otp">{ otp }</code></p>
                </div>
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct IdProps {
    id: i64,
}

#[function_component]
fn Sessions(props: &IdProps) -> Html {
    let api = use_api();
    let toasts = use_toasts();
    let list = use_fetch(ListUserSessions { id: props.id });
    let onend = {
        let (api, toasts, reload, id) =
            (api.clone(), toasts.clone(), list.reload.clone(), props.id);
        Callback::from(move |_| {
            let (api, toasts, reload) = (api.clone(), toasts.clone(), reload.clone());
            yew::platform::spawn_local(async move {
                match api.fetch(&EndUserSessions { id }).await {
                    Ok(()) => {
                        toasts.say("All their sessions ended.");
                        reload.emit(());
                    }
                    Err(e) if e.is_silent() => {}
                    Err(e) => toasts.fail(e.message()),
                }
            });
        })
    };
    let body = match list.state {
        Fetch::Loading => html! { <Loading /> },
        Fetch::Failed(e) => html! { <ErrorView error={e} onretry={list.reload.clone()} /> },
        Fetch::Ready(sessions) if sessions.is_empty() => {
            html! { <p class="empty">{ "Not signed in anywhere." }</p> }
        }
        Fetch::Ready(sessions) => html! {
            <>
                <ul class="rows">
                    { for sessions.iter().map(|s| html! {
                        <li key={s.id.clone()} class="row">
                            <div>
                                <strong>{ [Some(s.device.clone()), s.address.clone()].into_iter().flatten().collect::<Vec<_>>().join(" · ") }</strong>
                                <p class="meta">{ format!("Signed in {} · active {}", time::relative(&s.signed_in_at), time::relative(&s.last_active_at)) }</p>
                            </div>
                        </li>
                    }) }
                </ul>
                <button type="button" class="danger" onclick={onend}>{ "End all sessions" }</button>
            </>
        },
    };
    html! {
        <section aria-labelledby="user-sessions-title" class="card">
            <h2 id="user-sessions-title">{ "Sessions" }</h2>
            { body }
        </section>
    }
}

#[function_component]
fn Activity(props: &IdProps) -> Html {
    let events = use_fetch(ListUserActivity { id: props.id });
    let body = match events.state {
        Fetch::Loading => html! { <Loading /> },
        Fetch::Failed(e) => html! { <ErrorView error={e} onretry={events.reload.clone()} /> },
        Fetch::Ready(list) => html! { <EventList events={list} /> },
    };
    html! {
        <section aria-labelledby="user-activity-title" class="card">
            <h2 id="user-activity-title">{ "Activity" }</h2>
            { body }
        </section>
    }
}

/// Removal, once the administrator has typed the account's name.
#[function_component]
fn Remove(props: &UserProps) -> Html {
    let api = use_api();
    let toasts = use_toasts();
    let navigator = use_navigator();
    let typed = use_state(String::new);
    let error = use_state(|| None::<ApiError>);
    let name = props.user.username.clone();
    let matches = *typed == name;
    let onsubmit = {
        let (error, id, name) = (error.clone(), props.user.id, name.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if !matches {
                return;
            }
            let (api, toasts, navigator, error, name) = (
                api.clone(),
                toasts.clone(),
                navigator.clone(),
                error.clone(),
                name.clone(),
            );
            yew::platform::spawn_local(async move {
                match api.fetch(&RemoveUser { id }).await {
                    Ok(()) => {
                        toasts.say(format!("Account {name} removed, with its notes."));
                        if let Some(n) = navigator {
                            n.push(&Route::Admin);
                        }
                    }
                    Err(e) if e.is_silent() => {}
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    let oninput = {
        let typed = typed.clone();
        Callback::from(move |v: String| typed.set(v))
    };
    html! {
        <section aria-labelledby="remove-title" class="card danger-zone">
            <h2 id="remove-title">{ "Remove this account" }</h2>
            <p>{ "Its notes are deleted and its sessions end. This cannot be undone." }</p>
            <form {onsubmit} novalidate=true>
                <Field id="confirm-name" label={format!("Type {name} to confirm")} autocomplete="off"
                       value={(*typed).clone()} {oninput} />
                <button type="submit" class="danger" disabled={!matches}>{ "Remove account" }</button>
            </form>
            if let Some(e) = &*error {
                <ErrorView error={e.clone()} />
            }
        </section>
    }
}
