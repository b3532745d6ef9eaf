//! `/api/health`: whether the server and its dependencies answer; no session needed.

use std::time::Duration;

use axum::extract::State;
use axum::http::{Method, StatusCode};
use gatehouse_api::{DependencyHealth, Health};
use sqlx::SqlitePool;

use super::Route;
use crate::error::Json;
use crate::session::Access;

/// This resource's routes.
pub fn routes() -> Vec<Route> {
    vec![Route::new(
        Method::GET,
        "/api/health",
        Access::Public,
        health,
    )]
}

/// 200 when every dependency answers within a second, else 503; the body says which.
async fn health(State(db): State<SqlitePool>) -> (StatusCode, Json<Health>) {
    let ping = sqlx::query_scalar::<_, i64>("SELECT 1").fetch_one(&db);
    let database = matches!(
        tokio::time::timeout(Duration::from_secs(1), ping).await,
        Ok(Ok(1))
    );
    let dependencies = vec![DependencyHealth {
        name: "database".into(),
        ok: database,
    }];
    let ok = dependencies.iter().all(|d| d.ok);
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(Health { ok, dependencies }))
}
