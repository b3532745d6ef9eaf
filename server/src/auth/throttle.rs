//! Sign-in throttling: every attempt is reserved (counted as a failure) before its password is
//! verified, so a burst sent at once is cut at the limit; a success gives its reservation back.
//!
//! What counts, for `max` = `--login-max-failures` within `--login-throttle-window`:
//! - a browser with a valid device cookie for the account (see `device`): `max` failures of its
//!   own, and nothing else; failures made elsewhere never lock it out;
//! - any other client: `max` per (account, client address), `10 × max` per address (one address
//!   spraying many names), and `3 × max` per account from all such clients together, so that
//!   guessing stays slow across many addresses. Unknown names are counted like known ones.
//!
//! Written here rather than with `governor`: governor limits every attempt, while this must
//! give successes back, count per device, and, with several instances, keep its counters in
//! Redis so failures spread across instances still add up.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fred::prelude::LuaInterface;

use crate::auth::device_cookie::Device;
use crate::data::sessions::Redis;
use crate::error::AppError;

/// Counts failed sign-ins in fixed windows that start at the first failure.
#[derive(Clone)]
pub struct LoginThrottle {
    counters: Counters,
    max: u32,
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
    /// Every client without a device cookie, for one account.
    Account(String),
    /// One client address, for any account.
    Address(IpAddr),
    /// One client address, for one account.
    AccountAddress(String, IpAddr),
    /// One device cookie.
    Device(String),
}

impl Key {
    fn redis_key(&self) -> String {
        match self {
            Self::Account(name) => format!("gatehouse:login-failures:user:{name}"),
            Self::Address(addr) => format!("gatehouse:login-failures:address:{addr}"),
            Self::AccountAddress(name, addr) => {
                format!("gatehouse:login-failures:user-address:{name}:{addr}")
            }
            Self::Device(nonce) => format!("gatehouse:login-failures:device:{nonce}"),
        }
    }
}

#[derive(Clone, Copy)]
struct Window {
    failures: u32,
    started: Instant,
}

/// One sign-in attempt (or password confirmation), as the throttle sees it.
#[derive(Clone, Debug)]
pub struct Attempt {
    /// The folded username.
    pub account: String,
    /// The client's address, when known.
    pub address: Option<IpAddr>,
    /// The device cookie, when the request carried a valid one for this account.
    pub device: Option<Device>,
}

/// Past this many remembered keys, expired ones are swept on the next reservation.
const SWEEP_ABOVE: usize = 10_000;

/// KEYS: counters; ARGV[1]: the window (ms); ARGV[2..]: their limits. If every counter is
/// under its limit, counts one more on each (starting its window) and returns 0; otherwise
/// counts nothing and returns the longest wait (ms) among those at their limit.
const RESERVE: &str = r"
local wait = 0
for i, key in ipairs(KEYS) do
  if tonumber(redis.call('GET', key) or '0') >= tonumber(ARGV[i + 1]) then
    local ttl = redis.call('PTTL', key)
    if ttl > wait then wait = ttl end
  end
end
if wait > 0 then return wait end
for _, key in ipairs(KEYS) do
  if redis.call('INCR', key) == 1 then redis.call('PEXPIRE', key, ARGV[1]) end
end
return 0";

/// KEYS[1..n-1]: counters to forget; KEYS[n]: a counter to give one back to.
const SUCCEEDED: &str = r"
for i = 1, #KEYS - 1 do redis.call('DEL', KEYS[i]) end
local last = KEYS[#KEYS]
if tonumber(redis.call('GET', last) or '0') > 0 then redis.call('DECR', last) end
return 0";

impl LoginThrottle {
    /// `max` failures per account and client (see the module), counting in this process.
    pub fn new(max: u32, window: Duration) -> Self {
        Self {
            counters: Counters::Memory(Arc::default()),
            max: max.max(1),
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

    /// The counters an attempt is held to, with their limits.
    fn keys(&self, attempt: &Attempt) -> Vec<(Key, u32)> {
        if let Some(Device(nonce)) = &attempt.device {
            return vec![(Key::Device(nonce.clone()), self.max)];
        }
        let account = attempt.account.clone();
        let mut keys = vec![(Key::Account(account.clone()), self.max.saturating_mul(3))];
        if let Some(address) = attempt.address {
            keys.push((Key::AccountAddress(account, address), self.max));
            keys.push((Key::Address(address), self.max.saturating_mul(10)));
        }
        keys
    }

    /// Reserves the attempt: counts it as a failure of every counter it is held to, or answers
    /// `Err(TooManyRequests)` (counting nothing) while one of them is at its limit;
    /// `Err(Unavailable)` if Redis does not answer. Call before verifying the password.
    pub async fn reserve(&self, attempt: &Attempt) -> Result<(), AppError> {
        let keys = self.keys(attempt);
        let wait = match &self.counters {
            Counters::Memory(windows) => {
                let mut windows = windows.lock().expect("throttle lock");
                let now = Instant::now();
                if windows.len() > SWEEP_ABOVE {
                    windows.retain(|_, w| now.duration_since(w.started) < self.window);
                }
                let live = |w: &Window| now.duration_since(w.started) < self.window;
                let wait = keys
                    .iter()
                    .filter_map(|(key, max)| {
                        let w = windows.get(key).filter(|w| live(w))?;
                        (w.failures >= *max).then(|| self.window - now.duration_since(w.started))
                    })
                    .max();
                if wait.is_none() {
                    for (key, _) in keys {
                        let w = windows.entry(key).or_insert(Window {
                            failures: 0,
                            started: now,
                        });
                        if !live(w) {
                            *w = Window {
                                failures: 0,
                                started: now,
                            };
                        }
                        w.failures += 1;
                    }
                }
                wait
            }
            Counters::Redis(redis) => {
                let names: Vec<String> = keys.iter().map(|(k, _)| k.redis_key()).collect();
                let mut args = vec![self.window.as_millis().max(1).to_string()];
                args.extend(keys.iter().map(|(_, max)| max.to_string()));
                let wait_ms: i64 = redis
                    .eval(RESERVE, names, args)
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

    /// The reserved attempt succeeded: its account's (or device's) failures are forgotten, and
    /// the address gets its reservation back, so one's own account cannot be used to reset a
    /// spraying address but a success does not count against it either.
    pub async fn succeeded(&self, attempt: &Attempt) -> Result<(), AppError> {
        let mut forget: Vec<Key> = self
            .keys(attempt)
            .into_iter()
            .map(|(k, _)| k)
            .filter(|k| !matches!(k, Key::Address(_)))
            .collect();
        let give_back = attempt
            .address
            .filter(|_| attempt.device.is_none())
            .map(Key::Address);
        match &self.counters {
            Counters::Memory(windows) => {
                let mut windows = windows.lock().expect("throttle lock");
                for key in &forget {
                    windows.remove(key);
                }
                if let Some(w) = give_back.and_then(|k| windows.get_mut(&k)) {
                    w.failures = w.failures.saturating_sub(1);
                }
                Ok(())
            }
            Counters::Redis(redis) => {
                // The script gives one back to its last key: a placeholder when there is none.
                forget.push(give_back.unwrap_or(Key::Account(String::new())));
                let names: Vec<String> = forget.iter().map(Key::redis_key).collect();
                let _: i64 = redis
                    .eval(SUCCEEDED, names, Vec::<String>::new())
                    .await
                    .map_err(unavailable)?;
                Ok(())
            }
        }
    }
}

fn unavailable(err: fred::error::Error) -> AppError {
    AppError::Unavailable(err.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOME: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::LOCALHOST));

    fn attempt(account: &str, address: Option<IpAddr>) -> Attempt {
        Attempt {
            account: account.into(),
            address,
            device: None,
        }
    }

    #[tokio::test]
    async fn an_account_is_throttled_after_its_failures_and_a_success_resets_it() {
        let t = LoginThrottle::new(3, Duration::from_secs(60));
        for _ in 0..3 {
            t.reserve(&attempt("ann", HOME)).await.unwrap();
        }
        let Err(AppError::TooManyRequests { retry_after }) = t.reserve(&attempt("ann", HOME)).await
        else {
            panic!("expected 429");
        };
        assert!(retry_after <= Duration::from_secs(60) && retry_after > Duration::from_secs(50));
        assert!(
            t.reserve(&attempt("bob", HOME)).await.is_ok(),
            "others are not affected"
        );
        t.succeeded(&attempt("ann", HOME)).await.unwrap();
        assert!(t.reserve(&attempt("ann", HOME)).await.is_ok());
    }

    #[tokio::test]
    async fn an_address_spraying_many_usernames_is_throttled() {
        let t = LoginThrottle::new(1, Duration::from_secs(60));
        for i in 0..10 {
            t.reserve(&attempt(&format!("user{i}"), HOME))
                .await
                .unwrap();
        }
        assert!(t.reserve(&attempt("fresh", HOME)).await.is_err());
        assert!(t.reserve(&attempt("fresh", None)).await.is_ok());
    }

    #[tokio::test]
    async fn a_device_is_held_only_to_its_own_count() {
        let t = LoginThrottle::new(2, Duration::from_secs(60));
        for _ in 0..6 {
            let _ = t.reserve(&attempt("ann", HOME)).await;
        }
        assert!(t.reserve(&attempt("ann", HOME)).await.is_err());
        let trusted = Attempt {
            device: Some(Device("n1".into())),
            ..attempt("ann", HOME)
        };
        t.reserve(&trusted).await.unwrap();
        t.reserve(&trusted).await.unwrap();
        assert!(
            t.reserve(&trusted).await.is_err(),
            "its own limit still holds"
        );
    }

    #[tokio::test]
    async fn failures_are_forgotten_when_the_window_ends() {
        let t = LoginThrottle::new(1, Duration::from_millis(30));
        t.reserve(&attempt("ann", None)).await.unwrap();
        t.reserve(&attempt("ann", None)).await.unwrap();
        t.reserve(&attempt("ann", None)).await.unwrap();
        assert!(t.reserve(&attempt("ann", None)).await.is_err());
        let deadline = Instant::now() + Duration::from_secs(2);
        while t.reserve(&attempt("ann", None)).await.is_err() {
            assert!(Instant::now() < deadline, "window never ended");
            std::thread::yield_now();
        }
    }
}
