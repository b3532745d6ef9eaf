//! `Route`, `switch` and `App`: the whole SPA.

use yew::prelude::*;
use yew_router::prelude::*;

use gatehouse_api::endpoints::Me;
use gatehouse_client::{ApiProvider, AuthProvider};

use crate::components::Nav;
use crate::pages::{
    AdminPage, DashboardPage, HomePage, LoginPage, NotFoundPage, NotePage, NotesPage,
};

/// Where 401/403 send the user.
pub const LOGIN_PATH: &str = "/login";

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
    /// Admins: the user list.
    #[at("/admin")]
    Admin,
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
        Route::Admin => html! { <AdminPage /> },
        Route::NotFound => html! { <NotFoundPage /> },
    }
}

/// The application.
#[function_component]
pub fn App() -> Html {
    html! {
        <BrowserRouter>
            <ApiProvider>
                <AuthProvider<Me> check={Me} login_path={LOGIN_PATH}>
                    <Nav />
                    <main>
                        <Switch<Route> render={switch} />
                    </main>
                </AuthProvider<Me>>
            </ApiProvider>
        </BrowserRouter>
    }
}
