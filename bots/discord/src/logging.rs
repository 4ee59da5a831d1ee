//! Logs that carry event kinds, timings, result ids and counts, and never a question, a name
//! or the token.
//!
//! This crate and the core log only such fields. Other crates are another matter: serenity's
//! instrumented functions record whole gateway events (an interaction with its text, a guild
//! with its name) as span fields, its websocket module prints payloads it cannot parse, and
//! HTTP and websocket libraries trace headers and frames. So, whatever `RUST_LOG` says, the
//! [`privacy_filter`] lets through from other crates only warnings and errors, from no spans,
//! and nothing at all from the modules that print payloads or request URLs.

use std::io::{self, IsTerminal};
use tracing::{Level, Metadata};
use tracing_subscriber::filter::{EnvFilter, FilterExt, FilterFn};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::{Filter, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::{Layer, Registry};

/// Targets of other crates that may print message content, tokens or interaction URLs.
const SILENCED: &[&str] = &[
    "serenity::gateway::ws",
    "serenity::client::dispatch",
    "serenity::http",
    "serenity::internal",
    "tungstenite",
    "tokio_tungstenite",
    "hyper",
    "reqwest",
    "rustls",
];

/// Whether an event or span may be logged, from its metadata alone.
pub fn allowed(meta: &Metadata<'_>) -> bool {
    let target = meta.target();
    if target == "signpost"
        || target.starts_with("signpost::")
        || target == "signpost_discord"
        || target.starts_with("signpost_discord::")
    {
        return true;
    }
    if meta.is_span() {
        return false;
    }
    if SILENCED
        .iter()
        .any(|s| target == *s || target.starts_with(&format!("{s}::")))
    {
        return false;
    }
    *meta.level() <= Level::WARN
}

/// The privacy filter as a per-layer filter.
pub fn privacy_filter<S>() -> impl Filter<S> + Send + Sync + 'static
where
    S: tracing::Subscriber + for<'a> LookupSpan<'a>,
{
    FilterFn::new(allowed)
}

/// A formatting layer writing to `writer` (with colours if `ansi`), at `directives` (an `EnvFilter` string such as
/// `info` or `signpost_discord=trace`), behind the privacy filter.
pub fn layer<S, W>(directives: &str, ansi: bool, writer: W) -> impl Layer<S> + Send + Sync + 'static
where
    S: tracing::Subscriber + for<'a> LookupSpan<'a>,
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let env = EnvFilter::try_new(directives).unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt::layer()
        .with_writer(writer)
        .with_ansi(ansi)
        .with_target(true)
        .with_filter(env.and(FilterFn::new(allowed)))
}

/// Installs the global subscriber: `RUST_LOG` (default `info`) to standard error, behind the
/// privacy filter.
pub fn init() {
    let directives = std::env::var("RUST_LOG").unwrap_or_else(|_| "info".into());
    let ansi = io::stderr().is_terminal();
    let subscriber = Registry::default().with(layer(&directives, ansi, io::stderr));
    let _ = tracing::subscriber::set_global_default(subscriber);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_by_target() {
        use tracing::callsite::Identifier;
        use tracing::field::FieldSet;
        use tracing::metadata::Kind as K;
        struct Cs;
        impl tracing::Callsite for Cs {
            fn set_interest(&self, _: tracing::subscriber::Interest) {}
            fn metadata(&self) -> &Metadata<'_> {
                unimplemented!()
            }
        }
        static CS: Cs = Cs;
        let meta = |target: &'static str, level: Level, kind: K| {
            Metadata::new(
                "x",
                target,
                level,
                None,
                None,
                None,
                FieldSet::new(&[], Identifier(&CS)),
                kind,
            )
        };
        assert!(allowed(&meta(
            "signpost_discord::gateway",
            Level::TRACE,
            K::EVENT
        )));
        assert!(allowed(&meta("signpost::live", Level::DEBUG, K::EVENT)));
        assert!(!allowed(&meta(
            "serenity::gateway::shard",
            Level::INFO,
            K::SPAN
        )));
        assert!(!allowed(&meta(
            "serenity::gateway::shard",
            Level::DEBUG,
            K::EVENT
        )));
        assert!(allowed(&meta(
            "serenity::gateway::shard",
            Level::WARN,
            K::EVENT
        )));
        assert!(!allowed(&meta(
            "serenity::gateway::ws",
            Level::WARN,
            K::EVENT
        )));
        assert!(!allowed(&meta(
            "serenity::http::client",
            Level::WARN,
            K::EVENT
        )));
        assert!(!allowed(&meta("signpostx", Level::WARN, K::SPAN)));
    }
}
