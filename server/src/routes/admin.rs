//! `/api/admin`: the user list, for admins only.

use crate::db::Db;
use axum::extract::State;
use axum::http::Method;
use gatehouse_api::UserRecord;

use super::Route;
use crate::error::{AppError, Json};
use crate::session::Access;
use crate::users;

/// This resource's routes.
pub fn routes() -> Vec<Route> {
    vec![Route::new(
        Method::GET,
        "/api/admin/users",
        Access::Admin,
        list_users,
    )]
}

async fn list_users(State(db): State<Db>) -> Result<Json<Vec<UserRecord>>, AppError> {
    let accounts = users::list(&db).await?;
    Ok(Json(
        accounts.iter().map(users::Account::to_record).collect(),
    ))
}
