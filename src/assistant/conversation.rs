//! What every chat front end does around one turn, in one place: long messages, button
//! payloads, the deep-link start, `/about`, the failure reply, and looking entries up by
//! name. The bots only translate between their platform and these.

use super::Assistant;
use crate::knowledge::{Audience, Date, Entry, Kind, Stage};
use crate::reply::{Action, Intent, Reply, Suggestion};
use crate::text::normalise;
use crate::towns::Town;
use std::time::{Duration, SystemTime};

/// Messages longer than this (in characters) are searched from their first part only; the
/// whole message is still checked for a crisis.
pub const MAX_SEARCH_CHARS: usize = 2_000;

/// Leads the answer to a message searched from its first part.
pub const LONG_NOTE: &str = "Your message was long, so I've answered from the first part of \
    it. If I've missed something, you can send the rest as a shorter message.";

/// Leads the answer to a button whose payload is not one this assistant makes (an old
/// message, or a payload from elsewhere).
pub const EXPIRED_BUTTON_NOTE: &str = "That button is from an older answer and no longer \
    works. Please pick again, or ask your question.";

/// Leads the reply when answering failed, above the 24-hour lines.
pub const FAILURE_NOTE: &str = "Sorry, something went wrong on my side and I couldn't answer \
    that. Please try again in a moment. If you are in danger, call 999. These lines are there \
    for you at any time:";

/// The last resort when even the emergency lines cannot be read: plain text, 999 included.
pub const FAILURE_TEXT: &str = "Sorry, something went wrong on my side and I couldn't answer \
    that. Please try again in a moment. If you are in danger, call 999.";

/// Leads the reply to a practitioner's question that nothing fitted
/// ([`Assistant::for_practitioners`]).
pub const PRACTITIONER_FALLBACK: &str = "I couldn't find a good match for that, and I'd rather \
    not guess. Pick a stage of the justice process below, or start from one of these services, \
    which can help with most things:";

/// Added to `/about`'s privacy wording when feedback is collected
/// ([`crate::LiveKnowledge::about_on`]).
pub const FEEDBACK_PRIVACY: &str = "To improve the service, we count how often each answer is \
    shown and how people rate it, by day only, and keep the words of questions I couldn't answer \
    with names, numbers and addresses taken out. None of this says who you are.";

/// Most names offered by [`Assistant::names`].
pub const MAX_NAMES: usize = 25;

/// What `/about` says, with the facts behind it: front ends lay it out.
#[derive(Debug, Clone, PartialEq)]
pub struct About {
    /// The heading.
    pub title: String,
    /// What signpost is and who it is for.
    pub what: String,
    /// Not an emergency service: 999.
    pub not_emergency: String,
    /// What is kept, and for how long.
    pub privacy: String,
    /// Where the information comes from, with the number of entries and the newest review.
    pub source: String,
    /// Entries in the folder.
    pub entries: usize,
    /// Services among them.
    pub services: usize,
    /// Topics among them.
    pub topics: usize,
    /// The newest `reviewed` date.
    pub last_reviewed: Option<Date>,
    /// When the folder was loaded.
    pub loaded_at: SystemTime,
    /// Buttons: the menu and the emergency lines.
    pub suggestions: Vec<Suggestion>,
}

/// An entry found by its name, for autocomplete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameMatch {
    /// Entry id.
    pub id: String,
    /// Title.
    pub title: String,
}

impl Assistant {
    /// Answers a message as a person sent it. A message longer than [`MAX_SEARCH_CHARS`] is
    /// searched from its first part, with [`LONG_NOTE`] leading the answer, but the whole of
    /// it is checked for a crisis, so a cry for help at the end is never missed.
    pub fn message(&self, turn: &super::Turn<'_>) -> Reply {
        let searched = clip(turn.text, MAX_SEARCH_CHARS);
        if searched.len() == turn.text.len() {
            return self.answer(turn);
        }
        let mut reply = self.answer(&super::Turn {
            text: searched,
            ..*turn
        });
        if reply.safety.is_none()
            && let Some(notice) = self.safety_notice(turn.text)
        {
            reply.safety = Some(notice);
            reply.concern = None;
            if !reply.suggestions.iter().any(|s| s.action == Action::Crisis) {
                reply.suggestions.insert(0, Suggestion::crisis());
            }
            let town = reply.town;
            reply = self.finish(reply, self.now(), town);
        }
        reply.lead = if reply.lead.trim().is_empty() {
            LONG_NOTE.to_string()
        } else {
            format!("{LONG_NOTE}\n\n{}", reply.lead)
        };
        reply
    }

    /// Whether [`Assistant::message`] searches only the first part of `text`.
    pub fn is_long(text: &str) -> bool {
        clip(text, MAX_SEARCH_CHARS).len() < text.len()
    }

    /// Carries out a button's payload (made by [`Action::encode`]). A payload this assistant
    /// does not make is answered with [`EXPIRED_BUTTON_NOTE`] and the menu; an entry that no
    /// longer exists, with an apology and the menu. A menu choice sets the reply's audience
    /// (intent `Choice`) for the front end to remember. `town` is the person's town, if the
    /// front end remembers one: its offices come first on the cards, and it is echoed.
    pub fn press(&self, payload: &str, audience: Option<Audience>, town: Option<Town>) -> Reply {
        match Action::decode(payload) {
            Some(action) => self.act_in(&action, audience, town),
            None => {
                let mut reply = self.menu();
                reply.lead = EXPIRED_BUTTON_NOTE.into();
                reply.audience = audience;
                reply.town = town;
                reply
            }
        }
    }

    /// The start of a conversation, from a deep link's payload (empty for none). A menu key
    /// (`family`, `victim`, ...) goes straight to that choice's first steps, under what
    /// signpost is and is not, with the audience set on the reply; anything else gives the
    /// welcome and the menu, with no audience (a fresh start forgets an earlier choice).
    pub fn start(&self, payload: &str) -> Vec<Reply> {
        let key = payload.trim();
        match self.kb.menu.iter().find(|c| c.key == key) {
            Some(choice) => {
                let mut reply = self.choose(&choice.key);
                reply.lead = format!("{}\n\n{}", super::WELCOME, super::FIRST_STEPS);
                vec![reply]
            }
            None => vec![self.welcome()],
        }
    }

    /// The reply for practitioners, who look things up rather than pick from the public's
    /// "who are you" menu: when nothing fitted (the fallback), [`PRACTITIONER_FALLBACK`] and
    /// the stages of the justice process as buttons instead of the menu. Any other reply is
    /// returned as it is.
    pub fn for_practitioners(&self, mut reply: Reply) -> Reply {
        if !reply.fallback || reply.safety.is_some() {
            return reply;
        }
        reply.lead = PRACTITIONER_FALLBACK.into();
        reply.suggestions = Stage::ALL
            .iter()
            .map(|stage| Suggestion {
                label: stage.label().into(),
                action: Action::Journey(*stage),
            })
            .collect();
        reply.suggestions.push(Suggestion::crisis());
        reply
    }

    /// The reply when answering failed: [`FAILURE_NOTE`], then the 24-hour lines as cards
    /// (the same lines as [`Assistant::crisis`]).
    pub fn failure(&self) -> Reply {
        let mut reply = self.simple(Intent::Crisis, FAILURE_NOTE);
        reply.cards = self.crisis().safety.map(|s| s.cards).unwrap_or_default();
        reply.suggestions = vec![Suggestion::start_again()];
        reply
    }

    /// What `/about` says. `remembers_choice_for` is how long the front end keeps a person's
    /// menu choice in memory, if it keeps it at all.
    pub fn about(&self, remembers_choice_for: Option<Duration>) -> About {
        let kb = &self.kb;
        let services = kb
            .entries
            .iter()
            .filter(|e| e.kind == Kind::Service)
            .count();
        let last_reviewed = kb.last_reviewed();
        let reviewed = last_reviewed
            .map(|d| format!(", last reviewed on {}", long_date(d)))
            .unwrap_or_default();
        let mut privacy = "Your messages are not stored: they are used to find an answer and \
            then forgotten. The logs never contain what you write or your name."
            .to_string();
        if let Some(expiry) = remembers_choice_for {
            privacy.push_str(&format!(
                " If you pick who you are asking for, that choice is kept in memory only, and \
                 forgotten after {} without a message.",
                span(expiry)
            ));
        }
        let mut suggestions = vec![Suggestion {
            label: "Who are you asking for?".into(),
            action: Action::Menu,
        }];
        suggestions.push(Suggestion::crisis());
        About {
            title: "About signpost".into(),
            what: "signpost is an automated signposting service from the Dumfries and Galloway \
                Community Justice Partnership. It points people affected by crime or the \
                justice system (victims and witnesses, families, people who have been \
                arrested, charged or convicted) to services that can help, and explains each \
                step of the Scottish justice process in plain English."
                .into(),
            not_emergency: "It is not an emergency service, and no person reads these \
                messages. If you are in danger, call 999."
                .into(),
            privacy,
            source: format!(
                "The Community Justice Partnership's knowledge folder: {} entries about local \
                 and national services and the justice process{reviewed}. Services can \
                 change, so check with them if something doesn't look right.",
                kb.entries.len()
            ),
            entries: kb.entries.len(),
            services,
            topics: kb.entries.len() - services,
            last_reviewed,
            loaded_at: self.loaded_at,
            suggestions,
        }
    }

    /// Entries of one kind whose name fits what has been typed, best first (whole title or
    /// id, title start, each word starting a title word, part of the title, keywords), at
    /// most [`MAX_NAMES`]; everything of that kind, by title, when nothing is typed.
    pub fn names(&self, kind: Kind, typed: &str) -> Vec<NameMatch> {
        self.ranked_by_name(kind, typed)
            .into_iter()
            .map(|e| NameMatch {
                id: e.id.clone(),
                title: e.title.clone(),
            })
            .collect()
    }

    fn ranked_by_name(&self, kind: Kind, typed: &str) -> Vec<&Entry> {
        let query = normalise(typed);
        let words: Vec<&str> = query.split_whitespace().collect();
        let mut scored: Vec<(u8, &Entry)> = self
            .kb
            .entries
            .iter()
            .filter(|e| e.kind == kind)
            .filter_map(|e| {
                if query.is_empty() {
                    return Some((0, e));
                }
                let title = normalise(&e.title);
                let id = e.id.replace('-', " ");
                let title_words: Vec<&str> = title.split_whitespace().collect();
                let score = if title == query || id == query {
                    0
                } else if title.starts_with(&query) || id.starts_with(&query) {
                    1
                } else if words
                    .iter()
                    .all(|w| title_words.iter().any(|t| t.starts_with(w)))
                {
                    2
                } else if title.contains(&query) || id.contains(&query) {
                    3
                } else if words.iter().all(|w| {
                    e.keywords
                        .iter()
                        .any(|k| normalise(k).split_whitespace().any(|t| t.starts_with(w)))
                }) {
                    4
                } else {
                    return None;
                };
                Some((score, e))
            })
            .collect();
        scored.sort_by(|(a, x), (b, y)| a.cmp(b).then_with(|| x.title.cmp(&y.title)));
        scored.into_iter().map(|(_, e)| e).take(MAX_NAMES).collect()
    }

    /// One entry of `kind` by name: the id picked from [`Assistant::names`], or the entry
    /// whose name was typed, or the best match for the words typed. The words go through
    /// [`Assistant::answer`] first, so a crisis still brings the safety notice. `None` when
    /// nothing of that kind fits. With a `town`, that town's offices come first on the card.
    pub fn look_up(&self, kind: Kind, name: &str, town: Option<Town>) -> Option<Reply> {
        let in_town = |reply: Reply| self.finish(reply, self.now(), town);
        if let Some(entry) = self.kb.get(name.trim()).filter(|e| e.kind == kind) {
            return Some(in_town(self.entry(&entry.id)));
        }
        let reply = self.answer(&super::Turn {
            town,
            ..super::Turn::new(name)
        });
        if reply.safety.is_some() {
            return Some(reply);
        }
        if let Some(entry) = self.ranked_by_name(kind, name).first() {
            return Some(in_town(self.entry(&entry.id)));
        }
        reply
            .results
            .iter()
            .filter(|h| h.kind == kind)
            .find_map(|h| self.kb.get(&h.id))
            .map(|e| in_town(self.entry(&e.id)))
    }
}

/// The first `max_chars` characters, cut back to a space when one is near the end.
fn clip(text: &str, max_chars: usize) -> &str {
    let Some((cut, _)) = text.char_indices().nth(max_chars.max(1)) else {
        return text;
    };
    let head = &text[..cut];
    match head.rfind(char::is_whitespace) {
        Some(space) if head[..space].chars().count() + 100 >= max_chars => &text[..space],
        _ => head,
    }
}

fn span(d: Duration) -> String {
    let minutes = d.as_secs() / 60;
    match (minutes / 60, minutes % 60) {
        (1, 0) => "an hour".into(),
        (h, 0) if h > 1 => format!("{h} hours"),
        (0, m) if m <= 1 => "a minute".into(),
        (0, m) => format!("{m} minutes"),
        (h, m) => format!("{h} hour{} {m} minutes", if h == 1 { "" } else { "s" }),
    }
}

fn long_date(date: Date) -> String {
    let name = crate::hours::MONTHS
        .get(usize::from(date.month).saturating_sub(1))
        .copied()
        .unwrap_or("");
    format!("{} {name} {}", date.day, date.year)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_cuts_on_a_space_near_the_limit() {
        let text = format!("{} tail", "word ".repeat(50));
        let clipped = clip(&text, 100);
        assert!(clipped.chars().count() <= 100);
        assert!(clipped.ends_with("word"));
        assert_eq!(clip("short", 100), "short");
        let no_spaces = "é".repeat(300);
        assert_eq!(clip(&no_spaces, 100).chars().count(), 100);
    }

    #[test]
    fn long_dates_and_spans_read_naturally() {
        let date = Date {
            year: 2026,
            month: 11,
            day: 22,
        };
        assert_eq!(long_date(date), "22 November 2026");
        assert_eq!(span(Duration::from_secs(24 * 3600)), "24 hours");
        assert_eq!(span(Duration::from_secs(3600)), "an hour");
        assert_eq!(span(Duration::from_secs(90 * 60)), "1 hour 30 minutes");
        assert_eq!(span(Duration::from_secs(600)), "10 minutes");
    }
}
