//! The identity provider on the sign-in pages: "Sign in with LABEL" (a plain link, so it works
//! on the pre-rendered page too), "Confirm with LABEL" for an account with a connected
//! sign-in, and what a round trip through the provider came back with (`?provider=…`).

use gatehouse_api::endpoints::{ListIdentities, StartProviderConfirm, StartProviderSignIn};
use gatehouse_api::{Endpoint, ProviderOutcome, ProviderRedirect};
use gatehouse_client::{Api, Fetch, use_fetch, use_mutation};
use serde::Deserialize;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::general_error;
use crate::provider::{leave_for, provider_label};

/// The page's `?provider=` (`gatehouse_api::PROVIDER_PARAM`).
#[derive(Default, Deserialize)]
struct OutcomeQuery {
    provider: Option<String>,
}

/// What the round trip this page was opened by came back with, if it failed.
#[hook]
pub fn use_provider_failure() -> Option<AttrValue> {
    let location = use_location();
    let outcome = location
        .as_ref()
        .and_then(|l| l.query::<OutcomeQuery>().ok())
        .and_then(|q| q.provider)
        .as_deref()
        .and_then(ProviderOutcome::parse)
        .filter(|o| o.is_error())?;
    let label = provider_label().unwrap_or_else(|| "your organization".into());
    Some(outcome.message(&label).into())
}

/// "Sign in with LABEL", when the server has a provider; nothing otherwise. The same markup
/// the server puts in the pre-rendered page (`http::spa::provider_link`).
/// `target`: where to go once signed in.
pub fn sign_in_with_provider(target: &str) -> Html {
    let Some(label) = provider_label() else {
        return Html::default();
    };
    let start = StartProviderSignIn {
        next: Some(target.to_string()),
    };
    html! {
        <a class="button secondary provider" href={start.path()}>{ format!("Sign in with {label}") }</a>
    }
}

/// Props of `ConfirmWithProvider`.
#[derive(Properties, PartialEq)]
pub struct ConfirmWithProviderProps {
    /// Where to come back to once confirmed.
    pub target: AttrValue,
}

/// "Confirm with LABEL", for an account with a connected sign-in: the provider asks the person
/// to sign in again there, and sends them back to `target`.
#[function_component]
pub fn ConfirmWithProvider(props: &ConfirmWithProviderProps) -> Html {
    let label = provider_label();
    let identities = use_fetch(ListIdentities);
    let confirm = {
        let target = props.target.to_string();
        use_mutation(move |api: Api, ()| {
            let target = target.clone();
            async move {
                let endpoint = StartProviderConfirm { next: Some(target) };
                let redirect: ProviderRedirect = api.fetch(&endpoint).await?;
                leave_for(&redirect.url);
                Ok(())
            }
        })
    };
    let connected = matches!(&identities.state, Fetch::Ready(list) if !list.is_empty());
    let (Some(label), true) = (label, connected) else {
        return Html::default();
    };
    let busy = confirm.running() || confirm.state.done().is_some();
    html! {
        <div class="passkey">
            <button type="button" class="secondary" onclick={confirm.reform(|_: MouseEvent| ())} disabled={busy}>
                { if busy { format!("Opening {label}…") } else { format!("Confirm with {label}") } }
            </button>
            if let Some(e) = general_error(confirm.error(), &[]) {
                <p class="error" role="alert">{ e.message() }</p>
            }
        </div>
    }
}
