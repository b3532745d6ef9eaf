//! The end-to-end harness: the real `gatehouse-server` binary with the release SPA and a fresh
//! SQLite file, and a headless Chromium driven through Debian's chromedriver. Every process it
//! starts is ended when the journey ends, pass or fail; a failing journey leaves a screenshot,
//! the browser console log and the server log under `target/e2e/<journey>/`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use fantoccini::wd::{Capabilities, WebDriverCompatibleCommand};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::Mutex;

/// The password every journey account gets.
pub const PASSWORD: &str = "correct horse battery";

/// How long any wait for the page lasts before the journey fails.
pub const PATIENCE: Duration = Duration::from_secs(15);

/// A path from the environment `cargo xtask` sets up.
pub fn env_path(name: &str) -> PathBuf {
    std::env::var_os(name)
        .map(PathBuf::from)
        .unwrap_or_else(|| panic!("{name} is not set: run the journeys with `cargo xtask test`"))
}

/// `target/` of the workspace.
pub fn workspace_target() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../target")
}

/// Server settings a journey may change.
#[derive(Clone, Debug)]
pub struct Options {
    /// `--session-idle-timeout`.
    pub idle_timeout: &'static str,
    /// `--reauth-window`: how recently a password must have been typed for sensitive changes.
    pub reauth_window: &'static str,
    /// `--dist`: the built SPA to serve (`GATEHOUSE_E2E_DIST` when `None`).
    pub dist: Option<PathBuf>,
    /// More flags (`--trusted-proxy 127.0.0.1`, …).
    pub extra: Vec<&'static str>,
    /// Settings through the flags' environment twins (`GATEHOUSE_OIDC_ISSUER`, …).
    pub env: Vec<(&'static str, String)>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            idle_timeout: "30m",
            reauth_window: "10m",
            dist: None,
            extra: Vec::new(),
            env: Vec::new(),
        }
    }
}

/// The settings (`Options::env`) of a server signing in through `provider`, called `label`,
/// its client secret written to `secret`.
pub fn provider_env(
    provider: &gatehouse_test_provider::Provider,
    secret: &Path,
    label: &str,
) -> Vec<(&'static str, String)> {
    std::fs::write(secret, gatehouse_test_provider::CLIENT_SECRET).unwrap();
    vec![
        ("GATEHOUSE_OIDC_ISSUER", provider.issuer().to_string()),
        (
            "GATEHOUSE_OIDC_CLIENT_ID",
            gatehouse_test_provider::CLIENT_ID.to_string(),
        ),
        (
            "GATEHOUSE_OIDC_CLIENT_SECRET_FILE",
            secret.display().to_string(),
        ),
        ("GATEHOUSE_OIDC_LABEL", label.to_string()),
    ]
}

/// The server process, restartable on the same port and database.
pub struct Server {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    addr: SocketAddr,
    child: Option<Child>,
    dir: tempfile::TempDir,
    options: Options,
}

impl Server {
    /// The server process's id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().and_then(Child::id)
    }

    /// The SQLite URL of this server's database.
    pub fn database_url(&self) -> String {
        format!("sqlite://{}", self.dir.path().join("e2e.db").display())
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("server.log")
    }

    async fn spawn(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log_path())
            .unwrap();
        let mut child = Command::new(env_path("GATEHOUSE_E2E_SERVER"))
            .args(["--listen", &self.addr.to_string()])
            .args(["--database-url", &self.database_url()])
            .arg("--dist")
            .arg(
                self.options
                    .dist
                    .clone()
                    .unwrap_or_else(|| env_path("GATEHOUSE_E2E_DIST")),
            )
            .args(["--session-idle-timeout", self.options.idle_timeout])
            .args(["--reauth-window", self.options.reauth_window])
            .args(&self.options.extra)
            .envs(self.options.env.iter().map(|(k, v)| (*k, v.as_str())))
            .stdout(Stdio::piped())
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .expect("start gatehouse-server");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let listening = tokio::time::timeout(PATIENCE, async {
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(url) = line.strip_prefix("Gatehouse is listening on ") {
                    return Some(url.to_string());
                }
            }
            None
        })
        .await
        .ok()
        .flatten()
        .expect("the server prints where it listens");
        self.addr = listening.trim_start_matches("http://").parse().unwrap();
        self.base = listening;
        self.child = Some(child);
    }

    /// Starts a server on a free port with a fresh database.
    pub async fn start(options: Options) -> Self {
        let mut server = Self {
            base: String::new(),
            addr: "127.0.0.1:0".parse().unwrap(),
            child: None,
            dir: tempfile::tempdir().unwrap(),
            options,
        };
        server.spawn().await;
        server
    }

    /// Kills the server (as a crash or an operator would).
    pub async fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill().await;
        }
    }

    /// Starts it again on the same port with the same database.
    pub async fn restart(&mut self) {
        self.stop().await;
        self.spawn().await;
    }

    /// `gatehouse-server user add NAME [--admin]`, the password on stdin.
    pub async fn add_user(&self, name: &str, admin: bool) {
        let mut cmd = Command::new(env_path("GATEHOUSE_E2E_SERVER"));
        cmd.args(["--database-url", &self.database_url(), "user", "add", name]);
        if admin {
            cmd.arg("--admin");
        }
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        stdin
            .write_all(format!("{PASSWORD}\n").as_bytes())
            .await
            .unwrap();
        drop(stdin);
        assert!(child.wait().await.unwrap().success(), "user add {name}");
    }
}

/// Chromedriver (in its own process group, so Chromium goes with it) and one session.
pub struct Browser {
    /// The WebDriver session.
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

/// Starts chromedriver on a port it chooses itself and returns it with that port, or what it
/// said before it gave up.
async fn spawn_chromedriver() -> Result<(Child, u16), String> {
    let mut driver = Command::new(env_path("CHROMEDRIVER"))
        .arg("--port=0")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .process_group(0)
        .kill_on_drop(true)
        .spawn()
        .expect("start chromedriver");
    let mut lines = BufReader::new(driver.stdout.take().unwrap()).lines();
    let mut said = String::new();
    let port = tokio::time::timeout(PATIENCE, async {
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(port) = line
                .strip_prefix("ChromeDriver was started successfully on port ")
                .and_then(|rest| rest.trim_end_matches('.').parse::<u16>().ok())
            {
                return Some(port);
            }
            said.push_str(&line);
            said.push('\n');
        }
        None
    })
    .await
    .ok()
    .flatten();
    let Some(port) = port else {
        return Err(said);
    };
    // Chromedriver writes little more to stdout; keep reading so it never blocks on the pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Ok((driver, port))
}

impl Browser {
    /// Starts chromedriver and a headless Chromium with a fresh profile.
    ///
    /// Chromedriver chooses its port (`--port=0`) and says which: a port probed free and handed
    /// over can be taken by another process in between, and the session request then goes to
    /// that process. Chromedriver's own choice can still collide (it takes a port on `::1`, then
    /// the same number on 127.0.0.1, which may be taken); it then exits saying so, and we start
    /// another.
    pub async fn start() -> Self {
        Self::start_with(json!("normal")).await
    }

    /// `start`, but navigating does not wait for the page to load (WebDriver's
    /// `pageLoadStrategy: none`): for measuring what happens while it does.
    pub async fn start_without_waiting_for_loads() -> Self {
        Self::start_with(json!("none")).await
    }

    async fn start_with(page_load_strategy: Value) -> Self {
        let mut attempts = Vec::new();
        let (driver, port) = loop {
            match spawn_chromedriver().await {
                Ok(started) => break started,
                Err(said) if attempts.len() < 4 => attempts.push(said),
                Err(said) => {
                    attempts.push(said);
                    panic!(
                        "chromedriver did not start, 5 times:\n{}",
                        attempts.join("\n")
                    );
                }
            }
        };
        let profile = tempfile::tempdir().unwrap();
        let mut caps = Capabilities::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": env_path("CHROMIUM"),
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--window-size=1100,800",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            }),
        );
        caps.insert("goog:loggingPrefs".into(), json!({"browser": "ALL"}));
        caps.insert("pageLoadStrategy".into(), page_load_strategy);
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("a WebDriver session");
        Self {
            client,
            driver,
            _profile: profile,
        }
    }

    /// An `Env` for this browser against `server`.
    pub async fn env(&self, server: &Arc<Mutex<Server>>) -> Env {
        Env {
            base: server.lock().await.base.clone(),
            server: Arc::clone(server),
            client: self.client.clone(),
        }
    }

    /// Ends the session and chromedriver with the Chromium it started.
    pub async fn end(self) {
        let _ = self.client.clone().close().await;
        // Drop ends the processes.
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let Some(pid) = self.driver.id() {
            // The whole group: chromedriver and the Chromium it started. Note `--`: procps
            // reads `kill -9 -PID` as `kill(-1, SIGKILL)`, every process we may signal.
            let group = format!("-{pid}");
            let _ = std::process::Command::new("kill")
                .args(["-s", "KILL", "--", &group])
                .status();
        }
        let _ = self.driver.start_kill();
    }
}

/// chromedriver's console log (`POST /session/{id}/se/log`).
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }
    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(r#"{"type":"browser"}"#.into()))
    }
}

/// Sends the Chrome DevTools command `cmd` to the browser `client` drives.
pub async fn cdp(client: &Client, cmd: &'static str, params: Value) -> Value {
    client.issue_cmd(Cdp { cmd, params }).await.unwrap()
}

/// A Chrome DevTools command through chromedriver (`POST /session/{id}/goog/cdp/execute`).
#[derive(Debug)]
struct Cdp {
    cmd: &'static str,
    params: Value,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }
    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({ "cmd": self.cmd, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}

/// WebDriver's virtual authenticator (a platform authenticator holding discoverable
/// credentials and verifying its user), added to the browser's session.
#[derive(Debug)]
struct VirtualAuthenticator;

impl WebDriverCompatibleCommand for VirtualAuthenticator {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/webauthn/authenticator",
            session.unwrap_or_default()
        ))
    }
    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({
            "protocol": "ctap2",
            "transport": "internal",
            "hasResidentKey": true,
            "hasUserVerification": true,
            "isUserVerified": true,
            "automaticPresenceSimulation": true,
        });
        (http::Method::POST, Some(body.to_string()))
    }
}

/// The code an authenticator app set up with `uri` (`otpauth://…`) shows `offset` 30-second
/// steps from now.
pub fn totp_code(uri: &str, offset: i64) -> String {
    let totp = totp_rs::Totp::from_url(uri).expect("an otpauth URI");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    totp.generate((now + offset * 30) as u64).to_string()
}

/// A screen to look at a page on.
#[derive(Clone, Copy, Debug)]
pub struct Screen {
    /// "desktop" or "phone".
    pub name: &'static str,
    /// CSS pixels.
    pub width: u32,
    /// CSS pixels.
    pub height: u32,
    /// Touch, and the mobile viewport rules.
    pub mobile: bool,
}

/// A laptop's window.
pub const DESKTOP: Screen = Screen {
    name: "desktop",
    width: 1280,
    height: 800,
    mobile: false,
};

/// A common phone.
pub const PHONE: Screen = Screen {
    name: "phone",
    width: 390,
    height: 844,
    mobile: true,
};

/// What a journey gets: the server, the browser, and helpers that wait for the page.
#[derive(Clone)]
pub struct Env {
    /// The server (lock it to stop or restart).
    pub server: Arc<Mutex<Server>>,
    /// The browser.
    pub client: Client,
    /// `http://127.0.0.1:PORT` (stable across restarts).
    pub base: String,
}

/// Runs one journey with a fresh server and browser; ends them whatever happens, and on a
/// failure saves a screenshot, the console log and the server log under `target/e2e/<name>/`.
pub async fn journey<F, Fut>(name: &str, options: Options, body: F)
where
    F: FnOnce(Env) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let server = Arc::new(Mutex::new(Server::start(options).await));
    let browser = Browser::start().await;
    let env = browser.env(&server).await;
    let outcome = tokio::spawn(body(env.clone())).await;
    if let Err(failure) = outcome {
        let dir = workspace_target().join("e2e").join(name);
        let _ = std::fs::create_dir_all(&dir);
        if let Ok(png) = env.client.screenshot().await {
            let _ = std::fs::write(dir.join("screenshot.png"), png);
        }
        if let Ok(log) = env.client.issue_cmd(BrowserLog).await {
            let _ = std::fs::write(
                dir.join("console.json"),
                serde_json::to_string_pretty(&log).unwrap_or_default(),
            );
        }
        if let Ok(url) = env.client.current_url().await {
            let _ = std::fs::write(dir.join("url.txt"), url.as_str());
        }
        let server_log = env.server.lock().await.log_path();
        let _ = std::fs::copy(server_log, dir.join("server.log"));
        eprintln!(
            "journey {name} failed; screenshot and logs in {}",
            dir.display()
        );
        browser.end().await;
        env.server.lock().await.stop().await;
        std::panic::resume_unwind(failure.into_panic());
    }
    browser.end().await;
    env.server.lock().await.stop().await;
}

impl Env {
    /// A second browser (its own profile and cookies: another person or device) on the same
    /// server. Ended when the returned `Browser` is dropped, however the journey ends.
    pub async fn another_browser(&self) -> (Browser, Env) {
        let browser = Browser::start().await;
        let env = browser.env(&self.server).await;
        (browser, env)
    }

    /// Opens `path` on the server and waits for the app to have taken over the page
    /// pre-rendered at build time (so what the journey touches is the app's).
    pub async fn open(&self, path: &str) {
        self.open_before_the_app(path).await;
        self.wait_for_the_app().await;
    }

    /// Opens `path` without waiting for the app: what the browser shows first.
    pub async fn open_before_the_app(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap();
    }

    /// The same browser and server at `http://localhost:PORT`: browsers refuse an IP address as
    /// a passkey's relying party, so passkey journeys use this.
    pub fn on_localhost(&self) -> Env {
        Env {
            base: self.base.replace("127.0.0.1", "localhost"),
            ..self.clone()
        }
    }

    /// Gives the browser a virtual authenticator (WebDriver's, as a phone's or laptop's built-in
    /// one: it keeps passkeys and verifies its user at once).
    pub async fn add_virtual_authenticator(&self) {
        self.client.issue_cmd(VirtualAuthenticator).await.unwrap();
    }

    /// Sends a Chrome DevTools Protocol command (`Network.setBlockedURLs`, …) to the browser.
    pub async fn cdp(&self, cmd: &'static str, params: Value) -> Value {
        cdp(&self.client, cmd, params).await
    }

    /// Waits until the app has replaced the pre-rendered page.
    pub async fn wait_for_the_app(&self) {
        self.wait_for("the app to take over the page", |env| async move {
            env.js("return document.getElementById('prerendered') === null")
                .await
                .as_bool()
                .unwrap_or(false)
        })
        .await;
    }

    /// `path + query + hash` of the page.
    pub async fn location(&self) -> String {
        let url = self.client.current_url().await.unwrap();
        let mut s = url.path().to_string();
        if let Some(q) = url.query() {
            s.push('?');
            s.push_str(q);
        }
        if let Some(f) = url.fragment() {
            s.push('#');
            s.push_str(f);
        }
        s
    }

    /// Runs `script` in the page and returns its value.
    pub async fn js(&self, script: &str) -> Value {
        self.client.execute(script, vec![]).await.unwrap()
    }

    /// The page's visible text.
    pub async fn text(&self) -> String {
        self.js("return document.body.innerText")
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Polls until `check` holds for the page, failing after `PATIENCE` with `what`.
    pub async fn wait_for<F, Fut>(&self, what: &str, check: F)
    where
        F: Fn(Env) -> Fut,
        Fut: Future<Output = bool>,
    {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if check(self.clone()).await {
                return;
            }
            if Instant::now() > deadline {
                panic!(
                    "timed out waiting for {what}; at {} showing:\n{}",
                    self.location().await,
                    self.text().await
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until the path (without query) is `path`.
    pub async fn wait_for_path(&self, path: &str) {
        let path = path.to_string();
        self.wait_for(&format!("path {path}"), |env| {
            let path = path.clone();
            async move {
                env.client
                    .current_url()
                    .await
                    .is_ok_and(|u| u.path() == path)
            }
        })
        .await;
    }

    /// Waits until the page shows `text`.
    pub async fn wait_for_text(&self, text: &str) {
        let text = text.to_string();
        self.wait_for(&format!("text {text:?}"), |env| {
            let text = text.clone();
            async move { env.text().await.contains(&text) }
        })
        .await;
    }

    /// The first element `locator` finds, waiting up to `PATIENCE` for it. A search that a
    /// navigation starting at that moment interrupts (after a click that leaves the page,
    /// ChromeDriver answers "aborted by navigation") looks again on the page that follows.
    pub async fn element(&self, locator: Locator<'_>) -> fantoccini::elements::Element {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.client.wait().at_most(left).for_element(locator).await {
                Ok(element) => return element,
                Err(fantoccini::error::CmdError::NotW3C(Value::String(why)))
                    if why == "aborted by navigation" && Instant::now() < deadline => {}
                Err(e) => panic!("no element {locator:?}: {e}"),
            }
        }
    }

    /// Sets an input or textarea's value as typing would (firing `input`).
    pub async fn fill(&self, css: &str, value: &str) {
        let field = self.element(Locator::Css(css)).await;
        field.clear().await.unwrap();
        field.send_keys(value).await.unwrap();
    }

    /// Types `keys` into the field `css` (adding to what it holds).
    pub async fn type_into(&self, css: &str, keys: &str) {
        let field = self.element(Locator::Css(css)).await;
        field.send_keys(keys).await.unwrap();
    }

    /// Clicks the first element matching `css`.
    pub async fn click(&self, css: &str) {
        self.element(Locator::Css(css)).await.click().await.unwrap();
    }

    /// Clicks the button whose text is `label`.
    pub async fn click_button(&self, label: &str) {
        let xpath = format!("//button[normalize-space(.)='{label}']");
        self.element(Locator::XPath(&xpath))
            .await
            .click()
            .await
            .unwrap();
    }

    /// Waits until the field `css` is marked invalid (`aria-invalid="true"`): an error at it.
    pub async fn wait_for_field_error(&self, css: &str) {
        let script = format!("return document.querySelector({css:?}).getAttribute('aria-invalid')");
        self.wait_for(&format!("the error at {css}"), |env| {
            let script = script.clone();
            async move { env.js(&script).await == "true" }
        })
        .await;
    }

    /// Waits until a button reads `label`.
    pub async fn wait_for_button(&self, label: &str) {
        let label = label.to_string();
        self.wait_for(&format!("a button {label:?}"), |env| {
            let label = label.clone();
            async move {
                env.js(&format!(
                    "return [...document.querySelectorAll('button')].some(b => b.innerText.trim() === {label:?})"
                ))
                .await
                    == true
            }
        })
        .await;
    }

    /// Follows the link whose text is `label`.
    pub async fn click_link(&self, label: &str) {
        let xpath = format!("//a[normalize-space(.)='{label}']");
        self.element(Locator::XPath(&xpath))
            .await
            .click()
            .await
            .unwrap();
    }

    /// Creates a note through the notes page and returns the path of the note's page.
    pub async fn new_note(&self, title: &str, body: &str) -> String {
        self.open("/notes/new").await;
        self.fill("#new-title", title).await;
        self.fill("#new-body", body).await;
        self.click_button("Create note").await;
        self.wait_for("the note's page", |env: Env| async move {
            env.location()
                .await
                .strip_prefix("/notes/")
                .is_some_and(|id| id.parse::<i64>().is_ok())
        })
        .await;
        self.wait_for_text("Version 1").await;
        self.location().await
    }

    /// The value of the input or textarea `css`.
    pub async fn value(&self, css: &str) -> String {
        self.js(&format!(
            "const e = document.querySelector({css:?}); return e ? e.value : null"
        ))
        .await
        .as_str()
        .unwrap_or_else(|| panic!("no {css}"))
        .to_string()
    }

    /// How many elements match `css`.
    pub async fn count(&self, css: &str) -> usize {
        self.js(&format!("return document.querySelectorAll({css:?}).length"))
            .await
            .as_u64()
            .unwrap() as usize
    }

    /// Waits until exactly `n` elements match `css`.
    pub async fn wait_for_count(&self, css: &str, n: usize) {
        let css = css.to_string();
        self.wait_for(&format!("{n} × {css}"), |env| {
            let css = css.clone();
            async move { env.count(&css).await == n }
        })
        .await;
    }

    /// Fills and submits the sign-in form (the stable form contract).
    pub async fn sign_in(&self, username: &str, password: &str) {
        self.fill("input[name=username]", username).await;
        self.fill("input[name=password]", password).await;
        self.click("button[type=submit]").await;
    }

    /// Signs in as `name` (password `PASSWORD`) from `/login` and waits for the dashboard.
    pub async fn signed_in(&self, name: &str) {
        self.open("/login").await;
        self.sign_in(name, PASSWORD).await;
        self.wait_for_path("/dashboard").await;
        self.wait_for_text(&format!("Welcome, {name}")).await;
    }

    /// Calls `endpoint` from the page with `fetch` (the browser's cookies, and the CSRF header
    /// as the SPA sends it), behind the SPA's back; returns the status and the JSON body (or
    /// `null`).
    pub async fn call<E: gatehouse_api::Endpoint>(
        &self,
        endpoint: &E,
        body: Option<Value>,
    ) -> (u16, Value) {
        let script = format!(
            "const [method, path, body, done] = arguments;
             const pair = document.cookie.split('; ').find(c => c.startsWith('{cookie}='));
             const headers = {{ 'Content-Type': 'application/json' }};
             if (pair) headers['{header}'] = decodeURIComponent(pair.split('=')[1]);
             fetch(path, {{ method, headers, body: body === null ? undefined : JSON.stringify(body) }})
               .then(async r => done([r.status, await r.text()]), e => done([0, String(e)]));",
            cookie = gatehouse_api::CSRF_COOKIE,
            header = gatehouse_api::CSRF_HEADER,
        );
        let answer = self
            .client
            .execute_async(
                &script,
                vec![
                    json!(E::METHOD.as_str()),
                    json!(endpoint.path()),
                    body.unwrap_or(Value::Null),
                ],
            )
            .await
            .unwrap();
        let status = answer[0].as_u64().unwrap() as u16;
        let text = answer[1].as_str().unwrap_or_default();
        (status, serde_json::from_str(text).unwrap_or(Value::Null))
    }

    /// Shows the page on `screen` with the system's color scheme `dark` or light.
    pub async fn look_like(&self, screen: Screen, dark: bool) {
        let scale = if screen.mobile { 2 } else { 1 };
        self.client
            .issue_cmd(Cdp {
                cmd: "Emulation.setDeviceMetricsOverride",
                params: json!({
                    "width": screen.width, "height": screen.height,
                    "deviceScaleFactor": scale, "mobile": screen.mobile,
                }),
            })
            .await
            .unwrap();
        let scheme = if dark { "dark" } else { "light" };
        self.client
            .issue_cmd(Cdp {
                cmd: "Emulation.setEmulatedMedia",
                params: json!({ "features": [{ "name": "prefers-color-scheme", "value": scheme }] }),
            })
            .await
            .unwrap();
        // Two frames, so styles and layout have caught up.
        self.client
            .execute_async(
                "const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => done(null)));",
                vec![],
            )
            .await
            .unwrap();
    }

    /// A PNG of the whole page, beyond the viewport.
    pub async fn full_screenshot(&self) -> Vec<u8> {
        use base64::Engine;
        let shot = self
            .client
            .issue_cmd(Cdp {
                cmd: "Page.captureScreenshot",
                params: json!({ "format": "png", "captureBeyondViewport": true }),
            })
            .await
            .unwrap();
        base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().expect("screenshot data"))
            .unwrap()
    }

    /// What axe-core (`AXE_CORE`: its `axe.min.js`) finds wrong with the page: one line per
    /// rule, with the elements.
    pub async fn accessibility_violations(&self) -> Vec<String> {
        let axe = std::fs::read_to_string(env_path("AXE_CORE")).expect("axe.min.js");
        let present = self.js("return typeof window.axe === 'object'").await;
        if present != true {
            self.js(&format!("{axe}\nreturn null")).await;
        }
        let found = self
            .client
            .execute_async(
                "const done = arguments[0];
                 axe.run(document, { resultTypes: ['violations'] })
                   .then(r => done(r.violations.map(v =>
                      `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map(n => n.target.join(' ')).join(', ')}`)),
                    e => done([`axe failed: ${e}`]));",
                vec![],
            )
            .await
            .unwrap();
        serde_json::from_value(found).unwrap()
    }

    /// Fails the journey if axe-core finds anything wrong with the page as it is.
    pub async fn assert_accessible(&self, what: &str) {
        let found = self.accessibility_violations().await;
        assert!(
            found.is_empty(),
            "axe-core on {what} ({}):\n{}",
            self.location().await,
            found.join("\n")
        );
    }

    /// `history.length`.
    pub async fn history_length(&self) -> i64 {
        self.js("return history.length").await.as_i64().unwrap()
    }
}
