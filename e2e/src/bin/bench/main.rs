//! `cargo xtask bench`: what users feel, measured beside the peers Gatehouse is judged against,
//! in the same run. The first load of `/login` (paint timing and bytes in headless Chromium)
//! for Gatehouse, a static HTML form and a React 19 app; the 401 → sign-in time; the server
//! under `wrk` on loopback beside axum-login + tower-sessions and Express + express-session; a
//! sign-in flood; sessions and notes at scale. Prints tables and writes `target/bench/report.md` and `report.json`.

mod journey;
mod peers;

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use fantoccini::Locator;
use gatehouse_api::Endpoint;
use gatehouse_api::endpoints::{
    ChangePassword, CreateNote, CreateUser, GetHealth, GetSecuredResource, ListNotes, Login,
    Reauthenticate,
};
use gatehouse_e2e::{Browser, Env, Options, PASSWORD, Server, env_path, workspace_target};
use serde_json::{Value, json};
use tokio::sync::Mutex;

/// Medians and spreads of a list of milliseconds, and the list itself in the order it was
/// taken (in `report.json`, to tell a drift of the machine from the spread of single samples).
pub(crate) fn stats(samples: Vec<f64>) -> Value {
    let mut xs = samples.clone();
    xs.sort_by(f64::total_cmp);
    let at = |q: f64| xs[((xs.len() - 1) as f64 * q).round() as usize];
    json!({"n": xs.len(), "median_ms": at(0.5), "min_ms": xs[0], "p90_ms": at(0.9), "max_ms": xs[xs.len() - 1], "samples": samples})
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

/// The paths of the three routes the throughput rows measure on a server.
pub(crate) struct Routes {
    /// No session; pings the database.
    pub health: &'static str,
    /// A session, no query.
    pub secured: &'static str,
    /// A session, a page of notes.
    pub notes: &'static str,
}

/// Gatehouse's, as its endpoints are declared.
const GATEHOUSE_ROUTES: Routes = Routes {
    health: GetHealth::PATH,
    secured: GetSecuredResource::PATH,
    notes: ListNotes::PATH,
};

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
    // Lines a script's `done` writes: `status CODE COUNT`.
    let statuses: serde_json::Map<String, Value> = text
        .lines()
        .filter_map(|l| {
            let mut parts = l.strip_prefix("status ")?.split_whitespace();
            Some((
                parts.next()?.to_string(),
                json!(parts.next()?.parse::<u64>().ok()?),
            ))
        })
        .collect();
    let requests: u64 = text
        .lines()
        .find_map(|l| l.trim().split_once(" requests in ")?.0.parse().ok())
        .unwrap_or(0);
    json!({
        "statuses": statuses,
        "requests": requests,
        "requests_per_s": rps,
        "p50_ms": ms(find("50%")),
        "p99_ms": ms(find("99%")),
        "non_2xx": non_2xx,
        "socket_errors": socket_errors,
    })
}

/// CPU time (user + system, in clock ticks) used so far by process `pid` and its children
/// (Express's workers), from `/proc`.
fn cpu_ticks(pid: u32) -> u64 {
    // Fields after the command's closing parenthesis: state is field 3, ppid 4, utime 14,
    // stime 15 (numbered from 1 in proc(5)).
    let fields = |stat: &str| -> Option<Vec<String>> {
        let rest = &stat[stat.rfind(')')? + 2..];
        Some(rest.split_whitespace().map(str::to_string).collect())
    };
    let mut ticks = 0;
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        let own = entry.file_name().to_str() == Some(&pid.to_string());
        let Some(f) = fields(&stat) else { continue };
        let parent = f.get(1).and_then(|p| p.parse::<u32>().ok()) == Some(pid);
        if own || parent {
            let time = |i: usize| f.get(i).and_then(|t| t.parse::<u64>().ok()).unwrap_or(0);
            ticks += time(11) + time(12);
        }
    }
    ticks
}

/// The kernel's clock ticks per second (`getconf CLK_TCK`), the unit of `/proc/PID/stat` times.
fn clock_ticks_per_second() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .trim()
                .parse::<f64>()
                .ok()
        })
        .unwrap_or(100.0)
}

/// `wrk` as above, adding the server's CPU time per request (µs): what a route costs the
/// server, read apart from how the load generator shares the cores.
fn wrk_with_cpu(url: &str, cookie: Option<&str>, pid: Option<u32>, seconds: u32) -> Value {
    let before = pid.map(cpu_ticks);
    let mut result = wrk(url, cookie, None, 32, seconds);
    if let (Some(pid), Some(before)) = (pid, before) {
        let used = cpu_ticks(pid).saturating_sub(before);
        let per_second = clock_ticks_per_second();
        let requests = result["requests"].as_u64().unwrap_or(0).max(1) as f64;
        result["cpu_us_per_request"] = json!(used as f64 / per_second * 1e6 / requests);
    }
    result
}

/// Seconds since the Unix epoch, the form the server stores time stamps in.
fn unix_seconds() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

async fn seed_sessions(database_url: &str, total: u64) {
    let pool = sqlx::SqlitePool::connect(database_url).await.unwrap();
    let (have,): (i64,) = sqlx::query_as("SELECT count(*) FROM sessions")
        .fetch_one(&pool)
        .await
        .unwrap();
    let expiry = unix_seconds() + 86_400;
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
        .post(format!("{base}{}", Login::PATH))
        // Not the loopback address the one-address flood exhausts (the server trusts loopback
        // as a proxy).
        .header("X-Forwarded-For", "192.0.2.1")
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

/// Gives `bench` on the server at `base` four notes and then the journey's marker, the newest,
/// which its dashboard lists first.
async fn seed_dashboard(http: &reqwest::Client, base: &str) {
    let (cookie, csrf) = sign_in_over_http(http, base, "bench").await;
    let titles = (1..=4)
        .map(|i| format!("Older note {i}"))
        .chain([journey::MARKER.to_string()]);
    for title in titles {
        let created = http
            .post(format!("{base}{}", CreateNote::PATH))
            .header("Cookie", &cookie)
            .header("X-CSRF-TOKEN", &csrf)
            .json(&json!({"title": title, "body": "What the dashboard shows."}))
            .send()
            .await
            .unwrap();
        assert!(created.status().is_success(), "a note on {base}");
    }
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
    let now = unix_seconds();
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
        let first_page = ListNotes {
            limit: Some(10),
            ..ListNotes::default()
        };
        let searched = ListNotes {
            q: SEARCHED.into(),
            ..first_page.clone()
        };
        let list = wrk(
            &format!("{}{}", server.base, first_page.path()),
            Some(&cookie),
            None,
            8,
            secs,
        );
        let search = wrk(
            &format!("{}{}", server.base, searched.path()),
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

/// Of `runs` measurements, the one with the median `key`: a single run on these shared machines
/// can be an outlier, and a ratio of two single runs doubly so.
fn median_run(runs: usize, key: &str, mut measure: impl FnMut() -> Value) -> Value {
    let mut all: Vec<Value> = (0..runs).map(|_| measure()).collect();
    all.sort_by(|a, b| a[key].as_f64().partial_cmp(&b[key].as_f64()).unwrap());
    all.swap_remove(runs / 2)
}

fn ratio(a: &Value, b: &Value, key: &str) -> f64 {
    a[key].as_f64().unwrap_or(0.0) / b[key].as_f64().unwrap_or(1.0)
}

/// A `wrk` script that sends sign-ins for `accounts` names in turn, one in three with the right
/// password, each from its own address when `spread` (as a trusted proxy would say), and counts
/// the answers by status.
fn flood_script(name: &str, accounts: usize, spread: bool) -> std::path::PathBuf {
    let address = if spread {
        r#"headers["X-Forwarded-For"] = "10." .. (n % 250) .. "." .. (math.floor(n / 250) % 250) .. ".1""#
    } else {
        ""
    };
    paced_script(
        name,
        &format!(
            r#"  local password = (n % 3 == 0) and "{PASSWORD}" or "a wrong password"
  local headers = {{ ["Content-Type"] = "application/json" }}
  {address}
  local body = '{{"username":"flood' .. (n % {accounts}) .. '","password":"' .. password .. '"}}'
  return wrk.format("POST", "{login}", headers, body)"#,
            login = Login::PATH,
        ),
    )
}

/// A `wrk` script of the floods' shape whose requests do no sign-in work (`GET /api/health`):
/// what the flood's volume of requests alone costs the guarded GETs.
fn volume_script(name: &str) -> std::path::PathBuf {
    paced_script(
        name,
        &format!(r#"  return wrk.format("GET", "{}")"#, GetHealth::PATH),
    )
}

/// A `wrk` script whose `request` is `request_body` (with a counter `n`), each connection
/// pausing a second between requests, counting the answers by status.
fn paced_script(name: &str, request_body: &str) -> std::path::PathBuf {
    let path = workspace_target().join(format!("bench/{name}.lua"));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(
        &path,
        format!(
            r#"local threads = {{}}
function setup(thread) table.insert(threads, thread) end
function init(args) counts = {{}}; n = math.random(0, 1000000) end
function request()
  n = n + 1
{request_body}
end
-- Each connection waits a second between requests: 512 connections offer up to 512 a second,
-- and as many go on offering while earlier ones wait for their answer.
function delay() return 1000 end
function response(status) counts[status] = (counts[status] or 0) + 1 end
function done(summary, latency, requests)
  local total = {{}}
  for _, t in ipairs(threads) do
    for code, k in pairs(t:get("counts")) do total[code] = (total[code] or 0) + k end
  end
  for code, k in pairs(total) do io.write(string.format("status %d %d\n", code, k)) end
end
"#
        ),
    )
    .unwrap();
    path
}

/// Returns once the process `pid` has used under a tenth of a core for a quarter of a second
/// (a flood's queued sign-ins are still being hashed after the flood ends), or after a minute.
fn wait_until_idle(pid: Option<u32>) {
    let Some(pid) = pid else { return };
    let window = Duration::from_millis(250);
    let most = clock_ticks_per_second() * window.as_secs_f64() * 0.1;
    for _ in 0..240 {
        let before = cpu_ticks(pid);
        std::thread::sleep(window);
        if cpu_ticks(pid).saturating_sub(before) as f64 <= most {
            return;
        }
    }
}

/// Guarded GETs' p99 quiet, then during a flood sent to `flood_url` by `script`.
fn isolation(
    notes_url: &str,
    cookie: &str,
    flood_url: &str,
    script: std::path::PathBuf,
    secs: u32,
    pid: Option<u32>,
) -> Value {
    wait_until_idle(pid);
    let quiet = wrk(notes_url, Some(cookie), None, 8, secs);
    let flood = std::thread::spawn({
        let flood_url = flood_url.to_string();
        move || wrk(&flood_url, None, Some(&script), 512, secs + 2)
    });
    std::thread::sleep(Duration::from_secs(1));
    let during = wrk(notes_url, Some(cookie), None, 8, secs);
    let flood = flood.join().unwrap();
    json!({
        "quiet": quiet, "during": during, "flood": flood,
        "p99_ratio": ratio(&during, &quiet, "p99_ms"),
    })
}

/// A password of `n` characters with no pattern a guesser would try first, from `seed`: what
/// costs the strength estimate most (and is accepted as a new password).
fn varied_password(n: usize, seed: u64) -> String {
    const CHARS: &[u8] = b"qZ7!mK2@vR9#tL4$wX1%yB8^nG3&pD6*hJ5(sF0)cV+eU=aQ-iO_";
    let mut state = seed.max(1);
    (0..n)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            CHARS[(state % CHARS.len() as u64) as usize] as char
        })
        .collect()
}

/// The costliest request each route that takes a password accepts, looped by one client
/// signed in as `session` (cookie, CSRF token) from `address`: its `wrk` script.
fn costly_script(route: &str, client: usize, session: &(String, String)) -> std::path::PathBuf {
    let (cookie, csrf) = session;
    let longest = varied_password(256, 0x2545_f491 + client as u64);
    let other = varied_password(256, 0x9e37_79b9 + client as u64);
    let (path, body) = match route {
        // Right current password, the longest new one (estimated, hashed, stored), turn by
        // turn between two, so every request is accepted.
        "password" => (
            ChangePassword::PATH,
            r#"'{"current_password":"' .. pw[current] .. '","new_password":"' .. pw[turn()] .. '"}'"#
                .to_string(),
        ),
        // The right password: verified.
        "reauth" => (
            Reauthenticate::PATH,
            format!(r#"'{{"password":"{PASSWORD}"}}'"#),
        ),
        // A new account with the longest chosen password: estimated and hashed.
        "create" => (
            CreateUser::PATH,
            format!(
                r#"'{{"username":"cost{client}x' .. n .. '","role":"user","password":"{longest}"}}'"#
            ),
        ),
        other => panic!("no costly request for {other}"),
    };
    let path_file = workspace_target().join(format!("bench/costly-{route}-{client}.lua"));
    std::fs::create_dir_all(path_file.parent().unwrap()).unwrap();
    std::fs::write(
        &path_file,
        format!(
            r#"local threads = {{}}
function setup(thread) table.insert(threads, thread) end
pw = {{"{PASSWORD}", "{longest}", "{other}"}}
current = 1
n = 0
counts = {{}}
function turn() if current == 2 then return 3 else return 2 end end
function request()
  n = n + 1
  local headers = {{
    ["Content-Type"] = "application/json", ["Cookie"] = "{cookie}",
    ["X-CSRF-TOKEN"] = "{csrf}", ["X-Forwarded-For"] = "192.0.2.{address}",
  }}
  return wrk.format("POST", "{path}", headers, {body})
end
function response(status)
  counts[status] = (counts[status] or 0) + 1
  if status == 204 then current = turn() end
end
function done(summary, latency, requests)
  for _, t in ipairs(threads) do
    for code, k in pairs(t:get("counts")) do io.write(string.format("status %d %d\n", code, k)) end
  end
end
"#,
            address = 100 + client,
        ),
    )
    .unwrap();
    path_file
}

/// Guarded GETs' p99 quiet, then while four clients loop without pause on the costliest
/// request `route` accepts (each its own `wrk` with one connection, so each keeps its own
/// password turn).
fn costly_loop(
    notes_url: &str,
    cookie: &str,
    base: &str,
    route: &str,
    sessions: &[(String, String)],
    secs: u32,
    pid: Option<u32>,
) -> Value {
    wait_until_idle(pid);
    let quiet = wrk(notes_url, Some(cookie), None, 8, secs);
    let loops: Vec<_> = sessions
        .iter()
        .enumerate()
        .map(|(client, session)| {
            let script = costly_script(route, client, session);
            let base = base.to_string();
            std::thread::spawn(move || {
                let out = Command::new("wrk")
                    .args(["-t1", "-c1", &format!("-d{}s", secs + 2), "-s"])
                    .arg(&script)
                    .arg(&base)
                    .output()
                    .expect("wrk");
                String::from_utf8_lossy(&out.stdout).to_string()
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs(1));
    let during = wrk(notes_url, Some(cookie), None, 8, secs);
    let mut statuses = serde_json::Map::new();
    for done in loops {
        for line in done.join().unwrap().lines() {
            let mut parts = line
                .strip_prefix("status ")
                .unwrap_or("")
                .split_whitespace();
            if let (Some(code), Some(Ok(k))) = (parts.next(), parts.next().map(str::parse::<u64>)) {
                let seen = statuses.get(code).and_then(Value::as_u64).unwrap_or(0);
                statuses.insert(code.to_string(), json!(seen + k));
            }
        }
    }
    json!({
        "quiet": quiet, "during": during, "statuses": statuses,
        "p99_ratio": ratio(&during, &quiet, "p99_ms"),
    })
}

/// Guarded GETs' p99 quiet, then while one busy loop runs at the lowest priority there is
/// (`chrt --idle`, Linux's `SCHED_IDLE`). By the scheduler's rules that loop takes no CPU anyone
/// else wants, as the server's one low-priority hashing thread should in a flood; so its ratio
/// is the least a flood can cost the guarded p99 on this machine, whatever the server does.
fn idle_loop_floor(notes_url: &str, cookie: &str, secs: u32, pid: Option<u32>) -> Value {
    wait_until_idle(pid);
    let quiet = wrk(notes_url, Some(cookie), None, 8, secs);
    let Ok(mut spinner) = Command::new("chrt")
        .args(["--idle", "0", "sh", "-c", "while :; do :; done"])
        .spawn()
    else {
        return json!({ "skipped": "chrt (util-linux) is not installed" });
    };
    let during = wrk(notes_url, Some(cookie), None, 8, secs);
    // A loop that ended early (chrt refused, say) would make "during" another quiet run.
    if let Ok(Some(status)) = spinner.try_wait() {
        return json!({ "skipped": format!("the busy loop ended during the run: {status}") });
    }
    let _ = spinner.kill();
    let _ = spinner.wait();
    json!({
        "quiet": quiet, "during": during,
        "p99_ratio": ratio(&during, &quiet, "p99_ms"),
    })
}

#[tokio::main]
async fn main() {
    let dist = env_path("GATEHOUSE_E2E_DIST");
    let quick = std::env::var_os("GATEHOUSE_BENCH_QUICK").is_some();
    let (loads, redirects, secs) = if quick { (3, 4, 2) } else { (10, 20, 5) };
    let journeys = if quick { 3 } else { 10 };
    // `GATEHOUSE_BENCH_ONLY=costly,isolation` runs those sections alone (all when unset).
    let only = std::env::var("GATEHOUSE_BENCH_ONLY").ok();
    let run = |section: &str| {
        only.as_deref()
            .is_none_or(|o| o.split(',').any(|s| s.trim() == section))
    };
    let mut report = json!({});

    // The main server believes X-Forwarded-For from loopback, so the flood can come from many
    // addresses; nothing else here sends that header.
    let shared = Arc::new(Mutex::new(
        Server::start(Options {
            extra: vec!["--trusted-proxy", "127.0.0.1"],
            ..Options::default()
        })
        .await,
    ));
    shared.lock().await.add_user("bench", false).await;

    if run("first_load") {
        println!(
            "first load of /login, {loads} cold loads each, in turns: static form, React app, Gatehouse…"
        );
        let static_dist = peers::anchors().join("static");
        let react_dist = peers::anchors().join("react/dist");
        let mut static_server = peers::serving(static_dist.clone()).await;
        let mut react_server = peers::serving(react_dist.clone()).await;
        let base = shared.lock().await.base.clone();
        let urls = [&static_server.base, &react_server.base, &base].map(|b| format!("{b}/login"));
        let rows = peers::first_loads(&urls.each_ref().map(String::as_str), loads).await;
        static_server.stop().await;
        react_server.stop().await;
        let mut front = serde_json::Map::new();
        for ((name, dir, page), mut row) in [
            ("static", &static_dist, "index.html"),
            ("react", &react_dist, "index.html"),
            ("gatehouse", &dist, "login.html"),
        ]
        .into_iter()
        .zip(rows)
        {
            row["files"] = peers::first_load_files(dir, page);
            front.insert(name.into(), row);
        }
        report["first_load"] = Value::Object(front);

        println!("401 → sign-in form, {redirects} times…");
        report["unauthorized_to_login"] = unauthorized_to_login(&shared, redirects).await;
    }
    if run("journey") {
        let react_dist = peers::anchors().join("react/dist");
        let mut react = peers::serving(react_dist).await;
        react.add_user("bench", false).await;
        let base = shared.lock().await.base.clone();
        let http = reqwest::Client::new();
        for on in [&base, &react.base] {
            seed_dashboard(&http, on).await;
        }
        println!(
            "the sign-in journey, {journeys} of each app per profile, in turns: Gatehouse, React…"
        );
        let apps = [("gatehouse", base), ("react", react.base.clone())];
        report["journey"] = journey::journeys(&apps, journeys).await;
        react.stop().await;
    }
    let server = shared.lock().await;

    // Sign in over HTTP for wrk, with a few notes to list.
    let http = reqwest::Client::new();
    let (cookie, csrf) = sign_in_over_http(&http, &server.base, "bench").await;
    for i in 0..10 {
        http.post(format!("{}{}", server.base, CreateNote::PATH))
            .header("Cookie", &cookie)
            .header("X-CSRF-TOKEN", &csrf)
            .json(&json!({"title": format!("note {i}"), "body": "x".repeat(200)}))
            .send()
            .await
            .unwrap();
    }
    let route = |base: &str, path: &str| format!("{base}{path}");
    let login_url = route(&server.base, Login::PATH);
    let notes_url = route(&server.base, ListNotes::PATH);
    let health_url = route(&server.base, GetHealth::PATH);
    if run("throughput") {
        println!(
            "server throughput with wrk, {secs}s each: Gatehouse, then axum-login, then Express (1 and 2 workers)…"
        );
        wrk(&health_url, None, None, 32, 1); // warm-up
        // Each route's figure is the median of three runs: one 5-second run moves by up to a third
        // on these machines, and a ratio of two single runs doubly so.
        let measure = |base: &str, routes: &Routes, cookie: &str, pid: Option<u32>| {
            let run = |path: &str, cookie: Option<&str>| {
                median_run(3, "requests_per_s", || {
                    wrk_with_cpu(&route(base, path), cookie, pid, secs)
                })
            };
            json!({
                "health": run(routes.health, None),
                "secured": run(routes.secured, Some(cookie)),
                "notes": run(routes.notes, Some(cookie)),
            })
        };
        let gatehouse = measure(&server.base, &GATEHOUSE_ROUTES, &cookie, server.pid());
        let unauthorized = wrk(&notes_url, None, None, 32, secs);
        // Each peer alone on the machine, signed in with ten notes, warmed up, then measured as
        // Gatehouse was.
        let measure_peer = async |peer: peers::PeerServer| {
            let cookie = peer.signed_in_with_notes(&http).await;
            let routes = &peers::PEER_ROUTES;
            wrk(&route(&peer.base, routes.health), None, None, 32, 1); // warm-up
            measure(&peer.base, routes, &cookie, peer.pid())
        };
        let axum_login = measure_peer(peers::PeerServer::axum_login().await).await;
        let mut express = serde_json::Map::new();
        for workers in [1, 2] {
            let peer = peers::PeerServer::express(workers).await;
            express.insert(format!("workers_{workers}"), measure_peer(peer).await);
        }
        report["throughput"] = json!({
            "gatehouse": gatehouse, "unauthorized": unauthorized,
            "axum_login": axum_login, "express": express,
            "notes_over_health": ratio(&gatehouse["notes"], &gatehouse["health"], "requests_per_s"),
            "secured_over_health": ratio(&gatehouse["secured"], &gatehouse["health"], "requests_per_s"),
        });
    }

    if run("isolation") {
        println!(
            "isolation: guarded GETs during sign-in floods (one address, then many), then a flood of health checks…"
        );
        for i in 0..20 {
            server.add_user(&format!("flood{i}"), false).await;
        }
        report["isolation"] = json!({
            "idle_loop": idle_loop_floor(&notes_url, &cookie, secs, server.pid()),
            "one_address": isolation(&notes_url, &cookie, &login_url, flood_script("flood-one", 20, false), secs, server.pid()),
            "many_addresses": isolation(&notes_url, &cookie, &login_url, flood_script("flood-many", 20, true), secs, server.pid()),
            "volume": isolation(&notes_url, &cookie, &health_url, volume_script("flood-volume"), secs, server.pid()),
        });
    }

    if run("costly") {
        println!(
            "costly requests: guarded GETs while 4 clients loop on the costliest request of each route that takes a password…"
        );
        let mut costly = json!({});
        for route in ["password", "reauth", "create"] {
            let mut sessions = Vec::new();
            for client in 0..4 {
                let name = format!("costly-{route}-{client}");
                server.add_user(&name, route == "create").await;
                sessions.push(sign_in_over_http(&http, &server.base, &name).await);
            }
            costly[route] = costly_loop(
                &notes_url,
                &cookie,
                &server.base,
                route,
                &sessions,
                secs,
                server.pid(),
            );
        }
        report["costly"] = costly;
    }

    if run("notes_scale") {
        println!("notes scale: 10, 1,000 and 10,000 notes of one owner among 100,000…");
        report["notes_scale"] = notes_scale(&server, &http, secs).await;
    }

    if run("session_scale") {
        println!("session store scale: 100 vs 100,000 live sessions…");
        let guarded_p50 = || {
            wait_until_idle(server.pid());
            median_run(3, "p50_ms", || {
                wrk(&notes_url, Some(&cookie), None, 8, secs)
            })
        };
        seed_sessions(&server.database_url(), 100).await;
        let small = guarded_p50();
        seed_sessions(&server.database_url(), 100_000).await;
        let large = guarded_p50();
        report["session_scale"] = json!({
            "sessions_100": small, "sessions_100000": large,
            "p50_ratio": ratio(&large, &small, "p50_ms"),
        });
    }
    drop(server);
    shared.lock().await.stop().await;

    let md = markdown(&report);
    println!("\n{md}");
    let dir = workspace_target().join("bench");
    std::fs::create_dir_all(&dir).unwrap();
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
    let ms = |v: &Value| format!("{:.0} ms", v.as_f64().unwrap_or(f64::NAN));
    let ms2 = |v: &Value| format!("{:.2} ms", v.as_f64().unwrap_or(f64::NAN));
    let f = |v: &Value| v.as_f64().unwrap_or(f64::NAN);
    let mut s = String::new();
    let fl = &r["first_load"];
    if !fl.is_null() {
        s += "**First load of `/login`** (cold, headless Chromium, median of each)\n\n\
         | | FCP | LCP | over the wire | files, brotli |\n| --- | --- | --- | --- | --- |\n";
        for (key, label) in [
            ("static", "static HTML form"),
            ("react", "React 19 + react-router + axios (Vite)"),
            ("gatehouse", "**Gatehouse**"),
        ] {
            let row = &fl[key];
            s += &format!(
                "| {label} | {} | {} | {} | {} |\n",
                ms(&row["fcp"]["median_ms"]),
                ms(&row["lcp"]["median_ms"]),
                kb(&row["transfer"]["median_ms"]),
                kb(&row["files"]["brotli"]),
            );
        }
        let g = &fl["gatehouse"];
        s += &format!(
            "\nGatehouse's LCP is **×{:.2}** the static form's (target ≤ ×1.2) and **×{:.2}** the React app's \
         (target < ×1); its files are **×{:.2}** the React app's (target < ×1): ",
            f(&g["lcp"]["median_ms"]) / f(&fl["static"]["lcp"]["median_ms"]),
            f(&g["lcp"]["median_ms"]) / f(&fl["react"]["lcp"]["median_ms"]),
            f(&g["files"]["brotli"]) / f(&fl["react"]["files"]["brotli"]),
        );
        let files: Vec<String> = g["files"]["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| format!("`{}` {}", x["file"].as_str().unwrap(), kb(&x["brotli"])))
            .collect();
        s += &files.join(", ");
        let u = &r["unauthorized_to_login"];
        s += &format!(
            ".\n\n401 response → sign-in form: median {}, p90 {} (n={}).\n\n",
            ms2(&u["median_ms"]),
            ms2(&u["p90_ms"]),
            u["n"]
        );
    }

    let j = &r["journey"];
    if !j.is_null() {
        s += &format!(
            "**The sign-in journey** (open `/login` with an empty cache, type {} characters at one every {} ms from when the form takes input, press Sign in, until the dashboard shows its newest note; Chromium with DevTools network and CPU emulation; median, and p90, of each)\n\n\
             | profile | app | form usable | whole journey | last step (Sign in → data) |\n| --- | --- | --- | --- | --- |\n",
            j["characters"], j["keystroke_ms"]
        );
        for (profile, label) in [
            (
                "phone_slow_4g",
                "phone, slow 4G (150 ms, 1.6 Mbit/s, CPU ×4)",
            ),
            ("laptop_broadband", "laptop, broadband (10 ms, 50 Mbit/s)"),
        ] {
            for (app, name) in [("gatehouse", "**Gatehouse**"), ("react", "React")] {
                let row = &j["profiles"][profile][app];
                let cell =
                    |k: &str| format!("{} ({})", ms(&row[k]["median_ms"]), ms(&row[k]["p90_ms"]));
                s += &format!(
                    "| {label} | {name} | {} | {} | {} |\n",
                    cell("form_usable"),
                    cell("journey"),
                    cell("last_step"),
                );
            }
            let g = &j["profiles"][profile]["gatehouse"];
            let r = &j["profiles"][profile]["react"];
            s += &format!(
                "| | Gatehouse / React | ×{:.2} | **×{:.2}** | **×{:.2}** |\n",
                f(&g["form_usable"]["median_ms"]) / f(&r["form_usable"]["median_ms"]),
                f(&g["journey"]["median_ms"]) / f(&r["journey"]["median_ms"]),
                f(&g["last_step"]["median_ms"]) / f(&r["last_step"]["median_ms"]),
            );
        }
        s += "\nTarget: both ratios under ×1 on every profile, and the form usable at its first paint.\n\n";
    }

    let t = &r["throughput"];
    if !t.is_null() {
        s += "**Server** (`wrk -t2 -c32 -d5s` on loopback, the median of three runs; requests/s, p99, the server's CPU time per request)\n\n\
          | route | Gatehouse | axum-login + tower-sessions | Express, 1 worker | Express, 2 workers | Gatehouse / axum-login | Gatehouse / Express (1 · 2) |\n\
          | --- | --- | --- | --- | --- | --- | --- |\n";
        for (key, label) in [
            (
                "health",
                "`GET /api/health` (no session; pings the database)",
            ),
            ("secured", "`GET /api/secured-resource` (session; no query)"),
            ("notes", "`GET /api/notes` (session; 10 notes)"),
        ] {
            let cell = |w: &Value| {
                format!(
                    "{:.0}/s, {}, {:.0} µs",
                    f(&w[key]["requests_per_s"]),
                    ms2(&w[key]["p99_ms"]),
                    f(&w[key]["cpu_us_per_request"])
                )
            };
            let (one, two) = (&t["express"]["workers_1"], &t["express"]["workers_2"]);
            s += &format!(
                "| {label} | {} | {} | {} | {} | **×{:.2}** | **×{:.1}** · **×{:.1}** |\n",
                cell(&t["gatehouse"]),
                cell(&t["axum_login"]),
                cell(one),
                cell(two),
                ratio(
                    &t["gatehouse"][key],
                    &t["axum_login"][key],
                    "requests_per_s"
                ),
                ratio(&t["gatehouse"][key], &one[key], "requests_per_s"),
                ratio(&t["gatehouse"][key], &two[key], "requests_per_s"),
            );
        }
        s += &format!(
            "\n`/api/notes` runs at **{:.0}%** of `/api/health` (target ≥ 85%); the guard alone at {:.0}%. \
         In the server's CPU per request: the guarded route without a query {:.0} µs, health (no guard, one `SELECT 1`) {:.0} µs, \
         notes (the guard and one query of ten rows) {:.0} µs. \
         A request without a cookie is refused at {:.0}/s.\n\n",
            f(&t["notes_over_health"]) * 100.0,
            f(&t["secured_over_health"]) * 100.0,
            f(&t["gatehouse"]["secured"]["cpu_us_per_request"]),
            f(&t["gatehouse"]["health"]["cpu_us_per_request"]),
            f(&t["gatehouse"]["notes"]["cpu_us_per_request"]),
            f(&t["unauthorized"]["requests_per_s"]),
        );
    }

    if !r["isolation"].is_null() {
        s += "**Isolation**: guarded `GET /api/notes` (8 connections) while 512 connections send sign-ins \
          for 20 accounts (each connection one a second), one in three with the right password\n\n\
          | flood | offered | verified (200 / 401) | refused 429 | refused 503 | guarded p99 quiet → during |\n\
          | --- | --- | --- | --- | --- | --- |\n";
        for (key, label) in [
            ("one_address", "from one address"),
            ("many_addresses", "from 62,500 addresses"),
        ] {
            let i = &r["isolation"][key];
            let st = &i["flood"]["statuses"];
            let count = |code: &str| st[code].as_u64().unwrap_or(0);
            let total: u64 = st
                .as_object()
                .map(|m| m.values().filter_map(Value::as_u64).sum())
                .unwrap_or(0);
            let secs = total as f64 / f(&i["flood"]["requests_per_s"]).max(1e-9);
            s += &format!(
                "| {label} | {:.0}/s | {:.0}/s | {} | {} | {} → {} (**×{:.2}**, target ≤ ×2) |\n",
                f(&i["flood"]["requests_per_s"]),
                (count("200") + count("401")) as f64 / secs,
                count("429"),
                count("503"),
                ms2(&i["quiet"]["p99_ms"]),
                ms2(&i["during"]["p99_ms"]),
                f(&i["p99_ratio"]),
            );
        }

        let volume = &r["isolation"]["volume"];
        s += &format!(
            "| the floods' shape, but each request a `GET /api/health` (no sign-in work): the volume alone | {:.0}/s | | | | {} → {} (**×{:.2}**) |\n",
            f(&volume["flood"]["requests_per_s"]),
            ms2(&volume["quiet"]["p99_ms"]),
            ms2(&volume["during"]["p99_ms"]),
            f(&volume["p99_ratio"]),
        );
        let floor = &r["isolation"]["idle_loop"];
        if floor["p99_ratio"].is_f64() {
            s += &format!(
                "| no flood: one busy loop at the lowest priority (`SCHED_IDLE`), the floor | | | | | {} → {} (**×{:.2}**) |\n",
                ms2(&floor["quiet"]["p99_ms"]),
                ms2(&floor["during"]["p99_ms"]),
                f(&floor["p99_ratio"]),
            );
        }
    }

    if !r["costly"].is_null() {
        s += "\n**Costly requests**: guarded `GET /api/notes` (8 connections) while 4 signed-in clients loop without pause on the costliest request of each route that takes a password\n\n\
          | route (each request) | answered | guarded p99 quiet → during |\n| --- | --- | --- |\n";
        for (key, label) in [
            (
                "password",
                "`POST /api/auth/password`: the right current password (verified), a new one of 256 characters (estimated, hashed, stored)",
            ),
            (
                "reauth",
                "`POST /api/auth/reauth`: the right password (verified)",
            ),
            (
                "create",
                "`POST /api/admin/users`: a new account with a chosen password of 256 characters (estimated, hashed)",
            ),
        ] {
            let c = &r["costly"][key];
            if c.is_null() {
                continue;
            }
            let answered: Vec<String> = c["statuses"]
                .as_object()
                .map(|m| m.iter().map(|(code, k)| format!("{k} × {code}")).collect())
                .unwrap_or_default();
            s += &format!(
                "| {label} | {} | {} → {} (**×{:.2}**) |\n",
                answered.join(", "),
                ms2(&c["quiet"]["p99_ms"]),
                ms2(&c["during"]["p99_ms"]),
                f(&c["p99_ratio"]),
            );
        }
    }

    if !r["session_scale"].is_null() || !r["notes_scale"].is_null() {
        s += "\n**Scale**\n\n| measure | value |\n| --- | --- |\n";
        let z = &r["session_scale"];
        s += &format!(
            "| guarded p50 with 100 → 100,000 sessions | {} → {} (**×{:.2}**, target flat) |\n",
            ms2(&z["sessions_100"]["p50_ms"]),
            ms2(&z["sessions_100000"]["p50_ms"]),
            f(&z["p50_ratio"])
        );
        for (count, label) in [("10", "10"), ("1000", "1,000"), ("10000", "10,000")] {
            let n = &r["notes_scale"]["owners"][count];
            s += &format!(
                "| notes, owner of {label} (100,000 in all): first page / search `{SEARCHED}`, 10 a page | p50 {} / {} (**×{:.2}** / **×{:.2}**), p99 {} / {} (×{:.2} / ×{:.2}) of the owner of 10's (target ≤ ×2) |\n",
                ms2(&n["list"]["p50_ms"]),
                ms2(&n["search"]["p50_ms"]),
                f(&n["list_p50_ratio"]),
                f(&n["search_p50_ratio"]),
                ms2(&n["list"]["p99_ms"]),
                ms2(&n["search"]["p99_ms"]),
                f(&n["list_p99_ratio"]),
                f(&n["search_p99_ratio"]),
            );
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_busy_worker_counts_toward_its_primary_process_cpu_time() {
        // A parent that only waits, and a child that spins (for a few seconds at most, should
        // nothing end it): the parent's own time stays near zero, so the ticks seen are the
        // child's.
        let mut parent = Command::new("sh")
            .args([
                "-c",
                "sh -c 'i=0; while [ $i -lt 5000000 ]; do i=$((i+1)); done' & wait",
            ])
            .spawn()
            .unwrap();
        let pid = parent.id();
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        let mut ticks = 0;
        while ticks < 20 && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
            ticks = cpu_ticks(pid);
        }
        let _ = Command::new("pkill")
            .args(["-P", &pid.to_string()])
            .status();
        let _ = parent.kill();
        let _ = parent.wait();
        assert!(
            ticks >= 20,
            "the spinning child's ticks were not counted: {ticks}"
        );
    }
}
