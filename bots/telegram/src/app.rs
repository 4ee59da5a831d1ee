//! Building and running the dispatcher: the real one, used by the binary and by the tests.

use crate::config::{Listen, WebhookConfig};
use crate::handlers::{self, Command};
use crate::privacy::describe_error;
use crate::state::{ChatStore, FloodLimit};
use crate::webhook;
use signpost::LiveKnowledge;
use signpost_bot_support::http::HttpLimits;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use teloxide::adaptors::throttle::Limits;
use teloxide::dispatching::{Dispatcher, ShutdownToken};
use teloxide::error_handlers::ErrorHandler;
use teloxide::prelude::*;
use teloxide::types::AllowedUpdate;
use teloxide::update_listeners::Polling;
use teloxide::utils::command::BotCommands;
use teloxide::{ApiError, RequestError};
use tokio::task::JoinHandle;

/// What the handlers need of a requester: the plain [`Bot`], or the bot behind teloxide's
/// `Throttle` (which queues sends within Telegram's limits and waits out `429 retry_after`).
pub trait TgBot:
    Requester<
        Err = RequestError,
        SendMessage: Send,
        AnswerCallbackQuery: Send,
        GetMe: Send,
        SetMyCommands: Send,
        SetWebhook: Send,
        DeleteWebhook: Send,
        GetWebhookInfo: Send,
        GetUpdates: Send,
    > + Clone
    + Send
    + Sync
    + 'static
{
}

impl<T> TgBot for T where
    T: Requester<
            Err = RequestError,
            SendMessage: Send,
            AnswerCallbackQuery: Send,
            GetMe: Send,
            SetMyCommands: Send,
            SetWebhook: Send,
            DeleteWebhook: Send,
            GetWebhookInfo: Send,
            GetUpdates: Send,
        > + Clone
        + Send
        + Sync
        + 'static
{
}

/// How the bot behaves; [`Settings::default`] is what the binary uses.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Queue sends to stay within Telegram's limits and wait out `429 retry_after`.
    pub throttle: bool,
    /// Per-chat flood limit.
    pub flood: FloodLimit,
    /// A chat idle this long is forgotten (its menu choice too).
    pub idle_expiry: Duration,
    /// Register the command list with `setMyCommands` at start.
    pub register_commands: bool,
    /// Polling or webhook.
    pub listen: Listen,
    /// Long-polling timeout (`getUpdates` `timeout`).
    pub poll_timeout: Duration,
    /// Timeouts and the connection cap of the webhook server.
    pub http: HttpLimits,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            throttle: true,
            flood: FloodLimit::default(),
            idle_expiry: Duration::from_secs(24 * 60 * 60),
            register_commands: true,
            listen: Listen::Polling,
            poll_timeout: Duration::from_secs(10),
            http: HttpLimits::default(),
        }
    }
}

/// Counters for operations and tests: counts only, no content.
#[derive(Debug, Default)]
pub struct Stats {
    updates: AtomicU64,
    sent: AtomicU64,
    send_failures: AtomicU64,
    flood_notes: AtomicU64,
    silenced: AtomicU64,
}

impl Stats {
    /// Updates fully handled (answered, ignored or silenced).
    pub fn updates_handled(&self) -> u64 {
        self.updates.load(Ordering::SeqCst)
    }
    /// Messages delivered.
    pub fn messages_sent(&self) -> u64 {
        self.sent.load(Ordering::SeqCst)
    }
    /// Messages that could not be delivered after retries.
    pub fn send_failures(&self) -> u64 {
        self.send_failures.load(Ordering::SeqCst)
    }
    /// Flood-limit notes sent.
    pub fn flood_notes(&self) -> u64 {
        self.flood_notes.load(Ordering::SeqCst)
    }
    /// Updates left unanswered because of the flood limit.
    pub fn silenced(&self) -> u64 {
        self.silenced.load(Ordering::SeqCst)
    }
    pub(crate) fn handled(&self) {
        self.updates.fetch_add(1, Ordering::SeqCst);
    }
    pub(crate) fn delivered(&self) {
        self.sent.fetch_add(1, Ordering::SeqCst);
    }
    pub(crate) fn failed(&self) {
        self.send_failures.fetch_add(1, Ordering::SeqCst);
    }
    pub(crate) fn flood_note(&self) {
        self.flood_notes.fetch_add(1, Ordering::SeqCst);
    }
    pub(crate) fn silence(&self) {
        self.silenced.fetch_add(1, Ordering::SeqCst);
    }
}

/// Everything the handlers share, injected through dptree's dependencies.
pub struct App {
    /// The knowledge, hot-reloaded or fixed.
    pub knowledge: LiveKnowledge,
    /// Per-chat memory.
    pub chats: ChatStore,
    /// Behaviour.
    pub settings: Settings,
    /// Counters.
    pub stats: Arc<Stats>,
}

/// A running bot.
pub struct Running {
    shutdown: ShutdownToken,
    task: JoinHandle<()>,
    sweeper: JoinHandle<()>,
    stats: Arc<Stats>,
    webhook_addr: Option<SocketAddr>,
}

impl Running {
    /// The counters.
    pub fn stats(&self) -> &Arc<Stats> {
        &self.stats
    }

    /// Where the webhook server listens, in webhook mode.
    pub fn webhook_addr(&self) -> Option<SocketAddr> {
        self.webhook_addr
    }

    /// True once the dispatcher has stopped.
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }

    /// Stops taking updates, lets the handlers in flight finish, and waits up to `grace`.
    /// Returns true when everything stopped in time.
    pub async fn shutdown(mut self, grace: Duration) -> bool {
        let deadline = Instant::now() + grace;
        // The token refuses while the dispatcher is still starting: try until it is running.
        loop {
            if self.task.is_finished() || self.shutdown.shutdown().is_ok() {
                break;
            }
            if Instant::now() >= deadline {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        let clean = tokio::time::timeout(left, &mut self.task).await.is_ok();
        if !clean {
            self.task.abort();
        }
        self.sweeper.abort();
        tracing::info!(event = "stopped", clean);
        clean
    }

    /// Waits until the dispatcher stops by itself.
    pub async fn wait(&mut self) {
        let _ = (&mut self.task).await;
    }
}

/// The commands, as registered with `setMyCommands` (names without the slash, as the Bot
/// API documents them).
pub fn commands() -> Vec<teloxide::types::BotCommand> {
    Command::bot_commands()
        .into_iter()
        .map(|mut c| {
            c.command = c.command.trim_start_matches('/').to_string();
            c
        })
        .collect()
}

/// Starts the bot: checks the token with `getMe` (waiting out network errors for a while),
/// registers the commands, sets up polling or the webhook, and runs the dispatcher in the
/// background.
pub async fn start(
    bot: Bot,
    knowledge: LiveKnowledge,
    settings: Settings,
) -> anyhow::Result<Running> {
    if settings.throttle {
        start_with(bot.throttle(Limits::default()), knowledge, settings).await
    } else {
        start_with(bot, knowledge, settings).await
    }
}

/// [`start`] with any requester (the plain bot, or an adaptor around it).
pub async fn start_with<R: TgBot>(
    bot: R,
    knowledge: LiveKnowledge,
    settings: Settings,
) -> anyhow::Result<Running> {
    let me = get_me_patiently(&bot).await?;
    tracing::info!(event = "connected", has_username = me.username.is_some());

    if settings.register_commands {
        match bot.set_my_commands(commands()).await {
            Ok(_) => tracing::info!(event = "commands_registered", count = commands().len()),
            Err(e) => {
                tracing::warn!(event = "commands_not_registered", error = %describe_error(&e))
            }
        }
    }

    let stats = Arc::new(Stats::default());
    let app = Arc::new(App {
        knowledge,
        chats: ChatStore::new(settings.idle_expiry, settings.flood),
        settings: settings.clone(),
        stats: Arc::clone(&stats),
    });

    let mut dispatcher = Dispatcher::builder(bot.clone(), handlers::schema::<R>())
        .dependencies(dptree::deps![Arc::clone(&app)])
        // Updates no branch takes (edits, silenced floods) are counted by the tree's guard.
        .default_handler(|update| async move {
            tracing::debug!(event = "update_ignored", update_id = update.id.0);
        })
        .error_handler(Arc::new(QuietErrors("handler")))
        .build();
    let shutdown = dispatcher.shutdown_token();

    let allowed = vec![AllowedUpdate::Message, AllowedUpdate::CallbackQuery];
    let (task, webhook_addr) = match &settings.listen {
        Listen::Polling => {
            let listener = Polling::builder(bot.clone())
                .timeout(settings.poll_timeout)
                .allowed_updates(allowed)
                .delete_webhook()
                .await
                .build();
            tracing::info!(event = "listening", mode = "polling");
            let task = tokio::spawn(async move {
                dispatcher
                    .dispatch_with_listener(listener, Arc::new(QuietErrors("polling")))
                    .await;
            });
            (task, None)
        }
        Listen::Webhook(config) => {
            let (listener, addr) = webhook_listener(&bot, config, settings.http, allowed).await?;
            tracing::info!(event = "listening", mode = "webhook", port = addr.port());
            let task = tokio::spawn(async move {
                dispatcher
                    .dispatch_with_listener(listener, Arc::new(QuietErrors("webhook")))
                    .await;
            });
            (task, Some(addr))
        }
    };

    let sweeper = tokio::spawn({
        let app = Arc::clone(&app);
        async move {
            let every =
                (app.chats.idle() / 4).clamp(Duration::from_secs(1), Duration::from_secs(600));
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let forgotten = app.chats.sweep(Instant::now());
                if forgotten > 0 {
                    tracing::debug!(
                        event = "chats_forgotten",
                        count = forgotten,
                        remembered = app.chats.len()
                    );
                }
            }
        }
    });

    Ok(Running {
        shutdown,
        task,
        sweeper,
        stats,
        webhook_addr,
    })
}

async fn webhook_listener<R: TgBot>(
    bot: &R,
    config: &WebhookConfig,
    http: HttpLimits,
    allowed: Vec<AllowedUpdate>,
) -> anyhow::Result<(
    impl teloxide::update_listeners::UpdateListener<Err = std::convert::Infallible> + use<R>,
    SocketAddr,
)> {
    // Bind first, so a busy port fails before Telegram is told to send here.
    let (listener, addr) = webhook::serve(config, http).await?;
    let mut attempt = 0;
    loop {
        let result = bot
            .set_webhook(config.url.clone())
            .secret_token(config.secret.expose().to_string())
            .allowed_updates(allowed.clone())
            .await;
        match result {
            Ok(_) => break,
            Err(e) if is_transient(&e) && attempt < 5 => {
                attempt += 1;
                tracing::warn!(event = "set_webhook_retry", attempt, error = %describe_error(&e));
                tokio::time::sleep(backoff(attempt)).await;
            }
            Err(e) => anyhow::bail!("Telegram refused the webhook ({})", describe_error(&e)),
        }
    }
    tracing::info!(event = "webhook_set");
    Ok((listener, addr))
}

async fn get_me_patiently<R: TgBot>(bot: &R) -> anyhow::Result<teloxide::types::Me> {
    let mut attempt = 0;
    loop {
        match bot.get_me().await {
            Ok(me) => return Ok(me),
            Err(RequestError::Api(ApiError::InvalidToken)) => {
                anyhow::bail!("Telegram rejected the bot token: check TELOXIDE_TOKEN");
            }
            Err(e) if is_transient(&e) && attempt < 6 => {
                attempt += 1;
                tracing::warn!(event = "telegram_unreachable", attempt, error = %describe_error(&e));
                tokio::time::sleep(backoff(attempt)).await;
            }
            Err(e) => anyhow::bail!("could not reach Telegram ({})", describe_error(&e)),
        }
    }
}

pub(crate) fn is_transient(e: &RequestError) -> bool {
    matches!(
        e,
        RequestError::Network(_) | RequestError::Io(_) | RequestError::RetryAfter(_)
    )
}

pub(crate) fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(500u64.saturating_mul(1 << attempt.min(6))).min(Duration::from_secs(30))
}

/// Logs errors by kind only (never their `Debug` text, which may quote a raw response).
pub(crate) struct QuietErrors(pub &'static str);

impl ErrorHandler<RequestError> for QuietErrors {
    fn handle_error(
        self: Arc<Self>,
        error: RequestError,
    ) -> futures_util::future::BoxFuture<'static, ()> {
        let source = self.0;
        Box::pin(async move {
            tracing::warn!(event = "request_error", source, error = %describe_error(&error));
        })
    }
}

impl ErrorHandler<std::convert::Infallible> for QuietErrors {
    fn handle_error(
        self: Arc<Self>,
        error: std::convert::Infallible,
    ) -> futures_util::future::BoxFuture<'static, ()> {
        match error {}
    }
}

/// Runs until Ctrl-C or SIGTERM, then shuts down cleanly (in-flight answers are finished).
pub async fn run(bot: Bot, knowledge: LiveKnowledge, settings: Settings) -> anyhow::Result<()> {
    let mut running = start(bot, knowledge, settings).await?;
    tokio::select! {
        _ = signpost_bot_support::shutdown::signal() => {
            running.shutdown(Duration::from_secs(20)).await;
        }
        () = running.wait() => {
            tracing::warn!(event = "dispatcher_stopped");
        }
    }
    Ok(())
}
