//! The whole sign-in journey as a person on a network feels it: open `/login` with an empty
//! cache, type the username and password at a steady human pace as soon as the form takes input,
//! press Sign in, and wait for the protected page to show its data. In Chromium, with the
//! DevTools protocol's network and CPU emulation, for each profile; Gatehouse and the React
//! anchor in turns, in the same run.
//!
//! Times come from the page itself (`Date.now()`, the machine's one clock, recorded by a
//! script the browser runs first in every document), so WebDriver's round trips do not count:
//! the journey starts at the navigation (`performance.timeOrigin`), the form is usable when its
//! fields and its button are in the document, the last step starts when Sign in is pressed, and
//! the journey ends when the dashboard's newest note (`MARKER`) is in the document.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use fantoccini::Locator;
use gatehouse_e2e::Browser;
use serde_json::{Value, json};

use crate::stats;

/// A network and a device.
#[derive(Clone, Copy, Debug)]
pub struct Profile {
    /// Its name in the report.
    pub name: &'static str,
    /// Added to every request's round trip (ms).
    pub latency_ms: f64,
    /// Download and upload throughput (kbit/s).
    pub down_kbit: f64,
    /// Upload.
    pub up_kbit: f64,
    /// CPU slowdown (`Emulation.setCPUThrottlingRate`).
    pub cpu: f64,
}

/// A mid-range phone on slow 4G, and a laptop on fast broadband.
pub const PROFILES: [Profile; 2] = [
    Profile {
        name: "phone_slow_4g",
        latency_ms: 150.0,
        down_kbit: 1_600.0,
        up_kbit: 750.0,
        cpu: 4.0,
    },
    Profile {
        name: "laptop_broadband",
        latency_ms: 10.0,
        down_kbit: 50_000.0,
        up_kbit: 10_000.0,
        cpu: 1.0,
    },
];

/// Milliseconds between two keystrokes: a steady typist.
pub const KEYSTROKE_MS: u64 = 120;

/// The title of the bench user's newest note: the dashboard has shown its data once it is there.
pub const MARKER: &str = "Journey marker: the newest note";

/// Run in every document before its own scripts: notes when the form takes input and when
/// the data is shown, on the machine's clock.
const WATCH: &str = r#"
(() => {
  const MARKER = "__MARKER__";
  const check = () => {
    const now = Date.now();
    if (!window.__usable && document.querySelector("input[name=username]")
        && document.querySelector("input[name=password]")
        && document.querySelector("button[type=submit]")) window.__usable = now;
    if (!window.__shown && document.body && document.body.textContent.includes(MARKER)) {
      window.__shown = now;
    }
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true, characterData: true });
  document.addEventListener("DOMContentLoaded", check);
})();
"#;

fn now_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// One journey's times (ms from the navigation).
struct Times {
    usable: f64,
    first_paint: f64,
    pressed: f64,
    shown: f64,
}

/// One journey on `base` (`/login`, then `/dashboard`) with `profile`, signing in as
/// `username`.
async fn one(
    base: &str,
    profile: Profile,
    username: &str,
    password: &str,
) -> Result<Times, String> {
    let browser = Browser::start_without_waiting_for_loads().await;
    let client = &browser.client;
    let cdp = |cmd: &'static str, params: Value| {
        let client = client.clone();
        async move { gatehouse_e2e::cdp(&client, cmd, params).await }
    };
    cdp("Network.enable", json!({})).await;
    cdp("Network.setCacheDisabled", json!({"cacheDisabled": false})).await;
    cdp(
        "Network.emulateNetworkConditions",
        json!({
            "offline": false,
            "latency": profile.latency_ms,
            "downloadThroughput": profile.down_kbit * 1000.0 / 8.0,
            "uploadThroughput": profile.up_kbit * 1000.0 / 8.0,
        }),
    )
    .await;
    cdp(
        "Emulation.setCPUThrottlingRate",
        json!({"rate": profile.cpu}),
    )
    .await;
    cdp(
        "Page.addScriptToEvaluateOnNewDocument",
        json!({"source": WATCH.replace("__MARKER__", MARKER)}),
    )
    .await;
    client
        .goto(&format!("{base}/login"))
        .await
        .map_err(|e| e.to_string())?;
    let deadline = |secs| tokio::time::Instant::now() + Duration::from_secs(secs);
    // The form taking input.
    let until = deadline(30);
    let (origin, usable) = loop {
        let v = client
            .execute(
                "return [performance.timeOrigin, window.__usable || null]",
                vec![],
            )
            .await
            .unwrap_or(Value::Null);
        if let Some(usable) = v[1].as_f64() {
            break (v[0].as_f64().unwrap_or(0.0), usable);
        }
        if tokio::time::Instant::now() > until {
            return Err("the form never took input".into());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    // Typed from the moment it could be, one key every `KEYSTROKE_MS`, each sent to the field
    // found afresh (the app may have taken the page over meanwhile, keeping what was typed).
    let start =
        tokio::time::Instant::now() - Duration::from_millis((now_ms() - usable).max(0.0) as u64);
    let mut n = 0u64;
    for (field, text) in [("username", username), ("password", password)] {
        for c in text.chars() {
            tokio::time::sleep_until(start + Duration::from_millis(n * KEYSTROKE_MS)).await;
            let css = format!("input[name={field}]");
            // The field may be swapped for the app's between finding it and typing: then the
            // key was not typed, and goes to the field found again.
            with_fresh(client, &css, |e| async move {
                e.send_keys(&c.to_string()).await
            })
            .await?;
            n += 1;
        }
    }
    tokio::time::sleep_until(start + Duration::from_millis(n * KEYSTROKE_MS)).await;
    let first_paint = client
        .execute(
            "const p = performance.getEntriesByName('first-contentful-paint')[0]; return p ? p.startTime : null",
            vec![],
        )
        .await
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or(f64::NAN);
    let pressed = now_ms();
    with_fresh(client, "button[type=submit]", |e| async move {
        e.click().await.map(drop)
    })
    .await?;
    let until = deadline(30);
    let shown = loop {
        let v = client
            .execute("return window.__shown || null", vec![])
            .await
            .unwrap_or(Value::Null);
        if let Some(shown) = v.as_f64() {
            break shown;
        }
        if tokio::time::Instant::now() > until {
            let url = client
                .current_url()
                .await
                .map(|u| u.to_string())
                .unwrap_or_default();
            return Err(format!("the dashboard never showed its data (at {url})"));
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    if std::env::var_os("GATEHOUSE_BENCH_TRACE").is_some() {
        // What went over the wire after Sign in, in ms from the press (to see where a step's
        // time goes).
        let script = format!(
            "const at = {} - performance.timeOrigin; return performance.getEntriesByType('resource')\
             .filter(r => r.startTime >= at - 5).map(r => [r.name.replace(location.origin, ''), \
             Math.round(r.startTime - at), Math.round(r.responseEnd - at)])",
            pressed
        );
        let entries = client.execute(&script, vec![]).await.unwrap_or(Value::Null);
        println!(
            "      {base}: shown at {:.0} ms after the press: {entries}",
            shown - pressed
        );
    }
    browser.end().await;
    Ok(Times {
        usable: usable - origin,
        first_paint,
        pressed: pressed - origin,
        shown: shown - origin,
    })
}

/// Does `act` to the element `css` finds, finding it again when it went stale meanwhile (the
/// app took the pre-rendered page over) or could not take input yet (the app's page just
/// shown, not laid out), up to five times.
async fn with_fresh<F, Fut>(client: &fantoccini::Client, css: &str, act: F) -> Result<(), String>
where
    F: Fn(fantoccini::elements::Element) -> Fut,
    Fut: std::future::Future<Output = Result<(), fantoccini::error::CmdError>>,
{
    let mut last = String::new();
    for _ in 0..5 {
        let element = client
            .find(Locator::Css(css))
            .await
            .map_err(|e| e.to_string())?;
        match act(element).await {
            Ok(()) => return Ok(()),
            Err(e) if e.to_string().contains("stale") => last = e.to_string(),
            Err(e) if e.to_string().contains("not interactable") => {
                last = e.to_string();
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(e) => return Err(e.to_string()),
        }
    }
    Err(last)
}

/// `runs` journeys of each app (`(name, base URL)`) on each profile, the apps in turns (each
/// round starting one further on); medians and spreads of the whole journey, of its last step
/// (Sign in pressed → data shown), and of when the form took input and first painted.
pub async fn journeys(apps: &[(&str, String)], runs: usize) -> Value {
    let (username, password) = ("bench", gatehouse_e2e::PASSWORD);
    let mut report = serde_json::Map::new();
    for profile in PROFILES {
        println!(
            "    {}: {} ms RTT, {} kbit/s down, CPU ×{}…",
            profile.name, profile.latency_ms, profile.down_kbit, profile.cpu
        );
        let mut samples: Vec<[Vec<f64>; 4]> = vec![Default::default(); apps.len()];
        let mut failures = vec![Vec::<String>::new(); apps.len()];
        for round in 0..runs {
            for i in (0..apps.len()).map(|i| (i + round) % apps.len()) {
                match one(&apps[i].1, profile, username, password).await {
                    Ok(t) => {
                        let s = &mut samples[i];
                        s[0].push(t.shown);
                        s[1].push(t.shown - t.pressed);
                        s[2].push(t.usable);
                        s[3].push(t.first_paint);
                    }
                    Err(e) => failures[i].push(e),
                }
            }
        }
        let mut row = serde_json::Map::new();
        for ((name, _), (s, failed)) in apps.iter().zip(samples.into_iter().zip(failures)) {
            let [journey, last, usable, paint] = s;
            if journey.is_empty() {
                row.insert((*name).into(), json!({"failed": failed}));
                continue;
            }
            row.insert(
                (*name).into(),
                json!({
                    "journey": stats(journey),
                    "last_step": stats(last),
                    "form_usable": stats(usable),
                    "first_paint": stats(paint),
                    "failed": failed,
                }),
            );
        }
        report.insert(profile.name.into(), Value::Object(row));
    }
    json!({
        "keystroke_ms": KEYSTROKE_MS,
        "characters": username.chars().count() + password.chars().count(),
        "profiles": report,
    })
}
