//! Learning from real use without keeping what people wrote: "Helpful" / "Not helpful"
//! presses, how often each entry is shown, daily counts of answers, fallbacks, crises and
//! concerns, and the scrubbed unanswered questions, all as counts per day in one SQLite file
//! ([`FeedbackStore`]); and the admins' [`report`] over a range of days.
//!
//! Front ends choose the file (the bots read `SIGNPOST_FEEDBACK_DB`) and hand the opened
//! store to [`crate::LiveKnowledge::set_feedback`]; the core never reads the environment.
//! A store that cannot be opened is a typed [`StoreError`]: the front end reports it and
//! answers without feedback. A write that fails later is logged and never stops an answer.

pub mod report;
mod store;

pub use report::FeedbackReport;
pub use store::{
    BUSY_TIMEOUT, DEFAULT_KEEP_DAYS, DayCounts, EntryCounts, FeedbackStore, MAX_KEEP_DAYS,
    Observation, Opened, StoreError,
};
