//! The authenticator app (TOTP, RFC 6238, as every app reads it: SHA-1, six digits, 30-second
//! steps), by `totp-rs`: a new secret with its `otpauth://` URI and QR code, and checking a
//! code, which reports its step so that the caller can refuse the same code twice.

use gatehouse_api::TotpSetup;
use qrcode::QrCode;
use qrcode::render::svg;
use rand::RngCore;
use totp_rs::{Algorithm, Builder, Totp};

/// The name apps show above the code.
pub const ISSUER: &str = "Gatehouse";

/// A new secret: 20 random bytes (160 bits, RFC 4226's recommendation).
pub fn new_secret() -> Vec<u8> {
    let mut secret = vec![0u8; 20];
    rand::rng().fill_bytes(&mut secret);
    secret
}

fn totp(secret: &[u8], account: &str) -> Totp {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_step_duration(30)
        // A code from the step before or after is accepted too: a phone's clock a little off,
        // or a code typed as it changed.
        .with_skew(1)
        .with_secret(secret.to_vec())
        .with_account_name(account)
        .with_issuer(Some(ISSUER))
        .build()
        .expect("20 random bytes and an account name make a valid TOTP")
}

/// What the app needs to be set up with `secret` for `account`.
pub fn setup(secret: &[u8], account: &str) -> TotpSetup {
    let totp = totp(secret, account);
    let uri = totp.to_url().expect("a TOTP with an issuer has a URI");
    let qr_svg = QrCode::new(uri.as_bytes())
        .map(|code| {
            code.render::<svg::Color<'_>>()
                .min_dimensions(200, 200)
                .quiet_zone(true)
                .build()
        })
        .unwrap_or_default();
    TotpSetup {
        secret: totp.secret().to_base32(),
        uri,
        qr_svg,
    }
}

/// The step `code` belongs to, if it is a code of `secret` now (or one step either side).
/// Spaces and dashes typed in the code are ignored.
pub fn check(secret: &[u8], code: &str) -> Option<i64> {
    let code: String = code.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    totp(secret, "-")
        .check_current(&code)
        .and_then(|step| i64::try_from(step).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
    }

    #[test]
    fn a_code_from_the_app_checks_with_its_step_and_a_wrong_one_does_not() {
        let secret = new_secret();
        let code = totp(&secret, "ann").generate(now());
        let step = check(&secret, &code.to_string()).expect("the current code");
        assert!((step - (now() / 30) as i64).abs() <= 1);
        assert_eq!(
            check(&secret, "000000").filter(|_| code.to_string() != "000000"),
            None
        );
        assert_eq!(check(&secret, "12345"), None);
        assert_eq!(check(&secret, "abcdef"), None);
        let spaced = code.to_string();
        assert!(check(&secret, &format!("{} {}", &spaced[..3], &spaced[3..])).is_some());
    }

    #[test]
    fn the_setup_names_the_issuer_and_account_and_draws_the_uri() {
        let setup = setup(&new_secret(), "ann");
        assert!(
            setup.uri.starts_with("otpauth://totp/Gatehouse:ann?"),
            "{}",
            setup.uri
        );
        assert!(setup.uri.contains("issuer=Gatehouse"));
        assert!(setup.uri.contains(&format!("secret={}", setup.secret)));
        assert!(setup.qr_svg.starts_with("<?xml") && setup.qr_svg.contains("<svg"));
    }
}
