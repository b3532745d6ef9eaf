//! `cargo xtask bench`: what users feel, measured. Bundle bytes, first render and the 401 →
//! sign-in time in headless Chromium (Performance API), and the server under `wrk` on loopback.
//! Prints a table and writes `target/bench/report.md` and `report.json`.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use fantoccini::Locator;
use gatehouse_e2e::{Browser, Env, Options, PASSWORD, Server, env_path, workspace_target};
use serde_json::{Value, json};
use tokio::sync::Mutex;

/// Medians and spreads of a list of milliseconds.
fn stats(mut xs: Vec<f64>) -> Value {
    xs.sort_by(f64::total_cmp);
    let at = |q: f64| xs[((xs.len() - 1) as f64 * q).round() as usize];
    json!({"n": xs.len(), "median_ms": at(0.5), "min_ms": xs[0], "p90_ms": at(0.9), "max_ms": xs[xs.len() - 1]})
}

fn bundle(dist: &Path) -> Value {
    let mut files = Vec::new();
    let (mut raw, mut gz, mut br) = (0u64, 0u64, 0u64);
    let mut names: Vec<_> = std::fs::read_dir(dist)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.is_file() && !matches!(p.extension().and_then(|e| e.to_str()), Some("br" | "gz"))
        })
        .collect();
    names.sort();
    for path in names {
        let size = |suffix: &str| {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
        };
        let (r, g, b) = (size(""), size(".gz"), size(".br"));
        raw += r;
        gz += g;
        br += b;
        files.push(json!({"file": path.file_name().unwrap().to_string_lossy(), "raw": r, "gzip": g, "brotli": b}));
    }
    json!({"files": files, "total": {"raw": raw, "gzip": gz, "brotli": br}})
}

const MARK: &str = "gatehouse:login-form";

async fn mark_time(env: &Env) -> f64 {
    let script = format!(
        "const m = performance.getEntriesByName('{MARK}'); return m.length ? m[0].startTime : null;"
    );
    env.wait_for("the sign-in form mark", |env| {
        let script = script.clone();
        async move { !env.js(&script).await.is_null() }
    })
    .await;
    env.js(&script).await.as_f64().unwrap()
}

async fn first_render(server: &Arc<Mutex<Server>>, runs: usize) -> Value {
    let mut times = Vec::new();
    for _ in 0..runs {
        // A new browser profile each time: a cold cache, as for a first visit.
        let browser = Browser::start().await;
        let env = browser.env(server).await;
        env.open("/login").await;
        times.push(mark_time(&env).await);
        browser.end().await;
    }
    stats(times)
}

async fn unauthorized_to_login(server: &Arc<Mutex<Server>>, runs: usize) -> Value {
    let browser = Browser::start().await;
    let env = browser.env(server).await;
    env.open("/login?next=%2Fdashboard").await;
    env.sign_in("bench", PASSWORD).await;
    env.wait_for_path("/dashboard").await;
    let mut times = Vec::new();
    for i in 0..runs {
        let target = if i % 2 == 0 { "/notes" } else { "/dashboard" };
        env.js("performance.clearMarks(); performance.clearResourceTimings(); return null")
            .await;
        env.client.delete_cookie("gatehouse_session").await.unwrap();
        env.click(&format!("a[href='{target}']")).await;
        mark_time(&env).await;
        let gap = env
            .js(&format!(
                "const m = performance.getEntriesByName('{MARK}')[0];
                 const r = performance.getEntriesByType('resource').filter(e => e.name.includes('/api/'));
                 return m.startTime - Math.min(...r.map(e => e.responseEnd));"
            ))
            .await;
        times.push(gap.as_f64().unwrap());
        env.sign_in("bench", PASSWORD).await;
        env.wait_for_path(target).await;
        env.client
            .wait()
            .for_element(Locator::Css("a[href='/notes']"))
            .await
            .unwrap();
    }
    browser.end().await;
    stats(times)
}

/// One `wrk` run's numbers.
fn wrk(
    url: &str,
    cookie: Option<&str>,
    script: Option<&Path>,
    connections: u32,
    seconds: u32,
) -> Value {
    let mut cmd = Command::new("wrk");
    cmd.args([
        "-t2",
        &format!("-c{connections}"),
        &format!("-d{seconds}s"),
        "--latency",
    ]);
    if let Some(c) = cookie {
        cmd.args(["-H", &format!("Cookie: {c}")]);
    }
    if let Some(s) = script {
        cmd.arg("-s").arg(s);
    }
    let out = cmd
        .arg(url)
        .output()
        .expect("wrk (cargo xtask bench installs it)");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let find = |prefix: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(prefix).map(|v| v.trim().to_string()))
    };
    let ms = |v: Option<String>| {
        let v = v.unwrap_or_default();
        let (num, unit) = v.split_at(v.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(v.len()));
        let n: f64 = num.parse().unwrap_or(f64::NAN);
        match unit {
            "us" => n / 1000.0,
            "ms" => n,
            "s" => n * 1000.0,
            "m" => n * 60_000.0,
            _ => f64::NAN,
        }
    };
    let rps: f64 = find("Requests/sec:")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    let non_2xx: u64 = find("Non-2xx or 3xx responses:")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let socket_errors: u64 = find("Socket errors:")
        .map(|v| {
            v.split(',')
                .filter_map(|p| p.split_whitespace().last()?.parse::<u64>().ok())
                .sum()
        })
        .unwrap_or(0);
    json!({
        "requests_per_s": rps,
        "p50_ms": ms(find("50%")),
        "p99_ms": ms(find("99%")),
        "non_2xx": non_2xx,
        "socket_errors": socket_errors,
    })
}

async fn seed_sessions(database_url: &str, total: u64) {
    let pool = sqlx::SqlitePool::connect(database_url).await.unwrap();
    let (have,): (i64,) = sqlx::query_as("SELECT count(*) FROM sessions")
        .fetch_one(&pool)
        .await
        .unwrap();
    let expiry = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
        + 86_400;
    let mut tx = pool.begin().await.unwrap();
    for i in have as u64..total {
        sqlx::query(
            "INSERT INTO sessions (id, account_id, data, expires_at) VALUES (?, NULL, '{}', ?)",
        )
        .bind(format!("bench-{i:020}"))
        .bind(expiry)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

/// Signs `name` in through the API: the `Cookie` header to send, and the CSRF token.
async fn sign_in_over_http(http: &reqwest::Client, base: &str, name: &str) -> (String, String) {
    let login = http
        .post(format!("{base}/api/auth/login"))
        .json(&json!({"username": name, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert!(
        login.status().is_success(),
        "sign in {name}: {}",
        login.status()
    );
    let mut cookies = Vec::new();
    let mut csrf = String::new();
    for v in login.headers().get_all("set-cookie") {
        let pair = v.to_str().unwrap().split(';').next().unwrap().to_string();
        if let Some(t) = pair.strip_prefix("CSRF-TOKEN=") {
            csrf = t.to_string();
        }
        cookies.push(pair);
    }
    (cookies.join("; "), csrf)
}

/// The word searched for in the notes-scale rows: it is in one note in ten.
const SEARCHED: &str = "harbour";

/// Gives `owner` `count` notes of about forty words each, straight into the database (the FTS
/// index follows through its triggers); every tenth note has [`SEARCHED`] in its body.
async fn seed_notes(database_url: &str, owner: &str, count: u64) {
    const WORDS: &[&str] = &[
        "meeting", "budget", "draft", "review", "garden", "invoice", "travel", "recipe", "project",
        "client", "summary", "plan", "idea", "book", "letter", "train", "river", "window", "paper",
        "market", "music", "school", "doctor", "friend", "winter", "summer", "report", "call",
        "design", "backlog", "release", "kitchen", "holiday", "payment", "contract", "schedule",
    ];
    let pool = sqlx::SqlitePool::connect(database_url).await.unwrap();
    let (user,): (i64,) = sqlx::query_as("SELECT id FROM users WHERE username = ?")
        .bind(owner)
        .fetch_one(&pool)
        .await
        .unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15 ^ user as u64;
    let mut word = || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1);
        WORDS[(state >> 33) as usize % WORDS.len()]
    };
    let mut tx = pool.begin().await.unwrap();
    for i in 0..count {
        let title = format!("{} {} {i}", word(), word());
        let mut body: Vec<&str> = (0..40).map(|_| word()).collect();
        if i % 10 == 0 {
            body[20] = SEARCHED;
        }
        sqlx::query(
            "INSERT INTO notes (user_id, title, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(user)
        .bind(title)
        .bind(body.join(" "))
        .bind(now - (count - i) as i64)
        .bind(now - (count - i) as i64)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

/// The first page of the notes list and a search, for owners of 10, 1,000 and 10,000 notes,
/// with 100,000 notes in the database in all.
async fn notes_scale(server: &Server, http: &reqwest::Client, secs: u32) -> Value {
    let owners = [("notes10", 10u64), ("notes1k", 1_000), ("notes10k", 10_000)];
    let crowd = [("crowd1", 44_495u64), ("crowd2", 44_495)];
    let url = server.database_url();
    for (name, count) in owners.iter().chain(&crowd) {
        server.add_user(name, false).await;
        seed_notes(&url, name, *count).await;
    }
    let mut rows = serde_json::Map::new();
    for (name, count) in owners {
        let (cookie, _) = sign_in_over_http(http, &server.base, name).await;
        // Ten a page, as many as the smallest owner has, so every row does the same work.
        let list = wrk(
            &format!("{}/api/notes?limit=10", server.base),
            Some(&cookie),
            None,
            8,
            secs,
        );
        let search = wrk(
            &format!("{}/api/notes?q={SEARCHED}&limit=10", server.base),
            Some(&cookie),
            None,
            8,
            secs,
        );
        rows.insert(count.to_string(), json!({"list": list, "search": search}));
    }
    // Each operation against the same one for the owner of 10 notes.
    let (list10, search10) = (rows["10"]["list"].clone(), rows["10"]["search"].clone());
    for row in rows.values_mut() {
        row["list_p50_ratio"] = json!(ratio(&row["list"], &list10, "p50_ms"));
        row["search_p50_ratio"] = json!(ratio(&row["search"], &search10, "p50_ms"));
        row["list_p99_ratio"] = json!(ratio(&row["list"], &list10, "p99_ms"));
        row["search_p99_ratio"] = json!(ratio(&row["search"], &search10, "p99_ms"));
    }
    json!({"total_notes": 100_000, "owners": rows})
}

fn ratio(a: &Value, b: &Value, key: &str) -> f64 {
    a[key].as_f64().unwrap_or(0.0) / b[key].as_f64().unwrap_or(1.0)
}

#[tokio::main]
async fn main() {
    let dist = env_path("GATEHOUSE_E2E_DIST");
    let quick = std::env::var_os("GATEHOUSE_BENCH_QUICK").is_some();
    let (renders, redirects, secs) = if quick { (3, 4, 2) } else { (10, 20, 5) };
    let mut report = json!({});
    report["bundle"] = bundle(&dist);

    let shared = Arc::new(Mutex::new(Server::start(Options::default()).await));
    shared.lock().await.add_user("bench", false).await;
    println!("first render of /login, {renders} cold loads…");
    report["first_render"] = first_render(&shared, renders).await;
    println!("401 → sign-in form, {redirects} times…");
    report["unauthorized_to_login"] = unauthorized_to_login(&shared, redirects).await;
    let server = shared.lock().await;

    // Sign in over HTTP for wrk, with a few notes to list.
    let http = reqwest::Client::new();
    let (cookie, csrf) = sign_in_over_http(&http, &server.base, "bench").await;
    for i in 0..10 {
        http.post(format!("{}/api/notes", server.base))
            .header("Cookie", &cookie)
            .header("X-CSRF-TOKEN", &csrf)
            .json(&json!({"title": format!("note {i}"), "body": "x".repeat(200)}))
            .send()
            .await
            .unwrap();
    }
    let (health_url, notes_url) = (
        format!("{}/api/health", server.base),
        format!("{}/api/notes", server.base),
    );
    println!("server throughput with wrk, {secs}s each…");
    wrk(&health_url, None, None, 32, 1); // warm-up
    let health = wrk(&health_url, None, None, 32, secs);
    let notes = wrk(&notes_url, Some(&cookie), None, 32, secs);
    let unauthorized = wrk(&notes_url, None, None, 32, secs);
    let secured = wrk(
        &format!("{}/api/secured-resource", server.base),
        Some(&cookie),
        None,
        32,
        secs,
    );
    report["throughput"] = json!({
        "health": health, "protected_notes": notes, "unauthorized": unauthorized,
        "protected_secured_resource": secured,
        "protected_over_health": ratio(&notes, &health, "requests_per_s"),
        "guard_only_over_health": ratio(&secured, &health, "requests_per_s"),
    });

    println!("isolation: protected GETs during a login flood…");
    let flood_script = workspace_target().join("bench/login.lua");
    std::fs::create_dir_all(flood_script.parent().unwrap()).unwrap();
    std::fs::write(
        &flood_script,
        format!(
            "wrk.method = \"POST\"\nwrk.body = '{{\"username\":\"bench\",\"password\":\"{PASSWORD}\"}}'\nwrk.headers[\"Content-Type\"] = \"application/json\"\n"
        ),
    )
    .unwrap();
    let login_url = format!("{}/api/auth/login", server.base);
    let flood = std::thread::spawn({
        let script = flood_script.clone();
        move || wrk(&login_url, None, Some(&script), 16, secs + 2)
    });
    std::thread::sleep(Duration::from_secs(1));
    let during = wrk(&notes_url, Some(&cookie), None, 8, secs);
    let flood = flood.join().unwrap();
    let quiet = wrk(&notes_url, Some(&cookie), None, 8, secs);
    report["isolation"] = json!({
        "quiet": quiet, "during_login_flood": during, "login_flood": flood,
        "p99_ratio": ratio(&during, &quiet, "p99_ms"),
    });

    println!("notes scale: 10, 1,000 and 10,000 notes of one owner among 100,000…");
    report["notes_scale"] = notes_scale(&server, &http, secs).await;

    println!("session store scale: 100 vs 100,000 live sessions…");
    seed_sessions(&server.database_url(), 100).await;
    let small = wrk(&notes_url, Some(&cookie), None, 8, secs);
    seed_sessions(&server.database_url(), 100_000).await;
    let large = wrk(&notes_url, Some(&cookie), None, 8, secs);
    report["session_scale"] = json!({
        "sessions_100": small, "sessions_100000": large,
        "p50_ratio": ratio(&large, &small, "p50_ms"),
    });
    drop(server);
    shared.lock().await.stop().await;

    let md = markdown(&report);
    println!("\n{md}");
    let dir = workspace_target().join("bench");
    std::fs::write(
        dir.join("report.json"),
        serde_json::to_string_pretty(&report).unwrap(),
    )
    .unwrap();
    std::fs::write(dir.join("report.md"), md).unwrap();
    println!("wrote {}", dir.join("report.md").display());
}

fn markdown(r: &Value) -> String {
    let kb = |v: &Value| format!("{:.1} KB", v.as_f64().unwrap_or(0.0) / 1000.0);
    let ms = |v: &Value| format!("{:.2} ms", v.as_f64().unwrap_or(f64::NAN));
    let mut s = String::from("| measure | value |\n| --- | --- |\n");
    for f in r["bundle"]["files"].as_array().unwrap() {
        s += &format!(
            "| bundle `{}` | {} raw, {} gzip, {} brotli |\n",
            f["file"].as_str().unwrap(),
            kb(&f["raw"]),
            kb(&f["gzip"]),
            kb(&f["brotli"])
        );
    }
    let t = &r["bundle"]["total"];
    s += &format!(
        "| **bundle total** | {} raw, {} gzip, **{} brotli** (target ≤ 88 KB, below a React 19 app's) |\n",
        kb(&t["raw"]),
        kb(&t["gzip"]),
        kb(&t["brotli"])
    );
    let f = &r["first_render"];
    s += &format!(
        "| first render of /login (cold, n={}) | median {}, min {}, p90 {} |\n",
        f["n"],
        ms(&f["median_ms"]),
        ms(&f["min_ms"]),
        ms(&f["p90_ms"])
    );
    let u = &r["unauthorized_to_login"];
    s += &format!(
        "| 401 response → sign-in form (n={}) | median {}, p90 {} |\n",
        u["n"],
        ms(&u["median_ms"]),
        ms(&u["p90_ms"])
    );
    for (label, key) in [
        ("GET /api/health (no session; one DB query)", "health"),
        (
            "GET /api/notes (session; lists 10 notes)",
            "protected_notes",
        ),
        (
            "GET /api/secured-resource (session; no query)",
            "protected_secured_resource",
        ),
        ("GET /api/notes (no cookie → 401)", "unauthorized"),
    ] {
        let w = &r["throughput"][key];
        s += &format!(
            "| {label} | {:.0} req/s, p50 {}, p99 {}, socket errors {} |\n",
            w["requests_per_s"].as_f64().unwrap_or(0.0),
            ms(&w["p50_ms"]),
            ms(&w["p99_ms"]),
            w["socket_errors"]
        );
    }
    s += &format!(
        "| protected / unprotected throughput | **{:.0}%** for /api/notes (target ≥ 85%); {:.0}% for the guard alone |\n",
        r["throughput"]["protected_over_health"]
            .as_f64()
            .unwrap_or(0.0)
            * 100.0,
        r["throughput"]["guard_only_over_health"]
            .as_f64()
            .unwrap_or(0.0)
            * 100.0
    );
    let i = &r["isolation"];
    s += &format!(
        "| protected p99, quiet → during login flood | {} → {} (**×{:.2}**, target ≤ ×2); flood {:.0} logins/s |\n",
        ms(&i["quiet"]["p99_ms"]),
        ms(&i["during_login_flood"]["p99_ms"]),
        i["p99_ratio"].as_f64().unwrap_or(0.0),
        i["login_flood"]["requests_per_s"].as_f64().unwrap_or(0.0)
    );
    let z = &r["session_scale"];
    s += &format!(
        "| protected p50 with 100 → 100,000 sessions | {} → {} (**×{:.2}**, target flat) |\n",
        ms(&z["sessions_100"]["p50_ms"]),
        ms(&z["sessions_100000"]["p50_ms"]),
        z["p50_ratio"].as_f64().unwrap_or(0.0)
    );
    for (count, label) in [("10", "10"), ("1000", "1,000"), ("10000", "10,000")] {
        let n = &r["notes_scale"]["owners"][count];
        s += &format!(
            "| notes, owner of {label} (100,000 in all): first page / search `{SEARCHED}`, 10 a page | p50 {} / {} (**×{:.2}** / **×{:.2}**), p99 {} / {} (×{:.2} / ×{:.2}) of the owner of 10's (target ≤ ×2) |\n",
            ms(&n["list"]["p50_ms"]),
            ms(&n["search"]["p50_ms"]),
            n["list_p50_ratio"].as_f64().unwrap_or(0.0),
            n["search_p50_ratio"].as_f64().unwrap_or(0.0),
            ms(&n["list"]["p99_ms"]),
            ms(&n["search"]["p99_ms"]),
            n["list_p99_ratio"].as_f64().unwrap_or(0.0),
            n["search_p99_ratio"].as_f64().unwrap_or(0.0),
        );
    }
    s
}
