//! The `gatehouse-server` binary as an operator runs it: the `user` commands, `--demo`, and
//! what reaches the log.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};

use gatehouse_api::Endpoint;
use gatehouse_api::endpoints::{CreateNote, GetHealth, Login};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{Agent, PASSWORD, set_cookies};

const BIN: &str = env!("CARGO_BIN_EXE_gatehouse-server");

fn db_url(dir: &tempfile::TempDir) -> String {
    format!("sqlite://{}", dir.path().join("bin.db").display())
}

/// Runs `gatehouse-server --database-url … args…` with `stdin`, returning (code, stdout, stderr).
fn run(dir: &tempfile::TempDir, args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = Command::new(BIN)
        .args(["--database-url", &db_url(dir)])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn user_commands_add_list_change_and_remove_accounts_and_refuse_bad_input_with_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, _) = run(
        &dir,
        &["user", "add", "ann", "--admin"],
        &format!("{PASSWORD}\n"),
    );
    assert_eq!(code, 0);
    assert!(out.contains("created ann (admin)"), "{out}");
    let (code, out, _) = run(&dir, &["user", "list"], "");
    assert_eq!(code, 0);
    assert!(out.contains("ann\tadmin"), "{out}");

    for (args, stdin, says) in [
        (
            &["user", "add", "ANN"][..],
            "another password\n",
            "already exists",
        ),
        (
            &["user", "add", "has space"][..],
            "another password\n",
            "invalid username",
        ),
        (&["user", "add", "bob"][..], "short\n", "at least 12"),
        (
            &["user", "add", "bob"][..],
            "passwordpassword\n",
            "easy to guess",
        ),
        (&["user", "remove", "nobody"][..], "", "no account named"),
        (
            &["user", "passwd", "nobody"][..],
            "whatever123\n",
            "no account named",
        ),
    ] {
        let (code, _, err) = run(&dir, args, stdin);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
    }
    let (code, out, _) = run(&dir, &["user", "passwd", "ann"], "a brand new password\n");
    assert_eq!(code, 0, "{out}");
    // The last enabled administrator stays, as on the administrators' page.
    let (code, _, err) = run(&dir, &["user", "remove", "ann"], "");
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("last enabled administrator"), "{err}");
    let (code, _, _) = run(
        &dir,
        &["user", "add", "bea", "--admin"],
        &format!("{PASSWORD}\n"),
    );
    assert_eq!(code, 0);
    let (code, _, _) = run(&dir, &["user", "remove", "ann"], "");
    assert_eq!(code, 0);
    let (_, out, _) = run(&dir, &["user", "list"], "");
    assert!(!out.contains("ann"), "{out}");
}

/// The server process, killed when dropped.
struct Serving {
    child: Child,
    base: String,
}

impl Drop for Serving {
    /// Stops the server as an operator does (SIGTERM), so that it writes out its log before it
    /// ends; kills it if it has not ended within ten seconds.
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        for _ in 0..100 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `serve` on port 0; returns the process, its URL and what it printed before listening.
fn serve(dir: &tempfile::TempDir, extra: &[&str]) -> (Serving, Vec<String>) {
    let mut child = Command::new(BIN)
        .args(["--database-url", &db_url(dir), "--listen", "127.0.0.1:0"])
        .arg("--dist")
        .arg(dir.path().join("no-dist"))
        .args(extra)
        .env("RUST_LOG", "debug")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(dir.path().join("server.log")).unwrap())
        .spawn()
        .unwrap();
    let mut printed = Vec::new();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let base = loop {
        let line = lines
            .next()
            .expect("the server prints where it listens")
            .unwrap();
        if let Some(url) = line.strip_prefix("Gatehouse is listening on ") {
            break url.to_string();
        }
        printed.push(line);
    };
    (Serving { child, base }, printed)
}

#[test]
fn demo_accounts_are_created_once_and_their_passwords_printed_only_then() {
    let dir = tempfile::tempdir().unwrap();
    let (server, first) = serve(&dir, &["--demo"]);
    drop(server);
    let printed = first.join("\n");
    assert!(
        printed.contains("username: demo") && printed.contains("username: admin"),
        "{printed}"
    );
    let (server, second) = serve(&dir, &["--demo"]);
    drop(server);
    assert!(!second.join("\n").contains("password: "), "{second:?}");
    let (_, out, _) = run(&dir, &["user", "list"], "");
    assert_eq!(out.lines().count(), 2, "{out}");
}

#[tokio::test]
async fn passwords_cookies_and_csrf_tokens_never_reach_the_log() {
    let dir = tempfile::tempdir().unwrap();
    run(&dir, &["user", "add", "ann"], &format!("{PASSWORD}\n"));
    let (server, _) = serve(&dir, &[]);
    let http = reqwest::Client::new();
    let login = http
        .post(format!("{}{}", server.base, Login::PATH))
        .json(&json!({"username": "ann", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::OK);
    let mut agent = Agent::default();
    agent.absorb(login.headers());
    let cookies = set_cookies(login.headers());
    let (name, session) = agent.session.clone().unwrap();
    let csrf = agent.csrf.clone().unwrap();
    let (_, device) = agent.device.clone().unwrap();
    let r = http
        .post(format!("{}{}", server.base, CreateNote::PATH))
        .header("Cookie", format!("{name}={session}"))
        .header("X-CSRF-TOKEN", &csrf)
        .json(&json!({"title": "t", "body": "b"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let wrong = http
        .post(format!("{}{}", server.base, Login::PATH))
        .json(&json!({"username": "ann", "password": "guessing-a-secret"}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    drop(server);
    assert_eq!(cookies.len(), 3, "session, CSRF and device cookies");

    let log = std::fs::read_to_string(dir.path().join("server.log")).unwrap();
    assert!(
        log.contains(CreateNote::PATH) && log.contains("user_id=1"),
        "requests are logged:\n{log}"
    );
    for secret in [PASSWORD, "guessing-a-secret", &session, &csrf, &device] {
        assert!(!log.contains(secret), "{secret:?} reached the log");
    }
}

#[tokio::test]
async fn a_server_whose_log_nobody_reads_keeps_answering() {
    let dir = tempfile::tempdir().unwrap();
    // Its stderr is a pipe this test never reads: once the pipe's 64 KB are full, a write to
    // it waits for ever.
    let mut child = Command::new(BIN)
        .args(["--database-url", &db_url(&dir), "--listen", "127.0.0.1:0"])
        .arg("--dist")
        .arg(dir.path().join("no-dist"))
        .env("RUST_LOG", "debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let base = loop {
        let line = lines.next().expect("the server prints where it listens");
        if let Some(url) = line.unwrap().strip_prefix("Gatehouse is listening on ") {
            break url.to_string();
        }
    };
    let server = Serving { child, base };
    let http = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .unwrap();
    // Each request logs a few lines at debug: far more than the pipe holds.
    for i in 0..1500 {
        let r = http
            .get(format!("{}{}", server.base, GetHealth::PATH))
            .send()
            .await
            .unwrap_or_else(|e| panic!("request {i} got no answer: {e}"));
        assert_eq!(r.status(), StatusCode::OK, "request {i}");
    }
}

#[tokio::test]
async fn a_path_segment_too_long_for_the_file_system_is_an_unknown_path_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    // `serve` points --dist at `no-dist`: build the SPA there.
    let dist = dir.path().join("no-dist");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(dist.join("index.html"), "<!doctype html><title>app</title>").unwrap();
    let (server, _) = serve(&dir, &[]);
    let http = reqwest::Client::new();
    let long = "a".repeat(300);
    for (path, status) in [
        (format!("/{long}"), StatusCode::OK),
        (format!("/notes/{long}"), StatusCode::OK),
        (format!("/{long}.js"), StatusCode::NOT_FOUND),
        (format!("/assets/{long}/x.css"), StatusCode::NOT_FOUND),
    ] {
        let r = http
            .get(format!("{}{path}", server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), status, "{path}");
    }
    drop(server);
    let log = std::fs::read_to_string(dir.path().join("server.log")).unwrap();
    assert!(!log.contains("ERROR"), "{log}");
}

#[test]
fn names_that_look_like_an_existing_account_or_hide_characters_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let password = format!("{PASSWORD}\n");
    let (code, _, err) = run(&dir, &["user", "add", "admin", "--admin"], &password);
    assert_eq!(code, 0, "{err}");
    for look_alike in [
        "\u{0430}dmin",  // Cyrillic а
        "ａｄｍｉｎ",    // fullwidth
        "admin\u{200B}", // zero-width space
        "\u{202E}nimda", // right-to-left override
        "ADM\u{0399}N",  // Greek capital iota
        "ADMlN",         // lower-case L for I, names being compared without case
    ] {
        let (code, _, err) = run(&dir, &["user", "add", look_alike], &password);
        assert_eq!(code, 2, "{look_alike:?} was accepted: {err}");
    }
    let (_, out, _) = run(&dir, &["user", "list"], "");
    assert_eq!(out.lines().count(), 1, "{out}");
}
