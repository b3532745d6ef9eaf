//! The Gatehouse server: sessions in an HttpOnly cookie, a guarded JSON API under `/api`, and
//! the built SPA for every other path.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::middleware::{from_fn, from_fn_with_state};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tower_sessions::cookie::SameSite;
use tower_sessions::{CachingSessionStore, ExpiredDeletion, SessionManagerLayer};
use tower_sessions_moka_store::MokaStore;
use tower_sessions_sqlx_store::SqliteStore;
use tracing::Level;

pub mod cli;
pub mod config;
pub mod db;
pub mod error;
pub mod layers;
pub mod password;
pub mod routes;
pub mod session;
pub mod spa;
pub mod state;
pub mod throttle;
pub mod users;

use config::Config;
use error::AppError;
use session::SessionPolicy;
use state::AppState;

/// The largest request body accepted, in bytes.
pub const BODY_LIMIT: usize = 64 * 1024;
/// How long a request may take before it answers 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Sessions as the server keeps them: SQLite, with an in-memory cache in front so the check on
/// each request costs no database round trip. (One process owns the cache; several instances
/// must share a store without it.)
pub type SessionStore = CachingSessionStore<MokaStore, SqliteStore>;

/// Live sessions kept in memory at most; beyond that, reads fall through to SQLite.
pub const SESSION_CACHE: u64 = 100_000;

/// Everything `app` needs besides the shared state.
pub struct Parts {
    /// Handler state.
    pub state: AppState,
    /// Where sessions live.
    pub store: SessionStore,
    /// The store behind the cache, for deleting expired records.
    pub persistent: SqliteStore,
    /// The built SPA.
    pub spa: spa::Spa,
    /// Trunk's output folder.
    pub dist: std::path::PathBuf,
}

/// Opens the database, migrates it and the session table, and builds the state.
pub async fn prepare(config: &Config) -> Result<Parts, Box<dyn std::error::Error>> {
    let pool = db::connect(&config.database_url).await?;
    let store = SqliteStore::new(pool.clone());
    store.migrate().await?;
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let state = AppState {
        db: pool,
        // Half the cores at most, at low priority: a flood of sign-ins leaves room for the rest.
        hasher: password::Hasher::new(cores / 2),
        throttle: throttle::LoginThrottle::new(
            config.login_max_failures,
            config.login_throttle_window,
        ),
        sessions: SessionPolicy {
            idle_timeout: config.session_idle_timeout,
            max_lifetime: config.session_max_lifetime,
            https: config.https(),
            public_origin: config.public_url.as_ref().map(|u| u.origin.clone()),
        },
        accounts: users::AccountCache::new(),
        trusted_proxies: config.trusted_proxies.clone().into(),
    };
    Ok(Parts {
        state,
        store: CachingSessionStore::new(MokaStore::new(Some(SESSION_CACHE)), store.clone()),
        persistent: store,
        spa: spa::Spa::load(&config.dist),
        dist: config.dist.clone(),
    })
}

/// The whole application: `/api` behind its layers, the SPA for everything else.
pub fn app(parts: Parts) -> Router {
    let Parts {
        state,
        store,
        spa,
        dist,
        ..
    } = parts;
    let policy = state.sessions.clone();
    let sessions = SessionManagerLayer::new(store)
        .with_name(policy.cookie_name())
        .with_http_only(true)
        .with_same_site(SameSite::Strict)
        .with_secure(policy.https)
        .with_path("/");
    let mut api = routes::router(&state)
        .route("/api", axum::routing::any(not_found))
        .route("/api/{*rest}", axum::routing::any(not_found))
        .layer(from_fn_with_state(state.clone(), session::same_origin_only))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(sessions);
    if policy.https {
        api = api.layer(from_fn(layers::secure_cookies));
    }
    let api = api
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(from_fn(layers::api_responses))
        .with_state(state);
    let headers = layers::SecurityHeaders {
        csp: spa.csp.clone(),
        https: policy.https,
    };
    Router::new()
        .merge(api)
        .merge(spa.router(&dist))
        .layer(CompressionLayer::new())
        .layer(from_fn_with_state(headers, layers::security_headers))
        .layer(CatchPanicLayer::custom(layers::panic_response))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &axum::http::Request<_>| {
                    tracing::info_span!(
                        "request",
                        method = %req.method(),
                        path = %req.uri().path(),
                        user_id = tracing::field::Empty,
                    )
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
}

async fn not_found() -> AppError {
    AppError::NotFound
}

/// A server running in this process (tests and `serve`).
pub struct Running {
    /// The address it listens on (port 0 resolved).
    pub addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    /// Stops accepting, finishes in-flight requests, and waits for the server to end.
    pub async fn stop(self) -> std::io::Result<()> {
        let _ = self.stop.send(());
        self.task.await.unwrap_or(Ok(()))
    }
}

/// Prepares everything, binds `config.listen`, and serves in the background until stopped.
pub async fn start(config: &Config) -> Result<Running, Box<dyn std::error::Error>> {
    let parts = prepare(config).await?;
    if config.demo {
        cli::seed_demo(&parts.state).await?;
    }
    tokio::spawn(
        parts
            .persistent
            .clone()
            .continuously_delete_expired(Duration::from_secs(60)),
    );
    let listener = TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let service = app(parts).into_make_service_with_connect_info::<SocketAddr>();
    let task = tokio::spawn(async move {
        axum::serve(listener, service)
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
            })
            .await
    });
    Ok(Running { addr, stop, task })
}

/// `gatehouse-server serve`: runs until Ctrl-C or SIGTERM.
pub async fn serve(config: &Config) -> Result<(), Box<dyn std::error::Error>> {
    let mut running = start(config).await?;
    println!("Gatehouse is listening on http://{}", running.addr);
    tokio::select! {
        result = &mut running.task => return Ok(result??),
        () = shutdown_signal() => tracing::info!("shutting down"),
    }
    Ok(running.stop().await?)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
