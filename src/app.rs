//! `Route`, `switch` and `App`: the whole SPA.

use yew::prelude::*;
use yew_router::prelude::*;

use gatehouse_api::SIGN_IN_PAGE;
use gatehouse_api::endpoints::Me;
use gatehouse_client::{ApiProvider, AuthProvider};

use crate::components::{Nav, ToastProvider};
use crate::expiry::ExpiryWarning;
use crate::pages::{
    AccountPage, AdminPage, AdminUserPage, DashboardPage, HomePage, LoginPage, NotFoundPage,
    NotePage, NotesPage,
};

/// The id of the element holding the page pre-rendered at build time, which `main` takes over.
pub const PRERENDERED_ID: &str = "prerendered";

/// The SPA's routes.
#[derive(Clone, Debug, PartialEq, Routable)]
pub enum Route {
    /// Public landing page.
    #[at("/")]
    Home,
    /// Sign-in.
    #[at("/login")]
    Login,
    /// The signed-in user's overview.
    #[at("/dashboard")]
    Dashboard,
    /// The user's notes.
    #[at("/notes")]
    Notes,
    /// One note.
    #[at("/notes/:id")]
    Note {
        /// The note's id.
        id: i64,
    },
    /// The signed-in person's password, sessions and security activity.
    #[at("/account")]
    Account,
    /// Admins: the user list.
    #[at("/admin")]
    Admin,
    /// Admins: one account.
    #[at("/admin/users/:id")]
    AdminUser {
        /// The account's id.
        id: i64,
    },
    /// Anything else.
    #[not_found]
    #[at("/404")]
    NotFound,
}

/// Renders the page for a route.
pub fn switch(route: Route) -> Html {
    match route {
        Route::Home => html! { <HomePage /> },
        Route::Login => html! { <LoginPage /> },
        Route::Dashboard => html! { <DashboardPage /> },
        Route::Notes => html! { <NotesPage /> },
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

/// Everything under the router: the client, the session, toasts, the header, the page and the
/// expiry warning. `prerender` renders it at build time for the first paint.
#[function_component]
pub fn Frame(props: &FrameProps) -> Html {
    html! {
        <ApiProvider>
            <AuthProvider<Me> check={Me} login_path={SIGN_IN_PAGE}>
                <ToastProvider>
                    <a class="skip" href="#main">{ "Skip to content" }</a>
                    <Nav />
                    <main id="main">
                        if props.pages {
                            <Switch<Route> render={switch} />
                        }
                    </main>
                    <ExpiryWarning />
                </ToastProvider>
            </AuthProvider<Me>>
        </ApiProvider>
    }
}
