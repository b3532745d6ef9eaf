//! `switch`, `App` and `Frame`: the whole SPA, from the router down to each route's page.

use yew::prelude::*;
use yew_router::prelude::*;

use gatehouse_api::SIGN_IN_PAGE;
use gatehouse_api::endpoints::Me;
use gatehouse_client::{ApiProvider, AuthProvider};

use crate::components::remembered::RememberedProvider;
use crate::components::{Nav, ToastProvider, UnreachableBanner};
use crate::expiry::ExpiryWarning;
use crate::kept::KeptProvider;
use crate::later::{Deferred, Later};
use crate::pages::{HomePage, LoginPage, dashboard_page, not_found_page};
use crate::route::Route;

/// The id of the element holding the page pre-rendered at build time, which `main` takes over.
pub const PRERENDERED_ID: &str = "prerendered";

/// Renders the page for a route: the notes, the account and the administration from parts of
/// the wasm loaded on first use (`Later`).
pub fn switch(route: Route) -> Html {
    match route {
        Route::Home => html! { <HomePage /> },
        Route::Login => html! { <LoginPage /> },
        Route::Dashboard => dashboard_page(),
        Route::NotFound => not_found_page(),
        Route::Notes | Route::NewNote | Route::Note { .. } => later(&route),
        Route::Account | Route::Admin | Route::AdminUser { .. } => later(&route),
    }
}

fn later(route: &Route) -> Html {
    match Deferred::of(route) {
        Some(page) => html! { <Later {page} /> },
        None => not_found_page(),
    }
}

/// The application: the browser's address decides the page.
#[function_component]
pub fn App() -> Html {
    html! {
        <BrowserRouter>
            { frame(true) }
        </BrowserRouter>
    }
}

/// Everything under the router: the client, the session, toasts, what forms keep between
/// pages, the header, the page (unless not `pages`: the pre-rendered shell leaves `main`
/// empty) and the expiry warning. `prerender` renders it at build time for the first paint.
pub fn frame(pages: bool) -> Html {
    html! {
        <ApiProvider>
            <AuthProvider<Me> check={Me} login_path={SIGN_IN_PAGE}>
                <ToastProvider>
                    <KeptProvider>
                    <RememberedProvider>
                        <a class="skip" href="#main">{ "Skip to content" }</a>
                        <Nav />
                        <UnreachableBanner />
                        <main id="main">
                            if pages {
                                <Switch<Route> render={switch} />
                            }
                        </main>
                        <ExpiryWarning />
                    </RememberedProvider>
                    </KeptProvider>
                </ToastProvider>
            </AuthProvider<Me>>
        </ApiProvider>
    }
}
