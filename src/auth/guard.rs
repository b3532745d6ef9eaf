//! `RequireAuth`: renders its children only for a signed-in user (with the role, if one is
//! named); otherwise sends them to sign in, remembering where they were.

use gatehouse_api::{ErrorCode, Role};
use yew::prelude::*;

use super::context::{AuthState, use_auth};
use crate::api::ApiClient;
use crate::components::{ErrorView, Loading};

/// Props of `RequireAuth`.
#[derive(Properties, PartialEq)]
pub struct RequireAuthProps {
    /// The protected content.
    pub children: Html,
    /// A role the user must have (`forbidden` otherwise).
    #[prop_or_default]
    pub role: Option<Role>,
}

#[derive(Clone, Copy, PartialEq)]
enum Decision {
    Wait,
    SignIn(ErrorCode),
    Show,
}

/// Guards a protected page.
///
/// ```no_run
/// use gatehouse::auth::RequireAuth;
/// use gatehouse_api::Role;
/// use yew::prelude::*;
///
/// #[function_component]
/// fn AdminPage() -> Html {
///     html! { <RequireAuth role={Role::Admin}>{ "only admins see this" }</RequireAuth> }
/// }
/// ```
#[function_component]
pub fn RequireAuth(props: &RequireAuthProps) -> Html {
    let auth = use_auth();
    let client = use_context::<ApiClient>().expect("RequireAuth needs an ApiProvider above it");
    let decision = match &auth.state {
        AuthState::Unknown => Decision::Wait,
        AuthState::SignedOut { reason } => {
            Decision::SignIn(reason.unwrap_or(ErrorCode::Unauthenticated))
        }
        AuthState::SignedIn(info) => match props.role {
            Some(role) if info.user.role != role => Decision::SignIn(ErrorCode::Forbidden),
            _ => Decision::Show,
        },
    };
    use_effect_with(decision, move |decision| {
        if let Decision::SignIn(reason) = decision {
            client.send_to_login(*reason);
        }
    });
    match decision {
        Decision::Show => props.children.clone(),
        Decision::Wait => match &auth.check_failed {
            Some(error) => {
                let auth = auth.clone();
                html! { <ErrorView error={error.clone()} onretry={Callback::from(move |()| auth.recheck())} /> }
            }
            None => html! { <Loading /> },
        },
        Decision::SignIn(_) => html! { <Loading /> },
    }
}
