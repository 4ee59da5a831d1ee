//! The indexed terms, for telling known words from typos and correcting the typos.

use crate::text::edit_distance;
use std::collections::{HashMap, HashSet};
use tantivy::IndexReader;
use tantivy::schema::Field;

/// Filler words that carry no meaning for ranking. Compared against normalised words
/// (so "i'm" appears as "im").
pub(super) const STOPWORDS: &[&str] = &[
    "a", "about", "after", "again", "all", "also", "am", "an", "and", "any", "anyone", "are", "as",
    "at", "be", "been", "being", "but", "by", "can", "cant", "could", "did", "do", "does", "dont",
    "for", "from", "had", "has", "have", "he", "hello", "her", "here", "hes", "hi", "him", "his",
    "how", "i", "id", "if", "im", "in", "into", "is", "isnt", "it", "its", "ive", "just", "me",
    "mine", "my", "myself", "no", "not", "now", "of", "on", "or", "our", "please", "she", "shes",
    "should", "so", "some", "someone", "something", "than", "that", "thats", "the", "their",
    "them", "then", "there", "these", "they", "theyre", "this", "those", "to", "too", "u", "up",
    "us", "very", "want", "was", "we", "were", "what", "whats", "when", "where", "which", "while",
    "who", "why", "will", "with", "would", "ye", "yes", "you", "your", "youre",
];

/// Every term in the index, grouped by length for quick typo look-ups.
pub(super) struct Vocabulary {
    terms: HashSet<String>,
    by_len: HashMap<usize, Vec<String>>,
    /// How many documents hold each term, to prefer common corrections.
    doc_freq: HashMap<String, u32>,
}

impl Vocabulary {
    pub fn from_reader(reader: &IndexReader, fields: &[(Field, f32)]) -> tantivy::Result<Self> {
        let mut doc_freq: HashMap<String, u32> = HashMap::new();
        let searcher = reader.searcher();
        for segment in searcher.segment_readers() {
            for (field, _) in fields {
                let inverted = segment.inverted_index(*field)?;
                let mut stream = inverted.terms().stream()?;
                while stream.advance() {
                    if let Ok(term) = std::str::from_utf8(stream.key()) {
                        let df = stream.value().doc_freq;
                        let slot = doc_freq.entry(term.to_string()).or_default();
                        *slot = (*slot).max(df);
                    }
                }
            }
        }
        let mut by_len: HashMap<usize, Vec<String>> = HashMap::new();
        for term in doc_freq.keys() {
            by_len.entry(term.len()).or_default().push(term.clone());
        }
        Ok(Vocabulary {
            terms: doc_freq.keys().cloned().collect(),
            by_len,
            doc_freq,
        })
    }

    pub fn contains(&self, term: &str) -> bool {
        self.terms.contains(term)
    }

    /// The closest known terms to an unknown one: one edit away for words of four to seven
    /// letters, two for longer words; none for shorter words, where a typo is a guess.
    pub fn corrections(&self, term: &str) -> Vec<String> {
        let max = match term.len() {
            0..=3 => return Vec::new(),
            4..=7 => 1,
            _ => 2,
        };
        let mut found: Vec<(usize, u32, &String)> = Vec::new();
        for len in term.len().saturating_sub(max)..=term.len() + max {
            for candidate in self.by_len.get(&len).into_iter().flatten() {
                let d = edit_distance(term, candidate, max);
                if d <= max {
                    found.push((d, self.doc_freq[candidate], candidate));
                }
            }
        }
        // Nearest first, then the most widely used.
        found.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(b.2)));
        let best = found.first().map(|f| f.0);
        found
            .into_iter()
            .filter(|f| Some(f.0) == best)
            .take(2)
            .map(|f| f.2.clone())
            .collect()
    }
}
