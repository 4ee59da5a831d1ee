//! The HTTP listener both bots use (the Telegram webhook, the Discord interactions endpoint),
//! hardened so that slow or idle clients cannot hold it: a request head must arrive within
//! [`HttpLimits::header_timeout`] of the connection opening or of the previous response (so
//! an idle kept-alive connection is closed after that time too), a whole request, body and
//! answer included, must finish within [`HttpLimits::request_timeout`] (else `408`), and at
//! most [`HttpLimits::max_connections`] connections are served at once; more wait to be
//! accepted. A reverse proxy in front is still recommended for TLS and for abuse at scale.

use axum::Router;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// Limits on the HTTP listener; [`HttpLimits::default`] is what the bots use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpLimits {
    /// Time allowed for a whole request head, from the connection opening or the previous
    /// response; also how long an idle connection stays open. Default 10 seconds.
    pub header_timeout: Duration,
    /// Time allowed for a whole request, body and answer, once its head has arrived.
    /// Default 30 seconds.
    pub request_timeout: Duration,
    /// Connections served at once; further ones wait in the operating system's queue.
    /// Default 256.
    pub max_connections: usize,
    /// On shutdown, how long requests in flight may take to finish. Default 10 seconds.
    pub shutdown_grace: Duration,
}

impl Default for HttpLimits {
    fn default() -> Self {
        HttpLimits {
            header_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            max_connections: 256,
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

/// Serves `router` on `listener` within `limits` until `shutdown` completes, then stops
/// accepting and lets the requests in flight finish (up to the grace period).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: HttpLimits,
    shutdown: impl Future<Output = ()> + Send,
) -> std::io::Result<()> {
    let request_timeout = limits.request_timeout;
    let router = router.layer(axum::middleware::from_fn(
        move |request: Request, next: Next| async move {
            match tokio::time::timeout(request_timeout, next.run(request)).await {
                Ok(response) => response,
                Err(_) => {
                    tracing::warn!(event = "http_request_timeout");
                    request_timed_out()
                }
            }
        },
    ));
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = Arc::clone(&slots).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little rather than spin.
                    tracing::warn!(event = "http_accept_failed", error = %e.kind());
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_timeout)
            .serve_connection(
                TokioIo::new(stream),
                TowerToHyperService::new(router.clone()),
            );
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(event = "http_connection_closed", reason = %connection_error(&e));
            }
            drop(permit);
        });
    }
    drop(listener);
    if tokio::time::timeout(limits.shutdown_grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(event = "http_shutdown_timed_out");
    }
    Ok(())
}

fn request_timed_out() -> Response {
    (StatusCode::REQUEST_TIMEOUT, "request took too long").into_response()
}

/// Why a connection ended, in words safe to log (never a header or a body).
fn connection_error(e: &hyper::Error) -> &'static str {
    if e.is_timeout() {
        "header_timeout"
    } else if e.is_incomplete_message() {
        "incomplete"
    } else if e.is_parse() {
        "unreadable"
    } else {
        "other"
    }
}
