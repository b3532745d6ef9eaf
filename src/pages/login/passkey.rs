//! Signing in with a passkey: the "Sign in with a passkey" button, and passkey autofill in the
//! username field where the browser offers it (conditional mediation). Both ask the server for
//! a challenge, let the browser answer it with a passkey of this site, and sign in with that
//! answer; no username is needed, the passkey names its account.

use gatehouse_api::endpoints::{SignInWithPasskey, StartPasskeySignIn};
use gatehouse_api::{PasskeyAssertion, PasskeyOptions, SessionInfo};
use gatehouse_client::{Api, Mutation, MutationHandle, Request, use_mutation};
use yew::prelude::*;
use yew_router::prelude::*;

use super::signed_in;
use crate::components::general_error;
use crate::passkey::{self, Ask, PasskeyFailure};
use crate::session::use_session;

/// What a passkey sign-in came to.
#[derive(Clone, Debug, PartialEq)]
pub enum PasskeyOutcome {
    /// Signed in; on to the target.
    SignedIn,
    /// The browser used no passkey (or cannot): why.
    NotUsed(PasskeyFailure),
}

/// How to ask for a passkey, and the signal that ends an autofill's wait.
pub type Asking = (Ask, Option<web_sys::AbortSignal>);

/// A passkey sign-in, asked the way `Ask` says, then on to `target`.
#[hook]
pub fn use_passkey_sign_in(target: AttrValue) -> MutationHandle<Asking, PasskeyOutcome> {
    let auth = use_session();
    let navigator = use_navigator();
    use_mutation(move |api: Api, (ask, signal): Asking| {
        let (auth, navigator, target) = (auth.clone(), navigator.clone(), target.clone());
        async move {
            let options: PasskeyOptions = match api.fetch(&StartPasskeySignIn).await {
                Ok(options) => options,
                // The autofill is an offer nobody has taken up yet: without a challenge there
                // is no offer, and nothing to say.
                Err(e) if ask == Ask::Autofill && !e.is_silent() => {
                    return Ok(PasskeyOutcome::NotUsed(PasskeyFailure::Cancelled));
                }
                Err(e) => return Err(e),
            };
            let signal = signal.map(Into::into);
            let credential = match passkey::get_credential(&options.options, ask, signal).await {
                Ok(credential) => credential,
                Err(failure) => return Ok(PasskeyOutcome::NotUsed(failure)),
            };
            // A passkey that does not work here is this page's business, not a trip to sign in.
            let request = Request::to(&SignInWithPasskey)
                .json(&PasskeyAssertion { credential })
                .handle_auth_errors()
                .without_refresh();
            let info: SessionInfo = api.send(request).await?;
            signed_in(&api, &auth, info, &navigator, &target);
            Ok(PasskeyOutcome::SignedIn)
        }
    })
}

/// Props of `PasskeyButton`.
#[derive(Properties, PartialEq)]
pub struct PasskeyButtonProps {
    /// Where to go once signed in.
    pub target: AttrValue,
    /// Also offer passkeys in the username field's autofill while the page is open.
    #[prop_or_default]
    pub autofill: bool,
    /// The button's words.
    #[prop_or(AttrValue::Static("Sign in with a passkey"))]
    pub label: AttrValue,
}

/// "Sign in with a passkey" (shown only where the browser can), and the autofill.
#[function_component]
pub fn PasskeyButton(props: &PasskeyButtonProps) -> Html {
    let now = use_passkey_sign_in(props.target.clone());
    let autofill = use_passkey_sign_in(props.target.clone());
    // The autofill waits until a passkey is picked; it ends when the page goes, or when the
    // button asks the browser's dialog instead (a browser runs one request at a time).
    let waiting = use_mut_ref(|| None::<web_sys::AbortController>);
    {
        let (autofill, waiting) = (autofill.clone(), waiting.clone());
        use_effect_with(props.autofill, move |wanted| {
            if *wanted {
                let waiting = waiting.clone();
                yew::platform::spawn_local(async move {
                    if passkey::autofill_available().await
                        && let Ok(controller) = web_sys::AbortController::new()
                    {
                        let signal = controller.signal();
                        *waiting.borrow_mut() = Some(controller);
                        autofill.run((Ask::Autofill, Some(signal)));
                    }
                });
            }
            move || {
                if let Some(controller) = waiting.borrow_mut().take() {
                    controller.abort();
                }
            }
        });
    }
    if !passkey::supported() {
        return html! {};
    }
    let onclick = {
        let waiting = waiting.clone();
        now.reform(move |_: MouseEvent| {
            if let Some(controller) = waiting.borrow_mut().take() {
                controller.abort();
            }
            (Ask::Now, None)
        })
    };
    let not_used = match &now.state {
        Mutation::Done(outcome) => match &**outcome {
            PasskeyOutcome::NotUsed(failure) => Some(failure.message()),
            PasskeyOutcome::SignedIn => None,
        },
        _ => None,
    };
    // A passkey picked from the autofill that the server refused is said here too.
    let failed = general_error(now.error().or(autofill.error()), &[]).map(|e| match e.code() {
        Some(gatehouse_api::ErrorCode::InvalidCredentials) => {
            "This passkey is not one this site knows. Try another, or your password.".to_string()
        }
        _ => e.message(),
    });
    html! {
        <div class="passkey">
            <button type="button" class="secondary" {onclick} disabled={now.running()}>
                { if now.running() { "Waiting for your passkey…".into() } else { props.label.clone() } }
            </button>
            if let Some(message) = not_used.or(failed) {
                <p class="error" role="alert">{ message }</p>
            }
        </div>
    }
}
