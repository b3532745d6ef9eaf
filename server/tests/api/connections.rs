//! Connections that never finish are closed; at most `--max-connections` are served at once.

use std::time::{Duration, Instant};

use gatehouse_api::Endpoint;
use gatehouse_api::endpoints::GetHealth;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::*;

/// A whole health check, as it goes over the wire.
fn health() -> Vec<u8> {
    format!(
        "GET {} HTTP/1.1\r\nHost: gatehouse\r\n\r\n",
        GetHealth::PATH
    )
    .into_bytes()
}

async fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(app.base.trim_start_matches("http://"))
        .await
        .unwrap()
}

/// Reads until the server closes the connection; how long that took, or `None` if it was
/// still open after `limit`.
async fn closed_within(stream: &mut TcpStream, limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    let mut buf = [0u8; 4096];
    loop {
        let left = limit.saturating_sub(started.elapsed());
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Ok(Ok(0) | Err(_)) => return Some(started.elapsed()),
            Ok(Ok(_)) => continue,
            Err(_) => return None,
        }
    }
}

/// Reads one response's head (up to the blank line); its status line.
async fn response_head(stream: &mut TcpStream, limit: Duration) -> Option<String> {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let started = Instant::now();
    while !got.windows(4).any(|w| w == b"\r\n\r\n") {
        let left = limit.saturating_sub(started.elapsed());
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => got.extend_from_slice(&buf[..n]),
            _ => return None,
        }
    }
    let text = String::from_utf8_lossy(&got).to_string();
    text.lines().next().map(str::to_owned)
}

fn short_timeouts(c: &mut gatehouse_server::config::Config) {
    c.header_read_timeout = Duration::from_secs(1);
    c.keep_alive_timeout = Duration::from_secs(1);
}

#[tokio::test]
async fn a_half_sent_request_line_is_closed_after_the_header_read_timeout() {
    let app = spawn_app_with(short_timeouts).await;
    let mut stream = connect(&app).await;
    stream.write_all(b"GET /api/hea").await.unwrap();
    let closed = closed_within(&mut stream, Duration::from_secs(5)).await;
    let closed = closed.expect("still open 5 s after a 1 s header timeout");
    assert!(
        closed >= Duration::from_millis(900),
        "closed too soon: {closed:?}"
    );
}

#[tokio::test]
async fn headers_sent_a_byte_at_a_time_are_cut_off_at_the_header_read_timeout() {
    let app = spawn_app_with(|c| {
        short_timeouts(c);
        c.keep_alive_timeout = Duration::from_secs(30);
    })
    .await;
    let mut stream = connect(&app).await;
    let started = Instant::now();
    let slow = format!(
        "GET {} HTTP/1.1\r\nHost: gatehouse\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n",
        GetHealth::PATH
    );
    for byte in slow.as_bytes() {
        if stream.write_all(&[*byte]).await.is_err() {
            break;
        }
        // Slower than the server allows for the whole header, never idle long.
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let closed = closed_within(&mut stream, Duration::from_secs(5)).await;
    assert!(
        closed.is_some(),
        "headers trickled in for {:?}",
        started.elapsed()
    );
    assert!(started.elapsed() < Duration::from_secs(6));
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_after_the_keep_alive_timeout() {
    let app = spawn_app_with(|c| {
        c.header_read_timeout = Duration::from_secs(30);
        c.keep_alive_timeout = Duration::from_secs(1);
    })
    .await;
    let mut stream = connect(&app).await;
    for _ in 0..3 {
        // Requests within the timeout keep it open.
        stream.write_all(&health()).await.unwrap();
        let status = response_head(&mut stream, Duration::from_secs(5)).await;
        assert_eq!(status.as_deref(), Some("HTTP/1.1 200 OK"));
        wait(Duration::from_millis(300)).await;
    }
    let closed = closed_within(&mut stream, Duration::from_secs(5)).await;
    let closed = closed.expect("an idle connection stayed open");
    assert!(
        closed >= Duration::from_millis(600),
        "closed too soon: {closed:?}"
    );
}

#[tokio::test]
async fn connections_beyond_the_cap_wait_until_one_closes() {
    let app = spawn_app_with(|c| {
        c.max_connections = 2;
        c.header_read_timeout = Duration::from_secs(30);
        c.keep_alive_timeout = Duration::from_secs(30);
    })
    .await;
    let mut first = connect(&app).await;
    first.write_all(&health()).await.unwrap();
    assert!(
        response_head(&mut first, Duration::from_secs(5))
            .await
            .is_some()
    );
    let second = connect(&app).await;
    let mut third = connect(&app).await;
    third.write_all(&health()).await.unwrap();
    assert_eq!(
        response_head(&mut third, Duration::from_millis(700)).await,
        None,
        "a third connection was served beside two open ones"
    );
    drop(second);
    let status = response_head(&mut third, Duration::from_secs(5)).await;
    assert_eq!(status.as_deref(), Some("HTTP/1.1 200 OK"));
}
