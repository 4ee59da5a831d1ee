//! Opening hours people can rely on: the OpenStreetMap `opening_hours` syntax, evaluated in
//! Europe/London time (clocks changing included), against a clock the caller injects.
//!
//! ```
//! use signpost::hours::{Clock, FixedClock, OpeningHours};
//! let hours = OpeningHours::parse("Mo-Fr 09:00-17:00").unwrap();
//! // Saturday 28 March 2026, 11pm in Dumfries (GMT).
//! let clock = FixedClock::at("2026-03-28T23:00:00Z").unwrap();
//! let status = hours.status(clock.now()).unwrap();
//! assert!(!status.open_now);
//! assert_eq!(status.label, "Closed now: opens Monday at 9am");
//! // The clocks go forward that night: Monday's 9am is British Summer Time.
//! assert_eq!(status.next_change_text().unwrap(), "2026-03-30T09:00:00+01:00");
//! ```
//!
//! Public holidays (`PH`) are Scotland's bank holidays as far as the `opening-hours` crate's
//! holiday data (from nager.date) allows: see [`scottish_holidays`].

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveTime, Timelike, Utc};
use chrono_tz::Tz;
use compact_calendar::CompactCalendar;
use opening_hours::localization::{Country, TzLocation};
use opening_hours::{Context, ContextHolidays, RuleKind};
use serde::{Serialize, Serializer};
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, LazyLock, Mutex, Weak};

/// The time zone every opening time is read in: the UK's, with its clock changes.
pub const ZONE: Tz = chrono_tz::Europe::London;

/// A moment in local (Europe/London) time.
pub type LocalTime = DateTime<Tz>;

/// Where the time comes from. The core never reads the system clock while answering: the
/// [`crate::Assistant`] asks its clock once per reply, so tests and tools can fix the time.
pub trait Clock: Send + Sync {
    /// The current moment.
    fn now(&self) -> DateTime<Utc>;
}

/// The computer's clock: what the bots and `signpost chat` use.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock stopped at one moment: for tests, and for `signpost ask --at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedClock(pub DateTime<Utc>);

impl FixedClock {
    /// A clock stopped at an RFC 3339 / ISO 8601 time with an offset, e.g.
    /// `2026-03-28T23:00:00Z` or `2026-07-04T10:00:00+01:00`, or at a local time in
    /// Dumfries written without one, e.g. `2026-03-28T23:00` or `2026-03-28 23:00`.
    pub fn at(text: &str) -> Result<FixedClock, TimeError> {
        let text = text.trim();
        if let Ok(t) = DateTime::parse_from_rfc3339(text) {
            return Ok(FixedClock(t.with_timezone(&Utc)));
        }
        let naive = [
            "%Y-%m-%dT%H:%M:%S",
            "%Y-%m-%dT%H:%M",
            "%Y-%m-%d %H:%M:%S",
            "%Y-%m-%d %H:%M",
        ]
        .iter()
        .find_map(|f| chrono::NaiveDateTime::parse_from_str(text, f).ok())
        .ok_or_else(|| TimeError(text.to_string()))?;
        // In the hour the clocks go back, the earlier (summer time) moment.
        naive
            .and_local_timezone(ZONE)
            .earliest()
            .map(|t| FixedClock(t.with_timezone(&Utc)))
            .ok_or_else(|| TimeError(text.to_string()))
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

/// A time that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a time: write it like 2026-03-28T23:00:00Z, 2026-03-28T23:00:00+01:00 or \
     2026-03-28 23:00 (UK time); a local time that the clocks skip does not exist"
)]
pub struct TimeError(pub String);

/// An `opening_hours` value that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct HoursError {
    /// Byte offset in the value where the problem was found.
    pub offset: usize,
    /// What was wrong, for an admin.
    pub message: String,
}

/// Machine-readable opening hours, in the OpenStreetMap syntax (`"24/7"`,
/// `"Mo-Fr 09:00-17:00"`, `"Mo-Fr 00:00-09:00,17:00-24:00; Sa,Su 00:00-24:00"`), parsed once
/// when the folder loads and evaluated in Europe/London time with Scotland's public holidays.
///
/// Contacts with the same hours share one parsed value (a folder of thousands of entries
/// holds a few dozen distinct hours), so a clone is cheap.
#[derive(Clone)]
pub struct OpeningHours(Arc<Parsed>);

struct Parsed {
    text: String,
    expression: opening_hours::OpeningHours<TzLocation<Tz>>,
}

/// Hours parsed so far, by their text, while any contact still holds them.
static PARSED: LazyLock<Mutex<SharedHours>> = LazyLock::new(Mutex::default);

#[derive(Default)]
struct SharedHours {
    by_text: HashMap<String, Weak<Parsed>>,
    /// The size at the last sweep of values no contact holds any more.
    swept_at: usize,
}

impl SharedHours {
    fn get(&self, text: &str) -> Option<OpeningHours> {
        self.by_text
            .get(text)
            .and_then(Weak::upgrade)
            .map(OpeningHours)
    }

    fn keep(&mut self, hours: &OpeningHours) {
        if self.by_text.len() >= 2 * self.swept_at.max(32) {
            self.by_text.retain(|_, parsed| parsed.strong_count() > 0);
            self.swept_at = self.by_text.len();
        }
        self.by_text
            .insert(hours.0.text.clone(), Arc::downgrade(&hours.0));
    }
}

impl OpeningHours {
    /// Parses a value written in the OpenStreetMap syntax.
    pub fn parse(text: &str) -> Result<OpeningHours, HoursError> {
        // A poisoned lock only means another thread panicked while holding it: the map is
        // still a valid cache.
        let shared = || PARSED.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(hours) = shared().get(text) {
            return Ok(hours);
        }
        let hours = OpeningHours::parse_new(text)?;
        shared().keep(&hours);
        Ok(hours)
    }

    fn parse_new(text: &str) -> Result<OpeningHours, HoursError> {
        if text.trim().is_empty() {
            return Err(HoursError {
                offset: 0,
                message: "`opening_hours` is empty: write the hours, e.g. \"Mo-Fr 09:00-17:00\" \
                    or \"24/7\", or leave the field out"
                    .into(),
            });
        }
        let parsed: opening_hours::OpeningHours =
            text.parse().map_err(|e: opening_hours_syntax::Error| {
                let (offset, detail) = match &e {
                    opening_hours_syntax::Error::Syntax(pest) => {
                        let offset = match pest.location {
                            pest::error::InputLocation::Pos(p) => p,
                            pest::error::InputLocation::Span((p, _)) => p,
                        };
                        (offset.min(text.len()), expected(&pest.variant))
                    }
                    other => (0, other.to_string()),
                };
                let rest = text.get(offset..).unwrap_or("");
                let at = if rest.is_empty() {
                    "at the end".to_string()
                } else {
                    format!("at `{rest}`")
                };
                HoursError {
                    offset,
                    message: format!(
                        "`opening_hours` does not parse {at} (character {}): {detail}. Use the \
                         OpenStreetMap syntax, e.g. \"Mo-Fr 09:00-17:00\", \"24/7\" or \
                         \"Mo-Fr 00:00-09:00,17:00-24:00; Sa,Su 00:00-24:00\"",
                        text[..offset].chars().count() + 1
                    ),
                }
            })?;
        Ok(OpeningHours(Arc::new(Parsed {
            text: text.to_string(),
            expression: parsed.with_context(context()),
        })))
    }

    /// The value as written.
    pub fn as_str(&self) -> &str {
        &self.0.text
    }

    /// Open at every moment, whatever the day: a 24-hour line.
    pub fn is_always_open(&self) -> bool {
        let expression = self.0.expression.get_expression();
        expression.is_constant() && expression.rules.iter().all(|r| r.kind == RuleKind::Open)
    }

    /// Whether the line is open at `now`, until when, and a line saying so. `None` when the
    /// hours say the state is unknown (the `unknown` keyword).
    pub fn status(&self, now: DateTime<Utc>) -> Option<ContactStatus> {
        let local = now.with_timezone(&ZONE);
        let horizon = local + Duration::days(366);
        let mut ranges = self.0.expression.iter_range(local, horizon);
        let current = ranges.next()?;
        let open_now = match current.kind {
            RuleKind::Open => true,
            RuleKind::Closed => false,
            RuleKind::Unknown => return None,
        };
        // Open: until the state changes. Closed: until it next opens (not merely changes to
        // "unknown"), looking a year ahead at most.
        let next = if open_now {
            Some(current.range.end).filter(|end| *end < horizon)
        } else {
            ranges
                .take(64)
                .find(|r| r.kind == RuleKind::Open)
                .map(|r| r.range.start)
        };
        let label = match (open_now, next) {
            (true, None) => "Open now, 24 hours".to_string(),
            (true, Some(t)) => format!("Open now, until {}", until(local, t)),
            (false, None) => "Closed now".to_string(),
            (false, Some(t)) => format!("Closed now: opens {}", opens(local, t)),
        };
        Some(ContactStatus {
            open_now,
            next_change: next.map(|t| t.fixed_offset()),
            label,
        })
    }
}

impl fmt::Debug for OpeningHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("OpeningHours").field(&self.0.text).finish()
    }
}

impl PartialEq for OpeningHours {
    fn eq(&self, other: &Self) -> bool {
        self.0.text == other.0.text
    }
}

impl Eq for OpeningHours {}

impl Serialize for OpeningHours {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0.text)
    }
}

/// Whether one contact is open at the moment of the reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContactStatus {
    /// Open now.
    pub open_now: bool,
    /// When it next closes (if open) or opens (if closed), with the UK offset of that moment
    /// (ISO 8601, e.g. `2026-03-30T09:00:00+01:00`); `None` for a 24-hour line, or one that
    /// does not open in the coming year.
    #[serde(serialize_with = "iso_8601")]
    pub next_change: Option<DateTime<FixedOffset>>,
    /// What to show beside the contact: "Open now, until 5pm", "Closed now: opens Monday at
    /// 9am", "Open now, 24 hours". Named `status` in JSON, beside the contact's own `label`.
    #[serde(rename = "status")]
    pub label: String,
}

impl ContactStatus {
    /// [`ContactStatus::next_change`] as ISO 8601 text with its offset.
    pub fn next_change_text(&self) -> Option<String> {
        self.next_change.map(|t| t.to_rfc3339())
    }
}

fn iso_8601<S: Serializer>(t: &Option<DateTime<FixedOffset>>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&t.to_rfc3339()),
        None => s.serialize_none(),
    }
}

/// Outside office hours (weekday evenings and nights, weekends and Scottish public holidays):
/// when it matters most which lines are open now.
pub fn out_of_office_hours(now: DateTime<Utc>) -> bool {
    static OFFICE: LazyLock<OpeningHours> = LazyLock::new(|| {
        OpeningHours::parse("Mo-Fr 09:00-17:00; PH off").expect("office hours parse")
    });
    OFFICE.status(now).is_some_and(|s| !s.open_now)
}

/// The evaluation context every value shares: Europe/London and Scotland's public holidays.
fn context() -> Context<TzLocation<Tz>> {
    static HOLIDAYS: LazyLock<ContextHolidays> = LazyLock::new(|| {
        ContextHolidays::new(
            Arc::new(scottish_holidays()),
            Arc::new(CompactCalendar::default()),
        )
    });
    Context::default()
        .with_holidays(HOLIDAYS.clone())
        .with_locale(TzLocation::new(ZONE))
}

/// Scotland's bank holidays, for `PH`, from the `opening-hours` crate's embedded data (from
/// nager.date). The crate keeps holidays by country only: the UK-wide days (Good Friday, the
/// early May and spring bank holidays, Christmas, Boxing Day and one-off days) are taken
/// whole, and of the days it lists for parts of the UK only those that fall where Scotland's
/// do (New Year's Day and 2 January or the days that replace them, the first Monday of
/// August, St Andrew's Day or the Monday after it). Easter Monday, the last Monday of August
/// and Northern Ireland's days are not public holidays here. Local holidays set by the
/// council are not included.
pub fn scottish_holidays() -> CompactCalendar {
    let mut calendar = CompactCalendar::default();
    for date in Country::GB.holidays().get_public().iter() {
        calendar.insert(date);
    }
    for date in Country::GB.holidays_regional().get_public().iter() {
        let (month, day) = (date.month(), date.day());
        let monday = date.weekday() == chrono::Weekday::Mon;
        let scottish = (month == 1 && day <= 4)
            || (month == 8 && day <= 7 && monday)
            || (month == 11 && day == 30)
            || (month == 12 && day <= 2 && monday);
        if scottish {
            calendar.insert(date);
        }
    }
    calendar
}

fn expected<R: fmt::Debug>(variant: &pest::error::ErrorVariant<R>) -> String {
    match variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } if !positives.is_empty() => {
            let mut names: Vec<&str> = positives
                .iter()
                .map(|r| match format!("{r:?}").as_str() {
                    "EOI" => "the end of the value",
                    "any_rule_separator" => "`;` or `,` between rules",
                    "timespan" => "a time span such as 09:00-17:00",
                    "wday" => "a weekday (Mo, Tu, We, Th, Fr, Sa, Su)",
                    "holiday" => "PH (public holiday)",
                    "rules_modifier" => "open, closed, off or unknown",
                    "time" | "extended_time" | "hour_minutes" => "a time such as 09:00",
                    _ => "something else",
                })
                .collect();
            names.dedup();
            format!("expected {}", names.join(", or "))
        }
        pest::error::ErrorVariant::CustomError { message } => message.clone(),
        _ => "unexpected text".into(),
    }
}

/// "5pm", "9:30am", "midnight", "midday".
fn clock_time(t: NaiveTime) -> String {
    let (h, m) = (t.hour(), t.minute());
    match (h, m) {
        (0, 0) => "midnight".into(),
        (12, 0) => "midday".into(),
        _ => {
            let (h12, half) = match h {
                0 => (12, "am"),
                1..=11 => (h, "am"),
                12 => (12, "pm"),
                _ => (h - 12, "pm"),
            };
            if m == 0 {
                format!("{h12}{half}")
            } else {
                format!("{h12}:{m:02}{half}")
            }
        }
    }
}

fn days_between(from: NaiveDate, to: NaiveDate) -> i64 {
    (to - from).num_days()
}

fn weekday_name(d: NaiveDate) -> &'static str {
    match d.weekday() {
        chrono::Weekday::Mon => "Monday",
        chrono::Weekday::Tue => "Tuesday",
        chrono::Weekday::Wed => "Wednesday",
        chrono::Weekday::Thu => "Thursday",
        chrono::Weekday::Fri => "Friday",
        chrono::Weekday::Sat => "Saturday",
        chrono::Weekday::Sun => "Sunday",
    }
}

/// The months' names, January first.
pub(crate) const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn day_month(d: NaiveDate) -> String {
    format!("{} {}", d.day(), MONTHS[d.month0() as usize])
}

/// When an open line closes: "5pm", "midnight", "2am" (overnight), "tomorrow at 5pm",
/// "Monday at 6am", "1 April at 9am".
fn until(now: LocalTime, t: LocalTime) -> String {
    let (today, day) = (now.date_naive(), t.date_naive());
    let time = t.time();
    let days = days_between(today, day);
    match days {
        0 => clock_time(time),
        // Closing at midnight, or in the small hours after an evening opening.
        1 if time == NaiveTime::MIN => "midnight".into(),
        1 if time.hour() < 8 && now.hour() >= 12 => clock_time(time),
        1 => format!("tomorrow at {}", clock_time(time)),
        2..=6 => format!("{} at {}", weekday_name(day), clock_time(time)),
        _ => format!("{} at {}", day_month(day), clock_time(time)),
    }
}

/// When a closed line opens: "today at 6pm", "tonight at midnight", "tomorrow at 9am",
/// "Monday at 9am", "on 1 April at 9am".
fn opens(now: LocalTime, t: LocalTime) -> String {
    let (today, day) = (now.date_naive(), t.date_naive());
    let time = t.time();
    match days_between(today, day) {
        0 => format!("today at {}", clock_time(time)),
        1 if time == NaiveTime::MIN => "tonight at midnight".into(),
        1 => format!("tomorrow at {}", clock_time(time)),
        d @ 2..=6 => {
            // Midnight opens at the very start of that day: say the day it follows.
            if time == NaiveTime::MIN {
                let eve = day.pred_opt().unwrap_or(day);
                let _ = d;
                format!("{} at midnight", weekday_name(eve))
            } else {
                format!("{} at {}", weekday_name(day), clock_time(time))
            }
        }
        _ => format!("on {} at {}", day_month(day), clock_time(time)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        FixedClock::at(text).unwrap().now()
    }

    fn label(hours: &str, now: &str) -> String {
        OpeningHours::parse(hours)
            .unwrap()
            .status(at(now))
            .unwrap()
            .label
    }

    #[test]
    fn the_same_hours_are_parsed_once_and_shared_while_held() {
        let text = "Mo-Th 08:30-16:45; Fr 08:30-15:30; PH off";
        let first = OpeningHours::parse(text).unwrap();
        let second = OpeningHours::parse(text).unwrap();
        assert!(Arc::ptr_eq(&first.0, &second.0));
        assert_eq!(first, second);
        let other = OpeningHours::parse("Mo-Th 08:30-16:45").unwrap();
        assert!(!Arc::ptr_eq(&first.0, &other.0));
        // Once no contact holds them, the next parse reads the text again, the same way.
        let weak = Arc::downgrade(&first.0);
        drop((first, second));
        assert!(weak.upgrade().is_none());
        let again = OpeningHours::parse(text).unwrap();
        assert_eq!(again.as_str(), text);
        assert!(!again.is_always_open());
    }

    #[test]
    fn office_hours_read_naturally() {
        let hours = "Mo-Fr 09:00-17:00";
        // Saturday 11pm, Monday 10am, Monday 8am, Friday 6pm, Sunday 11am.
        assert_eq!(
            label(hours, "2026-01-10T23:00:00Z"),
            "Closed now: opens Monday at 9am"
        );
        assert_eq!(label(hours, "2026-01-12T10:00:00Z"), "Open now, until 5pm");
        assert_eq!(
            label(hours, "2026-01-12T08:00:00Z"),
            "Closed now: opens today at 9am"
        );
        assert_eq!(
            label(hours, "2026-01-09T18:00:00Z"),
            "Closed now: opens Monday at 9am"
        );
        assert_eq!(
            label(hours, "2026-01-11T11:00:00Z"),
            "Closed now: opens tomorrow at 9am"
        );
        assert_eq!(
            label("Mo-Fr 10:00-15:00", "2026-01-12T10:30:00Z"),
            "Open now, until 3pm"
        );
    }

    #[test]
    fn overnight_and_round_the_clock_lines() {
        let breathing_space =
            "Mo 00:00-06:00,18:00-24:00; Tu-Fr 00:00-02:00,18:00-24:00; Sa,Su 00:00-24:00";
        // Tuesday 11pm: open until 2am.
        assert_eq!(
            label(breathing_space, "2026-01-13T23:00:00Z"),
            "Open now, until 2am"
        );
        // Friday 7pm: open right through the weekend.
        assert_eq!(
            label(breathing_space, "2026-01-09T19:00:00Z"),
            "Open now, until Monday at 6am"
        );
        // Monday 10am: opens this evening.
        assert_eq!(
            label(breathing_space, "2026-01-12T10:00:00Z"),
            "Closed now: opens today at 6pm"
        );
        assert_eq!(
            label("Mo-Su 18:00-24:00", "2026-01-12T20:00:00Z"),
            "Open now, until midnight"
        );
        let samaritans = OpeningHours::parse("24/7").unwrap();
        assert!(samaritans.is_always_open());
        let status = samaritans.status(at("2026-01-10T23:00:00Z")).unwrap();
        assert!(status.open_now);
        assert_eq!(status.next_change, None);
        assert_eq!(status.label, "Open now, 24 hours");
        assert!(
            !OpeningHours::parse("Mo-Fr 09:00-17:00")
                .unwrap()
                .is_always_open()
        );
        assert!(!OpeningHours::parse("off").unwrap().is_always_open());
        assert_eq!(label("off", "2026-01-12T10:00:00Z"), "Closed now");
        // A closed line opens when it is next open, not when its state turns unknown.
        let odd = "Mo-Su 18:00-24:00, Mo-Su 17:00-18:00 unknown";
        assert_eq!(
            label(odd, "2026-01-12T10:00:00Z"),
            "Closed now: opens today at 6pm"
        );
        let unknown = OpeningHours::parse(odd).unwrap();
        assert_eq!(unknown.status(at("2026-01-12T17:30:00Z")), None);
    }

    #[test]
    fn the_nights_the_clocks_change() {
        let office = OpeningHours::parse("Mo-Fr 09:00-17:00").unwrap();
        // Sunday 29 March 2026, 00:30 GMT: the clocks go forward at 1am.
        let s = office.status(at("2026-03-29T00:30:00Z")).unwrap();
        assert_eq!(s.label, "Closed now: opens tomorrow at 9am");
        assert_eq!(s.next_change_text().unwrap(), "2026-03-30T09:00:00+01:00");
        // A line opening at 2am that night opens at 01:00 UTC, half an hour later.
        let night = OpeningHours::parse("Su 02:00-04:00").unwrap();
        let s = night.status(at("2026-03-29T00:30:00Z")).unwrap();
        assert_eq!(s.next_change_text().unwrap(), "2026-03-29T02:00:00+01:00");
        assert_eq!(s.label, "Closed now: opens today at 2am");
        let s = night.status(at("2026-03-29T01:30:00Z")).unwrap();
        assert!(s.open_now, "02:30 BST is inside 02:00-04:00");
        assert_eq!(s.label, "Open now, until 4am");
        // Sunday 25 October 2026: 01:30 happens twice, first in BST, then in GMT.
        let first = office.status(at("2026-10-25T00:30:00Z")).unwrap();
        let second = office.status(at("2026-10-25T01:30:00Z")).unwrap();
        for s in [&first, &second] {
            assert_eq!(s.label, "Closed now: opens tomorrow at 9am");
            assert_eq!(s.next_change_text().unwrap(), "2026-10-26T09:00:00+00:00");
        }
        let s = night.status(at("2026-10-25T00:30:00Z")).unwrap();
        assert_eq!(s.next_change_text().unwrap(), "2026-10-25T02:00:00+00:00");
    }

    #[test]
    fn scottish_public_holidays() {
        let hours = OpeningHours::parse("Mo-Fr 09:00-17:00; PH off").unwrap();
        let closed = |t: &str| !hours.status(at(t)).unwrap().open_now;
        // St Andrew's Day (Monday 30 November 2026), the first Monday of August, 2 January.
        assert!(closed("2026-11-30T10:00:00Z"));
        assert!(closed("2026-08-03T10:00:00Z"));
        assert!(closed("2026-01-02T10:00:00Z"));
        assert!(closed("2026-12-25T10:00:00Z"));
        // Easter Monday and the last Monday of August are English bank holidays, not Scottish.
        assert!(!closed("2026-04-06T10:00:00Z"));
        assert!(!closed("2026-08-31T10:00:00Z"));
        // Northern Ireland's 13 July 2026.
        assert!(!closed("2026-07-13T10:00:00Z"));
    }

    #[test]
    fn bad_values_say_where() {
        let err = OpeningHours::parse("Mo-Fr 9-17").unwrap_err();
        assert_eq!(err.offset, 6);
        assert!(
            err.message.contains("at `9-17` (character 7)"),
            "{}",
            err.message
        );
        let err = OpeningHours::parse("Monday to Friday").unwrap_err();
        assert!(err.message.contains("Mo-Fr 09:00-17:00"), "{}", err.message);
        assert!(OpeningHours::parse("  ").is_err());
    }

    #[test]
    fn clocks_read_times_with_and_without_offsets() {
        assert_eq!(
            FixedClock::at("2026-07-04T10:00")
                .unwrap()
                .now()
                .to_rfc3339(),
            "2026-07-04T09:00:00+00:00"
        );
        assert_eq!(
            FixedClock::at("2026-01-04 10:00")
                .unwrap()
                .now()
                .to_rfc3339(),
            "2026-01-04T10:00:00+00:00"
        );
        assert!(FixedClock::at("Saturday night").is_err());
        // 01:30 on 29 March 2026 never happens in the UK.
        assert!(FixedClock::at("2026-03-29T01:30").is_err());
        assert!(out_of_office_hours(at("2026-01-10T23:00:00Z")));
        assert!(!out_of_office_hours(at("2026-01-12T10:00:00Z")));
        assert!(out_of_office_hours(at("2026-01-12T18:00:00Z")));
    }
}
