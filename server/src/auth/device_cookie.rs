//! Device cookies (OWASP's "Slow Down Online Guessing Attacks with Device Cookies"): a browser
//! that signed in to an account before carries a signed, HttpOnly cookie naming that account,
//! and the sign-in throttle counts its failures apart from everyone else's, so that guesses
//! made elsewhere never lock it out.
//!
//! `v1.<account>.<issued>.<nonce>.<mac>`: the folded name hashed (so the cookie does not show
//! it), the issue time (Unix seconds), 16 random bytes, and an HMAC-SHA256 over the rest under
//! a secret kept in the database (`server_secrets`), shared by every instance.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue, header::COOKIE};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};
use tower_sessions::cookie::{Cookie, SameSite};

use crate::data::db::{self, Db};
use crate::data::secrets;

/// How long a device cookie is trusted.
pub const LIFETIME: Duration = Duration::from_secs(180 * 24 * 3600);

/// Signs and checks device cookies.
#[derive(Clone)]
pub struct DeviceCookies {
    secret: Arc<[u8; 32]>,
    https: bool,
}

impl fmt::Debug for DeviceCookies {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DeviceCookies(<secret>)")
    }
}

/// A device cookie that checked out: the browser signed in to this account before.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Device(pub String);

impl DeviceCookies {
    /// With the shared secret from `db`, made by the first server to start.
    pub async fn load(db: &Db, https: bool) -> sqlx::Result<Self> {
        let mut fresh = [0u8; 32];
        rand::rng().fill_bytes(&mut fresh);
        let stored = secrets::get_or_insert(db, "device_cookie", &B64.encode(fresh)).await?;
        let mut secret = [0u8; 32];
        let decoded = B64.decode(stored.as_bytes()).unwrap_or_default();
        if decoded.len() == 32 {
            secret.copy_from_slice(&decoded);
        } else {
            return Err(sqlx::Error::Protocol(
                "the stored device_cookie secret is damaged".into(),
            ));
        }
        Ok(Self::new(secret, https))
    }

    /// With `secret`.
    pub fn new(secret: [u8; 32], https: bool) -> Self {
        Self {
            secret: Arc::new(secret),
            https,
        }
    }

    /// The cookie's name; `__Host-` over https, like the session cookie's.
    pub fn name(&self) -> &'static str {
        if self.https {
            "__Host-gatehouse_device"
        } else {
            "gatehouse_device"
        }
    }

    fn mac(&self, text: &str) -> Vec<u8> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.secret[..]).expect("any key length");
        mac.update(text.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }

    /// The account part: the folded name, hashed.
    fn account(folded_username: &str) -> String {
        B64.encode(&Sha256::digest(folded_username.as_bytes())[..12])
    }

    /// A new device cookie for `folded_username`, issued now.
    pub fn issue(&self, folded_username: &str) -> HeaderValue {
        let mut nonce = [0u8; 16];
        rand::rng().fill_bytes(&mut nonce);
        let text = format!(
            "v1.{}.{}.{}",
            Self::account(folded_username),
            db::now(),
            B64.encode(nonce)
        );
        let value = format!("{text}.{}", B64.encode(self.mac(&text)));
        let cookie = Cookie::build((self.name(), value))
            .path("/")
            .same_site(SameSite::Strict)
            .secure(self.https)
            .http_only(true)
            .max_age(time::Duration::seconds(LIFETIME.as_secs() as i64))
            .build();
        HeaderValue::try_from(cookie.to_string()).expect("cookie is a valid header")
    }

    /// The device, if `headers` carry exactly one well-signed, unexpired device cookie for
    /// `folded_username`.
    pub fn verify(&self, headers: &HeaderMap, folded_username: &str) -> Option<Device> {
        let mut found = headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|h| h.to_str().ok())
            .flat_map(|h| h.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .filter(|(name, _)| *name == self.name())
            .map(|(_, value)| value);
        let value = found.next()?;
        if found.next().is_some() {
            return None; // Two of them: ambiguous, so none.
        }
        let (text, mac) = value.rsplit_once('.')?;
        let mac = B64.decode(mac).ok()?;
        let mut check = Hmac::<Sha256>::new_from_slice(&self.secret[..]).expect("any key length");
        check.update(text.as_bytes());
        check.verify_slice(&mac).ok()?;
        let mut parts = text.split('.');
        let (version, account, issued, nonce) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        let issued: i64 = issued.parse().ok()?;
        let fresh = db::now().saturating_sub(issued) < LIFETIME.as_secs() as i64;
        (version == "v1" && account == Self::account(folded_username) && fresh)
            .then(|| Device(nonce.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cookies() -> DeviceCookies {
        DeviceCookies::new([7; 32], false)
    }

    fn sent(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            COOKIE,
            format!("gatehouse_session=x; gatehouse_device={value}")
                .parse()
                .unwrap(),
        );
        h
    }

    fn value_of(set_cookie: &HeaderValue) -> String {
        let text = set_cookie.to_str().unwrap();
        text.split(';')
            .next()
            .unwrap()
            .split_once('=')
            .unwrap()
            .1
            .to_string()
    }

    #[test]
    fn a_cookie_is_good_for_its_own_account_only() {
        let c = cookies();
        let value = value_of(&c.issue("carol"));
        assert!(!value.contains("carol"));
        let device = c.verify(&sent(&value), "carol").expect("verifies");
        assert_eq!(c.verify(&sent(&value), "carol"), Some(device));
        assert_eq!(c.verify(&sent(&value), "mallory"), None);
    }

    #[test]
    fn a_changed_or_foreign_cookie_is_refused() {
        let c = cookies();
        let value = value_of(&c.issue("carol"));
        let mut tampered = value.clone().into_bytes();
        tampered[5] ^= 1;
        let tampered = String::from_utf8(tampered).unwrap();
        assert_eq!(c.verify(&sent(&tampered), "carol"), None);
        let other_server = DeviceCookies::new([8; 32], false);
        assert_eq!(other_server.verify(&sent(&value), "carol"), None);
        assert_eq!(c.verify(&sent("v1.a.b.c.d"), "carol"), None);
        assert_eq!(c.verify(&sent(""), "carol"), None);
    }

    #[test]
    fn two_device_cookies_in_one_request_count_as_none() {
        let c = cookies();
        let value = value_of(&c.issue("carol"));
        let mut h = HeaderMap::new();
        h.insert(
            COOKIE,
            format!("gatehouse_device={value}; gatehouse_device={value}")
                .parse()
                .unwrap(),
        );
        assert_eq!(c.verify(&h, "carol"), None);
    }

    #[test]
    fn the_secret_never_shows_in_debug() {
        assert_eq!(format!("{:?}", cookies()), "DeviceCookies(<secret>)");
    }
}
