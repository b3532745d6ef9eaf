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
use crate::pages::{
    AccountPage, AdminPage, AdminUserPage, DashboardPage, HomePage, LoginPage, NewNotePage,
    NotFoundPage, NotePage, NotesPage,
};
use crate::route::Route;

/// The id of the element holding the page pre-rendered at build time, which `main` takes over.
pub const PRERENDERED_ID: &str = "prerendered";

/// Renders the page for a route.
pub fn switch(route: Route) -> Html {
    match route {
        Route::Home => html! { <HomePage /> },
        Route::Login => html! { <LoginPage /> },
        Route::Dashboard => html! { <DashboardPage /> },
        Route::Notes => html! { <NotesPage /> },
        Route::NewNote => html! { <NewNotePage /> },
        Route::Note { id } => html! { <NotePage {id} /> },
        Route::Account => html! { <AccountPage /> },
        Route::Admin => html! { <AdminPage /> },
        Route::AdminUser { id } => html! { <AdminUserPage {id} /> },
        Route::NotFound => html! { <NotFoundPage /> },
    }
}

/// The application: the browser's address decides the page.
#[function_component]
pub fn App() -> Html {
    html! {
        <BrowserRouter>
            <Frame />
        </BrowserRouter>
    }
}

/// Props of `Frame`.
#[derive(Properties, PartialEq)]
pub struct FrameProps {
    /// Whether to show the route's page in `main` (the pre-rendered shell leaves it empty).
    #[prop_or(true)]
    pub pages: bool,
}

/// Everything under the router: the client, the session, toasts, what forms keep between
/// pages, the header, the page and the expiry warning. `prerender` renders it at build time
/// for the first paint.
#[function_component]
pub fn Frame(props: &FrameProps) -> Html {
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
                            if props.pages {
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
