//! Webhook mode: Telegram posts each update to our HTTP server.
//!
//! Our own small axum server rather than teloxide's, so that: the secret token is compared in
//! constant time; an update that fails to parse is never logged (it holds the person's
//! words); shutting one replica down does not delete the webhook the other replicas serve;
//! and `GET /healthz` answers load-balancer health checks. It runs on the shared hardened
//! listener (header and request timeouts, a cap on connections).

use crate::config::WebhookConfig;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use signpost_bot_support::http::{self, HttpLimits};
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::Context;
use teloxide::stop::{StopFlag, StopToken, mk_stop_token};
use teloxide::types::Update;
use teloxide::update_listeners::{StatefulListener, UpdateListener};
use tokio::sync::mpsc;

/// The header Telegram sends the secret token in.
pub const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";
/// Updates waiting for the dispatcher; beyond this Telegram is asked to retry later.
const QUEUE: usize = 1024;
/// Telegram's updates are small; anything bigger is not from Telegram.
const MAX_BODY: usize = 1024 * 1024;

#[derive(Clone)]
struct Shared {
    secret: Arc<str>,
    tx: mpsc::Sender<Update>,
    stopped: StopFlag,
}

/// Binds the server and returns the update listener for the dispatcher, with the bound
/// address (useful when the port was 0).
pub async fn serve(
    config: &WebhookConfig,
    limits: HttpLimits,
) -> anyhow::Result<(impl UpdateListener<Err = Infallible> + use<>, SocketAddr)> {
    let tcp = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.listen))?;
    let addr = tcp.local_addr()?;
    let (tx, rx) = mpsc::channel(QUEUE);
    let (stop_token, stop_flag) = mk_stop_token();
    let path = match config.url.path() {
        "" => "/".to_string(),
        p => p.to_string(),
    };
    let shared = Shared {
        secret: Arc::from(config.secret.expose()),
        tx,
        stopped: stop_flag.clone(),
    };
    let router = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route(&path, post(receive))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(shared);
    let shutdown = stop_flag.clone();
    tokio::spawn(async move {
        if let Err(e) = http::serve(tcp, router, limits, shutdown).await {
            tracing::error!(event = "webhook_server_failed", error = %e.kind());
        }
    });
    let state = ListenerState {
        rx,
        token: stop_token,
        stopped: stop_flag,
    };
    let listener = StatefulListener::new(state, updates, |s: &mut ListenerState| s.token.clone());
    Ok((listener, addr))
}

struct ListenerState {
    rx: mpsc::Receiver<Update>,
    token: StopToken,
    stopped: StopFlag,
}

fn updates(
    state: &mut ListenerState,
) -> impl futures_util::Stream<Item = Result<Update, Infallible>> + Send + '_ {
    futures_util::stream::poll_fn(move |cx: &mut Context<'_>| {
        // Once stopped, take no more updates but hand over the ones already accepted.
        if Pin::new(&mut state.stopped).poll(cx).is_ready() {
            state.rx.close();
        }
        state.rx.poll_recv(cx).map(|u| u.map(Ok))
    })
}

async fn receive(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let given = headers
        .get(SECRET_HEADER)
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    if !constant_time_eq(given, shared.secret.as_bytes()) {
        tracing::debug!(event = "webhook_rejected", reason = "secret");
        return StatusCode::UNAUTHORIZED;
    }
    if shared.stopped.is_stopped() {
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    let update: Update = match serde_json::from_slice(&body) {
        Ok(update) => update,
        Err(e) => {
            // The body holds the person's words: log the kind of problem only.
            tracing::warn!(event = "webhook_bad_update", error = ?e.classify(), bytes = body.len());
            return StatusCode::BAD_REQUEST;
        }
    };
    match shared.tx.try_send(update) {
        Ok(()) => StatusCode::OK,
        Err(mpsc::error::TrySendError::Full(_)) => {
            // Telegram retries later.
            tracing::warn!(event = "webhook_busy");
            StatusCode::SERVICE_UNAVAILABLE
        }
        Err(mpsc::error::TrySendError::Closed(_)) => StatusCode::SERVICE_UNAVAILABLE,
    }
}

/// Compares without leaking where the first difference is.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_comparison() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
        assert!(!constant_time_eq(b"", b"a"));
    }
}
