//! The gateway mode: serenity's client keeps a websocket to Discord (reconnecting and
//! resuming by itself), and each interaction is answered over REST.

use crate::commands::{self, Request};
use crate::config::{Config, Secret};
use crate::handler::{Responder, Response};
use crate::render::{self, Rendered};
use anyhow::{Context as _, anyhow};
use serenity::all::{
    ChannelId, ClientBuilder, Command, Context, CreateInteractionResponse,
    CreateInteractionResponseMessage, EventHandler, GatewayIntents, GuildId, Http, HttpBuilder,
    HttpError, Interaction, InteractionId, Ready, ResumedEvent,
};
use signpost::LiveKnowledge;
use signpost::assistant::conversation::FAILURE_TEXT;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Longest wait for one REST call before it is logged as failed.
pub const REST_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest wait for the client to stop after shutdown was asked.
pub const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(5);

/// The REST client: `DISCORD_API_URL` replaces `https://discord.com` when set, and then the
/// rate limiter is off (serenity ignores the proxy while it is on; a proxy limits instead).
/// Every message defaults to mentioning nobody.
pub fn build_http(token: &Secret, api_url: Option<&str>) -> Http {
    let mut builder =
        HttpBuilder::new(token.expose()).default_allowed_mentions(render::no_mentions());
    if let Some(url) = api_url {
        builder = builder.proxy(url).ratelimiter_disabled(true);
    }
    builder.build()
}

/// A serenity error in words safe to log: kinds and status codes, no URLs (they hold
/// interaction tokens) and no bodies.
pub fn describe(error: &serenity::Error) -> String {
    match error {
        serenity::Error::Http(HttpError::UnsuccessfulRequest(response)) => format!(
            "discord refused the request: status {}, code {}",
            response.status_code.as_u16(),
            response.error.code
        ),
        serenity::Error::Http(HttpError::Request(e)) => {
            if e.is_timeout() {
                "request timed out".into()
            } else if e.is_connect() {
                "could not connect".into()
            } else {
                "request failed".into()
            }
        }
        serenity::Error::Http(HttpError::ApplicationIdMissing) => "application id unknown".into(),
        serenity::Error::Http(_) => "http error".into(),
        serenity::Error::Json(_) => "unexpected JSON".into(),
        serenity::Error::Model(e) => format!("invalid message: {e}"),
        serenity::Error::Gateway(e) => format!("gateway: {e}"),
        serenity::Error::Client(e) => format!("client: {e}"),
        serenity::Error::Tungstenite(_) => "websocket error".into(),
        serenity::Error::Io(e) => format!("i/o: {}", e.kind()),
        _ => "error".into(),
    }
}

/// Runs a REST call with [`REST_TIMEOUT`], the error described safely.
pub async fn rest<T>(call: impl Future<Output = serenity::Result<T>>) -> Result<T, String> {
    match tokio::time::timeout(REST_TIMEOUT, call).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(describe(&e)),
        Err(_) => Err("timed out".into()),
    }
}

/// Registers the commands in one guild (shown at once) or globally.
pub async fn register(http: &Http, guild: Option<GuildId>) -> Result<(), String> {
    let definitions = commands::definitions();
    let count = definitions.len();
    match guild {
        Some(guild) => rest(guild.set_commands(http, definitions)).await?,
        None => rest(Command::set_global_commands(http, definitions)).await?,
    };
    tracing::info!(
        event = "commands_registered",
        count,
        scope = if guild.is_some() { "guild" } else { "global" }
    );
    Ok(())
}

/// Answers one interaction over REST. `/ask` is acknowledged first (a deferral, private
/// unless shared) and the answer edited in; everything else is answered at once. Failures are
/// logged without content, and the bot carries on.
pub async fn answer(responder: &Responder, http: &Http, interaction: Interaction) {
    let started = Instant::now();
    let request = Request::from_interaction(&interaction);
    let Some((id, token)) = id_and_token(&interaction) else {
        return;
    };
    let command = request.label();
    if request.deferred() {
        let defer = CreateInteractionResponse::Defer(
            CreateInteractionResponseMessage::new()
                .ephemeral(!request.shared())
                .allowed_mentions(render::no_mentions()),
        );
        if let Err(error) =
            rest(http.create_interaction_response(id, &token, &defer, Vec::new())).await
        {
            tracing::warn!(event = "respond_failed", step = "defer", command, %error);
            return;
        }
        let worker = responder.clone();
        let response = match tokio::task::spawn_blocking(move || worker.respond(&request)).await {
            Ok(response) => response,
            Err(_) => {
                tracing::error!(event = "answer_failed", command);
                Response::failure(responder.live(), false)
            }
        };
        let rendered = response
            .rendered()
            .cloned()
            .unwrap_or_else(|| Rendered::text(FAILURE_TEXT));
        if let Err(error) =
            rest(http.edit_original_interaction_response(&token, &rendered.edit(), Vec::new()))
                .await
        {
            tracing::warn!(event = "respond_failed", step = "edit", command, %error);
            return;
        }
    } else {
        let response = responder.respond(&request);
        if response == Response::Pong {
            return;
        }
        let body = response.interaction_response();
        if let Err(error) =
            rest(http.create_interaction_response(id, &token, &body, Vec::new())).await
        {
            tracing::warn!(event = "respond_failed", step = "respond", command, %error);
            return;
        }
    }
    tracing::info!(
        event = "interaction_done",
        command,
        millis = started.elapsed().as_millis() as u64
    );
}

fn id_and_token(interaction: &Interaction) -> Option<(InteractionId, String)> {
    match interaction {
        Interaction::Command(i) | Interaction::Autocomplete(i) => Some((i.id, i.token.clone())),
        Interaction::Component(i) => Some((i.id, i.token.clone())),
        Interaction::Modal(i) => Some((i.id, i.token.clone())),
        _ => None,
    }
}

struct Handler {
    responder: Responder,
    guild: Option<GuildId>,
    registered: AtomicBool,
}

#[serenity::async_trait]
impl EventHandler for Handler {
    async fn ready(&self, ctx: Context, ready: Ready) {
        tracing::info!(
            event = "gateway_ready",
            guilds = ready.guilds.len(),
            shard = ready.shard.map_or(0, |s| s.id.0)
        );
        if self.registered.swap(true, Ordering::SeqCst) {
            return;
        }
        if let Err(error) = register(&ctx.http, self.guild).await {
            tracing::warn!(event = "commands_not_registered", %error);
            // Try again on the next READY.
            self.registered.store(false, Ordering::SeqCst);
        }
    }

    async fn resume(&self, _ctx: Context, _event: ResumedEvent) {
        tracing::info!(event = "gateway_resumed");
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        answer(&self.responder, &ctx.http, interaction).await;
    }
}

/// Posts each knowledge reload result to the admin channel.
pub fn notify_reloads(http: Arc<Http>, channel: ChannelId, live: &LiveKnowledge) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Rendered>();
    let root = live.dir().to_path_buf();
    live.on_reload(move |outcome| {
        let _ = tx.send(render::reload_notice(outcome, &root));
    });
    tokio::spawn(async move {
        while let Some(notice) = rx.recv().await {
            match rest(channel.send_message(&http, notice.channel_message())).await {
                Ok(_) => tracing::info!(event = "reload_posted"),
                Err(error) => tracing::warn!(event = "reload_post_failed", %error),
            }
        }
    });
}

/// Connects to the gateway and answers until `shutdown` completes, then closes the shards
/// cleanly.
pub async fn run(
    config: &Config,
    live: LiveKnowledge,
    shutdown: impl Future<Output = ()> + Send,
) -> anyhow::Result<()> {
    let token = config.token.as_ref().context("DISCORD_TOKEN is not set")?;
    let http = build_http(token, config.api_url.as_deref());
    let handler = Handler {
        responder: Responder::new(live.clone()),
        guild: config.guild_id.map(GuildId::new),
        registered: AtomicBool::new(false),
    };
    // No intents: interactions arrive regardless, and nothing else (no guild names, no
    // messages) is sent to the bot.
    let mut client = ClientBuilder::new_with_http(http, GatewayIntents::empty())
        .event_handler(handler)
        .await
        .map_err(|e| anyhow!("could not build the Discord client: {}", describe(&e)))?;
    if let Some(channel) = config.admin_channel_id {
        notify_reloads(client.http.clone(), ChannelId::new(channel), &live);
    }
    let manager = client.shard_manager.clone();
    tracing::info!(
        event = "gateway_starting",
        custom_api = config.api_url.is_some()
    );
    let started = client.start();
    tokio::pin!(started);
    tokio::select! {
        result = &mut started => {
            return result.map_err(|e| anyhow!("the Discord connection failed: {}", describe(&e)));
        }
        () = shutdown => {}
    }
    tracing::info!(event = "shutting_down");
    manager.shutdown_all().await;
    match tokio::time::timeout(SHUTDOWN_TIMEOUT, started).await {
        Ok(Err(e)) => tracing::warn!(event = "shutdown_error", error = %describe(&e)),
        Err(_) => tracing::warn!(event = "shutdown_timed_out"),
        Ok(Ok(())) => {}
    }
    tracing::info!(event = "stopped");
    Ok(())
}
