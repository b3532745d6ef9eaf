//! `AppState`: what handlers share; each extracts only the part it needs.

use std::ops::Deref;
use std::sync::Arc;

use axum::extract::FromRef;

use crate::auth::credentials::Credentials;
use crate::auth::passkeys::Passkeys;
use crate::auth::sealing::SealingKey;

use crate::auth::device_cookie::DeviceCookies;
use crate::auth::hashing::Hasher;
use crate::auth::throttle::LoginThrottle;
use crate::data::db::Db;
use crate::data::sessions::{Redis, SessionStore};
use crate::data::users::AccountCache;
use crate::session::{Guard, SessionPolicy};

/// Everything the handlers share. Axum clones the state for every request (and every layer
/// that reads it), so it is one `Arc`: a clone is one counter, not one per cache and pool inside.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    /// The state shared by every request.
    pub fn new(shared: Shared) -> Self {
        Self(Arc::new(shared))
    }
}

impl Shared {
    /// What checking a password needs (see `auth::credentials`).
    pub fn credentials(&self) -> Credentials<'_> {
        Credentials {
            throttle: &self.throttle,
            hasher: &self.hasher,
            devices: &self.devices,
            db: &self.db,
            sealing: &self.sealing,
        }
    }
}

impl Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What [`AppState`] holds.
pub struct Shared {
    /// Users and notes.
    pub db: Db,
    /// Bounded Argon2id hashing.
    pub hasher: Hasher,
    /// Failed sign-in counters.
    pub throttle: LoginThrottle,
    /// Device cookies for the throttle.
    pub devices: DeviceCookies,
    /// Seals the authenticator apps' secrets.
    pub sealing: SealingKey,
    /// The passkeys' relying party.
    pub passkeys: Passkeys,
    /// The organization's OpenID provider, when one is configured.
    pub provider: Option<Arc<crate::auth::provider::IdentityProvider>>,
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

/// `State<Part>` for each part a handler may extract on its own.
macro_rules! parts {
    ($($field:ident: $part:ty),* $(,)?) => {$(
        impl FromRef<AppState> for $part {
            fn from_ref(state: &AppState) -> Self {
                state.$field.clone()
            }
        }
    )*};
}

parts! {
    db: Db,
    hasher: Hasher,
    throttle: LoginThrottle,
    devices: DeviceCookies,
    sessions: SessionPolicy,
    store: SessionStore,
    accounts: AccountCache,
    contract: Contract,
    redis: Option<Redis>,
}

impl FromRef<AppState> for Guard {
    fn from_ref(state: &AppState) -> Self {
        Self {
            policy: state.sessions.clone(),
            store: state.store.clone(),
            accounts: state.accounts.clone(),
            db: state.db.clone(),
        }
    }
}
