//! What the Telegram bot puts in its logs about chats and errors, never what people write.
//!
//! Chats appear (at debug level) as a keyed hash whose key is random for each process, so two
//! runs cannot be joined up and the hash cannot be reversed to a chat id. Errors from Telegram
//! requests are described by their kind, never by their `Debug` text, which can hold a raw
//! response (with message text) or a Telegram description. The logging policy itself (levels,
//! other libraries, withheld messages) is `signpost_bot_support::logging`, shared with the
//! Discord bot.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::OnceLock;
use teloxide::types::ChatId;
use teloxide::{ApiError, RequestError};

static CHAT_KEY: OnceLock<RandomState> = OnceLock::new();

/// A keyed hash of a chat id, for correlating log lines within one process run.
pub fn chat_tag(chat: ChatId) -> String {
    let key = CHAT_KEY.get_or_init(RandomState::new);
    format!("{:016x}", key.hash_one(chat.0))
}

/// A description of a request error that is safe to log: no response text, no token, no
/// Telegram description (which could quote what was sent).
pub fn describe_error(error: &RequestError) -> String {
    match error {
        RequestError::Api(api) => format!("api:{}", api_error_kind(api)),
        RequestError::MigrateToChatId(_) => "migrate_to_chat".into(),
        RequestError::RetryAfter(s) => format!("retry_after:{}s", s.seconds()),
        RequestError::Network(e) => {
            let kind = if e.is_timeout() {
                "timeout"
            } else if e.is_connect() {
                "connect"
            } else if e.is_decode() || e.is_body() {
                "body"
            } else {
                "other"
            };
            format!("network:{kind}")
        }
        RequestError::InvalidJson { .. } => "invalid_json".into(),
        RequestError::Io(e) => format!("io:{:?}", e.kind()),
    }
}

fn api_error_kind(api: &ApiError) -> String {
    match api {
        // These two carry Telegram's own description: keep it out.
        ApiError::CantParseEntities(_) => "cant_parse_entities".into(),
        ApiError::Unknown(_) => "unknown".into(),
        // Every other variant is a unit variant: its Debug text is its name.
        other => format!("{other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chat_tags_are_stable_within_a_process_and_hide_the_id() {
        let a = chat_tag(ChatId(123_456_789));
        assert_eq!(a, chat_tag(ChatId(123_456_789)));
        assert_ne!(a, chat_tag(ChatId(123_456_780)));
        assert!(!a.contains("123456789"));
        assert_eq!(a.len(), 16);
    }

    #[test]
    fn error_descriptions_leave_out_descriptions_and_raw_responses() {
        let raw = RequestError::InvalidJson {
            source: std::sync::Arc::new(serde_json::from_str::<u8>("x").unwrap_err()),
            raw: "{\"text\":\"my secret words\"}".into(),
        };
        assert_eq!(describe_error(&raw), "invalid_json");
        let api = RequestError::Api(ApiError::Unknown("Bad Request: my secret words".into()));
        assert_eq!(describe_error(&api), "api:unknown");
        let blocked = RequestError::Api(ApiError::BotBlocked);
        assert_eq!(describe_error(&blocked), "api:BotBlocked");
    }
}
