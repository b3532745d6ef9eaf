//! `/api/auth`: sign in, sign out, and who is signed in.

use std::net::IpAddr;

use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::HeaderMap;
use axum::http::header::{SET_COOKIE, USER_AGENT};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use gatehouse_api::{
    HOME_AFTER_SIGN_IN, LoginRequest, PasskeyAssertion, PasskeyOptions, Password, SIGN_IN_PAGE,
    SecondFactorMethod, SecondFactorProof, SecurityEventKind, Username, safe_return_path,
};
use serde::Deserialize;
use tower_sessions::Session;

use super::{Declared, Route};
use crate::auth::credentials::{Checked, Claimant, SecondFactor};
use crate::auth::passkeys::PasskeyError;
use crate::data::events::{self, Event, Origin};
use crate::data::{passkeys, users};
use crate::error::{AppError, Json, both};
use crate::http::proxy::Forwarded;
use crate::session::ceremony::{self, PreStep};
use crate::session::{self, Access, CurrentUser};
use crate::state::AppState;
use gatehouse_api::endpoints::{
    Login, Logout, Me, SignInSecondFactor, SignInWithPasskey, StartPasskeySignIn,
};

/// This resource's routes.
pub fn routes() -> Vec<Route> {
    vec![
        Login::route(Access::Public, login),
        SignInSecondFactor::route(Access::Public, second_factor),
        StartPasskeySignIn::route(Access::Public, start_passkey_sign_in),
        SignInWithPasskey::route(Access::Public, sign_in_with_passkey),
        Logout::route(Access::User, logout)
            .before_password_change()
            .before_second_factor(),
        Me::route(Access::User, me)
            .before_password_change()
            .before_second_factor(),
    ]
}

/// `POST /api/auth/login`: 200 with the session, or 401 `invalid_credentials` (the same for
/// an unknown user as for a wrong password, in body and in time), or 429 when throttled.
async fn login(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    RequestOrigin(origin): RequestOrigin,
    headers: HeaderMap,
    session: Session,
    Json(req): Json<LoginRequest>,
) -> Result<Response, AppError> {
    sign_in(&state, address, origin, &headers, &session, &req).await
}

/// What the sign-in page's form sends when it is posted as a plain HTML form.
#[derive(Deserialize)]
pub struct SignInForm {
    username: String,
    password: String,
}

/// Where a posted sign-in page came from: its `next`, if any.
#[derive(Deserialize)]
pub struct SignInPageQuery {
    next: Option<String>,
}

/// `POST /login`: the sign-in page's form, posted before the app took the page over (or with
/// JavaScript off). The same sign-in as `POST /api/auth/login`, answered for a browser: a 303
/// to `next` (when safe) or the dashboard with the session's cookies, or a 303 back to the
/// sign-in page with `reason` set to the error's code and `next` kept, and the username in a
/// short-lived cookie (the page shows the error and the username without the app, see
/// `http::spa`).
pub async fn sign_in_form(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    RequestOrigin(origin): RequestOrigin,
    Query(query): Query<SignInPageQuery>,
    headers: HeaderMap,
    session: Session,
    form: Result<Form<SignInForm>, FormRejection>,
) -> Response {
    let next = query
        .next
        .as_deref()
        .and_then(|n| safe_return_path(n, &[SIGN_IN_PAGE]));
    let mut username = None;
    let outcome = match form {
        Ok(Form(form)) => {
            username = Some(form.username.clone());
            let req = LoginRequest {
                username: form.username,
                password: form.password,
            };
            sign_in(&state, address, origin, &headers, &session, &req).await
        }
        Err(_) => Err(AppError::Invalid(Vec::new())),
    };
    let (location, cookies) = match outcome {
        Ok(response) => (
            next.unwrap_or(HOME_AFTER_SIGN_IN).to_string(),
            response
                .headers()
                .get_all(SET_COOKIE)
                .iter()
                .cloned()
                .collect(),
        ),
        Err(error) => {
            let (_, code) = error.status_and_code();
            let mut back = format!("{SIGN_IN_PAGE}?reason={}", code.as_str());
            if let Some(next) = next {
                back.push_str(&format!("&next={}", gatehouse_api::encode(next)));
            }
            // The page keeps what was typed in the username (never the password), in a
            // cookie only `/login` reads, for a minute: not in the address, where history and
            // proxies' logs would keep it (a password typed in the wrong field included).
            let kept = username
                .filter(|n| !n.is_empty() && n.len() <= 256)
                .map(|name| state.sessions.sign_in_name_cookie(&name));
            (back, kept.into_iter().collect::<Vec<_>>())
        }
    };
    let mut response = Redirect::to(&location).into_response();
    for cookie in cookies {
        response.headers_mut().append(SET_COOKIE, cookie);
    }
    response
}

/// Signs `req`'s account in: throttled, verified, a new session with its cookies (and the
/// device cookie) in the answer.
async fn sign_in(
    state: &AppState,
    address: Option<IpAddr>,
    origin: Origin,
    headers: &HeaderMap,
    session: &Session,
    req: &LoginRequest,
) -> Result<Response, AppError> {
    let (username, password) = both(
        Username::try_from(req.username.as_str()),
        Password::try_from(req.password.as_str()),
    )?;
    let claimant = Claimant { headers, address };
    let load = users::find_by_name(&state.db, &username);
    let account = match state
        .credentials()
        .check(&claimant, &username, &password, load)
        .await?
    {
        Checked::Right(account) => account,
        Checked::Wrong(known) => {
            if let Some(account) = known {
                // In the background: an unknown name must not answer sooner than a known one.
                let event = Event::by_self(SecurityEventKind::SignInFailed, &origin);
                events::record_later(&state.db, account.id, event);
            }
            tracing::info!(username = %username.folded(), "sign-in failed");
            return Err(AppError::InvalidCredentials);
        }
    };
    let methods = second_factors(state, &account);
    if !methods.is_empty() {
        // The password was right; nothing is signed in until the second factor comes.
        let step = PreStep::SecondFactor {
            account: account.id,
            epoch: account.session_epoch,
        };
        ceremony::begin_pre(&state.store, &state.sessions, session, step).await?;
        tracing::info!(
            user_id = account.id,
            "password right, second factor awaited"
        );
        return Err(AppError::SecondFactorRequired(methods));
    }
    complete_sign_in(state, session, &account, &origin, &username, false).await
}

/// What a password sign-in of `account` must be finished with, if anything: its authenticator
/// app (or a recovery code); or, when the policy covers it and it has passkeys but no app, one
/// of its passkeys (which signs in on its own).
pub fn second_factors(state: &AppState, account: &users::Account) -> Vec<SecondFactorMethod> {
    let mut methods = Vec::new();
    if account.totp {
        methods.extend([SecondFactorMethod::Totp, SecondFactorMethod::RecoveryCode]);
    }
    let covered = state.sessions.second_factor.covers(account.role.0);
    if account.passkeys > 0 && (account.totp || covered) {
        methods.push(SecondFactorMethod::Passkey);
    }
    methods
}

/// Signs `account` in once every factor it needs has been given: a new session, the device
/// cookie, the sign-in noted, and the event. `multi_factor`: an identity provider vouched
/// for more than one factor.
pub async fn complete_sign_in(
    state: &AppState,
    session: &Session,
    account: &users::Account,
    origin: &Origin,
    username: &Username,
    multi_factor: bool,
) -> Result<Response, AppError> {
    tracing::info!(user_id = account.id, "signed in");
    let mut response =
        session::sign_in(&state.sessions, session, account, origin, multi_factor).await?;
    // This browser has now signed in to this account: failures elsewhere never lock it out.
    response
        .headers_mut()
        .append(SET_COOKIE, state.devices.issue(&username.folded()));
    users::record_sign_in(&state.db, account.id).await?;
    let event = Event::by_self(SecurityEventKind::SignedIn, origin);
    events::record(&state.db, account.id, event).await?;
    Ok(response)
}

/// `POST /api/auth/login/second-factor`: finishes the sign-in waiting in this session with a
/// code from the authenticator app or a recovery code.
async fn second_factor(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    RequestOrigin(origin): RequestOrigin,
    headers: HeaderMap,
    session: Session,
    Json(proof): Json<SecondFactorProof>,
) -> Result<Response, AppError> {
    let Some(PreStep::SecondFactor { account, epoch }) =
        ceremony::pending_pre(&state.store, &session).await?
    else {
        return Err(AppError::Unauthenticated);
    };
    let account = users::find_by_id(&state.db, account)
        .await?
        .filter(|a| a.session_epoch == epoch)
        .ok_or(AppError::Unauthenticated)?;
    if account.disabled {
        return Err(AppError::AccountDisabled);
    }
    let username = Username::try_from(account.username.as_str())?;
    let claimant = Claimant {
        headers: &headers,
        address,
    };
    let checked = state
        .credentials()
        .check_second_factor(&claimant, &username, account.id, &proof)
        .await;
    match checked {
        Ok(SecondFactor::RecoveryCode) => {
            let event = Event::by_self(SecurityEventKind::RecoveryCodeUsed, &origin);
            events::record(&state.db, account.id, event).await?;
        }
        Ok(SecondFactor::Totp) => {}
        Err(e @ AppError::InvalidCode) => {
            let event = Event::by_self(SecurityEventKind::SecondFactorFailed, &origin);
            events::record(&state.db, account.id, event).await?;
            return Err(e);
        }
        Err(e) => return Err(e),
    }
    complete_sign_in(&state, &session, &account, &origin, &username, false).await
}

/// `POST /api/auth/passkey/options`: starts a sign-in with a passkey.
async fn start_passkey_sign_in(
    State(state): State<AppState>,
    session: Session,
) -> Result<Json<PasskeyOptions>, AppError> {
    let (options, challenge) = state.passkeys.start_sign_in().map_err(passkey_refused)?;
    let step = PreStep::Passkey {
        state: serde_json::to_value(challenge).map_err(AppError::internal)?,
    };
    ceremony::begin_pre(&state.store, &state.sessions, &session, step).await?;
    Ok(Json(PasskeyOptions {
        options: options.into(),
    }))
}

/// `POST /api/auth/passkey`: signs in with the passkey the browser answered with. Whatever is
/// wrong with it (unknown, another site's, a challenge used or expired, a disabled account)
/// is the same 401 `invalid_credentials`.
async fn sign_in_with_passkey(
    State(state): State<AppState>,
    RequestOrigin(origin): RequestOrigin,
    session: Session,
    Json(answer): Json<PasskeyAssertion>,
) -> Result<Response, AppError> {
    let Some(PreStep::Passkey { state: challenge }) =
        ceremony::take_pre(&state.store, &state.sessions, &session).await?
    else {
        return Err(AppError::InvalidCredentials);
    };
    let challenge = serde_json::from_value(challenge).map_err(AppError::internal)?;
    let refused = |why: &dyn std::fmt::Display| {
        tracing::info!(%why, "passkey sign-in refused");
        AppError::InvalidCredentials
    };
    let (handle, credential_id) = state
        .passkeys
        .identify(&answer.credential)
        .map_err(|e| refused(&e))?;
    let stored = passkeys::by_credential(&state.db, &credential_id)
        .await?
        .ok_or_else(|| refused(&"an unknown passkey"))?;
    let account = users::find_by_webauthn_handle(&state.db, &handle.to_string())
        .await?
        .filter(|a| a.id == stored.account_id)
        .ok_or_else(|| refused(&"a passkey of another account"))?;
    let passkey = serde_json::from_str(&stored.passkey).map_err(AppError::internal)?;
    let (passkey, synced) = state
        .passkeys
        .finish_sign_in(&answer.credential, challenge, passkey)
        .map_err(|e| refused(&e))?;
    let record = serde_json::to_string(&passkey).map_err(AppError::internal)?;
    passkeys::used(&state.db, stored.id, &record, synced).await?;
    if account.disabled {
        return Err(refused(&"a disabled account"));
    }
    let username = Username::try_from(account.username.as_str())?;
    complete_sign_in(&state, &session, &account, &origin, &username, false).await
}

/// A passkey ceremony the client got wrong.
pub fn passkey_refused(e: PasskeyError) -> AppError {
    tracing::info!(error = %e, "passkey refused");
    AppError::Invalid(vec![gatehouse_api::FieldError {
        field: "credential",
        message: "This passkey could not be used. Try again, or another one.".into(),
    }])
}

/// `POST /api/auth/logout`: 204; the session is deleted and both cookies cleared.
async fn logout(
    State(state): State<AppState>,
    session: Session,
    user: CurrentUser,
) -> Result<Response, AppError> {
    tracing::info!(user_id = user.account.id, "signed out");
    let response = session::sign_out(&state.sessions, &session, &state.db, user.account.id).await?;
    let event = Event::by_self(SecurityEventKind::SignedOut, &user.auth.origin());
    events::record(&state.db, user.account.id, event).await?;
    Ok(response)
}

/// `GET /api/auth/me`: the signed-in user and when the session ends.
async fn me(user: CurrentUser) -> Json<gatehouse_api::SessionInfo> {
    Json(user.session_info())
}

/// The client's address, as `proxy::forwarded` worked it out.
pub struct ClientAddress(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(
            parts.extensions.get::<Forwarded>().and_then(|f| f.client),
        ))
    }
}

/// Where the request came from, as sessions and security events record it: the device summary
/// from its `User-Agent` and the client's address.
pub struct RequestOrigin(pub Origin);

impl<S: Send + Sync> FromRequestParts<S> for RequestOrigin {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let user_agent = parts.headers.get(USER_AGENT).and_then(|v| v.to_str().ok());
        let address = parts.extensions.get::<Forwarded>().and_then(|f| f.client);
        Ok(Self(Origin {
            device: Some(session::browser::summary(user_agent)),
            address: address.map(|a| a.to_string()),
        }))
    }
}
