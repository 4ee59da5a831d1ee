//! # signpost-discord
//!
//! The Discord front end of signpost: slash commands for practitioners, answered from the
//! live knowledge folder through the core, over the gateway or an HTTP interactions endpoint.
//!
//! - [`config`]: flags and environment.
//! - [`commands`]: the slash command definitions, and interactions read into a [`Request`].
//! - [`handler`]: a [`Request`] answered from the knowledge as a [`Response`].
//! - [`render`]: the one renderer, a core reply to embeds and buttons within Discord's
//!   [`limits`], as serenity builders or JSON.
//! - [`gateway`] and [`endpoint`]: the two ways of meeting Discord; [`app`] starts either.
//!
//! The conversation (buttons, `/about`, look-ups by name, failures) is the core's; logging,
//! start-up, secrets and the endpoint's HTTP listener are `signpost-bot-support`'s.
#![warn(missing_docs)]

pub mod app;
pub mod commands;
pub mod config;
pub mod endpoint;
pub mod gateway;
pub mod handler;
pub mod limits;
pub mod render;

pub use commands::Request;
pub use config::{Args, Config, Mode};
pub use handler::{Responder, Response};
