//! Logging that never carries what people write.
//!
//! The bot's own events carry event kinds, timings, result ids and counts only. Chats appear
//! (at debug level) as a keyed hash whose key is random for each process, so two runs cannot
//! be joined up and the hash cannot be reversed to a chat id. Errors from Telegram requests
//! are described by their kind, never by their `Debug` text, which can hold a raw response
//! (with message text) or a Telegram description.
//!
//! teloxide and its HTTP stack log through the `log` crate; [`install_log_bridge`] forwards
//! those records to `tracing`, withholding the few teloxide messages that print an update.

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

/// Messages from dependencies that print whole updates or responses; they are replaced by a
/// notice when forwarded.
const WITHHELD: &[&str] = &[
    "Cannot parse an update",
    "Unhandled update",
    "Got response from",
    "Updated a dialogue",
    "An error from the update listener",
    "Error handler",
];

struct LogBridge {
    inner: tracing_log::LogTracer,
}

impl log::Log for LogBridge {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        self.inner.enabled(metadata)
    }

    fn log(&self, record: &log::Record<'_>) {
        if !self.inner.enabled(record.metadata()) {
            return;
        }
        let text = record.args().to_string();
        if WITHHELD.iter().any(|w| text.starts_with(w)) {
            let withheld = log::Record::builder()
                .metadata(record.metadata().clone())
                .module_path(record.module_path())
                .file(record.file())
                .line(record.line())
                .args(format_args!(
                    "(details withheld: they may contain message content)"
                ))
                .build();
            self.inner.log(&withheld);
        } else {
            self.inner.log(record);
        }
    }

    fn flush(&self) {}
}

static BRIDGE: OnceLock<LogBridge> = OnceLock::new();

/// Forwards `log` records (teloxide, reqwest, tantivy) to `tracing` under their own targets,
/// so `RUST_LOG` filters them, withholding the messages that can print an update. Call it
/// after the `tracing` subscriber is set; calling it again does nothing.
pub fn install_log_bridge() {
    let bridge = BRIDGE.get_or_init(|| LogBridge {
        inner: tracing_log::LogTracer::new(),
    });
    if log::set_logger(bridge).is_ok() {
        let level = match tracing::level_filters::LevelFilter::current().into_level() {
            None => log::LevelFilter::Off,
            Some(tracing::Level::ERROR) => log::LevelFilter::Error,
            Some(tracing::Level::WARN) => log::LevelFilter::Warn,
            Some(tracing::Level::INFO) => log::LevelFilter::Info,
            Some(tracing::Level::DEBUG) => log::LevelFilter::Debug,
            Some(tracing::Level::TRACE) => log::LevelFilter::Trace,
        };
        log::set_max_level(level);
    }
}

/// The process's logging: `RUST_LOG` (default `info`) to standard error, plus the bridge.
pub fn init_logging() {
    use std::io::IsTerminal;
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
    install_log_bridge();
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
