//! `AppState`: what handlers share; each extracts only the part it needs.

use crate::db::Db;
use axum::extract::FromRef;

use crate::password::Hasher;
use crate::session::SessionPolicy;
use crate::store::Redis;
use crate::throttle::LoginThrottle;
use crate::users::AccountCache;

/// Everything the handlers share, cheap to clone.
#[derive(Clone, FromRef)]
pub struct AppState {
    /// Users and notes.
    pub db: Db,
    /// Bounded Argon2id hashing.
    pub hasher: Hasher,
    /// Failed sign-in counters.
    pub throttle: LoginThrottle,
    /// Session expiry and cookie settings.
    pub sessions: SessionPolicy,
    /// Accounts, briefly cached for the session check.
    pub accounts: AccountCache,
    /// Redis, when sessions live there (for the health check).
    pub redis: Option<Redis>,
}
