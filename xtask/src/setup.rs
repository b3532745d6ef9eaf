//! `cargo xtask setup`: installs only what is missing or at the wrong version, saying what it
//! does. Versions are the ones known to work on these machines (see the README).

use std::env;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{cargo, root, sh};

/// The Trunk release that builds with this toolchain (0.22 needs a newer rustc).
const TRUNK_VERSION: &str = "0.21.14";
/// wasm-split-cli (crate `wasm_split_cli_support`), for the `wasm_split_helpers` in Cargo.lock.
const WASM_SPLIT_VERSION: &str = "0.2.4";
/// npm's binaryen; Debian's (108) cannot read what rustc 1.95 emits.
const BINARYEN_VERSION: &str = "132.0.0";
const WASM_OPT_VERSION: &str = "version 132";
/// axe-core, the accessibility checker the look-over journey runs on every page.
const AXE_VERSION: &str = "4.14.1";
/// esbuild, which minifies the JS glue after Trunk (whose minifier rejects wasm-bindgen's output).
const ESBUILD_VERSION: &str = "0.25.12";
/// schemathesis (the contract test) and the OpenAPI validator, from PyPI into tools/venv.
const SCHEMATHESIS_VERSION: &str = "4.32.5";
const OPENAPI_VALIDATOR_VERSION: &str = "0.9.0";

/// Where the tools are, once present.
pub struct Tools {
    /// The `trunk` binary.
    pub trunk: PathBuf,
    /// `PATH` with the project's tools first (wasm-opt, wasm-bindgen, trunk).
    pub path: OsString,
    /// Debian's Chromium.
    pub chromium: PathBuf,
    /// Debian's ChromeDriver, matching it.
    pub chromedriver: PathBuf,
    /// The Python of tools/venv, with schemathesis and openapi-spec-validator.
    pub python: PathBuf,
    /// axe-core's `axe.min.js`.
    pub axe: PathBuf,
    /// esbuild's binary.
    pub esbuild: PathBuf,
    /// wasm-split-cli's binary (in tools/cargo).
    pub wasm_split: PathBuf,
}

fn cargo_bin() -> PathBuf {
    env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))
        .unwrap_or_default()
        .join("bin")
}

fn tools_dir() -> PathBuf {
    root().join("tools")
}

/// The first line a command prints for `--version`, if it runs.
fn version_of(program: &Path, path: &OsString) -> Option<String> {
    let out = Command::new(program)
        .arg("--version")
        .env("PATH", path)
        .output()
        .ok()?;
    out.status.success().then(|| {
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .unwrap_or_default()
            .trim()
            .to_string()
    })
}

/// Finds `name` on `path`.
fn which(name: &str, path: &OsString) -> Option<PathBuf> {
    env::split_paths(path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// The version of package `name` in Cargo.lock.
pub fn locked_version(lock: &str, name: &str) -> Option<String> {
    let needle = format!("name = \"{name}\"\n");
    let at = lock.find(&needle)? + needle.len();
    let line = lock[at..].lines().next()?;
    Some(
        line.strip_prefix("version = \"")?
            .strip_suffix('"')?
            .to_string(),
    )
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

/// `cargo install --force ARGS` unless `program --version` prints `want`; whether it installed.
fn cargo_install(
    program: &Path,
    want: &str,
    takes: &str,
    path: &OsString,
    args: &[&str],
) -> Result<bool, String> {
    match version_of(program, path) {
        Some(v) if v == want => {
            println!("    ok  {v}");
            Ok(false)
        }
        found => {
            let found = found.as_deref().unwrap_or("none");
            println!("    installing {want} (found: {found}; takes {takes})");
            sh(cargo().arg("install").args(args).arg("--force"))?;
            Ok(true)
        }
    }
}

/// Installs Debian `package` unless `program` is on PATH.
pub fn ensure_apt(program: &str, package: &str) -> Result<(), String> {
    if which(program, &env::var_os("PATH").unwrap_or_default()).is_some() {
        println!("    ok  {program}");
        return Ok(());
    }
    apt_install(&[package])
}

/// `apt-get install` as root; otherwise an error naming the packages to install.
fn apt_install(packages: &[&str]) -> Result<(), String> {
    let names = packages.join(" ");
    if !is_root() {
        return Err(format!(
            "missing Debian packages: run `sudo apt-get install -y {names}`, then this again"
        ));
    }
    println!("    installing {names} with apt-get");
    sh(Command::new("apt-get")
        .arg("update")
        .env("DEBIAN_FRONTEND", "noninteractive"))?;
    sh(Command::new("apt-get")
        .args(["install", "-y", "--no-install-recommends"])
        .args(packages)
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

/// Checks and installs everything; returns where the tools are.
pub fn run() -> Result<Tools, String> {
    println!("==> setup: checking tools");
    let path = env::join_paths(
        [tools_dir().join("node_modules/.bin"), cargo_bin()]
            .into_iter()
            .chain(env::split_paths(&env::var_os("PATH").unwrap_or_default())),
    )
    .map_err(|e| e.to_string())?;
    let mut installed = Vec::new();

    // The wasm32 target.
    let targets = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map_err(|e| format!("rustup is needed to add the wasm32 target: {e}"))?;
    if String::from_utf8_lossy(&targets.stdout).contains("wasm32-unknown-unknown") {
        println!("    ok  wasm32-unknown-unknown target");
    } else {
        println!("    installing the wasm32-unknown-unknown target");
        sh(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
        installed.push("wasm32 target");
    }

    // Trunk.
    let trunk = cargo_bin().join("trunk");
    if cargo_install(
        &trunk,
        &format!("trunk {TRUNK_VERSION}"),
        "~6 minutes",
        &path,
        &["trunk", "--version", TRUNK_VERSION, "--locked"],
    )? {
        installed.push("trunk");
    }

    // wasm-bindgen CLI at exactly the Cargo.lock version, which Trunk.toml must name too.
    let lock = std::fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|e| format!("Cargo.lock: {e}"))?;
    let bindgen =
        locked_version(&lock, "wasm-bindgen").ok_or("wasm-bindgen is not in Cargo.lock")?;
    let trunk_toml = std::fs::read_to_string(root().join("Trunk.toml"))
        .map_err(|e| format!("Trunk.toml: {e}"))?;
    if !trunk_toml.contains(&format!("wasm_bindgen = \"{bindgen}\"")) {
        return Err(format!(
            "Trunk.toml's [tools] wasm_bindgen must equal Cargo.lock's wasm-bindgen ({bindgen})"
        ));
    }
    // Without --locked: its lock file pins a crate version the registry mirror lacks.
    let wasm_bindgen = cargo_bin().join("wasm-bindgen");
    let want = format!("wasm-bindgen {bindgen}");
    let args = ["wasm-bindgen-cli", "--version", &bindgen];
    if cargo_install(&wasm_bindgen, &want, "~2 minutes", &path, &args)? {
        installed.push("wasm-bindgen-cli");
    }

    // wasm-split-cli, which cuts the shipped wasm into parts (`split.rs`), into tools/cargo.
    // It has no `--version`: cargo's record of what it installed there says.
    let split_root = tools_dir().join("cargo");
    let wasm_split = split_root.join("bin/wasm-split-cli");
    let record = format!("\"wasm_split_cli_support {WASM_SPLIT_VERSION} ");
    if wasm_split.exists()
        && std::fs::read_to_string(split_root.join(".crates.toml"))
            .is_ok_and(|installed| installed.contains(&record))
    {
        println!("    ok  wasm-split-cli {WASM_SPLIT_VERSION}");
    } else {
        println!(
            "    installing wasm-split-cli {WASM_SPLIT_VERSION} into tools/cargo (~1.5 minutes)"
        );
        sh(cargo()
            .args([
                "install",
                "wasm_split_cli_support",
                "--version",
                WASM_SPLIT_VERSION,
            ])
            .args([
                "--features",
                "build-binary",
                "--locked",
                "--force",
                "--root",
            ])
            .arg(&split_root))?;
        installed.push("wasm-split-cli");
    }

    // wasm-opt from npm's binaryen, axe-core and esbuild, into tools/ (git-ignored). One
    // install for all: npm removes what a later install does not name.
    let wasm_opt = tools_dir().join("node_modules/.bin/wasm-opt");
    let axe = tools_dir().join("node_modules/axe-core/axe.min.js");
    let axe_ok = axe.exists()
        && std::fs::read_to_string(tools_dir().join("node_modules/axe-core/package.json"))
            .is_ok_and(|json| json.contains(&format!("\"version\": \"{AXE_VERSION}\"")));
    let esbuild = tools_dir().join("node_modules/.bin/esbuild");
    let esbuild_ok = version_of(&esbuild, &path).is_some_and(|v| v == ESBUILD_VERSION);
    match version_of(&wasm_opt, &path) {
        Some(v) if v.contains(WASM_OPT_VERSION) && axe_ok && esbuild_ok => {
            println!("    ok  {v}; axe-core {AXE_VERSION}; esbuild {ESBUILD_VERSION}");
        }
        _ => {
            println!(
                "    installing wasm-opt (npm binaryen@{BINARYEN_VERSION}), axe-core@{AXE_VERSION} and esbuild@{ESBUILD_VERSION} into tools/"
            );
            std::fs::create_dir_all(tools_dir()).map_err(|e| e.to_string())?;
            sh(Command::new("npm").args([
                "install",
                "--prefix",
                "tools",
                "--no-audit",
                "--no-fund",
                "--no-save",
                &format!("binaryen@{BINARYEN_VERSION}"),
                &format!("axe-core@{AXE_VERSION}"),
                &format!("esbuild@{ESBUILD_VERSION}"),
            ]))?;
            installed.push("wasm-opt, axe-core and esbuild");
        }
    }

    // schemathesis and openapi-spec-validator from PyPI, in a virtual environment in tools/.
    let venv = tools_dir().join("venv");
    let python = venv.join("bin/python");
    let st = venv.join("bin/st");
    match version_of(&st, &path) {
        Some(v) if v.ends_with(SCHEMATHESIS_VERSION) => println!("    ok  {v}"),
        _ => {
            println!("    installing schemathesis {SCHEMATHESIS_VERSION} into tools/venv (~20 s)");
            std::fs::create_dir_all(tools_dir()).map_err(|e| e.to_string())?;
            sh(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
            sh(Command::new(&python).args([
                "-m",
                "pip",
                "install",
                "--quiet",
                &format!("schemathesis=={SCHEMATHESIS_VERSION}"),
                &format!("openapi-spec-validator=={OPENAPI_VALIDATOR_VERSION}"),
            ]))?;
            installed.push("schemathesis");
        }
    }

    // Debian's Chromium and ChromeDriver.
    let (mut chromium, mut chromedriver) = (which("chromium", &path), which("chromedriver", &path));
    if chromium.is_some() && chromedriver.is_some() {
        println!("    ok  chromium and chromedriver");
    } else {
        apt_install(&["chromium", "chromium-driver"])?;
        installed.push("chromium");
        chromium = which("chromium", &path);
        chromedriver = which("chromedriver", &path);
    }
    let chromium = chromium.ok_or("chromium is not on PATH after installing it")?;
    let chromedriver = chromedriver.ok_or("chromedriver is not on PATH after installing it")?;

    // Debian's PostgreSQL and Redis servers, which the scale-out tests start on loopback.
    let postgres = std::fs::read_dir("/usr/lib/postgresql").is_ok_and(|versions| {
        versions
            .flatten()
            .any(|v| v.path().join("bin/postgres").exists())
    });
    let redis = which("redis-server", &path).is_some();
    if postgres && redis {
        println!("    ok  postgresql and redis-server");
    } else {
        apt_install(&["postgresql", "redis-server"])?;
        installed.push("postgresql and redis-server");
    }

    if installed.is_empty() {
        println!("    everything is present");
    } else {
        println!("    installed: {}", installed.join(", "));
    }
    Ok(Tools {
        trunk,
        path,
        chromium,
        chromedriver,
        python,
        axe,
        esbuild,
        wasm_split,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_locked_version_of_a_package_is_read_from_cargo_lock() {
        let lock = "[[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\n\n[[package]]\nname = \"wasm-bindgen-futures\"\nversion = \"0.4.5\"\n";
        assert_eq!(
            locked_version(lock, "wasm-bindgen").as_deref(),
            Some("0.2.130")
        );
        assert_eq!(
            locked_version(lock, "wasm-bindgen-futures").as_deref(),
            Some("0.4.5")
        );
        assert_eq!(locked_version(lock, "trunk"), None);
    }

    #[test]
    fn this_repository_pins_trunk_to_the_locked_wasm_bindgen() {
        let lock = std::fs::read_to_string(root().join("Cargo.lock")).unwrap();
        let trunk = std::fs::read_to_string(root().join("Trunk.toml")).unwrap();
        let v = locked_version(&lock, "wasm-bindgen").unwrap();
        assert!(
            trunk.contains(&format!("wasm_bindgen = \"{v}\"")),
            "Trunk.toml must name {v}"
        );
    }
}
