//! "Choose a new password": for an account holding a one-time password, which the person just
//! signed in with (kept for a minute, so they are not asked for it twice).

use gatehouse_api::PasswordChange;
use gatehouse_api::endpoints::ChangePassword;
use gatehouse_client::{Api, use_mutation};
use yew::prelude::*;
use yew_router::prelude::*;

use super::{SignedInProps, field_error, go};
use crate::components::{Field, Page, general_error};
use crate::kept::use_kept;

/// The form for a signed-in person who must choose their own password.
#[function_component]
pub fn ChoosePassword(props: &SignedInProps) -> Html {
    let navigator = use_navigator();
    let kept = use_kept();
    let current = use_state(|| kept.sign_in_password().unwrap_or_default());
    let new = use_state(String::new);
    // Decided once: which field the focus starts in.
    let prefilled = *use_state(|| !current.is_empty());
    let choose = {
        let target = props.target.clone();
        use_mutation(move |api: Api, body: PasswordChange| {
            let (kept, navigator, target) = (kept.clone(), navigator.clone(), target.clone());
            async move {
                api.submit(&ChangePassword, &body).await?;
                kept.forget_sign_in_password();
                go(&navigator, &target);
                Ok(())
            }
        })
    };
    let onsubmit = {
        let (current, new) = (current.clone(), new.clone());
        choose.reform(move |e: SubmitEvent| {
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
    let (busy, error) = (choose.running(), choose.error());
    let general = general_error(error, &["current_password", "new_password"]);
    html! {
        <Page title="Choose a new password" class="login">
            <p>{ format!("Welcome, {}. You signed in with a one-time password; choose your own to continue.", props.name) }</p>
            <form {onsubmit} aria-busy={busy.to_string()} novalidate=true>
                <input type="text" name="username" autocomplete="username" value={props.name.clone()} hidden=true readonly=true />
                <Field id="current_password" label="One-time password" kind="password" autocomplete="current-password"
                       value={(*current).clone()} oninput={set(&current)}
                       error={field_error(error, "current_password")} autofocus={!prefilled} required=true />
                <Field id="new_password" label="New password" kind="password" autocomplete="new-password"
                       value={(*new).clone()} oninput={set(&new)} autofocus={prefilled}
                       hint="At least 12 characters, and not something others could guess."
                       error={field_error(error, "new_password")} required=true />
                <button type="submit" disabled={busy}>{ if busy { "Saving…" } else { "Save and continue" } }</button>
            </form>
            if let Some(e) = general {
                <div class="error" role="alert"><p>{ e.message() }</p></div>
            }
        </Page>
    }
}
