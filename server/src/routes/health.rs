//! `/api/health`: whether the server and each dependency it uses answer; no session needed.

use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use gatehouse_api::{DependencyHealth, Health};

use super::{Declared, Route};
use crate::data::sessions;
use crate::error::Json;
use crate::session::Access;
use crate::state::AppState;
use gatehouse_api::endpoints::GetHealth;

/// This resource's routes.
pub fn routes() -> Vec<Route> {
    vec![GetHealth::route(Access::Public, health)]
}

/// How long each dependency has to answer.
const PING_TIMEOUT: Duration = Duration::from_secs(1);

async fn in_time(ping: impl Future<Output = bool>) -> bool {
    tokio::time::timeout(PING_TIMEOUT, ping).await == Ok(true)
}

/// 200 when every dependency answers within a second, else 503; the body says which. Sessions
/// kept in the database are reported as a second use of it, with the same answer.
async fn health(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    let database = DependencyHealth {
        name: "database".into(),
        kind: state.db.kind().into(),
        ok: in_time(state.db.ping()).await,
    };
    let session_store = match &state.redis {
        Some(redis) => DependencyHealth {
            name: "session_store".into(),
            kind: "redis".into(),
            ok: in_time(sessions::ping_redis(redis)).await,
        },
        None => DependencyHealth {
            name: "session_store".into(),
            ..database.clone()
        },
    };
    let dependencies = vec![database, session_store];
    let ok = dependencies.iter().all(|d| d.ok);
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(Health { ok, dependencies }))
}
