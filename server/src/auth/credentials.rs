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
use super::sealing::SealingKey;
use super::throttle::{Attempt, LoginThrottle};
use super::{recovery, totp};
use crate::data::db::Db;
use crate::data::factors;
use crate::data::users::Account;
use crate::error::AppError;
use gatehouse_api::{FieldError, SecondFactorProof};

/// What checking a password needs.
#[derive(Clone, Copy)]
pub struct Credentials<'a> {
    /// Counts attempts.
    pub throttle: &'a LoginThrottle,
    /// Verifies on its own threads.
    pub hasher: &'a Hasher,
    /// Tells a browser that signed in to the account before from everyone else.
    pub devices: &'a DeviceCookies,
    /// Where the authenticator apps' secrets and recovery codes are.
    pub db: &'a Db,
    /// Opens the apps' secrets.
    pub sealing: &'a SealingKey,
}

/// Which second factor a check accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecondFactor {
    /// A code from the authenticator app.
    Totp,
    /// A recovery code (now spent).
    RecoveryCode,
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
    fn attempt(&self, claimant: &Claimant<'_>, name: &Username) -> Attempt {
        let key = name.folded();
        Attempt {
            device: self.devices.verify(claimant.headers, &key),
            account: key,
            address: claimant.address,
        }
    }

    /// Checks a code from the authenticator app, or a recovery code, for the account `id`
    /// (named `name`), under the throttle as a password is: counted before it is checked,
    /// given back only when right. Whatever is accepted is spent (the code's time step, the
    /// recovery code), so neither works twice. 401 `invalid_code` when wrong, expired or used.
    pub async fn check_second_factor(
        &self,
        claimant: &Claimant<'_>,
        name: &Username,
        id: i64,
        proof: &SecondFactorProof,
    ) -> Result<SecondFactor, AppError> {
        let which = match (&proof.code, &proof.recovery_code) {
            (Some(_), None) => SecondFactor::Totp,
            (None, Some(_)) => SecondFactor::RecoveryCode,
            _ => {
                return Err(FieldError {
                    field: "code",
                    message: "Enter the code from your authenticator app, or a recovery code."
                        .into(),
                }
                .into());
            }
        };
        let attempt = self.attempt(claimant, name);
        self.throttle.reserve(&attempt).await?;
        let right = match which {
            SecondFactor::Totp => {
                let code = proof.code.as_deref().unwrap_or_default();
                let secret = factors::totp(self.db, id)
                    .await?
                    .and_then(|(sealed, _)| self.sealing.open(&sealed));
                match secret.and_then(|secret| totp::check(&secret, code)) {
                    Some(step) => factors::spend_step(self.db, id, step).await?,
                    None => false,
                }
            }
            SecondFactor::RecoveryCode => {
                let typed = proof.recovery_code.as_deref().unwrap_or_default();
                factors::spend_recovery_code(self.db, id, &recovery::hash(typed)).await?
            }
        };
        if !right {
            return Err(AppError::InvalidCode);
        }
        self.throttle.succeeded(&attempt).await?;
        Ok(which)
    }

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
        let attempt = self.attempt(claimant, name);
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
