//! The peers Gatehouse is measured against in the same run (`bench/anchors/`): a static HTML
//! sign-in form (the physical limit of a first load), a React 19 + react-router + axios app
//! with the same sign-in page and dashboard, and two servers with their sessions in SQLite
//! serving the same three routes: Express 5 + express-session, and axum 0.8 + axum-login +
//! tower-sessions (the Rust developer's alternative).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use gatehouse_e2e::{Browser, Options, Server, env_path, workspace_target};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::{Routes, stats};

/// The anchors' folder.
pub fn anchors() -> PathBuf {
    workspace_target()
        .parent()
        .expect("target/ is in the workspace")
        .join("bench/anchors")
}

/// A Gatehouse server serving `dist` instead of the app: the peers' pages go through the same
/// server, compression and headers as Gatehouse's own.
pub async fn serving(dist: PathBuf) -> Server {
    Server::start(Options {
        dist: Some(dist),
        ..Options::default()
    })
    .await
}

/// Waits for the page, then for paints to settle, and reports the first contentful paint, the
/// last largest-contentful-paint candidate and what came over the wire (navigation and every
/// resource, headers included), all from the browser's own timing.
const PAINTS: &str = r#"
const done = arguments[arguments.length - 1];
const lcp = [];
new PerformanceObserver((list) => lcp.push(...list.getEntries()))
  .observe({ type: "largest-contentful-paint", buffered: true });
const report = () => setTimeout(() => {
  const fcp = performance.getEntriesByName("first-contentful-paint")[0];
  const nav = performance.getEntriesByType("navigation")[0];
  const bytes = performance.getEntriesByType("resource")
    .reduce((sum, r) => sum + r.transferSize, nav.transferSize);
  done({
    fcp: fcp ? fcp.startTime : null,
    lcp: lcp.length ? lcp[lcp.length - 1].startTime : null,
    bytes,
  });
}, 1000);
if (document.readyState === "complete") report(); else addEventListener("load", report);
"#;

/// FCP, LCP and transfer bytes of each page in `urls` over `runs` cold loads (a fresh browser
/// profile each). The loads are taken in turns, each round starting one page further on, so
/// that a slow minute of this shared machine falls on every page alike rather than on whichever
/// was being measured; and each waits for the machine to be quiet (the last browser gone), as a
/// person's first visit would find it. Loads that had to start on a busy machine are counted.
pub async fn first_loads(urls: &[&str], runs: usize) -> Vec<Value> {
    let mut samples = vec![(Vec::new(), Vec::new(), Vec::new(), 0); urls.len()];
    for round in 0..runs {
        for i in (0..urls.len()).map(|i| (i + round) % urls.len()) {
            let (fcp, lcp, bytes, busy) = &mut samples[i];
            if !wait_for_a_quiet_machine().await {
                *busy += 1;
                println!(
                    "    the machine stayed busy for 5 s; loading {} anyway",
                    urls[i]
                );
            }
            let browser = Browser::start().await;
            browser.client.goto(urls[i]).await.unwrap();
            let v = browser.client.execute_async(PAINTS, vec![]).await.unwrap();
            fcp.push(v["fcp"].as_f64().expect("a first contentful paint"));
            lcp.push(v["lcp"].as_f64().expect("a largest contentful paint"));
            bytes.push(v["bytes"].as_f64().unwrap_or(0.0));
            browser.end().await;
        }
    }
    samples
        .into_iter()
        .map(|(fcp, lcp, bytes, busy)| {
            json!({"fcp": stats(fcp), "lcp": stats(lcp), "transfer": stats(bytes), "loads_on_a_busy_machine": busy})
        })
        .collect()
}

/// Waits until the machine's cores are at least 90% idle over a fifth of a second: true when
/// they were within 5 s, false when they were not (or when `/proc/stat` cannot be read, at once).
async fn wait_for_a_quiet_machine() -> bool {
    // The first line of /proc/stat: `cpu user nice system idle iowait irq softirq steal ...`;
    // all of them, and idle with iowait.
    fn ticks() -> Option<(u64, u64)> {
        let stat = std::fs::read_to_string("/proc/stat").ok()?;
        let fields: Vec<u64> = stat
            .lines()
            .next()?
            .split_whitespace()
            .skip(1)
            .filter_map(|f| f.parse().ok())
            .collect();
        (fields.len() >= 5).then(|| (fields.iter().take(8).sum(), fields[3] + fields[4]))
    }
    for _ in 0..25 {
        let Some((total, idle)) = ticks() else {
            return false;
        };
        tokio::time::sleep(Duration::from_millis(200)).await;
        let Some((total2, idle2)) = ticks() else {
            return false;
        };
        let spent = total2.saturating_sub(total).max(1);
        if idle2.saturating_sub(idle) * 10 >= spent * 9 {
            return true;
        }
    }
    false
}

/// The brotli size of what a first load of `page` in `dist` fetches: the page and every file
/// that is not another page (scripts, wasm, styles, icons), in folders too.
pub fn first_load_files(dist: &Path, page: &str) -> Value {
    fn walk(dir: &Path, page: &Path, files: &mut Vec<Value>, total: &mut u64) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, page, files, total);
                continue;
            }
            let ext = path
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or_default();
            if matches!(ext, "br" | "gz") || (ext == "html" && path != page) {
                continue;
            }
            let mut br = path.as_os_str().to_owned();
            br.push(".br");
            let size = std::fs::metadata(&br)
                .or_else(|_| std::fs::metadata(&path))
                .map(|m| m.len())
                .unwrap_or(0);
            *total += size;
            files
                .push(json!({"file": path.file_name().unwrap().to_string_lossy(), "brotli": size}));
        }
    }
    let (mut files, mut total) = (Vec::new(), 0);
    walk(dist, &dist.join(page), &mut files, &mut total);
    json!({"files": files, "brotli": total})
}

/// A peer server (Express or axum-login) on a free port with a fresh database in a folder of
/// its own; ended when dropped.
pub struct PeerServer {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    child: Child,
    _dir: tempfile::TempDir,
}

/// The peer servers' routes the throughput rows measure: their own paths (in
/// `bench/anchors/express/server.js` and `bench/anchors/axum-login/src/main.rs`), which they
/// name as Gatehouse's endpoints are named but which are not their declarations.
pub const PEER_ROUTES: Routes = Routes {
    health: "/api/health",
    secured: "/api/secured-resource",
    notes: "/api/notes",
};

/// The peer servers' bench account (their own, made at their start).
pub const PEER_USER: (&str, &str) = ("bench", "bench password");

impl PeerServer {
    /// `node server.js` from `bench/anchors/express`, with `workers` processes.
    pub async fn express(workers: usize) -> Self {
        let mut node = Command::new("node");
        node.arg("server.js")
            .current_dir(anchors().join("express"))
            .env("WORKERS", workers.to_string());
        Self::start(node, "Express", "express.db").await
    }

    /// The axum-login peer's release build (`GATEHOUSE_BENCH_AXUM_LOGIN`, which
    /// `cargo xtask bench` sets after building it).
    pub async fn axum_login() -> Self {
        let binary = env_path("GATEHOUSE_BENCH_AXUM_LOGIN");
        Self::start(Command::new(binary), "axum-login", "axum-login.db").await
    }

    /// Runs `command` with `PORT` and `DB`, and waits for it to say `NAME is listening on URL`.
    async fn start(mut command: Command, name: &str, db: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut child = command
            .env("PORT", port.to_string())
            .env("DB", dir.path().join(db))
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("{name} (cargo xtask bench installs and builds it): {e}"));
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let ready = format!("{name} is listening on ");
        let base = tokio::time::timeout(Duration::from_secs(30), async {
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(url) = line.strip_prefix(&ready) {
                    return url.to_string();
                }
            }
            panic!("{name} ended before listening");
        })
        .await
        .unwrap_or_else(|_| panic!("{name} listens within 30 s"));
        Self {
            base,
            child,
            _dir: dir,
        }
    }

    /// The process's id (Express's primary, whose workers are its children).
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// Signs the bench account in and adds ten notes like Gatehouse's; the `Cookie` header.
    pub async fn signed_in_with_notes(&self, http: &reqwest::Client) -> String {
        let (user, password) = PEER_USER;
        let r = http
            .post(format!("{}/api/auth/login", self.base))
            .json(&json!({"username": user, "password": password}))
            .send()
            .await
            .unwrap();
        assert!(
            r.status().is_success(),
            "{} sign-in: {}",
            self.base,
            r.status()
        );
        let cookie = r
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .expect("a session cookie")
            .to_string();
        for i in 0..10 {
            let created = http
                .post(format!("{}/api/notes", self.base))
                .header("Cookie", &cookie)
                .json(&json!({"title": format!("note {i}"), "body": "x".repeat(200)}))
                .send()
                .await
                .unwrap();
            assert_eq!(created.status(), 201, "{} adds a note", self.base);
        }
        cookie
    }
}
