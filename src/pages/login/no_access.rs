//! "No access": a signed-in person sent here for lacking access is told so, and offered to go
//! back or to sign in as someone else (only then is there a form).

use gatehouse_api::ErrorCode;
use yew::prelude::*;

use super::SignedInProps;
use super::reasons::page_name;
use super::sign_in::SignIn;
use crate::components::Page;

/// The no-access page.
#[function_component]
pub fn NoAccess(props: &SignedInProps) -> Html {
    let other = use_state(|| false);
    if *other {
        return html! { <SignIn target={props.target.clone()} reason={Some(ErrorCode::Forbidden)} /> };
    }
    let onback = Callback::from(|_| {
        if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
            let _ = history.back();
        }
    });
    let onother = {
        let other = other.clone();
        Callback::from(move |_| other.set(true))
    };
    html! {
        <Page title="No access" class="login">
            <p class="notice" role="status">
                { format!("You're signed in as {}, which can't open {}.", props.name, page_name(&props.target)) }
            </p>
            <div class="actions">
                <button type="button" onclick={onback}>{ "Go back" }</button>
                <button type="submit" onclick={onother}>{ "Sign in as someone else" }</button>
            </div>
        </Page>
    }
}
