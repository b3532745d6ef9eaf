//! Several instances of the real binary sharing PostgreSQL and Redis behave as one.

use std::io::{BufRead, BufReader};
use std::ops::Deref;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use gatehouse_api::endpoints::{
    ChangePassword, ChangeUser, DeleteNote, EndSession, EndUserSessions, GetNote, ListNotes,
    ListUsers, Login, Logout, UpdateNote,
};
use gatehouse_api::{ErrorCode, Note, NotePage, Role};
use gatehouse_server::config::{SecretUrl, SessionStoreUrl};
use gatehouse_server::data::db;
use reqwest::StatusCode;
use serde_json::json;

use gatehouse_api::endpoints::SignInSecondFactor;

use crate::helpers::*;
use crate::services::{Redis, dying_with_parent, free_port, postgres};
use crate::{account, matrix};

const BIN: &str = env!("CARGO_BIN_EXE_gatehouse-server");

/// One `gatehouse-server` process; stopped when dropped.
pub struct Instance {
    client: Client,
    args: Vec<String>,
    port: u16,
    log: tempfile::NamedTempFile,
    child: Option<Child>,
}

impl Deref for Instance {
    type Target = Client;
    fn deref(&self) -> &Client {
        &self.client
    }
}

impl Instance {
    /// Sessions in `redis`, or in the database without it.
    pub fn start(database: &str, redis: Option<&Redis>, extra: &[&str]) -> Self {
        let mut instance = Self::launch(database, redis, extra);
        instance.wait_until_listening();
        instance
    }

    /// Starts the process without waiting for it.
    fn launch(database: &str, redis: Option<&Redis>, extra: &[&str]) -> Self {
        let port = free_port();
        let store = redis.map_or("database".into(), Redis::url);
        let mut args: Vec<String> = [
            "--database-url",
            database,
            "--session-store",
            &store,
            "--dist",
            "no-dist",
        ]
        .iter()
        .chain(extra)
        .map(|s| s.to_string())
        .collect();
        args.extend(["--listen".into(), format!("127.0.0.1:{port}")]);
        if !extra.contains(&"--totp-key-file") {
            // Instances of one database share their key, kept out of the source tree.
            args.extend(["--totp-key-file".into(), key_file_for(database)]);
        }
        let mut instance = Self {
            client: Client::new(format!("http://127.0.0.1:{port}")),
            args,
            port,
            log: tempfile::NamedTempFile::new().unwrap(),
            child: None,
        };
        instance.spawn();
        instance
    }

    /// Waits until the process says it listens.
    fn wait_until_listening(&mut self) {
        let child = self.child.as_mut().expect("launched");
        let stdout = child.stdout.take().expect("not waited for yet");
        let listening = BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .any(|line| line.ends_with(&format!("127.0.0.1:{}", self.port)));
        assert!(listening, "instance did not start:\n{}", self.log_text());
    }

    /// Starts the process. It is killed when this thread ends, so instances are started
    /// from the test's own thread.
    fn spawn(&mut self) {
        let child = dying_with_parent("KILL", None, Path::new(BIN))
            .args(&self.args)
            .stdout(Stdio::piped())
            .stderr(self.log.reopen().unwrap())
            .spawn()
            .unwrap();
        self.child = Some(child);
    }

    /// The CPU time the process has used so far, every thread's, user and system (to the
    /// kernel's clock tick, 10 ms).
    pub fn cpu_time(&self) -> Duration {
        let pid = self.child.as_ref().expect("running").id();
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
        // The fields after the command name, which is in parentheses and may hold spaces.
        let fields: Vec<&str> = stat[stat.rfind(')').unwrap() + 2..].split(' ').collect();
        let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
        Duration::from_millis(ticks * 10)
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(self.log.path()).unwrap_or_default()
    }

    /// Stops it as an operator would (SIGTERM) and starts it again on the same port.
    fn restart(&mut self) {
        self.stop();
        self.spawn();
        self.wait_until_listening();
        // Keep-alive connections to the old process are closed; a browser retries on a new
        // one by itself, reqwest does not, so start with an empty connection pool.
        self.client = Client::new(self.client.base.clone());
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let term = Command::new("kill")
                .args(["-s", "TERM", &child.id().to_string()])
                .status()
                .unwrap();
            assert!(term.success());
            let status = child.wait().unwrap();
            assert!(status.success(), "{status}:\n{}", self.log_text());
        }
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The authenticator apps' key file of the instances on `database`: one per database, in a
/// folder of this test run's.
fn key_file_for(database: &str) -> String {
    static KEYS: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    let dir = KEYS.get_or_init(|| tempfile::tempdir().unwrap());
    let name: String = database
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    dir.path().join(format!("{name}.key")).display().to_string()
}

/// The database the instance uses (PostgreSQL).
async fn a_database(instance: &Instance) -> db::Db {
    let url = instance.args[1].clone();
    db::connect(&url).await.unwrap()
}

/// PostgreSQL with one account per name, Redis, and instances started with `extra`.
async fn cluster(accounts: &[&str], instances: usize, extra: &[&str]) -> (Redis, Vec<Instance>) {
    let database = postgres().new_database().await;
    let db = db::connect(&database).await.unwrap();
    for name in accounts {
        add_user(&db, name, Role::User).await;
    }
    let redis = Redis::start();
    let started = (0..instances)
        .map(|_| Instance::start(&database, Some(&redis), extra))
        .collect();
    (redis, started)
}

async fn titles(on: &Client, agent: &Agent) -> Vec<String> {
    let r = on.call(agent, &ListNotes::default(), None).await;
    assert_eq!(r.status(), StatusCode::OK);
    let page: NotePage = r.json().await.unwrap();
    page.notes.into_iter().map(|n| n.title).collect()
}

#[tokio::test]
async fn a_session_and_notes_made_on_one_instance_are_seen_by_another_and_sign_out_ends_it_on_both()
{
    let (_redis, instances) = cluster(&["ann"], 2, &[]).await;
    let (a, b) = (&instances[0], &instances[1]);

    let agent = a.sign_in("ann").await;
    let note = a.create_note(&agent, "written through A", "shared").await;
    assert_eq!(titles(b, &agent).await, ["written through A"]);
    let r = b.call(&agent, &GetNote { id: note.id }, None).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Note>().await.unwrap(), note);

    let r = b.call(&agent, &Logout, None).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    for instance in [a, b] {
        let r = instance.call(&agent, &ListNotes::default(), None).await;
        assert_eq!(
            r.status(),
            StatusCode::UNAUTHORIZED,
            "the old cookie after sign-out"
        );
    }
}

#[tokio::test]
async fn without_redis_sessions_live_in_postgres_and_are_shared_all_the_same() {
    let database = postgres().new_database().await;
    add_user(&db::connect(&database).await.unwrap(), "ann", Role::User).await;
    let a = Instance::start(&database, None, &[]);
    let b = Instance::start(&database, None, &[]);

    let agent = a.sign_in("ann").await;
    a.create_note(&agent, "via A", "shared").await;
    assert_eq!(titles(&b, &agent).await, ["via A"]);
    let r = b.call(&agent, &Logout, None).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = a.call(&agent, &ListNotes::default(), None).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        a.health().await,
        (
            StatusCode::OK,
            deps(&[
                ("database", "postgres", true),
                ("session_store", "postgres", true)
            ])
        )
    );
}

/// With a 2 s idle timeout the clock is due for renewal after 200 ms, so every racing read
/// writes the session back if it can.
const RENEWING: [&str; 2] = ["--session-idle-timeout", "2s"];

#[tokio::test]
async fn a_sign_out_is_final_on_every_instance_while_reads_renewing_it_are_in_flight_on_redis() {
    let (_redis, instances) = cluster(&["ann"], 2, &RENEWING).await;
    let on: Vec<&Client> = instances.iter().map(|i| &**i).collect();
    assert_sign_out_is_final_under_racing_reads(&on, "ann", 8, Duration::from_millis(250)).await;
}

#[tokio::test]
async fn a_sign_out_is_final_on_every_instance_while_reads_renewing_it_are_in_flight_on_postgres() {
    let database = postgres().new_database().await;
    add_user(&db::connect(&database).await.unwrap(), "ann", Role::User).await;
    let a = Instance::start(&database, None, &RENEWING);
    let b = Instance::start(&database, None, &RENEWING);
    assert_sign_out_is_final_under_racing_reads(&[&a, &b], "ann", 8, Duration::from_millis(250))
        .await;
}

#[tokio::test]
async fn ending_a_session_or_changing_the_password_through_one_instance_is_final_at_once_on_the_other()
 {
    let (_redis, instances) = cluster(&["ann"], 2, &[]).await;
    let (a, b) = (&instances[0], &instances[1]);
    let laptop = account::sign_in_from(a, "ann", account::FIREFOX).await;
    let lost = account::sign_in_from(b, "ann", account::CHROME).await;
    let phone = account::sign_in_from(b, "ann", account::CHROME).await;
    let listed = account::sessions(b, &laptop).await;
    assert_eq!(listed.len(), 3, "every instance sees every session");
    let lost_handle = account::sessions(b, &lost).await[0].id.clone();
    let r = a.call(&laptop, &EndSession { id: lost_handle }, None).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        b.call(&lost, &ListNotes::default(), None).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let change = json!({"current_password": PASSWORD, "new_password": account::NEW_PASSWORD});
    let r = a.call(&laptop, &ChangePassword, Some(change)).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        b.call(&phone, &ListNotes::default(), None).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        b.call(&laptop, &ListNotes::default(), None).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn an_account_disabled_or_demoted_through_one_instance_is_refused_at_once_by_the_other() {
    let (_redis, instances) = cluster(&[], 2, &[]).await;
    let (a, b) = (&instances[0], &instances[1]);
    let database_admins = ["root", "deputy"];
    let db = a_database(a).await;
    for name in database_admins {
        add_user(&db, name, gatehouse_api::Role::Admin).await;
    }
    add_user(&db, "carl", Role::User).await;
    let root = a.sign_in("root").await;
    let deputy = b.sign_in("deputy").await;
    let carl = b.sign_in("carl").await;
    let id = |name: &str| {
        let db = db.clone();
        let name = name.to_string();
        async move {
            gatehouse_server::data::users::find_by_name(
                &db,
                &gatehouse_api::Username::try_from(name.as_str()).unwrap(),
            )
            .await
            .unwrap()
            .unwrap()
            .id
        }
    };
    let r = a
        .call(
            &root,
            &ChangeUser {
                id: id("carl").await,
            },
            Some(json!({"disabled": true})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = b.call(&carl, &ListNotes::default(), None).await;
    expect_error(r, StatusCode::UNAUTHORIZED, ErrorCode::AccountDisabled).await;
    let r = a
        .call(
            &root,
            &ChangeUser {
                id: id("deputy").await,
            },
            Some(json!({"role": "user"})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = b.call(&deputy, &ListUsers::default(), None).await;
    expect_error(r, StatusCode::FORBIDDEN, ErrorCode::Forbidden).await;
}

#[tokio::test]
async fn sign_ins_sent_at_once_to_two_instances_are_verified_no_more_than_the_limit() {
    let (_redis, instances) = cluster(&["ann"], 2, &["--login-max-failures", "4"]).await;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..24 {
        let on = instances[i % 2].client.clone();
        tasks.spawn(async move {
            on.login_as(&mut Agent::default(), "ann", "not the password")
                .await
                .status()
        });
    }
    let statuses = tasks.join_all().await;
    let verified = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    assert!(verified <= 4, "{verified} verified: {statuses:?}");
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
            .count(),
        24 - verified
    );
}

#[tokio::test]
async fn a_device_cookie_from_one_instance_is_trusted_by_the_other() {
    let (_redis, instances) = cluster(&["ann"], 2, &["--login-max-failures", "2"]).await;
    let (a, b) = (&instances[0], &instances[1]);
    let mut laptop = Agent::default();
    assert_eq!(
        a.login_as(&mut laptop, "ann", PASSWORD).await.status(),
        StatusCode::OK
    );
    for _ in 0..8 {
        b.login_as(&mut Agent::default(), "ann", "guess").await;
    }
    let r = b.login_as(&mut Agent::default(), "ann", PASSWORD).await;
    assert_eq!(
        r.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "unknown clients wait"
    );
    let r = b.login_as(&mut laptop, "ann", PASSWORD).await;
    assert_eq!(
        r.status(),
        StatusCode::OK,
        "the laptop that signed in before does not"
    );
}

#[tokio::test]
async fn postgres_searches_notes_by_word_prefix_with_titles_first() {
    let database = postgres().new_database().await;
    let app = spawn_app_with(|c| c.database_url = database.parse::<SecretUrl>().unwrap()).await;
    assert_eq!(app.db.kind(), "postgres");
    crate::notes::check_search(&app).await;
}

#[tokio::test]
async fn instances_started_together_on_a_fresh_database_both_migrate_and_serve() {
    let database = postgres().new_database().await;
    let redis = Redis::start();
    // Both processes run their migrations at the same time; neither waits for the other.
    let mut a = Instance::launch(&database, Some(&redis), &[]);
    let mut b = Instance::launch(&database, Some(&redis), &[]);
    a.wait_until_listening();
    b.wait_until_listening();
    add_user(&db::connect(&database).await.unwrap(), "ann", Role::User).await;
    let agent = a.sign_in("ann").await;
    a.create_note(&agent, "after a joint start", "shared").await;
    assert_eq!(titles(&b, &agent).await, ["after a joint start"]);
}

#[tokio::test]
async fn failed_sign_ins_spread_over_instances_are_throttled_together() {
    let (_redis, instances) = cluster(&["ann"], 2, &["--login-max-failures", "3"]).await;
    let wrong = json!({"username": "ann", "password": "not the password"});
    for i in 0..3 {
        let r = instances[i % 2]
            .call(&Agent::default(), &Login, Some(wrong.clone()))
            .await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    // Neither instance saw three failures by itself; together they did.
    for instance in &instances {
        let r = instance
            .login_as(&mut Agent::default(), "ANN", PASSWORD)
            .await;
        let body = expect_error(r, StatusCode::TOO_MANY_REQUESTS, ErrorCode::TooManyRequests).await;
        assert!(body.message.contains("Try again in"), "{}", body.message);
    }
}

#[tokio::test]
async fn restarting_an_instance_loses_no_session_and_no_note() {
    let (_redis, mut instances) = cluster(&["ann"], 2, &[]).await;
    let agent = instances[0].sign_in("ann").await;
    let note = instances[0]
        .create_note(&agent, "before the restart", "shared")
        .await;

    instances[0].restart();

    let r = instances[0]
        .call(&agent, &GetNote { id: note.id }, None)
        .await;
    assert_eq!(
        r.status(),
        StatusCode::OK,
        "same cookie, same note after a restart"
    );
    instances[0]
        .create_note(&agent, "after the restart", "shared")
        .await;
    assert_eq!(
        titles(&instances[1], &agent).await.len(),
        2,
        "the other instance sees both"
    );
}

#[tokio::test]
async fn when_redis_dies_protected_routes_answer_503_not_401_and_recover_when_it_returns() {
    let (mut redis, instances) = cluster(&["ann"], 1, &[]).await;
    let a = &instances[0];
    let agent = a.sign_in("ann").await;
    a.create_note(&agent, "kept", "shared").await;

    redis.kill();
    let r = a.call(&agent, &ListNotes::default(), None).await;
    let body = expect_error(r, StatusCode::SERVICE_UNAVAILABLE, ErrorCode::Unavailable).await;
    assert!(
        !body.message.to_ascii_lowercase().contains("redis"),
        "no internals: {}",
        body.message
    );
    let r = a.login_as(&mut Agent::default(), "ann", PASSWORD).await;
    expect_error(r, StatusCode::SERVICE_UNAVAILABLE, ErrorCode::Unavailable).await;
    assert_eq!(
        a.health().await,
        (
            StatusCode::SERVICE_UNAVAILABLE,
            deps(&[
                ("database", "postgres", true),
                ("session_store", "redis", false)
            ])
        )
    );

    redis.start_again();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let r = a.call(&agent, &ListNotes::default(), None).await;
        if r.status() == StatusCode::OK {
            break;
        }
        assert_eq!(
            r.status(),
            StatusCode::SERVICE_UNAVAILABLE,
            "never 401 meanwhile"
        );
        assert!(
            Instant::now() < deadline,
            "did not recover:\n{}",
            a.log_text()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        titles(a, &agent).await,
        ["kept"],
        "the same session, signed in still"
    );
}

#[tokio::test]
async fn health_reports_postgres_and_redis() {
    let (_redis, instances) = cluster(&[], 1, &[]).await;
    assert_eq!(
        instances[0].health().await,
        (
            StatusCode::OK,
            deps(&[
                ("database", "postgres", true),
                ("session_store", "redis", true)
            ])
        )
    );
}

#[tokio::test]
async fn every_api_route_answers_every_kind_of_caller_as_expected_on_postgres_and_redis() {
    let database = postgres().new_database().await;
    let redis = Redis::start();
    let app = spawn_app_with(|c| {
        matrix::settings(c);
        c.database_url = database.parse::<SecretUrl>().unwrap();
        c.session_store = SessionStoreUrl::Redis(redis.url().parse().unwrap());
    })
    .await;
    assert_eq!(app.db.kind(), "postgres");
    matrix::check_every_route(&app).await;
}

#[tokio::test]
async fn every_step_up_route_refuses_a_stale_sign_in_on_postgres_and_redis() {
    let database = postgres().new_database().await;
    let redis = Redis::start();
    let app = spawn_app_with(|c| {
        matrix::step_up_settings(c);
        c.database_url = database.parse::<SecretUrl>().unwrap();
        c.session_store = SessionStoreUrl::Redis(redis.url().parse().unwrap());
    })
    .await;
    matrix::check_step_up(&app).await;
}

#[tokio::test]
async fn postgres_keeps_names_unique_in_any_case_and_refuses_stale_edits() {
    let database = postgres().new_database().await;
    let redis = Redis::start();
    let app = spawn_app_with(|c| {
        c.database_url = database.parse::<SecretUrl>().unwrap();
        c.session_store = SessionStoreUrl::Redis(redis.url().parse().unwrap());
    })
    .await;
    let agent = app.signed_in("Ann", Role::User).await;
    let mut tx = app.db.begin().await.unwrap();
    let taken = gatehouse_server::data::users::create(
        &mut tx,
        &gatehouse_api::Username::try_from("ANN").unwrap(),
        gatehouse_server::data::users::PasswordHash("h".into()),
        Role::User,
        false,
    )
    .await;
    drop(tx);
    assert!(
        matches!(
            taken,
            Err(gatehouse_server::data::users::CreateError::Taken(_))
        ),
        "{taken:?}"
    );

    let note = app.create_note(&agent, "v1", "shared").await;
    let id = note.id;
    let edit = |version| Some(json!({"title": "v2", "body": "b", "version": version}));
    let r = app
        .call(&agent, &UpdateNote { id }, edit(note.version))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = app
        .call(&agent, &UpdateNote { id }, edit(note.version))
        .await;
    expect_error(r, StatusCode::CONFLICT, ErrorCode::Conflict).await;
    let r = app.call(&agent, &DeleteNote { id }, None).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = app.call(&agent, &GetNote { id }, None).await;
    expect_error(r, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;
}

#[test]
fn an_unreachable_redis_or_postgres_stops_start_up_with_a_clear_error_that_hides_the_password() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = format!("sqlite://{}", dir.path().join("g.db").display());
    let closed = free_port();
    for (args, says) in [
        (
            vec![
                "--database-url".to_string(),
                sqlite,
                "--session-store".into(),
                format!("redis://:hunter2@127.0.0.1:{closed}/0"),
            ],
            format!("cannot reach Redis at redis://***@127.0.0.1:{closed}/0"),
        ),
        (
            vec![
                "--database-url".into(),
                format!("postgres://gate:hunter2@127.0.0.1:{closed}/db"),
            ],
            format!("cannot open the database postgres://***@127.0.0.1:{closed}/db"),
        ),
    ] {
        let out = Command::new(BIN)
            .args(&args)
            .args(["--listen", "127.0.0.1:0", "--dist", "no-dist"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains(&says), "{stderr}");
        assert!(!stderr.contains("hunter2"), "{stderr}");
    }
}

/// Each way a session ends, through instance B, while its writes go to instance A: none lands
/// after B's answer (see `in_flight` for the same on SQLite).
async fn check_no_write_lands_after_its_session_ended_elsewhere(a: &Instance, b: &Instance) {
    let db = a_database(a).await;
    for (name, role) in [
        ("root", Role::Admin),
        ("deputy", Role::Admin),
        ("ann", Role::User),
    ] {
        add_user(&db, name, role).await;
    }
    let (ann, root) = (id_of(&db, "ann").await, id_of(&db, "root").await);
    let deputy = b.sign_in("deputy").await;
    // The last round changes the password: it comes last.
    for round in 0..4 {
        let agent = a.sign_in("ann").await;
        let count = || notes_of(&db, ann);
        let end = || async {
            let r = match round {
                0 => b.call(&agent, &Logout, None).await,
                1 => {
                    let disable = Some(json!({"disabled": true}));
                    b.call(&deputy, &ChangeUser { id: ann }, disable).await
                }
                2 => b.call(&deputy, &EndUserSessions { id: ann }, None).await,
                _ => {
                    let other = b.sign_in("ann").await;
                    let change = json!({
                        "current_password": PASSWORD,
                        "new_password": account::NEW_PASSWORD,
                    });
                    b.call(&other, &ChangePassword, Some(change)).await
                }
            };
            assert!(r.status().is_success(), "round {round}: {}", r.status());
        };
        assert_no_write_lands_after_its_session_ends(a, &agent, Write::Note, 8, count, end).await;
        if round == 1 {
            let r = b
                .call(
                    &deputy,
                    &ChangeUser { id: ann },
                    Some(json!({"disabled": false})),
                )
                .await;
            assert_eq!(r.status(), StatusCode::OK);
        }
    }
    for round in 0..2 {
        let agent = a.sign_in("root").await;
        let count = || accounts_in(&db);
        let end = || async {
            let r = if round == 0 {
                b.call(&agent, &Logout, None).await
            } else {
                b.call(&deputy, &EndUserSessions { id: root }, None).await
            };
            assert_eq!(r.status(), StatusCode::NO_CONTENT);
        };
        assert_no_write_lands_after_its_session_ends(a, &agent, Write::Account, 3, count, end)
            .await;
    }
}

#[tokio::test]
async fn no_write_lands_after_its_session_ended_through_another_instance_on_postgres_and_redis() {
    let (_redis, instances) = cluster(&[], 2, &[]).await;
    check_no_write_lands_after_its_session_ended_elsewhere(&instances[0], &instances[1]).await;
}

#[tokio::test]
async fn no_write_lands_after_its_session_ended_through_another_instance_on_postgres_alone() {
    let database = postgres().new_database().await;
    let a = Instance::start(&database, None, &[]);
    let b = Instance::start(&database, None, &[]);
    check_no_write_lands_after_its_session_ended_elsewhere(&a, &b).await;
}

/// A column as both databases can state it: its type's kind and whether it may be null.
type Columns =
    std::collections::BTreeMap<String, std::collections::BTreeMap<String, (String, bool)>>;

/// SQLite keeps booleans and times as integers; PostgreSQL's wider integers are integers too.
fn kind(declared: &str) -> String {
    match declared.to_ascii_lowercase().as_str() {
        "integer" | "bigint" | "int" | "smallint" | "boolean" => "integer".into(),
        "text" | "character varying" => "text".into(),
        other => other.into(),
    }
}

async fn sqlite_columns(db: &db::Db) -> Columns {
    let db::Db::Sqlite(pool) = db else {
        panic!("SQLite")
    };
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut out = Columns::new();
    for table in tables {
        let rows: Vec<(String, String, bool)> =
            // A primary key is never null, though SQLite's `notnull` says 0 for it.
            sqlx::query_as("SELECT name, type, \"notnull\" OR pk > 0 FROM pragma_table_info($1)")
                .bind(&table)
                .fetch_all(pool)
                .await
                .unwrap();
        out.insert(
            table,
            rows.into_iter()
                .map(|(name, declared, not_null)| (name, (kind(&declared), not_null)))
                .collect(),
        );
    }
    out
}

async fn postgres_columns(db: &db::Db) -> Columns {
    let db::Db::Postgres(pool) = db else {
        panic!("PostgreSQL")
    };
    let rows: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text, data_type::text, is_nullable::text \
         FROM information_schema.columns WHERE table_schema = 'public' \
         AND table_name NOT LIKE '_sqlx%'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut out = Columns::new();
    for (table, column, declared, nullable) in rows {
        out.entry(table)
            .or_default()
            .insert(column, (kind(&declared), nullable == "NO"));
    }
    out
}

#[tokio::test]
async fn the_two_databases_migrate_to_the_same_tables_and_columns() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = db::connect(&format!("sqlite://{}", dir.path().join("m.db").display()))
        .await
        .unwrap();
    let pg = db::connect(&postgres().new_database().await).await.unwrap();
    let mut sqlite = sqlite_columns(&sqlite).await;
    let mut pg = postgres_columns(&pg).await;
    // What each does its own way, on purpose: SQLite's full-text index is an FTS5 table of
    // its own (and its shadow tables); PostgreSQL's is a `tsvector` column of `notes`.
    sqlite.retain(|table, _| !table.starts_with("notes_fts"));
    let search = pg.get_mut("notes").and_then(|notes| notes.remove("search"));
    assert_eq!(
        search,
        Some(("tsvector".into(), false)),
        "notes.search on PostgreSQL"
    );
    assert!(
        sqlite.len() >= 5,
        "the tables are found: {:?}",
        sqlite.keys()
    );
    for table in sqlite.keys().chain(pg.keys()) {
        assert_eq!(
            sqlite.get(table),
            pg.get(table),
            "table {table}: SQLite left, PostgreSQL right"
        );
    }
}

#[tokio::test]
async fn an_authenticator_app_set_up_on_one_instance_is_asked_for_and_spent_on_both() {
    let keys = tempfile::tempdir().unwrap();
    let key = keys.path().join("totp.key");
    let key = key.to_str().unwrap();
    let (_redis, instances) = cluster(&["ann"], 2, &["--totp-key-file", key]).await;
    let (a, b) = (&instances[0], &instances[1]);
    let ann = a.sign_in("ann").await;
    let (setup, codes) = crate::methods::enrol(a, &ann).await;
    let waiting = crate::methods::half_signed_in(b, "ann").await;
    let next = crate::methods::code(&setup, 1);
    let r = a
        .call(&waiting, &SignInSecondFactor, Some(json!({"code": next})))
        .await;
    assert_eq!(r.status(), StatusCode::OK, "the waiting sign-in is shared");
    let again = crate::methods::half_signed_in(a, "ann").await;
    let r = b
        .call(&again, &SignInSecondFactor, Some(json!({"code": next})))
        .await;
    expect_error(r, StatusCode::UNAUTHORIZED, ErrorCode::InvalidCode).await;
    let r = b
        .call(
            &again,
            &SignInSecondFactor,
            Some(json!({"recovery_code": codes[0]})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let third = crate::methods::half_signed_in(b, "ann").await;
    let r = a
        .call(
            &third,
            &SignInSecondFactor,
            Some(json!({"recovery_code": codes[0]})),
        )
        .await;
    expect_error(r, StatusCode::UNAUTHORIZED, ErrorCode::InvalidCode).await;
}

#[tokio::test]
async fn an_instance_given_another_totp_key_refuses_to_start() {
    let keys = tempfile::tempdir().unwrap();
    let database = postgres().new_database().await;
    let first = keys.path().join("one.key");
    let other = keys.path().join("other.key");
    let _a = Instance::start(
        &database,
        None,
        &["--totp-key-file", first.to_str().unwrap()],
    );
    let out = std::process::Command::new(BIN)
        .args([
            "--database-url",
            &database,
            "--dist",
            "no-dist",
            "--listen",
            "127.0.0.1:0",
        ])
        .args(["--totp-key-file", other.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("--totp-key-file"), "{said}");
}

#[tokio::test]
async fn a_round_trip_through_the_provider_may_leave_from_one_instance_and_come_back_to_another() {
    use gatehouse_api::endpoints::{ListIdentities, Me, StartProviderLink, StartProviderSignIn};
    use gatehouse_api::{Endpoint, LinkedIdentity, ProviderRedirect, SessionInfo};
    use gatehouse_test_provider::{CLIENT_ID, CLIENT_SECRET, Person, Provider};

    let provider = Provider::start().await;
    provider.signs_in(Person::new("ann-sub"));
    let secret = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(secret.path(), CLIENT_SECRET).unwrap();
    let flags = [
        "--oidc-issuer".to_string(),
        provider.issuer().to_string(),
        "--oidc-client-id".into(),
        CLIENT_ID.into(),
        "--oidc-client-secret-file".into(),
        secret.path().display().to_string(),
    ];
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let (_redis, instances) = cluster(&["ann"], 2, &flags).await;
    let (a, b) = (&instances[0], &instances[1]);
    // Where a 303 points, and the path of a URL on an instance.
    let location = |r: &reqwest::Response| {
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        r.headers()["location"].to_str().unwrap().to_string()
    };
    let path_of = |url: &str| format!("/{}", url.splitn(4, '/').nth(3).unwrap());

    // Linked from A, the provider's answer taken by B.
    let mut ann = a.sign_in("ann").await;
    let r = a.call(&ann, &StartProviderLink, None).await;
    ann.absorb(r.headers());
    let to: ProviderRedirect = r.json().await.unwrap();
    let back = location(&a.http.get(&to.url).send().await.unwrap());
    let r = b.get(&ann, &path_of(&back)).await;
    assert_eq!(location(&r), "/account?provider=linked");
    let linked: Vec<LinkedIdentity> = a
        .call(&ann, &ListIdentities, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(linked.len(), 1, "seen through the other instance");

    // A sign-in started on B and finished on A, its session good on both.
    let mut browser = Agent::default();
    let start = StartProviderSignIn {
        next: Some("/notes".into()),
    };
    let r = b.get(&browser, &start.path()).await;
    browser.absorb(r.headers());
    let back = location(&b.http.get(location(&r)).send().await.unwrap());
    let r = a.get(&browser, &path_of(&back)).await;
    browser.absorb(r.headers());
    assert_eq!(location(&r), "/notes");
    for instance in [a, b] {
        let me: SessionInfo = instance
            .call(&browser, &Me, None)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(me.user.username, "ann");
    }
    // The same answer again, on either instance: the trip was used.
    let r = b.get(&browser, &path_of(&back)).await;
    assert_eq!(location(&r), "/login?provider=failed");
}

#[tokio::test]
async fn two_unlinks_sent_at_once_to_two_instances_never_leave_an_account_without_a_way_in() {
    use gatehouse_api::LinkedIdentity;
    use gatehouse_api::endpoints::{ListIdentities, UnlinkIdentity};

    let (_redis, instances) = cluster(&["ann"], 2, &[]).await;
    let (a, b) = (&instances[0], &instances[1]);
    let db = a_database(a).await;
    let ann = a.sign_in("ann").await;
    let account = id_of(&db, "ann").await;
    // Only the two identities are ways in: as an account the provider made.
    without_password_directly(&db, account).await;
    for round in 0..20 {
        for n in 0..2 {
            link_identity_directly(&db, account, &format!("race-{round}-{n}")).await;
        }
        let ids: Vec<LinkedIdentity> = a
            .call(&ann, &ListIdentities, None)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(ids.len(), 2);
        let (first, second) = (
            UnlinkIdentity { id: ids[0].id },
            UnlinkIdentity { id: ids[1].id },
        );
        let (r1, r2) = tokio::join!(a.call(&ann, &first, None), b.call(&ann, &second, None));
        let statuses = [r1.status(), r2.status()];
        let left: Vec<LinkedIdentity> = a
            .call(&ann, &ListIdentities, None)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            left.len(),
            1,
            "round {round}: {statuses:?}: one of the two must be refused"
        );
        // Start the next round with none.
        let mut tx = db.begin().await.unwrap();
        let gone = gatehouse_server::data::identities::remove_all(&mut tx, account).await;
        tx.settle(gone).await.unwrap();
    }
}

#[tokio::test]
async fn a_passkey_removed_and_an_identity_unlinked_at_once_on_two_instances_leave_a_way_in() {
    use gatehouse_api::endpoints::{RemovePasskey, UnlinkIdentity};

    let (_redis, instances) = cluster(&["ann"], 2, &[]).await;
    let (a, b) = (&instances[0], &instances[1]);
    let db = a_database(a).await;
    let ann = a.sign_in("ann").await;
    let account = id_of(&db, "ann").await;
    without_password_directly(&db, account).await;
    for round in 0..20 {
        let passkey = add_passkey_directly(&db, account, &format!("race-{round}")).await;
        let identity = link_identity_directly(&db, account, &format!("race-{round}")).await;
        let (remove, unlink) = (
            RemovePasskey { id: passkey },
            UnlinkIdentity { id: identity },
        );
        let (r1, r2) = tokio::join!(a.call(&ann, &remove, None), b.call(&ann, &unlink, None));
        let statuses = [r1.status(), r2.status()];
        assert_eq!(
            statuses.iter().filter(|s| s.is_success()).count(),
            1,
            "round {round}: {statuses:?}: one of the two must be refused"
        );
        // Start the next round with neither.
        let mut tx = db.begin().await.unwrap();
        let gone = async {
            gatehouse_server::data::identities::remove_all(&mut tx, account).await?;
            gatehouse_server::data::passkeys::remove(&mut tx, account, passkey).await
        }
        .await;
        tx.settle(gone).await.unwrap();
    }
}
