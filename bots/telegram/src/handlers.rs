//! The handler tree. The steps every update shares are filters in the tree, as in teloxide's
//! `dispatching_features.rs` example: counting (a guard injected at the root), people's own
//! messages only, commands anywhere but conversation in private chats only, and the flood
//! gate. Each endpoint then translates one kind of update into a call to the core and sends
//! the rendered reply.

use crate::app::{App, Stats, TgBot};
use crate::privacy::{chat_tag, describe_error};
use crate::render::{OutgoingMessage, escape, render, render_about, render_with_note};
use crate::send::send_all;
use crate::state::Gate;
use signpost::assistant::conversation::FAILURE_TEXT;
use signpost::reply::Intent;
use signpost::{Assistant, Audience, Turn};
use std::sync::Arc;
use std::time::Instant;
use teloxide::RequestError;
use teloxide::dispatching::UpdateHandler;
use teloxide::prelude::*;
use teloxide::types::{Me, MessageKind};
use teloxide::utils::command::BotCommands;

/// The bot's commands, registered with `setMyCommands` at start. Each variant's doc comment is
/// what Telegram's command menu shows, so it is written for the people using the bot: plain
/// and short. `/start` also carries a deep link's payload (`/start family` picks that menu
/// choice).
#[derive(BotCommands, Clone)]
#[command(rename_rule = "lowercase")]
pub enum Command {
    /// Start again
    Start(String),
    /// How to use this service
    Help,
    /// Choose who you are asking for
    Menu,
    /// Emergency and 24-hour lines
    Crisis,
    /// About this service and your privacy
    About,
}

/// Said once when a chat passes the flood limit, above the emergency lines.
pub const FLOOD_NOTE: &str = "You've sent a lot of messages in a short time, so I'll pause \
    for a minute before I answer again. If you need someone now, these lines are there for you:";
/// Said for stickers, photos, voice messages and files.
pub const NON_TEXT_NOTE: &str = "Sorry, I can only read text messages: I can't open stickers, \
    photos, voice messages or files. Please type your question in your own words, or pick who \
    you are asking for:";
/// Said when a photo or file came with a caption, which is answered.
pub const CAPTION_NOTE: &str =
    "I can't open photos or files, but I've read the words you sent with it.";
/// Said for an unknown command.
pub const UNKNOWN_COMMAND_NOTE: &str = "I don't know that command.";
/// What Telegram itself keeps, added to the core's privacy wording in `/about`.
pub const ABOUT_TELEGRAM: &str =
    "Telegram keeps this chat on your device: you can delete it at any time.";

/// The handler tree: people's messages (commands, unknown commands, text and media) and
/// button presses.
pub fn schema<R: TgBot>() -> UpdateHandler<RequestError> {
    let messages = Update::filter_message()
        .filter(|msg: Message| matches!(msg.kind, MessageKind::Common(_)))
        .filter(for_us)
        .map(|msg: Message| msg.chat.id)
        .filter_async(admit::<R>)
        .branch(
            dptree::entry()
                .filter_command::<Command>()
                .endpoint(on_command::<R>),
        )
        .branch(dptree::filter(is_command).endpoint(on_unknown_command::<R>))
        .branch(dptree::endpoint(on_message::<R>));
    let callbacks = Update::filter_callback_query()
        // Stop the button's spinner first, whatever happens next.
        .inspect_async(stop_spinner::<R>)
        .filter_map(|q: CallbackQuery| q.message.as_ref().map(|m| m.chat().id))
        .filter_async(admit::<R>)
        .endpoint(on_callback::<R>);
    dptree::entry()
        .map(|app: Arc<App>| Handled::new(&app.stats))
        .inspect(|update: Update| {
            tracing::trace!(
                event = "update",
                id = update.id.0,
                kind = update_kind(&update)
            )
        })
        .branch(messages)
        .branch(callbacks)
}

/// Counts an update as handled once everything done for it has finished, whichever way it
/// went: injected at the root of the tree, dropped with the update's dependencies.
#[derive(Clone)]
struct Handled(#[allow(dead_code)] Arc<HandledOnDrop>);

struct HandledOnDrop(Arc<Stats>);

impl Handled {
    fn new(stats: &Arc<Stats>) -> Handled {
        Handled(Arc::new(HandledOnDrop(Arc::clone(stats))))
    }
}

impl Drop for HandledOnDrop {
    fn drop(&mut self) {
        self.0.handled();
    }
}

/// The kind of an update, safe to log.
fn update_kind(update: &Update) -> &'static str {
    use teloxide::types::UpdateKind;
    match &update.kind {
        UpdateKind::Message(_) => "message",
        UpdateKind::CallbackQuery(_) => "callback_query",
        UpdateKind::EditedMessage(_) => "edited_message",
        _ => "other",
    }
}

fn is_command(msg: Message) -> bool {
    msg.text().is_some_and(|t| t.starts_with('/'))
}

/// Commands addressed to this bot (or to no bot in particular) anywhere; anything else in
/// private chats only: people's conversations in groups are not for us.
fn for_us(msg: Message, me: Me) -> bool {
    let Some(text) = msg.text().filter(|t| t.starts_with('/')) else {
        let private = msg.chat.is_private();
        if !private {
            tracing::debug!(event = "message_ignored", reason = "group");
        }
        return private;
    };
    let first = text.split_whitespace().next().unwrap_or(text);
    let ours = first.split_once('@').is_none_or(|(_, addressee)| {
        me.username
            .as_deref()
            .is_some_and(|u| u.eq_ignore_ascii_case(addressee))
    });
    if !ours {
        tracing::debug!(event = "message_ignored", reason = "other_bot");
    }
    ours
}

/// The flood gate: true to answer. Over the limit, says so once (with the emergency lines)
/// and then stays silent until the window passes.
async fn admit<R: TgBot>(bot: R, app: Arc<App>, chat: ChatId) -> bool {
    match app.chats.admit(chat, Instant::now()) {
        Gate::Pass => true,
        Gate::Warn => {
            app.stats.flood_note();
            tracing::info!(event = "flood_limited");
            tracing::debug!(event = "flood_limited", chat = %chat_tag(chat));
            let mut lines = app.knowledge.current().crisis();
            lines.suggestions.clear();
            send_all(&bot, &app, chat, render_with_note(FLOOD_NOTE, &lines)).await;
            false
        }
        Gate::Silent => {
            app.stats.silence();
            tracing::debug!(event = "flood_silenced");
            false
        }
    }
}

async fn stop_spinner<R: TgBot>(bot: R, q: CallbackQuery) {
    if let Err(e) = bot.answer_callback_query(q.id.clone()).await {
        tracing::warn!(event = "callback_answer_failed", error = %describe_error(&e));
    }
}

async fn on_command<R: TgBot>(
    bot: R,
    chat: ChatId,
    cmd: Command,
    app: Arc<App>,
) -> ResponseResult<()> {
    let started = Instant::now();
    let assistant = app.knowledge.current();
    let (name, messages) = match cmd {
        Command::Start(payload) => {
            let replies = assistant.start(&payload);
            // A deep link's choice is remembered; a fresh start forgets an earlier one.
            let audience = replies.last().and_then(|r| r.audience);
            app.chats.set_audience(chat, audience, Instant::now());
            app.chats.set_town(chat, None, Instant::now());
            let name = if audience.is_some() {
                "start_deep_link"
            } else {
                "start"
            };
            (name, replies.iter().flat_map(render).collect())
        }
        Command::Help => ("help", render(&assistant.help())),
        Command::Menu => ("menu", render(&assistant.menu())),
        Command::Crisis => ("crisis", render(&assistant.crisis())),
        Command::About => (
            "about",
            render_about(
                &assistant.about(Some(app.settings.idle_expiry)),
                ABOUT_TELEGRAM,
            ),
        ),
    };
    let parts = messages.len();
    send_all(&bot, &app, chat, messages).await;
    tracing::info!(
        event = "command",
        command = name,
        parts,
        millis = started.elapsed().as_millis() as u64
    );
    Ok(())
}

async fn on_unknown_command<R: TgBot>(
    bot: R,
    chat: ChatId,
    msg: Message,
    app: Arc<App>,
) -> ResponseResult<()> {
    let text = msg.text().unwrap_or_default();
    let assistant = app.knowledge.current();
    // Words after a slash can still be a cry for help: safety comes before "unknown command".
    if assistant.safety_notice(text).is_some() {
        answer_text(&bot, &app, chat, text, None).await;
        return Ok(());
    }
    send_all(
        &bot,
        &app,
        chat,
        render_with_note(UNKNOWN_COMMAND_NOTE, &assistant.help()),
    )
    .await;
    tracing::info!(event = "command", command = "unknown");
    Ok(())
}

async fn on_message<R: TgBot>(
    bot: R,
    chat: ChatId,
    msg: Message,
    app: Arc<App>,
) -> ResponseResult<()> {
    match (msg.text(), msg.caption()) {
        (Some(text), _) => answer_text(&bot, &app, chat, text, None).await,
        (None, Some(caption)) => answer_text(&bot, &app, chat, caption, Some(CAPTION_NOTE)).await,
        (None, None) => {
            let mut reply = app.knowledge.current().menu();
            reply.lead = NON_TEXT_NOTE.into();
            send_all(&bot, &app, chat, render(&reply)).await;
            tracing::info!(event = "non_text");
        }
    }
    Ok(())
}

async fn answer_text<R: TgBot>(bot: &R, app: &App, chat: ChatId, text: &str, note: Option<&str>) {
    let started = Instant::now();
    let live = app.knowledge.clone();
    let assistant = live.current();
    let audience = app.chats.audience(chat, Instant::now());
    // Never logged: a town named in a message is the person's words.
    let town = app.chats.town(chat, Instant::now());
    let owned = text.to_owned();
    // Search is CPU work: keep it off the async workers.
    let answered = tokio::task::spawn_blocking(move || {
        live.answer_on(
            &assistant,
            &Turn {
                text: &owned,
                audience,
                stage: None,
                town,
            },
        )
    })
    .await;
    let Ok(reply) = answered else {
        tracing::error!(event = "answer_failed");
        return failure(bot, app, chat).await;
    };
    if reply.town != town {
        app.chats.set_town(chat, reply.town, Instant::now());
    }
    let messages = match note {
        Some(note) => render_with_note(note, &reply),
        None => render(&reply),
    };
    tracing::info!(
        event = "answered",
        intent = ?reply.intent,
        crisis = ?reply.crisis(),
        concern = ?reply.concern(),
        fallback = reply.fallback,
        results = ?reply.shown_ids(),
        audience = audience.map(Audience::as_str),
        clipped = Assistant::is_long(text),
        parts = messages.len(),
        millis = started.elapsed().as_millis() as u64,
    );
    send_all(bot, app, chat, messages).await;
}

/// Something went wrong inside the core: the core's failure reply, with the emergency lines.
async fn failure<R: TgBot>(bot: &R, app: &App, chat: ChatId) {
    let assistant = app.knowledge.current();
    let messages = match tokio::task::spawn_blocking(move || assistant.failure()).await {
        Ok(reply) => render(&reply),
        Err(_) => vec![OutgoingMessage {
            html: escape(FAILURE_TEXT),
            keyboard: None,
        }],
    };
    send_all(bot, app, chat, messages).await;
}

async fn on_callback<R: TgBot>(
    bot: R,
    chat: ChatId,
    q: CallbackQuery,
    app: Arc<App>,
) -> ResponseResult<()> {
    let started = Instant::now();
    let assistant = app.knowledge.current();
    let now = Instant::now();
    let reply = assistant.press(
        q.data.as_deref().unwrap_or_default(),
        app.chats.audience(chat, now),
        app.chats.town(chat, now),
    );
    if reply.intent == Intent::Choice {
        app.chats.set_audience(chat, reply.audience, now);
    }
    let messages = render(&reply);
    tracing::info!(
        event = "button",
        intent = ?reply.intent,
        results = ?reply.shown_ids(),
        audience = reply.audience.map(Audience::as_str),
        parts = messages.len(),
        millis = started.elapsed().as_millis() as u64,
    );
    send_all(&bot, &app, chat, messages).await;
    Ok(())
}
