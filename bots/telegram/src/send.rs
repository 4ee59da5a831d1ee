//! Delivery: the parts of a reply in order, with retries, and plain text if Telegram ever
//! rejects the HTML. Failures are logged by kind, never with content.

use crate::app::{App, TgBot, backoff, is_transient};
use crate::privacy::{chat_tag, describe_error};
use crate::render::{OutgoingMessage, plain_text};
use std::time::Duration;
use teloxide::prelude::*;
use teloxide::types::{LinkPreviewOptions, ParseMode};
use teloxide::{ApiError, RequestError};

/// Sends the parts of a reply in order; stops at the first part that cannot be delivered.
pub(crate) async fn send_all<R: TgBot>(
    bot: &R,
    app: &App,
    chat: ChatId,
    messages: Vec<OutgoingMessage>,
) {
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
