//! The ways in: passwords (hashing on their own threads, the strength rule), the sign-in
//! throttle with its device cookies, passkeys, the authenticator app, and the organization's
//! identity provider.

pub mod credentials;
pub mod device_cookie;
pub mod hashing;
pub mod passkeys;
pub mod provider;
pub mod recovery;
pub mod sealing;
pub mod strength;
pub mod throttle;
pub mod totp;
