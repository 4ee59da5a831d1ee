//! The indexed terms, for telling known words from typos and correcting the typos.

use crate::text::{edit_distance, letter_set};
use std::collections::HashMap;

/// Filler words that carry no meaning for ranking. Compared against normalised words
/// (so "i'm" appears as "im").
pub(super) const STOPWORDS: &[&str] = &[
    "a",
    "about",
    "after",
    "again",
    "all",
    "also",
    "am",
    "an",
    "and",
    "any",
    "anyone",
    "are",
    "as",
    "at",
    "be",
    "been",
    "being",
    "but",
    "by",
    "can",
    "cant",
    "could",
    "did",
    "do",
    "does",
    "dont",
    "for",
    "from",
    "had",
    "has",
    "have",
    "he",
    "hello",
    "her",
    "here",
    "hes",
    "hi",
    "him",
    "his",
    "how",
    "i",
    "id",
    "if",
    "im",
    "in",
    "into",
    "is",
    "isnt",
    "it",
    "its",
    "ive",
    "just",
    "me",
    "mine",
    "my",
    "myself",
    "no",
    "not",
    "now",
    "of",
    "on",
    "or",
    "our",
    "please",
    "she",
    "shes",
    "should",
    "so",
    "some",
    "someone",
    "something",
    "than",
    "that",
    "thats",
    "the",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "theyre",
    "this",
    "those",
    "to",
    "too",
    "u",
    "up",
    "us",
    "very",
    "want",
    "was",
    "we",
    "were",
    "what",
    "whats",
    "when",
    "where",
    "which",
    "while",
    "who",
    "why",
    "will",
    "with",
    "would",
    "ye",
    "yes",
    "you",
    "your",
    "youre",
    // Scots and texting fillers: "ma" is "my", "yer" is "your", "whit" is "what".
    "ah",
    "an",
    "aye",
    "cos",
    "coz",
    "cuz",
    "dae",
    "fae",
    "gonna",
    "gonnae",
    "hw",
    "ken",
    "ma",
    "n",
    "noo",
    "och",
    "oh",
    "ok",
    "okay",
    "pls",
    "plz",
    "r",
    "tae",
    "ur",
    "wanna",
    "wat",
    "wer",
    "wha",
    "whaur",
    "whit",
    "wi",
    "wis",
    "wot",
    "wud",
    "yer",
    // Words of how people write, not of what about: "actually", "honestly", "lol".
    "actually",
    "anyway",
    "basically",
    "honestly",
    "literally",
    "lol",
    "really",
    "tbh",
    "thanks",
];

/// Numbers written as words: like numbers in figures, they say little about which entry fits,
/// so none is a need, a sign of another subject or a misspelling ("seven" is not "seen").
pub(super) const NUMBER_WORDS: &[&str] = &[
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "sixty",
    "seventy",
    "eighty",
    "ninety",
    "hundred",
    "thousand",
    "million",
];

/// Places in and around the region: a weak signal, since most entries serve all of it.
pub(super) const PLACE_WORDS: &[&str] = &[
    "annan",
    "castle",
    "dalbeattie",
    "douglas",
    "dg",
    "dumfries",
    "dumgal",
    "galloway",
    "gatehouse",
    "kirkcudbright",
    "langholm",
    "lockerbie",
    "moffat",
    "newton",
    "sanquhar",
    "scotland",
    "scottish",
    "stewart",
    "stranraer",
    "thornhill",
    "wigtown",
    "wigtownshire",
];

/// Every term in the index, grouped by length for quick typo look-ups.
pub(super) struct Vocabulary {
    /// Each term with a dense id, for compact per-entry term sets.
    terms: HashMap<String, u32>,
    /// Words as written in the entries (normalised, not stemmed), each with its term and how
    /// many entries use it. Typos are corrected against these, because a misspelt word often
    /// stems differently from the right one ("comunity", "community").
    words: Vec<(String, String, u32)>,
    /// Indexes into `words` by (length, letter at position 0 or 1): a typo rarely changes
    /// both of a word's first two letters, so only words sharing one are compared.
    buckets: HashMap<(usize, usize, u8), Vec<u32>>,
}

impl Vocabulary {
    /// The vocabulary of an index: `terms` maps each indexed term to its id, `written` counts
    /// the entries using each written word, and `word_term` gives each word's term id.
    pub fn new(
        terms: HashMap<String, u32>,
        written: HashMap<String, u32>,
        word_term: impl Fn(&str) -> Option<u32>,
    ) -> Vocabulary {
        let names: HashMap<u32, &String> = terms.iter().map(|(t, &id)| (id, t)).collect();
        let mut words: Vec<(String, String, u32)> = written
            .into_iter()
            .filter_map(|(word, count)| {
                let term = names[&word_term(&word)?].clone();
                Some((word, term, count))
            })
            .collect();
        words.sort();
        let mut buckets: HashMap<(usize, usize, u8), Vec<u32>> = HashMap::new();
        for (i, (word, _, _)) in words.iter().enumerate() {
            for (position, &letter) in word.as_bytes().iter().take(2).enumerate() {
                buckets
                    .entry((word.len(), position, letter))
                    .or_default()
                    .push(i as u32);
            }
        }
        Vocabulary {
            terms,
            words,
            buckets,
        }
    }

    pub fn id(&self, term: &str) -> Option<u32> {
        self.terms.get(term).copied()
    }

    /// The terms of the closest written words to an unknown word: one edit away for words of
    /// four to six letters (at four, a swap or a letter left out: "bial", "vist"), two for
    /// longer words; none for shorter words, where a "fix" is a guess ("moon" is one letter
    /// from "mood" and "noon").
    pub fn corrections(&self, word: &str) -> Vec<String> {
        if NUMBER_WORDS.contains(&word) {
            return Vec::new();
        }
        let max = match word.len() {
            0..=3 => return Vec::new(),
            4..=6 => 1,
            _ => 2,
        };
        // In a four-letter word only a swap of two letters ("bial" for "bail") or a letter left
        // out ("vist" for "visit") is trusted: a letter changed is as likely another word.
        let swap_only = word.len() == 4;
        // Up to six letters, a letter too many is trusted only as a key pressed twice
        // ("baill"): a word one letter longer than a known one is as likely a word of its own
        // ("seven" is "seen" with a v).
        let doubled_only = word.len() <= 6;
        let mut found: Vec<(usize, u32, &str)> = Vec::new();
        let letters = word.as_bytes();
        let set = letter_set(word);
        for len in word.len().saturating_sub(max)..=word.len() + max {
            let first = self
                .buckets
                .get(&(len, 0, letters[0]))
                .into_iter()
                .flatten();
            // Words sharing the second letter but not the first: none is seen twice.
            let second = self
                .buckets
                .get(&(len, 1, letters[1]))
                .into_iter()
                .flatten()
                .filter(|&&i| self.words[i as usize].0.as_bytes()[0] != letters[0]);
            for &i in first.chain(second) {
                let (candidate, term, count) = &self.words[i as usize];
                if swap_only && candidate.len() != word.len() + 1 && !same_letters(word, candidate)
                {
                    continue;
                }
                if doubled_only && candidate.len() + 1 == word.len() && !doubled(word, candidate) {
                    continue;
                }
                // Too many letters one has and the other lacks: too far, without the table.
                let other = letter_set(candidate);
                if (other & !set).count_ones() as usize > max
                    || (set & !other).count_ones() as usize > max
                {
                    continue;
                }
                let d = edit_distance(word, candidate, max);
                if d <= max {
                    found.push((d, *count, term));
                }
            }
        }
        // Nearest first, then the most widely used.
        found.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(b.2)));
        let best = found.first().map(|f| f.0);
        let mut terms: Vec<String> = Vec::new();
        for (d, _, term) in found {
            if Some(d) != best || terms.len() == 2 {
                break;
            }
            if !terms.iter().any(|t| t == term) {
                terms.push(term.to_string());
            }
        }
        terms
    }
}

/// Whether `word` is `shorter` with one of its letters typed twice.
fn doubled(word: &str, shorter: &str) -> bool {
    let w = word.as_bytes();
    (1..w.len()).any(|i| {
        w[i] == w[i - 1]
            && w[..i] == shorter.as_bytes()[..i]
            && w[i + 1..] == shorter.as_bytes()[i..]
    })
}

fn same_letters(a: &str, b: &str) -> bool {
    let mut a: Vec<u8> = a.bytes().collect();
    let mut b: Vec<u8> = b.bytes().collect();
    a.sort_unstable();
    b.sort_unstable();
    a == b
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A vocabulary whose terms are the words themselves.
    fn vocabulary(words: &[&str]) -> Vocabulary {
        let terms: HashMap<String, u32> = words
            .iter()
            .enumerate()
            .map(|(i, w)| (w.to_string(), i as u32))
            .collect();
        let written = words.iter().map(|w| (w.to_string(), 1)).collect();
        let ids = terms.clone();
        Vocabulary::new(terms, written, move |w| ids.get(w).copied())
    }

    #[test]
    fn a_four_letter_word_is_fixed_only_by_a_swap_or_a_letter_left_out() {
        let v = vocabulary(&["bail", "visit", "mood", "car"]);
        assert_eq!(v.corrections("bial"), ["bail"]);
        assert_eq!(v.corrections("vist"), ["visit"]);
        // A letter changed, or one too many, is as likely another word.
        assert!(v.corrections("moon").is_empty());
        assert!(v.corrections("carr").is_empty());
        // Longer words allow any one edit.
        assert_eq!(v.corrections("visitt"), ["visit"]);
    }

    #[test]
    fn a_letter_too_many_in_a_short_word_is_fixed_only_when_typed_twice() {
        let v = vocabulary(&["bail", "seen", "court", "visit", "prison"]);
        assert_eq!(v.corrections("baill"), ["bail"]);
        assert_eq!(v.corrections("courrt"), ["court"]);
        // A word of its own, one letter longer than a known one, is left alone.
        assert!(v.corrections("seven").is_empty());
        assert!(v.corrections("courts").is_empty());
        // Letters left out or swapped are still fixed; from seven letters, any edit.
        assert_eq!(v.corrections("vsiit"), ["visit"]);
        assert_eq!(v.corrections("cout"), ["court"]);
        assert_eq!(v.corrections("prisonx"), ["prison"]);
    }

    #[test]
    fn numbers_in_words_are_never_read_as_misspellings() {
        // One letter changed would make each a word of the folder.
        let v = vocabulary(&["fifth", "night", "forts"]);
        assert_eq!(v.corrections("fifte"), ["fifth"]);
        assert!(v.corrections("fifty").is_empty());
        assert!(v.corrections("eight").is_empty());
        assert!(v.corrections("forty").is_empty());
    }
}
