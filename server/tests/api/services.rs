//! Real PostgreSQL and Redis servers on loopback for the scale-out tests, from Debian's
//! packages (`cargo xtask setup` installs them). They run as children of this test process:
//! PostgreSQL once for the whole run (a database per test), Redis once per test (so a test
//! can kill it). Each is told by the kernel to end when this process does.

use std::collections::HashSet;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// How long a service may take to start.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// A free loopback port (free when asked; the service binds it right after), never one handed
/// out before in this run. The tests run side by side, and a service is restarted on its own
/// port: without the registry, a port freed by a killed Redis could be handed to another
/// test's Redis, and the first test's restart would then ping, and use, the other one.
pub fn free_port() -> u16 {
    static HANDED_OUT: OnceLock<Mutex<HashSet<u16>>> = OnceLock::new();
    let mut handed_out = HANDED_OUT.get_or_init(Default::default).lock().unwrap();
    loop {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        if handed_out.insert(port) {
            return port;
        }
    }
}

#[test]
fn no_port_is_handed_out_twice_in_a_run() {
    let mut seen = HashSet::new();
    for _ in 0..3_000 {
        assert!(seen.insert(free_port()), "a port handed out twice");
    }
}

/// A command for `program` that the kernel ends with `signal` when the thread that spawned it
/// ends (util-linux `setpriv --pdeathsig`, which then execs `program` in place); run as `user`
/// if given.
pub fn dying_with_parent(signal: &str, user: Option<&str>, program: &Path) -> Command {
    let mut cmd = Command::new("setpriv");
    cmd.args(["--pdeathsig", signal]);
    if let Some(user) = user {
        cmd.args([
            format!("--reuid={user}"),
            format!("--regid={user}"),
            "--clear-groups".into(),
        ]);
    }
    cmd.arg("--").arg(program);
    cmd
}

fn installed(what: &str, candidates: &[PathBuf]) -> PathBuf {
    candidates
        .iter()
        .find(|p| p.exists())
        .cloned()
        .unwrap_or_else(|| {
            panic!("{what} is not installed: run `cargo xtask setup` (installs Debian's packages)")
        })
}

fn wait_until(what: &str, log: &Path, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + START_TIMEOUT;
    while !ready() {
        assert!(
            Instant::now() < deadline,
            "{what} did not start; its log:\n{}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The PostgreSQL server of this test run.
pub struct Postgres {
    port: u16,
    next_database: AtomicU32,
}

/// The run's PostgreSQL, started on first use.
pub fn postgres() -> &'static Postgres {
    static PG: OnceLock<Postgres> = OnceLock::new();
    PG.get_or_init(|| {
        // The server is spawned from a thread that lives as long as the process, so the
        // parent-death signal fires when the test run ends, not when the first test does.
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            // Waits as long as PostgreSQL runs, which is until this process ends.
            let _ = start_postgres(&tx).wait();
        });
        rx.recv().expect("PostgreSQL start-up thread panicked")
    })
}

/// Whether this process runs as root (which `postgres` refuses to).
fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

fn start_postgres(ready: &std::sync::mpsc::Sender<Postgres>) -> Child {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.path().join("bin"))
                .collect()
        })
        .unwrap_or_default();
    versions.sort();
    let bin = installed(
        "PostgreSQL",
        &versions
            .iter()
            .rev()
            .map(|b| b.join("postgres"))
            .collect::<Vec<_>>(),
    );
    let initdb = bin.with_file_name("initdb");

    // One folder per run, named by pid; folders of runs that are over are removed.
    let root = std::env::temp_dir();
    for entry in std::fs::read_dir(&root).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(pid) = name.strip_prefix("gatehouse-pg-")
            && !Path::new("/proc").join(pid).exists()
        {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
    let dir = root.join(format!("gatehouse-pg-{}", std::process::id()));
    let data = dir.join("data");
    std::fs::create_dir_all(&dir).unwrap();
    let user = is_root().then_some("postgres");
    if user.is_some() {
        let chown = Command::new("chown")
            .arg("postgres:postgres")
            .arg(&dir)
            .status()
            .unwrap();
        assert!(
            chown.success(),
            "no `postgres` user: run `cargo xtask setup`"
        );
    }
    let log = dir.join("postgres.log");
    let mut init = dying_with_parent("KILL", user, &initdb);
    init.arg("-D")
        .arg(&data)
        .args([
            "-U",
            "gatehouse",
            "--auth=trust",
            "--no-sync",
            "--no-locale",
        ])
        .args(["-E", "UTF8"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let out = init.output().expect("initdb runs");
    assert!(
        out.status.success(),
        "initdb failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    let port = free_port();
    let mut server = dying_with_parent("QUIT", user, &bin);
    server
        .arg("-D")
        .arg(&data)
        .args(["-p", &port.to_string()])
        .args([
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            "unix_socket_directories=",
        ])
        // Test speed only: these tests restart server instances, never PostgreSQL.
        .args(["-c", "fsync=off", "-c", "synchronous_commit=off"])
        .args(["-c", "max_connections=300"])
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap());
    let child = server.spawn().expect("postgres starts");

    let admin = format!("postgres://gatehouse@127.0.0.1:{port}/postgres");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    wait_until("PostgreSQL", &log, || {
        runtime.block_on(async {
            use sqlx::Connection;
            sqlx::PgConnection::connect(&admin).await.is_ok()
        })
    });
    ready
        .send(Postgres {
            port,
            next_database: AtomicU32::new(0),
        })
        .unwrap();
    child
}

impl Postgres {
    /// A new, empty database; its URL.
    pub async fn new_database(&self) -> String {
        use sqlx::{Connection, Executor};
        let n = self.next_database.fetch_add(1, Ordering::Relaxed);
        let name = format!("test_{n}");
        let admin = format!("postgres://gatehouse@127.0.0.1:{}/postgres", self.port);
        let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
        conn.execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .unwrap();
        format!("postgres://gatehouse@127.0.0.1:{}/{name}", self.port)
    }
}

/// A Redis server for one test, with an append-only file synced on every write, so that a
/// killed and restarted server has lost nothing. Killed when dropped.
pub struct Redis {
    port: u16,
    dir: tempfile::TempDir,
    child: Option<Child>,
}

impl Redis {
    pub fn start() -> Self {
        let mut redis = Self {
            port: free_port(),
            dir: tempfile::tempdir().unwrap(),
            child: None,
        };
        redis.start_again();
        redis
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Starts the server (again) on the same port and data.
    pub fn start_again(&mut self) {
        assert!(self.child.is_none(), "already running");
        let bin = installed(
            "Redis",
            &[
                PathBuf::from("/usr/bin/redis-server"),
                PathBuf::from("/usr/local/bin/redis-server"),
            ],
        );
        let log = self.dir.path().join("redis.log");
        let mut cmd = dying_with_parent("KILL", None, &bin);
        cmd.args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .arg("--dir")
            .arg(self.dir.path())
            .args([
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--save",
                "",
            ])
            .args(["--daemonize", "no", "--protected-mode", "no"])
            .stdout(
                std::fs::File::options()
                    .create(true)
                    .append(true)
                    .open(&log)
                    .unwrap(),
            )
            .stderr(Stdio::null());
        self.child = Some(cmd.spawn().expect("redis-server starts"));
        let port = self.port;
        wait_until("Redis", &log, || ping(port));
    }

    /// Kills the server at once, as a crash would.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Whether a Redis server answers `PING` on `port`.
fn ping(port: u16) -> bool {
    use std::io::{Read, Write};
    let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(1)));
    let mut reply = [0u8; 7];
    s.write_all(b"PING\r\n").is_ok() && s.read_exact(&mut reply).is_ok() && &reply == b"+PONG\r\n"
}
