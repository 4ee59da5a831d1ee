//! The typed entries of a knowledge folder and their closed vocabularies.

use super::diagnostics::{Diagnostic, SourceFile};
use crate::hours::{ContactStatus, OpeningHours};
use crate::towns::Town;
use serde::{Deserialize, Serialize};
use std::fmt;
use toml::Spanned;

macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $(
                #[doc = $text]
                #[serde(rename = $text)]
                $variant,
            )+
        }

        impl $name {
            /// Every value, in the order the vocabulary lists them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value as written in the knowledge folder.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// Parses the value as written in the knowledge folder.
            pub fn parse(text: &str) -> Option<Self> {
                match text {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocabulary!(
    /// Who an entry is for.
    Audience {
        Victims => "victims",
        Witnesses => "witnesses",
        Families => "families",
        PeopleWithConvictions => "people-with-convictions",
        YoungPeople => "young-people",
        Practitioners => "practitioners",
        Everyone => "everyone",
    }
);

vocabulary!(
    /// A step of the justice journey.
    Stage {
        Reporting => "reporting",
        Arrest => "arrest",
        Charge => "charge",
        Court => "court",
        Sentence => "sentence",
        CommunityOrder => "community-order",
        Custody => "custody",
        Release => "release",
        AfterConviction => "after-conviction",
    }
);

impl Stage {
    /// A plain-English name for menus.
    pub fn label(self) -> &'static str {
        match self {
            Stage::Reporting => "Reporting a crime",
            Stage::Arrest => "Arrest",
            Stage::Charge => "Being charged",
            Stage::Court => "Court",
            Stage::Sentence => "Sentence",
            Stage::CommunityOrder => "Community order",
            Stage::Custody => "In prison",
            Stage::Release => "Release from prison",
            Stage::AfterConviction => "After a conviction",
        }
    }
}

vocabulary!(
    /// How a contact is reached.
    ContactKind {
        Phone => "phone",
        Text => "text",
        Webchat => "webchat",
        Email => "email",
        Web => "web",
        Address => "address",
    }
);

/// Whether an entry is an organisation to contact or an explainer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// `knowledge/services/`: an organisation or service someone can contact.
    Service,
    /// `knowledge/topics/`: a plain-English explainer of a step or a common question.
    Topic,
}

impl Kind {
    /// The folder under `knowledge/` that holds entries of this kind.
    pub fn folder(self) -> &'static str {
        match self {
            Kind::Service => "services",
            Kind::Topic => "topics",
        }
    }

    /// `service` or `topic`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Service => "service",
            Kind::Topic => "topic",
        }
    }
}

/// One way to reach a service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contact {
    /// Phone, text, webchat, email, web or address.
    pub kind: ContactKind,
    /// The number, address or URL.
    pub value: String,
    /// What this contact is, e.g. "Freephone helpline".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// When it is answered, in words, as the fact sheet gives it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hours: Option<String>,
    /// The same hours, machine-readable (OpenStreetMap syntax), parsed when the folder loads.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opening_hours: Option<OpeningHours>,
    /// The town of this office, as written (e.g. "Stranraer"), for people who name theirs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub town: Option<String>,
    /// Only on a reply's cards: open or closed at the moment of the reply (`open_now`,
    /// `next_change` and the `status` line, flattened into the contact in JSON). Always
    /// `None` in the knowledge base.
    #[serde(flatten)]
    pub status: Option<ContactStatus>,
}

impl Contact {
    /// A contact with no label, hours or town.
    pub fn new(kind: ContactKind, value: impl Into<String>) -> Contact {
        Contact {
            kind,
            value: value.into(),
            label: None,
            hours: None,
            opening_hours: None,
            town: None,
            status: None,
        }
    }

    /// A line a person calls or writes to and gets an answer at set times: phone, text or
    /// webchat.
    pub fn is_line(&self) -> bool {
        matches!(
            self.kind,
            ContactKind::Phone | ContactKind::Text | ContactKind::Webchat
        )
    }

    /// Open now, by the status stamped on a reply's card.
    pub fn open_now(&self) -> bool {
        self.status.as_ref().is_some_and(|s| s.open_now)
    }
}

/// A contact exactly as written, with spans kept where checks need a position.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ContactFrontMatter {
    kind: ContactKind,
    value: String,
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    hours: Option<Spanned<String>>,
    #[serde(default)]
    opening_hours: Option<Spanned<String>>,
    #[serde(default)]
    town: Option<Spanned<String>>,
}

/// Turns the contacts as written into [`Contact`]s, parsing `opening_hours` once and
/// reporting, at their line and column, hours that do not parse, lines with hours in words
/// but none machine-readable, and towns signpost does not know. `base` is the byte offset of
/// the front matter in the file.
pub(crate) fn read_contacts(
    written: Vec<ContactFrontMatter>,
    file: &SourceFile<'_>,
    base: usize,
    problems: &mut Vec<Diagnostic>,
) -> Vec<Contact> {
    written
        .into_iter()
        .map(|c| {
            let mut contact = Contact::new(c.kind, c.value);
            contact.label = c.label;
            if let Some(written) = &c.opening_hours {
                let at = base + written.span().start;
                match OpeningHours::parse(written.get_ref()) {
                    Ok(hours) => contact.opening_hours = Some(hours),
                    Err(err) => {
                        // Inside the quotes, where the value is written without escapes.
                        let text = written.get_ref();
                        let inner = at + 1;
                        let exact = file.text.get(inner..inner + text.len()) == Some(text.as_str());
                        let offset = if exact { inner + err.offset } else { at };
                        problems.push(file.error(offset, err.message));
                    }
                }
                if c.hours.is_none() {
                    problems.push(file.warning(
                        at,
                        "`opening_hours` without `hours`: add the same hours in words for \
                         people, e.g. hours = \"Monday to Friday, 9am to 5pm\"",
                    ));
                }
            } else if let Some(hours) = &c.hours
                && contact.is_line()
            {
                problems.push(file.warning(
                    base + hours.span().start,
                    format!(
                        "this {} line has `hours` but no `opening_hours`: add them in the \
                         OpenStreetMap syntax (e.g. opening_hours = \"Mo-Fr 09:00-17:00\" or \
                         \"24/7\") so cards can say whether it is open now",
                        contact.kind
                    ),
                ));
            }
            if let Some(town) = &c.town {
                let at = base + town.span().start;
                let written = town.get_ref();
                match Town::parse(written) {
                    Some(known) if known.name() == written.trim() => {}
                    Some(known) => problems.push(
                        file.warning(at, format!("`town` = \"{written}\": write it \"{known}\"")),
                    ),
                    None => problems.push(file.warning(
                        at,
                        format!(
                            "`town` = \"{written}\" is not a Dumfries and Galloway town signpost \
                             knows, so no one's town will match it (the README lists the towns)"
                        ),
                    )),
                }
            }
            contact.hours = c.hours.map(Spanned::into_inner);
            contact.town = c.town.map(Spanned::into_inner);
            contact
        })
        .collect()
}

/// The front matter exactly as written, with spans kept where checks need a position.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FrontMatter {
    pub title: Spanned<String>,
    #[serde(default)]
    pub short_title: Option<Spanned<String>>,
    pub summary: String,
    pub audiences: Vec<Audience>,
    #[serde(default)]
    pub stages: Vec<Stage>,
    #[serde(default)]
    pub keywords: Vec<String>,
    #[serde(default)]
    pub questions: Vec<String>,
    #[serde(default)]
    pub area: Option<String>,
    pub reviewed: Spanned<toml::value::Datetime>,
    pub source: String,
    #[serde(default)]
    pub see_also: Vec<Spanned<String>>,
    #[serde(default)]
    pub contacts: Vec<ContactFrontMatter>,
}

/// A date without a time, as written in `reviewed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Date {
    /// Year, e.g. 2026.
    pub year: u16,
    /// Month, 1 to 12.
    pub month: u8,
    /// Day of the month, 1 to 31.
    pub day: u8,
}

impl Date {
    /// Today's date in UTC, from the system clock.
    pub fn today() -> Date {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        Date::from_days((secs / 86_400) as i64)
    }

    /// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
    pub fn to_days(self) -> i64 {
        let (y, m, d) = (self.year as i64, self.month as i64, self.day as i64);
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01 (Howard Hinnant's `civil_from_days`).
    pub fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as u16;
        Date { year, month, day }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// One service or topic, ready to index and show.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// The file stem: lowercase words joined by `-`, unique in the folder.
    pub id: String,
    /// Service or topic.
    pub kind: Kind,
    /// The name people know it by.
    pub title: String,
    /// A label for buttons and lists, at most [`MAX_SHORT_TITLE`] characters, where the title
    /// is longer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub short_title: Option<String>,
    /// One line a frightened person can act on.
    pub summary: String,
    /// Who it is for.
    pub audiences: Vec<Audience>,
    /// The steps of the justice journey it helps with.
    pub stages: Vec<Stage>,
    /// Words people use for it.
    pub keywords: Vec<String>,
    /// Example questions people really ask: the strongest ranking signal.
    pub questions: Vec<String>,
    /// Where it works ("Scotland", "Dumfries and Galloway").
    pub area: Option<String>,
    /// When a person last checked it.
    pub reviewed: Date,
    /// The page its facts came from.
    pub source: String,
    /// Related entries.
    pub see_also: Vec<String>,
    /// How to reach it.
    pub contacts: Vec<Contact>,
    /// The Markdown body.
    pub body: String,
}

/// The longest label a button shows whole on a phone: titles longer than this need a
/// `short_title`.
pub const MAX_SHORT_TITLE: usize = 28;

impl Entry {
    /// The label for buttons and lists: the short title, or the title when it has none.
    pub fn label(&self) -> &str {
        self.short_title.as_deref().unwrap_or(&self.title)
    }

    /// The address to link the card to: its first web contact.
    pub fn link(&self) -> Option<&str> {
        self.contacts
            .iter()
            .find(|c| c.kind == ContactKind::Web)
            .map(|c| c.value.as_str())
    }
}
