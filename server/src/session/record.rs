//! What a signed-in session holds, when it ends, and how long its record is stored.
//!
//! tower-sessions has no absolute lifetime and renews nothing by itself, so both deadlines are
//! decided here from two time stamps kept in the session (`created_ms`, `last_seen_ms`). The
//! record is stored until the earlier deadline plus `KEEP_EXPIRED`, so an ended session can
//! still be told apart from a cookie the server never issued and answered `session_expired`,
//! and a stolen cookie is worth nothing once that hour has passed.

use std::time::Duration;

use base64::Engine;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use tower_sessions::session::{Id, Record};

use super::cookie::{SessionPolicy, millis};
use crate::data::events::Origin;

/// The session key under which `AuthSession` is stored.
pub const AUTH_KEY: &str = "auth";

/// How long a record outlives its session, to answer `session_expired`.
pub const KEEP_EXPIRED: Duration = Duration::from_secs(3600);

/// What a signed-in session holds. Its `Debug` leaves the CSRF token out.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct AuthSession {
    /// The account signed in.
    pub user_id: i64,
    /// The account's `session_epoch` at sign-in; a password change bumps it.
    pub epoch: i64,
    /// The synchronizer token the SPA must echo in `X-CSRF-TOKEN`.
    pub csrf: String,
    /// Sign-in (Unix ms).
    pub created_ms: i64,
    /// The last request that renewed the idle clock (Unix ms).
    pub last_seen_ms: i64,
    /// The last proof of the password: sign-in or re-authentication (Unix ms).
    #[serde(default)]
    pub auth_at_ms: i64,
    /// Browser and operating system at sign-in ("Firefox on Linux").
    #[serde(default)]
    pub device: String,
    /// The client's address at sign-in, when known.
    #[serde(default)]
    pub address: Option<String>,
    /// A ceremony this session has started and not finished (adding a passkey, confirming with
    /// one, setting up the authenticator app), used once (see `ceremony`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ceremony: Option<super::ceremony::Ceremony>,
    /// Signed in through the identity provider with more than one factor (its `amr` says so),
    /// which counts as the second way in `--require-second-factor` asks for.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub multi_factor: bool,
}

impl AuthSession {
    /// A session for `user_id` (under `epoch`) starting now from `origin`, with a new CSRF
    /// token.
    pub fn start(user_id: i64, epoch: i64, origin: &Origin) -> Self {
        let now = now_ms();
        Self {
            user_id,
            epoch,
            csrf: random_token(),
            created_ms: now,
            last_seen_ms: now,
            auth_at_ms: now,
            device: origin.device.clone().unwrap_or_default(),
            address: origin.address.clone(),
            ceremony: None,
            multi_factor: false,
        }
    }

    /// Where this session was signed in from, as events record it.
    pub fn origin(&self) -> Origin {
        Origin {
            device: Some(self.device.clone()).filter(|d| !d.is_empty()),
            address: self.address.clone(),
        }
    }

    /// The session in `record`, if it is a signed-in one.
    pub fn of(record: &Record) -> Option<Self> {
        serde_json::from_value(record.data.get(AUTH_KEY)?.clone()).ok()
    }

    /// The record holding this session under `id`, stored as long as `policy` says.
    pub fn to_record(&self, id: Id, policy: &SessionPolicy) -> Record {
        let value = serde_json::to_value(self).expect("AuthSession serializes");
        Record {
            id,
            data: [(AUTH_KEY.to_string(), value)].into_iter().collect(),
            expiry_date: policy.stored_until(self),
        }
    }
}

impl std::fmt::Debug for AuthSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthSession")
            .field("user_id", &self.user_id)
            .field("epoch", &self.epoch)
            .field("created_ms", &self.created_ms)
            .field("last_seen_ms", &self.last_seen_ms)
            .field("auth_at_ms", &self.auth_at_ms)
            .finish_non_exhaustive()
    }
}

/// Which account a stored record belongs to (the session stores index by it).
pub fn account_of(record: &Record) -> Option<i64> {
    record.data.get(AUTH_KEY)?.get("user_id")?.as_i64()
}

impl SessionPolicy {
    /// When the session ends without further activity (Unix ms): the earlier of the idle
    /// deadline and the absolute lifetime.
    pub fn expires_at_ms(&self, auth: &AuthSession) -> i64 {
        self.idle_expires_at_ms(auth)
            .min(self.absolute_expires_at_ms(auth))
    }

    /// The idle deadline (Unix ms).
    pub fn idle_expires_at_ms(&self, auth: &AuthSession) -> i64 {
        auth.last_seen_ms.saturating_add(millis(self.idle_timeout))
    }

    /// The absolute deadline (Unix ms).
    pub fn absolute_expires_at_ms(&self, auth: &AuthSession) -> i64 {
        auth.created_ms.saturating_add(millis(self.max_lifetime))
    }

    /// Until when the last proof of the password allows actions that need a recent one.
    pub fn reauthenticated_until_ms(&self, auth: &AuthSession) -> i64 {
        auth.auth_at_ms.saturating_add(millis(self.reauth_window))
    }

    /// Until when the record (and the cookie) are kept: the session's deadline plus
    /// `KEEP_EXPIRED`.
    pub fn stored_until(&self, auth: &AuthSession) -> OffsetDateTime {
        let ms = self
            .expires_at_ms(auth)
            .saturating_add(millis(KEEP_EXPIRED));
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }
}

/// Now, in Unix ms.
pub fn now_ms() -> i64 {
    millis(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default(),
    )
}

/// An RFC 3339 string (UTC, to the millisecond) for a Unix-ms time stamp.
pub fn rfc3339_ms(ms: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::cookie::tests::policy;

    fn auth(created_ms: i64, last_seen_ms: i64) -> AuthSession {
        AuthSession {
            user_id: 1,
            epoch: 0,
            csrf: "t".into(),
            created_ms,
            last_seen_ms,
            auth_at_ms: created_ms,
            device: String::new(),
            address: None,
            ceremony: None,
            multi_factor: false,
        }
    }

    #[test]
    fn a_session_ends_at_the_earlier_of_idle_and_absolute_deadlines() {
        let p = policy();
        let hour = 3_600_000;
        assert_eq!(p.expires_at_ms(&auth(0, 0)), hour / 2);
        assert_eq!(p.expires_at_ms(&auth(0, 12 * hour - 60_000)), 12 * hour);
    }

    #[test]
    fn a_record_is_stored_an_hour_past_its_sessions_deadline() {
        let p = policy();
        let record = auth(0, 0).to_record(Id::default(), &p);
        assert_eq!(
            record.expiry_date,
            OffsetDateTime::UNIX_EPOCH + time::Duration::minutes(90)
        );
        assert_eq!(account_of(&record), Some(1));
        assert!(AuthSession::of(&record) == Some(auth(0, 0)));
    }

    #[test]
    fn deadlines_cross_the_wire_as_rfc3339_to_the_millisecond() {
        assert_eq!(rfc3339_ms(1_700_000_000_123), "2023-11-14T22:13:20.123Z");
        assert_eq!(rfc3339_ms(1_700_000_000_000), "2023-11-14T22:13:20Z");
    }

    #[test]
    fn csrf_tokens_are_random_and_url_safe() {
        let (a, b) = (random_token(), random_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
    }
}
