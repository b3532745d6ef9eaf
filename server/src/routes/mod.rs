//! The `/api` route table: every route with its method, path and who may call it.
//!
//! Routes are declared as data so that access is never forgotten (each names its `Access`) and
//! so that the authorization tests can enumerate them all.

use axum::Router;
use axum::handler::Handler;
use axum::http::Method;
use axum::middleware::from_fn_with_state;
use axum::routing::{MethodFilter, MethodRouter, on};

use crate::session::{Access, require_admin, require_user};
use crate::state::AppState;

pub mod admin;
pub mod auth;
pub mod health;
pub mod notes;
pub mod secured;

/// One `/api` route.
pub struct Route {
    /// The HTTP method.
    pub method: Method,
    /// The full path, axum syntax (`/api/notes/{id}`).
    pub path: &'static str,
    /// Who may call it.
    pub access: Access,
    handler: MethodRouter<AppState>,
}

impl Route {
    /// A route answering `method` on `path` with `handler`.
    pub fn new<H, T>(method: Method, path: &'static str, access: Access, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let filter = MethodFilter::try_from(method.clone()).expect("a standard method");
        Self {
            method,
            path,
            access,
            handler: on(filter, handler),
        }
    }
}

/// Every `/api` route.
pub fn all() -> Vec<Route> {
    [
        auth::routes(),
        health::routes(),
        secured::routes(),
        notes::routes(),
        admin::routes(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The routes with their guards: `User` and `Admin` routes answer 401/403 before the handler.
pub fn router(state: &AppState) -> Router<AppState> {
    all().into_iter().fold(Router::new(), |router, route| {
        let handler = match route.access {
            Access::Public => route.handler,
            Access::User => route
                .handler
                .route_layer(from_fn_with_state(state.clone(), require_user)),
            Access::Admin => route
                .handler
                .route_layer(from_fn_with_state(state.clone(), require_admin)),
        };
        router.route(route.path, handler)
    })
}
