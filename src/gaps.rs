//! Unanswered questions, kept privately so admins know what to add.
//!
//! When a front end hands [`crate::LiveKnowledge`] a [`GapsLog`] (the bots do when
//! `SIGNPOST_GAPS_FILE` is set), each turn that ends in the fallback
//! appends one line: the date (no time) and the message's words after removing anything that
//! could identify a person: numbers, emails, web addresses, postcodes, handles, capitalised
//! words (names), street addresses and filler words. No user or chat id is ever written.

use crate::text::normalise;
use regex::Regex;
use std::collections::HashMap;
use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex};

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

/// Appends scrubbed unanswered questions to a file, one line each: `YYYY-MM-DD<TAB>words`.
#[derive(Debug)]
pub struct GapsLog {
    path: PathBuf,
    lock: Mutex<()>,
}

impl GapsLog {
    /// A log at `path`; the file is created on first use.
    pub fn new(path: impl Into<PathBuf>) -> GapsLog {
        GapsLog {
            path: path.into(),
            lock: Mutex::new(()),
        }
    }

    /// The file written to.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Records an unanswered message (scrubbed). Failures are logged, never raised: a full
    /// disk must not stop an answer.
    pub fn record(&self, text: &str) {
        let words = scrub(text);
        if words.is_empty() {
            return;
        }
        let line = format!("{}\t{}\n", crate::knowledge::Date::today(), words);
        let _guard = self.lock.lock();
        let written = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .and_then(|mut f| f.write_all(line.as_bytes()));
        if let Err(err) = written {
            tracing::warn!(event = "gaps_write_failed", path = %self.path.display(), error = %err);
        }
    }
}

/// The most frequent unanswered questions in a gaps file, most frequent first, with counts.
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
