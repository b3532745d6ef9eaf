//! "Confirm it's you": the password of the account signed in (and, with an authenticator app
//! on, a code from it), or one of its passkeys; then the change that asked for it is finished
//! (`Api::finish_confirmed`) and the person is back where they were.

use gatehouse_api::endpoints::{
    ListPasskeys, ReauthWithPasskey, Reauthenticate, StartPasskeyReauth,
};
use gatehouse_api::{PasskeyAssertion, PasskeyOptions, Reauth};
use gatehouse_client::{Api, Fetch, Mutation, use_fetch, use_mutation};
use yew::prelude::*;
use yew_router::prelude::*;

use super::provider::{ConfirmWithProvider, use_provider_failure};
use super::{SignedInProps, field_error, go};
use crate::components::{Field, Page, Toasts, general_error, use_toasts};
use crate::passkey::{self, Ask, PasskeyFailure};

/// The form for a signed-in person the server asked to confirm it is them.
#[function_component]
pub fn ConfirmPassword(props: &SignedInProps) -> Html {
    let navigator = use_navigator();
    let password = use_state(String::new);
    let code = use_state(String::new);
    let recovery = use_state(|| false);
    // Asked for once the server says this account's password alone is not enough.
    let needs_code = use_state(|| false);
    let toasts = use_toasts();
    let provider_failure = use_provider_failure();
    let confirm = {
        let (target, navigator, needs_code, toasts) = (
            props.target.clone(),
            navigator.clone(),
            needs_code.clone(),
            toasts.clone(),
        );
        use_mutation(move |api: Api, body: Reauth| {
            let (navigator, target, needs_code, toasts) = (
                navigator.clone(),
                target.clone(),
                needs_code.clone(),
                toasts.clone(),
            );
            async move {
                let answer = api.submit(&Reauthenticate, &body).await;
                if answer.as_ref().is_err_and(|e| e.field("code").is_some()) {
                    needs_code.set(true);
                }
                answer?;
                finish(&api, &toasts, &target).await;
                go(&navigator, &target);
                Ok(())
            }
        })
    };
    let passkeys = use_fetch(ListPasskeys);
    let with_passkey = {
        let target = props.target.clone();
        use_mutation(move |api: Api, ()| {
            let (navigator, target, toasts) = (navigator.clone(), target.clone(), toasts.clone());
            async move {
                let options: PasskeyOptions = api.fetch(&StartPasskeyReauth).await?;
                let credential =
                    match passkey::get_credential(&options.options, Ask::Now, None).await {
                        Ok(credential) => credential,
                        Err(failure) => return Ok(Some(failure)),
                    };
                api.submit(&ReauthWithPasskey, &PasskeyAssertion { credential })
                    .await?;
                finish(&api, &toasts, &target).await;
                go(&navigator, &target);
                Ok(None::<PasskeyFailure>)
            }
        })
    };
    let onsubmit = {
        let (password, code, recovery) = (password.clone(), code.clone(), recovery.clone());
        confirm.reform(move |e: SubmitEvent| {
            e.prevent_default();
            let typed = Some((*code).clone()).filter(|c| !c.is_empty());
            Reauth {
                password: (*password).clone(),
                code: typed.clone().filter(|_| !*recovery),
                recovery_code: typed.filter(|_| *recovery),
            }
        })
    };
    let set = |state: &UseStateHandle<String>| {
        let state = state.clone();
        Callback::from(move |v: String| state.set(v))
    };
    let toggle = {
        let (recovery, code) = (recovery.clone(), code.clone());
        Callback::from(move |_: MouseEvent| {
            recovery.set(!*recovery);
            code.set(String::new());
        })
    };
    let (busy, error) = (confirm.running(), confirm.error());
    let general = general_error(error, &["password", "code"]);
    let has_passkeys =
        matches!(&passkeys.state, Fetch::Ready(list) if !list.is_empty()) && passkey::supported();
    let passkey_message = match &with_passkey.state {
        Mutation::Done(failure) => failure.as_ref().as_ref().map(PasskeyFailure::message),
        _ => None,
    }
    .or_else(|| general_error(with_passkey.error(), &[]).map(|e| e.message()));
    html! {
        <Page title="Confirm it's you" class="login">
            <p>{ format!("You're signed in as {}. Enter your password again to continue; then you'll be back where you were.", props.name) }</p>
            <form {onsubmit} aria-busy={busy.to_string()} novalidate=true>
                // For password managers: which account this password is for.
                <input type="text" name="username" autocomplete="username" value={props.name.clone()} hidden=true readonly=true />
                <Field id="password" label="Password" kind="password" autocomplete="current-password"
                       value={(*password).clone()} oninput={set(&password)} error={field_error(error, "password")}
                       autofocus=true required=true />
                if *needs_code {
                    <Field id="code" label={if *recovery { "Recovery code" } else { "Code from your authenticator app" }}
                           value={(*code).clone()} oninput={set(&code)} error={field_error(error, "code")}
                           autocomplete={if *recovery { "off" } else { "one-time-code" }}
                           inputmode={if *recovery { None } else { Some(AttrValue::Static("numeric")) }}
                           required=true />
                    <button type="button" class="link" onclick={toggle}>
                        { if *recovery { "Use the code from your app instead" } else { "Use a recovery code instead" } }
                    </button>
                }
                <button type="submit" disabled={busy}>{ if busy { "Confirming…" } else { "Confirm" } }</button>
            </form>
            if has_passkeys {
                <div class="passkey">
                    <button type="button" class="secondary" onclick={with_passkey.reform(|_: MouseEvent| ())}
                            disabled={with_passkey.running()}>
                        { "Use a passkey instead" }
                    </button>
                    if let Some(message) = passkey_message {
                        <p class="error" role="alert">{ message }</p>
                    }
                </div>
            }
            <ConfirmWithProvider target={props.target.clone()} />
            if let Some(e) = general {
                <div class="error" role="alert"><p>{ e.message() }</p></div>
            } else if let Some(text) = provider_failure {
                <div class="error" role="alert"><p>{ text }</p></div>
            }
        </Page>
    }
}

/// Finishes the change that asked for the confirmation, if one waits, and says how it went.
async fn finish(api: &Api, toasts: &Toasts, page: &str) {
    match api.finish_confirmed(page).await {
        Some(Ok(_)) => toasts.say("Confirmed, and done."),
        Some(Err(e)) if !e.is_silent() => toasts.fail(e.message()),
        _ => {}
    }
}
