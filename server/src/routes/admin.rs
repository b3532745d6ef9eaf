//! `/api/admin`: accounts, for administrators. Every change needs a recent proof of the
//! password; each is one of `admin::Admin`'s actions, which the `user` command shares.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use gatehouse_api::{
    AccountChange, ActiveSession, AdminUser, CreatedAccount, LinkedIdentity, NewAccount,
    OneTimePassword, SecurityEvent, UserPage, Username,
};

use super::auth::RequestOrigin;
use super::{Declared, Route};
use crate::admin::{Actor, Admin};
use crate::auth::strength;
use crate::data::cursor::PageError;
use crate::data::db;
use crate::data::events::{self, Origin};
use crate::data::users::{self, Account};
use crate::error::{AppError, Json, Path, Query};
use crate::session::{self, Access, CurrentUser, Writer};
use crate::state::AppState;
use gatehouse_api::endpoints::{
    ChangeUser, CreateUser, EndUserSessions, GetUser, ListUserActivity, ListUserIdentities,
    ListUserSessions, ListUsers, RemoveUser, RemoveUserIdentities, RemoveUserPasskeys,
    RemoveUserTotp, ResetPassword,
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
        RemoveUserTotp::route(Access::Admin, remove_totp).step_up(),
        RemoveUserPasskeys::route(Access::Admin, remove_passkeys).step_up(),
        ListUserIdentities::route(Access::Admin, identities),
        RemoveUserIdentities::route(Access::Admin, remove_identities).step_up(),
    ]
}

fn admin(state: &AppState) -> Admin<'_> {
    Admin {
        db: &state.db,
        store: &state.store,
        accounts: &state.accounts,
        hasher: &state.hasher,
    }
}

fn actor<'a>(writer: &'a Writer, origin: &'a Origin) -> Actor<'a> {
    Actor::Admin { writer, origin }
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
        totp: account.totp,
        passkeys: u32::try_from(account.passkeys).unwrap_or(u32::MAX),
        identities: u32::try_from(account.identities).unwrap_or(u32::MAX),
        has_password: account.has_password,
    })
}

/// `GET /api/admin/users?q=&cursor=`: accounts by name, 50 a page, those whose name contains
/// `q` (any case).
async fn list(
    State(state): State<AppState>,
    Query(query): Query<ListUsers>,
) -> Result<Json<UserPage>, AppError> {
    let (accounts, next_cursor) = users::search(&state.db, &query.q, query.cursor.as_deref())
        .await
        .map_err(page_error)?;
    let mut users = Vec::with_capacity(accounts.len());
    for account in &accounts {
        users.push(row(&state, account).await?);
    }
    Ok(Json(UserPage { users, next_cursor }))
}

/// A list's refusal: a forged cursor is the client's mistake.
pub fn page_error(e: PageError) -> AppError {
    match e {
        PageError::BadCursor => AppError::Malformed(e.to_string()),
        PageError::Db(e) => e.into(),
    }
}

/// `POST /api/admin/users`: 201 with the account and, when none was given, its one-time
/// password (shown this once). A chosen password is judged (off the request threads) before
/// it is hashed.
async fn create(
    State(state): State<AppState>,
    writer: Writer,
    RequestOrigin(here): RequestOrigin,
    Json(new): Json<NewAccount>,
) -> Result<Response, AppError> {
    let name = Username::try_from(new.username.as_str());
    let password = new
        .password
        .as_deref()
        .map(|p| strength::parse_new("password", p))
        .transpose();
    let (name, password) = crate::error::both(name, password)?;
    if let Some(password) = &password {
        state
            .hasher
            .check_strength("password", password, &[name.as_str()])
            .await?;
    }
    let (account, one_time_password) = admin(&state)
        .create(actor(&writer, &here), &name, new.role, password, true)
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
    writer: Writer,
    RequestOrigin(here): RequestOrigin,
    Path(id): Path<i64>,
    Json(change): Json<AccountChange>,
) -> Result<Json<AdminUser>, AppError> {
    let account = admin(&state)
        .change(actor(&writer, &here), id, &change)
        .await?;
    Ok(Json(row(&state, &account).await?))
}

/// `DELETE /api/admin/users/{id}`: the account, its notes and its sessions.
async fn remove(
    State(state): State<AppState>,
    writer: Writer,
    RequestOrigin(here): RequestOrigin,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    admin(&state).remove(actor(&writer, &here), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/admin/users/{id}/password-reset`: a one-time password, every session ended.
async fn reset_password(
    State(state): State<AppState>,
    writer: Writer,
    RequestOrigin(here): RequestOrigin,
    Path(id): Path<i64>,
) -> Result<Json<OneTimePassword>, AppError> {
    let one_time_password = admin(&state)
        .reset_password(actor(&writer, &here), id)
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
    writer: Writer,
    RequestOrigin(here): RequestOrigin,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    admin(&state)
        .end_sessions(actor(&writer, &here), id)
        .await?;
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

/// `DELETE /api/admin/users/{id}/totp`: the account's authenticator app off, its sessions ended.
async fn remove_totp(
    State(state): State<AppState>,
    writer: Writer,
    RequestOrigin(here): RequestOrigin,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    admin(&state).remove_totp(actor(&writer, &here), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /api/admin/users/{id}/passkeys`: every passkey of the account removed, its sessions
/// ended.
async fn remove_passkeys(
    State(state): State<AppState>,
    writer: Writer,
    RequestOrigin(here): RequestOrigin,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    admin(&state)
        .remove_passkeys(actor(&writer, &here), id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/admin/users/{id}/identities`: the identities at the provider linked to an account.
async fn identities(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<Vec<LinkedIdentity>>, AppError> {
    users::find_by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let rows = crate::data::identities::of_account(&state.db, id).await?;
    Ok(Json(rows.iter().map(super::provider::info).collect()))
}

/// `DELETE /api/admin/users/{id}/identities`: unlinks them all, ending the account's sessions.
async fn remove_identities(
    State(state): State<AppState>,
    writer: Writer,
    RequestOrigin(here): RequestOrigin,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    admin(&state)
        .remove_identities(actor(&writer, &here), id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
