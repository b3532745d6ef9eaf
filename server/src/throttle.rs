//! Login throttling: failed sign-ins counted per username and per client address.
//!
//! Written here rather than with `governor`: governor limits every attempt, while this must
//! count only failures, forget a username's failures when it signs in, and, with several
//! instances, keep its counters in Redis so failures spread across instances still add up.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fred::prelude::{KeysInterface, LuaInterface};

use crate::error::AppError;
use crate::session_store::Redis;

/// Counts failed sign-ins in fixed windows that start at the first failure.
#[derive(Clone)]
pub struct LoginThrottle {
    counters: Counters,
    max_per_user: u32,
    max_per_address: u32,
    window: Duration,
}

/// Where the counters live.
#[derive(Clone)]
enum Counters {
    /// In this process (one instance).
    Memory(Arc<Mutex<HashMap<Key, Window>>>),
    /// In Redis, shared by every instance; keys expire with their window.
    Redis(Redis),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Key {
    User(String),
    Address(IpAddr),
}

impl Key {
    fn redis_key(&self) -> String {
        match self {
            Self::User(name) => format!("gatehouse:login-failures:user:{name}"),
            Self::Address(addr) => format!("gatehouse:login-failures:address:{addr}"),
        }
    }
}

#[derive(Clone, Copy)]
struct Window {
    failures: u32,
    started: Instant,
}

/// Past this many remembered keys, expired ones are swept on the next failure.
const SWEEP_ABOVE: usize = 10_000;

/// KEYS: counters; ARGV: their limits. The longest wait (ms) among counters at their limit.
const CHECK: &str = r"
local wait = 0
for i, key in ipairs(KEYS) do
  local n = tonumber(redis.call('GET', key) or '0')
  if n >= tonumber(ARGV[i]) then
    local ttl = redis.call('PTTL', key)
    if ttl > wait then wait = ttl end
  end
end
return wait";

/// KEYS: counters; ARGV[1]: the window (ms), started by a counter's first failure.
const FAILED: &str = r"
for _, key in ipairs(KEYS) do
  if redis.call('INCR', key) == 1 then redis.call('PEXPIRE', key, ARGV[1]) end
end
return 0";

impl LoginThrottle {
    /// Allows `max_failures` per username and ten times that per address within `window`,
    /// counting in this process.
    pub fn new(max_failures: u32, window: Duration) -> Self {
        Self {
            counters: Counters::Memory(Arc::default()),
            max_per_user: max_failures.max(1),
            max_per_address: max_failures.max(1).saturating_mul(10),
            window,
        }
    }

    /// The same limits, counted in Redis.
    pub fn in_redis(self, redis: Redis) -> Self {
        Self {
            counters: Counters::Redis(redis),
            ..self
        }
    }

    /// `Err(TooManyRequests)` while either the username or the address is over its limit
    /// (`Err(Unavailable)` if Redis does not answer). Unknown usernames are counted like known
    /// ones, so the answer reveals nothing.
    pub async fn check(
        &self,
        folded_username: &str,
        address: Option<IpAddr>,
    ) -> Result<(), AppError> {
        let keys = self.keys(folded_username, address);
        let wait = match &self.counters {
            Counters::Memory(windows) => {
                let windows = windows.lock().expect("throttle lock");
                let now = Instant::now();
                keys.iter()
                    .filter_map(|(key, max)| {
                        let w = windows.get(key)?;
                        let elapsed = now.duration_since(w.started);
                        (w.failures >= *max && elapsed < self.window).then(|| self.window - elapsed)
                    })
                    .max()
            }
            Counters::Redis(redis) => {
                let names: Vec<String> = keys.iter().map(|(k, _)| k.redis_key()).collect();
                let limits: Vec<String> = keys.iter().map(|(_, max)| max.to_string()).collect();
                let wait_ms: i64 = redis
                    .eval(CHECK, names, limits)
                    .await
                    .map_err(unavailable)?;
                (wait_ms > 0).then(|| Duration::from_millis(wait_ms.unsigned_abs()))
            }
        };
        match wait {
            Some(retry_after) => Err(AppError::TooManyRequests { retry_after }),
            None => Ok(()),
        }
    }

    /// Counts one failed sign-in against the username and the address.
    pub async fn failed(
        &self,
        folded_username: &str,
        address: Option<IpAddr>,
    ) -> Result<(), AppError> {
        let keys = self.keys(folded_username, address);
        match &self.counters {
            Counters::Memory(windows) => {
                let mut windows = windows.lock().expect("throttle lock");
                let now = Instant::now();
                if windows.len() > SWEEP_ABOVE {
                    windows.retain(|_, w| now.duration_since(w.started) < self.window);
                }
                for (key, _) in keys {
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
                Ok(())
            }
            Counters::Redis(redis) => {
                let names: Vec<String> = keys.iter().map(|(k, _)| k.redis_key()).collect();
                let window_ms = self.window.as_millis().max(1).to_string();
                let _: i64 = redis
                    .eval(FAILED, names, vec![window_ms])
                    .await
                    .map_err(unavailable)?;
                Ok(())
            }
        }
    }

    /// Forgets the username's failures after a successful sign-in. The address keeps its
    /// count, so one's own account cannot be used to reset a spraying address.
    pub async fn succeeded(&self, folded_username: &str) -> Result<(), AppError> {
        let key = Key::User(folded_username.to_string());
        match &self.counters {
            Counters::Memory(windows) => {
                windows.lock().expect("throttle lock").remove(&key);
                Ok(())
            }
            Counters::Redis(redis) => {
                let _: i64 = redis.del(key.redis_key()).await.map_err(unavailable)?;
                Ok(())
            }
        }
    }

    fn keys(&self, user: &str, address: Option<IpAddr>) -> Vec<(Key, u32)> {
        [
            Some((Key::User(user.to_string()), self.max_per_user)),
            address.map(|a| (Key::Address(a), self.max_per_address)),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

fn unavailable(err: fred::error::Error) -> AppError {
    AppError::Unavailable(err.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOME: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::LOCALHOST));

    #[tokio::test]
    async fn a_username_is_throttled_after_its_failures_and_a_success_resets_it() {
        let t = LoginThrottle::new(3, Duration::from_secs(60));
        for _ in 0..3 {
            assert!(t.check("ann", HOME).await.is_ok());
            t.failed("ann", HOME).await.unwrap();
        }
        let Err(AppError::TooManyRequests { retry_after }) = t.check("ann", HOME).await else {
            panic!("expected 429");
        };
        assert!(retry_after <= Duration::from_secs(60) && retry_after > Duration::from_secs(50));
        assert!(
            t.check("bob", HOME).await.is_ok(),
            "other users are not affected"
        );
        t.succeeded("ann").await.unwrap();
        assert!(t.check("ann", HOME).await.is_ok());
    }

    #[tokio::test]
    async fn an_address_spraying_many_usernames_is_throttled() {
        let t = LoginThrottle::new(1, Duration::from_secs(60));
        for i in 0..10 {
            t.failed(&format!("user{i}"), HOME).await.unwrap();
        }
        assert!(t.check("fresh", HOME).await.is_err());
        assert!(t.check("fresh", None).await.is_ok());
    }

    #[tokio::test]
    async fn failures_are_forgotten_when_the_window_ends() {
        let t = LoginThrottle::new(1, Duration::from_millis(30));
        t.failed("ann", None).await.unwrap();
        assert!(t.check("ann", None).await.is_err());
        let deadline = Instant::now() + Duration::from_secs(2);
        while t.check("ann", None).await.is_err() {
            assert!(Instant::now() < deadline, "window never ended");
            std::thread::yield_now();
        }
    }
}
