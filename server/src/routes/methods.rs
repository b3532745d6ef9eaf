//! `/api/auth/passkeys…`, `/api/auth/totp…`, `/api/auth/recovery-codes` and
//! `/api/auth/reauth/passkey…`: the signed-in account's ways in besides the password.
//!
//! Adding a passkey or an authenticator app, and removing either, need a recent proof of the
//! password (as ending sessions does); the ceremonies keep their state in the session, used once
//! (`session::ceremony`). Every enrolment and removal is in the account's security activity.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use gatehouse_api::{
    FieldError, NewPasskey, PasskeyAssertion, PasskeyInfo, PasskeyName, PasskeyOptions,
    RecoveryCodes, SecurityEventKind, SessionState, TotpCode, TotpSetup, TotpStatus,
};
use webauthn_rs::prelude::{Passkey, Uuid};

use super::auth::{RequestOrigin, passkey_refused};
use super::{Declared, Route};
use crate::auth::{recovery, totp};
use crate::data::events::{self, Event, Origin};
use crate::data::passkeys::{self, StoredPasskey};
use crate::data::{db, factors, users};
use crate::error::{AppError, Json, Path};
use crate::session::ceremony::{Ceremony, CeremonyKind};
use crate::session::{self, Access, CurrentUser, Writer, now_ms};
use crate::state::AppState;
use gatehouse_api::endpoints::{
    AddPasskey, ConfirmTotp, DisableTotp, GetTotp, ListPasskeys, ReauthWithPasskey, RemovePasskey,
    RenamePasskey, RenewRecoveryCodes, SetUpTotp, StartPasskeyReauth, StartPasskeyRegistration,
};

/// This resource's routes. Setting a method up is open to an account the second-factor policy
/// still waits on; confirming with a passkey is open to one that must change its password.
pub fn routes() -> Vec<Route> {
    vec![
        ListPasskeys::route(Access::User, list_passkeys).before_second_factor(),
        StartPasskeyRegistration::route(Access::User, start_registration)
            .step_up()
            .before_second_factor(),
        AddPasskey::route(Access::User, add_passkey)
            .step_up()
            .before_second_factor(),
        RenamePasskey::route(Access::User, rename_passkey),
        RemovePasskey::route(Access::User, remove_passkey).step_up(),
        GetTotp::route(Access::User, totp_status).before_second_factor(),
        SetUpTotp::route(Access::User, set_up_totp)
            .step_up()
            .before_second_factor(),
        ConfirmTotp::route(Access::User, confirm_totp).before_second_factor(),
        DisableTotp::route(Access::User, disable_totp).step_up(),
        RenewRecoveryCodes::route(Access::User, renew_recovery_codes).step_up(),
        StartPasskeyReauth::route(Access::User, start_passkey_reauth)
            .before_password_change()
            .before_second_factor(),
        ReauthWithPasskey::route(Access::User, reauth_with_passkey)
            .before_password_change()
            .before_second_factor(),
    ]
}

fn info(row: &StoredPasskey) -> PasskeyInfo {
    PasskeyInfo {
        id: row.id,
        name: row.name.clone(),
        created_at: db::rfc3339(row.created_at),
        last_used_at: row.last_used_at.map(db::rfc3339),
        synced: row.synced,
    }
}

/// A passkey's name: 1 to 64 characters, trimmed, no control characters.
fn passkey_name(name: &str) -> Result<String, AppError> {
    let name = name.trim();
    let n = name.chars().count();
    if n == 0 || n > 64 || name.chars().any(char::is_control) {
        return Err(FieldError {
            field: "name",
            message: "Give it a name of 1 to 64 characters.".into(),
        }
        .into());
    }
    Ok(name.to_string())
}

/// Records `kind` (with `detail`) on the account's activity, done by itself from `origin`.
async fn record(
    state: &AppState,
    account: i64,
    kind: SecurityEventKind,
    origin: &Origin,
    detail: Option<&str>,
) -> Result<(), AppError> {
    let event = Event {
        detail: detail.map(str::to_owned),
        ..Event::by_self(kind, origin)
    };
    events::record(&state.db, account, event).await?;
    Ok(())
}

/// `GET /api/auth/passkeys`.
async fn list_passkeys(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<PasskeyInfo>>, AppError> {
    let rows = passkeys::of_account(&state.db, user.account.id).await?;
    Ok(Json(rows.iter().map(info).collect()))
}

/// The account's passkeys, as webauthn-rs reads them.
async fn passkeys_of(state: &AppState, account: i64) -> Result<Vec<Passkey>, AppError> {
    passkeys::of_account(&state.db, account)
        .await?
        .iter()
        .map(|row| serde_json::from_str(&row.passkey).map_err(AppError::internal))
        .collect()
}

/// `POST /api/auth/passkeys/options`: the options for the browser to create a passkey.
async fn start_registration(
    State(state): State<AppState>,
    writer: Writer,
) -> Result<Response, AppError> {
    let user = &writer.user;
    let handle = {
        let mut tx = writer.begin().await?;
        let handle =
            users::webauthn_handle(&mut tx, user.account.id, &Uuid::new_v4().to_string()).await;
        tx.settle(handle.map_err(AppError::from)).await?
    };
    let handle = Uuid::parse_str(&handle).map_err(AppError::internal)?;
    let existing = passkeys_of(&state, user.account.id)
        .await?
        .iter()
        .map(|p| p.cred_id().clone())
        .collect();
    let (options, registration) = state
        .passkeys
        .start_registration(handle, &user.account.username, existing)
        .map_err(passkey_refused)?;
    let registration = serde_json::to_value(registration).map_err(AppError::internal)?;
    let ceremony = Ceremony::start(CeremonyKind::AddPasskey, registration);
    let (_, cookies) = session::current::update(&state.store, &state.sessions, user, |a| {
        a.ceremony = Some(ceremony.clone());
    })
    .await?;
    Ok((
        cookies,
        Json(PasskeyOptions {
            options: options.into(),
        }),
    )
        .into_response())
}

/// `POST /api/auth/passkeys`: keeps the passkey the browser created (201).
async fn add_passkey(
    State(state): State<AppState>,
    writer: Writer,
    RequestOrigin(here): RequestOrigin,
    Json(new): Json<NewPasskey>,
) -> Result<Response, AppError> {
    let user = &writer.user;
    let name = passkey_name(&new.name)?;
    let ceremony = session::current::take_ceremony(
        &state.store,
        &state.sessions,
        user,
        CeremonyKind::AddPasskey,
    )
    .await?
    .ok_or(AppError::Conflict)?;
    let registration = serde_json::from_value(ceremony.state).map_err(AppError::internal)?;
    let (passkey, credential_id, synced) = state
        .passkeys
        .finish_registration(&new.credential, &registration)
        .map_err(passkey_refused)?;
    let record = serde_json::to_string(&passkey).map_err(AppError::internal)?;
    let mut tx = writer.begin().await?;
    let added = passkeys::add(
        &mut tx,
        user.account.id,
        &credential_id,
        &name,
        &record,
        synced,
    )
    .await;
    let added = tx
        .settle(added.map_err(AppError::from))
        .await?
        .ok_or_else(|| {
            AppError::from(FieldError {
                field: "credential",
                message: "This passkey is already in use.".into(),
            })
        })?;
    state.accounts.forget(user.account.id);
    record_event(
        &state,
        user.account.id,
        SecurityEventKind::PasskeyAdded,
        &here,
        &name,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(info(&added))).into_response())
}

async fn record_event(
    state: &AppState,
    account: i64,
    kind: SecurityEventKind,
    origin: &Origin,
    detail: &str,
) -> Result<(), AppError> {
    record(state, account, kind, origin, Some(detail)).await
}

/// `PATCH /api/auth/passkeys/{id}`.
async fn rename_passkey(
    writer: Writer,
    Path(id): Path<i64>,
    Json(body): Json<PasskeyName>,
) -> Result<Json<PasskeyInfo>, AppError> {
    let name = passkey_name(&body.name)?;
    let mut tx = writer.begin().await?;
    let renamed = passkeys::rename(&mut tx, writer.user.account.id, id, &name).await;
    let renamed = tx.settle(renamed.map_err(AppError::from)).await?;
    renamed
        .map(|row| Json(info(&row)))
        .ok_or(AppError::NotFound)
}

/// `DELETE /api/auth/passkeys/{id}`: 204; 409 when it is the account's last way in.
async fn remove_passkey(
    State(state): State<AppState>,
    writer: Writer,
    RequestOrigin(here): RequestOrigin,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    let account = writer.user.account.id;
    let name = remove_a_way_in(&writer, async |tx| {
        Ok(passkeys::remove(tx, account, id).await?)
    })
    .await?;
    state.accounts.forget(account);
    record_event(
        &state,
        account,
        SecurityEventKind::PasskeyRemoved,
        &here,
        &name,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes one of the writer's account's ways in with `remove` (which answers what it removed,
/// `None` when there was no such thing: 404), committed only if the account keeps a way to sign
/// in: a password, a passkey or a connected identity (else 409). The removals take turns
/// (`Writer::begin_in_turn`), so that two at once cannot each count the other's as left.
pub(super) async fn remove_a_way_in<T>(
    writer: &Writer,
    remove: impl AsyncFnOnce(&mut db::Tx) -> Result<Option<T>, AppError>,
) -> Result<T, AppError> {
    let account = writer.user.account.id;
    let mut tx = writer.begin_in_turn().await?;
    let removed = async {
        let removed = remove(&mut tx).await?.ok_or(AppError::NotFound)?;
        let left = users::find_in(&mut tx, account)
            .await?
            .ok_or(AppError::SessionExpired)?;
        if left.ways_in() == 0 {
            return Err(AppError::Refused(
                "This is your last way to sign in: add a passkey first, or ask an administrator for a password.",
            ));
        }
        Ok(removed)
    }
    .await;
    tx.settle(removed).await
}

/// `GET /api/auth/totp`.
async fn totp_status(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<TotpStatus>, AppError> {
    let enabled = factors::totp(&state.db, user.account.id).await?.is_some();
    let left = factors::recovery_codes_left(&state.db, user.account.id).await?;
    Ok(Json(TotpStatus {
        enabled,
        recovery_codes_left: u32::try_from(left).unwrap_or(0),
    }))
}

/// `POST /api/auth/totp/setup`: a new secret, kept (sealed) in the session until a code from
/// the app confirms it.
async fn set_up_totp(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, AppError> {
    if factors::totp(&state.db, user.account.id).await?.is_some() {
        return Err(AppError::Refused(
            "The authenticator app is on already: turn it off first to set up another.",
        ));
    }
    let secret = totp::new_secret();
    let setup: TotpSetup = totp::setup(&secret, &user.account.username);
    let sealed = state.sealing.seal(&secret);
    let ceremony = Ceremony::start(CeremonyKind::TotpSetup, sealed.into());
    let (_, cookies) = session::current::update(&state.store, &state.sessions, &user, |a| {
        a.ceremony = Some(ceremony.clone());
    })
    .await?;
    Ok((cookies, Json(setup)).into_response())
}

/// `POST /api/auth/totp/confirm`: turns the app on with a code from it; the recovery codes.
async fn confirm_totp(
    State(state): State<AppState>,
    writer: Writer,
    RequestOrigin(here): RequestOrigin,
    Json(body): Json<TotpCode>,
) -> Result<Json<RecoveryCodes>, AppError> {
    let user = &writer.user;
    let pending = user
        .auth
        .ceremony
        .clone()
        .filter(|c| c.is(CeremonyKind::TotpSetup))
        .ok_or(AppError::Conflict)?;
    let sealed = pending.state.as_str().unwrap_or_default().to_string();
    let secret = state.sealing.open(&sealed).ok_or(AppError::Conflict)?;
    let Some(step) = totp::check(&secret, &body.code) else {
        return Err(FieldError {
            field: "code",
            message: "This code is not the one the app shows now. Check the app and try again."
                .into(),
        }
        .into());
    };
    // Used once: of two confirmations, one turns it on.
    session::current::take_ceremony(&state.store, &state.sessions, user, CeremonyKind::TotpSetup)
        .await?
        .ok_or(AppError::Conflict)?;
    let (codes, hashes) = recovery::new_set();
    let mut tx = writer.begin().await?;
    let enabled = factors::enable_totp(&mut tx, user.account.id, &sealed, step, &hashes).await;
    if !tx.settle(enabled.map_err(AppError::from)).await? {
        return Err(AppError::Refused("The authenticator app is on already."));
    }
    state.accounts.forget(user.account.id);
    record(
        &state,
        user.account.id,
        SecurityEventKind::TotpEnabled,
        &here,
        None,
    )
    .await?;
    Ok(Json(RecoveryCodes {
        recovery_codes: codes,
    }))
}

/// `DELETE /api/auth/totp`.
async fn disable_totp(
    State(state): State<AppState>,
    writer: Writer,
    RequestOrigin(here): RequestOrigin,
) -> Result<StatusCode, AppError> {
    let account = writer.user.account.id;
    let mut tx = writer.begin().await?;
    let disabled = factors::disable_totp(&mut tx, account).await;
    if !tx.settle(disabled.map_err(AppError::from)).await? {
        return Err(AppError::NotFound);
    }
    state.accounts.forget(account);
    record(
        &state,
        account,
        SecurityEventKind::TotpDisabled,
        &here,
        None,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/auth/recovery-codes`: a new set; the old one stops working.
async fn renew_recovery_codes(
    State(state): State<AppState>,
    writer: Writer,
    RequestOrigin(here): RequestOrigin,
) -> Result<Json<RecoveryCodes>, AppError> {
    let account = writer.user.account.id;
    if factors::totp(&state.db, account).await?.is_none() {
        return Err(AppError::Refused(
            "Recovery codes come with the authenticator app: set it up first.",
        ));
    }
    let (codes, hashes) = recovery::new_set();
    let mut tx = writer.begin().await?;
    let replaced = factors::replace_recovery_codes(&mut tx, account, &hashes).await;
    tx.settle(replaced.map_err(AppError::from)).await?;
    record(
        &state,
        account,
        SecurityEventKind::RecoveryCodesRenewed,
        &here,
        None,
    )
    .await?;
    Ok(Json(RecoveryCodes {
        recovery_codes: codes,
    }))
}

/// `POST /api/auth/reauth/passkey/options`: the options to confirm with one of this account's
/// passkeys.
async fn start_passkey_reauth(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, AppError> {
    let mine = passkeys_of(&state, user.account.id).await?;
    if mine.is_empty() {
        return Err(AppError::Refused("This account has no passkey."));
    }
    let (options, challenge) = state
        .passkeys
        .start_reauth(&mine)
        .map_err(passkey_refused)?;
    let challenge = serde_json::to_value(challenge).map_err(AppError::internal)?;
    let ceremony = Ceremony::start(CeremonyKind::PasskeyReauth, challenge);
    let (_, cookies) = session::current::update(&state.store, &state.sessions, &user, |a| {
        a.ceremony = Some(ceremony.clone());
    })
    .await?;
    Ok((
        cookies,
        Json(PasskeyOptions {
            options: options.into(),
        }),
    )
        .into_response())
}

/// `POST /api/auth/reauth/passkey`: confirms it is you with a passkey.
async fn reauth_with_passkey(
    State(state): State<AppState>,
    user: CurrentUser,
    RequestOrigin(here): RequestOrigin,
    Json(answer): Json<PasskeyAssertion>,
) -> Result<Response, AppError> {
    let ceremony = session::current::take_ceremony(
        &state.store,
        &state.sessions,
        &user,
        CeremonyKind::PasskeyReauth,
    )
    .await?
    .ok_or(AppError::Conflict)?;
    let challenge = serde_json::from_value(ceremony.state).map_err(AppError::internal)?;
    let (credential_id, result) = state
        .passkeys
        .finish_reauth(&answer.credential, &challenge)
        .map_err(passkey_refused)?;
    if let Some(stored) = passkeys::by_credential(&state.db, &credential_id)
        .await?
        .filter(|row| row.account_id == user.account.id)
    {
        let mut passkey: Passkey =
            serde_json::from_str(&stored.passkey).map_err(AppError::internal)?;
        let (passkey, synced) = crate::auth::passkeys::used(&mut passkey, &result);
        let record = serde_json::to_string(&passkey).map_err(AppError::internal)?;
        passkeys::used(&state.db, stored.id, &record, synced).await?;
    }
    let now = now_ms();
    let (auth, cookies) = session::current::update(&state.store, &state.sessions, &user, |a| {
        a.auth_at_ms = now;
        a.last_seen_ms = now;
    })
    .await?;
    record(
        &state,
        user.account.id,
        SecurityEventKind::Reauthenticated,
        &here,
        None,
    )
    .await?;
    let session_state: SessionState = super::account::session_state(&state, &auth);
    Ok((cookies, Json(session_state)).into_response())
}
