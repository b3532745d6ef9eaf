//! An account's live sessions, as the account page and the administrators list them.

use base64::Engine;
use gatehouse_api::ActiveSession;
use sha2::{Digest, Sha256};
use tower_sessions::session::Id;

use super::cookie::SessionPolicy;
use super::record::{AuthSession, now_ms, rfc3339_ms};
use crate::data::sessions::SessionStore;
use crate::data::users::Account;
use crate::error::AppError;

/// The handle for a session id: opaque, stable, and useless as a cookie.
pub fn handle(id: Id) -> String {
    let digest = Sha256::digest(format!("gatehouse session handle {id}"));
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..16])
}

/// The account's sessions that are still live: not past a deadline, not from before its
/// last password change, and not of a disabled account.
pub async fn live_sessions(
    store: &SessionStore,
    policy: &SessionPolicy,
    account: &Account,
) -> Result<Vec<(Id, AuthSession)>, AppError> {
    if account.disabled {
        return Ok(Vec::new());
    }
    let now = now_ms();
    let records = store.of_account(account.id).await?;
    Ok(records
        .iter()
        .filter_map(|r| Some((r.id, AuthSession::of(r)?)))
        .filter(|(_, a)| now < policy.expires_at_ms(a) && a.epoch >= account.session_epoch)
        .collect())
}

/// The rows of a sessions list, `current` first, then the most recently active.
pub fn rows(sessions: Vec<(Id, AuthSession)>, current: Option<Id>) -> Vec<ActiveSession> {
    let mut rows: Vec<ActiveSession> = sessions
        .into_iter()
        .map(|(id, a)| ActiveSession {
            id: handle(id),
            device: a
                .origin()
                .device
                .unwrap_or_else(|| "Unknown browser".into()),
            address: a.address.clone(),
            signed_in_at: rfc3339_ms(a.created_ms),
            last_active_at: rfc3339_ms(a.last_seen_ms),
            current: Some(id) == current,
        })
        .collect();
    rows.sort_by(|x, y| (y.current, &y.last_active_at).cmp(&(x.current, &x.last_active_at)));
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_handle_is_stable_opaque_and_not_the_cookie_value() {
        let id = Id::default();
        assert_eq!(handle(id), handle(id));
        assert_ne!(handle(id), id.to_string());
        assert_ne!(handle(id), handle(Id::default()));
        assert_eq!(handle(id).len(), 22);
    }
}
