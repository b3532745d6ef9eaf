//! The ways in: passwords (hashing on their own threads, the strength rule), the sign-in
//! throttle with its device cookies. The sign-in methods to come (passkeys, an authenticator
//! app, an identity provider) live here too.

pub mod credentials;
pub mod device_cookie;
pub mod hashing;
pub mod passkeys;
pub mod recovery;
pub mod sealing;
pub mod strength;
pub mod throttle;
pub mod totp;
