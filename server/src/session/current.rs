//! Changes to the current session's own record (its idle clock, its proof of the password, the
//! ceremony it runs), compare-and-set: reading it again if another request of the same session
//! wrote it meanwhile, and never bringing back a session that was ended.

use tower_sessions::session::Id;
use tower_sessions::session_store::SessionStore as _;

use super::ceremony::{Ceremony, CeremonyKind};
use super::cookie::{SessionCookies, SessionPolicy};
use super::guard::{CurrentUser, replace};
use super::record::AuthSession;
use crate::data::sessions::SessionStore;
use crate::error::AppError;

/// Changes the current session with `change`; the session as written and its renewed cookies.
pub async fn update(
    store: &SessionStore,
    policy: &SessionPolicy,
    user: &CurrentUser,
    change: impl Fn(&mut AuthSession),
) -> Result<(AuthSession, SessionCookies), AppError> {
    update_record(store, policy, user.session, &user.auth, change).await
}

/// `update` for the session `id`, last read as `auth` (a route without a guard reads it
/// itself, see `ceremony`).
pub async fn update_record(
    store: &SessionStore,
    policy: &SessionPolicy,
    id: Id,
    auth: &AuthSession,
    change: impl Fn(&mut AuthSession),
) -> Result<(AuthSession, SessionCookies), AppError> {
    let mut old = auth.clone();
    for _ in 0..3 {
        let mut new = old.clone();
        change(&mut new);
        if let Some(cookies) = replace(store, policy, id, &old, &new).await? {
            return Ok((new, cookies));
        }
        old = reload(store, id).await?;
    }
    Err(AppError::Conflict)
}

/// Takes the session's ceremony of `kind`, once: of two requests finishing it, one gets it.
/// `None` when there is none of that kind, or it is stale.
pub async fn take_ceremony(
    store: &SessionStore,
    policy: &SessionPolicy,
    user: &CurrentUser,
    kind: CeremonyKind,
) -> Result<Option<Ceremony>, AppError> {
    take_record_ceremony(store, policy, user.session, &user.auth, kind).await
}

/// `take_ceremony` for the session `id`, last read as `auth`.
pub async fn take_record_ceremony(
    store: &SessionStore,
    policy: &SessionPolicy,
    id: Id,
    auth: &AuthSession,
    kind: CeremonyKind,
) -> Result<Option<Ceremony>, AppError> {
    let mut old = auth.clone();
    for _ in 0..3 {
        let Some(ceremony) = old.ceremony.clone().filter(|c| c.is(kind)) else {
            return Ok(None);
        };
        let mut new = old.clone();
        new.ceremony = None;
        if replace(store, policy, id, &old, &new).await?.is_some() {
            return Ok(Some(ceremony));
        }
        old = reload(store, id).await?;
    }
    Err(AppError::Conflict)
}

async fn reload(store: &SessionStore, id: Id) -> Result<AuthSession, AppError> {
    store
        .load(&id)
        .await?
        .as_ref()
        .and_then(AuthSession::of)
        .ok_or(AppError::SessionExpired)
}
