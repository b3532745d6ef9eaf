//! `/login`: signing in, saying why the user is here, and the way back to where they were.
//!
//! The same route answers what the server asked for (`reason`): a signed-in person asked to
//! confirm their password (`reauth_required`) sees only that; one holding a one-time password
//! (`password_change_required`) chooses their own; one the server's policy wants to have a
//! second way in (`second_factor_enrolment_required`) adds one; one lacking access
//! (`forbidden`) is told so; anyone else signs in, with a password (and its second step) or a
//! passkey. One form per module.

mod choose_password;
mod confirm_password;
mod enrol;
mod no_access;
mod passkey;
mod provider;
mod reasons;
mod second_step;
mod sign_in;

use gatehouse_api::{ErrorCode, HOME_AFTER_SIGN_IN, SIGN_IN_PAGE, SecondFactorMethod};
use gatehouse_client::{ApiError, capitalized, safe_return_path};
use serde::Deserialize;
use yew::prelude::*;
use yew_router::AnyRoute;
use yew_router::prelude::*;

use crate::later::{Deferred, Later};
use crate::session::{use_session, user};
use choose_password::ChoosePassword;
use confirm_password::ConfirmPassword;
use enrol::Enrol;
use no_access::NoAccess;
use second_step::{SecondStep, SecondStepProps};
use sign_in::SignIn;

#[derive(Default, Deserialize)]
struct LoginQuery {
    next: Option<String>,
    reason: Option<String>,
    /// With `reason=second_factor_required` after the identity provider: which (comma-separated).
    methods: Option<String>,
}

/// The sign-in page. Form contract (tests rely on it): `name="username"`, `name="password"`,
/// a `type="submit"` button, errors in `role="alert"`.
#[function_component]
pub fn LoginPage() -> Html {
    let auth = use_session();
    let location = use_location();
    let query: LoginQuery = location
        .as_ref()
        .and_then(|l| l.query::<LoginQuery>().ok())
        .unwrap_or_default();
    let reason = query.reason.as_deref().map(ErrorCode::parse);
    let target: AttrValue = query
        .next
        .as_deref()
        .and_then(|n| safe_return_path(n, &[SIGN_IN_PAGE]))
        .unwrap_or(HOME_AFTER_SIGN_IN)
        .to_string()
        .into();
    let signed_in = user(&auth).map(|u| AttrValue::from(u.username.clone()));
    let step = match (reason, signed_in) {
        (Some(ErrorCode::ReauthRequired), Some(name)) => {
            Step::ConfirmPassword(SignedInProps { name, target })
        }
        (Some(ErrorCode::PasswordChangeRequired), Some(name)) => {
            Step::ChoosePassword(SignedInProps { name, target })
        }
        (Some(ErrorCode::Forbidden), Some(name)) => Step::NoAccess(SignedInProps { name, target }),
        (Some(ErrorCode::SecondFactorEnrolmentRequired), Some(name)) => {
            Step::Enrol(SignedInProps { name, target })
        }
        // A sign-in posted as a plain form whose password was right: its second step.
        // Or a sign-in through the identity provider, whose account has a second factor.
        (Some(ErrorCode::SecondFactorRequired), None) => {
            let methods = second_factor_methods(query.methods.as_deref());
            Step::SecondStep(SecondStepProps { methods, target })
        }
        _ => return html! { <SignIn {target} {reason} /> },
    };
    html! { <Later page={Deferred::Step(step)} /> }
}

/// A form of the sign-in page other than signing in: in a part of the wasm loaded later
/// (`crate::later`), since most visits never show one.
#[derive(Clone, PartialEq)]
pub enum Step {
    /// Confirming it is them (`reauth_required`).
    ConfirmPassword(SignedInProps),
    /// Choosing their own password (`password_change_required`).
    ChoosePassword(SignedInProps),
    /// Told they lack access (`forbidden`).
    NoAccess(SignedInProps),
    /// Adding a second way in (`second_factor_enrolment_required`).
    Enrol(SignedInProps),
    /// The second step of a sign-in (`second_factor_required`).
    SecondStep(SecondStepProps),
}

/// The form `step` names.
pub fn sign_in_step(step: Step) -> Html {
    match step {
        Step::ConfirmPassword(props) => html! { <ConfirmPassword ..props /> },
        Step::ChoosePassword(props) => html! { <ChoosePassword ..props /> },
        Step::NoAccess(props) => html! { <NoAccess ..props /> },
        Step::Enrol(props) => html! { <Enrol ..props /> },
        Step::SecondStep(props) => html! { <SecondStep ..props /> },
    }
}

/// The second factors named in the address (`totp,recovery_code,passkey`); the app's code (or
/// a recovery code) when it names none it knows.
fn second_factor_methods(named: Option<&str>) -> Vec<SecondFactorMethod> {
    let methods: Vec<SecondFactorMethod> = named
        .unwrap_or_default()
        .split(',')
        .filter_map(|m| {
            use serde::de::{Deserialize, IntoDeserializer, value::Error};
            SecondFactorMethod::deserialize(IntoDeserializer::<Error>::into_deserializer(m)).ok()
        })
        .collect();
    if methods.is_empty() {
        vec![SecondFactorMethod::Totp, SecondFactorMethod::RecoveryCode]
    } else {
        methods
    }
}

/// Props of the forms for someone signed in already.
#[derive(Clone, Properties, PartialEq)]
pub struct SignedInProps {
    /// Who is signed in.
    pub name: AttrValue,
    /// Where to go once done.
    pub target: AttrValue,
}

/// Signed in: the next page's data asked for at once (`Api::prefetch`), then on to it.
fn signed_in(
    api: &gatehouse_client::Api,
    auth: &crate::session::Auth,
    info: gatehouse_api::SessionInfo,
    navigator: &Option<Navigator>,
    target: &AttrValue,
) {
    let path = target.split(['?', '#']).next().unwrap_or_default();
    if crate::route::Route::recognize(path) == Some(crate::route::Route::Dashboard) {
        crate::pages::dashboard::prefetch(api);
    }
    auth.signed_in(info);
    go(navigator, target);
}

/// Where to go once done: `target`, replacing the sign-in page in the history.
fn go(navigator: &Option<Navigator>, target: &AttrValue) {
    if let Some(n) = navigator {
        n.replace(&AnyRoute::new(target.to_string()));
    }
}

/// The message for a field of the request, as a sentence's start, if the error has one.
fn field_error(error: Option<&ApiError>, name: &str) -> Option<AttrValue> {
    error
        .and_then(|e| e.field(name))
        .map(|m| AttrValue::from(capitalized(m)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_second_factors_in_the_address_are_read_and_unknown_ones_ignored() {
        assert_eq!(
            second_factor_methods(Some("passkey")),
            vec![SecondFactorMethod::Passkey]
        );
        assert_eq!(
            second_factor_methods(Some("totp,recovery_code,carrier_pigeon")),
            vec![SecondFactorMethod::Totp, SecondFactorMethod::RecoveryCode]
        );
        assert_eq!(
            second_factor_methods(None),
            vec![SecondFactorMethod::Totp, SecondFactorMethod::RecoveryCode]
        );
    }
}
