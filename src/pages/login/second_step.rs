//! The sign-in's second step: the password was right, and the account has an authenticator app
//! (or, under the server's policy, passkeys): the code from the app, or a recovery code
//! instead, or the account's passkey.

use gatehouse_api::endpoints::SignInSecondFactor;
use gatehouse_api::{SecondFactorMethod, SecondFactorProof, SessionInfo};
use gatehouse_client::{Api, Request, use_mutation};
use yew::prelude::*;
use yew_router::prelude::*;

use super::passkey::PasskeyButton;
use super::{field_error, signed_in};
use crate::components::{Field, Page, general_error};
use crate::session::use_session;

/// Props of `SecondStep`.
#[derive(Clone, Properties, PartialEq)]
pub struct SecondStepProps {
    /// What the account can finish with.
    pub methods: Vec<SecondFactorMethod>,
    /// Where to go once signed in.
    pub target: AttrValue,
}

/// "Enter the code from your authenticator app".
#[function_component]
pub fn SecondStep(props: &SecondStepProps) -> Html {
    let auth = use_session();
    let navigator = use_navigator();
    let code = use_state(String::new);
    let recovery = use_state(|| false);
    let send = {
        let target = props.target.clone();
        use_mutation(move |api: Api, proof: SecondFactorProof| {
            let (auth, navigator, target) = (auth.clone(), navigator.clone(), target.clone());
            async move {
                // A wrong code is this form's business, not a trip to the sign-in page.
                let request = Request::to(&SignInSecondFactor)
                    .json(&proof)
                    .handle_auth_errors()
                    .without_refresh();
                let info: SessionInfo = api.send(request).await?;
                signed_in(&api, &auth, info, &navigator, &target);
                Ok(())
            }
        })
    };
    let has = |m| props.methods.contains(&m);
    if !has(SecondFactorMethod::Totp) {
        // Passkeys only (the server's policy): the passkey signs in on its own.
        return html! {
            <Page title="Use your passkey" class="login">
                <p>{ "Your password was right. This account also needs its passkey: use it to finish signing in." }</p>
                <PasskeyButton target={props.target.clone()} label="Use your passkey" />
            </Page>
        };
    }
    let onsubmit = {
        let (code, recovery) = (code.clone(), recovery.clone());
        send.reform(move |e: SubmitEvent| {
            e.prevent_default();
            let typed = Some((*code).clone());
            if *recovery {
                SecondFactorProof {
                    recovery_code: typed,
                    ..SecondFactorProof::default()
                }
            } else {
                SecondFactorProof {
                    code: typed,
                    ..SecondFactorProof::default()
                }
            }
        })
    };
    let oninput = {
        let code = code.clone();
        Callback::from(move |v: String| code.set(v))
    };
    let toggle = {
        let (recovery, code, send) = (recovery.clone(), code.clone(), send.clone());
        Callback::from(move |_: MouseEvent| {
            recovery.set(!*recovery);
            code.set(String::new());
            send.reset();
        })
    };
    let (busy, error) = (send.running(), send.error());
    let wrong = error
        .filter(|e| e.code() == Some(gatehouse_api::ErrorCode::InvalidCode))
        .map(|_| {
            AttrValue::from(if *recovery {
                "This recovery code is not right, or was used already."
            } else {
                "This code is not right. Check the app and enter the code it shows now."
            })
        });
    let field = wrong.or_else(|| field_error(error, "code"));
    let general = general_error(error, &["code"])
        .filter(|e| e.code() != Some(gatehouse_api::ErrorCode::InvalidCode));
    let (id, label, hint) = if *recovery {
        (
            "recovery_code",
            "Recovery code",
            "One of the codes you saved when you set up the app. Each works once.",
        )
    } else {
        (
            "code",
            "Code from your authenticator app",
            "The six digits the app shows now for Gatehouse.",
        )
    };
    html! {
        <Page title="Enter the code from your authenticator app" class="login">
            <form {onsubmit} aria-busy={busy.to_string()} novalidate=true>
                <Field {id} {label} {hint} value={(*code).clone()} {oninput} error={field}
                       autocomplete={if *recovery { "off" } else { "one-time-code" }}
                       inputmode={if *recovery { None } else { Some(AttrValue::Static("numeric")) }}
                       autofocus=true required=true />
                <button type="submit" disabled={busy}>{ if busy { "Checking…" } else { "Continue" } }</button>
            </form>
            <button type="button" class="link" onclick={toggle}>
                { if *recovery { "Use the code from your app instead" } else { "Use a recovery code instead" } }
            </button>
            if has(SecondFactorMethod::Passkey) {
                <PasskeyButton target={props.target.clone()} label="Use your passkey instead" />
            }
            if let Some(e) = general {
                <div class="error" role="alert"><p>{ e.message() }</p></div>
            }
        </Page>
    }
}
