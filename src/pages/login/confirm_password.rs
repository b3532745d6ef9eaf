//! "Confirm it's you": the password of the account signed in, then back to where they were.

use gatehouse_api::Reauth;
use gatehouse_api::endpoints::Reauthenticate;
use gatehouse_client::{Api, use_mutation};
use yew::prelude::*;
use yew_router::prelude::*;

use super::{SignedInProps, field_error, go};
use crate::components::{Field, Page, general_error};

/// The form for a signed-in person the server asked to confirm their password.
#[function_component]
pub fn ConfirmPassword(props: &SignedInProps) -> Html {
    let navigator = use_navigator();
    let password = use_state(String::new);
    let confirm = {
        let target = props.target.clone();
        use_mutation(move |api: Api, body: Reauth| {
            let (navigator, target) = (navigator.clone(), target.clone());
            async move {
                api.submit(&Reauthenticate, &body).await?;
                go(&navigator, &target);
                Ok(())
            }
        })
    };
    let onsubmit = {
        let password = password.clone();
        confirm.reform(move |e: SubmitEvent| {
            e.prevent_default();
            Reauth {
                password: (*password).clone(),
            }
        })
    };
    let oninput = {
        let password = password.clone();
        Callback::from(move |v: String| password.set(v))
    };
    let (busy, error) = (confirm.running(), confirm.error());
    let general = general_error(error, &["password"]);
    html! {
        <Page title="Confirm it's you" class="login">
            <p>{ format!("You're signed in as {}. Enter your password again to continue; then you'll be back where you were.", props.name) }</p>
            <form {onsubmit} aria-busy={busy.to_string()} novalidate=true>
                // For password managers: which account this password is for.
                <input type="text" name="username" autocomplete="username" value={props.name.clone()} hidden=true readonly=true />
                <Field id="password" label="Password" kind="password" autocomplete="current-password"
                       value={(*password).clone()} {oninput} error={field_error(error, "password")}
                       autofocus=true required=true />
                <button type="submit" disabled={busy}>{ if busy { "Confirming…" } else { "Confirm" } }</button>
            </form>
            if let Some(e) = general {
                <div class="error" role="alert"><p>{ e.message() }</p></div>
            }
        </Page>
    }
}
