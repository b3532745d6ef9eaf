//! Who is signed in, for this app: the auth context over `GET /api/auth/me`'s answer, the way
//! out, and the guards every protected page sits behind (with this app's loading and error
//! views).

use gatehouse_api::endpoints::Logout;
use gatehouse_api::{Role, SessionInfo, User};
use gatehouse_client::{Allow, ApiError, MutationHandle, RequireAuth};
use yew::prelude::*;

use crate::components::{ErrorView, loading};

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

fn failed() -> Callback<(ApiError, Callback<()>), Html> {
    Callback::from(|(error, onretry): (ApiError, Callback<()>)| {
        html! { <ErrorView {error} {onretry} /> }
    })
}

/// `page` for any signed-in user; anyone else is sent to sign in. `key` names the page: another
/// page's guard is then mounted afresh rather than this one reused. A function, not a
/// component: a component costs about 2 KB of wasm in Yew's generic code.
pub fn for_users(key: &'static str, page: Html) -> Html {
    html! {
        <RequireAuth<SessionInfo> key={key} waiting={loading()} failed={failed()}>
            { page }
        </RequireAuth<SessionInfo>>
    }
}

/// `page` for administrators; anyone else is sent to sign in (`forbidden`). `key` as in
/// `for_users`.
pub fn for_admins(key: &'static str, page: Html) -> Html {
    html! {
        <RequireAuth<SessionInfo> key={key} allow={Allow(is_admin)} waiting={loading()} failed={failed()}>
            { page }
        </RequireAuth<SessionInfo>>
    }
}
