//! "Was this helpful?": which replies can be rated, the button pair under them, and the
//! thanks. The payload carries the entries shown and the kind of reply, nothing else, so it
//! stays valid across reloads of the folder for as long as those entries exist.

use super::Assistant;
use crate::reply::{Action, Intent, MAX_PAYLOAD, MAX_RATED, Rated, Reply, Suggestion, Vote};

/// The "Helpful" button's label.
pub const HELPFUL_LABEL: &str = "👍 Helpful";
/// The "Not helpful" button's label.
pub const NOT_HELPFUL_LABEL: &str = "👎 Not helpful";

/// Said after "Helpful".
pub const THANKS_HELPFUL: &str = "Thank you for letting us know: it helps us keep signpost \
    useful.";
/// Said after "Not helpful".
pub const THANKS_NOT_HELPFUL: &str = "Thank you for telling us: we use this to improve \
    signpost. If you still need help, try asking in other words or pick who you are asking \
    for. In danger, call 999.";

/// An id in a payload is never cut shorter than this, so that a prefix stays unlikely to
/// name another entry after the folder changes.
const MIN_TOKEN: usize = 8;

impl Assistant {
    /// What a reply would be rated as, with the ids of its entries: an answer to a question
    /// with cards (not the fallback, and not a crisis, where nothing should compete with the
    /// emergency lines), or one entry in full. `None` for anything else.
    pub fn rateable(reply: &Reply) -> Option<(Rated, Vec<&str>)> {
        let ids = || reply.cards.iter().map(|c| c.id.as_str()).collect();
        match reply.intent {
            Intent::Question
                if !reply.fallback && reply.safety.is_none() && !reply.cards.is_empty() =>
            {
                Some((Rated::Answer, ids()))
            }
            Intent::Entry if reply.cards.len() == 1 => Some((Rated::Entry, ids())),
            _ => None,
        }
    }

    /// The "Helpful" / "Not helpful" pair for a reply that can be rated, empty for any
    /// other. Each payload fits [`MAX_PAYLOAD`] bytes: ids that would not fit are shortened to
    /// prefixes that name one entry of this folder, and if even those do not fit, the last
    /// cards are left out of the vote.
    pub fn feedback_buttons(&self, reply: &Reply) -> Vec<Suggestion> {
        let Some((rated, ids)) = Assistant::rateable(reply) else {
            return Vec::new();
        };
        let ids: Vec<&str> = ids.into_iter().take(MAX_RATED).collect();
        // "f:ya:" takes five bytes.
        let entries = self.compact_ids(&ids, MAX_PAYLOAD - 5);
        if entries.is_empty() {
            return Vec::new();
        }
        [(HELPFUL_LABEL, true), (NOT_HELPFUL_LABEL, false)]
            .into_iter()
            .map(|(label, helpful)| Suggestion {
                label: label.into(),
                action: Action::Feedback(Vote {
                    helpful,
                    rated,
                    entries: entries.clone(),
                }),
            })
            .collect()
    }

    /// The ids of the entries a vote is about that this folder still holds: an exact id, or
    /// the one entry whose id starts with the prefix given. Prefixes that name no entry, or
    /// several, are left out.
    pub fn rated_entries(&self, vote: &Vote) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for token in vote.entries.iter().take(MAX_RATED) {
            let found = match self.kb.get(token) {
                Some(e) => Some(e.id.as_str()),
                None => {
                    let mut matching = self
                        .kb
                        .entries
                        .iter()
                        .filter(|e| e.id.starts_with(token.as_str()));
                    match (matching.next(), matching.next()) {
                        (Some(e), None) => Some(e.id.as_str()),
                        _ => None,
                    }
                }
            };
            if let Some(id) = found.filter(|id| !out.contains(id)) {
                out.push(id);
            }
        }
        out
    }

    /// The thanks for a feedback press: a lead line and nothing else. Recording the vote is
    /// [`crate::LiveKnowledge::press_on`]'s job.
    pub(super) fn thanks(&self, vote: &Vote) -> Reply {
        let text = if vote.helpful {
            THANKS_HELPFUL
        } else {
            THANKS_NOT_HELPFUL
        };
        self.simple(Intent::Feedback, text)
    }

    /// `ids` in at most `budget` bytes joined by commas: whole when they fit; otherwise the
    /// longest are cut back, never below the prefix that tells them apart from every other
    /// id of the folder (nor below [`MIN_TOKEN`]); when even that does not fit, the last are
    /// left out.
    fn compact_ids(&self, ids: &[&str], budget: usize) -> Vec<String> {
        let shortest: Vec<usize> = ids.iter().map(|id| self.shortest_prefix(id)).collect();
        for n in (1..=ids.len()).rev() {
            let mut lens: Vec<usize> = ids[..n].iter().map(|id| id.len()).collect();
            loop {
                let total: usize = lens.iter().sum::<usize>() + n - 1;
                if total <= budget {
                    return ids[..n]
                        .iter()
                        .zip(&lens)
                        .map(|(id, &len)| id[..len].to_string())
                        .collect();
                }
                // Cut the longest that can still be cut (the first of equals).
                let Some(i) = (0..n)
                    .filter(|&i| lens[i] > shortest[i])
                    .max_by_key(|&i| (lens[i], std::cmp::Reverse(i)))
                else {
                    break;
                };
                lens[i] -= 1;
            }
        }
        Vec::new()
    }

    /// The length of the shortest prefix of `id` that no other id of the folder starts with
    /// (or the whole id, which is matched exactly first).
    fn shortest_prefix(&self, id: &str) -> usize {
        if !id.is_ascii() {
            return id.len();
        }
        let shared = self
            .kb
            .entries
            .iter()
            .filter(|e| e.id != id)
            .map(|e| {
                e.id.bytes()
                    .zip(id.bytes())
                    .take_while(|(a, b)| a == b)
                    .count()
            })
            .max()
            .unwrap_or(0);
        (shared + 1).max(MIN_TOKEN).min(id.len())
    }
}
