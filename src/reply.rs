//! The platform-neutral answer every front end renders: data, not text.

use crate::knowledge::{Audience, Entry, Stage};
use crate::towns::Town;
use chrono::{DateTime, Utc};
use serde::{Serialize, Serializer};

// What front ends need to show a card, so that none of them reads the knowledge base.
pub use crate::knowledge::{Contact, ContactKind, Date, Kind};

/// What kind of turn this was, so front ends can adapt (a menu after a greeting, say).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Intent {
    /// Hello.
    Greeting,
    /// Thank you.
    Thanks,
    /// Goodbye.
    Goodbye,
    /// What can you do.
    Help,
    /// Show the "who are you" menu, or start again.
    Menu,
    /// The person picked a menu choice.
    Choice,
    /// A question answered by search.
    Question,
    /// One entry shown in full.
    Entry,
    /// The steps and services for one stage of the journey.
    Journey,
    /// The emergency lines, asked for directly.
    Crisis,
    /// The person rated a reply ("Helpful" / "Not helpful"); this thanks them.
    Feedback,
}

/// Shown first whenever a message looks like a crisis. Never pushed down or hidden.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SafetyNotice {
    /// The crisis categories found, e.g. `suicide-self-harm`.
    pub categories: Vec<String>,
    /// Heading, from the first category.
    pub title: String,
    /// The emergency line (999) and what to do now, one paragraph each.
    pub messages: Vec<String>,
    /// The entries with 24-hour lines, best first.
    pub cards: Vec<Card>,
    /// Only the classifier found the crisis, in a message that clearly asks about something
    /// else: the notice keeps its first line, and the answer to what was asked comes under it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub asked: bool,
}

/// A plausible risk below the crisis threshold. The answer to the question stays; front ends
/// add this one line and an "Emergency lines" button. Never shown with a [`SafetyNotice`],
/// which always wins.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConcernNotice {
    /// The crisis categories that were plausible, e.g. `suicide-self-harm`.
    pub categories: Vec<String>,
    /// The one line to show, e.g. "If you are not safe right now, call 999. Samaritans
    /// 116 123, any time."
    pub message: String,
}

/// One service or topic as shown to a person.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Card {
    /// Entry id, for "more about" buttons.
    pub id: String,
    /// Service or topic.
    pub kind: Kind,
    /// Title.
    pub title: String,
    /// One-line summary; empty when the reply already says it (as its lead) or when it would
    /// repeat a number shown above it.
    pub summary: String,
    /// How to reach it, with hours and, for lines with machine-readable hours, whether each
    /// is open at the moment of the reply (`status`). The person's town's offices come first.
    /// In an answer, only the lines not shown elsewhere in the reply, a few at most: the
    /// entry in full (its button) has them all.
    pub contacts: Vec<Contact>,
    /// Its website.
    pub link: Option<String>,
    /// Where it works ("Scotland", "Dumfries and Galloway"), if the entry says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    /// When a person last checked it.
    #[serde(serialize_with = "date_text")]
    pub reviewed: Date,
    /// The full text, only when one entry is shown on its own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

impl Card {
    /// The short card for a list of results.
    pub fn brief(entry: &Entry) -> Card {
        Card {
            id: entry.id.clone(),
            kind: entry.kind,
            title: entry.title.clone(),
            summary: entry.summary.clone(),
            contacts: entry.contacts.clone(),
            link: entry.link().map(str::to_string),
            area: entry.area.clone(),
            reviewed: entry.reviewed,
            body: None,
        }
    }

    /// The card with the entry's full text.
    pub fn full(entry: &Entry) -> Card {
        Card {
            body: Some(entry.body.clone()),
            ..Card::brief(entry)
        }
    }

    /// Marks each contact with machine-readable hours open or closed at `now`, and puts the
    /// offices in `town` first (then contacts with no town, then other towns' offices) when
    /// the card has one there. Doing it twice gives the same card.
    pub fn stamp(&mut self, now: DateTime<Utc>, town: Option<Town>) {
        for contact in &mut self.contacts {
            contact.status = contact.opening_hours.as_ref().and_then(|h| h.status(now));
        }
        if let Some(town) = town {
            let rank = |c: &Contact| match &c.town {
                Some(t) if town.is(t) => 0,
                None => 1,
                Some(_) => 2,
            };
            if self.contacts.iter().any(|c| rank(c) == 0) {
                self.contacts.sort_by_key(rank);
            }
        }
    }

    /// Whether any line on the card (phone, text or webchat) is open now, by its status.
    pub fn has_open_line(&self) -> bool {
        self.contacts.iter().any(|c| c.is_line() && c.open_now())
    }

    /// Whether every line on the card keeps set hours and all are closed now (false for a
    /// card without lines, or with a line whose hours are not known).
    pub fn all_lines_closed(&self) -> bool {
        let mut lines = self.contacts.iter().filter(|c| c.is_line()).peekable();
        lines.peek().is_some() && lines.all(|c| c.status.as_ref().is_some_and(|s| !s.open_now))
    }
}

/// When none of the lines on the cards is open now: a 24-hour line that is, chosen from the
/// knowledge folder by its hours.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OpenLine {
    /// The entry the line belongs to.
    pub id: String,
    /// That entry's title, e.g. "Samaritans".
    pub title: String,
    /// The line, with its status.
    pub contact: Contact,
    /// The one line to show, e.g. "None of these lines is open right now. Samaritans is open
    /// 24 hours: call 116 123."
    pub message: String,
}

impl ContactKind {
    /// What a person does with this kind of contact, as a word to put before it: "Call",
    /// "Text", "Web chat", "Email", "Website", "Address". Front ends show this word, not an
    /// icon alone, so that a screen reader says what the line is.
    pub fn word(self) -> &'static str {
        match self {
            ContactKind::Phone => "Call",
            ContactKind::Text => "Text",
            ContactKind::Webchat => "Web chat",
            ContactKind::Email => "Email",
            ContactKind::Web => "Website",
            ContactKind::Address => "Address",
        }
    }
}

impl Contact {
    /// The label, trimmed; `None` when there is none or it is blank.
    pub fn label_text(&self) -> Option<&str> {
        self.label
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty())
    }

    /// The opening hours as written, trimmed; `None` when there are none or they are blank.
    pub fn hours_text(&self) -> Option<&str> {
        self.hours
            .as_deref()
            .map(str::trim)
            .filter(|h| !h.is_empty())
    }

    /// The label when it already says the value, as "Call 999 from a mobile and dial 55 when
    /// you are prompted" does for 55: front ends show such a label alone, so that the value
    /// never reads as a number to dial on its own.
    pub fn label_with_value(&self) -> Option<&str> {
        let label = self.label.as_deref().map(str::trim)?;
        let says = match self.kind {
            ContactKind::Phone | ContactKind::Text => {
                let value: String = self.value.chars().filter(char::is_ascii_digit).collect();
                !value.is_empty() && crate::text::digit_runs(label).contains(&value)
            }
            _ => !self.value.trim().is_empty() && label.contains(self.value.trim()),
        };
        says.then_some(label)
    }

    /// Whether the label already says what kind of contact this is ("Families Outside
    /// website", "Webchat on the website", "Email the helpline"), so that no kind word is
    /// needed before it.
    pub fn label_names_kind(&self) -> bool {
        let Some(label) = self.label.as_deref().map(str::to_lowercase) else {
            return false;
        };
        let words: &[&str] = match self.kind {
            ContactKind::Web | ContactKind::Webchat => {
                &["website", "web chat", "webchat", "online"]
            }
            ContactKind::Email => &["email"],
            ContactKind::Phone => &["call", "phone"],
            ContactKind::Text => &["text"],
            ContactKind::Address => &["address", "write", "office", "post"],
        };
        words.iter().any(|w| label.contains(w))
    }

    /// The label when it reads as the start of a sentence the value ends, as "Text SHOUT to"
    /// does before 85258.
    pub fn label_before_value(&self) -> Option<&str> {
        self.label
            .as_deref()
            .map(str::trim)
            .filter(|l| l.to_lowercase().ends_with(" to"))
    }
}

fn date_text<S: Serializer>(date: &Date, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(date)
}

/// Most bytes in a button payload: Telegram's limit on callback data (Discord allows 100).
pub const MAX_PAYLOAD: usize = 64;

/// Most entries one "Helpful" / "Not helpful" press is about (the cards of one answer).
pub const MAX_RATED: usize = 3;

/// What kind of reply a feedback press rates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rated {
    /// The answer to a question: its cards.
    Answer,
    /// One entry shown in full.
    Entry,
}

/// A "Helpful" or "Not helpful" press: the entries shown and the kind of reply, and nothing
/// else (no text, no person, no time). Entries are written as ids, or as the shortest
/// prefixes that name them unambiguously when the ids would not fit [`MAX_PAYLOAD`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Vote {
    /// "Helpful" (true) or "Not helpful".
    pub helpful: bool,
    /// What was rated.
    pub rated: Rated,
    /// The entries shown, as ids or unambiguous id prefixes, at most [`MAX_RATED`].
    pub entries: Vec<String>,
}

/// What a follow-up button does when pressed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "kebab-case")]
pub enum Action {
    /// Show one entry in full.
    Entry(String),
    /// Pick a "who are you" menu choice, by key.
    Choose(String),
    /// Show the stage of the journey.
    Journey(Stage),
    /// Show the menu again.
    Menu,
    /// Show the emergency lines.
    Crisis,
    /// Show the help text.
    Help,
    /// Rate the reply the button was under.
    Feedback(Vote),
}

impl Action {
    /// A compact, stable form for button payloads (Telegram allows 64 bytes).
    pub fn encode(&self) -> String {
        match self {
            Action::Entry(id) => format!("e:{id}"),
            Action::Choose(key) => format!("c:{key}"),
            Action::Journey(stage) => format!("j:{stage}"),
            Action::Menu => "menu".into(),
            Action::Crisis => "crisis".into(),
            Action::Help => "help".into(),
            Action::Feedback(vote) => format!(
                "f:{}{}:{}",
                if vote.helpful { 'y' } else { 'n' },
                match vote.rated {
                    Rated::Answer => 'a',
                    Rated::Entry => 'e',
                },
                vote.entries.join(",")
            ),
        }
    }

    /// Reads a payload made by [`Action::encode`]; `None` for anything else.
    pub fn decode(payload: &str) -> Option<Action> {
        Some(match payload.split_once(':') {
            Some(("e", id)) if !id.is_empty() => Action::Entry(id.to_string()),
            Some(("c", key)) if !key.is_empty() => Action::Choose(key.to_string()),
            Some(("j", stage)) => Action::Journey(Stage::parse(stage)?),
            Some(("f", rest)) => Action::Feedback(decode_vote(rest)?),
            None if payload == "menu" => Action::Menu,
            None if payload == "crisis" => Action::Crisis,
            None if payload == "help" => Action::Help,
            _ => return None,
        })
    }
}

/// `ya:id,id,id` (helpful, an answer, its entries) after the `f:` of a feedback payload.
fn decode_vote(rest: &str) -> Option<Vote> {
    let (head, list) = rest.split_once(':')?;
    let mut head = head.chars();
    let helpful = match head.next()? {
        'y' => true,
        'n' => false,
        _ => return None,
    };
    let rated = match head.next()? {
        'a' => Rated::Answer,
        'e' => Rated::Entry,
        _ => return None,
    };
    if head.next().is_some() {
        return None;
    }
    let entries: Vec<String> = list.split(',').map(str::to_string).collect();
    let valid = |t: &String| {
        !t.is_empty()
            && t.len() <= MAX_PAYLOAD
            && t.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
    };
    (entries.len() <= MAX_RATED && entries.iter().all(valid)).then_some(Vote {
        helpful,
        rated,
        entries,
    })
}

/// A follow-up button.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    /// Button text.
    pub label: String,
    /// What it does.
    pub action: Action,
}

impl Suggestion {
    /// The "Emergency lines" button.
    pub fn crisis() -> Suggestion {
        Suggestion {
            label: "Emergency lines".into(),
            action: Action::Crisis,
        }
    }

    /// The "Start again" button, back to the menu.
    pub fn start_again() -> Suggestion {
        Suggestion {
            label: "Start again".into(),
            action: Action::Menu,
        }
    }

    /// A button showing one entry in full, labelled with its short title.
    pub fn entry(entry: &Entry) -> Suggestion {
        Suggestion {
            label: entry.label().to_string(),
            action: Action::Entry(entry.id.clone()),
        }
    }
}

/// One ranked search result, for JSON output and evaluation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    /// Entry id.
    pub id: String,
    /// Service or topic.
    pub kind: Kind,
    /// Title.
    pub title: String,
    /// Ranking score (higher is better); safety entries carry the top score.
    pub score: f32,
    /// Share of the message's content words the entry holds (0 to 1).
    pub coverage: f32,
    /// `safety` when pinned by a crisis rule, `search` for a ranked result, `weak` for a
    /// match too poor to show (listed only in JSON, for admins), `entry` or `journey` for
    /// entries shown by a button.
    pub reason: &'static str,
}

/// The answer to one turn.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reply {
    /// What kind of turn this was.
    pub intent: Intent,
    /// Shown first when there is one.
    pub safety: Option<SafetyNotice>,
    /// A one-line note when a risk is plausible but not a crisis; `None` when there is a
    /// safety notice.
    pub concern: Option<ConcernNotice>,
    /// A short opening line.
    pub lead: String,
    /// Up to three cards (one when an entry is shown in full).
    pub cards: Vec<Card>,
    /// Follow-up buttons.
    pub suggestions: Vec<Suggestion>,
    /// True when nothing scored well enough and general help is offered instead.
    pub fallback: bool,
    /// Everything ranked, best first (safety entries first in a crisis).
    pub results: Vec<Hit>,
    /// The audience the person chose, if any, echoed for front ends that keep state.
    pub audience: Option<Audience>,
    /// The person's town: named in this message, or remembered from an earlier turn (echoed
    /// for front ends to remember). Its offices come first on the cards.
    pub town: Option<Town>,
    /// A 24-hour line that is open, when none of the lines on the cards is.
    pub open_line: Option<OpenLine>,
    /// The "Helpful" / "Not helpful" pair, under an answer with cards or an entry, when the
    /// front end collects feedback; empty otherwise. Shown apart from the suggestions, and
    /// removed once one is pressed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub feedback: Vec<Suggestion>,
}

impl Reply {
    /// The crisis categories, empty when none.
    pub fn crisis(&self) -> Vec<String> {
        self.safety
            .as_ref()
            .map(|s| s.categories.clone())
            .unwrap_or_default()
    }

    /// The categories of concern (a plausible risk below the crisis threshold), empty when
    /// none.
    pub fn concern(&self) -> Vec<String> {
        self.concern
            .as_ref()
            .map(|c| c.categories.clone())
            .unwrap_or_default()
    }

    /// The concern notice to show: `None` when there is a safety notice, which always wins.
    pub fn concern_to_show(&self) -> Option<&ConcernNotice> {
        self.concern.as_ref().filter(|_| self.safety.is_none())
    }

    /// The buttons to show: the suggestions, with "Emergency lines" first when there is a
    /// safety or concern notice and the suggestions lack it.
    pub fn buttons(&self) -> Vec<Suggestion> {
        let mut buttons = self.suggestions.clone();
        let notice = self.safety.is_some() || self.concern_to_show().is_some();
        if notice && !buttons.iter().any(|s| s.action == Action::Crisis) {
            buttons.insert(0, Suggestion::crisis());
        }
        buttons
    }

    /// The ids of the entries shown (safety lines first), for logs: ids, never text.
    pub fn shown_ids(&self) -> Vec<&str> {
        self.safety
            .iter()
            .flat_map(|s| s.cards.iter())
            .chain(&self.cards)
            .map(|c| c.id.as_str())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn votes_round_trip_and_strangers_are_refused() {
        let vote = Action::Feedback(Vote {
            helpful: false,
            rated: Rated::Answer,
            entries: vec!["families-outside".into(), "victim-sup".into()],
        });
        assert_eq!(vote.encode(), "f:na:families-outside,victim-sup");
        assert_eq!(Action::decode(&vote.encode()), Some(vote));
        let entry = Action::Feedback(Vote {
            helpful: true,
            rated: Rated::Entry,
            entries: vec!["samaritans".into()],
        });
        assert_eq!(Action::decode("f:ye:samaritans"), Some(entry));
        for bad in [
            "f:xa:a",
            "f:yz:a",
            "f:yaa:a",
            "f:ya:",
            "f:ya:a,,b",
            "f:ya:a,b,c,d",
            "f:ya:Hello there",
            "f:ya",
        ] {
            assert_eq!(Action::decode(bad), None, "{bad}");
        }
    }
}
