//! `/api/openapi.json`: the API's contract (see the `openapi` module), for anyone.

use axum::extract::State;
use gatehouse_api::endpoints::GetOpenApi;

use super::{Declared, Route};
use crate::error::Json;
use crate::session::Access;
use crate::state::Contract;

/// This resource's routes.
pub fn routes() -> Vec<Route> {
    vec![GetOpenApi::route(Access::Public, document)]
}

/// `GET /api/openapi.json`.
async fn document(State(Contract(doc)): State<Contract>) -> Json<serde_json::Value> {
    Json((*doc).clone())
}
