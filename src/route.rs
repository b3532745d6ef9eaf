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
