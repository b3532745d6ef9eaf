//! The Gatehouse server: sessions in an HttpOnly cookie, a guarded JSON API under `/api`, and
//! the built SPA for every other path.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::middleware::{from_fn, from_fn_with_state};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tower_sessions::SessionManagerLayer;
use tower_sessions::cookie::SameSite;
use tracing::Level;

pub mod admin;
pub mod auth;
pub mod cli;
pub mod config;
pub mod data;
pub mod error;
pub mod http;
pub mod routes;
pub mod session;
pub mod state;

use auth::{device_cookie, hashing, throttle};
use config::{Config, SessionStoreUrl};
use data::{db, ended, events, housekeeping, notes, sessions as session_store, users};
use error::AppError;
use http::{layers, listener, proxy, spa};
use session::SessionPolicy;
use state::AppState;

/// The largest request body accepted, in bytes.
pub const BODY_LIMIT: usize = 64 * 1024;
/// How long a request may take before it answers 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Everything `app` needs besides the shared state.
pub struct Parts {
    /// Handler state.
    pub state: AppState,
    /// Where sessions live.
    /// Proxies whose forwarding headers are believed.
    pub trusted_proxies: proxy::TrustedProxies,
    /// The built SPA.
    pub spa: spa::Spa,
    /// Trunk's output folder.
    pub dist: std::path::PathBuf,
}

/// Opens the database and the session store, migrates them, and builds the state.
pub async fn prepare(config: &Config) -> Result<Parts, Box<dyn std::error::Error>> {
    let db = db::connect(config.database_url.expose())
        .await
        .map_err(|e| format!("cannot open the database {}: {e}", config.database_url))?;
    users::backfill_name_forms(&db).await?;
    let mut throttle =
        throttle::LoginThrottle::new(config.login_max_failures, config.login_throttle_window);
    let (store, redis) = match &config.session_store {
        SessionStoreUrl::Database => (
            session_store::SessionStore::in_database(&db, session::account_of),
            None,
        ),
        SessionStoreUrl::Redis(url) => {
            let redis = session_store::connect_redis(url.expose())
                .await
                .map_err(|e| format!("cannot reach Redis at {url}: {e}"))?;
            throttle = throttle.in_redis(redis.clone());
            (
                session_store::SessionStore::in_redis(redis.clone(), session::account_of),
                Some(redis),
            )
        }
    };
    tracing::info!(
        database = %config.database_url,
        sessions = ?config.session_store,
        "storage ready"
    );
    let sealing = auth::sealing::SealingKey::load_or_create(&config.totp_key_file())?;
    sealing.check_against(&db).await?;
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let state = AppState::new(state::Shared {
        db: db.clone(),
        // Half the cores at most, at low priority: a flood of sign-ins leaves room for the rest.
        hasher: hashing::Hasher::new(cores / 2),
        throttle,
        devices: device_cookie::DeviceCookies::load(&db, config.https()).await?,
        sealing,
        passkeys: auth::passkeys::Passkeys::new(
            config.public_url.as_ref().map(|u| u.origin.as_str()),
        )?,
        provider: config
            .provider()
            .map(auth::provider::IdentityProvider::new)
            .transpose()?
            .map(std::sync::Arc::new),
        sessions: SessionPolicy {
            idle_timeout: config.session_idle_timeout,
            max_lifetime: config.session_max_lifetime,
            reauth_window: config.reauth_window,
            https: config.https(),
            public_origin: config.public_url.as_ref().map(|u| u.origin.clone()),
            second_factor: config.require_second_factor,
        },
        accounts: users::AccountCache::new(db.clone()),
        contract: state::Contract(std::sync::Arc::new(routes::openapi::document(
            &routes::all(),
        ))),
        store,
        redis,
    });
    Ok(Parts {
        state,
        trusted_proxies: proxy::TrustedProxies(config.trusted_proxies.clone().into()),
        spa: spa::Spa::load(&config.dist, config.provider().map(|p| p.label)),
        dist: config.dist.clone(),
    })
}

/// The whole application: `/api` behind its layers, the SPA for everything else.
pub fn app(parts: Parts) -> Router {
    let Parts {
        state,
        trusted_proxies,
        spa,
        dist,
    } = parts;
    let policy = state.sessions.clone();
    let sessions = SessionManagerLayer::new(state.store.clone())
        .with_name(policy.cookie_name())
        .with_http_only(true)
        .with_same_site(SameSite::Strict)
        .with_secure(policy.https)
        .with_path("/");
    // What every route that reads or makes a session goes through.
    let with_sessions = |router: Router<AppState>| {
        router
            .layer(from_fn_with_state(state.clone(), layers::same_origin_only))
            .layer(DefaultBodyLimit::max(BODY_LIMIT))
            .layer(sessions.clone())
            .layer(from_fn(session::store_failures))
            .layer(from_fn_with_state(
                policy.clone(),
                session::one_session_cookie,
            ))
            .layer(from_fn_with_state(policy.https, layers::secure_cookies))
            .layer(TimeoutLayer::with_status_code(
                StatusCode::REQUEST_TIMEOUT,
                REQUEST_TIMEOUT,
            ))
    };
    let api = with_sessions(
        routes::router(&state)
            .route(gatehouse_api::API_ROOT, axum::routing::any(not_found))
            .route(gatehouse_api::API_ANY, axum::routing::any(not_found)),
    )
    .layer(from_fn(layers::api_responses))
    .with_state(state.clone());
    // The sign-in page: the pre-rendered page, and its form posted before the app took over.
    let sign_in_page = with_sessions(Router::new().route(
        gatehouse_api::SIGN_IN_PAGE,
        spa.sign_in_page().post(routes::auth::sign_in_form),
    ))
    .with_state(state);
    let headers = layers::SecurityHeaders {
        csp: spa.csp.clone(),
        https: policy.https,
    };
    Router::new()
        .merge(api)
        .merge(sign_in_page)
        .merge(spa.router(&dist))
        .layer(CompressionLayer::new())
        .layer(from_fn_with_state(headers, layers::security_headers))
        .layer(from_fn_with_state(trusted_proxies, proxy::forwarded))
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
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    /// Stops accepting, finishes in-flight requests, and waits for the server to end.
    pub async fn stop(self) -> std::io::Result<()> {
        let _ = self.stop.send(true);
        self.task.await.unwrap_or(Ok(()))
    }
}

/// Prepares everything, binds `config.listen`, and serves in the background until stopped.
pub async fn start(config: &Config) -> Result<Running, Box<dyn std::error::Error>> {
    let parts = prepare(config).await?;
    if config.demo {
        cli::seed_demo(&parts.state).await?;
    }
    let (db, store) = (parts.state.db.clone(), parts.state.store.clone());
    housekeeping::every(
        Duration::from_secs(60),
        "delete expired sessions",
        move || {
            let store = store.clone();
            async move { store.delete_expired().await }
        },
    );
    let events_db = db.clone();
    housekeeping::every(
        Duration::from_secs(3600),
        "prune old security events",
        move || {
            let db = events_db.clone();
            async move { events::prune(&db).await }
        },
    );
    let ended_db = db.clone();
    housekeeping::every(
        Duration::from_secs(3600),
        "forget why old sessions ended",
        move || {
            let db = ended_db.clone();
            async move { ended::prune(&db, session::now_ms()).await }
        },
    );
    housekeeping::every(Duration::from_secs(30), "purge deleted notes", move || {
        let db = db.clone();
        async move { notes::purge(&db).await }
    });
    let listener = TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = watch::channel(false);
    let limits = listener::Limits {
        header_read: config.header_read_timeout,
        keep_alive: config.keep_alive_timeout,
        max_connections: config.max_connections,
    };
    let task = tokio::spawn(listener::serve(listener, app(parts), limits, stopped));
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
