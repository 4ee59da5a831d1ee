//! Unanswered questions, kept privately so admins know what to add.
//!
//! When a front end hands [`crate::LiveKnowledge`] a feedback store (the bots do when
//! `SIGNPOST_FEEDBACK_DB` is set), each message that ends in the fallback adds one to the
//! count of its day and its words, after removing anything that could identify a person:
//! numbers, emails, web addresses, postcodes, handles, capitalised words (names), street
//! addresses and filler words ([`Scrubbed`]). No user or chat id, and no time of day, is ever
//! written. Before the store, bots appended the same scrubbed lines to a text file;
//! [`read_old_file`] reads one for importing and [`summarise`] still summarises one.

use crate::knowledge::Date;
use crate::text::normalise;
use regex::Regex;
use std::collections::HashMap;
use std::sync::LazyLock;

static EMAIL_OR_LINK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\S+@\S+|\bhttps?://\S+|\bwww\.\S+|\S+\.(com|org|uk|scot|net)\S*").unwrap()
});
static POSTCODE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\b[a-z]{1,2}\d[a-z\d]?\s*\d[a-z]{2}\b").unwrap());
/// Words that end a street address; the word before them is a street name.
const STREET_WORDS: &[&str] = &[
    "street", "st", "road", "rd", "lane", "avenue", "ave", "drive", "crescent", "terrace",
    "gardens", "close", "way", "place", "square", "wynd", "brae", "view", "park",
];
/// Filler words not worth keeping.
const FILLER: &[&str] = &[
    "a", "an", "and", "are", "at", "be", "can", "do", "does", "for", "i", "im", "in", "is", "it",
    "me", "my", "of", "on", "or", "the", "to", "what", "with", "you",
];

/// The words of a message that are safe to keep, in order, normalised.
pub fn scrub(text: &str) -> String {
    let text = EMAIL_OR_LINK.replace_all(text, " ");
    let text = POSTCODE.replace_all(&text, " ");
    let raw: Vec<&str> = text.split_whitespace().collect();
    let mut kept: Vec<String> = Vec::new();
    for (i, word) in raw.iter().enumerate() {
        let starts_sentence = i == 0 || raw[i - 1].ends_with(['.', '!', '?']);
        let capitalised = word.chars().next().is_some_and(char::is_uppercase);
        let handle = word.starts_with('@') || word.starts_with('#');
        let has_digit = word.chars().any(|c| c.is_ascii_digit());
        let next_is_street = raw
            .get(i + 1)
            .is_some_and(|n| STREET_WORDS.contains(&normalise(n).as_str()));
        if handle || has_digit || next_is_street || (capitalised && !starts_sentence) {
            continue;
        }
        for part in normalise(word).split(' ') {
            let looks_like_name = capitalised && starts_sentence && !is_common_opening(part);
            if !part.is_empty()
                && part.len() <= 20
                && !FILLER.contains(&part)
                && !STREET_WORDS.contains(&part)
                && !looks_like_name
            {
                kept.push(part.to_string());
            }
        }
    }
    kept.join(" ")
}

/// Capitalised words that commonly open a message: kept. Any other capitalised first word
/// may be a name ("Jamie got lifted") and is dropped.
fn is_common_opening(word: &str) -> bool {
    const OPENINGS: &[&str] = &[
        "how",
        "what",
        "where",
        "when",
        "who",
        "why",
        "which",
        "can",
        "could",
        "would",
        "should",
        "will",
        "do",
        "does",
        "did",
        "is",
        "are",
        "was",
        "my",
        "our",
        "we",
        "he",
        "she",
        "they",
        "im",
        "ive",
        "id",
        "hi",
        "hello",
        "help",
        "please",
        "need",
        "want",
        "got",
        "been",
        "just",
        "so",
        "if",
        "there",
        "someone",
        "somebody",
        "our",
        "me",
        "ma",
        "am",
        "has",
        "have",
        "had",
        "a",
        "an",
        "the",
        "any",
        "is",
        "dad",
        "mum",
        "son",
        "daughter",
        "partner",
        "husband",
        "wife",
        "boyfriend",
        "girlfriend",
        "brother",
        "sister",
        "friend",
        "cousin",
        "getting",
        "going",
        "looking",
        "trying",
        "worried",
        "scared",
        "support",
        "advice",
    ];
    OPENINGS.contains(&word)
}

/// A message's words after [`scrub`]: the only form in which anything a person wrote may be
/// kept (in the feedback store's unanswered list). It can only be made by scrubbing.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Scrubbed(String);

impl Scrubbed {
    /// Scrubs `text`; `None` when nothing is left worth keeping.
    pub fn new(text: &str) -> Option<Scrubbed> {
        let words = scrub(text);
        (!words.is_empty()).then_some(Scrubbed(words))
    }

    /// The words kept.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The lines of an old gaps file (`YYYY-MM-DD<TAB>words`, as bots wrote before the feedback
/// store), scrubbed again and counted per day and words, for importing into the store. Lines
/// without a valid date are counted in the second value and left out.
pub fn read_old_file(text: &str) -> (Vec<(Date, Scrubbed, u64)>, usize) {
    let mut counts: HashMap<(Date, Scrubbed), u64> = HashMap::new();
    let mut skipped = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let parsed = line
            .split_once('\t')
            .and_then(|(day, words)| Some((Date::parse_iso(day.trim())?, Scrubbed::new(words)?)));
        match parsed {
            Some(key) => *counts.entry(key).or_default() += 1,
            None => skipped += 1,
        }
    }
    let mut rows: Vec<(Date, Scrubbed, u64)> =
        counts.into_iter().map(|((d, w), n)| (d, w, n)).collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.0.cmp(&b.1.0)));
    (rows, skipped)
}

/// The most frequent unanswered questions in an old gaps file, most frequent first, with
/// counts.
pub fn summarise(text: &str) -> Vec<(String, usize)> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for line in text.lines() {
        let words = line.split_once('\t').map_or(line, |(_, w)| w).trim();
        if !words.is_empty() {
            *counts.entry(words).or_default() += 1;
        }
    }
    let mut out: Vec<(String, usize)> = counts
        .into_iter()
        .map(|(w, c)| (w.to_string(), c))
        .collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrub_removes_what_could_identify_someone() {
        let text = "Jamie McLeod at 14 Irish Street, Dumfries DG1 2PB, jamie@example.com or 07700 900123 asked about tenancy rules";
        let kept = scrub(text);
        for gone in [
            "jamie", "mcleod", "14", "irish", "dumfries", "dg1", "2pb", "example", "07700",
            "900123",
        ] {
            assert!(
                !kept.split(' ').any(|w| w == gone),
                "{gone} kept in {kept:?}"
            );
        }
        assert!(kept.contains("tenancy rules"), "{kept:?}");
    }

    #[test]
    fn scrub_keeps_the_question() {
        assert_eq!(
            scrub("How do I appeal a parole decision?"),
            "how appeal parole decision"
        );
        assert_eq!(scrub("@someone #tag www.site.org https://x.y/z"), "");
    }

    #[test]
    fn old_files_are_read_per_day_and_scrubbed_again() {
        let text = "2026-11-01\tparole appeal\n2026-11-01\tparole appeal\n\
            2026-11-02\tcall Jamie on 0770 about parole\nno date here\n\n";
        let (rows, skipped) = read_old_file(text);
        let rows: Vec<(String, &str, u64)> = rows
            .iter()
            .map(|(d, w, n)| (d.to_string(), w.as_str(), *n))
            .collect();
        assert_eq!(
            rows,
            [
                ("2026-11-01".to_string(), "parole appeal", 2),
                ("2026-11-02".to_string(), "call about parole", 1)
            ]
        );
        assert_eq!(skipped, 1);
    }

    #[test]
    fn summary_counts_repeats() {
        let text =
            "2026-11-01\tparole appeal\n2026-11-02\tparole appeal\n2026-11-02\tdog licence\n";
        assert_eq!(
            summarise(text),
            [
                ("parole appeal".to_string(), 2),
                ("dog licence".to_string(), 1)
            ]
        );
    }
}
