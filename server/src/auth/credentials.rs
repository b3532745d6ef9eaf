//! One check of a password, for every place that asks for one (signing in, confirming it
//! again, changing it): counted by the throttle before anything costly, verified on the
//! hashing threads (against a dummy hash when there is no such account, taking as long), and
//! given back to the throttle only when right.

use std::future::Future;
use std::net::IpAddr;

use axum::http::HeaderMap;
use gatehouse_api::{Password, Username};

use super::device_cookie::DeviceCookies;
use super::hashing::Hasher;
use super::throttle::{Attempt, LoginThrottle};
use crate::data::users::Account;
use crate::error::AppError;

/// What checking a password needs.
#[derive(Clone, Copy)]
pub struct Credentials<'a> {
    /// Counts attempts.
    pub throttle: &'a LoginThrottle,
    /// Verifies on its own threads.
    pub hasher: &'a Hasher,
    /// Tells a browser that signed in to the account before from everyone else.
    pub devices: &'a DeviceCookies,
}

/// Who is trying, as the throttle tells them apart: the request's cookies (a device cookie)
/// and the client's address.
pub struct Claimant<'a> {
    /// The request's headers.
    pub headers: &'a HeaderMap,
    /// The client's address, when known.
    pub address: Option<IpAddr>,
}

/// What a check found.
#[derive(Debug)]
pub enum Checked {
    /// The right password for an account that may sign in.
    Right(Account),
    /// Wrong, no such account, or a disabled one (told apart nowhere but in the log and the
    /// account's own activity).
    Wrong(Option<Account>),
}

impl Credentials<'_> {
    /// Checks `password` for the account named `name`, which `load` reads once the attempt
    /// is counted. `Err(TooManyRequests)` when the throttle refuses the attempt (nothing is
    /// verified then), `Err(Unavailable)` when the hashing queue is full.
    pub async fn check(
        &self,
        claimant: &Claimant<'_>,
        name: &Username,
        password: &Password,
        load: impl Future<Output = sqlx::Result<Option<Account>>>,
    ) -> Result<Checked, AppError> {
        let key = name.folded();
        let attempt = Attempt {
            device: self.devices.verify(claimant.headers, &key),
            account: key,
            address: claimant.address,
        };
        // Counted before the password is checked, so that a burst is cut at the limit.
        self.throttle.reserve(&attempt).await?;
        let account = load.await?;
        let hash = account.as_ref().map(|a| a.password_hash.clone());
        let verified = self.hasher.verify(password, hash).await?;
        match account {
            // A disabled account is refused exactly as a wrong password is: after verifying,
            // and counted.
            Some(account) if verified && !account.disabled => {
                self.throttle.succeeded(&attempt).await?;
                Ok(Checked::Right(account))
            }
            other => Ok(Checked::Wrong(other)),
        }
    }
}
