//! The Rust peer for `cargo xtask bench`: the same `/api/health`, `/api/secured-resource`,
//! `/api/notes` and `/api/auth/login` as the Express peer (`../express/server.js`), built as
//! axum-login's `examples/sqlite` builds an app: axum-login over tower-sessions, its sessions
//! in SQLite through tower-sessions-sqlx-store, the cookie signed, one process.
//!
//! ```text
//! PORT=3002 DB=/tmp/axum-login.db target/release/gatehouse-bench-axum-login
//! ```

mod users;

use std::net::SocketAddr;

use axum::extract::{DefaultBodyLimit, FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use axum_login::AuthManagerLayerBuilder;
use axum_login::tower_sessions::{ExpiredDeletion, Expiry, SessionManagerLayer};
use serde::{Deserialize, Serialize};
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use tower_sessions::cookie::Key;
use tower_sessions_sqlx_store::SqliteStore;

use crate::users::{AuthSession, Backend, Credentials, User};

/// The Express peer's tables and index, so that both answer from the same shape of data.
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, username TEXT UNIQUE, password TEXT);
CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, user_id INTEGER, title TEXT,
  body TEXT, version INTEGER DEFAULT 1, created_at INTEGER, updated_at INTEGER);
CREATE INDEX IF NOT EXISTS notes_by_user ON notes (user_id, updated_at DESC, id DESC);
";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let port: u16 = std::env::var("PORT").map_or(Ok(3002), |p| p.parse())?;
    let db_path = std::env::var("DB").unwrap_or_else(|_| "axum-login.db".into());

    // WAL with `synchronous = NORMAL`: what the Express peer's better-sqlite3 runs with (WAL
    // set by it, NORMAL its build's default in WAL) and what Gatehouse runs with.
    let options = SqliteConnectOptions::new()
        .filename(&db_path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal);
    let db = SqlitePool::connect_with(options).await?;
    sqlx::raw_sql(SCHEMA).execute(&db).await?;
    // For the bench only: an account to sign in with.
    sqlx::query("INSERT OR IGNORE INTO users (username, password) VALUES (?, ?)")
        .bind(std::env::var("BENCH_USER").unwrap_or_else(|_| "bench".into()))
        .bind(std::env::var("BENCH_PASSWORD").unwrap_or_else(|_| "bench password".into()))
        .execute(&db)
        .await?;

    let session_store = SqliteStore::new(db.clone());
    session_store.migrate().await?;
    let deletion_task = tokio::task::spawn(
        session_store
            .clone()
            .continuously_delete_expired(tokio::time::Duration::from_secs(60)),
    );
    // The Express peer's cookie: `sid`, HttpOnly, SameSite=Strict, 30 minutes after the last
    // change (tower-sessions saves a session when it changes, not on every request).
    let session_layer = SessionManagerLayer::new(session_store)
        .with_name("sid")
        .with_secure(false)
        .with_expiry(Expiry::OnInactivity(time::Duration::minutes(30)))
        .with_signed(Key::generate());
    let auth_layer = AuthManagerLayerBuilder::new(Backend::new(db.clone()), session_layer).build();

    let app = Router::new()
        .route("/api/health", get(health))
        .route("/api/auth/login", post(login))
        .route("/api/secured-resource", get(secured_resource))
        .route("/api/notes", get(list_notes).post(create_note))
        .layer(DefaultBodyLimit::max(64 * 1024))
        .layer(auth_layer)
        .with_state(db);

    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port))).await?;
    println!(
        "axum-login is listening on http://{}",
        listener.local_addr()?
    );
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    deletion_task.abort();
    Ok(())
}

/// A JSON error body as the Express peer writes it.
#[derive(Serialize)]
struct ErrorBody {
    code: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'static str>,
}

/// Everything a handler can end in other than its answer.
enum AppError {
    /// 401: no signed-in session.
    Unauthenticated,
    /// 401: no such account, or not its password.
    InvalidCredentials,
    /// 500: the database or the session store failed; the details are logged.
    Internal(String),
}

impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        Self::Internal(err.to_string())
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code, message) = match self {
            Self::Unauthenticated => (
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                Some("Sign-in required."),
            ),
            Self::InvalidCredentials => (StatusCode::UNAUTHORIZED, "invalid_credentials", None),
            Self::Internal(details) => {
                eprintln!("internal error: {details}");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal", None)
            }
        };
        (status, Json(ErrorBody { code, message })).into_response()
    }
}

/// The signed-in account, or a 401 with the Express peer's body (axum-login's
/// `login_required!` answers the same check with an empty 401).
struct SignedIn(User);

impl<S: Send + Sync> FromRequestParts<S> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let session = AuthSession::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        session
            .user
            .map(SignedIn)
            .ok_or_else(|| AppError::Unauthenticated.into_response())
    }
}

#[derive(Serialize)]
struct Health {
    ok: bool,
}

/// `GET /api/health`: pings the database.
async fn health(State(db): State<SqlitePool>) -> Result<Json<Health>, AppError> {
    sqlx::query("SELECT 1").execute(&db).await?;
    Ok(Json(Health { ok: true }))
}

#[derive(Serialize)]
struct SignedInAs {
    username: String,
}

/// `POST /api/auth/login`: checks the credentials and starts a session (a new id, against
/// session fixation).
async fn login(
    mut auth_session: AuthSession,
    Json(creds): Json<Credentials>,
) -> Result<Json<SignedInAs>, AppError> {
    let user = auth_session
        .authenticate(creds)
        .await
        .map_err(|err| AppError::Internal(err.to_string()))?
        .ok_or(AppError::InvalidCredentials)?;
    auth_session
        .login(&user)
        .await
        .map_err(|err| AppError::Internal(err.to_string()))?;
    Ok(Json(SignedInAs {
        username: user.username,
    }))
}

#[derive(Serialize)]
struct Secured {
    message: &'static str,
    user_id: i64,
}

/// `GET /api/secured-resource`: a session, no query.
async fn secured_resource(SignedIn(user): SignedIn) -> Json<Secured> {
    Json(Secured {
        message: "This is protected.",
        user_id: user.id,
    })
}

/// One row of the notes list.
#[derive(Serialize, sqlx::FromRow)]
struct NoteSummary {
    id: i64,
    title: Option<String>,
    preview: Option<String>,
    version: i64,
    updated_at: Option<i64>,
}

#[derive(Serialize)]
struct NotesPage {
    notes: Vec<NoteSummary>,
    next_cursor: Option<String>,
}

/// `GET /api/notes`: the newest 50 of the account's notes, as the Express peer lists them.
async fn list_notes(
    SignedIn(user): SignedIn,
    State(db): State<SqlitePool>,
) -> Result<Json<NotesPage>, AppError> {
    let mut notes: Vec<NoteSummary> = sqlx::query_as(
        "SELECT id, title, substr(body, 1, 400) AS preview, version, updated_at FROM notes \
         WHERE user_id = ? ORDER BY updated_at DESC, id DESC LIMIT 51",
    )
    .bind(user.id)
    .fetch_all(&db)
    .await?;
    notes.truncate(50);
    Ok(Json(NotesPage {
        notes,
        next_cursor: None,
    }))
}

#[derive(Deserialize)]
struct NewNote {
    title: Option<String>,
    body: Option<String>,
}

#[derive(Serialize)]
struct Created {
    id: i64,
}

/// `POST /api/notes`: adds a note.
async fn create_note(
    SignedIn(user): SignedIn,
    State(db): State<SqlitePool>,
    Json(note): Json<NewNote>,
) -> Result<(StatusCode, Json<Created>), AppError> {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let id = sqlx::query(
        "INSERT INTO notes (user_id, title, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(user.id)
    .bind(note.title)
    .bind(note.body)
    .bind(now)
    .bind(now)
    .execute(&db)
    .await?
    .last_insert_rowid();
    Ok((StatusCode::CREATED, Json(Created { id })))
}
