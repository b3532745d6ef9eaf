//! Passkeys (WebAuthn), by `webauthn-rs`: the relying party is the server's public address
//! (`--public-url`: its host is the RP ID, its origin the one allowed), or `http://localhost` on
//! any port when none is given (browsers refuse IP addresses as RP IDs, so development uses
//! `localhost`). Every passkey is made discoverable (resident), so signing in needs no username,
//! and user verification is required, so a passkey counts as both factors.
//!
//! The options cross to the browser, and its answers back, as the JSON of WebAuthn Level 3
//! (`parseCreationOptionsFromJSON`, `toJSON()`), which webauthn-rs reads and writes.

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use serde_json::Value;
use webauthn_rs::prelude::{
    AuthenticationResult, CredentialID, DiscoverableAuthentication, Passkey, PasskeyAuthentication,
    PasskeyRegistration, PublicKeyCredential, RegisterPublicKeyCredential, Url, Uuid, Webauthn,
    WebauthnBuilder,
};

/// Why a passkey ceremony failed; each is the client's (a credential that does not verify).
#[derive(Debug, thiserror::Error)]
pub enum PasskeyError {
    /// The browser's answer is not a WebAuthn credential.
    #[error("the browser's answer is not a passkey credential")]
    Malformed,
    /// It does not verify against the ceremony (wrong origin, challenge, signature…).
    #[error("the passkey did not verify: {0}")]
    Refused(String),
}

/// The relying party.
#[derive(Clone)]
pub struct Passkeys(Arc<Webauthn>);

impl std::fmt::Debug for Passkeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Passkeys")
    }
}

/// The options as the browser's JSON reader takes them.
fn to_json(value: &impl serde::Serialize) -> Value {
    serde_json::to_value(value).expect("WebAuthn options serialize")
}

impl Passkeys {
    /// For the site at `origin` (`scheme://host[:port]`), or `http://localhost` on any port.
    pub fn new(origin: Option<&str>) -> Result<Self, String> {
        let (url, any_port) = match origin {
            Some(origin) => (origin.to_string(), false),
            None => ("http://localhost".to_string(), true),
        };
        let url = Url::parse(&url).map_err(|e| format!("the public URL for passkeys: {e}"))?;
        let rp_id = url
            .host_str()
            .ok_or("the public URL for passkeys has no host")?
            .to_string();
        let webauthn = WebauthnBuilder::new(&rp_id, &url)
            .map_err(|e| format!("passkeys for {url}: {e}"))?
            .rp_name("Gatehouse")
            .allow_any_port(any_port)
            .build()
            .map_err(|e| format!("passkeys for {url}: {e}"))?;
        Ok(Self(Arc::new(webauthn)))
    }

    /// Starts adding a passkey for the account whose passkeys carry `handle`, named `name`
    /// by its authenticator; `existing` are its passkeys already (not to be made twice).
    pub fn start_registration(
        &self,
        handle: Uuid,
        name: &str,
        existing: Vec<CredentialID>,
    ) -> Result<(Value, PasskeyRegistration), PasskeyError> {
        let (options, state) = self
            .0
            .start_passkey_registration(handle, name, name, Some(existing))
            .map_err(|e| PasskeyError::Refused(e.to_string()))?;
        // Discoverable, so that signing in with it needs no username (webauthn-rs asks for
        // a non-discoverable one by default).
        let mut options = to_json(&options);
        let selection = &mut options["publicKey"]["authenticatorSelection"];
        selection["residentKey"] = "required".into();
        selection["requireResidentKey"] = true.into();
        Ok((options, state))
    }

    /// Finishes adding a passkey: the passkey, its credential id (base64url) and whether it
    /// is synced (backed up).
    pub fn finish_registration(
        &self,
        credential: &Value,
        state: &PasskeyRegistration,
    ) -> Result<(Passkey, String, bool), PasskeyError> {
        let credential: RegisterPublicKeyCredential =
            serde_json::from_value(credential.clone()).map_err(|_| PasskeyError::Malformed)?;
        let passkey = self
            .0
            .finish_passkey_registration(&credential, state)
            .map_err(|e| PasskeyError::Refused(e.to_string()))?;
        let id = B64.encode(passkey.cred_id());
        // Read from its record: webauthn-rs shows a credential's flags only behind a feature
        // named "danger".
        let synced = to_json(&passkey)["cred"]["backup_state"]
            .as_bool()
            .unwrap_or(false);
        Ok((passkey, id, synced))
    }

    /// Starts a sign-in with any passkey of this site (the browser offers those it holds).
    pub fn start_sign_in(&self) -> Result<(Value, DiscoverableAuthentication), PasskeyError> {
        let (options, state) = self
            .0
            .start_discoverable_authentication()
            .map_err(|e| PasskeyError::Refused(e.to_string()))?;
        Ok((to_json(&options), state))
    }

    /// Which account (the handle its passkeys carry) and credential (base64url) a sign-in's
    /// answer names, before it is verified.
    pub fn identify(&self, credential: &Value) -> Result<(Uuid, String), PasskeyError> {
        let credential: PublicKeyCredential =
            serde_json::from_value(credential.clone()).map_err(|_| PasskeyError::Malformed)?;
        let (handle, id) = self
            .0
            .identify_discoverable_authentication(&credential)
            .map_err(|_| PasskeyError::Malformed)?;
        Ok((handle, B64.encode(id)))
    }

    /// Verifies a sign-in's answer made with `passkey`; on success, the passkey as it is now
    /// (its counter moved) and whether it is synced.
    pub fn finish_sign_in(
        &self,
        credential: &Value,
        state: DiscoverableAuthentication,
        mut passkey: Passkey,
    ) -> Result<(Passkey, bool), PasskeyError> {
        let answer: PublicKeyCredential =
            serde_json::from_value(credential.clone()).map_err(|_| PasskeyError::Malformed)?;
        let result = self
            .0
            .finish_discoverable_authentication_v2(&answer, state, &passkey)
            .map_err(|e| PasskeyError::Refused(e.to_string()))?;
        Ok(used(&mut passkey, &result))
    }

    /// Starts confirming it is the signed-in person with one of `passkeys` (theirs).
    pub fn start_reauth(
        &self,
        passkeys: &[Passkey],
    ) -> Result<(Value, PasskeyAuthentication), PasskeyError> {
        let (options, state) = self
            .0
            .start_passkey_authentication(passkeys)
            .map_err(|e| PasskeyError::Refused(e.to_string()))?;
        Ok((to_json(&options), state))
    }

    /// Verifies a confirmation's answer: the credential id (base64url) it was made with.
    pub fn finish_reauth(
        &self,
        credential: &Value,
        state: &PasskeyAuthentication,
    ) -> Result<(String, AuthenticationResult), PasskeyError> {
        let answer: PublicKeyCredential =
            serde_json::from_value(credential.clone()).map_err(|_| PasskeyError::Malformed)?;
        let result = self
            .0
            .finish_passkey_authentication(&answer, state)
            .map_err(|e| PasskeyError::Refused(e.to_string()))?;
        Ok((B64.encode(result.cred_id()), result))
    }
}

/// `passkey` after the use `result` reports (counter, backup state), and whether it is synced.
pub fn used(passkey: &mut Passkey, result: &AuthenticationResult) -> (Passkey, bool) {
    passkey.update_credential(result);
    (passkey.clone(), result.backup_state())
}
