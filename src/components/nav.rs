//! `Nav`: the top bar, with the user's name and Sign out.

use gatehouse_api::Role;
use yew::prelude::*;
use yew_router::prelude::*;

use gatehouse_api::endpoints::Logout;
use gatehouse_client::{ApiError, Request, use_api};

use crate::app::Route;
use crate::components::ErrorView;
use crate::session::{use_session, user};

/// The navigation bar.
#[function_component]
pub fn Nav() -> Html {
    let auth = use_session();
    let api = use_api();
    let navigator = use_navigator();
    let error = use_state(|| None::<ApiError>);
    let onsignout = {
        let (auth, error) = (auth.clone(), error.clone());
        Callback::from(move |_| {
            let (api, auth, error, navigator) =
                (api.clone(), auth.clone(), error.clone(), navigator.clone());
            yew::platform::spawn_local(async move {
                let request = Request::to(&Logout).handle_auth_errors();
                match api.send::<()>(request).await {
                    // 401/403: the session is already gone or unusable; signed out all the same.
                    Ok(())
                    | Err(ApiError::Http {
                        status: 401 | 403, ..
                    }) => {
                        error.set(None);
                        auth.signed_out();
                        if let Some(n) = navigator {
                            n.push(&Route::Login);
                        }
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    let user = user(&auth).cloned();
    html! {
        <header class="nav">
            <nav aria-label="Main">
                <Link<Route> to={Route::Home} classes="brand">{ "Gatehouse" }</Link<Route>>
                if user.is_some() {
                    <Link<Route> to={Route::Dashboard}>{ "Dashboard" }</Link<Route>>
                    <Link<Route> to={Route::Notes}>{ "Notes" }</Link<Route>>
                }
                if user.as_ref().is_some_and(|u| u.role == Role::Admin) {
                    <Link<Route> to={Route::Admin}>{ "Admin" }</Link<Route>>
                }
            </nav>
            <div class="who">
                if let Some(user) = user {
                    <span class="username">{ &user.username }</span>
                    <button type="button" onclick={onsignout}>{ "Sign out" }</button>
                } else {
                    <Link<Route> to={Route::Login}>{ "Sign in" }</Link<Route>>
                }
            </div>
            if let Some(e) = &*error {
                <ErrorView error={e.clone()} />
            }
        </header>
    }
}
