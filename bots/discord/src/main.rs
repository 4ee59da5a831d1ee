//! `signpost-discord`: configuration and start-up (shared with the Telegram bot through
//! `signpost-bot-support`); the rest is in the library.

use clap::Parser;
use signpost_bot_support::startup;
use signpost_discord::{Args, Config, app};
use std::process::ExitCode;

fn main() -> ExitCode {
    let config = Config::from_env(&Args::parse(), |name| std::env::var(name).ok());
    startup::main("signpost-discord", config, Config::secrets, |config| {
        app::run(config, app::shutdown_signal())
    })
}
