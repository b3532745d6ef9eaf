//! `use_sign_out`: the one way out, wherever the button is. The person asked to sign out, so
//! they are signed out here and in the other tabs and taken to sign in whatever the server
//! answered; the handle's state says whether the server heard it.

use gatehouse_api::Endpoint;
use yew::prelude::*;
use yew_router::AnyRoute;
use yew_router::hooks::use_navigator;

use crate::auth::use_auth;
use crate::client::Request;
use crate::error::ApiError;
use crate::hook::Api;
use crate::mutation::{MutationHandle, use_mutation};

/// Signs out through `endpoint` (a `POST` that ends the session), for an app whose session
/// check answers `S`.
///
/// When it has answered, or failed to (offline, a 5xx), the user is forgotten here and in the
/// other tabs and taken to the sign-in route (a new history entry, so Back shows what they
/// left, behind the guard). A 401 or 403 counts as done: that session is gone or unusable
/// already. Anything else ends in `Mutation::Failed`: the session may still be alive on the
/// server until its idle timeout. Only an abort (the component went away mid-request) leaves
/// everything as it was.
///
/// ```no_run
/// use gatehouse_api::SessionInfo;
/// use gatehouse_api::endpoints::Logout;
/// use gatehouse_client::use_sign_out;
/// use yew::prelude::*;
///
/// #[function_component]
/// fn SignOutButton() -> Html {
///     let sign_out = use_sign_out::<SessionInfo, _>(Logout);
///     html! { <button onclick={sign_out.reform(|_| ())}>{ "Sign out" }</button> }
/// }
/// ```
#[hook]
pub fn use_sign_out<S, E>(endpoint: E) -> MutationHandle<(), ()>
where
    S: PartialEq + 'static,
    E: Endpoint<Request = (), Response = ()>,
{
    let auth = use_auth::<S>();
    let navigator = use_navigator();
    use_mutation(move |api: Api, ()| {
        // The server's 401 is this call's answer, not a reason for another trip to sign in.
        // Nor is what the page shows worth refreshing: it is about to go.
        let request = Request::to(&endpoint)
            .handle_auth_errors()
            .without_refresh();
        let (auth, navigator) = (auth.clone(), navigator.clone());
        async move {
            let answer = match api.send::<()>(request).await {
                Err(ApiError::Http {
                    status: 401 | 403, ..
                }) => Ok(()),
                Err(ApiError::Aborted) => return Err(ApiError::Aborted),
                answer => answer,
            };
            auth.signed_out();
            if let Some(navigator) = navigator {
                navigator.push(&AnyRoute::new(auth.login_path()));
            }
            answer
        }
    })
}
