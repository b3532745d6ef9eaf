//! The accept loop, with limits on connections: a request line and headers must arrive within
//! `header_read`, an idle keep-alive connection is closed after `keep_alive`, and at most
//! `max_connections` are served at once (more wait, unaccepted, until one closes).
//!
//! hyper-util's builder rather than `axum::serve`, which sets no header-read timeout, no idle
//! timeout and no cap. HTTP/1.1 only (`http1_only`): its version sniffing has no timeout of its
//! own (hyperium/hyper#3756), and browsers never speak HTTP/2 in clear text; behind TLS, the
//! reverse proxy speaks HTTP/2 to browsers.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::connect_info::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tower::ServiceExt;

/// Limits on connections; see the module.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// The request line and headers must arrive within this (also from connection start).
    pub header_read: Duration,
    /// A connection with no request in flight and no bytes moving is closed after this.
    pub keep_alive: Duration,
    /// Connections served at once.
    pub max_connections: usize,
}

/// Serves `app` on `listener` until `stop` changes, then lets in-flight requests finish.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    mut stop: watch::Receiver<bool>,
) -> std::io::Result<()> {
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let mut builder = Builder::new(TokioExecutor::new()).http1_only();
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read)
        .keep_alive(true);
    let builder = Arc::new(builder);
    let open = Arc::new(AtomicUsize::new(0));
    let (closed_tx, mut closed_rx) = watch::channel(());
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
            _ = stop.changed() => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = stop.changed() => break,
        };
        let _ = stream.set_nodelay(true);
        let (builder, mut stop, app) = (builder.clone(), stop.clone(), app.clone());
        let (open, closed_tx) = (open.clone(), closed_tx.clone());
        open.fetch_add(1, Ordering::SeqCst);
        tokio::spawn(async move {
            let activity = Activity::new();
            let io = TokioIo::new(Watched {
                stream,
                activity: activity.clone(),
            });
            let in_flight = activity.clone();
            let service = app.map_request(move |mut req: axum::http::Request<Incoming>| {
                req.extensions_mut().insert(ConnectInfo(peer));
                req
            });
            let service = TowerToHyperService::new(InFlight {
                inner: service,
                activity: in_flight,
            });
            let conn = builder.serve_connection(io, service);
            tokio::pin!(conn);
            let mut closing = false;
            loop {
                let idle_for = activity.idle_for();
                let wait = limits
                    .keep_alive
                    .saturating_sub(idle_for.unwrap_or_default());
                tokio::select! {
                    _ = conn.as_mut() => break,
                    _ = tokio::time::sleep(wait), if !closing => {
                        if activity.idle_for().is_some_and(|idle| idle >= limits.keep_alive) {
                            conn.as_mut().graceful_shutdown();
                            closing = true;
                        }
                    }
                    _ = stop.changed(), if !closing => {
                        conn.as_mut().graceful_shutdown();
                        closing = true;
                    }
                }
            }
            drop(slot);
            open.fetch_sub(1, Ordering::SeqCst);
            let _ = closed_tx.send(());
        });
    }
    // Stopped: no more connections; wait for the open ones to finish their requests.
    while open.load(Ordering::SeqCst) > 0 {
        if closed_rx.changed().await.is_err() {
            break;
        }
    }
    Ok(())
}

/// When the connection last moved a byte, and whether a request is in flight.
#[derive(Clone)]
struct Activity(Arc<ActivityInner>);

struct ActivityInner {
    start: Instant,
    last_ms: AtomicU64,
    in_flight: AtomicUsize,
}

impl Activity {
    fn new() -> Self {
        Self(Arc::new(ActivityInner {
            start: Instant::now(),
            last_ms: AtomicU64::new(0),
            in_flight: AtomicUsize::new(0),
        }))
    }

    fn touch(&self) {
        let ms = u64::try_from(self.0.start.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.0.last_ms.store(ms, Ordering::Relaxed);
    }

    /// How long nothing has happened, or `None` while a request is in flight.
    fn idle_for(&self) -> Option<Duration> {
        if self.0.in_flight.load(Ordering::SeqCst) > 0 {
            return None;
        }
        let last = Duration::from_millis(self.0.last_ms.load(Ordering::Relaxed));
        Some(self.0.start.elapsed().saturating_sub(last))
    }
}

/// A stream that notes when bytes move.
struct Watched {
    stream: TcpStream,
    activity: Activity,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.stream).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.touch();
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.stream).poll_write(cx, data);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        polled
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// Counts the requests a connection has in flight (an idle connection has none).
#[derive(Clone)]
struct InFlight<S> {
    inner: S,
    activity: Activity,
}

impl<S, R> tower::Service<R> for InFlight<S>
where
    S: tower::Service<R>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn std::future::Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: R) -> Self::Future {
        let activity = self.activity.clone();
        activity.0.in_flight.fetch_add(1, Ordering::SeqCst);
        let future = self.inner.call(req);
        Box::pin(async move {
            let out = future.await;
            activity.touch();
            activity.0.in_flight.fetch_sub(1, Ordering::SeqCst);
            out
        })
    }
}
