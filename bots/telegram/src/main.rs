//! `signpost-telegram`: configuration and start-up (shared with the Discord bot through
//! `signpost-bot-support`); the rest is in the library.

use clap::Parser;
use signpost_bot_support::startup;
use signpost_telegram::{Bot, Config, Settings, config::Cli};
use std::process::ExitCode;

fn main() -> ExitCode {
    let config = Config::from_cli(Cli::parse(), |name| std::env::var(name).ok());
    startup::main("signpost-telegram", config, Config::secrets, serve)
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let knowledge =
        startup::load_knowledge(&config.knowledge, config.watch, config.gaps.as_deref())?;
    let mut bot = Bot::new(config.token.expose());
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
