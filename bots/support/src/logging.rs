//! One logging policy for both bots: logs carry event kinds, timings, result ids and counts,
//! and never a person's words, a name, a token or a webhook secret.
//!
//! - The bots' own events and the core's (the [`OWN_TARGETS`]) are logged at the level
//!   `RUST_LOG` asks for (default `info`).
//! - Other libraries are limited to warnings and errors, whatever `RUST_LOG` says, and their
//!   spans are never shown: serenity records whole gateway events as span fields, and HTTP and
//!   websocket libraries trace headers, frames and URLs at lower levels. The modules that print
//!   payloads or request URLs ([`SILENCED`]) are not shown at all.
//! - A message from another library that can carry a person's words (teloxide prints a whole
//!   update it cannot parse, at `ERROR`) is withheld: the `log` bridge replaces it by a notice
//!   that says what happened without the details, and the `tracing` filter drops any such
//!   event that reaches it another way.
//! - Every registered [`Secret`] is blanked from every line written, as a last guard.
//!
//! teloxide and its HTTP stack log through the `log` crate; [`init`] installs the bridge that
//! forwards those records to `tracing`, and fails loudly if another logger is already set
//! (a silent failure there once let raw updates through).

use crate::Secret;
use std::io::{self, IsTerminal, Write};
use std::sync::{Arc, OnceLock, RwLock};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Metadata, Subscriber};
use tracing_log::NormalizeEvent;
use tracing_subscriber::filter::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::{Context, Filter, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::{Layer, Registry};

/// Targets logged at the level `RUST_LOG` asks for: the core and the bots.
pub const OWN_TARGETS: &[&str] = &[
    "signpost",
    "signpost_telegram",
    "signpost_discord",
    "signpost_bot_support",
];

/// Targets of other libraries never shown: they print payloads, headers or request URLs
/// (which can hold a token or an interaction token).
pub const SILENCED: &[&str] = &[
    "serenity::gateway::ws",
    "serenity::client::dispatch",
    "serenity::http",
    "serenity::internal",
    "tungstenite",
    "tokio_tungstenite",
    "hyper",
    "hyper_util",
    "h2",
    "reqwest",
    "rustls",
];

/// Messages of other libraries that print a whole update, response or request, with what
/// people wrote: the start of each, and what the notice says instead.
const WITHHELD: &[(&str, &str)] = &[
    ("Cannot parse an update", "an update could not be read"),
    ("Unhandled update", "an update was not handled"),
    ("Got response from", "a response arrived"),
    ("Updated a dialogue", "a dialogue changed"),
    ("dialogue.get_or_default()", "a dialogue could not be read"),
    (
        "An error from the update listener",
        "the update listener failed",
    ),
    ("Error handler", "a handler failed"),
];

/// Pieces that mark text from a person inside another library's message (a `Debug` or JSON
/// dump of an update or a user): such messages are withheld too.
const CONTENT_MARKS: &[&str] = &[
    "\"text\"",
    "text: ",
    "\"caption\"",
    "caption: ",
    "first_name",
    "username",
    "Update {",
    "Value: ",
    "raw: ",
];

/// What the notice for a withheld message says after its kind.
const WITHHELD_NOTE: &str = "(details withheld: they may carry what a person wrote)";

fn is_own(target: &str) -> bool {
    OWN_TARGETS.iter().any(|own| {
        target == *own
            || target
                .strip_prefix(own)
                .is_some_and(|rest| rest.starts_with("::"))
    })
}

fn is_silenced(target: &str) -> bool {
    SILENCED.iter().any(|s| {
        target == *s
            || target
                .strip_prefix(s)
                .is_some_and(|rest| rest.starts_with("::"))
    })
}

/// Whether another library's message could carry what a person wrote.
pub fn carries_content(message: &str) -> bool {
    WITHHELD.iter().any(|(start, _)| message.starts_with(start))
        || CONTENT_MARKS.iter().any(|mark| message.contains(mark))
}

/// Whether an event or span may be logged, from its metadata alone (the level of the bots'
/// own events is left to `RUST_LOG`).
pub fn allowed(meta: &Metadata<'_>) -> bool {
    if is_own(meta.target()) {
        return true;
    }
    !meta.is_span() && !is_silenced(meta.target()) && *meta.level() <= Level::WARN
}

/// The policy as a per-layer filter: [`allowed`] on metadata, and other libraries' events
/// whose message [`carries_content`] dropped.
#[derive(Debug, Clone, Copy, Default)]
pub struct PrivacyFilter;

impl<S: Subscriber> Filter<S> for PrivacyFilter {
    fn enabled(&self, meta: &Metadata<'_>, _cx: &Context<'_, S>) -> bool {
        allowed(meta)
    }

    fn event_enabled(&self, event: &Event<'_>, _cx: &Context<'_, S>) -> bool {
        // Records bridged from `log` carry their real target in their fields.
        let normalized = event.normalized_metadata();
        let meta = normalized.as_ref().unwrap_or_else(|| event.metadata());
        if is_own(meta.target()) {
            return true;
        }
        if !allowed(meta) {
            return false;
        }
        let mut message = MessageText::default();
        event.record(&mut message);
        !carries_content(&message.0)
    }
}

#[derive(Default)]
struct MessageText(String);

impl Visit for MessageText {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.0.push_str(value);
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0.push_str(&format!("{value:?}"));
        }
    }
}

/// The secrets blanked from every line: registered by [`init`] (and by the test kit).
fn secrets() -> &'static RwLock<Vec<String>> {
    static SECRETS: OnceLock<RwLock<Vec<String>>> = OnceLock::new();
    SECRETS.get_or_init(|| RwLock::new(Vec::new()))
}

/// Blanks `secret` from every log line from now on (values under four characters are left:
/// they would blank ordinary words).
pub fn register_secret(secret: &Secret) {
    let value = secret.expose();
    if value.len() >= 4
        && let Ok(mut list) = secrets().write()
        && !list.iter().any(|s| s == value)
    {
        list.push(value.to_string());
    }
}

/// A writer that blanks registered secrets from what it writes. The formatter writes each
/// event in one call, so a secret is never split between two writes.
pub struct Blanking<W>(W);

impl<W: Write> Write for Blanking<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let list = secrets().read().map(|l| l.clone()).unwrap_or_default();
        if list.is_empty() {
            return self.0.write(buf);
        }
        let mut text = String::from_utf8_lossy(buf).into_owned();
        for secret in &list {
            if text.contains(secret.as_str()) {
                text = text.replace(secret.as_str(), "<redacted>");
            }
        }
        self.0.write_all(text.as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// [`Blanking`] around any `MakeWriter`.
#[derive(Clone)]
pub struct BlankingWriter<M>(pub M);

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for BlankingWriter<M> {
    type Writer = Blanking<M::Writer>;
    fn make_writer(&'a self) -> Self::Writer {
        Blanking(self.0.make_writer())
    }
}

/// The formatting layer of the policy: `directives` (an `EnvFilter` string such as `info` or
/// `trace`; unreadable ones fall back to `info`) for the bots' own events, the
/// [`PrivacyFilter`] for everything, registered secrets blanked, written to `writer`.
pub fn layer<S, W>(directives: &str, ansi: bool, writer: W) -> impl Layer<S> + Send + Sync + 'static
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    use tracing_subscriber::filter::FilterExt;
    let env = EnvFilter::try_new(directives).unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt::layer()
        .with_writer(BlankingWriter(writer))
        .with_ansi(ansi)
        .with_target(true)
        .with_filter(env.and(PrivacyFilter))
}

/// Why logging could not start.
#[derive(Debug, thiserror::Error)]
pub enum LoggingError {
    /// Something else already set the global `tracing` subscriber.
    #[error("cannot start logging: a tracing subscriber is already set")]
    SubscriberSet,
    /// Something else already set the `log` logger, so records from libraries that log with
    /// `log` (teloxide) would bypass the privacy policy.
    #[error("cannot start logging: another `log` logger is already set")]
    LoggerSet,
}

/// Starts the process's logging: `RUST_LOG` (default `info`) to standard error behind the
/// policy, `secrets` blanked, and the `log` bridge. Fails rather than run with a logger that
/// bypasses the policy.
pub fn init(secrets: &[Secret]) -> Result<(), LoggingError> {
    for secret in secrets {
        register_secret(secret);
    }
    let directives = std::env::var("RUST_LOG").unwrap_or_else(|_| "info".into());
    let ansi = io::stderr().is_terminal();
    install(layer(&directives, ansi, io::stderr))
}

/// Sets `layer` as the global subscriber and installs the `log` bridge.
pub fn install<L>(layer: L) -> Result<(), LoggingError>
where
    L: Layer<Registry> + Send + Sync + 'static,
{
    tracing::subscriber::set_global_default(Registry::default().with(layer))
        .map_err(|_| LoggingError::SubscriberSet)?;
    install_log_bridge()
}

/// Forwards `log` records (teloxide, reqwest, tantivy) to `tracing`: other libraries'
/// records above `WARN` are dropped here, and those that can carry a person's words are
/// replaced by a notice.
pub fn install_log_bridge() -> Result<(), LoggingError> {
    static BRIDGE: LogBridge = LogBridge;
    log::set_logger(&BRIDGE).map_err(|_| LoggingError::LoggerSet)?;
    // Only other libraries log through `log`, and only their warnings and errors are kept.
    log::set_max_level(log::LevelFilter::Warn);
    Ok(())
}

struct LogBridge;

impl log::Log for LogBridge {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::Level::Warn || is_own(metadata.target())
    }

    fn log(&self, record: &log::Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let text = record.args().to_string();
        if is_own(record.target()) || !carries_content(&text) {
            let _ = tracing_log::format_trace(record);
            return;
        }
        let kind = WITHHELD
            .iter()
            .find(|(start, _)| text.starts_with(start))
            .map_or("a message from a library", |(_, kind)| kind);
        let _ = tracing_log::format_trace(
            &log::Record::builder()
                .metadata(record.metadata().clone())
                .module_path(record.module_path())
                .file(record.file())
                .line(record.line())
                .args(format_args!("{kind} {WITHHELD_NOTE}"))
                .build(),
        );
    }

    fn flush(&self) {}
}

/// A shared in-memory log, for tests and tools: a `MakeWriter` whose lines can be read back.
#[derive(Clone, Default)]
pub struct MemoryLog(Arc<std::sync::Mutex<Vec<u8>>>);

impl MemoryLog {
    /// Everything written so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(|e| e.into_inner())).into_owned()
    }
}

impl Write for MemoryLog {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for MemoryLog {
    type Writer = MemoryLog;
    fn make_writer(&'a self) -> MemoryLog {
        self.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_targets_and_others() {
        assert!(is_own("signpost"));
        assert!(is_own("signpost::live"));
        assert!(is_own("signpost_telegram::handlers"));
        assert!(!is_own("signpostx"));
        assert!(!is_own("teloxide::dispatching"));
        assert!(is_silenced("serenity::http::client"));
        assert!(!is_silenced("serenity::gateway::shard"));
    }

    #[test]
    fn messages_that_can_carry_words_are_recognised() {
        assert!(carries_content(
            "Cannot parse an update.\nError: Error(\"x\")\nValue: {\"text\": \"hi\"}"
        ));
        assert!(carries_content("Unhandled update: Update { id: 1 }"));
        assert!(carries_content("something {\"text\":\"hello\"}"));
        assert!(!carries_content(
            "Throttle queue is full (10 pending requests)"
        ));
        assert!(!carries_content(
            "an update could not be read (details withheld: they may carry what a person wrote)"
        ));
    }
}
