//! `/api/auth/oidc/…` and `/api/auth/identities…`: signing in through the organization's
//! OpenID provider, and the identities at it linked to an account.
//!
//! The round trip is two browser navigations: `start` (a link on the sign-in page) answers a
//! 303 to the provider, which sends the browser back to `callback`, answered with a 303 to
//! where it was going, or to the sign-in page (the account page when linking) with
//! `?provider=…` saying what went wrong, never a JSON error. An identity (issuer, subject)
//! signs in only to the account it is linked to; nothing is ever matched on an e-mail address.

use std::str::FromStr;

use axum::extract::State;
use axum::http::header::{HOST, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use gatehouse_api::endpoints::{
    ListIdentities, ProviderCallback, StartProviderConfirm, StartProviderLink, StartProviderSignIn,
    UnlinkIdentity,
};
use gatehouse_api::{
    HOME_AFTER_SIGN_IN, LinkedIdentity, PROVIDER_PARAM, Password, ProviderOutcome,
    ProviderRedirect, Role, SIGN_IN_PAGE, SecondFactorMethod, SecurityEventKind, Username, encode,
    safe_return_path,
};
use subtle::ConstantTimeEq;
use tower_sessions::Session;
use tower_sessions::session::Id;
use tower_sessions::session_store::SessionStore as _;

use super::auth::{RequestOrigin, complete_sign_in, second_factors};
use super::methods::remove_a_way_in;
use super::{Declared, Route};
use crate::auth::provider::{IdentityProvider, ProviderError, RoundTrip, Verified};
use crate::data::events::{self, Event, Origin};
use crate::data::identities::{self, LinkedIdentity as Row};
use crate::data::{db, users};
use crate::error::{AppError, Json, Path, Query};
use crate::http::proxy::Forwarded;
use crate::session::ceremony::{self, PreStep};
use crate::session::round_trip::{self, Purpose, Waiting};
use crate::session::{self, Access, AuthSession, CurrentUser, Writer, now_ms};
use crate::state::AppState;

/// This resource's routes.
pub fn routes() -> Vec<Route> {
    vec![
        StartProviderSignIn::route(Access::Public, start_sign_in),
        ProviderCallback::route(Access::Public, callback),
        StartProviderLink::route(Access::User, start_link).step_up(),
        StartProviderConfirm::route(Access::User, start_confirm)
            .before_password_change()
            .before_second_factor(),
        ListIdentities::route(Access::User, list),
        UnlinkIdentity::route(Access::User, unlink).step_up(),
    ]
}

/// The wire form of an identity.
pub fn info(row: &Row) -> LinkedIdentity {
    LinkedIdentity {
        id: row.id,
        issuer: row.issuer.clone(),
        subject: row.subject.clone(),
        name: row.display_name.clone(),
        linked_at: db::rfc3339(row.created_at),
        last_used_at: row.last_used_at.map(db::rfc3339),
    }
}

/// Where the provider sends the browser back: under `--public-url`, or (without one, as in
/// development) this request's own origin.
fn redirect_uri(state: &AppState, headers: &HeaderMap, forwarded: Option<&Forwarded>) -> String {
    let origin = state.sessions.public_origin.clone().unwrap_or_else(|| {
        let scheme = if forwarded.is_some_and(|f| f.https) {
            "https"
        } else {
            "http"
        };
        let host = headers
            .get(HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("localhost");
        format!("{scheme}://{host}")
    });
    format!(
        "{origin}{}",
        <ProviderCallback as gatehouse_api::Endpoint>::PATH
    )
}

/// `page` with `?provider=outcome` (and `next`, when there is one).
fn landing(page: &str, outcome: ProviderOutcome, next: Option<&str>) -> String {
    let mut to = format!("{page}?{PROVIDER_PARAM}={}", outcome.as_str());
    if let Some(next) = next {
        to.push_str(&format!("&next={}", encode(next)));
    }
    to
}

/// A 303 to `to` setting `cookies`.
fn see_other(to: &str, cookies: impl IntoIterator<Item = HeaderValue>) -> Response {
    let mut response = Redirect::to(to).into_response();
    for cookie in cookies {
        response.headers_mut().append(SET_COOKIE, cookie);
    }
    response
}

/// The provider, or the sign-in page saying there is none.
fn provider_of(state: &AppState) -> Option<&IdentityProvider> {
    state.provider.as_deref()
}

/// `GET /api/auth/oidc/start?next=`: a 303 to the provider's authorization page.
async fn start_sign_in(
    State(state): State<AppState>,
    Query(query): Query<StartProviderSignIn>,
    headers: HeaderMap,
    forwarded: Option<axum::Extension<Forwarded>>,
) -> Response {
    let next = query
        .next
        .as_deref()
        .and_then(|n| safe_return_path(n, &[SIGN_IN_PAGE]))
        .map(str::to_owned);
    let Some(provider) = provider_of(&state) else {
        return see_other(
            &landing(SIGN_IN_PAGE, ProviderOutcome::Off, next.as_deref()),
            [],
        );
    };
    let uri = redirect_uri(&state, &headers, forwarded.as_deref());
    let purpose = Purpose::SignIn { next: next.clone() };
    match leave_for(&state, provider, &uri, false, purpose).await {
        Ok((url, cookie)) => see_other(&url, [cookie]),
        Err(outcome) => see_other(&landing(SIGN_IN_PAGE, outcome, next.as_deref()), []),
    }
}

/// Starts a round trip for `purpose`: the provider's URL and the cookie naming the trip.
async fn leave_for(
    state: &AppState,
    provider: &IdentityProvider,
    redirect_uri: &str,
    fresh: bool,
    purpose: Purpose,
) -> Result<(String, HeaderValue), ProviderOutcome> {
    let (url, trip) = provider.start(redirect_uri, fresh).await.map_err(|e| {
        tracing::warn!(error = %e, "cannot start a round trip through the identity provider");
        ProviderOutcome::Unavailable
    })?;
    let cookie = round_trip::begin(&state.store, &state.sessions, trip, purpose)
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, "cannot keep a round trip");
            ProviderOutcome::Unavailable
        })?;
    Ok((url, cookie))
}

/// `POST /api/auth/oidc/link`: where to send the browser to link an identity to this account.
async fn start_link(
    State(state): State<AppState>,
    writer: Writer,
    headers: HeaderMap,
    forwarded: Option<axum::Extension<Forwarded>>,
) -> Result<Response, AppError> {
    let provider = provider_of(&state).ok_or(AppError::NotFound)?;
    writer.ensure_live().await?;
    let user = &writer.user;
    let purpose = Purpose::Link {
        account: user.account.id,
        epoch: user.auth.epoch,
        session: user.session.to_string(),
    };
    let uri = redirect_uri(&state, &headers, forwarded.as_deref());
    answer_with_trip(&state, provider, &uri, false, purpose).await
}

/// `POST /api/auth/oidc/confirm`: where to send the browser to confirm it is you through the
/// provider (which asks you to authenticate again).
async fn start_confirm(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    forwarded: Option<axum::Extension<Forwarded>>,
    Query(query): Query<StartProviderConfirm>,
) -> Result<Response, AppError> {
    let provider = provider_of(&state).ok_or(AppError::NotFound)?;
    if user.account.identities == 0 {
        return Err(AppError::NotFound);
    }
    let purpose = Purpose::Confirm {
        account: user.account.id,
        epoch: user.auth.epoch,
        session: user.session.to_string(),
        next: query
            .next
            .as_deref()
            .and_then(|n| safe_return_path(n, &[]))
            .map(str::to_owned),
    };
    let uri = redirect_uri(&state, &headers, forwarded.as_deref());
    answer_with_trip(&state, provider, &uri, true, purpose).await
}

/// A round trip started from the app: its URL as JSON, its cookie set.
async fn answer_with_trip(
    state: &AppState,
    provider: &IdentityProvider,
    redirect_uri: &str,
    fresh: bool,
    purpose: Purpose,
) -> Result<Response, AppError> {
    match leave_for(state, provider, redirect_uri, fresh, purpose).await {
        Ok((url, cookie)) => {
            Ok(([(SET_COOKIE, cookie)], Json(ProviderRedirect { url })).into_response())
        }
        Err(outcome) => Err(AppError::Unavailable(
            format!("identity provider: {}", outcome.as_str()).into(),
        )),
    }
}

/// Where a round trip for `purpose` lands when it fails.
fn failed_landing(purpose: Option<&Purpose>, outcome: ProviderOutcome) -> String {
    match purpose {
        Some(Purpose::Link { .. }) => landing("/account", outcome, None),
        Some(Purpose::Confirm { next, .. }) => {
            let next = next.as_deref().unwrap_or("/account");
            format!(
                "{SIGN_IN_PAGE}?reason=reauth_required&next={}&{PROVIDER_PARAM}={}",
                encode(next),
                outcome.as_str()
            )
        }
        Some(Purpose::SignIn { next }) => landing(SIGN_IN_PAGE, outcome, next.as_deref()),
        None => landing(SIGN_IN_PAGE, outcome, None),
    }
}

/// `GET /api/auth/oidc/callback`: the provider's answer, checked and acted on.
async fn callback(
    State(state): State<AppState>,
    Query(answer): Query<ProviderCallback>,
    RequestOrigin(origin): RequestOrigin,
    headers: HeaderMap,
    session: Session,
) -> Response {
    let cleared = state.sessions.round_trip_cleared();
    let taken = round_trip::take::<RoundTrip>(&state.store, &state.sessions, &headers).await;
    let waiting = match taken {
        Ok(waiting) => waiting,
        Err(e) => {
            tracing::warn!(error = %e, "cannot read a round trip");
            return see_other(
                &failed_landing(None, ProviderOutcome::Unavailable),
                [cleared],
            );
        }
    };
    let Some(waiting) = waiting else {
        tracing::info!(
            "a provider's answer with no round trip waiting (stale, used, or another browser's)"
        );
        return see_other(&failed_landing(None, ProviderOutcome::Failed), [cleared]);
    };
    let sent = answer.state.as_deref().unwrap_or_default();
    if !bool::from(sent.as_bytes().ct_eq(waiting.trip.state.as_bytes())) {
        tracing::info!("a provider's answer with the wrong state");
        return see_other(
            &failed_landing(Some(&waiting.purpose), ProviderOutcome::Failed),
            [cleared],
        );
    }
    match arrive(&state, &waiting, &answer, &origin, &session).await {
        Ok((to, mut cookies)) => {
            cookies.push(cleared);
            see_other(&to, cookies)
        }
        Err(outcome) => see_other(&failed_landing(Some(&waiting.purpose), outcome), [cleared]),
    }
}

/// What the provider's `error` means for the person.
fn provider_error(error: &str) -> ProviderOutcome {
    match error {
        "server_error" | "temporarily_unavailable" => ProviderOutcome::Unavailable,
        // `access_denied` (cancelled), `login_required`, `consent_required`, …
        _ => ProviderOutcome::Cancelled,
    }
}

/// The round trip `waiting` finished with `answer`: where to go, and the cookies to set.
async fn arrive(
    state: &AppState,
    waiting: &Waiting<RoundTrip>,
    answer: &ProviderCallback,
    origin: &Origin,
    session: &Session,
) -> Result<(String, Vec<HeaderValue>), ProviderOutcome> {
    let provider = provider_of(state).ok_or(ProviderOutcome::Off)?;
    if let Some(error) = &answer.error {
        tracing::info!(error, "the identity provider answered with an error");
        return Err(provider_error(error));
    }
    let code = answer.code.as_deref().ok_or(ProviderOutcome::Failed)?;
    let verified = provider
        .finish(&waiting.trip, code)
        .await
        .map_err(|e| match e {
            ProviderError::Unavailable(_) => {
                tracing::warn!(error = %e, "identity provider");
                ProviderOutcome::Unavailable
            }
            ProviderError::Refused(_) => {
                tracing::info!(error = %e, "identity provider");
                ProviderOutcome::Failed
            }
        })?;
    let unavailable = |e: &dyn std::fmt::Display| {
        tracing::warn!(error = %e, "identity provider round trip");
        ProviderOutcome::Unavailable
    };
    match &waiting.purpose {
        Purpose::SignIn { next } => {
            sign_in(state, provider, &verified, next.as_deref(), origin, session).await
        }
        Purpose::Link {
            account,
            epoch,
            session: id,
        } => link(state, &verified, *account, *epoch, id, origin)
            .await
            .map(|()| {
                (
                    landing("/account", ProviderOutcome::Linked, None),
                    Vec::new(),
                )
            }),
        Purpose::Confirm {
            account,
            epoch,
            session: id,
            next,
        } => {
            let started_s = waiting.started_ms / 1000;
            // Asked to authenticate again (`max_age=0`): it must say when it did, since then.
            if verified.auth_time.is_none_or(|t| t < started_s - 60) {
                tracing::info!(
                    "a confirmation through the provider without a fresh authentication"
                );
                return Err(ProviderOutcome::Failed);
            }
            let row = identities::find(&state.db, &verified.issuer, &verified.subject)
                .await
                .map_err(|e| unavailable(&e))?;
            if row.is_none_or(|r| r.account_id != *account) {
                return Err(ProviderOutcome::NotLinked);
            }
            confirm(state, *account, *epoch, id, origin).await?;
            let next = next.clone().unwrap_or_else(|| "/account".into());
            Ok((next, Vec::new()))
        }
    }
}

/// Signs the person `verified` is in to the account their identity is linked to (made now,
/// with `--oidc-create-accounts`), as a password sign-in does, or leaves them at the second
/// step when the account needs one the provider did not vouch for.
async fn sign_in(
    state: &AppState,
    provider: &IdentityProvider,
    verified: &Verified,
    next: Option<&str>,
    origin: &Origin,
    session: &Session,
) -> Result<(String, Vec<HeaderValue>), ProviderOutcome> {
    let unavailable = |e: &dyn std::fmt::Display| {
        tracing::warn!(error = %e, "identity provider sign-in");
        ProviderOutcome::Unavailable
    };
    let row = identities::find(&state.db, &verified.issuer, &verified.subject)
        .await
        .map_err(|e| unavailable(&e))?;
    let (account, identity) = match row {
        Some(row) => {
            let account = users::find_by_id(&state.db, row.account_id)
                .await
                .map_err(|e| unavailable(&e))?
                .ok_or(ProviderOutcome::NotLinked)?;
            (account, row.id)
        }
        None if provider.settings().create_accounts => create_account(state, verified, origin)
            .await
            .map_err(|e| unavailable(&e))?,
        None => {
            tracing::info!(issuer = %verified.issuer, "an identity linked to no account");
            return Err(ProviderOutcome::NotLinked);
        }
    };
    if account.disabled {
        return Err(ProviderOutcome::AccountDisabled);
    }
    identities::used(&state.db, identity, verified.display_name.as_deref())
        .await
        .map_err(|e| unavailable(&e))?;
    let methods = if verified.multi_factor {
        Vec::new()
    } else {
        second_factors(state, &account)
    };
    if !methods.is_empty() {
        // The provider vouched for one factor; the account has a second to give.
        let step = PreStep::SecondFactor {
            account: account.id,
            epoch: account.session_epoch,
        };
        ceremony::begin_pre(&state.store, &state.sessions, session, step)
            .await
            .map_err(|e| unavailable(&e))?;
        let methods: Vec<String> = methods.iter().filter_map(method_name).collect();
        let mut to = format!(
            "{SIGN_IN_PAGE}?reason=second_factor_required&methods={}",
            methods.join(",")
        );
        if let Some(next) = next {
            to.push_str(&format!("&next={}", encode(next)));
        }
        return Ok((to, Vec::new()));
    }
    let username = Username::try_from(account.username.as_str()).map_err(|e| unavailable(&e))?;
    let response = complete_sign_in(
        state,
        session,
        &account,
        origin,
        &username,
        verified.multi_factor,
    )
    .await
    .map_err(|e| unavailable(&e))?;
    let cookies = response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .cloned()
        .collect();
    Ok((next.unwrap_or(HOME_AFTER_SIGN_IN).to_string(), cookies))
}

/// What the activity calls an identity: the provider's name for the person, else its subject.
fn shown_name(name: Option<&String>, subject: &str) -> String {
    name.cloned().unwrap_or_else(|| subject.to_owned())
}

/// A second factor's name in the sign-in page's address: its wire name, as the app reads it.
fn method_name(method: &SecondFactorMethod) -> Option<String> {
    serde_json::to_value(method)
        .ok()?
        .as_str()
        .map(str::to_owned)
}

/// A new account (user role) for the identity `verified`, linked to it: named from its claims,
/// made unique (and unlike any other name) by the usual rules, with no password.
async fn create_account(
    state: &AppState,
    verified: &Verified,
    origin: &Origin,
) -> Result<(users::Account, i64), AppError> {
    let base = username_base(verified.username_hint.as_deref());
    // A password nobody knows: the account signs in through the provider until given one.
    let random = format!("{:032x}", rand::random::<u128>());
    let hash = state
        .hasher
        .hash(&Password::new_account(&random).map_err(AppError::from)?)
        .await?;
    for attempt in 1..=50u32 {
        let candidate = if attempt == 1 {
            base.clone()
        } else {
            format!("{base}{attempt}")
        };
        let Ok(name) = Username::try_from(candidate.as_str()) else {
            continue;
        };
        let mut tx = state.db.begin().await?;
        let created = users::create(&mut tx, &name, hash.clone(), Role::User, false).await;
        let account = match created {
            Ok(account) => account,
            Err(users::CreateError::Taken(_)) => {
                tx.rollback().await?;
                continue;
            }
            Err(users::CreateError::Db(e)) => {
                tx.rollback().await?;
                return Err(e.into());
            }
        };
        let made = async {
            users::without_password(&mut tx, account.id).await?;
            identities::link(
                &mut tx,
                account.id,
                &verified.issuer,
                &verified.subject,
                verified.display_name.as_deref(),
            )
            .await
        }
        .await;
        let linked = tx.settle(made).await?.ok_or(AppError::Conflict)?;
        tracing::info!(
            user_id = account.id,
            "account created at a first sign-in through the identity provider"
        );
        let created = Event {
            detail: Some("user".into()),
            ..Event::by_self(SecurityEventKind::AccountCreated, origin)
        };
        events::record(&state.db, account.id, created).await?;
        record_linked(state, account.id, verified, origin).await?;
        let account = users::find_by_id(&state.db, account.id)
            .await?
            .ok_or(AppError::Conflict)?;
        return Ok((account, linked.id));
    }
    Err(AppError::Conflict)
}

/// A username to start from: the hint with spaces as dots and at most 48 characters, or
/// `user`.
fn username_base(hint: Option<&str>) -> String {
    let cleaned: String = hint
        .unwrap_or_default()
        .trim()
        .chars()
        .map(|c| if c.is_whitespace() { '.' } else { c })
        .filter(|c| !c.is_control())
        .take(48)
        .collect();
    if Username::try_from(cleaned.as_str()).is_ok() {
        cleaned
    } else {
        "user".into()
    }
}

async fn record_linked(
    state: &AppState,
    account: i64,
    verified: &Verified,
    origin: &Origin,
) -> Result<(), AppError> {
    let event = Event {
        detail: Some(shown_name(
            verified.display_name.as_ref(),
            &verified.subject,
        )),
        ..Event::by_self(SecurityEventKind::IdentityLinked, origin)
    };
    events::record(&state.db, account, event).await?;
    Ok(())
}

/// Links `verified` to `account`, provided the session `id` that asked is still signed in.
async fn link(
    state: &AppState,
    verified: &Verified,
    account: i64,
    epoch: i64,
    id: &str,
    origin: &Origin,
) -> Result<(), ProviderOutcome> {
    let id = Id::from_str(id).map_err(|_| ProviderOutcome::Failed)?;
    let mut tx = state.db.begin().await.map_err(|e| {
        tracing::warn!(error = %e, "cannot link an identity");
        ProviderOutcome::Unavailable
    })?;
    let linked = async {
        session::check_live(&mut tx, &state.store, &state.sessions, account, &id, false).await?;
        let auth = state
            .store
            .load_in(&mut tx, &id)
            .await?
            .as_ref()
            .and_then(AuthSession::of);
        if auth.is_none_or(|a| a.epoch != epoch) {
            return Err(AppError::SessionExpired);
        }
        Ok(identities::link(
            &mut tx,
            account,
            &verified.issuer,
            &verified.subject,
            verified.display_name.as_deref(),
        )
        .await?)
    }
    .await;
    let linked = tx.settle(linked).await.map_err(|e| match e {
        AppError::SessionExpired | AppError::AccountDisabled => ProviderOutcome::Failed,
        e => {
            tracing::warn!(error = %e, "cannot link an identity");
            ProviderOutcome::Unavailable
        }
    })?;
    if linked.is_none() {
        let owner = identities::find(&state.db, &verified.issuer, &verified.subject)
            .await
            .ok()
            .flatten();
        // Linked to this account already: done. To another: say so.
        return match owner {
            Some(row) if row.account_id == account => Ok(()),
            _ => Err(ProviderOutcome::LinkedElsewhere),
        };
    }
    state.accounts.forget(account);
    record_linked(state, account, verified, origin)
        .await
        .map_err(|_| ProviderOutcome::Unavailable)?;
    Ok(())
}

/// Marks the session `id` of `account` confirmed now, as a password confirmation does.
async fn confirm(
    state: &AppState,
    account: i64,
    epoch: i64,
    id: &str,
    origin: &Origin,
) -> Result<(), ProviderOutcome> {
    let id = Id::from_str(id).map_err(|_| ProviderOutcome::Failed)?;
    let auth = state
        .store
        .load(&id)
        .await
        .ok()
        .flatten()
        .as_ref()
        .and_then(AuthSession::of)
        .filter(|a| a.user_id == account && a.epoch == epoch)
        .ok_or(ProviderOutcome::Failed)?;
    let now = now_ms();
    session::current::update_record(&state.store, &state.sessions, id, &auth, |a| {
        a.auth_at_ms = now;
    })
    .await
    .map_err(|_| ProviderOutcome::Failed)?;
    let event = Event {
        detail: Some("provider".into()),
        ..Event::by_self(SecurityEventKind::Reauthenticated, origin)
    };
    events::record(&state.db, account, event)
        .await
        .map_err(|_| ProviderOutcome::Unavailable)?;
    Ok(())
}

/// `GET /api/auth/identities`.
async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<LinkedIdentity>>, AppError> {
    let rows = identities::of_account(&state.db, user.account.id).await?;
    Ok(Json(rows.iter().map(info).collect()))
}

/// `DELETE /api/auth/identities/{id}`: 204; 409 when it is the account's last way in.
async fn unlink(
    State(state): State<AppState>,
    writer: Writer,
    RequestOrigin(here): RequestOrigin,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    let account = writer.user.account.id;
    let removed = remove_a_way_in(&writer, async |tx| {
        Ok(identities::unlink(tx, account, id).await?)
    })
    .await?;
    state.accounts.forget(account);
    let event = Event {
        detail: Some(shown_name(removed.display_name.as_ref(), &removed.subject)),
        ..Event::by_self(SecurityEventKind::IdentityUnlinked, &here)
    };
    events::record(&state.db, account, event).await?;
    Ok(StatusCode::NO_CONTENT)
}
