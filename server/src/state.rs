//! `AppState`: what handlers share; each extracts only the part it needs.

use axum::extract::FromRef;

use crate::db::Db;
use crate::device::DeviceCookies;
use crate::password::Hasher;
use crate::session::{Guard, SessionPolicy};
use crate::session_store::{Redis, SessionStore};
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
    /// Device cookies for the throttle.
    pub devices: DeviceCookies,
    /// Session expiry and cookie settings.
    pub sessions: SessionPolicy,
    /// Where session records live.
    pub store: SessionStore,
    /// Accounts, cached (on SQLite) for the session check.
    pub accounts: AccountCache,
    /// The API's published contract.
    pub contract: Contract,
    /// Redis, when sessions live there (for the health check).
    pub redis: Option<Redis>,
}

/// The API's OpenAPI document (see the `openapi` module), made once at start from the route table.
#[derive(Clone, Debug, Default)]
pub struct Contract(pub std::sync::Arc<serde_json::Value>);

impl FromRef<AppState> for Guard {
    fn from_ref(state: &AppState) -> Self {
        Self {
            policy: state.sessions.clone(),
            store: state.store.clone(),
            accounts: state.accounts.clone(),
        }
    }
}
