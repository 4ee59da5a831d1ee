//! `signpost-telegram`: configuration, logging and knowledge loading; the rest is in the
//! library.

use clap::Parser;
use signpost::LiveKnowledge;
use signpost_telegram::{Bot, Config, Settings, config::Cli, privacy};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::from_cli(cli, |name| std::env::var(name).ok()) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("signpost-telegram: {e}");
            return ExitCode::from(2);
        }
    };
    privacy::init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("signpost-telegram: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("signpost-telegram: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let dir = config.knowledge.clone();
    let loaded = if config.watch {
        LiveKnowledge::watch(&dir, signpost::live::DEFAULT_DEBOUNCE)
    } else {
        LiveKnowledge::load(&dir)
    };
    let (knowledge, report) = loaded
        .map_err(|e| anyhow::anyhow!("cannot load the knowledge folder {}: {e}", dir.display()))?;
    tracing::info!(
        event = "knowledge_loaded",
        entries = report.entries,
        warnings = report.warnings(),
        watching = config.watch
    );
    let mut bot = Bot::new(config.token.clone());
    if let Some(url) = config.api_url.clone() {
        bot = bot.set_api_url(url);
    }
    let settings = Settings {
        throttle: config.throttle,
        listen: config.listen.clone(),
        ..Settings::default()
    };
    signpost_telegram::run(bot, knowledge, settings).await
}
