//! Argon2id hashing, and the other costly work on passwords (the strength estimate), on a few
//! dedicated low-priority threads behind a bounded queue.

use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash as Phc;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use gatehouse_api::Password;

use crate::data::users::PasswordHash;
use crate::error::AppError;

/// Sign-ins waiting for a hashing thread at most; past that they answer 503 at once.
pub const QUEUE: usize = 256;

type Job = Box<dyn FnOnce() + Send>;

/// Hashes and verifies passwords on its own threads, never on the async workers. The threads
/// run at the lowest scheduling priority, so a flood of sign-ins takes only the CPU that other
/// requests leave; the queue in front of them is bounded.
#[derive(Clone)]
pub struct Hasher {
    jobs: SyncSender<Job>,
    /// Verified against when the username is unknown, so both cases cost the same.
    dummy: Arc<PasswordHash>,
}

impl Hasher {
    /// A hasher with `threads` hashing threads (at least one). They end when the last clone
    /// of the hasher is dropped.
    pub fn new(threads: usize) -> Self {
        let dummy = hash_now("a password nobody has").expect("argon2 defaults are valid");
        let (jobs, queue) = sync_channel::<Job>(QUEUE);
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..threads.max(1) {
            let queue = Arc::clone(&queue);
            std::thread::Builder::new()
                .name(format!("argon2-{i}"))
                .spawn(move || work(&queue))
                .expect("spawn a hashing thread");
        }
        Self {
            jobs,
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

    /// Refuses a new password that is easy to guess (`strength::estimate`, a field error on
    /// `field`), judged on the hashing threads: the estimate costs up to an Argon2
    /// verification's time, which no request thread may spend.
    pub async fn check_strength(
        &self,
        field: &'static str,
        password: &Password,
        context: &[&str],
    ) -> Result<(), AppError> {
        let password = password.clone();
        let context: Vec<String> = context.iter().map(|c| c.to_string()).collect();
        self.run(move || {
            let context: Vec<&str> = context.iter().map(String::as_str).collect();
            crate::auth::strength::estimate(field, &password, &context)
        })
        .await?
        .map_err(AppError::from)
    }

    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = reply.send(f());
        });
        self.jobs.try_send(job).map_err(|e| match e {
            TrySendError::Full(_) => AppError::Unavailable("too many sign-ins in progress".into()),
            TrySendError::Disconnected(_) => AppError::internal("hashing threads are gone"),
        })?;
        answer.await.map_err(AppError::internal)
    }
}

/// A hashing thread: lowest priority, then jobs until the queue closes.
fn work(queue: &Mutex<Receiver<Job>>) {
    // Lowering one's own priority is always allowed; if the platform refuses, hash anyway.
    let _ = thread_priority::set_current_thread_priority(thread_priority::ThreadPriority::Min);
    loop {
        let job = match queue.lock() {
            Ok(queue) => queue.recv(),
            Err(_) => return,
        };
        match job {
            Ok(job) => job(),
            Err(_) => return,
        }
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
    async fn many_hashes_at_once_all_complete_on_the_bounded_threads() {
        let hasher = Hasher::new(2);
        let hash = hasher
            .hash(&Password::new_account("12345678").unwrap())
            .await
            .unwrap();
        let mut set = tokio::task::JoinSet::new();
        for i in 0..8 {
            let (hasher, hash) = (hasher.clone(), hash.clone());
            let guess = if i == 0 { "12345678" } else { "wrong" };
            set.spawn(async move {
                hasher
                    .verify(&Password::try_from(guess).unwrap(), Some(hash))
                    .await
            });
        }
        let mut matched = 0;
        while let Some(result) = set.join_next().await {
            matched += usize::from(result.unwrap().unwrap());
        }
        assert_eq!(matched, 1);
    }

    #[tokio::test]
    async fn an_unknown_user_never_verifies_even_with_the_dummy_password() {
        let hasher = Hasher::new(1);
        let dummy = Password::try_from("a password nobody has").unwrap();
        assert!(!hasher.verify(&dummy, None).await.unwrap());
    }
}
