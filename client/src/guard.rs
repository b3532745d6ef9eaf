//! `RequireAuth`: renders its children only for a signed-in user the app allows; otherwise
//! has the auth layer send them to sign in, remembering where they were.

use gatehouse_api::ErrorCode;
use yew::prelude::*;

use crate::auth::{AuthState, use_auth};
use crate::error::ApiError;

/// Props of `RequireAuth`.
#[derive(Properties, PartialEq)]
pub struct RequireAuthProps<S: PartialEq> {
    /// The protected content.
    pub children: Html,
    /// Whether this signed-in user may see it (a role, say); `forbidden` otherwise. Everyone
    /// signed in, when absent.
    #[prop_or_default]
    pub allow: Option<Allow<S>>,
    /// Shown while the session check has not answered (and while leaving for sign-in).
    #[prop_or_else(waiting)]
    pub waiting: Html,
    /// Shown when the session check itself failed (server unreachable), given the error and
    /// a callback that checks again.
    #[prop_or_default]
    pub failed: Option<Callback<(ApiError, Callback<()>), Html>>,
}

/// Who may see a page, as a plain function of the session (`Allow(is_admin)`).
pub struct Allow<S>(pub fn(&S) -> bool);

impl<S> Clone for Allow<S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S> Copy for Allow<S> {}

impl<S> PartialEq for Allow<S> {
    /// The same function: a re-render with another one re-decides.
    fn eq(&self, other: &Self) -> bool {
        std::ptr::fn_addr_eq(self.0, other.0)
    }
}

fn waiting() -> Html {
    html! { <p class="loading" aria-busy="true">{ "Loading…" }</p> }
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
/// use gatehouse_client::{Allow, RequireAuth};
/// use gatehouse_api::{Role, SessionInfo};
/// use yew::prelude::*;
///
/// fn is_admin(s: &SessionInfo) -> bool {
///     s.user.role == Role::Admin
/// }
///
/// #[function_component]
/// fn AdminPage() -> Html {
///     html! {
///         <RequireAuth<SessionInfo> allow={Allow(is_admin)}>
///             { "only admins see this" }
///         </RequireAuth<SessionInfo>>
///     }
/// }
/// ```
#[function_component]
pub fn RequireAuth<S: PartialEq + 'static>(props: &RequireAuthProps<S>) -> Html {
    let auth = use_auth::<S>();
    let decision = match &auth.state {
        AuthState::Unknown => Decision::Wait,
        AuthState::SignedOut { reason } => {
            Decision::SignIn(reason.unwrap_or(ErrorCode::Unauthenticated))
        }
        AuthState::SignedIn(session) => match props.allow {
            Some(Allow(allow)) if !allow(session) => Decision::SignIn(ErrorCode::Forbidden),
            _ => Decision::Show,
        },
    };
    {
        let auth = auth.clone();
        use_effect_with(decision, move |decision| {
            if let Decision::SignIn(reason) = decision {
                auth.require_sign_in(*reason);
            }
        });
    }
    match decision {
        Decision::Show => props.children.clone(),
        Decision::Wait => match (&auth.check_failed, &props.failed) {
            (Some(error), Some(failed)) => {
                let auth = auth.clone();
                failed.emit((error.clone(), Callback::from(move |()| auth.recheck())))
            }
            _ => props.waiting.clone(),
        },
        Decision::SignIn(_) => props.waiting.clone(),
    }
}
