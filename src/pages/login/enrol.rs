//! "Add a second way to sign in": the server's policy (`--require-second-factor`) wants this
//! account to have a passkey or an authenticator app before anything else, as a one-time
//! password must be replaced first. The same sections as the account page's, then on.

use gatehouse_api::endpoints::{GetTotp, ListPasskeys};
use gatehouse_client::{Fetch, use_fetch};
use yew::prelude::*;
use yew_router::prelude::*;

use super::{SignedInProps, go};
use crate::components::{AuthenticatorApp, Page, Passkeys};

/// The enrolment step for a signed-in person.
#[function_component]
pub fn Enrol(props: &SignedInProps) -> Html {
    let navigator = use_navigator();
    // What the server says the account has (read again after each change, like the sections).
    let (totp, passkeys) = (use_fetch(GetTotp), use_fetch(ListPasskeys));
    let done = matches!(&totp.state, Fetch::Ready(t) if t.enabled)
        || matches!(&passkeys.state, Fetch::Ready(keys) if !keys.is_empty());
    let oncontinue = {
        let target = props.target.clone();
        Callback::from(move |_: MouseEvent| go(&navigator, &target))
    };
    html! {
        <Page title="Add a second way to sign in" class="login enrol">
            <p>{ format!("Welcome, {}. This server asks every account like yours for a second way to sign in besides the password: a passkey, or an authenticator app. Add one to continue.", props.name) }</p>
            <Passkeys />
            <AuthenticatorApp />
            if done {
                <button type="button" onclick={oncontinue}>{ "Continue" }</button>
            }
        </Page>
    }
}
