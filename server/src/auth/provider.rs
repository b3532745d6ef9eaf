//! The organization's OpenID provider, as this server (its relying party) uses it: discovery,
//! the authorization-code flow with PKCE (S256), `state` and `nonce`, and the ID token checked
//! (issuer, audience, signature against the provider's JWKS, expiry, nonce) with `openidconnect`.
//!
//! The provider's metadata and keys are fetched when first needed and kept; a token signed
//! with a key they do not hold makes them fetched again once (the provider rotated its keys).
//! The HTTP client follows no redirects, so a provider's answer cannot send it elsewhere.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use openidconnect::core::{
    CoreAuthPrompt, CoreAuthenticationFlow, CoreClient, CoreIdTokenClaims, CoreProviderMetadata,
};
use openidconnect::{
    AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken, IssuerUrl,
    Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RequestTokenError, Scope,
    SignatureVerificationError, reqwest,
};
use serde::{Deserialize, Serialize};
use tokio::sync::{Mutex, RwLock};

/// How the provider is configured (`--oidc-*`).
#[derive(Clone, Debug)]
pub struct ProviderSettings {
    /// The issuer URL, as the provider's discovery document and tokens state it.
    pub issuer: String,
    /// This server's client id at the provider.
    pub client_id: String,
    /// The file holding its client secret.
    pub client_secret_file: PathBuf,
    /// What the sign-in page calls it ("Company sign-in").
    pub label: String,
    /// Whether a first sign-in of an identity linked to no account creates one.
    pub create_accounts: bool,
}

/// Why a round trip through the provider failed.
#[derive(Clone, Debug, thiserror::Error)]
pub enum ProviderError {
    /// The provider could not be reached, or answered with an error of its own.
    #[error("the identity provider is unavailable: {0}")]
    Unavailable(String),
    /// Its answer cannot be trusted or used (a code refused, a token that does not verify).
    #[error("the identity provider's answer was refused: {0}")]
    Refused(String),
}

/// What a round trip keeps server-side until the provider sends the browser back: compared
/// with, and sent in, the answer. Never shown to the browser but `state` (in the address).
#[derive(Clone, Serialize, Deserialize)]
pub struct RoundTrip {
    /// The `state` sent; the callback's must equal it.
    pub state: String,
    /// The `nonce` sent; the ID token's must equal it.
    nonce: String,
    /// The PKCE verifier whose S256 challenge was sent.
    verifier: String,
    /// The redirect URI sent (the token request repeats it).
    redirect_uri: String,
}

impl std::fmt::Debug for RoundTrip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RoundTrip { .. }")
    }
}

/// A person the provider vouched for, from a verified ID token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    /// The issuer (this provider's).
    pub issuer: String,
    /// Its stable identifier for the person (`sub`).
    pub subject: String,
    /// What to call them: `name`, else `preferred_username`, else `email`.
    pub display_name: Option<String>,
    /// A username to start from when an account is created: `preferred_username`, else the
    /// part of `email` before `@`, else `name`.
    pub username_hint: Option<String>,
    /// Whether the provider says it used more than one factor (`amr`).
    pub multi_factor: bool,
    /// When the person last authenticated at the provider (`auth_time`, Unix seconds).
    pub auth_time: Option<i64>,
}

/// The provider, its metadata kept once discovered.
pub struct IdentityProvider {
    settings: ProviderSettings,
    issuer: IssuerUrl,
    secret: ClientSecret,
    http: reqwest::Client,
    metadata: RwLock<Option<Arc<CoreProviderMetadata>>>,
    /// Held by the one discovery under way; the outcome of the last that failed, and when.
    discovering: Mutex<Option<(Instant, ProviderError)>>,
}

impl std::fmt::Debug for IdentityProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdentityProvider")
            .field("issuer", &self.settings.issuer)
            .field("label", &self.settings.label)
            .finish_non_exhaustive()
    }
}

/// How long a request to the provider may take.
const PROVIDER_TIMEOUT: Duration = Duration::from_secs(10);

impl IdentityProvider {
    /// The provider `settings` name, its secret read from its file. Nothing is fetched yet: a
    /// provider that is down at start is tried again at each sign-in.
    pub fn new(settings: ProviderSettings) -> Result<Self, String> {
        let issuer = IssuerUrl::new(settings.issuer.clone())
            .map_err(|e| format!("--oidc-issuer is not a URL ({e}): {}", settings.issuer))?;
        let secret = std::fs::read_to_string(&settings.client_secret_file).map_err(|e| {
            format!(
                "cannot read --oidc-client-secret-file {}: {e}",
                settings.client_secret_file.display()
            )
        })?;
        let secret = secret.trim();
        if secret.is_empty() {
            return Err(format!(
                "--oidc-client-secret-file {} is empty",
                settings.client_secret_file.display()
            ));
        }
        let http = reqwest::ClientBuilder::new()
            // Following redirects would let an answer send this client anywhere (SSRF).
            .redirect(reqwest::redirect::Policy::none())
            .timeout(PROVIDER_TIMEOUT)
            .connect_timeout(Duration::from_secs(5))
            .build()
            .map_err(|e| format!("cannot build the identity provider's HTTP client: {e}"))?;
        Ok(Self {
            secret: ClientSecret::new(secret.to_string()),
            issuer,
            settings,
            http,
            metadata: RwLock::new(None),
            discovering: Mutex::new(None),
        })
    }

    /// Its settings.
    pub fn settings(&self) -> &ProviderSettings {
        &self.settings
    }

    /// The metadata: as kept, or discovered now (`refresh`: discovered again in any case).
    /// One discovery at a time: requests that need it while one is under way wait for it and
    /// share its outcome, failure included, so a crowd of sign-ins while the provider is down
    /// or hanging costs it one request, not one each.
    async fn metadata(&self, refresh: bool) -> Result<Arc<CoreProviderMetadata>, ProviderError> {
        let seen = self.metadata.read().await.clone();
        if !refresh && let Some(kept) = &seen {
            return Ok(kept.clone());
        }
        let asked = Instant::now();
        let mut last_failure = self.discovering.lock().await;
        // While this request waited, another discovered, or failed to.
        let now = self.metadata.read().await.clone();
        if let Some(now) = now
            && seen.as_ref().is_none_or(|seen| !Arc::ptr_eq(seen, &now))
        {
            return Ok(now);
        }
        if let Some((failed_at, e)) = last_failure.as_ref()
            && *failed_at >= asked
        {
            return Err(e.clone());
        }
        match CoreProviderMetadata::discover_async(self.issuer.clone(), &self.http).await {
            Ok(discovered) => {
                let discovered = Arc::new(discovered);
                *self.metadata.write().await = Some(discovered.clone());
                *last_failure = None;
                Ok(discovered)
            }
            Err(e) => {
                let e = ProviderError::Unavailable(format!("discovery: {e}"));
                *last_failure = Some((Instant::now(), e.clone()));
                Err(e)
            }
        }
    }

    /// Starts a round trip returning to `redirect_uri`: the provider's authorization URL, and
    /// what to keep until it answers. `fresh`: the person must authenticate again at the
    /// provider (to confirm it is them), whatever session they have there.
    pub async fn start(
        &self,
        redirect_uri: &str,
        fresh: bool,
    ) -> Result<(String, RoundTrip), ProviderError> {
        let metadata = self.metadata(false).await?;
        let client = client_for(self, &metadata, redirect_uri)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("profile".into()))
            .add_scope(Scope::new("email".into()))
            .set_pkce_challenge(challenge);
        if fresh {
            request = request
                .add_prompt(CoreAuthPrompt::Login)
                .set_max_age(Duration::ZERO);
        }
        let (url, state, nonce) = request.url();
        Ok((
            url.to_string(),
            RoundTrip {
                state: state.secret().clone(),
                nonce: nonce.secret().clone(),
                verifier: verifier.secret().clone(),
                redirect_uri: redirect_uri.to_string(),
            },
        ))
    }

    /// Finishes `trip` with the provider's `code`: exchanged (with the PKCE verifier) for an ID
    /// token, which is verified. The caller has compared `state` already.
    pub async fn finish(&self, trip: &RoundTrip, code: &str) -> Result<Verified, ProviderError> {
        let metadata = self.metadata(false).await?;
        let client = client_for(self, &metadata, &trip.redirect_uri)?;
        let exchange = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|e| ProviderError::Unavailable(format!("no token endpoint: {e}")))?
            .set_pkce_verifier(PkceCodeVerifier::new(trip.verifier.clone()));
        let tokens = exchange
            .request_async(&self.http)
            .await
            .map_err(|e| match e {
                // The provider refused the code (used, expired, another client's): not ours to retry.
                RequestTokenError::ServerResponse(e) => {
                    ProviderError::Refused(format!("token endpoint: {e}"))
                }
                other => ProviderError::Unavailable(format!("token endpoint: {other}")),
            })?;
        let id_token = tokens
            .extra_fields()
            .id_token()
            .ok_or_else(|| ProviderError::Refused("no ID token in the answer".into()))?;
        let nonce = Nonce::new(trip.nonce.clone());
        let claims = match id_token.claims(&client.id_token_verifier(), &nonce) {
            Ok(claims) => claims.clone(),
            Err(ClaimsVerificationError::SignatureVerification(
                SignatureVerificationError::NoMatchingKey,
            )) => {
                // Signed with a key we do not hold: the provider may have rotated its keys.
                let metadata = self.metadata(true).await?;
                let client = client_for(self, &metadata, &trip.redirect_uri)?;
                id_token
                    .claims(&client.id_token_verifier(), &nonce)
                    .map_err(|e| ProviderError::Refused(format!("ID token: {e}")))?
                    .clone()
            }
            Err(e) => return Err(ProviderError::Refused(format!("ID token: {e}"))),
        };
        Ok(verified(self.issuer.as_str(), &claims))
    }
}

/// This server as the provider's client (as `metadata` describes the provider), returning to
/// `redirect_uri`.
fn client_for(
    provider: &IdentityProvider,
    metadata: &CoreProviderMetadata,
    redirect_uri: &str,
) -> Result<
    CoreClient<
        openidconnect::EndpointSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointMaybeSet,
        openidconnect::EndpointMaybeSet,
    >,
    ProviderError,
> {
    Ok(CoreClient::from_provider_metadata(
        metadata.clone(),
        ClientId::new(provider.settings.client_id.clone()),
        Some(provider.secret.clone()),
    )
    .set_redirect_uri(
        RedirectUrl::new(redirect_uri.to_string())
            .map_err(|e| ProviderError::Refused(format!("redirect URI: {e}")))?,
    ))
}

/// What the verified `claims` say of the person.
fn verified(issuer: &str, claims: &CoreIdTokenClaims) -> Verified {
    let name = claims
        .name()
        .and_then(|n| n.get(None))
        .map(|n| n.as_str().to_string());
    let username = claims.preferred_username().map(|u| u.as_str().to_string());
    let email = claims.email().map(|e| e.as_str().to_string());
    let amr: Vec<String> = claims
        .auth_method_refs()
        .map(|refs| refs.iter().map(|r| r.as_str().to_string()).collect())
        .unwrap_or_default();
    Verified {
        issuer: issuer.to_string(),
        subject: claims.subject().as_str().to_string(),
        display_name: name.clone().or(username.clone()).or(email.clone()),
        username_hint: username
            .or_else(|| email.and_then(|e| e.split('@').next().map(str::to_string)))
            .or(name),
        multi_factor: multi_factor(&amr),
        auth_time: claims.auth_time().map(|t| t.timestamp()),
    }
}

/// Whether `amr` (RFC 8176) says more than one factor was used: `mfa`, or methods of two
/// kinds (something known, something held, something one is).
pub fn multi_factor(amr: &[String]) -> bool {
    #[derive(PartialEq)]
    enum Kind {
        Knows,
        Has,
        Is,
    }
    let kind = |m: &str| match m {
        "pwd" | "pin" | "kba" => Some(Kind::Knows),
        "otp" | "sms" | "tel" | "hwk" | "swk" | "sc" => Some(Kind::Has),
        "fpt" | "face" | "iris" | "retina" | "vbm" => Some(Kind::Is),
        _ => None,
    };
    if amr.iter().any(|m| m == "mfa") {
        return true;
    }
    let kinds: Vec<Kind> = amr.iter().filter_map(|m| kind(m)).collect();
    kinds.iter().any(|k| kinds.iter().any(|other| other != k))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amr(methods: &[&str]) -> Vec<String> {
        methods.iter().map(|m| m.to_string()).collect()
    }

    #[test]
    fn a_password_alone_is_one_factor_and_mfa_or_two_kinds_are_more() {
        assert!(!multi_factor(&amr(&[])));
        assert!(!multi_factor(&amr(&["pwd"])));
        assert!(!multi_factor(&amr(&["pwd", "kba"])));
        assert!(!multi_factor(&amr(&["otp", "hwk"])));
        assert!(multi_factor(&amr(&["mfa"])));
        assert!(multi_factor(&amr(&["pwd", "otp"])));
        assert!(multi_factor(&amr(&["hwk", "fpt"])));
        assert!(!multi_factor(&amr(&["hwk", "user"])));
    }
}
