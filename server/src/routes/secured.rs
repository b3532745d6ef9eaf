//! `/api/secured-resource`: a message for any signed-in user.

use gatehouse_api::SecuredResource;

use super::{Declared, Route};
use crate::error::Json;
use crate::session::{Access, CurrentUser};
use gatehouse_api::endpoints::GetSecuredResource;

/// This resource's routes.
pub fn routes() -> Vec<Route> {
    vec![GetSecuredResource::route(Access::User, secured_resource)]
}

async fn secured_resource(user: CurrentUser) -> Json<SecuredResource> {
    Json(SecuredResource {
        message: format!(
            "Hello, {}. Only signed-in users can read this.",
            user.account.username
        ),
    })
}
