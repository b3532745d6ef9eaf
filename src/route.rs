//! `Route`: the SPA's addresses. At the bottom of the crate: every page and component may
//! link to a route, and this module imports none of them.

use yew_router::prelude::*;

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
    /// The user's notes; `?q=` is the search (`NotesQuery`).
    #[at("/notes")]
    Notes,
    /// A new note's editor.
    #[at("/notes/new")]
    NewNote,
    /// One note.
    #[at("/notes/:id")]
    Note {
        /// The note's id.
        id: i64,
    },
    /// The signed-in person's password, sessions and security activity.
    #[at("/account")]
    Account,
    /// Admins: the user list; `?q=` is the search and `?page=` the page's cursor
    /// (`AccountsQuery`).
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

/// The query of `/notes`: what the list is searched for, so a search can be shared, reloaded
/// and come back to.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct NotesQuery {
    /// The search ("" for none).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub q: String,
}

/// The query of `/admin`: the search, and the cursor of the page shown.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AccountsQuery {
    /// The search ("" for none).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub q: String,
    /// The cursor of the page shown (none for the first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<String>,
}

/// Goes to `route` with `query`, replacing the current entry (a search typed is no new page to
/// go back to); without a query string when it is empty.
pub fn replace_with_query<Q: serde::Serialize + Default + PartialEq>(
    navigator: &yew_router::navigator::Navigator,
    route: &Route,
    query: &Q,
) {
    if *query == Q::default() {
        navigator.replace(route);
    } else {
        let _ = navigator.replace_with_query(route, query);
    }
}
