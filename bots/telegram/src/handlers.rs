//! The update handlers: small functions over the core, with state injected by dptree.

use crate::app::{App, Stats, TgBot, backoff, is_transient};
use crate::privacy::{chat_tag, describe_error};
use crate::render::{OutgoingMessage, plain_text, render, render_with_note};
use crate::state::Gate;
use signpost::{Action, Assistant, Audience, Reply, Turn};
use std::sync::Arc;
use std::time::{Duration, Instant};
use teloxide::dispatching::UpdateHandler;
use teloxide::prelude::*;
use teloxide::types::{LinkPreviewOptions, Me, MessageKind, ParseMode};
use teloxide::utils::command::BotCommands;
use teloxide::{ApiError, RequestError};

/// The bot's commands, registered with `setMyCommands` at start.
#[derive(BotCommands, Clone)]
#[command(rename_rule = "lowercase")]
pub enum Command {
    /// `/start`, or a deep link `/start family` that picks a menu choice.
    #[command(description = "start again and say who you are asking for")]
    Start(String),
    /// How to use the bot.
    #[command(description = "how to use this service")]
    Help,
    /// The "who are you asking for" menu.
    #[command(description = "change who you are asking for")]
    Menu,
    /// The emergency and 24-hour lines.
    #[command(description = "emergency and 24-hour lines now")]
    Crisis,
    /// What this is, privacy, where the information comes from.
    #[command(description = "what this is, privacy, where the information comes from")]
    About,
}

/// Said once when a chat passes the flood limit, above the emergency lines.
pub const FLOOD_NOTE: &str = "You've sent a lot of messages in a short time, so I'll pause \
    for a minute before I answer again. If you need someone now, these lines are there for you:";
/// Said when a message was too long to read whole.
pub const LONG_NOTE: &str = "Your message was long, so I've answered from the first part of \
    it. If I've missed something, you can send the rest as a shorter message.";
/// Said for stickers, photos, voice messages and files.
pub const NON_TEXT_NOTE: &str = "Sorry, I can only read text messages: I can't open stickers, \
    photos, voice messages or files. Please type your question in your own words, or pick who \
    you are asking for:";
/// Said when a photo or file came with a caption, which is answered.
pub const CAPTION_NOTE: &str =
    "I can't open photos or files, but I've read the words you sent with it.";
/// Said if answering failed inside the bot, above the emergency lines.
pub const SORRY_NOTE: &str = "Sorry, something went wrong on my side and I couldn't answer \
    that. Please try again in a moment, or send /menu.";
/// Said for an unknown command.
pub const UNKNOWN_COMMAND_NOTE: &str = "I don't know that command.";
/// Said for a button from an older message that no longer decodes.
pub const EXPIRED_BUTTON_NOTE: &str = "That button is from an older message and no longer \
    works. Please pick again, or type your question.";

/// The handler tree: commands, other messages, button presses.
pub fn schema<R: TgBot>() -> UpdateHandler<RequestError> {
    let messages = Update::filter_message()
        .branch(
            dptree::entry()
                .filter_command::<Command>()
                .endpoint(on_command::<R>),
        )
        .branch(dptree::endpoint(on_message::<R>));
    let callbacks = Update::filter_callback_query().endpoint(on_callback::<R>);
    dptree::entry().branch(messages).branch(callbacks)
}

/// Counts an update as handled when the handler returns, whichever way.
struct Handled<'a>(&'a Stats);

impl Drop for Handled<'_> {
    fn drop(&mut self) {
        self.0.handled();
    }
}

async fn on_command<R: TgBot>(
    bot: R,
    msg: Message,
    cmd: Command,
    app: Arc<App>,
) -> ResponseResult<()> {
    let _handled = Handled(&app.stats);
    let chat = msg.chat.id;
    if !admit(&bot, &app, chat).await {
        return Ok(());
    }
    let started = Instant::now();
    let assistant = app.knowledge.current();
    let now = Instant::now();
    let (name, messages) = match cmd {
        Command::Start(payload) => {
            let key = payload.trim();
            let choice = assistant.menu_choices().iter().find(|c| c.key == key);
            match choice {
                Some(choice) => {
                    app.chats.set_audience(chat, Some(choice.audience), now);
                    let mut welcome = assistant.welcome();
                    welcome.suggestions.clear();
                    let mut messages = render(&welcome);
                    messages.extend(render(&assistant.choose(&choice.key)));
                    ("start_deep_link", messages)
                }
                None => {
                    // A fresh start forgets an earlier choice.
                    app.chats.set_audience(chat, None, now);
                    ("start", render(&assistant.welcome()))
                }
            }
        }
        Command::Help => ("help", render(&assistant.help())),
        Command::Menu => ("menu", render(&assistant.menu())),
        Command::Crisis => ("crisis", render(&assistant.crisis())),
        Command::About => ("about", about(&assistant, app.settings.idle_expiry)),
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

async fn on_message<R: TgBot>(bot: R, msg: Message, me: Me, app: Arc<App>) -> ResponseResult<()> {
    let _handled = Handled(&app.stats);
    let chat = msg.chat.id;
    // Only people's own messages: not joins, pins or other service messages.
    if !matches!(msg.kind, MessageKind::Common(_)) {
        tracing::debug!(event = "message_ignored", reason = "service");
        return Ok(());
    }
    let text = msg.text();
    if let Some(text) = text
        && text.starts_with('/')
    {
        return unknown_command(&bot, &app, chat, text, &me).await;
    }
    // In groups, answer commands only: people's conversations there are not for us.
    if !msg.chat.is_private() {
        tracing::debug!(event = "message_ignored", reason = "group");
        return Ok(());
    }
    if !admit(&bot, &app, chat).await {
        return Ok(());
    }
    match (text, msg.caption()) {
        (Some(text), _) => answer_text(&bot, &app, chat, text, None).await,
        (None, Some(caption)) => answer_text(&bot, &app, chat, caption, Some(CAPTION_NOTE)).await,
        (None, None) => {
            let assistant = app.knowledge.current();
            let mut reply = assistant.menu();
            reply.lead = NON_TEXT_NOTE.into();
            send_all(&bot, &app, chat, render(&reply)).await;
            tracing::info!(event = "non_text");
        }
    }
    Ok(())
}

async fn unknown_command<R: TgBot>(
    bot: &R,
    app: &App,
    chat: ChatId,
    text: &str,
    me: &Me,
) -> ResponseResult<()> {
    let first = text.split_whitespace().next().unwrap_or(text);
    if let Some((_, addressee)) = first.split_once('@')
        && !me
            .username
            .as_deref()
            .is_some_and(|u| u.eq_ignore_ascii_case(addressee))
    {
        tracing::debug!(event = "message_ignored", reason = "other_bot");
        return Ok(());
    }
    if !admit(bot, app, chat).await {
        return Ok(());
    }
    let assistant = app.knowledge.current();
    // Words after a slash can still be a cry for help: safety comes before "unknown command".
    if !assistant.knowledge().safety.triage(text).is_empty() {
        answer_text(bot, app, chat, text, None).await;
        return Ok(());
    }
    send_all(
        bot,
        app,
        chat,
        render_with_note(UNKNOWN_COMMAND_NOTE, &assistant.help()),
    )
    .await;
    tracing::info!(event = "command", command = "unknown");
    Ok(())
}

async fn answer_text<R: TgBot>(bot: &R, app: &App, chat: ChatId, text: &str, note: Option<&str>) {
    let started = Instant::now();
    let assistant = app.knowledge.current();
    let audience = app.chats.audience(chat, Instant::now());
    let max = app.settings.max_input_chars;
    let owned = text.to_owned();
    // Search is CPU work: keep it off the async workers.
    let answered =
        tokio::task::spawn_blocking(move || answer_message(&assistant, &owned, audience, max))
            .await;
    let Ok(answer) = answered else {
        tracing::error!(event = "answer_failed");
        return sorry(bot, app, chat).await;
    };
    if answer.reply.fallback {
        app.knowledge.record_unanswered(text);
    }
    let reply = &answer.reply;
    let messages = match note {
        Some(note) => render_with_note(note, reply),
        None => render(reply),
    };
    let ids: Vec<&str> = reply
        .safety
        .iter()
        .flat_map(|s| s.cards.iter())
        .chain(reply.cards.iter())
        .map(|c| c.id.as_str())
        .collect();
    tracing::info!(
        event = "answered",
        intent = ?reply.intent,
        crisis = ?reply.crisis(),
        fallback = reply.fallback,
        results = ?ids,
        audience = audience.map(Audience::as_str),
        clipped = answer.clipped,
        parts = messages.len(),
        millis = started.elapsed().as_millis() as u64,
    );
    send_all(bot, app, chat, messages).await;
}

/// Something went wrong inside the core: say so, and still give the emergency lines.
async fn sorry<R: TgBot>(bot: &R, app: &App, chat: ChatId) {
    let assistant = app.knowledge.current();
    let lines = tokio::task::spawn_blocking(move || {
        let mut lines = assistant.crisis();
        lines.suggestions.clear();
        lines
    })
    .await;
    let messages = match lines {
        Ok(lines) => render_with_note(SORRY_NOTE, &lines),
        Err(_) => vec![OutgoingMessage {
            html: crate::render::escape(&format!("{SORRY_NOTE} If you are in danger, call 999.")),
            keyboard: None,
        }],
    };
    send_all(bot, app, chat, messages).await;
}

/// A reply to a message, and whether the message was clipped to its first part.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The reply to render.
    pub reply: Reply,
    /// True when only the first `max_chars` were searched (a note then leads the reply).
    pub clipped: bool,
}

/// Answers a message through the core. Text longer than `max_chars` is searched from its
/// first part, with a note; the whole message is still checked for a crisis, so a cry for
/// help at the end of a long message is never missed.
pub fn answer_message(
    assistant: &Assistant,
    text: &str,
    audience: Option<Audience>,
    max_chars: usize,
) -> Answer {
    let max_chars = max_chars.max(1);
    let first = clip(text, max_chars);
    let mut reply = assistant.answer(&Turn {
        text: first,
        audience,
        stage: None,
    });
    let clipped = first.len() < text.len();
    if clipped {
        // The safety rules are cheap: run them over the whole message, and if the part
        // searched missed a crisis, take the notice from the whole message.
        if reply.safety.is_none()
            && let Some(notice) = assistant.safety_notice(text)
        {
            reply.safety = Some(notice);
            if !reply.suggestions.iter().any(|s| s.action == Action::Crisis) {
                reply.suggestions.insert(
                    0,
                    signpost::reply::Suggestion {
                        label: "Emergency lines".into(),
                        action: Action::Crisis,
                    },
                );
            }
        }
        reply.lead = if reply.lead.trim().is_empty() {
            LONG_NOTE.to_string()
        } else {
            format!("{LONG_NOTE}\n\n{}", reply.lead)
        };
    }
    Answer { reply, clipped }
}

/// The first `max_chars` characters, cut back to a space when one is near the end.
fn clip(text: &str, max_chars: usize) -> &str {
    let Some((cut, _)) = text.char_indices().nth(max_chars) else {
        return text;
    };
    let head = &text[..cut];
    match head.rfind(char::is_whitespace) {
        Some(space) if head[..space].chars().count() + 100 >= max_chars => &text[..space],
        _ => head,
    }
}

async fn on_callback<R: TgBot>(bot: R, q: CallbackQuery, app: Arc<App>) -> ResponseResult<()> {
    let _handled = Handled(&app.stats);
    // Stop the button's spinner first, whatever happens next.
    if let Err(e) = bot.answer_callback_query(q.id.clone()).await {
        tracing::warn!(event = "callback_answer_failed", error = %describe_error(&e));
    }
    let Some(chat) = q.message.as_ref().map(|m| m.chat().id) else {
        tracing::debug!(event = "callback_ignored", reason = "no_message");
        return Ok(());
    };
    if !admit(&bot, &app, chat).await {
        return Ok(());
    }
    let started = Instant::now();
    let assistant = app.knowledge.current();
    let now = Instant::now();
    let data = q.data.as_deref().unwrap_or_default();
    let (kind, reply) = match Action::decode(data) {
        None => {
            let mut reply = assistant.menu();
            reply.lead = EXPIRED_BUTTON_NOTE.into();
            ("expired", reply)
        }
        Some(action) => {
            let reply = assistant.act(&action, app.chats.audience(chat, now));
            if matches!(action, Action::Choose(_)) && reply.audience.is_some() {
                app.chats.set_audience(chat, reply.audience, now);
            }
            (action_kind(&action), reply)
        }
    };
    let messages = render(&reply);
    let ids: Vec<&str> = reply.cards.iter().map(|c| c.id.as_str()).collect();
    tracing::info!(
        event = "button",
        action = kind,
        intent = ?reply.intent,
        results = ?ids,
        audience = reply.audience.map(Audience::as_str),
        parts = messages.len(),
        millis = started.elapsed().as_millis() as u64,
    );
    send_all(&bot, &app, chat, messages).await;
    Ok(())
}

fn action_kind(action: &Action) -> &'static str {
    match action {
        Action::Entry(_) => "entry",
        Action::Choose(_) => "choose",
        Action::Journey(_) => "journey",
        Action::Menu => "menu",
        Action::Crisis => "crisis",
        Action::Help => "help",
    }
}

/// The flood limit: true to answer. Over the limit, says so once (with the emergency lines)
/// and then stays silent until the window passes.
async fn admit<R: TgBot>(bot: &R, app: &App, chat: ChatId) -> bool {
    match app.chats.admit(chat, Instant::now()) {
        Gate::Pass => true,
        Gate::Warn => {
            app.stats.flood_note();
            tracing::info!(event = "flood_limited");
            tracing::debug!(event = "flood_limited", chat = %chat_tag(chat));
            let mut lines = app.knowledge.current().crisis();
            lines.suggestions.clear();
            send_all(bot, app, chat, render_with_note(FLOOD_NOTE, &lines)).await;
            false
        }
        Gate::Silent => {
            app.stats.silence();
            tracing::debug!(event = "flood_silent", chat = %chat_tag(chat));
            false
        }
    }
}

/// Sends the parts of a reply in order; stops at the first part that cannot be delivered.
async fn send_all<R: TgBot>(bot: &R, app: &App, chat: ChatId, messages: Vec<OutgoingMessage>) {
    for message in &messages {
        if deliver(bot, app, chat, message).await.is_err() {
            break;
        }
    }
}

const MAX_ATTEMPTS: u32 = 4;
const MAX_RETRY_WAIT: Duration = Duration::from_secs(60);

/// Sends one message. Network errors and `429 retry_after` are waited out (a few times);
/// if Telegram ever rejects the HTML, the same text goes again as plain text, so the person
/// still gets it. Failures are logged by kind, never with content.
async fn deliver<R: TgBot>(
    bot: &R,
    app: &App,
    chat: ChatId,
    message: &OutgoingMessage,
) -> Result<(), RequestError> {
    let mut attempt = 0;
    let mut plain = false;
    loop {
        let mut request = if plain {
            bot.send_message(chat, plain_text(&message.html))
        } else {
            bot.send_message(chat, message.html.clone())
                .parse_mode(ParseMode::Html)
        };
        request = request.link_preview_options(LinkPreviewOptions {
            is_disabled: true,
            url: None,
            prefer_small_media: false,
            prefer_large_media: false,
            show_above_text: false,
        });
        if let Some(keyboard) = &message.keyboard {
            request = request.reply_markup(keyboard.clone());
        }
        match request.await {
            Ok(_) => {
                app.stats.delivered();
                return Ok(());
            }
            Err(RequestError::Api(ApiError::CantParseEntities(_))) if !plain => {
                tracing::error!(event = "html_rejected");
                plain = true;
            }
            Err(RequestError::RetryAfter(wait)) if attempt + 1 < MAX_ATTEMPTS => {
                attempt += 1;
                tracing::warn!(event = "send_retry", attempt, wait_secs = wait.seconds());
                tokio::time::sleep(wait.duration().min(MAX_RETRY_WAIT)).await;
            }
            Err(e) if is_transient(&e) && attempt + 1 < MAX_ATTEMPTS => {
                attempt += 1;
                tracing::warn!(event = "send_retry", attempt, error = %describe_error(&e));
                tokio::time::sleep(backoff(attempt)).await;
            }
            Err(e) => {
                app.stats.failed();
                tracing::warn!(event = "send_failed", error = %describe_error(&e));
                tracing::debug!(event = "send_failed", chat = %chat_tag(chat));
                return Err(e);
            }
        }
    }
}

/// `/about`: what this is, privacy, and where the information comes from.
pub fn about(assistant: &Assistant, idle_expiry: Duration) -> Vec<OutgoingMessage> {
    use crate::render::escape;
    let kb = assistant.knowledge();
    let reviewed = kb
        .last_reviewed()
        .map(|d| format!(", last reviewed on {}", long_date(d.year, d.month, d.day)))
        .unwrap_or_default();
    let blocks = vec![
        format!(
            "<b>About signpost</b>\n{}",
            escape(
                "signpost is an automated signposting service from the Dumfries and Galloway \
                 Community Justice Partnership. It points people affected by crime or the \
                 justice system (victims and witnesses, families, people who have been \
                 arrested, charged or convicted) to services that can help, and explains each \
                 step of the Scottish justice process in plain English."
            )
        ),
        escape(
            "It is not an emergency service, and no person reads these messages. If you are in \
             danger, call 999.",
        ),
        format!(
            "<b>Your privacy</b>\n{}",
            escape(&format!(
                "Your messages are not stored: they are used to find an answer and then \
                 forgotten. The bot's logs never contain what you write or your name. If you \
                 pick who you are asking for, that choice is kept in memory only, and forgotten \
                 after {} without a message. Telegram keeps this chat on your device: you can \
                 delete it at any time.",
                span(idle_expiry)
            ))
        ),
        format!(
            "<b>Where the information comes from</b>\n{}",
            escape(&format!(
                "The Community Justice Partnership's knowledge folder: {} entries about local \
                 and national services and the justice process{reviewed}. Services can change, \
                 so check with them if something doesn't look right.",
                kb.entries.len()
            ))
        ),
    ];
    let mut reply = assistant.help();
    reply.suggestions.retain(|s| s.action == Action::Crisis);
    reply.suggestions.insert(
        0,
        signpost::reply::Suggestion {
            label: "Who are you asking for?".into(),
            action: Action::Menu,
        },
    );
    crate::render::render_blocks(blocks, &reply.suggestions, crate::render::MAX_MESSAGE_LEN)
}

fn span(d: Duration) -> String {
    let minutes = d.as_secs() / 60;
    match (minutes / 60, minutes % 60) {
        (1, 0) => "an hour".into(),
        (h, 0) if h > 1 => format!("{h} hours"),
        (0, m) if m <= 1 => "a minute".into(),
        (0, m) => format!("{m} minutes"),
        (h, m) => format!("{h} hour{} {m} minutes", if h == 1 { "" } else { "s" }),
    }
}

fn long_date(year: u16, month: u8, day: u8) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let name = MONTHS
        .get(usize::from(month).saturating_sub(1))
        .copied()
        .unwrap_or("");
    format!("{day} {name} {year}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_cuts_on_a_space_near_the_limit() {
        let text = format!("{} tail", "word ".repeat(50));
        let clipped = clip(&text, 100);
        assert!(clipped.chars().count() <= 100);
        assert!(clipped.ends_with("word"));
        assert_eq!(clip("short", 100), "short");
        let no_spaces = "é".repeat(300);
        assert_eq!(clip(&no_spaces, 100).chars().count(), 100);
    }

    #[test]
    fn long_dates_and_spans_read_naturally() {
        assert_eq!(long_date(2026, 11, 22), "22 November 2026");
        assert_eq!(span(Duration::from_secs(24 * 3600)), "24 hours");
        assert_eq!(span(Duration::from_secs(3600)), "an hour");
        assert_eq!(span(Duration::from_secs(90 * 60)), "1 hour 30 minutes");
        assert_eq!(span(Duration::from_secs(600)), "10 minutes");
    }
}
