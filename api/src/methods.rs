//! The sign-in methods beside the password: passkeys (WebAuthn), an authenticator app (TOTP)
//! and its recovery codes.
//!
//! WebAuthn's own structures cross the wire as the JSON the WebAuthn Level 3 browser API reads
//! and writes (`PublicKeyCredential.parseCreationOptionsFromJSON`, `credential.toJSON()`), so
//! they are carried here as JSON values: the server reads and checks them with `webauthn-rs`,
//! and the SPA hands them to the browser as they are.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A way to finish signing in after the password (`ErrorBody::methods` with
/// `second_factor_required`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SecondFactorMethod {
    /// A six-digit code from the authenticator app.
    Totp,
    /// One of the recovery codes shown when the app was set up.
    RecoveryCode,
    /// One of the account's passkeys (which signs in on its own: `POST /api/auth/passkey`).
    Passkey,
}

/// `POST /api/auth/login/second-factor` body: exactly one of the two.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SecondFactorProof {
    /// The six digits the authenticator app shows now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 16))]
    pub code: Option<String>,
    /// One unused recovery code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 64))]
    pub recovery_code: Option<String>,
}

impl fmt::Debug for SecondFactorProof {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecondFactorProof { <redacted> }")
    }
}

/// `POST /api/auth/totp/setup` answer: what the authenticator app needs. Not active until a
/// code from it is confirmed.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TotpSetup {
    /// The secret as text (base32), for typing into the app by hand.
    pub secret: String,
    /// The `otpauth://totp/…` URI the QR code holds.
    pub uri: String,
    /// The QR code, an SVG document.
    pub qr_svg: String,
}

impl fmt::Debug for TotpSetup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpSetup { <redacted> }")
    }
}

/// A code from the authenticator app (`POST /api/auth/totp/confirm`).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TotpCode {
    /// Six digits (spaces are ignored).
    #[cfg_attr(feature = "openapi", schema(max_length = 16))]
    pub code: String,
}

impl fmt::Debug for TotpCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpCode { <redacted> }")
    }
}

/// `GET /api/auth/totp`: whether the authenticator app is on, and the recovery codes left.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TotpStatus {
    /// Codes from the app are asked for at sign-in.
    pub enabled: bool,
    /// Unused recovery codes.
    pub recovery_codes_left: u32,
}

/// Ten recovery codes, shown this once (each works once; a new set replaces the old).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecoveryCodes {
    /// The codes.
    pub recovery_codes: Vec<String>,
}

impl fmt::Debug for RecoveryCodes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "RecoveryCodes {{ {} <redacted> }}",
            self.recovery_codes.len()
        )
    }
}

/// One of the account's passkeys (`GET /api/auth/passkeys`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasskeyInfo {
    /// Its id, for renaming and removing it.
    pub id: i64,
    /// The name its owner gave it.
    pub name: String,
    /// When it was added, RFC 3339, UTC.
    pub created_at: String,
    /// When it last signed in or confirmed, RFC 3339, UTC; never when absent.
    pub last_used_at: Option<String>,
    /// Synced between devices by its provider (backed up), rather than bound to one device.
    pub synced: bool,
}

/// A passkey's name (`PATCH /api/auth/passkeys/{id}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PasskeyName {
    /// 1 to 64 characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 64))]
    pub name: String,
}

/// JSON that the server and the browser's WebAuthn API exchange, carried as it is: a
/// `serde_json::Value` natively; in the browser the JavaScript value itself (kept by
/// serde-wasm-bindgen as it is), so the SPA's wasm holds no JSON tree of its own (about 3 KB).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct WebAuthnJson(
    #[cfg(not(target_arch = "wasm32"))] pub serde_json::Value,
    #[cfg(target_arch = "wasm32")]
    #[serde(with = "serde_wasm_bindgen::preserve")]
    pub wasm_bindgen::JsValue,
);

#[cfg(not(target_arch = "wasm32"))]
impl From<serde_json::Value> for WebAuthnJson {
    fn from(value: serde_json::Value) -> Self {
        Self(value)
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl std::ops::Deref for WebAuthnJson {
    type Target = serde_json::Value;

    fn deref(&self) -> &serde_json::Value {
        &self.0
    }
}

/// What the browser needs to create or use a passkey: WebAuthn's options as JSON (`publicKey`,
/// and `mediation` for a sign-in), for `PublicKeyCredential.parse…OptionsFromJSON`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasskeyOptions {
    /// WebAuthn's `CredentialCreationOptions` or `CredentialRequestOptions`, as JSON.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub options: WebAuthnJson,
}

/// `POST /api/auth/passkeys` body: the new passkey, as the browser made it, and its name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewPasskey {
    /// 1 to 64 characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 64))]
    pub name: String,
    /// The browser's `PublicKeyCredential`, `toJSON()`.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub credential: WebAuthnJson,
}

/// A passkey used to sign in or confirm (`POST /api/auth/passkey`, `…/reauth/passkey`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PasskeyAssertion {
    /// The browser's `PublicKeyCredential`, `toJSON()`.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub credential: WebAuthnJson,
}
