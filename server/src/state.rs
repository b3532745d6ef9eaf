//! `AppState`: what handlers share; each extracts only the part it needs.

use axum::extract::FromRef;
use sqlx::SqlitePool;

use crate::password::Hasher;
use crate::session::SessionPolicy;
use crate::throttle::LoginThrottle;
use crate::users::AccountCache;

/// Everything the handlers share, cheap to clone.
#[derive(Clone, FromRef)]
pub struct AppState {
    /// Users and notes.
    pub db: SqlitePool,
    /// Bounded Argon2id hashing.
    pub hasher: Hasher,
    /// Failed sign-in counters.
    pub throttle: LoginThrottle,
    /// Session expiry and cookie settings.
    pub sessions: SessionPolicy,
    /// Accounts, briefly cached for the session check.
    pub accounts: AccountCache,
    /// Reverse proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: std::sync::Arc<[std::net::IpAddr]>,
}
