//! `spawn_app()`: the real server on port 0 with a fresh SQLite file, and an `Agent` that
//! handles cookies by hand so tests can replay, plant and drop them.

use std::time::Duration;

use gatehouse_api::endpoints::{CreateNote, CreateUser, GetHealth, ListNotes, Login, Logout, Me};
use gatehouse_api::{Endpoint, ErrorBody, ErrorCode, Note, Role, Username};
use gatehouse_server::Running;
use gatehouse_server::auth::hashing::Hasher;
use gatehouse_server::config::{Config, PublicUrl};
use gatehouse_server::data::db::Db;
use gatehouse_server::data::users;
use reqwest::header::{COOKIE, HeaderMap, SET_COOKIE};
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

/// The password every test account gets.
pub const PASSWORD: &str = "correct horse battery";

pub struct TestApp {
    pub config: Config,
    pub db: Db,
    client: Client,
    running: Option<Running>,
    _dir: tempfile::TempDir,
}

/// Requests to one server, by base URL; `TestApp` and the instances in `scale` deref to it.
#[derive(Clone)]
pub struct Client {
    pub base: String,
    pub http: reqwest::Client,
}

impl std::ops::Deref for TestApp {
    type Target = Client;
    fn deref(&self) -> &Client {
        &self.client
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(tweak: impl FnOnce(&mut Config)) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let mut config =
        Config::for_database(&format!("sqlite://{}", dir.path().join("t.db").display()));
    config.listen = "127.0.0.1:0".parse().unwrap();
    config.dist = dir.path().join("dist");
    std::fs::create_dir_all(&config.dist).unwrap();
    std::fs::write(
        config.dist.join("index.html"),
        "<!doctype html><title>t</title><script type=\"module\">boot()</script>",
    )
    .unwrap();
    tweak(&mut config);
    let running = gatehouse_server::start(&config).await.unwrap();
    let db = gatehouse_server::data::db::connect(config.database_url.expose())
        .await
        .unwrap();
    TestApp {
        config,
        db,
        client: Client::new(format!("http://{}", running.addr)),
        running: Some(running),
        _dir: dir,
    }
}

/// An https public URL: `Secure` cookies, `__Host-` prefix, HSTS.
pub fn https(config: &mut Config) {
    config.public_url = Some("https://app.example".parse::<PublicUrl>().unwrap());
}

/// One browser's cookies, kept by hand.
#[derive(Clone, Debug, Default)]
pub struct Agent {
    pub session: Option<(String, String)>,
    pub csrf: Option<String>,
    /// The `User-Agent` it sends, if any.
    pub user_agent: Option<&'static str>,
    /// The long-lived device cookie a sign-in leaves (name, value).
    pub device: Option<(String, String)>,
    /// The address a trusted proxy in front says it comes from (`X-Forwarded-For`).
    pub forwarded_for: Option<String>,
    /// The cookie naming a round trip through the identity provider (name, value).
    pub round_trip: Option<(String, String)>,
}

impl Agent {
    /// Applies a response's `Set-Cookie` headers as a browser would.
    pub fn absorb(&mut self, headers: &HeaderMap) {
        for cookie in set_cookies(headers) {
            let removed = cookie
                .attrs
                .iter()
                .any(|a| a.eq_ignore_ascii_case("max-age=0"));
            if cookie.name == "CSRF-TOKEN" {
                self.csrf = (!removed).then(|| cookie.value.clone());
            } else if cookie.name.ends_with("gatehouse_session") {
                self.session = (!removed).then(|| (cookie.name.clone(), cookie.value.clone()));
            } else if cookie.name.ends_with("gatehouse_device") {
                self.device = (!removed).then(|| (cookie.name.clone(), cookie.value.clone()));
            } else if cookie.name.ends_with("gatehouse_provider") {
                self.round_trip = (!removed).then(|| (cookie.name.clone(), cookie.value.clone()));
            }
        }
    }
}

pub struct SetCookie {
    pub name: String,
    pub value: String,
    pub attrs: Vec<String>,
}

impl SetCookie {
    pub fn has(&self, attr: &str) -> bool {
        self.attrs.iter().any(|a| {
            a.eq_ignore_ascii_case(attr)
                || a.to_ascii_lowercase()
                    .starts_with(&format!("{}=", attr.to_ascii_lowercase()))
        })
    }
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find_map(|a| {
            let (k, v) = a.split_once('=')?;
            k.eq_ignore_ascii_case(name).then_some(v)
        })
    }
}

pub fn set_cookies(headers: &HeaderMap) -> Vec<SetCookie> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| {
            let text = v.to_str().unwrap();
            let mut parts = text.split(';').map(str::trim);
            let (name, value) = parts.next().unwrap().split_once('=').unwrap();
            SetCookie {
                name: name.into(),
                value: value.into(),
                attrs: parts.map(String::from).collect(),
            }
        })
        .collect()
}

/// A request to a declared endpoint with its type set aside: the method and the path (filled
/// in, with its query string) its declaration gives, so that one table can list requests to
/// several endpoints.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    pub method: Method,
    pub path: String,
}

impl Call {
    /// `endpoint`'s method and path.
    pub fn to<E: Endpoint>(endpoint: &E) -> Self {
        Self {
            method: method_of::<E>(),
            path: endpoint.path(),
        }
    }
}

impl std::fmt::Display for Call {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.method, self.path)
    }
}

/// The method `E` is declared with, as reqwest names it.
pub fn method_of<E: Endpoint>() -> Method {
    match E::METHOD {
        gatehouse_api::Method::Get => Method::GET,
        gatehouse_api::Method::Post => Method::POST,
        gatehouse_api::Method::Put => Method::PUT,
        gatehouse_api::Method::Patch => Method::PATCH,
        gatehouse_api::Method::Delete => Method::DELETE,
    }
}

impl Client {
    pub fn new(base: String) -> Self {
        Self {
            base,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Sends a request with the agent's cookies and, on unsafe methods, its CSRF token.
    pub async fn send(
        &self,
        agent: &Agent,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Response {
        let mut req = self.http.request(method.clone(), self.url(path));
        let csrf = agent
            .csrf
            .clone()
            .map(|token| ("CSRF-TOKEN".to_string(), token));
        let cookies: Vec<String> = [&agent.session, &agent.device, &csrf, &agent.round_trip]
            .into_iter()
            .flatten()
            .map(|(name, value)| format!("{name}={value}"))
            .collect();
        if !cookies.is_empty() {
            req = req.header(COOKIE, cookies.join("; "));
        }
        if let Some(address) = &agent.forwarded_for {
            req = req.header("X-Forwarded-For", address);
        }
        if let Some(user_agent) = agent.user_agent {
            req = req.header(reqwest::header::USER_AGENT, user_agent);
        }
        if !method.is_safe()
            && let Some(token) = &agent.csrf
        {
            req = req.header("X-CSRF-TOKEN", token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        req.send().await.unwrap()
    }

    /// Sends `endpoint` as it is declared (its method, its path with the parameters and the
    /// query string filled in), with the agent's cookies and, on unsafe methods, its CSRF token.
    pub async fn call<E: Endpoint>(
        &self,
        agent: &Agent,
        endpoint: &E,
        body: Option<Value>,
    ) -> Response {
        self.send_call(agent, &Call::to(endpoint), body).await
    }

    /// `call` for a request whose endpoint's type was set aside (see `Call`).
    pub async fn send_call(&self, agent: &Agent, call: &Call, body: Option<Value>) -> Response {
        self.send(agent, call.method.clone(), &call.path, body)
            .await
    }

    /// Sends `endpoint` (a read) until it answers `status` (within twice the account cache's
    /// lifetime).
    pub async fn poll_status<E: Endpoint>(
        &self,
        agent: &Agent,
        endpoint: &E,
        status: StatusCode,
    ) -> Response {
        let deadline =
            std::time::Instant::now() + 2 * users::ACCOUNT_TTL + Duration::from_millis(500);
        loop {
            let response = self.call(agent, endpoint, None).await;
            if response.status() == status || std::time::Instant::now() > deadline {
                let path = endpoint.path();
                assert_eq!(response.status(), status, "{path} never answered {status}");
                return response;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn get(&self, agent: &Agent, path: &str) -> Response {
        self.send(agent, Method::GET, path, None).await
    }

    /// `GetHealth`: the status and each dependency as (name, kind, ok).
    pub async fn health(&self) -> (StatusCode, Vec<(String, String, bool)>) {
        let r = self.call(&Agent::default(), &GetHealth, None).await;
        let status = r.status();
        let health: gatehouse_api::Health = r.json().await.unwrap();
        assert_eq!(health.ok, status == StatusCode::OK, "ok matches the status");
        let dependencies = health
            .dependencies
            .into_iter()
            .map(|d| (d.name, d.kind, d.ok))
            .collect();
        (status, dependencies)
    }

    /// Signs `agent` in, keeping the cookies it is given.
    pub async fn login_as(&self, agent: &mut Agent, name: &str, password: &str) -> Response {
        let response = self
            .call(
                agent,
                &Login,
                Some(json!({"username": name, "password": password})),
            )
            .await;
        agent.absorb(response.headers());
        response
    }

    /// Signs in a new agent as `name`, asserting it worked.
    pub async fn sign_in(&self, name: &str) -> Agent {
        let mut agent = Agent::default();
        let response = self.login_as(&mut agent, name, PASSWORD).await;
        assert_eq!(response.status(), StatusCode::OK, "sign-in of {name}");
        assert!(agent.session.is_some() && agent.csrf.is_some());
        agent
    }

    /// Creates a note as `agent`, asserting it was created.
    pub async fn create_note(&self, agent: &Agent, title: &str, body: &str) -> Note {
        let r = self
            .call(
                agent,
                &CreateNote,
                Some(json!({"title": title, "body": body})),
            )
            .await;
        let status = r.status();
        let text = r.text().await.unwrap();
        assert_eq!(status, StatusCode::CREATED, "creating {title:?}: {text}");
        serde_json::from_str(&text).unwrap()
    }
}

/// Creates an account with `PASSWORD`.
pub async fn add_user(db: &Db, name: &str, role: Role) {
    let hash = Hasher::new(1)
        .hash(&gatehouse_api::Password::new_account(PASSWORD).unwrap())
        .await
        .unwrap();
    let mut tx = db.begin().await.unwrap();
    let created = users::create(
        &mut tx,
        &Username::try_from(name).unwrap(),
        hash,
        role,
        false,
    )
    .await;
    tx.settle(created).await.unwrap();
}

impl TestApp {
    pub async fn add_user(&self, name: &str, role: Role) {
        add_user(&self.db, name, role).await;
    }

    /// A new account with `role`, signed in.
    pub async fn signed_in(&self, name: &str, role: Role) -> Agent {
        self.add_user(name, role).await;
        self.sign_in(name).await
    }

    /// Stops the server and starts it again on the same database.
    pub async fn restart(&mut self) {
        let _ = self.running.take().unwrap().stop().await;
        let running = gatehouse_server::start(&self.config).await.unwrap();
        self.client.base = format!("http://{}", running.addr);
        self.running = Some(running);
    }
}

/// Asserts the status and the JSON error code, returning the body.
pub async fn expect_error(response: Response, status: StatusCode, code: ErrorCode) -> ErrorBody {
    assert_eq!(response.status(), status, "status");
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        content_type.starts_with("application/json"),
        "content-type {content_type}"
    );
    let body: ErrorBody = response.json().await.unwrap();
    assert_eq!(body.code, code, "{body:?}");
    body
}

/// Waits out a session timeout. Sleeping is the point here: the condition is time passing,
/// and polling the session would renew it.
pub async fn wait(d: Duration) {
    tokio::time::sleep(d).await;
}

/// `(name, kind, ok)` rows as `health` returns them.
pub fn deps(rows: &[(&str, &str, bool)]) -> Vec<(String, String, bool)> {
    rows.iter()
        .map(|(name, kind, ok)| (name.to_string(), kind.to_string(), *ok))
        .collect()
}

/// Sends `reads` GETs to `reads_on` and a sign-out to `sign_out_on`, all at once and with
/// `agent`'s cookie, as a page with requests in flight does when its user signs out (in
/// another tab, or through another instance); asserts the sign-out answered 204.
pub async fn race_reads_against_sign_out(
    reads_on: &Client,
    sign_out_on: &Client,
    agent: &Agent,
    reads: usize,
) {
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..reads {
        let (client, agent) = (reads_on.clone(), agent.clone());
        tasks.spawn(async move {
            let read = client.call(&agent, &ListNotes::default(), None).await;
            read.status()
        });
    }
    let signed_out = sign_out_on.call(agent, &Logout, None).await;
    assert_eq!(signed_out.status(), StatusCode::NO_CONTENT);
    while let Some(read) = tasks.join_next().await {
        let status = read.unwrap();
        assert!(
            status == StatusCode::OK || status == StatusCode::UNAUTHORIZED,
            "a read racing the sign-out answered {status}"
        );
    }
}

/// Signs `name` in through `on` again and again, each time racing reads that renew the
/// session against its sign-out; afterwards the old cookie must be refused everywhere.
pub async fn assert_sign_out_is_final_under_racing_reads(
    on: &[&Client],
    name: &str,
    rounds: usize,
    renewal_due: Duration,
) {
    for round in 0..rounds {
        let agent = on[0].sign_in(name).await;
        wait(renewal_due).await;
        race_reads_against_sign_out(on[round % on.len()], on[on.len() - 1], &agent, 8).await;
        for client in on {
            for read in [Call::to(&ListNotes::default()), Call::to(&Me)] {
                assert_eq!(
                    client.send_call(&agent, &read, None).await.status(),
                    StatusCode::UNAUTHORIZED,
                    "round {round}: {read} still answers the signed-out cookie"
                );
            }
            let write = client
                .call(
                    &agent,
                    &CreateNote,
                    Some(json!({"title": "after sign-out", "body": ""})),
                )
                .await;
            assert_eq!(write.status(), StatusCode::UNAUTHORIZED, "round {round}");
        }
    }
}

/// What a race of writes against the end of their session writes, again and again.
#[derive(Clone, Copy, Debug)]
pub enum Write {
    /// `CreateNote` (fast: one insert).
    Note,
    /// `CreateUser`, each a new administrator (slow: a password is hashed first).
    Account,
}

impl Write {
    /// The `n`th request of this kind: the call and its body, each with a name used once.
    fn request(self, n: u64) -> (Call, Value) {
        static RUN: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let unique = RUN.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        match self {
            // A long body: indexing it keeps each write in flight for a while, as a slow
            // disk or a busy machine would.
            Self::Note => (
                Call::to(&CreateNote),
                json!({"title": format!("race {n}/{unique}"), "body": "words in a body ".repeat(1200)}),
            ),
            Self::Account => (
                Call::to(&CreateUser),
                json!({"username": format!("race{unique}x{n}"), "role": "admin"}),
            ),
        }
    }
}

/// What a race of writes against the end of their session came to (see `race_writes`).
#[derive(Debug)]
pub struct Race {
    /// What the writes create, before they started.
    pub before: i64,
    /// The same, read right after the ending's answer arrived.
    pub at_end: i64,
    /// The same, once every writer has stopped.
    pub after: i64,
    /// Writes answered 201.
    pub acknowledged: i64,
}

/// Races `writers` loops of `write`s sent by `agent` to `on` against `end` (which ends the
/// session `agent` holds, and returns once its answer has arrived). `count` reads what the
/// writes create straight from the database. Each writer stops at its first refusal, which
/// must be a 401 (never a 5xx).
pub async fn race_writes<C, CF, E, EF>(
    on: &Client,
    agent: &Agent,
    write: Write,
    writers: usize,
    count: C,
    end: E,
) -> Race
where
    C: Fn() -> CF,
    CF: std::future::Future<Output = i64>,
    E: FnOnce() -> EF,
    EF: std::future::Future<Output = ()>,
{
    let before = count().await;
    let mut tasks = tokio::task::JoinSet::new();
    for w in 0..writers {
        let (on, agent) = (on.clone(), agent.clone());
        tasks.spawn(async move {
            let (mut created, mut n) = (0i64, 0u64);
            loop {
                n += 1;
                let (call, body) = write.request(n * 100 + w as u64);
                let r = on.send_call(&agent, &call, Some(body)).await;
                match r.status() {
                    StatusCode::CREATED => created += 1,
                    status => return (created, status, r.text().await.unwrap_or_default()),
                }
            }
        });
    }
    // The writes are flowing before the session ends.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while count().await < before + writers as i64 {
        assert!(std::time::Instant::now() < deadline, "no write landed");
        tokio::task::yield_now().await;
    }
    end().await;
    let at_end = count().await;
    let mut acknowledged = 0;
    while let Some(done) = tasks.join_next().await {
        let (created, status, text) = done.unwrap();
        acknowledged += created;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "a write racing the end of its session answered {status}: {text}"
        );
    }
    Race {
        before,
        at_end,
        after: count().await,
        acknowledged,
    }
}

/// `race_writes`, asserting that **no write lands after the ending's answer**: what the writes
/// create is the same right after the answer and once every writer has stopped, and every
/// write answered 201 is there.
pub async fn assert_no_write_lands_after_its_session_ends<C, CF, E, EF>(
    on: &Client,
    agent: &Agent,
    write: Write,
    writers: usize,
    count: C,
    end: E,
) where
    C: Fn() -> CF,
    CF: std::future::Future<Output = i64>,
    E: FnOnce() -> EF,
    EF: std::future::Future<Output = ()>,
{
    let race = race_writes(on, agent, write, writers, count, end).await;
    assert_eq!(
        race.after - race.at_end,
        0,
        "{} of {} writes landed after the session had ended",
        race.after - race.at_end,
        race.acknowledged
    );
    assert_eq!(
        race.after - race.before,
        race.acknowledged,
        "every write answered 201 is there"
    );
}

/// The notes of the account `user` in `db`, deleted or not.
pub async fn notes_of(db: &Db, user: i64) -> i64 {
    let sql = "SELECT count(*) FROM notes WHERE user_id = $1";
    match db {
        Db::Sqlite(pool) => sqlx::query_scalar(sql).bind(user).fetch_one(pool).await,
        Db::Postgres(pool) => sqlx::query_scalar(sql).bind(user).fetch_one(pool).await,
    }
    .unwrap()
}

/// How many accounts `db` holds.
pub async fn accounts_in(db: &Db) -> i64 {
    users::count(db).await.unwrap()
}

/// The id of the account named `name` in `db`.
pub async fn id_of(db: &Db, name: &str) -> i64 {
    users::find_by_name(db, &Username::try_from(name).unwrap())
        .await
        .unwrap()
        .unwrap()
        .id
}

/// Takes `account`'s password away straight in `db`, as for an account the provider made: its
/// passkeys and identities are then its only ways in.
pub async fn without_password_directly(db: &Db, account: i64) {
    let mut tx = db.begin().await.unwrap();
    let done = gatehouse_server::data::users::without_password(&mut tx, account).await;
    tx.settle(done).await.unwrap();
}

/// Adds a passkey to `account` straight into `db` (making a real one takes an authenticator,
/// which the browser journeys have; removing and renaming never read the key): its id.
pub async fn add_passkey_directly(db: &Db, account: i64, credential: &str) -> i64 {
    let mut tx = db.begin().await.unwrap();
    let added =
        gatehouse_server::data::passkeys::add(&mut tx, account, credential, "owned", "{}", false)
            .await;
    tx.settle(added).await.unwrap().unwrap().id
}

/// Links the identity `subject` at a made-up issuer to `account` straight into `db` (linking a
/// real one takes a provider; see `provider.rs`): its id.
pub async fn link_identity_directly(db: &Db, account: i64, subject: &str) -> i64 {
    let mut tx = db.begin().await.unwrap();
    let linked = gatehouse_server::data::identities::link(
        &mut tx,
        account,
        "https://idp.example",
        subject,
        None,
    )
    .await;
    tx.settle(linked).await.unwrap().unwrap().id
}
