//! Start-up and shutdown: load the knowledge, pick the mode, stop on Ctrl-C or SIGTERM.

use crate::config::{Config, Mode};
use crate::{endpoint, gateway};
use signpost::LiveKnowledge;
use std::future::Future;

/// Loads the knowledge folder, watching it unless `--no-watch`. The error lists every problem
/// as `path:line:column`.
pub fn load_knowledge(config: &Config) -> anyhow::Result<LiveKnowledge> {
    let loaded = if config.watch {
        LiveKnowledge::watch(&config.knowledge, signpost::live::DEFAULT_DEBOUNCE)
    } else {
        LiveKnowledge::load(&config.knowledge)
    };
    let (live, report) = loaded.map_err(|e| anyhow::anyhow!("{e}"))?;
    tracing::info!(
        event = "knowledge_loaded",
        entries = report.entries,
        services = report.services,
        topics = report.topics,
        warnings = report.warnings(),
        watching = config.watch,
    );
    Ok(live)
}

/// Runs the bot in the configured mode until `shutdown` completes.
pub async fn run(
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let live = load_knowledge(&config)?;
    match config.mode.clone() {
        Mode::Gateway => gateway::run(&config, live, shutdown).await,
        Mode::Endpoint { addr, public_key } => {
            endpoint::run(&config, live, addr, public_key, shutdown).await
        }
    }
}

/// Completes on Ctrl-C, or on SIGTERM where there are signals.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!(event = "signal", name = "interrupt"),
        () = terminate => tracing::info!(event = "signal", name = "terminate"),
    }
}
