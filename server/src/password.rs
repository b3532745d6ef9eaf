//! Argon2id hashing off the async workers, with bounded concurrency.

use std::sync::Arc;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash as Phc;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use gatehouse_api::Password;
use tokio::sync::Semaphore;

use crate::error::AppError;
use crate::users::PasswordHash;

/// Hashes and verifies passwords on the blocking pool, at most `permits` at once, so a flood
/// of sign-ins queues here instead of starving other requests.
#[derive(Clone)]
pub struct Hasher {
    permits: Arc<Semaphore>,
    /// Verified against when the username is unknown, so both cases cost the same.
    dummy: Arc<PasswordHash>,
}

impl Hasher {
    /// A hasher allowing `concurrency` hashes at once (at least one).
    pub fn new(concurrency: usize) -> Self {
        let dummy = hash_now("a password nobody has").expect("argon2 defaults are valid");
        Self {
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            dummy: Arc::new(dummy),
        }
    }

    /// Hashes a new password.
    pub async fn hash(&self, password: &Password) -> Result<PasswordHash, AppError> {
        let password = password.expose().to_owned();
        self.run(move || hash_now(&password))
            .await?
            .map_err(AppError::internal)
    }

    /// Whether `password` matches `hash`; with no hash (unknown user) it verifies against a
    /// dummy and answers false, taking the same time.
    pub async fn verify(
        &self,
        password: &Password,
        hash: Option<PasswordHash>,
    ) -> Result<bool, AppError> {
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| (*self.dummy).clone());
        let password = password.expose().to_owned();
        let matches = self
            .run(move || {
                Phc::new(&hash.0).is_ok_and(|phc| {
                    Argon2::default()
                        .verify_password(password.as_bytes(), &phc)
                        .is_ok()
                })
            })
            .await?;
        Ok(known && matches)
    }

    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let _permit = self.permits.acquire().await.map_err(AppError::internal)?;
        tokio::task::spawn_blocking(f)
            .await
            .map_err(AppError::internal)
    }
}

fn hash_now(password: &str) -> Result<PasswordHash, argon2::password_hash::Error> {
    Ok(PasswordHash(
        Argon2::default()
            .hash_password(password.as_bytes())?
            .to_string(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_and_nothing_else() {
        let hasher = Hasher::new(2);
        let right = Password::new_account("correct horse").unwrap();
        let wrong = Password::new_account("battery staple").unwrap();
        let hash = hasher.hash(&right).await.unwrap();
        assert!(hash.0.starts_with("$argon2id$"), "{}", hash.0);
        assert!(hasher.verify(&right, Some(hash.clone())).await.unwrap());
        assert!(!hasher.verify(&wrong, Some(hash)).await.unwrap());
    }

    #[tokio::test]
    async fn an_unknown_user_never_verifies_even_with_the_dummy_password() {
        let hasher = Hasher::new(1);
        let dummy = Password::try_from("a password nobody has").unwrap();
        assert!(!hasher.verify(&dummy, None).await.unwrap());
    }
}
