//! A round trip through the identity provider, kept server-side while the browser is away.
//!
//! Not in the session itself: the session cookie is `SameSite=Strict`, and the provider sends
//! the browser back with a cross-site navigation, which does not carry it. So each round trip
//! is its own record in the session store (five minutes, taken compare-and-set, so it is used
//! once), named by its own cookie: `SameSite=Lax` (sent on that top-level `GET`), `HttpOnly`,
//! limited to the callback's path, and lasting as long as the record. Its `state`, `nonce` and
//! PKCE verifier never leave the server but `state`, in the provider's address.

use std::collections::HashMap;
use std::str::FromStr;

use axum::http::{HeaderMap, HeaderValue};
use gatehouse_api::Endpoint;
use gatehouse_api::endpoints::ProviderCallback;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use tower_sessions::cookie::{Cookie, SameSite};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::SessionStore as _;

use super::ceremony::LIFETIME;
use super::cookie::SessionPolicy;
use super::record::now_ms;
use crate::data::sessions::SessionStore;
use crate::error::AppError;

/// The record's key for the round trip.
const KEY: &str = "provider_round_trip";

/// What the round trip is for.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "for", rename_all = "snake_case")]
pub enum Purpose {
    /// Signing in, then on to `next` (a safe path, or the home page).
    SignIn {
        /// Where to go once signed in.
        next: Option<String>,
    },
    /// Linking the identity to the signed-in account `account`, from its session `session`.
    Link {
        /// The account.
        account: i64,
        /// Its session epoch when it started (a password change since voids it).
        epoch: i64,
        /// The session that started it (still signed in when the provider answers).
        session: String,
    },
    /// Confirming it is the signed-in person (as a password does), then on to `next`.
    Confirm {
        /// The account.
        account: i64,
        /// Its session epoch when it started.
        epoch: i64,
        /// The session to mark confirmed.
        session: String,
        /// Where to go once confirmed.
        next: Option<String>,
    },
}

/// A round trip waiting for the provider's answer; `T` is what the provider must answer to
/// (`auth::provider::RoundTrip`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Waiting<T> {
    /// What the provider must answer to.
    pub trip: T,
    /// What for.
    pub purpose: Purpose,
    /// When it started (Unix ms).
    pub started_ms: i64,
}

impl SessionPolicy {
    fn round_trip_cookie_name(&self) -> &'static str {
        if self.https {
            "__Secure-gatehouse_provider"
        } else {
            "gatehouse_provider"
        }
    }

    /// The round trip's cookie holding `value` (clearing it when `None`).
    fn round_trip_cookie(&self, value: Option<&str>) -> HeaderValue {
        let max_age = match value {
            Some(_) => time::Duration::try_from(LIFETIME).unwrap_or(time::Duration::ZERO),
            None => time::Duration::ZERO,
        };
        let cookie = Cookie::build((self.round_trip_cookie_name(), value.unwrap_or_default()))
            .path(ProviderCallback::PATH)
            .same_site(SameSite::Lax)
            .secure(self.https)
            .http_only(true)
            .max_age(max_age)
            .build();
        HeaderValue::try_from(cookie.to_string()).expect("cookie is a valid header")
    }

    /// The cookie clearing the round trip's.
    pub fn round_trip_cleared(&self) -> HeaderValue {
        self.round_trip_cookie(None)
    }
}

/// Keeps `trip` for `purpose` for five minutes: the cookie naming it, for the answer.
pub async fn begin<T: Serialize>(
    store: &SessionStore,
    policy: &SessionPolicy,
    trip: T,
    purpose: Purpose,
) -> Result<HeaderValue, AppError> {
    let waiting = Waiting {
        trip,
        purpose,
        started_ms: now_ms(),
    };
    let mut record = Record {
        id: Id::default(),
        data: HashMap::from([(
            KEY.to_string(),
            serde_json::to_value(&waiting).map_err(AppError::internal)?,
        )]),
        expiry_date: OffsetDateTime::now_utc() + LIFETIME,
    };
    store.create(&mut record).await?;
    Ok(policy.round_trip_cookie(Some(&record.id.to_string())))
}

/// Takes the round trip this browser's cookie names, once: of two requests carrying it, one
/// gets it. `None` when there is none, or it is stale.
pub async fn take<T: DeserializeOwned>(
    store: &SessionStore,
    policy: &SessionPolicy,
    headers: &HeaderMap,
) -> Result<Option<Waiting<T>>, AppError> {
    let name = policy.round_trip_cookie_name();
    let Some(id) = super::request_cookies(headers)
        .find(|(n, _)| *n == name)
        .and_then(|(_, value)| Id::from_str(value).ok())
    else {
        return Ok(None);
    };
    let Some(record) = store.load(&id).await? else {
        return Ok(None);
    };
    let Some(waiting) = record
        .data
        .get(KEY)
        .and_then(|v| serde_json::from_value::<Waiting<T>>(v.clone()).ok())
    else {
        return Ok(None);
    };
    let mut taken = record.clone();
    taken.data.remove(KEY);
    if !store.replace(&record, &taken).await? {
        return Ok(None);
    }
    let fresh =
        now_ms() - waiting.started_ms < i64::try_from(LIFETIME.as_millis()).unwrap_or(i64::MAX);
    Ok(Some(waiting).filter(|_| fresh))
}
