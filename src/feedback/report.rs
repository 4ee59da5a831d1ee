//! What `signpost report` shows, gathered from the store and the knowledge folder: data, not
//! text (the CLI lays it out for the terminal and as an HTML page).

use super::store::{DayCounts, FeedbackStore, StoreError};
use crate::knowledge::{Date, Kind, KnowledgeBase};
use std::collections::HashMap;

/// The longest range a report covers, in days.
pub const MAX_DAYS: i64 = 1_100;

/// An entry with its counts over the report's range.
#[derive(Debug, Clone, PartialEq)]
pub struct EntryLine {
    /// Entry id.
    pub id: String,
    /// Its title, or `None` when the folder no longer holds it.
    pub title: Option<String>,
    /// Times shown as a card.
    pub shown: u64,
    /// "Helpful" presses.
    pub helpful: u64,
    /// "Not helpful" presses.
    pub not_helpful: u64,
}

impl EntryLine {
    /// Presses of either button.
    pub fn votes(&self) -> u64 {
        self.helpful + self.not_helpful
    }

    /// The share of presses that said "Not helpful" (0 to 1; 0 with no presses).
    pub fn not_helpful_share(&self) -> f64 {
        match self.votes() {
            0 => 0.0,
            n => self.not_helpful as f64 / n as f64,
        }
    }
}

/// An entry of the folder, named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryName {
    /// Entry id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Service or topic.
    pub kind: Kind,
    /// When a person last checked it.
    pub reviewed: Date,
}

/// Everything `signpost report` shows for a range of days.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedbackReport {
    /// First day (inclusive).
    pub from: Date,
    /// Last day (inclusive).
    pub to: Date,
    /// Every day of the range, in order, zero where nothing was counted.
    pub days: Vec<DayCounts>,
    /// Entries someone pressed a button about, most often "Not helpful" first (by share,
    /// then by number of presses, then by id).
    pub rated: Vec<EntryLine>,
    /// Every entry of the folder with its counts, by id.
    pub entries: Vec<EntryLine>,
    /// Entries of the folder never shown in the range, by id.
    pub never_shown: Vec<EntryName>,
    /// Unanswered questions (scrubbed words) with how often each was asked, most frequent
    /// first.
    pub unanswered: Vec<(String, u64)>,
    /// Entries last reviewed over twelve months before the end of the range, oldest first.
    pub due_for_review: Vec<EntryName>,
}

impl FeedbackReport {
    /// Gathers the report for `from` to `to` (inclusive). With no store (none configured, or
    /// none written yet) every count is zero: the empty report. Fails only when the store
    /// cannot be read.
    pub fn gather(
        store: Option<&FeedbackStore>,
        kb: &KnowledgeBase,
        from: Date,
        to: Date,
    ) -> Result<FeedbackReport, StoreError> {
        let (stored_days, stored_entries, unanswered) = match store {
            Some(store) => (
                store.days(from, to)?,
                store.entries(from, to)?,
                store.unanswered(from, to)?,
            ),
            None => Default::default(),
        };
        let by_day: HashMap<Date, DayCounts> =
            stored_days.into_iter().map(|d| (d.day, d)).collect();
        let span = (to.to_days() - from.to_days()).clamp(0, MAX_DAYS - 1);
        let days = (0..=span)
            .map(|i| from.plus_days(i))
            .map(|day| {
                by_day.get(&day).copied().unwrap_or(DayCounts {
                    day,
                    answers: 0,
                    fallbacks: 0,
                    crises: 0,
                    concerns: 0,
                })
            })
            .collect();
        let counts: HashMap<&str, &super::EntryCounts> =
            stored_entries.iter().map(|c| (c.id.as_str(), c)).collect();
        let line = |id: &str, title: Option<String>| {
            let c = counts.get(id);
            EntryLine {
                id: id.to_string(),
                title,
                shown: c.map_or(0, |c| c.shown),
                helpful: c.map_or(0, |c| c.helpful),
                not_helpful: c.map_or(0, |c| c.not_helpful),
            }
        };
        let mut entries: Vec<EntryLine> = kb
            .entries
            .iter()
            .map(|e| line(&e.id, Some(e.title.clone())))
            .collect();
        entries.sort_by(|a, b| a.id.cmp(&b.id));
        // Counts for entries since removed from the folder still count.
        let mut rated: Vec<EntryLine> = stored_entries
            .iter()
            .filter(|c| c.helpful + c.not_helpful > 0)
            .map(|c| line(&c.id, kb.get(&c.id).map(|e| e.title.clone())))
            .collect();
        rated.sort_by(|a, b| {
            b.not_helpful_share()
                .total_cmp(&a.not_helpful_share())
                .then_with(|| b.votes().cmp(&a.votes()))
                .then_with(|| a.id.cmp(&b.id))
        });
        let name = |e: &crate::knowledge::Entry| EntryName {
            id: e.id.clone(),
            title: e.title.clone(),
            kind: e.kind,
            reviewed: e.reviewed,
        };
        let mut never_shown: Vec<EntryName> = kb
            .entries
            .iter()
            .filter(|e| counts.get(e.id.as_str()).is_none_or(|c| c.shown == 0))
            .map(name)
            .collect();
        never_shown.sort_by(|a, b| a.id.cmp(&b.id));
        let due_for_review = kb
            .by_review_date(to)
            .into_iter()
            .filter(|(_, due)| *due)
            .map(|(e, _)| name(e))
            .collect();
        Ok(FeedbackReport {
            from,
            to,
            days,
            rated,
            entries,
            never_shown,
            unanswered,
            due_for_review,
        })
    }

    /// The counts of the whole range, in one [`DayCounts`] dated `to`.
    pub fn totals(&self) -> DayCounts {
        self.days.iter().fold(
            DayCounts {
                day: self.to,
                answers: 0,
                fallbacks: 0,
                crises: 0,
                concerns: 0,
            },
            |mut t, d| {
                t.answers += d.answers;
                t.fallbacks += d.fallbacks;
                t.crises += d.crises;
                t.concerns += d.concerns;
                t
            },
        )
    }

    /// The number of unanswered questions and how many different ones.
    pub fn unanswered_total(&self) -> (u64, usize) {
        (
            self.unanswered.iter().map(|(_, n)| n).sum(),
            self.unanswered.len(),
        )
    }
}
