//! `/api/auth/session…`, `/api/auth/sessions…`, `/api/auth/password`, `/api/auth/activity`
//! and `/api/auth/reauth`: the signed-in account's own session, sessions, password and
//! security activity.

use axum::extract::{FromRequestParts, State};
use axum::http::HeaderMap;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use gatehouse_api::{
    ActiveSession, FieldError, Password, PasswordChange, Reauth, SecondFactorProof, SecurityEvent,
    SecurityEventKind, SessionState, Username,
};
use tower_sessions::session::Id;

use super::auth::{ClientAddress, RequestOrigin};
use super::{Declared, Route};
use crate::auth::credentials::{Checked, Claimant, SecondFactor};
use crate::auth::strength;
use crate::data::ended::EndReason;
use crate::data::events::{self, Event};
use crate::data::factors;
use crate::data::users;
use crate::error::{AppError, Json, Path, both};
use crate::session::{
    self, Access, AuthSession, CurrentUser, SessionCookies, Writer, now_ms, rfc3339_ms,
};
use crate::state::AppState;
use gatehouse_api::endpoints::{
    ChangePassword, EndOtherSessions, EndSession, ExtendSession, GetSessionState, ListActivity,
    ListSessions, Reauthenticate,
};

/// This resource's routes. Reading the session's state does not count as activity; extending
/// it renews the clock itself; ending sessions needs a recent proof of the password. Changing
/// the password asks for the current one, which is itself that proof, so it needs no other
/// (and an account that must replace its one-time password can always do so), and confirming
/// the password is open to such an account too.
pub fn routes() -> Vec<Route> {
    vec![
        GetSessionState::route(Access::User, state)
            .without_renewal()
            .before_second_factor(),
        ExtendSession::route(Access::User, extend)
            .without_renewal()
            .before_second_factor(),
        ListSessions::route(Access::User, list),
        EndSession::route(Access::User, end).step_up(),
        EndOtherSessions::route(Access::User, end_others).step_up(),
        ChangePassword::route(Access::User, password)
            .before_password_change()
            .before_second_factor(),
        ListActivity::route(Access::User, activity),
        Reauthenticate::route(Access::User, reauth)
            .before_password_change()
            .before_second_factor(),
    ]
}

/// The session's deadlines, as the SPA's expiry warning needs them.
pub fn session_state(state: &AppState, auth: &AuthSession) -> SessionState {
    let policy = &state.sessions;
    SessionState {
        now: rfc3339_ms(now_ms()),
        idle_expires_at: rfc3339_ms(policy.idle_expires_at_ms(auth)),
        absolute_expires_at: rfc3339_ms(policy.absolute_expires_at_ms(auth)),
        reauthenticated_at: rfc3339_ms(auth.auth_at_ms),
        reauthenticated_until: rfc3339_ms(policy.reauthenticated_until_ms(auth)),
        idle_timeout_seconds: policy.idle_timeout.as_secs(),
    }
}

/// Changes the current session with `change` (see `session::current`).
async fn update_current(
    state: &AppState,
    user: &CurrentUser,
    change: impl Fn(&mut AuthSession),
) -> Result<(AuthSession, SessionCookies), AppError> {
    session::current::update(&state.store, &state.sessions, user, change).await
}

/// `GET /api/auth/session`: the current session's deadlines, without renewing it.
async fn state(State(state): State<AppState>, user: CurrentUser) -> Json<SessionState> {
    Json(session_state(&state, &user.auth))
}

/// `POST /api/auth/session/extend`: renews the idle clock ("Stay signed in").
async fn extend(State(state): State<AppState>, user: CurrentUser) -> Result<Response, AppError> {
    let now = now_ms();
    let (auth, cookies) = update_current(&state, &user, |a| a.last_seen_ms = now).await?;
    Ok((cookies, Json(session_state(&state, &auth))).into_response())
}

/// The account's live sessions, each with its id.
async fn live_sessions(
    state: &AppState,
    user: &CurrentUser,
) -> Result<Vec<(Id, AuthSession)>, AppError> {
    session::live_sessions(&state.store, &state.sessions, &user.account).await
}

/// `GET /api/auth/sessions`: where this account is signed in, this session first, then the
/// most recently active.
async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<ActiveSession>>, AppError> {
    let sessions = live_sessions(&state, &user).await?;
    Ok(Json(session::rows(sessions, Some(user.session))))
}

/// `DELETE /api/auth/sessions/{id}`: ends one of this account's sessions, at once everywhere.
/// Ending the current one signs out.
async fn end(
    State(state): State<AppState>,
    writer: Writer,
    RequestOrigin(here): RequestOrigin,
    Path(target): Path<String>,
) -> Result<Response, AppError> {
    let user = &writer.user;
    let (id, ended) = live_sessions(&state, user)
        .await?
        .into_iter()
        .find(|(id, _)| session::handle(*id) == target)
        .ok_or(AppError::NotFound)?;
    writer.ensure_live().await?;
    session::end_one(
        &state.store,
        &state.db,
        user.account.id,
        &id,
        EndReason::EndedElsewhere,
    )
    .await?;
    let event = Event::by_self(SecurityEventKind::SessionEnded, &ended.origin());
    events::record(&state.db, user.account.id, event).await?;
    tracing::info!(user_id = user.account.id, from = ?here.address, "ended a session");
    let done = StatusCode::NO_CONTENT.into_response();
    Ok(if id == user.session {
        state.sessions.clearing_cookies(done)
    } else {
        done
    })
}

/// `POST /api/auth/sessions/end-others`: ends every session of this account but this one.
async fn end_others(State(state): State<AppState>, writer: Writer) -> Result<StatusCode, AppError> {
    let user = &writer.user;
    let others: Vec<(Id, AuthSession)> = live_sessions(&state, user)
        .await?
        .into_iter()
        .filter(|(id, _)| *id != user.session)
        .collect();
    writer.ensure_live().await?;
    let ended = session::end_all(
        &state.store,
        &state.db,
        user.account.id,
        Some(user.session),
        EndReason::EndedElsewhere,
    )
    .await?;
    for (id, auth) in &others {
        if ended.contains(id) {
            let event = Event::by_self(SecurityEventKind::SessionEnded, &auth.origin());
            events::record(&state.db, user.account.id, event).await?;
        }
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Checks the signed-in account's password, counted by the login throttle like a sign-in;
/// a wrong one is a field error on `field` (not a 401, which would send the user to sign in).
async fn confirm_password(
    state: &AppState,
    user: &CurrentUser,
    client: &Client,
    field: &'static str,
    password: &Password,
) -> Result<(), AppError> {
    let name = Username::try_from(user.account.username.as_str())?;
    let claimant = Claimant {
        headers: &client.headers,
        address: client.address,
    };
    let load = users::find_by_id(&state.db, user.account.id);
    match state
        .credentials()
        .check(&claimant, &name, password, load)
        .await?
    {
        Checked::Right(_) => Ok(()),
        Checked::Wrong(_) => Err(AppError::Invalid(vec![FieldError {
            field,
            message: "This is not your current password.".into(),
        }])),
    }
}

/// What the throttle needs to know of the client confirming a password.
struct Client {
    headers: HeaderMap,
    address: Option<std::net::IpAddr>,
}

impl<S: Send + Sync> FromRequestParts<S> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ClientAddress(address) = ClientAddress::from_request_parts(parts, state).await?;
        Ok(Self {
            headers: parts.headers.clone(),
            address,
        })
    }
}

/// `POST /api/auth/password`: changes the password, ends every other session of the account
/// and keeps this one.
///
/// The cheap checks come first (both fields' lengths, all at once); then the throttle counts
/// the attempt and the current password is verified, before any costly work on the new one
/// (its strength estimate and hash, on the hashing threads).
async fn password(
    State(state): State<AppState>,
    writer: Writer,
    RequestOrigin(here): RequestOrigin,
    client: Client,
    Json(change): Json<PasswordChange>,
) -> Result<Response, AppError> {
    let user = &writer.user;
    let current = Password::try_from(change.current_password.as_str()).map_err(|e| FieldError {
        field: "current_password",
        ..e
    });
    let new = strength::parse_new("new_password", &change.new_password);
    let (current, new) = both(current, new)?;
    confirm_password(&state, user, &client, "current_password", &current).await?;
    if new == current {
        return Err(FieldError {
            field: "new_password",
            message: "Choose a password different from your current one.".into(),
        }
        .into());
    }
    let name = user.account.username.as_str();
    state
        .hasher
        .check_strength("new_password", &new, &[name])
        .await?;
    let hash = state.hasher.hash(&new).await?;
    // This session moves to the new epoch first (the guard accepts a newer one), so that none
    // of its requests in flight is told its session ended; every other session is ended.
    let epoch = user.account.session_epoch;
    let (_, cookies) = update_current(&state, user, |a| a.epoch = epoch + 1).await?;
    let changed = async {
        let mut tx = writer.begin().await?;
        let changed = users::change_password(&mut tx, user.account.id, epoch, hash).await;
        tx.settle(changed.map_err(AppError::from)).await
    }
    .await;
    if !matches!(changed, Ok(true)) {
        let _ = update_current(&state, user, |a| a.epoch = epoch).await;
        return Err(changed.err().unwrap_or(AppError::Conflict));
    }
    state.accounts.forget(user.account.id);
    session::end_all(
        &state.store,
        &state.db,
        user.account.id,
        Some(user.session),
        EndReason::PasswordChanged,
    )
    .await?;
    let event = Event::by_self(SecurityEventKind::PasswordChanged, &here);
    events::record(&state.db, user.account.id, event).await?;
    tracing::info!(user_id = user.account.id, "password changed");
    Ok((cookies, StatusCode::NO_CONTENT).into_response())
}

/// `GET /api/auth/activity`: the account's last 50 security events, newest first.
async fn activity(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<SecurityEvent>>, AppError> {
    Ok(Json(events::recent(&state.db, user.account.id).await?))
}

/// `POST /api/auth/reauth`: confirms the password again, allowing actions that need a recent
/// proof for the next reauth window.
async fn reauth(
    State(state): State<AppState>,
    user: CurrentUser,
    RequestOrigin(here): RequestOrigin,
    client: Client,
    Json(body): Json<Reauth>,
) -> Result<Response, AppError> {
    let password = Password::try_from(body.password.as_str())?;
    confirm_password(&state, &user, &client, "password", &password).await?;
    // With the authenticator app on, the password alone is not the account's proof.
    if factors::totp(&state.db, user.account.id).await?.is_some() {
        let proof = SecondFactorProof {
            code: body.code.clone(),
            recovery_code: body.recovery_code.clone(),
        };
        let name = Username::try_from(user.account.username.as_str())?;
        let claimant = Claimant {
            headers: &client.headers,
            address: client.address,
        };
        match state
            .credentials()
            .check_second_factor(&claimant, &name, user.account.id, &proof)
            .await
        {
            Ok(SecondFactor::Totp) => {}
            Ok(SecondFactor::RecoveryCode) => {
                let event = Event::by_self(SecurityEventKind::RecoveryCodeUsed, &here);
                events::record(&state.db, user.account.id, event).await?;
            }
            // A field error, not a 401, which would send the person to sign in.
            Err(AppError::InvalidCode) => {
                let event = Event::by_self(SecurityEventKind::SecondFactorFailed, &here);
                events::record(&state.db, user.account.id, event).await?;
                return Err(FieldError {
                    field: "code",
                    message: "This code is not right, or was used already.".into(),
                }
                .into());
            }
            Err(e) => return Err(e),
        }
    }
    let now = now_ms();
    let (auth, cookies) = update_current(&state, &user, |a| {
        a.auth_at_ms = now;
        a.last_seen_ms = now;
    })
    .await?;
    let event = Event::by_self(SecurityEventKind::Reauthenticated, &here);
    events::record(&state.db, user.account.id, event).await?;
    Ok((cookies, Json(session_state(&state, &auth))).into_response())
}
