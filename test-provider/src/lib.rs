//! An OpenID provider on loopback, for tests: discovery, an authorization endpoint that approves
//! (or refuses) at once as the test says, a token endpoint that checks the client, the code
//! (once), the redirect URI and PKCE, and ID tokens signed with a test key served in its JWKS.
//! Built on `openidconnect`'s own provider-side types. The keys in `keys/` are test keys, made
//! for this and worth nothing.
//!
//! ```no_run
//! # async fn f() {
//! let provider = gatehouse_test_provider::Provider::start().await;
//! provider.signs_in(gatehouse_test_provider::Person::new("alice-sub"));
//! // Point the server at `provider.issuer()`, with `CLIENT_ID` and `CLIENT_SECRET`.
//! # }
//! ```

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use openidconnect::core::{
    CoreIdToken, CoreIdTokenClaims, CoreIdTokenFields, CoreJsonWebKeySet, CoreJwsSigningAlgorithm,
    CoreProviderMetadata, CoreResponseType, CoreRsaPrivateSigningKey, CoreSubjectIdentifierType,
    CoreTokenResponse, CoreTokenType,
};
use openidconnect::{
    AccessToken, Audience, AuthUrl, AuthenticationMethodReference, EmptyAdditionalClaims,
    EmptyAdditionalProviderMetadata, EmptyExtraTokenFields, EndUserEmail, EndUserName,
    EndUserUsername, IssuerUrl, JsonWebKeyId, JsonWebKeySetUrl, LocalizedClaim, Nonce,
    PrivateSigningKey, ResponseTypes, StandardClaims, SubjectIdentifier, TokenUrl,
};
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// The client the server under test is registered as.
pub const CLIENT_ID: &str = "gatehouse-tests";
/// Its secret.
pub const CLIENT_SECRET: &str = "not-a-real-secret";

/// The two test signing keys (PKCS#1 PEM); the provider signs with one at a time.
const KEYS: [&str; 2] = [
    include_str!("../keys/first.pem"),
    include_str!("../keys/second.pem"),
];

/// Who the provider signs in next.
#[derive(Clone, Debug)]
pub struct Person {
    /// The stable identifier (`sub`).
    pub subject: String,
    /// `name`.
    pub name: Option<String>,
    /// `preferred_username`.
    pub preferred_username: Option<String>,
    /// `email`.
    pub email: Option<String>,
    /// `amr`: how the provider says it authenticated them (`pwd`, `otp`, `mfa`…).
    pub amr: Vec<String>,
}

impl Person {
    /// Someone with only a subject, signed in with a password (`amr: ["pwd"]`).
    pub fn new(subject: &str) -> Self {
        Self {
            subject: subject.into(),
            name: None,
            preferred_username: None,
            email: None,
            amr: vec!["pwd".into()],
        }
    }

    /// With `preferred_username`.
    pub fn username(self, name: &str) -> Self {
        Self {
            preferred_username: Some(name.into()),
            ..self
        }
    }

    /// With `name`.
    pub fn named(self, name: &str) -> Self {
        Self {
            name: Some(name.into()),
            ..self
        }
    }

    /// With `email`.
    pub fn email(self, email: &str) -> Self {
        Self {
            email: Some(email.into()),
            ..self
        }
    }

    /// With `amr` as given.
    pub fn amr(self, amr: &[&str]) -> Self {
        Self {
            amr: amr.iter().map(|s| s.to_string()).collect(),
            ..self
        }
    }
}

/// Something wrong with the next ID token, for the tests of the relying party's checks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Tamper {
    /// Nothing: a good token.
    #[default]
    Nothing,
    /// The nonce is another than the one asked for.
    WrongNonce,
    /// `iss` is another issuer's.
    OtherIssuer,
    /// It expired a minute ago.
    Expired,
    /// `aud` is another client.
    OtherAudience,
    /// Signed with a key the JWKS does not hold.
    UnknownKey,
}

/// What the authorization endpoint was asked, as the tests check it.
#[derive(Clone, Debug, Deserialize)]
pub struct AuthorizeRequest {
    /// `response_type`.
    pub response_type: String,
    /// `client_id`.
    pub client_id: String,
    /// `redirect_uri`.
    pub redirect_uri: String,
    /// `scope`.
    #[serde(default)]
    pub scope: String,
    /// `state`.
    pub state: Option<String>,
    /// `nonce`.
    pub nonce: Option<String>,
    /// `code_challenge`.
    pub code_challenge: Option<String>,
    /// `code_challenge_method`.
    pub code_challenge_method: Option<String>,
    /// `prompt`.
    pub prompt: Option<String>,
    /// `max_age`.
    pub max_age: Option<String>,
}

struct Grant {
    person: Person,
    redirect_uri: String,
    nonce: Option<String>,
    challenge: String,
    used: bool,
}

#[derive(Default)]
struct Inner {
    /// Who `/authorize` signs in; `None`: the person cancels (`access_denied`).
    next: Option<Person>,
    tamper: Tamper,
    /// The key signing now (index into `KEYS`).
    key: usize,
    /// `/authorize` answers with a page whose link the person follows (a navigation this
    /// site starts, as after a real sign-in there), not with a redirect.
    page: bool,
    down: bool,
    /// How long discovery takes to answer (a slow or hanging provider).
    discovery_delay: std::time::Duration,
    discovery_requests: usize,
    codes: HashMap<String, Grant>,
    asked: Vec<AuthorizeRequest>,
    token_requests: usize,
    jwks_requests: usize,
}

#[derive(Clone)]
struct Shared {
    issuer: String,
    inner: Arc<Mutex<Inner>>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A running provider; stops when dropped.
pub struct Provider {
    shared: Shared,
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Provider {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Provider {
    /// Starts one on a free loopback port. Nobody is signed in until `signs_in`.
    pub async fn start() -> Self {
        Self::start_as("127.0.0.1").await
    }

    /// Starts one on a free loopback port, its issuer named by `host` (`localhost`: another
    /// site than `127.0.0.1` to a browser, as a real provider is).
    pub async fn start_as(host: &str) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let addr = listener.local_addr().expect("its address");
        let shared = Shared {
            issuer: format!("http://{host}:{}", addr.port()),
            inner: Arc::default(),
        };
        let app = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/authorize", get(authorize))
            .route("/token", post(token))
            .route("/jwks", get(jwks))
            .with_state(shared.clone());
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .await
                .expect("the provider serves");
        });
        Self { shared, addr, task }
    }

    /// Its issuer URL (`http://HOST:PORT`).
    pub fn issuer(&self) -> &str {
        &self.shared.issuer
    }

    /// Its address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// From now on, `/authorize` signs `person` in at once.
    pub fn signs_in(&self, person: Person) {
        self.shared.lock().next = Some(person);
    }

    /// From now on, the person cancels at the provider (`error=access_denied`).
    pub fn cancels(&self) {
        self.shared.lock().next = None;
    }

    /// The next ID tokens are wrong this way.
    pub fn tampers(&self, tamper: Tamper) {
        self.shared.lock().tamper = tamper;
    }

    /// From now on, `/authorize` shows a page with a "Continue" link back to the app instead of
    /// redirecting at once: the way back is then a navigation the provider's site starts, as
    /// after a person signs in there (browsers treat it as cross-site).
    pub fn shows_a_page(&self) {
        self.shared.lock().page = true;
    }

    /// Signs with the other key from now on, and serves only that one in the JWKS.
    pub fn rotates_key(&self) {
        let mut inner = self.shared.lock();
        inner.key = 1 - inner.key;
    }

    /// Answers every request 503 (`true`) or serves again (`false`).
    pub fn set_down(&self, down: bool) {
        self.shared.lock().down = down;
    }

    /// Discovery answers only after `delay` from now on (as a provider that hangs does).
    pub fn discovery_takes(&self, delay: std::time::Duration) {
        self.shared.lock().discovery_delay = delay;
    }

    /// How many discovery requests came, answered or not.
    pub fn discovery_requests(&self) -> usize {
        self.shared.lock().discovery_requests
    }

    /// Every authorization request so far, oldest first.
    pub fn authorize_requests(&self) -> Vec<AuthorizeRequest> {
        self.shared.lock().asked.clone()
    }

    /// How many token requests came.
    pub fn token_requests(&self) -> usize {
        self.shared.lock().token_requests
    }

    /// How many times the JWKS was fetched.
    pub fn jwks_requests(&self) -> usize {
        self.shared.lock().jwks_requests
    }
}

fn signing_key(index: usize) -> CoreRsaPrivateSigningKey {
    CoreRsaPrivateSigningKey::from_pem(KEYS[index], Some(JsonWebKeyId::new(format!("key-{index}"))))
        .expect("a test key")
}

fn unavailable() -> Response {
    (StatusCode::SERVICE_UNAVAILABLE, "down for the test").into_response()
}

async fn discovery(State(shared): State<Shared>) -> Response {
    let delay = {
        let mut inner = shared.lock();
        inner.discovery_requests += 1;
        inner.discovery_delay
    };
    tokio::time::sleep(delay).await;
    if shared.lock().down {
        return unavailable();
    }
    let at = |path: &str| format!("{}{path}", shared.issuer);
    let metadata = CoreProviderMetadata::new(
        IssuerUrl::new(shared.issuer.clone()).expect("an issuer URL"),
        AuthUrl::new(at("/authorize")).expect("a URL"),
        JsonWebKeySetUrl::new(at("/jwks")).expect("a URL"),
        vec![ResponseTypes::new(vec![CoreResponseType::Code])],
        vec![CoreSubjectIdentifierType::Public],
        vec![CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256],
        EmptyAdditionalProviderMetadata {},
    )
    .set_token_endpoint(Some(TokenUrl::new(at("/token")).expect("a URL")));
    Json(metadata).into_response()
}

async fn jwks(State(shared): State<Shared>) -> Response {
    let mut inner = shared.lock();
    if inner.down {
        return unavailable();
    }
    inner.jwks_requests += 1;
    let key = signing_key(inner.key).as_verification_key();
    Json(CoreJsonWebKeySet::new(vec![key])).into_response()
}

fn with_params(base: &str, params: &[(&str, &str)]) -> String {
    let mut url = openidconnect::url::Url::parse(base).expect("a redirect URI");
    for (name, value) in params {
        url.query_pairs_mut().append_pair(name, value);
    }
    url.to_string()
}

async fn authorize(
    State(shared): State<Shared>,
    Query(asked): Query<AuthorizeRequest>,
) -> Response {
    let mut inner = shared.lock();
    if inner.down {
        return unavailable();
    }
    inner.asked.push(asked.clone());
    let state = asked.state.clone().unwrap_or_default();
    if asked.client_id != CLIENT_ID || asked.response_type != "code" {
        return (StatusCode::BAD_REQUEST, "unknown client or response type").into_response();
    }
    let challenge = match (
        &asked.code_challenge,
        asked.code_challenge_method.as_deref(),
    ) {
        (Some(challenge), Some("S256")) => challenge.clone(),
        _ => {
            let to = with_params(
                &asked.redirect_uri,
                &[
                    ("error", "invalid_request"),
                    ("error_description", "PKCE with S256 is required"),
                    ("state", &state),
                ],
            );
            return Redirect::to(&to).into_response();
        }
    };
    let Some(person) = inner.next.clone() else {
        let to = with_params(
            &asked.redirect_uri,
            &[("error", "access_denied"), ("state", &state)],
        );
        return Redirect::to(&to).into_response();
    };
    let code = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 24]>());
    inner.codes.insert(
        code.clone(),
        Grant {
            person,
            redirect_uri: asked.redirect_uri.clone(),
            nonce: asked.nonce.clone(),
            challenge,
            used: false,
        },
    );
    let back = with_params(&asked.redirect_uri, &[("code", &code), ("state", &state)]);
    if inner.page {
        let href = back
            .replace('&', "&amp;")
            .replace('"', "&quot;")
            .replace('<', "&lt;");
        return axum::response::Html(format!(
            "<!doctype html><html lang=\"en\"><title>Test provider</title>\
             <main><h1>Test provider</h1><a id=\"continue\" href=\"{href}\">Continue</a></main></html>"
        ))
        .into_response();
    }
    Redirect::to(&back).into_response()
}

#[derive(Deserialize)]
struct TokenRequest {
    grant_type: String,
    code: String,
    redirect_uri: String,
    code_verifier: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

fn oauth_error(error: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(serde_json::json!({ "error": error })),
    )
        .into_response()
}

/// The client's id and secret from HTTP Basic (as `openidconnect` sends them) or the form.
fn client_of(headers: &HeaderMap, form: &TokenRequest) -> Option<(String, String)> {
    if let Some(basic) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
    {
        let decoded = String::from_utf8(STANDARD.decode(basic).ok()?).ok()?;
        let (id, secret) = decoded.split_once(':')?;
        let unescape = |s: &str| {
            openidconnect::url::form_urlencoded::parse(format!("x={s}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
        };
        return Some((unescape(id)?, unescape(secret)?));
    }
    Some((form.client_id.clone()?, form.client_secret.clone()?))
}

async fn token(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<TokenRequest>,
) -> Response {
    let mut inner = shared.lock();
    if inner.down {
        return unavailable();
    }
    inner.token_requests += 1;
    if client_of(&headers, &form) != Some((CLIENT_ID.into(), CLIENT_SECRET.into())) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(serde_json::json!({ "error": "invalid_client" })),
        )
            .into_response();
    }
    if form.grant_type != "authorization_code" {
        return oauth_error("unsupported_grant_type");
    }
    let tamper = inner.tamper;
    let key = inner.key;
    let Some(grant) = inner.codes.get_mut(&form.code) else {
        return oauth_error("invalid_grant");
    };
    if grant.used || grant.redirect_uri != form.redirect_uri {
        return oauth_error("invalid_grant");
    }
    grant.used = true;
    let verifier = form.code_verifier.unwrap_or_default();
    if URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) != grant.challenge {
        return oauth_error("invalid_grant");
    }
    let person = grant.person.clone();
    let issuer = match tamper {
        Tamper::OtherIssuer => "http://issuer.invalid".to_string(),
        _ => shared.issuer.clone(),
    };
    let audience = match tamper {
        Tamper::OtherAudience => "another-client",
        _ => CLIENT_ID,
    };
    let now = chrono::Utc::now();
    let (issued, expires) = match tamper {
        Tamper::Expired => (
            now - chrono::Duration::minutes(10),
            now - chrono::Duration::minutes(1),
        ),
        _ => (now, now + chrono::Duration::minutes(5)),
    };
    let nonce = match tamper {
        Tamper::WrongNonce => Some("not-the-nonce".to_string()),
        _ => grant.nonce.clone(),
    };
    let mut standard = StandardClaims::new(SubjectIdentifier::new(person.subject.clone()));
    if let Some(name) = &person.name {
        standard = standard.set_name(Some(LocalizedClaim::from(EndUserName::new(name.clone()))));
    }
    if let Some(username) = &person.preferred_username {
        standard = standard.set_preferred_username(Some(EndUserUsername::new(username.clone())));
    }
    if let Some(email) = &person.email {
        standard = standard.set_email(Some(EndUserEmail::new(email.clone())));
    }
    let claims = CoreIdTokenClaims::new(
        IssuerUrl::new(issuer).expect("an issuer URL"),
        vec![Audience::new(audience.into())],
        expires,
        issued,
        standard,
        EmptyAdditionalClaims {},
    )
    .set_nonce(nonce.map(Nonce::new))
    .set_auth_time(Some(issued))
    .set_auth_method_refs(Some(
        person
            .amr
            .iter()
            .map(|m| AuthenticationMethodReference::new(m.clone()))
            .collect(),
    ));
    let signer = match tamper {
        Tamper::UnknownKey => signing_key(1 - key),
        _ => signing_key(key),
    };
    let access = AccessToken::new(URL_SAFE_NO_PAD.encode(rand::random::<[u8; 24]>()));
    let id_token = CoreIdToken::new(
        claims,
        &signer,
        CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
        Some(&access),
        None,
    )
    .expect("a signed token");
    let response = CoreTokenResponse::new(
        access,
        CoreTokenType::Bearer,
        CoreIdTokenFields::new(Some(id_token), EmptyExtraTokenFields {}),
    );
    Json(response).into_response()
}
