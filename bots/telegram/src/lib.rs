//! # signpost-telegram
//!
//! The Telegram front end of signpost: it answers people affected by the justice system in
//! Dumfries and Galloway through the core [`signpost`] library, rendering each
//! [`signpost::Reply`] as Telegram HTML with inline-keyboard buttons. The conversation itself
//! (long messages, buttons, the deep-link start, `/about`, failures) is the core's; start-up,
//! logging and the webhook's HTTP listener are `signpost-bot-support`'s.
//!
//! - [`render()`]: a reply as messages (HTML parts, split under Telegram's limit, buttons last).
//! - [`start`] / [`run`]: the real teloxide dispatcher for a `Bot` and a
//!   [`signpost::LiveKnowledge`], by long polling or webhook.
//! - [`config`]: flags and environment; secrets only from the environment.
//! - [`state`]: per-chat memory (menu choice, flood window), in RAM with an idle expiry.
//! - [`privacy`]: chats and errors as they appear in logs, never what people write.
#![warn(missing_docs)]

mod app;
pub mod config;
mod handlers;
pub mod privacy;
pub mod render;
mod send;
pub mod state;
mod webhook;

pub use app::{App, Running, Settings, Stats, TgBot, commands, run, start, start_with};
pub use config::{Config, ConfigError, Listen, WebhookConfig};
pub use handlers::{
    ABOUT_TELEGRAM, CAPTION_NOTE, Command, FLOOD_NOTE, NON_TEXT_NOTE, UNKNOWN_COMMAND_NOTE,
};
pub use render::{OutgoingMessage, render};
pub use signpost::assistant::conversation::{EXPIRED_BUTTON_NOTE, LONG_NOTE};
pub use teloxide::Bot;
