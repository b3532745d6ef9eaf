//! Login throttling: failed sign-ins counted per username and per client address.
//!
//! Written here rather than with `governor`: governor limits every attempt, while this must
//! count only failures, forget a username's failures when it signs in, and (for several
//! instances) keep its counters in a shared store.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::error::AppError;

/// Counts failed sign-ins in fixed windows that start at the first failure.
#[derive(Clone)]
pub struct LoginThrottle {
    windows: Arc<Mutex<HashMap<Key, Window>>>,
    max_per_user: u32,
    max_per_address: u32,
    window: Duration,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Key {
    User(String),
    Address(IpAddr),
}

#[derive(Clone, Copy)]
struct Window {
    failures: u32,
    started: Instant,
}

/// Past this many remembered keys, expired ones are swept on the next failure.
const SWEEP_ABOVE: usize = 10_000;

impl LoginThrottle {
    /// Allows `max_failures` per username and ten times that per address within `window`.
    pub fn new(max_failures: u32, window: Duration) -> Self {
        Self {
            windows: Arc::default(),
            max_per_user: max_failures.max(1),
            max_per_address: max_failures.max(1).saturating_mul(10),
            window,
        }
    }

    /// `Err(TooManyRequests)` while either the username or the address is over its limit.
    /// Unknown usernames are counted like known ones, so the answer reveals nothing.
    pub fn check(&self, folded_username: &str, address: Option<IpAddr>) -> Result<(), AppError> {
        let windows = self.windows.lock().expect("throttle lock");
        let now = Instant::now();
        let wait = self
            .keys(folded_username, address)
            .filter_map(|(key, max)| {
                let w = windows.get(&key)?;
                let elapsed = now.duration_since(w.started);
                (w.failures >= max && elapsed < self.window).then(|| self.window - elapsed)
            })
            .max();
        match wait {
            Some(retry_after) => Err(AppError::TooManyRequests { retry_after }),
            None => Ok(()),
        }
    }

    /// Counts one failed sign-in against the username and the address.
    pub fn failed(&self, folded_username: &str, address: Option<IpAddr>) {
        let mut windows = self.windows.lock().expect("throttle lock");
        let now = Instant::now();
        if windows.len() > SWEEP_ABOVE {
            windows.retain(|_, w| now.duration_since(w.started) < self.window);
        }
        for (key, _) in self.keys(folded_username, address) {
            let w = windows.entry(key).or_insert(Window {
                failures: 0,
                started: now,
            });
            if now.duration_since(w.started) >= self.window {
                *w = Window {
                    failures: 0,
                    started: now,
                };
            }
            w.failures += 1;
        }
    }

    /// Forgets the username's failures after a successful sign-in. The address keeps its
    /// count, so one's own account cannot be used to reset a spraying address.
    pub fn succeeded(&self, folded_username: &str) {
        self.windows
            .lock()
            .expect("throttle lock")
            .remove(&Key::User(folded_username.to_string()));
    }

    fn keys(&self, user: &str, address: Option<IpAddr>) -> impl Iterator<Item = (Key, u32)> {
        [
            Some((Key::User(user.to_string()), self.max_per_user)),
            address.map(|a| (Key::Address(a), self.max_per_address)),
        ]
        .into_iter()
        .flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOME: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::LOCALHOST));

    #[test]
    fn a_username_is_throttled_after_its_failures_and_a_success_resets_it() {
        let t = LoginThrottle::new(3, Duration::from_secs(60));
        for _ in 0..3 {
            assert!(t.check("ann", HOME).is_ok());
            t.failed("ann", HOME);
        }
        let Err(AppError::TooManyRequests { retry_after }) = t.check("ann", HOME) else {
            panic!("expected 429");
        };
        assert!(retry_after <= Duration::from_secs(60) && retry_after > Duration::from_secs(50));
        assert!(t.check("bob", HOME).is_ok(), "other users are not affected");
        t.succeeded("ann");
        assert!(t.check("ann", HOME).is_ok());
    }

    #[test]
    fn an_address_spraying_many_usernames_is_throttled() {
        let t = LoginThrottle::new(1, Duration::from_secs(60));
        for i in 0..10 {
            t.failed(&format!("user{i}"), HOME);
        }
        assert!(t.check("fresh", HOME).is_err());
        assert!(t.check("fresh", None).is_ok());
    }

    #[test]
    fn failures_are_forgotten_when_the_window_ends() {
        let t = LoginThrottle::new(1, Duration::from_millis(30));
        t.failed("ann", None);
        assert!(t.check("ann", None).is_err());
        let deadline = Instant::now() + Duration::from_secs(2);
        while t.check("ann", None).is_err() {
            assert!(Instant::now() < deadline, "window never ended");
            std::thread::yield_now();
        }
    }
}
