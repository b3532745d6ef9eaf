//! The `/api` route table: every route with its method, path and who may call it.
//!
//! Routes are declared as data so that access is never forgotten (each names its `Access`) and
//! so that the authorization tests can enumerate them all.

use axum::Router;
use axum::handler::Handler;
use axum::http::Method;
use axum::middleware::from_fn_with_state;
use axum::routing::{MethodFilter, MethodRouter, on};

use axum::extract::FromRef;

use gatehouse_api::Endpoint;

use crate::session::{Access, Guard, Rule, guard};
use crate::state::AppState;
use contract::Contract;

pub mod account;
pub mod admin;
pub mod auth;
pub mod contract;
pub mod docs;
pub mod health;
pub mod methods;
pub mod notes;
pub mod openapi;
pub mod provider;
pub mod secured;

/// One `/api` route: an endpoint declared in the api crate, with who may call it.
pub struct Route {
    /// The HTTP method.
    pub method: Method,
    /// The full path, axum syntax (`/api/notes/{id}`).
    pub path: &'static str,
    /// The endpoint's name (its type in `gatehouse_api::endpoints`).
    pub name: &'static str,
    /// Who may call it.
    pub access: Access,
    /// Whether it needs a recent proof of the password (`reauth_required` otherwise).
    pub step_up: bool,
    /// Whether calling it renews the session's idle clock.
    pub renews: bool,
    /// Whether an account that must replace its one-time password may call it.
    pub before_password_change: bool,
    /// Whether an account that must still set up a second way in may call it.
    pub before_second_factor: bool,
    /// What the published contract says of it.
    pub contract: Contract,
    handler: MethodRouter<AppState>,
}

/// Routes are made from endpoint declarations: `GetNote::route(Access::User, read)`.
pub trait Declared: Endpoint {
    /// The route for this endpoint, answered by `handler` for callers with `access`.
    fn route<H, T>(access: Access, handler: H) -> Route
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        Route::new::<Self, H, T>(access, handler)
    }
}

impl<E: Endpoint> Declared for E {}

/// The router's method for a declared one.
pub fn method_of(method: gatehouse_api::Method) -> Method {
    match method {
        gatehouse_api::Method::Get => Method::GET,
        gatehouse_api::Method::Post => Method::POST,
        gatehouse_api::Method::Put => Method::PUT,
        gatehouse_api::Method::Patch => Method::PATCH,
        gatehouse_api::Method::Delete => Method::DELETE,
    }
}

impl Route {
    fn new<E, H, T>(access: Access, handler: H) -> Self
    where
        E: Endpoint,
        H: Handler<T, AppState>,
        T: 'static,
    {
        let method = method_of(E::METHOD);
        let filter = MethodFilter::try_from(method.clone()).expect("a standard method");
        let name = std::any::type_name::<E>()
            .rsplit("::")
            .next()
            .unwrap_or_default();
        Self {
            method,
            path: E::PATH,
            name,
            access,
            step_up: false,
            renews: true,
            before_password_change: false,
            before_second_factor: false,
            contract: Contract {
                summary: E::SUMMARY,
                params: E::PARAMS,
                errors: E::ERRORS,
                creates: E::CREATES,
                redirects: E::REDIRECTS,
                request: E::request_schema,
                response: E::response_schema,
            },
            handler: on(filter, handler),
        }
    }

    /// Needs a sign-in or re-authentication within the reauth window.
    pub fn step_up(self) -> Self {
        Self {
            step_up: true,
            ..self
        }
    }

    /// Does not count as activity: the idle clock is left alone.
    pub fn without_renewal(self) -> Self {
        Self {
            renews: false,
            ..self
        }
    }

    /// Open to an account that must still replace its one-time password.
    pub fn before_password_change(self) -> Self {
        Self {
            before_password_change: true,
            ..self
        }
    }

    /// Open to an account the second-factor policy covers that has none yet (what setting one
    /// up, and the session's own routes, need).
    pub fn before_second_factor(self) -> Self {
        Self {
            before_second_factor: true,
            ..self
        }
    }

    /// What the guard checks and does for this route.
    pub fn rule(&self) -> Rule {
        Rule {
            access: self.access,
            step_up: self.step_up,
            renews: self.renews,
            before_password_change: self.before_password_change,
            before_second_factor: self.before_second_factor,
        }
    }
}

/// Every `/api` route.
pub fn all() -> Vec<Route> {
    [
        auth::routes(),
        account::routes(),
        methods::routes(),
        provider::routes(),
        health::routes(),
        docs::routes(),
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
    // Shared, not copied: the guard's state is cloned for every request it sees.
    let guarded = std::sync::Arc::new(Guard::from_ref(state));
    all().into_iter().fold(Router::new(), |router, route| {
        let handler = match route.access {
            Access::Public => route.handler,
            Access::User | Access::Admin => {
                let rule = route.rule();
                route
                    .handler
                    .route_layer(from_fn_with_state((guarded.clone(), rule), guard))
            }
        };
        router.route(route.path, handler)
    })
}
