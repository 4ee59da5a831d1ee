//! # signpost-bot-support
//!
//! What the Telegram and Discord bots share and the core must not know about: one logging
//! policy ([`logging`]), one start-up ([`startup`]: configuration errors, the knowledge folder,
//! the load report, the async runtime), a [`Secret`] that never prints, one shutdown on Ctrl-C
//! or SIGTERM ([`shutdown`]), one hardened HTTP listener for webhooks and interaction endpoints
//! ([`http`]), and, with the `test-kit` feature, the helpers both bots' tests use.
#![warn(missing_docs)]

pub mod http;
pub mod logging;
mod secret;
pub mod shutdown;
pub mod startup;
#[cfg(feature = "test-kit")]
pub mod test_kit;

pub use secret::Secret;
pub use startup::{ConfigError, KnowledgeArgs};
