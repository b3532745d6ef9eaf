//! The sign-in form, with the notice saying why the person is here (or the error a sign-in
//! posted as a plain form came back with).

use gatehouse_api::endpoints::Login;
use gatehouse_api::{ErrorCode, LoginRequest};
use gatehouse_client::{Api, AuthState, Request, use_mutation};
use yew::prelude::*;
use yew_router::prelude::*;

use super::passkey::PasskeyButton;
use super::provider::{sign_in_with_provider, use_provider_failure};
use super::reasons::{is_failed_sign_in, reason_text};
use super::second_step::SecondStep;
use super::{field_error, go, signed_in};
use crate::components::{Field, Page, general_error};
use crate::kept::use_kept;
use crate::session::{use_session, user};

/// The `performance.mark` set when the sign-in form has rendered.
pub const LOGIN_FORM_MARK: &str = "gatehouse:login-form";

/// Props of `SignIn`.
#[derive(Properties, PartialEq)]
pub struct SignInProps {
    /// Where to go once signed in.
    pub target: AttrValue,
    /// Why the person was sent here.
    pub reason: Option<ErrorCode>,
}

/// "Sign in": username and password, then on to `target`.
#[function_component]
pub fn SignIn(props: &SignInProps) -> Html {
    let auth = use_session();
    let kept = use_kept();
    let navigator = use_navigator();
    let username = use_state(String::new);
    let password = use_state(String::new);
    let alert = use_node_ref();
    let provider_failure = use_provider_failure();

    // A mark for `cargo xtask bench`: the form is in the document (effects run after render).
    use_effect_with((), |()| {
        if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
            let _ = performance.mark(LOGIN_FORM_MARK);
        }
    });
    // Already signed in, with nothing to fix: go on.
    {
        let (navigator, target) = (navigator.clone(), props.target.clone());
        let signed_in = matches!(auth.state, AuthState::SignedIn(_));
        use_effect_with((signed_in, props.reason), move |(signed_in, reason)| {
            if *signed_in && reason.is_none() {
                go(&navigator, &target);
            }
        });
    }

    let sign_in = {
        let (auth, target) = (auth.clone(), props.target.clone());
        use_mutation(move |api: Api, body: LoginRequest| {
            let (auth, kept, navigator, target) = (
                auth.clone(),
                kept.clone(),
                navigator.clone(),
                target.clone(),
            );
            async move {
                // A wrong password is this form's business, not a trip to the sign-in page.
                // Nothing on this page to read again once signed in (`without_refresh`).
                let request = Request::to(&Login)
                    .json(&body)
                    .handle_auth_errors()
                    .without_refresh();
                let info = api.send(request).await?;
                kept.keep_sign_in_password(body.password);
                signed_in(&api, &auth, info, &navigator, &target);
                Ok(())
            }
        })
    };
    let error = sign_in.error();
    // Move focus to the alert when an error appears, so screen readers announce it.
    {
        let alert = alert.clone();
        use_effect_with(error.cloned(), move |e| {
            if e.is_some()
                && let Some(el) = alert.cast::<web_sys::HtmlElement>()
            {
                let _ = el.focus();
            }
        });
    }
    let onsubmit = {
        let (username, password) = (username.clone(), password.clone());
        sign_in.reform(move |e: SubmitEvent| {
            e.prevent_default();
            LoginRequest {
                username: (*username).clone(),
                password: (*password).clone(),
            }
        })
    };
    let set = |state: &UseStateHandle<String>| {
        let state = state.clone();
        Callback::from(move |v: String| state.set(v))
    };
    let notice = props
        .reason
        .and_then(|r| reason_text(r, user(&auth).map(|u| u.username.as_str())));
    let general = general_error(error, &["username", "password"])
        .filter(|e| e.code() != Some(ErrorCode::SecondFactorRequired));
    // A sign-in posted as a plain form that failed comes back with its reason: an error, shown
    // as this form's own would be, until the next try.
    // Once this page has an answer of its own, it is the one message shown: why the person was
    // sent here no longer matters (a disabled account's sign-in is refused as any wrong password
    // is, and "disabled" beside "wrong password" said two things at once).
    let (notice, earlier_error) = if is_failed_sign_in(props.reason) {
        (None, notice.filter(|_| error.is_none()))
    } else {
        (notice.filter(|_| general.is_none()), None)
    };
    // A round trip through the identity provider that came back without signing in: said as
    // this form's error would be, until the next try.
    let earlier_error = earlier_error
        .map(AttrValue::from)
        .or(provider_failure.filter(|_| error.is_none()));
    let busy = sign_in.running();
    // The password was right; the account has a second factor to give.
    if let Some(body) = error
        .filter(|e| e.code() == Some(ErrorCode::SecondFactorRequired))
        .and_then(|e| e.body())
    {
        return html! { <SecondStep methods={body.methods.clone()} target={props.target.clone()} /> };
    }
    html! {
        <Page title="Sign in" class="login">
            if let Some(notice) = notice {
                <p class="notice" role="status">{ notice }</p>
            }
            // `method="post"`: before the app has taken the pre-rendered page over (or with
            // JavaScript off) the browser posts it to `POST /login` itself.
            <form {onsubmit} method="post" aria-busy={busy.to_string()} novalidate=true>
                // `webauthn`: the browser may offer passkeys in this field's autofill.
                <Field id="username" label="Username" autocomplete="username webauthn"
                       value={(*username).clone()} oninput={set(&username)}
                       error={field_error(error, "username")} autofocus=true required=true />
                <Field id="password" label="Password" kind="password" autocomplete="current-password"
                       value={(*password).clone()} oninput={set(&password)}
                       error={field_error(error, "password")} required=true />
                <button type="submit" disabled={busy}>{ if busy { "Signing in…" } else { "Sign in" } }</button>
            </form>
            <PasskeyButton target={props.target.clone()} autofill=true />
            { sign_in_with_provider(&props.target) }
            // Until there is a self-service reset: how to get back in. A native disclosure,
            // so it works on the pre-rendered page too.
            <details class="forgot">
                <summary>{ "Forgot your password?" }</summary>
                <p>{ "Ask an administrator to reset it. They give you a one-time password; you sign in with it and choose a new password straight away. A passkey or a recovery code still signs you in meanwhile." }</p>
            </details>
            if let Some(e) = general {
                <div class="error" role="alert" tabindex="-1" ref={alert}>
                    <p>{ e.message() }</p>
                </div>
            }
            if let Some(text) = earlier_error {
                <div class="error" role="alert"><p>{ text }</p></div>
            }
        </Page>
    }
}
