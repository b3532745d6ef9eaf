//! What a ceremony in progress keeps in the session, server-side, for five minutes, used once:
//! before sign-in (a passkey sign-in's challenge, or a sign-in whose password was right waiting
//! for its second factor) and while signed in (adding a passkey, confirming with one, setting
//! up the authenticator app).
//!
//! Before sign-in the session holds only that step (`PRE_KEY`), under a new id, with a cookie
//! that lasts as long; a sign-in then moves to yet another id. While signed in the ceremony is a
//! field of the session (`AuthSession::ceremony`), written and taken compare-and-set like every
//! other change of it, so two requests cannot both finish one ceremony. A sign-in started in a
//! session that is signed in already (as someone else, or with the sign-in page open in a
//! second tab) keeps its step there too (`CeremonyKind::SignIn`): the session stays signed in
//! until that sign-in completes, and then moves to a new id like any other.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;
use tower_sessions::session::Id;
use tower_sessions::session_store::SessionStore as _;
use tower_sessions::{Expiry, Session};

use super::cookie::SessionPolicy;
use super::current;
use super::record::{AuthSession, now_ms};
use crate::data::sessions::SessionStore;
use crate::error::AppError;

/// How long a ceremony waits for its answer.
pub const LIFETIME: Duration = Duration::from_secs(5 * 60);

/// The session key of the step waiting before sign-in.
pub const PRE_KEY: &str = "pre";

/// A step waiting before sign-in.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum PreStep {
    /// A passkey sign-in's challenge (webauthn-rs's `DiscoverableAuthentication`).
    Passkey {
        /// The challenge's state, as webauthn-rs serializes it.
        state: Value,
    },
    /// The account's password was right; its second factor is awaited.
    SecondFactor {
        /// The account.
        account: i64,
        /// Its session epoch when the password was checked (a password change since voids it).
        epoch: i64,
    },
}

/// What the session holds under `PRE_KEY`.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Pre {
    started_ms: i64,
    #[serde(flatten)]
    step: PreStep,
}

fn fresh(started_ms: i64) -> bool {
    now_ms() - started_ms < i64::try_from(LIFETIME.as_millis()).unwrap_or(i64::MAX)
}

/// The signed-in session this request carries, if any: its id and its record as stored.
async fn signed_in(
    store: &SessionStore,
    session: &Session,
) -> Result<Option<(Id, AuthSession)>, AppError> {
    let Some(id) = session.id() else {
        return Ok(None);
    };
    Ok(store
        .load(&id)
        .await?
        .as_ref()
        .and_then(AuthSession::of)
        .map(|auth| (id, auth)))
}

/// Keeps `step` for `LIFETIME`. In a session that is not signed in: under a new id (an id
/// planted before is never used), replacing whatever it held. In a signed-in one: as its
/// ceremony, leaving it signed in.
pub async fn begin_pre(
    store: &SessionStore,
    policy: &SessionPolicy,
    session: &Session,
    step: PreStep,
) -> Result<(), AppError> {
    if let Some((id, auth)) = signed_in(store, session).await? {
        let step = serde_json::to_value(&step).map_err(AppError::internal)?;
        let ceremony = Ceremony::start(CeremonyKind::SignIn, step);
        current::update_record(store, policy, id, &auth, |a| {
            a.ceremony = Some(ceremony.clone());
        })
        .await?;
        return Ok(());
    }
    session.cycle_id().await?;
    session.clear().await;
    session.set_expiry(Some(Expiry::AtDateTime(
        OffsetDateTime::now_utc() + LIFETIME,
    )));
    let pre = Pre {
        started_ms: now_ms(),
        step,
    };
    session.insert(PRE_KEY, &pre).await?;
    session.save().await?;
    Ok(())
}

/// The step waiting in this session, if it is still fresh (left in place).
pub async fn pending_pre(
    store: &SessionStore,
    session: &Session,
) -> Result<Option<PreStep>, AppError> {
    if let Some((_, auth)) = signed_in(store, session).await? {
        return Ok(auth
            .ceremony
            .filter(|c| c.is(CeremonyKind::SignIn))
            .and_then(|c| serde_json::from_value(c.state).ok()));
    }
    let pre: Option<Pre> = session.get(PRE_KEY).await.unwrap_or(None);
    Ok(pre.filter(|p| fresh(p.started_ms)).map(|p| p.step))
}

/// Takes the step waiting in this session, once: removed from the store compare-and-set, so
/// of two requests carrying it only one gets it. `None` when there is none, or it is stale.
pub async fn take_pre(
    store: &SessionStore,
    policy: &SessionPolicy,
    session: &Session,
) -> Result<Option<PreStep>, AppError> {
    if let Some((id, auth)) = signed_in(store, session).await? {
        let taken =
            current::take_record_ceremony(store, policy, id, &auth, CeremonyKind::SignIn).await?;
        return Ok(taken.and_then(|c| serde_json::from_value(c.state).ok()));
    }
    let Some(id) = session.id() else {
        return Ok(None);
    };
    let Some(record) = store.load(&id).await? else {
        return Ok(None);
    };
    let Some(pre) = record
        .data
        .get(PRE_KEY)
        .and_then(|v| serde_json::from_value::<Pre>(v.clone()).ok())
    else {
        return Ok(None);
    };
    let mut taken = record.clone();
    taken.data.remove(PRE_KEY);
    if !store.replace(&record, &taken).await? {
        return Ok(None);
    }
    Ok(Some(pre.step).filter(|_| fresh(pre.started_ms)))
}

/// A ceremony a signed-in session has started.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ceremony {
    /// Which.
    pub kind: CeremonyKind,
    /// When it started (Unix ms).
    pub started_ms: i64,
    /// What it keeps: webauthn-rs's state, or the sealed TOTP secret.
    pub state: Value,
}

/// The kinds of ceremony a signed-in session starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CeremonyKind {
    /// Adding a passkey.
    AddPasskey,
    /// Confirming it is you with a passkey.
    PasskeyReauth,
    /// Setting up the authenticator app.
    TotpSetup,
    /// A sign-in (its `PreStep`), started while this session is signed in.
    SignIn,
}

impl Ceremony {
    /// A ceremony of `kind` starting now, keeping `state`.
    pub fn start(kind: CeremonyKind, state: Value) -> Self {
        Self {
            kind,
            started_ms: now_ms(),
            state,
        }
    }

    /// Whether it is of `kind` and still fresh.
    pub fn is(&self, kind: CeremonyKind) -> bool {
        self.kind == kind && fresh(self.started_ms)
    }
}
