//! The database (SQLite by default, PostgreSQL for several instances), its embedded
//! migrations, and time stamps as the database keeps them.
//!
//! Queries are written once, with `$1`-style parameters that both drivers accept, and run on
//! whichever pool is configured through [`on_pool!`]: each arm is compiled against its own
//! driver, so there is no dynamic `Any` layer between a handler and its rows.

use std::str::FromStr;
use std::time::Duration;

use deadpool::managed::{self, Metrics, Object, PoolError, RecycleError, RecycleResult};
use futures_util::TryStreamExt;
use futures_util::future::BoxFuture;
use futures_util::stream::BoxStream;
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqliteQueryResult, SqliteRow, SqliteStatement,
    SqliteSynchronous, SqliteTypeInfo,
};
use sqlx::{
    ConnectOptions, Connection, Describe, Either, Execute, Executor, PgPool, Sqlite,
    SqliteConnection,
};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Connections per instance; several instances on PostgreSQL each keep up to this many.
pub const MAX_CONNECTIONS: u32 = 8;

/// A pool on one of the two supported databases.
#[derive(Clone, Debug)]
pub enum Db {
    /// A local SQLite file (the default): one server process.
    Sqlite(SqliteConnections),
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
            $crate::data::db::Db::Sqlite($pool) => $body,
            $crate::data::db::Db::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

/// A transaction on either database: the writes of one request, committed together or not at
/// all. Begun by [`Db::begin`]; ended by [`Tx::commit`], [`Tx::rollback`] or [`Tx::settle`]
/// (dropped unfinished, it is rolled back).
pub enum Tx {
    /// SQLite, begun `IMMEDIATE` (the write lock is taken at `BEGIN`, so a check made inside
    /// holds until the commit), in this process's turn (see [`SqliteConnections::begin`]).
    Sqlite(SqliteTx),
    /// PostgreSQL, at its default isolation (read committed).
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// Runs `$body` with `$conn` bound to the connection of the transaction `$tx` (a `&mut Tx`):
/// `&mut SqliteConnection` or `&mut PgConnection`, each arm compiled against its own driver
/// as [`on_pool!`]'s are. Reborrow it (`&mut *conn`) for each query.
macro_rules! on_tx {
    ($tx:expr, $conn:ident => $body:expr) => {
        match $tx {
            $crate::data::db::Tx::Sqlite(tx) => {
                let $conn = tx.connection();
                $body
            }
            $crate::data::db::Tx::Postgres(tx) => {
                let $conn: &mut sqlx::PgConnection = &mut *tx;
                $body
            }
        }
    };
}
pub(crate) use on_tx;

impl Tx {
    /// Makes the transaction's writes permanent.
    pub async fn commit(self) -> sqlx::Result<()> {
        match self {
            Self::Sqlite(tx) => tx.end("COMMIT").await,
            Self::Postgres(tx) => tx.commit().await,
        }
    }

    /// Undoes the transaction's writes.
    pub async fn rollback(self) -> sqlx::Result<()> {
        match self {
            Self::Sqlite(tx) => tx.end("ROLLBACK").await,
            Self::Postgres(tx) => tx.rollback().await,
        }
    }

    /// Commits if `outcome` is a success and rolls back if not, then returns it (or the
    /// commit's failure).
    pub async fn settle<T, E: From<sqlx::Error>>(self, outcome: Result<T, E>) -> Result<T, E> {
        match outcome {
            Ok(value) => {
                self.commit().await?;
                Ok(value)
            }
            Err(e) => {
                // The outcome says what went wrong; a failed rollback closes the connection.
                let _ = self.rollback().await;
                Err(e)
            }
        }
    }

    /// Waits until no other administration transaction runs, until this one ends: on
    /// PostgreSQL an advisory lock (instances share the database); on SQLite the write lock
    /// taken at `BEGIN` already does it.
    pub async fn exclusive(&mut self) -> sqlx::Result<()> {
        if let Self::Postgres(tx) = self {
            sqlx::query("SELECT pg_advisory_xact_lock(4242001)")
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }
}

/// A SQLite transaction on a connection of the pool, begun with a raw `BEGIN IMMEDIATE`
/// (sqlx's own `Transaction` borrows its connection, so it cannot be handed back to a caller
/// with the connection it runs on).
pub struct SqliteTx {
    connection: Option<Object<Connector>>,
    /// This process's writers take turns here, so none waits in SQLite's busy handler (which
    /// sleeps) while holding a connection the others need.
    _turn: tokio::sync::OwnedMutexGuard<()>,
}

impl SqliteTx {
    /// The connection the transaction runs on.
    pub fn connection(&mut self) -> &mut SqliteConnection {
        self.connection
            .as_mut()
            .expect("a transaction is open until it ends")
    }

    async fn end(mut self, statement: &'static str) -> sqlx::Result<()> {
        let mut connection = self.connection.take().expect("ended once");
        match connection.execute(statement).await {
            Ok(_) => Ok(()),
            Err(e) => {
                // Closing the connection ends whatever it was in the middle of.
                let _ = Object::take(connection);
                Err(e)
            }
        }
    }
}

impl Drop for SqliteTx {
    /// Unfinished (an error, or the request dropped midway): the connection is closed rather
    /// than handed out inside a transaction, which rolls the transaction back.
    fn drop(&mut self) {
        if let Some(connection) = self.connection.take() {
            let _ = Object::take(connection);
        }
    }
}

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

    /// Begins a transaction (see [`Tx`]).
    pub async fn begin(&self) -> sqlx::Result<Tx> {
        match self {
            Self::Sqlite(connections) => connections.begin().await.map(Tx::Sqlite),
            Self::Postgres(pool) => pool.begin().await.map(Tx::Postgres),
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

async fn connect_sqlite(url: &str) -> Result<SqliteConnections, sqlx::Error> {
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
    let connections = SqliteConnections::new(options, MAX_CONNECTIONS as usize)?;
    sqlx::migrate!("./migrations/sqlite")
        .run(&mut *connections.acquire().await?)
        .await?;
    Ok(connections)
}

/// The SQLite connections, up to [`MAX_CONNECTIONS`], handed out by deadpool rather than by
/// sqlx's pool.
///
/// sqlx runs each SQLite connection on its own thread, so every command is a hand-off to that
/// thread and back. Its pool adds two more to every query: a ping when the connection is taken
/// (`test_before_acquire`) and another when it is given back (always, in a spawned task). A
/// connection to a local file has nothing to test, so here a query is one hand-off, not three
/// (measured on one core: `/api/health` 89 → 64 µs of CPU a request and 5.8 → 1.9 context
/// switches, `/api/notes` 141 → 110 µs). A connection whose thread has ended is dropped from
/// the pool by the first query through `&SqliteConnections` that finds it so; one left inside
/// a transaction is closed before it is handed out again (see [`Connector`]'s `recycle`).
#[derive(Clone, Debug)]
pub struct SqliteConnections {
    pool: managed::Pool<Connector>,
    /// Whose turn it is to write (see [`SqliteTx`]).
    writer: std::sync::Arc<tokio::sync::Mutex<()>>,
}

/// Opens SQLite connections with the options the database was opened with.
#[derive(Debug)]
pub struct Connector(SqliteConnectOptions);

impl managed::Manager for Connector {
    type Type = SqliteConnection;
    type Error = sqlx::Error;

    async fn create(&self) -> Result<SqliteConnection, sqlx::Error> {
        self.0.connect().await
    }

    /// Before a connection is handed out again: nothing to test (one atomic load), unless it is
    /// inside a transaction. A dropped `Transaction` has queued its rollback, which a ping lets
    /// run. One whose `BEGIN` ran but whose future was dropped before it became a `Transaction`
    /// has not, and would keep SQLite's write lock, so it is closed (which rolls it back).
    async fn recycle(
        &self,
        connection: &mut SqliteConnection,
        _: &Metrics,
    ) -> RecycleResult<sqlx::Error> {
        if connection.is_in_transaction() {
            connection.ping().await?;
            if connection.is_in_transaction() {
                return Err(RecycleError::message("left inside a transaction"));
            }
        }
        Ok(())
    }
}

impl SqliteConnections {
    fn new(options: SqliteConnectOptions, max: usize) -> Result<Self, sqlx::Error> {
        managed::Pool::builder(Connector(options))
            .max_size(max)
            .wait_timeout(Some(Duration::from_secs(3)))
            .create_timeout(Some(Duration::from_secs(3)))
            .runtime(deadpool::Runtime::Tokio1)
            .build()
            .map(|pool| Self {
                pool,
                writer: Default::default(),
            })
            .map_err(|e| sqlx::Error::Configuration(e.into()))
    }

    /// Begins a write transaction: waits for this process's turn to write, then takes a
    /// connection and SQLite's write lock (`BEGIN IMMEDIATE`).
    pub async fn begin(&self) -> Result<SqliteTx, sqlx::Error> {
        let turn = self.writer.clone().lock_owned().await;
        let mut connection = self.acquire().await?;
        if let Err(e) = connection.execute("BEGIN IMMEDIATE").await {
            let _ = Object::take(connection);
            return Err(e);
        }
        Ok(SqliteTx {
            connection: Some(connection),
            _turn: turn,
        })
    }

    /// A connection of its own until the returned guard is dropped: for a transaction, or
    /// several statements in a row; a single query runs on `&SqliteConnections` directly.
    pub async fn acquire(&self) -> Result<Object<Connector>, sqlx::Error> {
        self.pool.get().await.map_err(|e| match e {
            PoolError::Backend(e) => e,
            PoolError::Timeout(_) => sqlx::Error::PoolTimedOut,
            PoolError::Closed => sqlx::Error::PoolClosed,
            e @ (PoolError::NoRuntimeSpecified | PoolError::PostCreateHook(_)) => {
                sqlx::Error::Configuration(e.to_string().into())
            }
        })
    }
}

/// `e`, after dropping `connection` from the pool if its thread has ended.
fn unless_crashed(connection: Object<Connector>, e: sqlx::Error) -> sqlx::Error {
    if matches!(e, sqlx::Error::WorkerCrashed) {
        let _ = Object::take(connection);
    }
    e
}

/// A query on `&SqliteConnections` takes a connection for as long as it runs, as one on
/// `&SqlitePool` would.
impl<'p> Executor<'p> for &SqliteConnections {
    type Database = Sqlite;

    fn fetch_many<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxStream<'e, Result<Either<SqliteQueryResult, SqliteRow>, sqlx::Error>>
    where
        'p: 'e,
        E: 'q + Execute<'q, Sqlite>,
    {
        let connections = self.clone();
        Box::pin(async_stream::try_stream! {
            let mut connection = connections.acquire().await?;
            let failed = {
                let mut results = connection.fetch_many(query);
                loop {
                    match results.try_next().await {
                        Ok(Some(result)) => yield result,
                        Ok(None) => break None,
                        Err(e) => break Some(e),
                    }
                }
            };
            if let Some(e) = failed {
                Err(unless_crashed(connection, e))?;
            }
        })
    }

    fn fetch_optional<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxFuture<'e, Result<Option<SqliteRow>, sqlx::Error>>
    where
        'p: 'e,
        E: 'q + Execute<'q, Sqlite>,
    {
        let connections = self.clone();
        Box::pin(async move {
            let mut connection = connections.acquire().await?;
            let result = connection.fetch_optional(query).await;
            result.map_err(|e| unless_crashed(connection, e))
        })
    }

    fn prepare_with<'e, 'q: 'e>(
        self,
        sql: &'q str,
        parameters: &'e [SqliteTypeInfo],
    ) -> BoxFuture<'e, Result<SqliteStatement<'q>, sqlx::Error>>
    where
        'p: 'e,
    {
        let connections = self.clone();
        Box::pin(async move {
            connections
                .acquire()
                .await?
                .prepare_with(sql, parameters)
                .await
        })
    }

    fn describe<'e, 'q: 'e>(
        self,
        sql: &'q str,
    ) -> BoxFuture<'e, Result<Describe<Sqlite>, sqlx::Error>>
    where
        'p: 'e,
    {
        let connections = self.clone();
        Box::pin(async move { connections.acquire().await?.describe(sql).await })
    }
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

    /// One connection to a fresh file with a table `t (n)`, so every query shares it.
    async fn one_connection() -> (tempfile::TempDir, SqliteConnections) {
        let dir = tempfile::tempdir().unwrap();
        let options = SqliteConnectOptions::from_str(&format!(
            "sqlite://{}",
            dir.path().join("t.db").display()
        ))
        .unwrap()
        .create_if_missing(true);
        let connections = SqliteConnections::new(options, 1).unwrap();
        sqlx::query("CREATE TABLE t (n INTEGER)")
            .execute(&connections)
            .await
            .unwrap();
        (dir, connections)
    }

    async fn count(connections: &SqliteConnections) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM t")
            .fetch_one(connections)
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn a_transaction_dropped_without_commit_is_rolled_back_before_its_connection_is_reused() {
        let (_dir, connections) = one_connection().await;
        {
            let mut connection = connections.acquire().await.unwrap();
            let mut tx = sqlx::Connection::begin(&mut *connection).await.unwrap();
            sqlx::query("INSERT INTO t VALUES (1)")
                .execute(&mut *tx)
                .await
                .unwrap();
        }
        assert_eq!(count(&connections).await, 0);
        let mut connection = connections.acquire().await.unwrap();
        let mut tx = sqlx::Connection::begin(&mut *connection).await.unwrap();
        sqlx::query("INSERT INTO t VALUES (2)")
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        drop(connection);
        assert_eq!(count(&connections).await, 1);
    }

    #[tokio::test]
    async fn a_connection_left_inside_a_transaction_is_not_handed_out_again() {
        // A transaction whose `BEGIN` ran but whose future was dropped before it became a
        // `Transaction` queues no rollback; forgetting one leaves a connection the same way.
        let (_dir, connections) = one_connection().await;
        let mut connection = connections.acquire().await.unwrap();
        let mut tx = sqlx::Connection::begin(&mut *connection).await.unwrap();
        sqlx::query("INSERT INTO t VALUES (1)")
            .execute(&mut *tx)
            .await
            .unwrap();
        std::mem::forget(tx);
        drop(connection);
        assert_eq!(count(&connections).await, 0);
        sqlx::query("INSERT INTO t VALUES (2)")
            .execute(&connections)
            .await
            .unwrap();
        assert_eq!(count(&connections).await, 1);
    }

    #[tokio::test]
    async fn a_query_dropped_midway_leaves_its_connection_usable() {
        let (_dir, connections) = one_connection().await;
        sqlx::query(
            "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 500) \
             INSERT INTO t SELECT n FROM s",
        )
        .execute(&connections)
        .await
        .unwrap();
        {
            let mut rows =
                sqlx::query_scalar::<_, i64>("SELECT n FROM t ORDER BY n").fetch(&connections);
            assert_eq!(rows.try_next().await.unwrap(), Some(1));
        }
        assert_eq!(count(&connections).await, 500);
        let last: i64 = sqlx::query_scalar("SELECT max(n) FROM t")
            .fetch_one(&connections)
            .await
            .unwrap();
        assert_eq!(last, 500);
    }

    #[tokio::test]
    async fn a_query_waits_for_a_busy_connection_instead_of_failing() {
        let (_dir, connections) = one_connection().await;
        let held = connections.acquire().await.unwrap();
        let waiting = tokio::spawn({
            let connections = connections.clone();
            async move { count(&connections).await }
        });
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished());
        drop(held);
        assert_eq!(waiting.await.unwrap(), 0);
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
