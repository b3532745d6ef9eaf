//! `/api/admin`: accounts, for administrators. Every change needs a recent proof of the
//! password; each is one of `admin::Admin`'s actions, which the `user` command shares.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use gatehouse_api::{
    AccountChange, ActiveSession, AdminUser, CreatedAccount, NewAccount, OneTimePassword,
    SecurityEvent, UserPage, Username,
};
use serde::Deserialize;

use super::auth::RequestOrigin;
use super::{Declared, Route};
use crate::admin::{Actor, Admin};
use crate::db::{self, on_pool};
use crate::error::{AppError, Json, Path, Query};
use crate::events::{self, Origin};
use crate::session::{self, Access, CurrentUser};
use crate::state::AppState;
use crate::strength;
use crate::users::Account;
use gatehouse_api::endpoints::{
    ChangeUser, CreateUser, EndUserSessions, GetUser, ListUserActivity, ListUserSessions,
    ListUsers, RemoveUser, ResetPassword,
};

/// This resource's routes.
pub fn routes() -> Vec<Route> {
    vec![
        ListUsers::route(Access::Admin, list),
        CreateUser::route(Access::Admin, create).step_up(),
        GetUser::route(Access::Admin, read),
        ChangeUser::route(Access::Admin, change).step_up(),
        RemoveUser::route(Access::Admin, remove).step_up(),
        ResetPassword::route(Access::Admin, reset_password).step_up(),
        ListUserSessions::route(Access::Admin, sessions),
        EndUserSessions::route(Access::Admin, end_sessions).step_up(),
        ListUserActivity::route(Access::Admin, activity),
    ]
}

/// Accounts per page.
pub const PAGE: i64 = 50;

fn admin(state: &AppState) -> Admin<'_> {
    Admin {
        db: &state.db,
        store: &state.store,
        accounts: &state.accounts,
        hasher: &state.hasher,
    }
}

fn actor<'a>(user: &'a CurrentUser, origin: &'a Origin) -> Actor<'a> {
    Actor::Admin {
        id: user.account.id,
        name: &user.account.username,
        origin,
    }
}

/// The account as the administrators' list shows it, with its live sessions counted.
async fn row(state: &AppState, account: &Account) -> Result<AdminUser, AppError> {
    let live = session::live_sessions(&state.store, &state.sessions, account).await?;
    Ok(AdminUser {
        id: account.id,
        username: account.username.clone(),
        role: account.role.0,
        disabled: account.disabled,
        must_change_password: account.must_change_password,
        created_at: db::rfc3339(account.created_at),
        last_sign_in_at: account.last_sign_in_at.map(db::rfc3339),
        sessions: u32::try_from(live.len()).unwrap_or(u32::MAX),
    })
}

/// `GET /api/admin/users` query.
#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    /// Part of a name, any case.
    #[serde(default)]
    q: String,
    /// From a previous page's `next_cursor`.
    #[serde(default)]
    cursor: Option<String>,
}

fn encode_cursor(folded: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(folded)
}

fn decode_cursor(cursor: &str) -> Result<String, AppError> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(|| AppError::Malformed("the cursor is not one this server gave".into()))
}

/// `LIKE` treats `%`, `_` and the escape character as special; a search means them literally.
fn like_pattern(q: &str) -> String {
    let mut pattern = String::from("%");
    for c in q.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// `GET /api/admin/users?q=&cursor=`: accounts by name, 50 a page, those whose name contains
/// `q` (any case).
async fn list(
    State(state): State<AppState>,
    Query(query): Query<ListQuery>,
) -> Result<Json<UserPage>, AppError> {
    let after = query.cursor.as_deref().map(decode_cursor).transpose()?;
    let sql = "SELECT id, username, role, session_epoch, created_at, password_hash, disabled, \
               must_change_password, last_sign_in_at, username_folded FROM users \
               WHERE COALESCE(username_search, username_folded) LIKE $1 ESCAPE '\\' \
               AND username_folded > $2 ORDER BY username_folded LIMIT $3";
    let pattern = like_pattern(&Username::search_query(&query.q));
    let rows: Vec<AccountRow> = on_pool!(&state.db, pool => sqlx::query_as(sql)
        .bind(pattern)
        .bind(after.unwrap_or_default())
        .bind(PAGE + 1)
        .fetch_all(pool)
        .await)?;
    let more = rows.len() as i64 > PAGE;
    let mut users = Vec::new();
    let mut last = None;
    for r in rows.into_iter().take(PAGE as usize) {
        users.push(row(&state, &r.account).await?);
        last = Some(r.username_folded);
    }
    let next_cursor = last.filter(|_| more).map(|l| encode_cursor(&l));
    Ok(Json(UserPage { users, next_cursor }))
}

/// An account with the column the list orders by.
#[derive(sqlx::FromRow)]
struct AccountRow {
    #[sqlx(flatten)]
    account: Account,
    username_folded: String,
}

/// `POST /api/admin/users`: 201 with the account and, when none was given, its one-time
/// password (shown this once).
async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    RequestOrigin(here): RequestOrigin,
    Json(new): Json<NewAccount>,
) -> Result<Response, AppError> {
    let name = Username::try_from(new.username.as_str());
    let password = new
        .password
        .as_deref()
        .map(|p| strength::new_password("password", p, &[new.username.as_str()]))
        .transpose();
    let (name, password) = crate::error::both(name, password)?;
    let (account, one_time_password) = admin(&state)
        .create(actor(&user, &here), &name, new.role, password, true)
        .await?;
    let body = CreatedAccount {
        user: row(&state, &account).await?,
        one_time_password,
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// `GET /api/admin/users/{id}`.
async fn read(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<AdminUser>, AppError> {
    let account = admin(&state).get(id).await?;
    Ok(Json(row(&state, &account).await?))
}

/// `PATCH /api/admin/users/{id}`: role, disabled or enabled.
async fn change(
    State(state): State<AppState>,
    user: CurrentUser,
    RequestOrigin(here): RequestOrigin,
    Path(id): Path<i64>,
    Json(change): Json<AccountChange>,
) -> Result<Json<AdminUser>, AppError> {
    let account = admin(&state)
        .change(actor(&user, &here), id, &change)
        .await?;
    Ok(Json(row(&state, &account).await?))
}

/// `DELETE /api/admin/users/{id}`: the account, its notes and its sessions.
async fn remove(
    State(state): State<AppState>,
    user: CurrentUser,
    RequestOrigin(here): RequestOrigin,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    admin(&state).remove(actor(&user, &here), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/admin/users/{id}/password-reset`: a one-time password, every session ended.
async fn reset_password(
    State(state): State<AppState>,
    user: CurrentUser,
    RequestOrigin(here): RequestOrigin,
    Path(id): Path<i64>,
) -> Result<Json<OneTimePassword>, AppError> {
    let one_time_password = admin(&state)
        .reset_password(actor(&user, &here), id)
        .await?;
    Ok(Json(OneTimePassword { one_time_password }))
}

/// `GET /api/admin/users/{id}/sessions`.
async fn sessions(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<Vec<ActiveSession>>, AppError> {
    let account = admin(&state).get(id).await?;
    let live = session::live_sessions(&state.store, &state.sessions, &account).await?;
    let current = (id == user.account.id).then_some(user.session);
    Ok(Json(session::rows(live, current)))
}

/// `DELETE /api/admin/users/{id}/sessions`: ends them all, at once.
async fn end_sessions(
    State(state): State<AppState>,
    user: CurrentUser,
    RequestOrigin(here): RequestOrigin,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    admin(&state).end_sessions(actor(&user, &here), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/admin/users/{id}/activity`: that account's last 50 security events.
async fn activity(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<Vec<SecurityEvent>>, AppError> {
    let account = admin(&state).get(id).await?;
    Ok(Json(events::recent(&state.db, account.id).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_matches_percent_and_underscore_literally() {
        assert_eq!(like_pattern("a_b%"), "%a\\_b\\%%");
        assert_eq!(like_pattern(""), "%%");
    }

    #[test]
    fn a_cursor_round_trips_and_a_forged_one_is_refused() {
        assert_eq!(decode_cursor(&encode_cursor("zoë")).unwrap(), "zoë");
        assert!(decode_cursor("***").is_err());
    }
}
