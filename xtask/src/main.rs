//! `cargo xtask`: setup, serve, test, lint, dist. Few and small dependencies, so it builds in
//! seconds on a bare machine before anything else is installed.

use std::env;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

mod compress;
mod contract;
mod minify;
mod setup;
mod split;
mod wasm_size;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  setup   install what building and testing need (idempotent; says what it does)
  serve   build the release SPA and server, then serve http://127.0.0.1:8080 with demo accounts
  test    every test: native, SPA in headless Chromium, end-to-end journeys; ends `N passed, N failed`
  bench   bundle sizes, first render, 401 → sign-in, server throughput; writes target/bench/report.md
  screenshots  every page at phone and desktop width, light and dark, into docs/screenshots/ (axe-checked)
  lint    rustfmt check, clippy on the workspace and on the SPA and client for wasm32 (warnings are errors)
  dist    build the release SPA into dist/";

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("setup") => setup::run().map(|_| ()),
        Some("serve") => serve(),
        Some("test") => test(),
        Some("lint") => lint(),
        Some("bench") => bench(),
        Some("screenshots") => screenshots(),
        Some("dist") => setup::run().and_then(|tools| build_spa(&tools)),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root (the parent of this crate).
pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// Where cargo builds: `CARGO_TARGET_DIR` when set (a worktree sharing a build directory),
/// else `target/` at the root.
pub(crate) fn target_dir() -> PathBuf {
    env::var_os("CARGO_TARGET_DIR")
        .map(|dir| root().join(dir))
        .unwrap_or_else(|| root().join("target"))
}

/// Runs `cmd` in the workspace root with its output shown, failing on a non-zero exit.
fn sh(cmd: &mut Command) -> Result<(), String> {
    // From the workspace root, unless the command says where.
    if cmd.get_current_dir().is_none() {
        cmd.current_dir(root());
    }
    let shown = format!("{cmd:?}");
    let status = cmd
        .status()
        .map_err(|e| format!("could not start {shown}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{shown} failed ({status})"))
    }
}

fn cargo() -> Command {
    Command::new(env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

/// `trunk build --release` with the project's tools first on PATH.
fn build_spa(tools: &setup::Tools) -> Result<(), String> {
    println!("==> building the SPA (trunk build --release)");
    sh(Command::new(&tools.trunk)
        .args(["build", "--release"])
        .env("PATH", &tools.path))?;
    println!("==> the wasm in parts: pages the first visit does not show load on first use");
    for part in split::split_into_parts(&root().join("dist"), tools)? {
        println!("    {part}");
    }
    println!("==> minifying the JS glue (esbuild), with the HTML's integrity hashes to match");
    for (name, before, after) in minify::minify_js(&root().join("dist"), &tools.esbuild)? {
        println!("    {name}: {before} → {after} bytes");
    }
    println!("==> pre-rendering the sign-in page and the frame");
    sh(cargo()
        .args([
            "run",
            "-q",
            "-p",
            "gatehouse",
            "--features",
            "prerender",
            "--bin",
            "prerender",
            "--",
        ])
        .arg(root().join("dist")))?;
    let n = compress::precompress(&root().join("dist"))?;
    println!("    wrote .br and .gz beside {n} files in dist/");
    wasm_by_page()
}

/// Prints the shipped wasm's brotli size (the main part, which the first load fetches, and
/// each part loaded later) and each page's, shared component's and crate's share of it all,
/// and writes them to `target/bench/wasm.json` for the bench's report.
fn wasm_by_page() -> Result<(), String> {
    let mut main = 0;
    let mut parts = Vec::new();
    for entry in std::fs::read_dir(root().join("dist")).map_err(|e| e.to_string())? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let Some(wasm) = name.strip_suffix(".wasm.br") else {
            continue;
        };
        let bytes = std::fs::metadata(&path).map_err(|e| e.to_string())?.len();
        if wasm.ends_with("_bg") {
            main = bytes;
        } else {
            // `split_account-0123456789abcdef`: the part's name.
            let part = wasm.rsplit_once('-').map_or(wasm, |(part, _)| part);
            parts.push((part.trim_start_matches("split_").to_string(), bytes));
        }
    }
    if main == 0 {
        return Err("no wasm in dist/".into());
    }
    parts.sort();
    let brotli = main + parts.iter().map(|(_, b)| b).sum::<u64>();
    let built = target_dir().join("wasm32-unknown-unknown/wasm-release/gatehouse.wasm");
    let owners = wasm_size::code_by_owner(&built)?;
    let code: u64 = owners.values().sum();
    let mut rows: Vec<(String, u64)> = owners.into_iter().collect();
    rows.sort_by_key(|(_, bytes)| std::cmp::Reverse(*bytes));
    let share = |bytes: u64| bytes as f64 / code.max(1) as f64 * brotli as f64 / 1000.0;
    let kb = |bytes: u64| bytes as f64 / 1000.0;
    println!(
        "==> the wasm: {:.1} KB brotli at first load; later, {}; {:.1} KB in all",
        kb(main),
        parts
            .iter()
            .map(|(part, bytes)| format!("{part} {:.1} KB", kb(*bytes)))
            .collect::<Vec<_>>()
            .join(", "),
        kb(brotli)
    );
    println!("    by page, shared component and crate (their share of it all):");
    for (owner, bytes) in rows.iter().filter(|(_, b)| share(*b) >= 1.0) {
        println!("    {:>6.1} KB  {owner}", share(*bytes));
    }
    let report = format!(
        "{{\"brotli_bytes\": {main}, \"all_parts_brotli_bytes\": {brotli}, \"parts\": [{}], \"code_bytes\": {code}, \"owners\": [{}]}}",
        parts
            .iter()
            .map(|(part, bytes)| format!("{{\"part\": \"{part}\", \"brotli_bytes\": {bytes}}}"))
            .collect::<Vec<_>>()
            .join(", "),
        rows.iter()
            .map(|(o, b)| format!(
                "{{\"owner\": \"{o}\", \"code_bytes\": {b}, \"brotli_kb\": {:.2}}}",
                share(*b)
            ))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let dir = root().join("target/bench");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("wasm.json"), report).map_err(|e| e.to_string())
}

fn bench() -> Result<(), String> {
    let tools = setup::run()?;
    setup::ensure_apt("wrk", "wrk")?;
    build_spa(&tools)?;
    build_anchors()?;
    println!("==> building the server (release)");
    sh(cargo().args(["build", "--release", "-p", "gatehouse-server"]))?;
    sh(cargo()
        .args(["run", "-q", "-p", "gatehouse-e2e", "--bin", "bench"])
        .env(
            "GATEHOUSE_E2E_SERVER",
            target_dir().join("release/gatehouse-server"),
        )
        .env("GATEHOUSE_E2E_DIST", root().join("dist"))
        .env(
            "GATEHOUSE_BENCH_AXUM_LOGIN",
            target_dir().join("release/gatehouse-bench-axum-login"),
        )
        .env("CHROMEDRIVER", &tools.chromedriver)
        .env("CHROMIUM", &tools.chromium))
}

/// The peers the bench measures Gatehouse against (`bench/anchors/`): the React app built with
/// Vite, the Express server's packages, each from its `package-lock.json`; the static form and
/// the React build precompressed as Gatehouse's own files are; the axum-login server built in
/// release from its `Cargo.lock`.
fn build_anchors() -> Result<(), String> {
    let anchors = root().join("bench/anchors");
    for name in ["react", "express"] {
        let dir = anchors.join(name);
        if dir.join("node_modules").exists() {
            continue;
        }
        println!("==> installing the {name} peer (npm ci)");
        let mut npm = Command::new("npm");
        npm.args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&dir);
        // better-sqlite3 compiles against Node's headers; Debian keeps them under /usr.
        if Path::new("/usr/include/node/node.h").exists() {
            npm.env("npm_config_nodedir", "/usr");
        }
        sh(&mut npm)?;
    }
    println!("==> building the React peer (vite build)");
    sh(Command::new("npm")
        .args(["run", "build", "--silent", "--", "--logLevel", "warn"])
        .current_dir(anchors.join("react")))?;
    compress::precompress(&anchors.join("react/dist"))?;
    compress::precompress(&anchors.join("static"))?;
    // Its own workspace and lock file, built into this one's target folder so the bench knows
    // where; cargo skips it when nothing changed.
    println!("==> building the axum-login peer (release)");
    sh(cargo()
        .args(["build", "--release", "--locked", "--manifest-path"])
        .arg(anchors.join("axum-login/Cargo.toml"))
        .arg("--target-dir")
        .arg(target_dir()))
}

/// The environment the end-to-end journeys read.
fn e2e_env(command: &mut Command, tools: &setup::Tools) {
    command
        .env(
            "GATEHOUSE_E2E_SERVER",
            target_dir().join("debug/gatehouse-server"),
        )
        .env("GATEHOUSE_E2E_DIST", root().join("dist"))
        .env("CHROMEDRIVER", &tools.chromedriver)
        .env("CHROMIUM", &tools.chromium)
        .env("AXE_CORE", &tools.axe);
}

fn screenshots() -> Result<(), String> {
    let tools = setup::run()?;
    build_spa(&tools)?;
    sh(cargo().args(["build", "-p", "gatehouse-server"]))?;
    let dir = root().join("docs/screenshots");
    let mut command = cargo();
    command
        .args(["test", "-q", "-p", "gatehouse-e2e", "--test", "look"])
        .env("GATEHOUSE_SCREENSHOTS", &dir);
    e2e_env(&mut command, &tools);
    sh(&mut command)?;
    println!("screenshots in {}", dir.display());
    Ok(())
}

fn lint() -> Result<(), String> {
    println!("==> cargo fmt --check");
    sh(cargo().args(["fmt", "--all", "--check"]))?;
    println!("==> clippy (workspace, native)");
    sh(cargo().args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    println!("==> clippy (the SPA's build-time pre-renderer, native)");
    sh(cargo().args([
        "clippy",
        "-p",
        "gatehouse",
        "--features",
        "prerender",
        "--bin",
        "prerender",
        "--",
        "-D",
        "warnings",
    ]))?;
    println!("==> clippy (SPA and client crate, wasm32)");
    sh(cargo().args([
        "clippy",
        "-p",
        "gatehouse",
        "-p",
        "gatehouse-client",
        "--target",
        "wasm32-unknown-unknown",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    println!("==> clippy (the SPA as it ships, in parts: feature split, wasm32)");
    sh(cargo().args([
        "clippy",
        "-p",
        "gatehouse",
        "--features",
        "split",
        "--target",
        "wasm32-unknown-unknown",
        "--bin",
        "gatehouse",
        "--",
        "-D",
        "warnings",
    ]))
}

fn serve() -> Result<(), String> {
    let tools = setup::run()?;
    build_spa(&tools)?;
    println!("==> building the server (release)");
    sh(cargo().args(["build", "--release", "-p", "gatehouse-server"]))?;
    let url = "http://127.0.0.1:8080";
    println!("==> starting Gatehouse on {url}");
    println!("    Open {url} in a browser and sign in with a demo account printed below.");
    println!("    Data lives in data/gatehouse.db; stop with Ctrl-C.");
    sh(
        Command::new(target_dir().join("release/gatehouse-server")).args([
            "--listen",
            "127.0.0.1:8080",
            "--database-url",
            "sqlite://data/gatehouse.db",
            "--dist",
            "dist",
            "--demo",
        ]),
    )
}

/// Counts of one test run, read from libtest's (and wasm-bindgen-test's) summary lines.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Tally {
    passed: u64,
    failed: u64,
}

impl Tally {
    /// Adds a `test result: ok. 3 passed; 1 failed; ...` line, if `line` is one.
    fn add_line(&mut self, line: &str) -> bool {
        let Some(rest) = line.trim().strip_prefix("test result: ") else {
            return false;
        };
        let count = |label: &str| {
            rest.split(';').find_map(|part| {
                let part = part
                    .trim()
                    .trim_start_matches("ok.")
                    .trim_start_matches("FAILED.")
                    .trim();
                part.strip_suffix(label)?.trim().parse::<u64>().ok()
            })
        };
        self.passed += count("passed").unwrap_or(0);
        self.failed += count("failed").unwrap_or(0);
        true
    }
}

/// Runs a test command, echoing its output and tallying its summary lines. A command that
/// fails without printing a failed test (a build error, a crashed runner) counts one failure.
fn run_tests(label: &str, cmd: &mut Command, tally: &mut Tally) {
    println!("==> {label}");
    let mut child = match cmd.current_dir(root()).stdout(Stdio::piped()).spawn() {
        Ok(child) => child,
        Err(e) => {
            eprintln!("xtask: could not start {label}: {e}");
            tally.failed += 1;
            return;
        }
    };
    let mut this = Tally::default();
    if let Some(out) = child.stdout.take() {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            println!("{line}");
            this.add_line(&line);
        }
    }
    let ok = child.wait().is_ok_and(|s| s.success());
    if !ok && this.failed == 0 {
        eprintln!("xtask: {label} failed before reporting a failed test");
        this.failed += 1;
    }
    tally.passed += this.passed;
    tally.failed += this.failed;
}

/// Runs a command that checks one thing (a build): one passed test if it succeeds, one failed
/// if not.
pub(crate) fn run_check(label: &str, cmd: &mut Command, tally: &mut Tally) {
    println!("==> {label}");
    if cmd.get_current_dir().is_none() {
        cmd.current_dir(root());
    }
    let ok = cmd.status().is_ok_and(|s| s.success());
    if ok {
        println!("test result: ok. 1 passed; 0 failed ({label})");
        tally.passed += 1;
    } else {
        eprintln!("xtask: {label}: failed");
        tally.failed += 1;
    }
}

fn test() -> Result<(), String> {
    let tools = setup::run()?;
    report_disk("before the tests");
    let mut tally = Tally::default();

    run_tests(
        "native tests (wire types, server, SPA logic, doc tests)",
        cargo().args([
            "test",
            "--no-fail-fast",
            "--workspace",
            "--exclude",
            "gatehouse-e2e",
        ]),
        &mut tally,
    );

    run_tests(
        "the pre-renderer's tests (native, feature prerender)",
        cargo().args([
            "test",
            "--no-fail-fast",
            "-p",
            "gatehouse",
            "--features",
            "prerender",
            "--lib",
            "prerender::",
        ]),
        &mut tally,
    );

    run_check(
        "the client crate's example app builds (gatehouse-client, examples/minimal.rs)",
        cargo().args([
            "build",
            "-p",
            "gatehouse-client",
            "--example",
            "minimal",
            "--target",
            "wasm32-unknown-unknown",
        ]),
        &mut tally,
    );

    run_tests(
        "client and SPA browser tests (wasm-bindgen-test in headless Chromium)",
        cargo()
            .args([
                "test",
                "--no-fail-fast",
                "-p",
                "gatehouse-client",
                "-p",
                "gatehouse",
                "--target",
                "wasm32-unknown-unknown",
                "--tests",
            ])
            .env("PATH", &tools.path)
            .env(
                "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
                "wasm-bindgen-test-runner",
            )
            .env("CHROMEDRIVER", &tools.chromedriver)
            .env(
                "WASM_BINDGEN_TEST_WEBDRIVER_JSON",
                root().join("client/tests/webdriver.json"),
            )
            .env("WASM_BINDGEN_TEST_TIMEOUT", "120"),
        &mut tally,
    );

    let e2e_ready =
        build_spa(&tools).and_then(|()| sh(cargo().args(["build", "-p", "gatehouse-server"])));
    if e2e_ready.is_ok() {
        contract::test(
            &tools,
            &target_dir().join("debug/gatehouse-server"),
            &mut tally,
        );
    }

    let mut journeys = cargo();
    journeys.args(["test", "--no-fail-fast", "-p", "gatehouse-e2e"]);
    e2e_env(&mut journeys, &tools);
    match e2e_ready {
        Ok(()) => run_tests(
            "end-to-end journeys (server binary + release SPA in headless Chromium)",
            &mut journeys,
            &mut tally,
        ),
        Err(e) => {
            eprintln!("xtask: could not build for the end-to-end tests: {e}");
            tally.failed += 1;
        }
    }

    report_disk("after the tests");
    println!("{} passed, {} failed", tally.passed, tally.failed);
    if tally.failed == 0 {
        Ok(())
    } else {
        Err("some tests failed".into())
    }
}

/// Prints the build directory's size and the disk's free space. A build that fills the disk fails
/// in the linker with a bus error, which names no cause; this line does.
fn report_disk(when: &str) {
    let target = target_dir();
    let read = |cmd: &mut Command| {
        cmd.output()
            .ok()
            .filter(|o| o.status.success())
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| {
                s.lines()
                    .last()
                    .map(|l| l.split_whitespace().next().unwrap_or("").to_string())
            })
            .unwrap_or_else(|| "?".into())
    };
    let used = read(Command::new("du").arg("-sh").arg(&target));
    let free = read(
        Command::new("df")
            .args(["-h", "--output=avail"])
            .arg(&target),
    );
    println!("==> disk {when}: the build directory holds {used}, {free} free");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libtest_summary_lines_are_tallied_and_other_lines_ignored() {
        let mut t = Tally::default();
        assert!(t.add_line("test result: ok. 12 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.2s"));
        assert!(t.add_line(
            "test result: FAILED. 3 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out"
        ));
        assert!(!t.add_line("test foo ... ok"));
        assert!(!t.add_line("running 3 tests"));
        assert_eq!(
            t,
            Tally {
                passed: 15,
                failed: 2
            }
        );
    }
}
