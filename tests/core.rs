//! Integration tests of the core library and the `signpost` CLI, over fixture folders and the
//! shipped knowledge.

#[path = "core/check.rs"]
mod check;
#[path = "core/claims.rs"]
mod claims;
#[path = "core/cli.rs"]
mod cli;
#[path = "core/common.rs"]
mod common;
#[path = "core/fuzz.rs"]
mod fuzz;
#[path = "core/hardening.rs"]
mod hardening;
#[path = "core/hostile.rs"]
mod hostile;
#[path = "core/hours.rs"]
mod hours;
#[path = "core/live.rs"]
mod live;
#[path = "core/phone.rs"]
mod phone;
#[path = "core/quality.rs"]
mod quality;
#[path = "core/retrieval.rs"]
mod retrieval;
#[path = "core/safety.rs"]
mod safety;
#[path = "core/search.rs"]
mod search;
