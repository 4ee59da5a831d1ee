//! Start-up: the knowledge (through `signpost-bot-support`, as for Telegram), then the mode.

use crate::config::{Config, Mode};
use crate::{endpoint, gateway};
use signpost_bot_support::startup;
use std::future::Future;

/// Loads the knowledge folder and runs the bot in the configured mode until `shutdown`
/// completes.
pub async fn run(
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let live = startup::load_knowledge(&config.knowledge, config.watch, config.gaps.as_deref())?;
    match config.mode.clone() {
        Mode::Gateway => gateway::run(&config, live, shutdown).await,
        Mode::Endpoint { addr, public_key } => {
            endpoint::run(&config, live, addr, public_key, shutdown).await
        }
    }
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    signpost_bot_support::shutdown::signal().await;
}
