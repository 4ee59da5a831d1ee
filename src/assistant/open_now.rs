//! Open now, and near me: each reply's lines marked open or closed at the clock's time, the
//! person's town's offices first, open lines before equally relevant closed ones out of
//! office hours, and a 24-hour line named when none shown is open.

use super::Assistant;
use crate::hours::out_of_office_hours;
use crate::knowledge::{ContactKind, Entry, Kind};
use crate::reply::{Intent, OpenLine, Reply, SafetyNotice};
use crate::text::digit_runs;
use crate::towns::Town;
use chrono::{DateTime, Utc};
use std::collections::HashSet;

/// A result scoring at least this share of the one above it is as relevant, for putting a
/// line that is open now first.
const SIMILAR: f32 = 0.8;
/// A line's label this short names it after the lead ("Freephone helpline: open now, until
/// 5pm."); a longer one is a sentence, and the service's name is used instead.
const LEAD_LABEL_CHARS: usize = 40;

impl Assistant {
    /// Stamps every card of a reply with its lines' status at `now`, puts the offices in
    /// `town` first, orders the safety notice's open lines first, shapes the reply for a phone
    /// (`shape.rs`), says whether a line the lead gives is open and, when none of the lines
    /// shown is open, names a 24-hour line that is. Doing it twice gives the same reply.
    pub(super) fn finish(&self, mut reply: Reply, now: DateTime<Utc>, town: Option<Town>) -> Reply {
        if let Some(notice) = &mut reply.safety {
            open_lines_first(notice, now, town);
        }
        for card in &mut reply.cards {
            card.stamp(now, town);
        }
        reply.town = town;
        // Shaped after the town's offices and the open lines have come first, so the few
        // lines a card keeps are the ones that matter; the open line is judged on those.
        let mut reply = self.shape(reply);
        reply.open_line = None;
        let lead_line = self.lead_line_status(&mut reply, now);
        // No line shown is open, and at least one is known to be closed.
        let lines = || {
            reply
                .cards
                .iter()
                .flat_map(|c| &c.contacts)
                .filter(|c| c.is_line())
        };
        let closed = lead_line == Some(false)
            || lines().any(|c| c.status.as_ref().is_some_and(|s| !s.open_now));
        let open = lead_line == Some(true) || lines().any(|c| c.open_now());
        if reply.safety.is_none() && closed && !open {
            let all_closed = lines().all(|c| c.status.is_some());
            reply.open_line = self.open_line(&reply, now, all_closed);
        }
        reply
    }

    /// An answer leads with its best card's own summary, which may give that card's main line;
    /// the card then leaves the line out, so the lead says whether it is open. Returns whether
    /// that line is open, when the lead gives one with machine-readable hours.
    fn lead_line_status(&self, reply: &mut Reply, now: DateTime<Utc>) -> Option<bool> {
        if reply.intent != Intent::Question || reply.fallback || reply.safety.is_some() {
            return None;
        }
        let first = reply.cards.first()?;
        let entry = self.kb.get(&first.id)?;
        let in_lead = digit_runs(&reply.lead);
        let (line, status) = entry
            .contacts
            .iter()
            .filter(|c| matches!(c.kind, ContactKind::Phone | ContactKind::Text))
            .filter(|c| !first.contacts.iter().any(|shown| shown.value == c.value))
            .filter(|c| {
                let digits: String = c.value.chars().filter(char::is_ascii_digit).collect();
                in_lead.contains(&digits)
            })
            .find_map(|c| Some((c, c.opening_hours.as_ref()?.status(now)?)))?;
        // Named by its label when that is short, else by the service: never by its number
        // again, which the lead has just given.
        let name = line
            .label_text()
            .filter(|l| l.chars().count() <= LEAD_LABEL_CHARS)
            .unwrap_or_else(|| entry.short_title.as_deref().unwrap_or(&entry.title));
        let said = format!(
            "\n{name}: {}.",
            lower_first(&status.label.replacen(": ", ", ", 1))
        );
        if !reply.lead.ends_with(&said) {
            reply.lead.push_str(&said);
        }
        Some(status.open_now)
    }

    /// A 24-hour line, chosen by its hours: the first service among the general lines
    /// (`menu.toml`), then the crisis lines (`safety.toml`), with a line open at every hour.
    /// Not from the search results: a 24-hour line that shares words with the question (a
    /// sexual assault line for a question about an assault conviction) can be the wrong one.
    fn open_line(&self, reply: &Reply, now: DateTime<Utc>, all_closed: bool) -> Option<OpenLine> {
        let shown: HashSet<&str> = reply.cards.iter().map(|c| c.id.as_str()).collect();
        let crisis = self
            .kb
            .safety
            .categories
            .iter()
            .flat_map(|c| c.show.iter())
            .filter_map(|id| self.kb.get(id));
        let entry = self
            .general_lines()
            .into_iter()
            .chain(crisis)
            .filter(|e| e.kind == Kind::Service && !shown.contains(e.id.as_str()))
            .find(|e| always_open_line(e).is_some())?;
        let mut contact = always_open_line(entry)?.clone();
        contact.status = contact.opening_hours.as_ref().and_then(|h| h.status(now));
        let how = match contact.kind {
            ContactKind::Phone => format!("call {}", contact.value),
            ContactKind::Text => match contact.label.as_deref() {
                Some(l) if l.to_lowercase().ends_with(" to") => {
                    format!("{} {}", lower_first(l), contact.value)
                }
                _ => format!("text {}", contact.value),
            },
            _ => contact.value.clone(),
        };
        Some(OpenLine {
            id: entry.id.clone(),
            title: entry.title.clone(),
            message: format!(
                "{} {} is open 24 hours: {how}.",
                if all_closed {
                    "None of these lines is open right now."
                } else {
                    "Some of these lines are closed right now."
                },
                entry.title
            ),
            contact,
        })
    }
}

/// The entry's first 24-hour phone line, else its first 24-hour text or webchat line.
fn always_open_line(entry: &Entry) -> Option<&crate::knowledge::Contact> {
    let always = |c: &&crate::knowledge::Contact| {
        c.is_line() && c.opening_hours.as_ref().is_some_and(|h| h.is_always_open())
    };
    let mut lines = entry.contacts.iter().filter(always);
    let first = lines.clone().find(|c| c.kind == ContactKind::Phone);
    first.or_else(|| lines.next())
}

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// In a safety notice, the cards with a line open now (every 24-hour line is) go first, and
/// within each card its open lines, so a closed line is never the first thing to call.
pub(super) fn open_lines_first(notice: &mut SafetyNotice, now: DateTime<Utc>, town: Option<Town>) {
    for card in &mut notice.cards {
        card.stamp(now, town);
        card.contacts
            .sort_by_key(|c| match c.status.as_ref().map(|s| s.open_now) {
                Some(true) => 0,
                None => 1,
                Some(false) => 2,
            });
    }
    notice.cards.sort_by_key(|c| !c.has_open_line());
}

/// Open, closed, or not known (no lines, or a line without machine-readable hours).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineState {
    Open,
    Closed,
    Unknown,
}

fn line_state(entry: &Entry, now: DateTime<Utc>) -> LineState {
    let mut any = false;
    for contact in entry.contacts.iter().filter(|c| c.is_line()) {
        any = true;
        match contact.opening_hours.as_ref().and_then(|h| h.status(now)) {
            Some(s) if s.open_now => return LineState::Open,
            Some(_) => {}
            None => return LineState::Unknown,
        }
    }
    if any {
        LineState::Closed
    } else {
        LineState::Unknown
    }
}

/// Out of office hours, among the first `window` candidates (best first), moves a card with a
/// line open now above a card whose lines are all closed when it scores at least [`SIMILAR`]
/// of it. Relevance decides everything else; in office hours nothing moves.
pub(super) fn open_first(candidates: &mut [(&Entry, f32)], window: usize, now: DateTime<Utc>) {
    let window = window.min(candidates.len());
    if window < 2 || !out_of_office_hours(now) {
        return;
    }
    let mut states: Vec<LineState> = candidates[..window]
        .iter()
        .map(|(e, _)| line_state(e, now))
        .collect();
    for i in 1..window {
        let mut j = i;
        while j > 0
            && states[j] == LineState::Open
            && states[j - 1] == LineState::Closed
            && candidates[j].1 >= SIMILAR * candidates[j - 1].1
        {
            candidates.swap(j, j - 1);
            states.swap(j, j - 1);
            j -= 1;
        }
    }
}
