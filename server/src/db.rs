//! The database (SQLite by default, PostgreSQL for several instances), its embedded
//! migrations, and time stamps as the database keeps them.
//!
//! Queries are written once, with `$1`-style parameters that both drivers accept, and run on
//! whichever pool is configured through [`on_pool!`]: each arm is compiled against its own
//! driver, so there is no dynamic `Any` layer between a handler and its rows.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Connections per instance; several instances on PostgreSQL each keep up to this many.
pub const MAX_CONNECTIONS: u32 = 8;

/// A pool on one of the two supported databases.
#[derive(Clone, Debug)]
pub enum Db {
    /// A local SQLite file (the default): one server process.
    Sqlite(SqlitePool),
    /// PostgreSQL, shared by any number of server instances.
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the concrete pool inside `$db`.
///
/// ```ignore
/// let n: i64 = on_pool!(&db, pool => sqlx::query_scalar("SELECT count(*) FROM users").fetch_one(pool).await)?;
/// ```
macro_rules! on_pool {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($pool) => $body,
            $crate::db::Db::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

/// Why a database URL was refused before trying it.
#[derive(Debug, thiserror::Error)]
#[error("unsupported URL scheme {0:?}: use sqlite://PATH or postgres://USER@HOST/DB")]
pub struct UnsupportedUrl(String);

/// Which database a URL names: the one place that knows the supported schemes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// `sqlite:`
    Sqlite,
    /// `postgres:` or `postgresql:`
    Postgres,
}

impl Backend {
    /// The backend for `url`, judged by its scheme alone (the rest may hold a password).
    pub fn of(url: &str) -> Result<Self, UnsupportedUrl> {
        match url.split_once(':').map_or(url, |(scheme, _)| scheme) {
            "sqlite" => Ok(Self::Sqlite),
            "postgres" | "postgresql" => Ok(Self::Postgres),
            other => Err(UnsupportedUrl(other.to_string())),
        }
    }
}

impl Db {
    /// `sqlite` or `postgres`, as the health check reports it.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }

    /// Whether the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        on_pool!(self, pool => sqlx::query("SELECT 1").execute(pool).await.is_ok())
    }
}

/// Opens the database at `url` (`sqlite://…` or `postgres://…`) and migrates it.
///
/// SQLite: the file and its folder are created; WAL with `synchronous = NORMAL`, so a crash of
/// the process loses nothing committed and only a power cut can lose the last transactions.
/// PostgreSQL: instances starting together are serialized by the migrator's advisory lock.
pub async fn connect(url: &str) -> Result<Db, Box<dyn std::error::Error + Send + Sync>> {
    match Backend::of(url)? {
        Backend::Sqlite => Ok(Db::Sqlite(connect_sqlite(url).await?)),
        Backend::Postgres => {
            let pool = PgPoolOptions::new()
                .max_connections(MAX_CONNECTIONS)
                .acquire_timeout(Duration::from_secs(3))
                .connect(url)
                .await?;
            sqlx::migrate!("./migrations/postgres").run(&pool).await?;
            Ok(Db::Postgres(pool))
        }
    }
}

async fn connect_sqlite(url: &str) -> Result<SqlitePool, sqlx::Error> {
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5));
    let file = options.get_filename();
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty())
        && file.as_os_str() != ":memory:"
    {
        std::fs::create_dir_all(dir)?;
    }
    let pool = SqlitePoolOptions::new()
        .max_connections(MAX_CONNECTIONS)
        .acquire_timeout(Duration::from_secs(3))
        .connect_with(options)
        .await?;
    sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
    Ok(pool)
}

/// Seconds since the Unix epoch, the form time stamps are stored in.
pub fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// A stored time stamp as RFC 3339 (UTC), the form it crosses the wire in.
pub fn rfc3339(unix_seconds: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix_seconds)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .format(&Rfc3339)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_stamps_cross_the_wire_as_rfc3339_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
    }

    #[tokio::test]
    async fn connect_creates_the_folder_and_the_file_and_migrates() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/deeper/g.db");
        let db = connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        assert!(path.exists());
        assert_eq!(db.kind(), "sqlite");
        let n: i64 = on_pool!(&db, pool => sqlx::query_scalar("SELECT count(*) FROM users")
            .fetch_one(pool)
            .await)
        .unwrap();
        assert_eq!(n, 0);
    }

    #[tokio::test]
    async fn an_unknown_database_scheme_is_refused_without_echoing_the_url() {
        let err = connect("mysql://root:hunter2@db/x").await.unwrap_err();
        let text = err.to_string();
        assert!(text.contains("\"mysql\""), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
    }

    #[test]
    fn the_two_databases_have_the_same_migrations() {
        let sqlite = sqlx::migrate!("./migrations/sqlite");
        let postgres = sqlx::migrate!("./migrations/postgres");
        let steps = |m: &sqlx::migrate::Migrator| {
            m.iter()
                .map(|s| (s.version, s.description.to_string()))
                .collect::<Vec<_>>()
        };
        assert_eq!(steps(&sqlite), steps(&postgres));
        assert!(!steps(&sqlite).is_empty());
    }
}
