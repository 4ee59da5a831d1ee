//! What a reply shows on a phone screen: the first thing to do as the lead, each phone number
//! or address once, a few lines per card, and a crisis reply that stays on the crisis.
//!
//! This runs after triage and search have chosen what to show. It never changes
//! [`Reply::results`] (what was found, for JSON and evaluation) and keeps everything the safety
//! notice's messages say (a sentence two categories share is said once): it decides how much
//! of each card is shown, and leaves the rest behind the card's button, where the entry is
//! shown in full.

use super::Assistant;
use crate::knowledge::{ContactKind, Kind, KnowledgeBase};
use crate::reply::{Action, Card, Contact, Intent, Reply, Suggestion};
use crate::text::digit_runs;
use std::collections::HashSet;

/// Contact lines on the best card of an answer, whose summary is already the lead.
pub const FIRST_CARD_LINES: usize = 2;
/// Contact lines on any other card whose summary is not shown (one whose summary is shown
/// says that alone).
pub const CARD_LINES: usize = 1;
/// Contact lines on each card of the crisis lines.
pub const CRISIS_CARD_LINES: usize = 2;
/// Cards about what the person asked, shown under a crisis notice after its lines.
pub const CRISIS_SEARCH_CARDS: usize = 1;
/// ...and under a notice that only the classifier raised on a message clearly asking about
/// something else ([`crate::reply::SafetyNotice::asked`]): the answer takes the room of the
/// lines the notice left to its Emergency lines button.
pub const ASKED_SEARCH_CARDS: usize = 2;
/// The share of the person's words a card must hold to be shown under a crisis notice: about
/// what they asked, not a stray match.
pub const CRISIS_CARD_COVERAGE: f32 = 0.5;
/// Crisis categories whose reply shows the lines and nothing else: no card about anything the
/// message also mentioned (Samaritans' guidance: keep the way to help in front of the person).
pub const LINES_ONLY: &[&str] = &["suicide-self-harm"];

impl Assistant {
    /// Shapes a reply for a phone screen (see the module documentation). An entry shown in
    /// full is left whole: it is where everything a card leaves out can be found.
    pub(crate) fn shape(&self, mut reply: Reply) -> Reply {
        if reply.cards.iter().any(|c| c.body.is_some()) {
            return reply;
        }
        let mut seen = Seen::new(&self.numbers);
        if reply.safety.is_some() {
            self.shape_crisis(&mut reply, &mut seen);
            return reply;
        }
        if let Some(concern) = reply.concern_to_show() {
            seen.note_text(&concern.message);
        }
        let answer = reply.intent == Intent::Question && !reply.fallback;
        let lead_from_first = answer
            && reply
                .cards
                .first()
                .is_some_and(|c| !c.summary.trim().is_empty());
        if lead_from_first {
            // The lead is the first thing to do: the best card's own summary, said once.
            reply.lead = std::mem::take(&mut reply.cards[0].summary);
        }
        seen.note_text(&reply.lead);
        // A topic that names a service's line leaves it to that service's own card, when the
        // reply shows one further down.
        let owned: Vec<HashSet<String>> = (0..reply.cards.len())
            .map(|i| {
                reply.cards[i + 1..]
                    .iter()
                    .filter(|c| c.kind == Kind::Service)
                    .flat_map(|c| c.contacts.iter().map(key))
                    .collect()
            })
            .collect();
        for (i, card) in reply.cards.iter_mut().enumerate() {
            let leave = match card.kind {
                Kind::Topic => &owned[i],
                Kind::Service => &HashSet::new(),
            };
            if seen.repeats(&card.title) {
                // "NHS 24 (111)" under a line that gave 111: its button is enough.
                card.summary.clear();
                card.contacts.clear();
                continue;
            }
            seen.show_summary(card);
            // Any other card says one thing: its summary, or else its first new line.
            let lines = if i == 0 && lead_from_first {
                FIRST_CARD_LINES
            } else if card.summary.is_empty() {
                CARD_LINES
            } else {
                0
            };
            card.contacts = seen.pick(&card.contacts, lines, answer_line, leave);
            // A number in a card's name is its own: later cards do not give it again.
            seen.note_text(&card.title);
        }
        // A card left with nothing new to say is still one press away, on its button.
        reply
            .cards
            .retain(|c| !c.summary.trim().is_empty() || !c.contacts.is_empty());
        reply
    }

    /// The crisis part: the messages first (their numbers count as shown), then each 24-hour
    /// line's card with only the lines the messages did not give (a card with none left is
    /// folded into its button), then at most one card about what the person asked (none for
    /// suicide and self-harm), without the lead that would stand between it and the lines.
    fn shape_crisis(&self, reply: &mut Reply, seen: &mut Seen<'_>) {
        let Some(notice) = reply.safety.as_mut() else {
            return;
        };
        // Two categories can give the same advice (the silent call, say): once is enough.
        let mut said = HashSet::new();
        notice.messages = std::mem::take(&mut notice.messages)
            .into_iter()
            .map(|m| {
                sentences(&m)
                    .filter(|s| said.insert(s.to_string()))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .filter(|m| !m.is_empty())
            .collect();
        for message in &notice.messages {
            seen.note_text(message);
        }
        let lines_only = notice
            .categories
            .iter()
            .any(|c| LINES_ONLY.contains(&c.as_str()));
        let triggered = !notice.categories.is_empty();
        let none = HashSet::new();
        let mut buttons = Vec::new();
        for card in &mut notice.cards {
            card.summary.clear();
            // Under a crisis, a service whose main line the messages already gave is folded
            // into its button: its other ways in are one press away, and nothing else stands
            // between the person and the lines. The emergency lines asked for directly list
            // every line the messages did not give.
            let main = card
                .contacts
                .iter()
                .filter(|c| crisis_line(c.kind))
                .min_by_key(|c| rank(c.kind));
            let given = main.is_some_and(|c| seen.shown.contains(&key(c)));
            card.contacts = if seen.repeats(&card.title) || (triggered && given) {
                Vec::new()
            } else {
                seen.pick(&card.contacts, CRISIS_CARD_LINES, crisis_line, &none)
            };
            seen.note_text(&card.title);
            if triggered {
                buttons.extend(self.kb.get(&card.id).map(Suggestion::entry));
            }
        }
        notice.cards.retain(|c| !c.contacts.is_empty());

        // Lines only, as Samaritans advise, when the message is about the danger; when it
        // clearly asks about something else and only the classifier saw a danger, the lines
        // come first and the answer after them.
        let keep = if notice.asked {
            ASKED_SEARCH_CARDS
        } else if lines_only {
            0
        } else {
            CRISIS_SEARCH_CARDS
        };
        // Of the cards that hold enough of what the person wrote, the first in the search's
        // order, which under a crisis already put first an entry the crisis's services point
        // to when it scores nearly as well (staying safe from domestic abuse before Childline).
        let coverage = |id: &str| {
            reply
                .results
                .iter()
                .find(|h| h.id == id)
                .map_or(0.0, |h| h.coverage)
        };
        let mut asked = std::mem::take(&mut reply.cards);
        asked.retain(|c| coverage(&c.id) >= CRISIS_CARD_COVERAGE);
        asked.truncate(keep);
        let asked_ids: HashSet<String> = asked.iter().map(|c| c.id.clone()).collect();
        for mut card in asked {
            if seen.repeats(&card.title) {
                continue;
            }
            seen.show_summary(&mut card);
            card.contacts = seen.pick(&card.contacts, CARD_LINES, answer_line, &none);
            seen.note_text(&card.title);
            if !card.summary.trim().is_empty() || !card.contacts.is_empty() {
                reply.cards.push(card);
            }
        }
        // The lines speak for themselves: no opener between them and the card.
        reply.lead.clear();
        let mut suggestions: Vec<Suggestion> = reply
            .suggestions
            .iter()
            .filter(|s| s.action == Action::Crisis)
            .cloned()
            .collect();
        suggestions.extend(buttons);
        suggestions.extend(
            reply
                .suggestions
                .iter()
                .filter(|s| match &s.action {
                    Action::Entry(id) => asked_ids.contains(id),
                    Action::Crisis => false,
                    _ => true,
                })
                .cloned(),
        );
        let mut ids = HashSet::new();
        suggestions.retain(|s| ids.insert(s.action.encode()));
        reply.suggestions = suggestions;
    }
}

/// Every phone and text number in the folder, as digits: what counts as a number when a
/// sentence mentions one.
pub(super) fn known_numbers(kb: &KnowledgeBase) -> HashSet<String> {
    kb.entries
        .iter()
        .flat_map(|e| &e.contacts)
        .filter(|c| matches!(c.kind, ContactKind::Phone | ContactKind::Text))
        .map(|c| digits(&c.value))
        .filter(|d| !d.is_empty())
        .collect()
}

/// The sentences of a message, each with its closing mark.
fn sentences(text: &str) -> impl Iterator<Item = &str> {
    text.split_inclusive(". ")
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// The contacts an answer's cards show: never a postal address (it waits behind the button).
fn answer_line(kind: ContactKind) -> bool {
    kind != ContactKind::Address
}

/// The contacts a crisis card shows: the ways to reach someone now.
fn crisis_line(kind: ContactKind) -> bool {
    matches!(
        kind,
        ContactKind::Phone | ContactKind::Text | ContactKind::Webchat
    )
}

/// How soon a kind of contact comes on a card: talking first, then writing, then reading.
fn rank(kind: ContactKind) -> u8 {
    match kind {
        ContactKind::Phone => 0,
        ContactKind::Text => 1,
        ContactKind::Webchat => 2,
        ContactKind::Email => 3,
        ContactKind::Web => 4,
        ContactKind::Address => 5,
    }
}

/// What the reply has shown so far: numbers (as digits) and other contacts (as keys).
struct Seen<'a> {
    numbers: &'a HashSet<String>,
    shown: HashSet<String>,
}

impl<'a> Seen<'a> {
    fn new(numbers: &'a HashSet<String>) -> Seen<'a> {
        Seen {
            numbers,
            shown: HashSet::new(),
        }
    }

    /// The known numbers a text mentions.
    fn mentions(&self, text: &str) -> Vec<String> {
        digit_runs(text)
            .into_iter()
            .filter(|d| self.numbers.contains(d))
            .collect()
    }

    fn repeats(&self, text: &str) -> bool {
        self.mentions(text).iter().any(|d| self.shown.contains(d))
    }

    fn note_text(&mut self, text: &str) {
        for d in self.mentions(text) {
            self.shown.insert(d);
        }
    }

    /// Keeps a card's summary only when it repeats no number already shown.
    fn show_summary(&mut self, card: &mut Card) {
        if self.repeats(&card.summary) {
            card.summary.clear();
        } else {
            self.note_text(&card.summary);
        }
    }

    /// Up to `most` of `contacts` whose kind `fits`, best kinds first, leaving out any whose
    /// value (or a number its label mentions) is already shown, and any in `leave` (shown
    /// later by a card of their own); what is kept counts as shown.
    fn pick(
        &mut self,
        contacts: &[Contact],
        most: usize,
        fits: fn(ContactKind) -> bool,
        leave: &HashSet<String>,
    ) -> Vec<Contact> {
        let mut ordered: Vec<&Contact> = contacts.iter().filter(|c| fits(c.kind)).collect();
        ordered.sort_by_key(|c| rank(c.kind));
        let mut kept = Vec::new();
        for contact in ordered {
            if kept.len() == most {
                break;
            }
            let key = key(contact);
            let label = contact.label.as_deref().unwrap_or_default();
            if self.shown.contains(&key) || leave.contains(&key) || self.repeats(label) {
                continue;
            }
            self.shown.insert(key);
            self.note_text(label);
            kept.push(contact.clone());
        }
        kept
    }
}

/// What makes two contacts the same: the digits of a number, or an address or link without
/// its scheme, `www.`, trailing slash or case.
fn key(contact: &Contact) -> String {
    match contact.kind {
        ContactKind::Phone | ContactKind::Text => digits(&contact.value),
        _ => {
            let value = contact.value.trim().to_lowercase();
            let value = value
                .trim_start_matches("https://")
                .trim_start_matches("http://")
                .trim_start_matches("www.");
            value.trim_end_matches('/').to_string()
        }
    }
}

fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact(kind: ContactKind, value: &str, label: Option<&str>) -> Contact {
        Contact {
            label: label.map(Into::into),
            ..Contact::new(kind, value)
        }
    }

    #[test]
    fn each_contact_is_picked_once_and_labels_count() {
        let numbers: HashSet<String> = ["999", "55", "101", "08002540088"]
            .into_iter()
            .map(String::from)
            .collect();
        let mut seen = Seen::new(&numbers);
        seen.note_text("If you are in danger, call 999.");
        let police = [
            contact(ContactKind::Phone, "999", None),
            contact(
                ContactKind::Phone,
                "55",
                Some("Call 999 from a mobile and dial 55"),
            ),
            contact(ContactKind::Address, "1 High Street", None),
            contact(ContactKind::Web, "https://www.police.example/", None),
            contact(ContactKind::Phone, "101", Some("Non-emergency")),
        ];
        let kept = seen.pick(&police, 5, answer_line, &HashSet::new());
        let values: Vec<&str> = kept.iter().map(|c| c.value.as_str()).collect();
        assert_eq!(values, ["101", "https://www.police.example/"]);
        // The same link written differently is the same contact.
        let again = [contact(ContactKind::Web, "http://police.example", None)];
        assert!(
            seen.pick(&again, 5, answer_line, &HashSet::new())
                .is_empty()
        );
        assert!(seen.repeats("or call 101 any time"));
        assert!(!seen.repeats("open 24 hours, 7 days"));
    }
}
