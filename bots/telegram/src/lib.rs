//! # signpost-telegram
//!
//! The Telegram front end of signpost: it answers people affected by the justice system in
//! Dumfries and Galloway through the core [`signpost`] library, rendering each
//! [`signpost::Reply`] as Telegram HTML with inline-keyboard buttons.
//!
//! - [`render()`]: a reply as messages (HTML parts, split under Telegram's limit, buttons last).
//! - [`start`] / [`run`]: the real teloxide dispatcher for a `Bot` and a
//!   [`signpost::LiveKnowledge`], by long polling or webhook.
//! - [`config`]: flags and environment; secrets only from the environment.
//! - [`state`]: per-chat memory (menu choice, flood window), in RAM with an idle expiry.
//! - [`privacy`]: logging that never carries message text, names or the token.
#![warn(missing_docs)]

mod app;
pub mod config;
mod handlers;
pub mod privacy;
pub mod render;
pub mod state;
mod webhook;

pub use app::{App, Running, Settings, Stats, TgBot, commands, run, start, start_with};
pub use config::{Config, ConfigError, Listen, WebhookConfig};
pub use handlers::{
    Answer, CAPTION_NOTE, Command, EXPIRED_BUTTON_NOTE, FLOOD_NOTE, LONG_NOTE, NON_TEXT_NOTE,
    SORRY_NOTE, UNKNOWN_COMMAND_NOTE, about, answer_message,
};
pub use render::{OutgoingMessage, render};
pub use teloxide::Bot;
