//! `/account`: the signed-in person's password, where they are signed in, and what happened to
//! their account. Changing the password and signing out other sessions need a recent password:
//! when the server asks for it (`reauth_required`), the shared hook sends them to confirm it and
//! back, and what they had typed is still here (kept in memory only: it holds passwords).

use std::cell::RefCell;

use gatehouse_api::endpoints::{
    ChangePassword, EndOtherSessions, EndSession, ListActivity, ListSessions,
};
use gatehouse_api::{ActiveSession, PasswordChange, SecurityEvent, SecurityEventKind};
use gatehouse_client::{ApiError, Fetch, use_api, use_fetch};
use yew::prelude::*;

use crate::components::{ErrorView, Field, Loading, Page, time, use_toasts};
use crate::session::RequireUser;

thread_local! {
    /// The password form's text while the person confirms it is them (this tab's memory only).
    static TYPED: RefCell<Option<(String, String)>> = const { RefCell::new(None) };
}

/// The account page (signed-in users).
#[function_component]
pub fn AccountPage() -> Html {
    html! {
        <RequireUser>
            <Page title="Your account" class="account">
                <PasswordForm />
                <Sessions />
                <Activity />
            </Page>
        </RequireUser>
    }
}

#[function_component]
fn PasswordForm() -> Html {
    let api = use_api();
    let toasts = use_toasts();
    // Taken once, when the form mounts (not at every render: a render after submitting must
    // not take what the submit just kept).
    let kept = use_state(|| TYPED.with(|t| t.borrow_mut().take()).unwrap_or_default());
    let current = use_state(|| kept.0.clone());
    let new = use_state(|| kept.1.clone());
    let busy = use_state(|| false);
    let error = use_state(|| None::<ApiError>);
    let set = |state: &UseStateHandle<String>| {
        let state = state.clone();
        Callback::from(move |v: String| state.set(v))
    };
    let onsubmit = {
        let (current, new, busy, error) =
            (current.clone(), new.clone(), busy.clone(), error.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let body = PasswordChange {
                current_password: (*current).clone(),
                new_password: (*new).clone(),
            };
            // Kept for the round trip to "Confirm it's you", should the server ask.
            TYPED.with(|t| *t.borrow_mut() = Some(((*current).clone(), (*new).clone())));
            let (api, toasts, current, new, busy, error) = (
                api.clone(),
                toasts.clone(),
                current.clone(),
                new.clone(),
                busy.clone(),
                error.clone(),
            );
            busy.set(true);
            yew::platform::spawn_local(async move {
                let result = api.submit(&ChangePassword, &body).await;
                busy.set(false);
                match result {
                    Ok(()) => {
                        TYPED.with(|t| t.borrow_mut().take());
                        current.set(String::new());
                        new.set(String::new());
                        error.set(None);
                        toasts.say("Password changed. You're signed out everywhere else.");
                    }
                    Err(e) if e.is_silent() => {}
                    Err(e) => {
                        TYPED.with(|t| t.borrow_mut().take());
                        error.set(Some(e));
                    }
                }
            });
        })
    };
    let field_error = |name: &str| {
        (*error)
            .as_ref()
            .and_then(|e| e.field(name))
            .map(|m| AttrValue::from(m.to_string()))
    };
    let other = (*error)
        .clone()
        .filter(|e| e.field("current_password").is_none() && e.field("new_password").is_none());
    html! {
        <section aria-labelledby="password-title" class="card">
            <h2 id="password-title">{ "Change your password" }</h2>
            <form {onsubmit} aria-busy={busy.to_string()} novalidate=true>
                <Field id="current_password" label="Current password" kind="password"
                       autocomplete="current-password" value={(*current).clone()} oninput={set(&current)}
                       error={field_error("current_password")} required=true />
                <Field id="new_password" label="New password" kind="password"
                       autocomplete="new-password" value={(*new).clone()} oninput={set(&new)}
                       hint="At least 12 characters, and not something others could guess."
                       error={field_error("new_password")} required=true />
                <button type="submit" disabled={*busy}>{ if *busy { "Changing…" } else { "Change password" } }</button>
            </form>
            if let Some(e) = other {
                <ErrorView error={e} />
            }
        </section>
    }
}

#[function_component]
fn Sessions() -> Html {
    let api = use_api();
    let toasts = use_toasts();
    let list = use_fetch(ListSessions);
    let end = |target: Option<String>| {
        let (api, toasts, reload) = (api.clone(), toasts.clone(), list.reload.clone());
        Callback::from(move |_| {
            let (api, toasts, reload, target) =
                (api.clone(), toasts.clone(), reload.clone(), target.clone());
            yew::platform::spawn_local(async move {
                let result = match &target {
                    Some(id) => api.fetch(&EndSession { id: id.clone() }).await,
                    None => api.fetch(&EndOtherSessions).await,
                };
                match result {
                    Ok(()) => {
                        toasts.say(if target.is_some() {
                            "Signed out that session."
                        } else {
                            "Signed out everywhere else."
                        });
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
        Fetch::Ready(sessions) => {
            let others = sessions.iter().filter(|s| !s.current).count();
            html! {
                <>
                    <ul class="rows">
                        { for sessions.iter().map(|s| session_row(s, end(Some(s.id.clone())))) }
                    </ul>
                    if others > 0 {
                        <button type="button" class="danger" onclick={end(None)}>
                            { "Sign out everywhere else" }
                        </button>
                    }
                </>
            }
        }
    };
    html! {
        <section aria-labelledby="sessions-title" class="card">
            <h2 id="sessions-title">{ "Where you're signed in" }</h2>
            { body }
        </section>
    }
}

fn session_row(s: &ActiveSession, onend: Callback<MouseEvent>) -> Html {
    let place = match &s.address {
        Some(address) => format!("{} · {address}", s.device),
        None => s.device.clone(),
    };
    html! {
        <li key={s.id.clone()} class="row">
            <div>
                <strong>{ place }</strong>
                <p class="meta">
                    { "Signed in " }<time datetime={s.signed_in_at.clone()} title={time::full(&s.signed_in_at)}>{ time::relative(&s.signed_in_at) }</time>
                    { " · active " }<time datetime={s.last_active_at.clone()} title={time::full(&s.last_active_at)}>{ time::relative(&s.last_active_at) }</time>
                </p>
            </div>
            if s.current {
                <span class="badge">{ "This device" }</span>
            } else {
                <button type="button" onclick={onend} aria-label={format!("Sign out {}", s.device)}>{ "Sign out" }</button>
            }
        </li>
    }
}

/// What an event says, in words.
pub fn event_text(e: &SecurityEvent) -> String {
    use SecurityEventKind as K;
    let by_admin = |done: &str| match &e.by {
        Some(admin) => format!("{done} by an administrator ({admin})"),
        None => done.to_string(),
    };
    let subject = e.subject.as_deref().unwrap_or("an account");
    match (e.kind, e.subject.is_some()) {
        (K::SignedIn, _) => "Signed in".into(),
        (K::SignInFailed, _) => "Failed sign-in attempt".into(),
        (K::SignedOut, _) => "Signed out".into(),
        (K::Reauthenticated, _) => "Confirmed your password".into(),
        (K::PasswordChanged, _) => by_admin("Password changed"),
        (K::SessionEnded, true) => format!("Ended the sessions of {subject}"),
        (K::SessionEnded, false) if e.by.is_some() => by_admin("Sessions ended"),
        (K::SessionEnded, false) => "Signed out a session".into(),
        (K::AccountCreated, true) => format!("Created the account {subject}"),
        (K::AccountCreated, false) => by_admin("Account created"),
        (K::RoleChanged, true) => format!("Made {subject} {}", role_words(e.detail.as_deref())),
        (K::RoleChanged, false) => by_admin(&format!("Made {}", role_words(e.detail.as_deref()))),
        (K::AccountDisabled, true) => format!("Disabled the account {subject}"),
        (K::AccountDisabled, false) => by_admin("Account disabled"),
        (K::AccountEnabled, true) => format!("Enabled the account {subject}"),
        (K::AccountEnabled, false) => by_admin("Account enabled"),
        (K::PasswordReset, true) => format!("Reset the password of {subject}"),
        (K::PasswordReset, false) => by_admin("Password reset"),
        (K::AccountRemoved, _) => format!("Removed the account {subject}"),
        (K::Other, _) => "Something changed".into(),
    }
}

fn role_words(role: Option<&str>) -> &'static str {
    match role {
        Some("admin") => "an administrator",
        _ => "a user",
    }
}

/// The activity list (this account's, or, for administrators, another's).
#[derive(Properties, PartialEq)]
pub struct EventListProps {
    /// The events, newest first.
    pub events: std::rc::Rc<Vec<SecurityEvent>>,
}

/// Security events as a list.
#[function_component]
pub fn EventList(props: &EventListProps) -> Html {
    if props.events.is_empty() {
        return html! { <p class="empty">{ "Nothing yet." }</p> };
    }
    html! {
        <ul class="rows events">
            { for props.events.iter().map(|e| {
                let place = [e.device.clone(), e.address.clone()].into_iter().flatten().collect::<Vec<_>>().join(" · ");
                let warn = matches!(e.kind, SecurityEventKind::SignInFailed);
                html! {
                    <li class={classes!("row", warn.then_some("warn"))}>
                        <div>
                            <strong>{ event_text(e) }</strong>
                            if !place.is_empty() { <p class="meta">{ place }</p> }
                        </div>
                        <time datetime={e.at.clone()} title={time::full(&e.at)}>{ time::relative(&e.at) }</time>
                    </li>
                }
            }) }
        </ul>
    }
}

#[function_component]
fn Activity() -> Html {
    let events = use_fetch(ListActivity);
    let body = match events.state {
        Fetch::Loading => html! { <Loading /> },
        Fetch::Failed(e) => html! { <ErrorView error={e} onretry={events.reload.clone()} /> },
        Fetch::Ready(list) => html! { <EventList events={list} /> },
    };
    html! {
        <section aria-labelledby="activity-title" class="card">
            <h2 id="activity-title">{ "Recent security activity" }</h2>
            { body }
        </section>
    }
}
