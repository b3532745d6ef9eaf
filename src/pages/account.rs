//! `/account`: the signed-in person's password, where they are signed in, and what happened to
//! their account. Changing the password and signing out other sessions need a recent password:
//! when the server asks for it (`reauth_required`), the shared hook sends them to confirm it and
//! back, and what they had typed is still here (kept by the app's frame, in memory only: it
//! holds passwords).

use gatehouse_api::PasswordChange;
use gatehouse_api::endpoints::{
    ChangePassword, EndOtherSessions, EndSession, ListActivity, ListSessions,
};
use gatehouse_client::{Api, Request, use_fetch, use_mutation};
use yew::prelude::*;

use crate::components::{
    AuthenticatorApp, ConnectedSignIn, ErrorView, Field, Page, Passkeys, event_list, fetched,
    general_error, grouped, session_group, use_toasts,
};
use crate::kept::use_kept;
use crate::provider::provider_label;
use crate::session::for_users;

/// The account page (signed-in users).
pub fn account_page() -> Html {
    for_users(
        "account",
        html! {
            <Page title="Your account" class="account">
                <PasswordForm />
                <Passkeys />
                <AuthenticatorApp />
                if let Some(label) = provider_label() {
                    <ConnectedSignIn label={label} />
                }
                <Sessions />
                <Activity />
            </Page>
        },
    )
}

#[function_component]
fn PasswordForm() -> Html {
    let toasts = use_toasts();
    let kept = use_kept();
    // Taken once, when the form mounts (not at every render: a render after submitting must
    // not take what the submit just kept).
    let typed = use_state(|| kept.take_password_form());
    let current = use_state(|| {
        typed
            .as_ref()
            .map(|t| t.current_password.clone())
            .unwrap_or_default()
    });
    let new = use_state(|| {
        typed
            .as_ref()
            .map(|t| t.new_password.clone())
            .unwrap_or_default()
    });
    let change = {
        let (current, new) = (current.clone(), new.clone());
        use_mutation(move |api: Api, body: PasswordChange| {
            // Kept for the round trip to "Confirm it's you", should the server ask.
            kept.keep_password_form(body.clone());
            let (kept, toasts, current, new) =
                (kept.clone(), toasts.clone(), current.clone(), new.clone());
            async move {
                let answer = api.submit(&ChangePassword, &body).await;
                if !answer.as_ref().is_err_and(|e| e.is_silent()) {
                    kept.take_password_form();
                }
                answer?;
                current.set(String::new());
                new.set(String::new());
                toasts.say("Password changed. You're signed out everywhere else.");
                Ok(())
            }
        })
    };
    let onsubmit = {
        let (current, new) = (current.clone(), new.clone());
        change.reform(move |e: SubmitEvent| {
            e.prevent_default();
            PasswordChange {
                current_password: (*current).clone(),
                new_password: (*new).clone(),
            }
        })
    };
    let set = |state: &UseStateHandle<String>| {
        let state = state.clone();
        Callback::from(move |v: String| state.set(v))
    };
    let (busy, error) = (change.running(), change.error());
    let field_error = |name: &str| {
        error
            .and_then(|e| e.field(name))
            .map(|m| AttrValue::from(m.to_string()))
    };
    let other = general_error(error, &["current_password", "new_password"]);
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
                <button type="submit" disabled={busy}>{ if busy { "Changing…" } else { "Change password" } }</button>
            </form>
            if let Some(e) = other {
                <ErrorView error={e} />
            }
        </section>
    }
}

#[function_component]
fn Sessions() -> Html {
    let toasts = use_toasts();
    let list = use_fetch(ListSessions);
    // `None`: every session but this one; `Some(ids)`: those.
    let end = {
        use_mutation(move |api: Api, target: Option<Vec<String>>| {
            let toasts = toasts.clone();
            async move {
                let answer = match &target {
                    Some(ids) => {
                        let mut answer = Ok(());
                        // One of several is not finished alone after a confirmation: the
                        // person is asked to end them again.
                        let alone = ids.len() == 1;
                        for id in ids {
                            let request =
                                Request::to(&EndSession { id: id.clone() }).replayable(alone);
                            answer = api.send(request).await;
                            if answer.is_err() {
                                break;
                            }
                        }
                        answer
                    }
                    None => api.fetch(&EndOtherSessions).await,
                };
                match &answer {
                    Ok(()) => {
                        toasts.say(match &target {
                            Some(ids) if ids.len() == 1 => "Signed out that session.".to_string(),
                            Some(ids) => format!("Signed out those {} sessions.", ids.len()),
                            None => "Signed out everywhere else.".to_string(),
                        });
                    }
                    Err(e) if !e.is_silent() => toasts.fail(e.message()),
                    Err(_) => {}
                }
                answer
            }
        })
    };
    let body = fetched(&list, |sessions| {
        let others = sessions.iter().filter(|s| !s.current).count();
        let onend = end.reform(Some);
        html! {
            <>
                <ul class="rows">
                    { for grouped(sessions).iter().map(|g| session_group(g, onend.clone())) }
                </ul>
                if others > 0 {
                    <button type="button" class="danger" onclick={end.reform(|_: MouseEvent| None)}>
                        { "Sign out everywhere else" }
                    </button>
                }
            </>
        }
    });
    html! {
        <section aria-labelledby="sessions-title" class="card">
            <h2 id="sessions-title">{ "Where you're signed in" }</h2>
            { body }
        </section>
    }
}

#[function_component]
fn Activity() -> Html {
    let events = use_fetch(ListActivity);
    html! {
        <section aria-labelledby="activity-title" class="card">
            <h2 id="activity-title">{ "Recent security activity" }</h2>
            { fetched(&events, |list| event_list(list)) }
        </section>
    }
}
