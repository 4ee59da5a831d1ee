//! "Helpful" / "Not helpful" on Telegram. The core counts the press and says thank you; here
//! the message the pair was under is edited to end with that thanks, and the pair comes off
//! it (its other buttons stay), so an answer is rated once. A second tap that arrives before
//! the edit is not counted again.

use crate::app::{App, TgBot};
use crate::privacy::describe_error;
use crate::render::{MAX_MESSAGE_LEN, escape, plain_text, render, utf16_len, without_feedback};
use crate::send::send_all;
use signpost::Action;
use signpost::reply::Reply;
use std::time::Instant;
use teloxide::prelude::*;
use teloxide::types::{LinkPreviewOptions, Message, ParseMode};
use teloxide::utils::render::RenderMessageTextHelper;

/// Whether a button's payload is a feedback press.
pub(crate) fn is_feedback(payload: &str) -> bool {
    matches!(Action::decode(payload), Some(Action::Feedback(_)))
}

/// Whether this press is the first on its message (always true when the message cannot be
/// seen, as for one over 48 hours old).
pub(crate) fn first_press(app: &App, chat: ChatId, q: &CallbackQuery) -> bool {
    match q.message.as_ref().and_then(|m| m.regular_message()) {
        Some(message) => app.chats.first_rating(chat, message.id.0, Instant::now()),
        None => true,
    }
}

/// Thanks the person in the message the pair was under, taking the pair off it. When that
/// message cannot be edited (too old, or the thanks would not fit), the pair is taken off if
/// possible and the thanks comes as a message of its own.
pub(crate) async fn thank<R: TgBot>(
    bot: &R,
    app: &App,
    chat: ChatId,
    q: &CallbackQuery,
    thanks: &Reply,
) {
    let Some(message) = q.message.as_ref().and_then(|m| m.regular_message()) else {
        send_all(bot, app, chat, render(thanks)).await;
        tracing::info!(event = "feedback_thanked", edited = false);
        return;
    };
    let keyboard = message.reply_markup().and_then(without_feedback);
    if edit_with_thanks(bot, chat, message, thanks, keyboard.clone()).await {
        tracing::info!(event = "feedback_thanked", edited = true);
        return;
    }
    let mut request = bot.edit_message_reply_markup(chat, message.id);
    if let Some(keyboard) = keyboard {
        request = request.reply_markup(keyboard);
    }
    if let Err(e) = request.await {
        tracing::warn!(event = "feedback_buttons_kept", error = %describe_error(&e));
    }
    send_all(bot, app, chat, render(thanks)).await;
    tracing::info!(event = "feedback_thanked", edited = false);
}

/// The message's text as it was (with its formatting), a blank line, then the thanks in
/// italics; false when that does not fit or Telegram refuses it.
async fn edit_with_thanks<R: TgBot>(
    bot: &R,
    chat: ChatId,
    message: &Message,
    thanks: &Reply,
    keyboard: Option<teloxide::types::InlineKeyboardMarkup>,
) -> bool {
    let Some(text) = message.html_text().or_else(|| message.text().map(escape)) else {
        return false;
    };
    let html = format!(
        "{}\n\n<i>{}</i>",
        text.trim_end(),
        escape(thanks.lead.trim())
    );
    if utf16_len(&plain_text(&html)) > MAX_MESSAGE_LEN {
        return false;
    }
    let mut request = bot
        .edit_message_text(chat, message.id, html)
        .parse_mode(ParseMode::Html)
        .link_preview_options(LinkPreviewOptions {
            is_disabled: true,
            url: None,
            prefer_small_media: false,
            prefer_large_media: false,
            show_above_text: false,
        });
    if let Some(keyboard) = keyboard {
        request = request.reply_markup(keyboard);
    }
    match request.await {
        Ok(_) => true,
        Err(e) => {
            tracing::warn!(event = "feedback_edit_failed", error = %describe_error(&e));
            false
        }
    }
}
