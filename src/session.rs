//! Who is signed in, for this app: the auth context over `GET /api/auth/me`'s answer, the way
//! out, and the guards every protected page sits behind (with this app's loading and error
//! views).

use gatehouse_api::endpoints::Logout;
use gatehouse_api::{Role, SessionInfo, User};
use gatehouse_client::{Allow, ApiError, MutationHandle, RequireAuth};
use yew::prelude::*;

use crate::components::{ErrorView, Loading};

/// The auth context: `gatehouse_client::Auth` over this app's session.
pub type Auth = gatehouse_client::Auth<SessionInfo>;

/// The auth context.
#[hook]
pub fn use_session() -> Auth {
    gatehouse_client::use_auth::<SessionInfo>()
}

/// Signs out, from the header or the expiry warning alike: whatever the server answers (even
/// nothing, offline), the person is signed out here and in the other tabs and taken to sign in.
#[hook]
pub fn use_sign_out() -> MutationHandle<(), ()> {
    gatehouse_client::use_sign_out::<SessionInfo, _>(Logout)
}

/// The signed-in user, if any.
pub fn user(auth: &Auth) -> Option<&User> {
    auth.session().map(|s| &s.user)
}

fn is_admin(session: &SessionInfo) -> bool {
    session.user.role == Role::Admin
}

/// Props of the guards.
#[derive(Properties, PartialEq)]
pub struct GuardProps {
    /// The protected content.
    pub children: Html,
}

fn failed() -> Callback<(ApiError, Callback<()>), Html> {
    Callback::from(|(error, onretry): (ApiError, Callback<()>)| {
        html! { <ErrorView {error} {onretry} /> }
    })
}

/// Renders its children for any signed-in user; sends anyone else to sign in.
#[function_component]
pub fn RequireUser(props: &GuardProps) -> Html {
    html! {
        <RequireAuth<SessionInfo> waiting={html! { <Loading /> }} failed={failed()}>
            { props.children.clone() }
        </RequireAuth<SessionInfo>>
    }
}

/// Renders its children for administrators; sends anyone else to sign in (`forbidden`).
#[function_component]
pub fn RequireAdmin(props: &GuardProps) -> Html {
    html! {
        <RequireAuth<SessionInfo> allow={Allow(is_admin)} waiting={html! { <Loading /> }} failed={failed()}>
            { props.children.clone() }
        </RequireAuth<SessionInfo>>
    }
}
