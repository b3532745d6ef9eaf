//! `SignInRoute`: the one trip to the sign-in route when a request needs a sign-in, and the
//! context (`SignInRequired`) through which requests below say so.

use gatehouse_api::{ErrorCode, safe_return_path};
use serde::Serialize;
use yew::prelude::*;
use yew_router::AnyRoute;
use yew_router::hooks::use_navigator;

use crate::client::current_location;

/// Told the server's code whenever a request comes back 401 or 403 (and was not opted out):
/// the nearest auth-layer component above decides what happens.
#[derive(Clone, PartialEq)]
pub struct SignInRequired(pub Callback<ErrorCode>);

/// Props of `SignInRoute`.
#[derive(Properties, PartialEq)]
pub struct SignInRouteProps {
    /// The app's sign-in route.
    pub path: AttrValue,
    /// The app.
    pub children: Html,
}

/// Takes the user to `path?next=<here>&reason=<code>` when a request below needs a sign-in,
/// replacing the current history entry. Once there, further failures navigate nowhere, so
/// any number of requests failing together make exactly one navigation. Must sit inside a
/// router.
#[function_component]
pub fn SignInRoute(props: &SignInRouteProps) -> Html {
    let navigator = use_navigator();
    let path = props.path.clone();
    let context = use_memo((path, navigator), |(path, navigator)| {
        let (path, navigator) = (path.clone(), navigator.clone());
        SignInRequired(Callback::from(move |reason: ErrorCode| {
            send_to_login(&path, navigator.as_ref(), reason);
        }))
    });
    html! {
        <ContextProvider<SignInRequired> context={(*context).clone()}>
            { props.children.clone() }
        </ContextProvider<SignInRequired>>
    }
}

/// Replaces the current history entry with `login?next=<here>&reason=<code>`, unless the user
/// is already on the sign-in page.
fn send_to_login(
    login: &str,
    navigator: Option<&yew_router::navigator::Navigator>,
    reason: ErrorCode,
) {
    let Some(here) = current_location() else {
        return;
    };
    if here.split(['?', '#']).next() == Some(login) {
        return;
    }
    let next = safe_return_path(&here, &[login]);
    #[derive(Serialize)]
    struct Query<'a> {
        #[serde(skip_serializing_if = "Option::is_none")]
        next: Option<&'a str>,
        reason: &'a str,
    }
    let query = Query {
        next,
        reason: reason.as_str(),
    };
    if let Some(navigator) = navigator {
        let _ = navigator.replace_with_query(&AnyRoute::new(login), &query);
    }
}
