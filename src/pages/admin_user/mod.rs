//! `/admin/users/:id`: one account, for administrators: role, enable or disable, a new one-time
//! password, its sessions, its activity, and removal (after typing its name).

use gatehouse_api::endpoints::{
    ChangeUser, EndUserSessions, GetUser, ListUserActivity, ListUserSessions, RemoveUser,
    ResetPassword,
};
use gatehouse_api::{AccountChange, AdminUser, ErrorCode, Role};
use gatehouse_client::{Api, ApiError, Fetch, Request, use_fetch, use_mutation};
use yew::prelude::*;
use yew_router::prelude::*;

mod methods;

use methods::Methods;

use crate::components::remembered::use_last_query;
use crate::components::{
    Confirm, ErrorView, Field, Page, event_list, fetched, one_time_password, role_name,
    session_row, status, time, use_toasts,
};
use crate::pages::ADMIN_LIST;
use crate::route::{AccountsQuery, Route};
use crate::session::for_admins;

/// Props of `Account`.
#[derive(Properties, PartialEq)]
pub struct AdminUserProps {
    /// The account's id, from the path.
    pub id: i64,
}

/// The account page for administrators.
pub fn admin_user_page(id: i64) -> Html {
    for_admins("admin-user", html! { <Account {id} /> })
}

#[function_component]
fn Account(props: &AdminUserProps) -> Html {
    let account = use_fetch(GetUser { id: props.id });
    // The one-time password of the last reset, with the account it is for. Kept here, above
    // the sections, because the account is read again after the reset.
    let otp = use_state(|| None::<(i64, String)>);
    let onotp = {
        let (otp, id) = (otp.clone(), props.id);
        Callback::from(move |password: String| otp.set(Some((id, password))))
    };
    let list = use_last_query::<AccountsQuery>(ADMIN_LIST);
    let back = html! { <p><Link<Route, AccountsQuery> to={Route::Admin} query={list}>{ "← All accounts" }</Link<Route, AccountsQuery>></p> };
    let not_found =
        matches!(&account.state, Fetch::Failed(e) if e.code() == Some(ErrorCode::NotFound));
    let (title, class) = match &account.state {
        Fetch::Ready(user) => (AttrValue::from(user.username.clone()), "admin-user"),
        _ if not_found => (AttrValue::Static("Account not found"), ""),
        _ => (AttrValue::Static("Account"), ""),
    };
    let body = if not_found {
        html! { <p>{ "It may have been removed." }</p> }
    } else {
        fetched(&account, |user| {
            let otp = (*otp)
                .clone()
                .filter(|(id, _)| *id == user.id)
                .map(|(_, p)| AttrValue::from(p));
            html! {
                <>
                    <Actions user={(**user).clone()} {otp} {onotp} />
                    <Methods user={(**user).clone()} />
                    <Sessions id={user.id} />
                    <Activity id={user.id} />
                    <Remove user={(**user).clone()} />
                </>
            }
        })
    };
    html! { <Page {title} {class}>{ back }{ body }</Page> }
}

#[derive(Properties, PartialEq)]
struct ActionsProps {
    user: AdminUser,
    /// The one-time password a reset made, to show once.
    otp: Option<AttrValue>,
    /// Told the one-time password a reset made.
    onotp: Callback<String>,
}

/// The id of the button of `action`, to give focus back to once its confirmation closes.
fn trigger(action: Action) -> &'static str {
    match action {
        Action::Role => "account-role",
        Action::Disable => "account-disable",
        Action::Reset => "account-reset",
    }
}

/// What the account's buttons do.
#[derive(Clone, Copy, PartialEq)]
enum Action {
    /// The other role.
    Role,
    /// Disabled, or enabled again.
    Disable,
    /// A new one-time password (its sessions end).
    Reset,
}

/// Role, enable or disable, reset password; each that ends or narrows someone's access asks
/// first and says what will happen.
#[function_component]
fn Actions(props: &ActionsProps) -> Html {
    let toasts = use_toasts();
    let user = &props.user;
    let asking = use_state(|| None::<Action>);
    let other_role = match user.role {
        Role::Admin => Role::User,
        Role::User => Role::Admin,
    };
    let act = {
        let (onotp, asking) = (props.onotp.clone(), asking.clone());
        let (id, name, disabled) = (user.id, user.username.clone(), user.disabled);
        use_mutation(move |api: Api, action: Action| {
            let (toasts, onotp, name, asking) =
                (toasts.clone(), onotp.clone(), name.clone(), asking.clone());
            async move {
                let done = match action {
                    Action::Role => {
                        let change = AccountChange {
                            role: Some(other_role),
                            disabled: None,
                        };
                        change_user(&api, id, &change).await?;
                        let role = role_name(other_role).to_ascii_lowercase();
                        format!("{name} is now {role}.")
                    }
                    Action::Disable => {
                        let change = AccountChange {
                            role: None,
                            disabled: Some(!disabled),
                        };
                        change_user(&api, id, &change).await?;
                        if disabled {
                            format!("{name} can sign in again.")
                        } else {
                            format!("{name} is disabled and signed out.")
                        }
                    }
                    Action::Reset => {
                        let reset = api.fetch(&ResetPassword { id }).await?;
                        onotp.emit(reset.one_time_password);
                        format!("The password of {name} was reset, and their sessions ended.")
                    }
                };
                asking.set(None);
                crate::components::focus(trigger(action));
                toasts.say(done);
                Ok(())
            }
        })
    };
    let name = &user.username;
    // Enabling ends nothing and is done at once; the rest ask first.
    let ask = |action: Action| {
        let (asking, act) = (asking.clone(), act.clone());
        let at_once = action == Action::Disable && user.disabled;
        Callback::from(move |_: MouseEvent| {
            if at_once {
                act.run(action);
            } else {
                asking.set(Some(action));
            }
        })
    };
    let confirm = (*asking).map(|action| {
        let (question, detail, label, danger) = match action {
            Action::Role if other_role == Role::Admin => (
                format!("Make {name} an administrator?"),
                format!("{name} can then see every account, change roles and end sessions. It takes effect at once, in the sessions they have open."),
                format!("Make {name} an administrator"),
                false,
            ),
            Action::Role => (
                format!("Make {name} a user?"),
                format!("{name} loses administration at once, in the sessions they have open too."),
                format!("Make {name} a user"),
                true,
            ),
            Action::Disable => (
                format!("Disable {name}?"),
                format!("Every session of {name} ends at once, and they cannot sign in until an administrator enables the account again."),
                format!("Disable {name}"),
                true,
            ),
            Action::Reset => (
                format!("Reset the password of {name}?"),
                "Their current password stops working and every session of theirs ends at once. You get a one-time password to give them.".to_string(),
                format!("Reset the password of {name}"),
                true,
            ),
        };
        let onconfirm = act.reform(move |()| action);
        let oncancel = {
            let (asking, trigger) = (asking.clone(), trigger(action));
            Callback::from(move |()| {
                crate::components::focus(trigger);
                asking.set(None);
            })
        };
        html! {
            <Confirm question={question} detail={detail} action={label} {danger}
                     busy={act.running()} {onconfirm} {oncancel} />
        }
    });
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
                <button type="button" id={trigger(Action::Role)} onclick={ask(Action::Role)}>{ format!("Make {}", role_name(other_role).to_ascii_lowercase()) }</button>
                <button type="button" id={trigger(Action::Disable)} class={classes!((!user.disabled).then_some("danger"))} onclick={ask(Action::Disable)}>
                    { if user.disabled { "Enable" } else { "Disable" } }
                </button>
                <button type="button" id={trigger(Action::Reset)} onclick={ask(Action::Reset)}>{ "Reset password" }</button>
            </div>
            { confirm.unwrap_or_default() }
            if let Some(e) = act.error() {
                <ErrorView error={e.clone()} />
            }
            if let Some(otp) = &props.otp {
                { one_time_password(&user.username, otp) }
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
    let toasts = use_toasts();
    let list = use_fetch(ListUserSessions { id: props.id });
    let end_all = {
        let id = props.id;
        use_mutation(move |api: Api, ()| {
            let toasts = toasts.clone();
            async move {
                let answer = api.fetch(&EndUserSessions { id }).await;
                match &answer {
                    Ok(()) => {
                        toasts.say("All their sessions ended.");
                    }
                    Err(e) if !e.is_silent() => toasts.fail(e.message()),
                    Err(_) => {}
                }
                answer
            }
        })
    };
    let body = fetched(&list, |sessions| {
        if sessions.is_empty() {
            return html! { <p class="empty">{ "Not signed in anywhere." }</p> };
        }
        html! {
            <>
                <ul class="rows">
                    { for sessions.iter().map(|s| session_row(s, None)) }
                </ul>
                <button type="button" class="danger" onclick={end_all.reform(|_: MouseEvent| ())}>{ "End all sessions" }</button>
            </>
        }
    });
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
    html! {
        <section aria-labelledby="user-activity-title" class="card">
            <h2 id="user-activity-title">{ "Activity" }</h2>
            { fetched(&events, |list| event_list(list)) }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct UserProps {
    user: AdminUser,
}

/// Removal, once the administrator has typed the account's name.
#[function_component]
fn Remove(props: &UserProps) -> Html {
    let toasts = use_toasts();
    let navigator = use_navigator();
    let typed = use_state(String::new);
    let name = props.user.username.clone();
    let matches = *typed == name;
    let remove = {
        let (id, name) = (props.user.id, name.clone());
        use_mutation(move |api: Api, ()| {
            let (toasts, navigator, name) = (toasts.clone(), navigator.clone(), name.clone());
            async move {
                api.fetch(&RemoveUser { id }).await?;
                toasts.say(format!("Account {name} removed, with its notes."));
                if let Some(n) = navigator {
                    n.push(&Route::Admin);
                }
                Ok(())
            }
        })
    };
    let onsubmit = {
        let remove = remove.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if matches {
                remove.run(());
            }
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
            if let Some(e) = remove.error() {
                <ErrorView error={e.clone()} />
            }
        </section>
    }
}

/// Changes the account's role or state. Its answer is the account, which the page reads again
/// anyway, so after a confirmation it is finished by itself (`Request::replayable`).
async fn change_user(api: &Api, id: i64, change: &AccountChange) -> Result<(), ApiError> {
    let request = Request::to(&ChangeUser { id })
        .json(change)
        .replayable(true);
    api.send::<AdminUser>(request).await.map(drop)
}
