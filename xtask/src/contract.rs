//! The contract test: the OpenAPI document validates, and schemathesis, driven by it, finds
//! nothing wrong with the real server (no 5xx, every status documented, every body as its
//! schema says, every secured operation refusing a request without the session), sending every
//! request signed in with a CSRF token (`e2e/contract/hooks.py`).

use std::io::Write;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use gatehouse_api::Endpoint;
use gatehouse_api::endpoints::GetOpenApi;

use crate::setup::Tools;
use crate::{Tally, root, run_check};

/// The test's administrator.
const USER: &str = "contract";
const PASSWORD: &str = "velvet-otter-climbs-9-ladders";

/// Examples schemathesis tries per operation and phase (about 30 s here; under 3 minutes).
const EXAMPLES: &str = "100";

fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(listener.local_addr().map_err(|e| e.to_string())?.port())
}

/// Runs `server user add NAME [--admin]` with the password on stdin.
fn add_account(server: &Path, database: &str, name: &str, admin: bool) -> Result<(), String> {
    let mut cmd = Command::new(server);
    cmd.args(["--database-url", database, "user", "add", name]);
    if admin {
        cmd.arg("--admin");
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| e.to_string())?;
    child
        .stdin
        .take()
        .expect("piped")
        .write_all(format!("{PASSWORD}\n").as_bytes())
        .map_err(|e| e.to_string())?;
    let status = child.wait().map_err(|e| e.to_string())?;
    status
        .success()
        .then_some(())
        .ok_or_else(|| format!("could not add the account {name}"))
}

/// Validates the document and runs schemathesis against `server`, counting one test each.
pub fn test(tools: &Tools, server: &Path, tally: &mut Tally) {
    run_check(
        "the API contract (docs/openapi.json) is valid OpenAPI 3.1",
        Command::new(&tools.python)
            .args(["-m", "openapi_spec_validator"])
            .arg(root().join("docs/openapi.json")),
        tally,
    );
    match fuzz(tools, server) {
        Ok(mut st) => run_check(
            "the server against its contract (schemathesis)",
            &mut st.0,
            tally,
        ),
        Err(e) => {
            eprintln!("xtask: the contract test could not start: {e}");
            tally.failed += 1;
        }
    }
}

/// The schemathesis command, with the server it runs against (killed when dropped).
struct Fuzz(Command, #[allow(dead_code)] ServerGuard);

/// The server process and its folder: killed and removed when dropped.
struct ServerGuard(std::process::Child, #[allow(dead_code)] tempfile_dir::Dir);

impl Drop for ServerGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A temporary folder, removed when dropped (xtask keeps to few dependencies).
mod tempfile_dir {
    use std::path::PathBuf;

    pub struct Dir(pub PathBuf);

    impl Dir {
        pub fn new(name: &str) -> std::io::Result<Self> {
            let path = std::env::temp_dir().join(format!("{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&path);
            std::fs::create_dir_all(&path)?;
            Ok(Self(path))
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

fn fuzz(tools: &Tools, server: &Path) -> Result<Fuzz, String> {
    let dir = tempfile_dir::Dir::new("gatehouse-contract").map_err(|e| e.to_string())?;
    let database = format!("sqlite://{}", dir.0.join("contract.db").display());
    // The fuzzer's own account first (id 1, which the hooks keep it away from), then others
    // for the administrators' operations to act on.
    add_account(server, &database, USER, true)?;
    for name in ["ann", "bob", "carol"] {
        add_account(server, &database, name, false)?;
    }
    let port = free_port()?;
    let base = format!("http://127.0.0.1:{port}");
    let log = std::fs::File::create(dir.0.join("server.log")).map_err(|e| e.to_string())?;
    let child = Command::new(server)
        .args([
            "--database-url",
            &database,
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .arg("--dist")
        .arg(root().join("dist"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .map_err(|e| e.to_string())?;
    let guard = ServerGuard(child, dir);
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            return Err("the server did not start".into());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let st = tools.python.with_file_name("st");
    // Run from the build folder so its cache (`.schemathesis/`) stays out of the tree.
    let cache = crate::target_dir();
    std::fs::create_dir_all(&cache).map_err(|e| e.to_string())?;
    let mut cmd = Command::new(st);
    cmd.current_dir(cache)
        .arg("run")
        .arg(format!("{base}{}", GetOpenApi::PATH))
        .args([
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,\
             response_headers_conformance,response_schema_conformance,ignored_auth",
            "--max-examples",
            EXAMPLES,
            // One worker: hypothesis describes strategies with `ast.parse`, which two threads of
            // Python 3.11 at once can break ("AST constructor recursion depth mismatch").
            "--workers",
            "1",
            // The session is the hooks' business (a cookie and the CSRF header, renewed);
            // generated values for the security schemes would fight them.
            "--generation-with-security-parameters",
            "false",
            "--seed",
            "20261124",
            "--generation-database",
            "none",
            "--no-color",
            // Signing out would end the run's session; it is tested everywhere else.
            "--exclude-operation-id",
            "Logout",
        ])
        .env("SCHEMATHESIS_HOOKS", "hooks")
        .env("PYTHONPATH", root().join("e2e/contract"))
        .env("GATEHOUSE_CONTRACT_URL", &base)
        .env("GATEHOUSE_CONTRACT_USER", USER)
        .env("GATEHOUSE_CONTRACT_PASSWORD", PASSWORD)
        .env("GATEHOUSE_CONTRACT_ACCOUNT_ID", "1");
    Ok(Fuzz(cmd, guard))
}
