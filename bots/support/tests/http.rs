//! The hardened listener against slow and idle clients, over real TCP on 127.0.0.1.

use axum::Router;
use axum::body::Bytes;
use axum::routing::{get, post};
use signpost_bot_support::http::{HttpLimits, serve};
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const LIMITS: HttpLimits = HttpLimits {
    header_timeout: Duration::from_millis(800),
    request_timeout: Duration::from_millis(1500),
    max_connections: 4,
    shutdown_grace: Duration::from_secs(2),
};

async fn start(limits: HttpLimits) -> (SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let router = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route(
            "/hook",
            post(|body: Bytes| async move { format!("{} bytes", body.len()) }),
        );
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(serve(listener, router, limits, async {
        let _ = rx.await;
    }));
    (addr, tx)
}

/// Reads until the server closes the connection (or `limit` passes); returns what was read
/// and whether it closed in time.
async fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> (String, bool) {
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + limit;
    let mut buf = [0u8; 1024];
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return (String::from_utf8_lossy(&seen).into(), true),
            Ok(Ok(n)) => seen.extend_from_slice(&buf[..n]),
            Err(_) => return (String::from_utf8_lossy(&seen).into(), false),
        }
    }
}

async fn healthz(addr: SocketAddr) -> String {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    read_until_closed(&mut stream, Duration::from_secs(20))
        .await
        .0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_trickling_its_headers_is_cut_off() {
    let (addr, _stop) = start(LIMITS).await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let started = Instant::now();
    stream
        .write_all(b"POST /hook HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    // One byte of a header every 100 ms: it would take a minute to finish.
    let trickle = async {
        for byte in b"X-Slow: ".iter().chain([b'a'; 600].iter()) {
            if stream.write_all(&[*byte]).await.is_err() {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        false
    };
    let cut_off = tokio::time::timeout(Duration::from_secs(10), trickle)
        .await
        .unwrap_or(false);
    assert!(cut_off, "the server closed the trickling connection");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_connection_is_closed_and_a_kept_alive_one_too() {
    let (addr, _stop) = start(LIMITS).await;
    // Never sends anything.
    let mut silent = TcpStream::connect(addr).await.unwrap();
    let started = Instant::now();
    let (_, closed) = read_until_closed(&mut silent, Duration::from_secs(10)).await;
    assert!(closed && started.elapsed() < Duration::from_secs(5));

    // One request, then silence on the kept-alive connection.
    let mut kept = TcpStream::connect(addr).await.unwrap();
    kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    let (seen, closed) = read_until_closed(&mut kept, Duration::from_secs(10)).await;
    assert!(seen.starts_with("HTTP/1.1 200"), "{seen}");
    assert!(seen.ends_with("ok"), "{seen}");
    assert!(closed && started.elapsed() < Duration::from_secs(5));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_never_ends_gets_408() {
    let (addr, _stop) = start(LIMITS).await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"POST /hook HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\nabc")
        .await
        .unwrap();
    let started = Instant::now();
    let (seen, _) = read_until_closed(&mut stream, Duration::from_secs(10)).await;
    assert!(seen.starts_with("HTTP/1.1 408"), "{seen}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_slow_clients_cannot_hold_the_listener() {
    let (addr, _stop) = start(LIMITS).await;
    // Far more trickling clients than the cap of 4.
    let mut slow = Vec::new();
    for _ in 0..40 {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream.write_all(b"POST /hook HTTP/1.1\r\n").await.unwrap();
        slow.push(stream);
    }
    // A real request still gets through once the slow ones are cut off, in batches of four.
    let started = Instant::now();
    let answer = healthz(addr).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with("ok"));
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
    // Every slow client was closed.
    for mut stream in slow {
        let (_, closed) = read_until_closed(&mut stream, Duration::from_secs(15)).await;
        assert!(closed);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_the_cap_a_connection_waits_for_a_free_slot() {
    let limits = HttpLimits {
        max_connections: 1,
        ..LIMITS
    };
    let (addr, _stop) = start(limits).await;
    let _hog = TcpStream::connect(addr).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    let answer = healthz(addr).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    // Served only once the silent connection was closed by the header timeout.
    assert!(
        started.elapsed() >= Duration::from_millis(500),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_stops_accepting() {
    let (addr, stop) = start(LIMITS).await;
    assert!(healthz(addr).await.ends_with("ok"));
    stop.send(()).unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "the port is closed"
    );
}
