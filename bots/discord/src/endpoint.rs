//! The interactions endpoint mode: Discord posts each interaction over HTTP, signed with the
//! application's Ed25519 key; the answer is the HTTP response body. No state is kept between
//! requests, so any number of replicas can run behind a load balancer.

use crate::commands::Request;
use crate::config::Config;
use crate::gateway;
use crate::handler::{Responder, Response};
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response as HttpResponse};
use axum::routing::{get, post};
use serenity::all::{GuildId, Interaction, Verifier};
use signpost::LiveKnowledge;
use signpost_bot_support::http::{self, HttpLimits};
use std::future::Future;
use std::net::SocketAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::net::TcpListener;

/// Discord waits three seconds for the answer; anything slower is cut short before that.
pub const ANSWER_DEADLINE: Duration = Duration::from_millis(2500);
/// Signed timestamps further than this from the clock are refused (replays).
pub const MAX_CLOCK_SKEW: Duration = Duration::from_secs(300);
/// Largest request body read.
pub const MAX_BODY: usize = 256 * 1024;

#[derive(Clone)]
struct EndpointState {
    responder: Responder,
    verifier: Verifier,
}

/// The HTTP service: `POST /` and `POST /interactions` for Discord, `GET /healthz` for load
/// balancers.
pub fn router(responder: Responder, public_key: [u8; 32]) -> anyhow::Result<Router> {
    let verifier = Verifier::try_new(public_key)
        .map_err(|_| anyhow::anyhow!("DISCORD_PUBLIC_KEY is not a valid Ed25519 public key"))?;
    let state = EndpointState {
        responder,
        verifier,
    };
    Ok(Router::new()
        .route("/", post(interactions))
        .route("/interactions", post(interactions))
        .route("/healthz", get(|| async { "ok" }))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
        .with_state(state))
}

fn refuse(reason: &'static str) -> HttpResponse {
    tracing::info!(event = "endpoint_refused", reason);
    (StatusCode::UNAUTHORIZED, "invalid request signature").into_response()
}

fn fresh(timestamp: &str) -> bool {
    let Ok(sent) = timestamp.trim().parse::<u64>() else {
        return false;
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    now.abs_diff(sent) <= MAX_CLOCK_SKEW.as_secs()
}

async fn interactions(
    State(state): State<EndpointState>,
    headers: HeaderMap,
    body: Bytes,
) -> HttpResponse {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let (Some(signature), Some(timestamp)) = (
        header("x-signature-ed25519"),
        header("x-signature-timestamp"),
    ) else {
        return refuse("unsigned");
    };
    if state.verifier.verify(signature, timestamp, &body).is_err() {
        return refuse("bad_signature");
    }
    if !fresh(timestamp) {
        return refuse("stale_timestamp");
    }
    let interaction: Interaction = match serde_json::from_slice(&body) {
        Ok(interaction) => interaction,
        Err(_) => {
            tracing::info!(event = "endpoint_bad_request");
            return (StatusCode::BAD_REQUEST, "unreadable interaction").into_response();
        }
    };
    let request = Request::from_interaction(&interaction);
    let command = request.label();
    let autocomplete = matches!(request, Request::Complete { .. });
    let response = if request == Request::Ping {
        Response::Pong
    } else {
        let responder = state.responder.clone();
        let task = tokio::task::spawn_blocking(move || responder.respond(&request));
        match tokio::time::timeout(ANSWER_DEADLINE, task).await {
            Ok(Ok(response)) => response,
            Ok(Err(_)) => {
                tracing::error!(event = "answer_failed", command);
                Response::failure(state.responder.live(), autocomplete)
            }
            Err(_) => {
                tracing::warn!(event = "answer_too_slow", command);
                Response::failure(state.responder.live(), autocomplete)
            }
        }
    };
    match serde_json::to_vec(&response.interaction_response()) {
        Ok(json) => ([(header::CONTENT_TYPE, "application/json")], json).into_response(),
        Err(_) => {
            tracing::error!(event = "response_unserialisable", command);
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// Serves on `listener` until `shutdown` completes, then finishes the requests in flight, on
/// the shared hardened listener (header and request timeouts, a cap on connections).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    http::serve(listener, router, HttpLimits::default(), shutdown).await
}

/// The endpoint mode: binds `addr`, then [`run_on`].
pub async fn run(
    config: &Config,
    live: LiveKnowledge,
    addr: SocketAddr,
    public_key: [u8; 32],
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("could not listen on {addr}: {e}"))?;
    run_on(config, live, listener, public_key, shutdown).await
}

/// The endpoint mode on a bound listener: with a token, registers the commands and posts
/// reload results; then serves until `shutdown`.
pub async fn run_on(
    config: &Config,
    live: LiveKnowledge,
    listener: TcpListener,
    public_key: [u8; 32],
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let router = router(Responder::new(live.clone()), public_key)?;
    if let Some(token) = &config.token {
        let http = std::sync::Arc::new(gateway::build_http(token, config.api_url.as_deref()));
        match gateway::rest(http.get_current_application_info()).await {
            Ok(app) => {
                http.set_application_id(app.id);
                if let Err(error) =
                    gateway::register(&http, config.guild_id.map(GuildId::new)).await
                {
                    tracing::warn!(event = "commands_not_registered", %error);
                }
            }
            Err(error) => tracing::warn!(event = "commands_not_registered", %error),
        }
        if let Some(channel) = config.admin_channel_id {
            gateway::notify_reloads(http, serenity::all::ChannelId::new(channel), &live);
        }
    } else {
        tracing::info!(
            event = "no_token",
            note = "commands are not registered from this process"
        );
    }
    tracing::info!(event = "endpoint_listening", addr = %listener.local_addr()?);
    serve(listener, router, shutdown).await?;
    tracing::info!(event = "stopped");
    Ok(())
}
