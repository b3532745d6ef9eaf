//! `/api/secured-resource`: a message for any signed-in user.

use axum::http::Method;
use gatehouse_api::SecuredResource;

use super::Route;
use crate::error::Json;
use crate::session::{Access, CurrentUser};

/// This resource's routes.
pub fn routes() -> Vec<Route> {
    vec![Route::new(
        Method::GET,
        "/api/secured-resource",
        Access::User,
        secured_resource,
    )]
}

async fn secured_resource(user: CurrentUser) -> Json<SecuredResource> {
    Json(SecuredResource {
        message: format!(
            "Hello, {}. Only signed-in users can read this.",
            user.account.username
        ),
    })
}
