//! # signpost
//!
//! The core of a signposting assistant for the Dumfries and Galloway Community Justice
//! Partnership: it reads a folder of Markdown entries about services and the Scottish
//! justice process, indexes them with Tantivy in RAM, and answers one turn of conversation
//! with a platform-neutral [`Reply`] that the terminal, Telegram and Discord front ends render.
//!
//! ```no_run
//! use signpost::{Assistant, Turn};
//! let (assistant, _report) = Assistant::load("knowledge".as_ref())?;
//! let reply = assistant.answer(&Turn::new("my dad is getting out of the jail soon"));
//! for card in &reply.cards {
//!     println!("{}: {}", card.title, card.summary);
//! }
//! # Ok::<(), signpost::Error>(())
//! ```
#![warn(missing_docs)]

pub mod assistant;
pub mod error;
pub mod eval;
pub mod feedback;
pub mod gaps;
pub mod hours;
pub mod knowledge;
pub mod learn;
pub mod live;
pub mod reply;
pub mod safety;
#[doc(hidden)]
pub mod samples;
pub mod search;
pub mod synth;
pub mod text;
pub mod towns;

pub use assistant::{Assistant, Turn};
pub use error::{Error, IndexError, KnowledgeError};
pub use hours::{Clock, FixedClock, SystemClock};
pub use knowledge::{Audience, KnowledgeBase, Stage};
pub use live::LiveKnowledge;
pub use reply::{Action, Card, Kind, Reply, Suggestion};
pub use towns::Town;
