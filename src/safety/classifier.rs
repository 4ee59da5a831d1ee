//! The learned layer: a fastText model trained on the corpus, reading a message piece by piece
//! so that danger at the end of a long message is not drowned by what comes before.

use super::corpus::{CorpusLine, NONE};
use crate::learn::{LearnError, TextClassifier, TrainingSettings};
use std::path::Path;

/// How the crisis model is trained. Chosen by cross-validated recall on the shipped corpus;
/// part of the cache key, so a change here retrains.
/// (dim 16 with 100,000 buckets did as well as dim 24 with 200,000, in a third of the size.)
pub const SETTINGS: TrainingSettings = TrainingSettings {
    dim: 16,
    epochs: 20,
    learning_rate: 0.5,
    word_ngrams: 2,
    min_char_ngram: 3,
    max_char_ngram: 5,
    buckets: 100_000,
    seed: 1,
};

/// A message this short (in words) is also read whole.
const WHOLE_MAX_WORDS: usize = 48;
/// Words in a sliding window over a longer message...
const WINDOW_WORDS: usize = 24;
/// ...which moves on by this many words, so every stretch is read with some context.
const WINDOW_STRIDE: usize = 12;

/// The crisis model, with the categories it scores in safety.toml's order.
#[derive(Debug)]
pub struct CrisisClassifier {
    model: TextClassifier,
    categories: Vec<String>,
}

impl CrisisClassifier {
    /// Trains on the corpus and on `calm` texts (normalised, not a crisis), through the model
    /// cache in `cache` when given.
    pub fn train(
        lines: &[CorpusLine],
        calm: &[String],
        categories: &[String],
        settings: &TrainingSettings,
        cache: Option<&Path>,
    ) -> Result<CrisisClassifier, LearnError> {
        // The pieces of a message that is not a crisis are not a crisis either: teach them too,
        // so a stretch of a long calm message read on its own does not look like one.
        let crisis_texts: std::collections::HashSet<&str> = lines
            .iter()
            .filter(|l| l.label != NONE)
            .map(|l| l.text.as_str())
            .collect();
        let calm_pieces: Vec<String> = lines
            .iter()
            .filter(|l| l.label == NONE)
            .flat_map(|l| pieces(&crate::text::sentences(&l.raw)))
            .chain(calm.iter().cloned())
            .collect();
        let mut seen = std::collections::HashSet::new();
        let pairs: Vec<(&str, &str)> = lines
            .iter()
            .map(|l| (l.label.as_str(), l.text.as_str()))
            .chain(
                calm_pieces
                    .iter()
                    .filter(|p| !crisis_texts.contains(p.as_str()))
                    .map(|p| (NONE, p.as_str())),
            )
            .filter(|(label, text)| *label != NONE || seen.insert(*text))
            .collect();
        let model = match cache {
            Some(folder) => super::cache::train(&pairs, settings, folder)?,
            None => TextClassifier::train(pairs.iter().copied(), settings)?,
        };
        Ok(CrisisClassifier {
            model,
            categories: categories.to_vec(),
        })
    }

    /// What the model makes of a message (given as its normalised sentences), read piece by
    /// piece: the whole of a short message, each sentence, and sliding windows of a few dozen
    /// words; the highest probability over the pieces counts. Linear in the length of the
    /// message.
    pub fn scores(&self, sentences: &[String]) -> Scores {
        let mut scores = Scores {
            categories: vec![0.0; self.categories.len()],
            crisis: 0.0,
        };
        for piece in pieces(sentences) {
            let mut crisis = 0.0f32;
            for (label, probability) in self.model.predict(&piece) {
                if let Some(i) = self.categories.iter().position(|c| *c == label) {
                    scores.categories[i] = scores.categories[i].max(probability);
                    crisis += probability;
                }
            }
            scores.crisis = scores.crisis.max(crisis.min(1.0));
        }
        scores
    }

    /// The categories scored, in safety.toml's order.
    pub fn categories(&self) -> &[String] {
        &self.categories
    }

    /// Whether `label` is one this model was trained to give (`none` included).
    pub fn knows(&self, label: &str) -> bool {
        label == NONE || self.categories.iter().any(|c| c == label)
    }
}

/// The classifier's reading of one message.
#[derive(Debug, Clone, PartialEq)]
pub struct Scores {
    /// Per category (in safety.toml's order), its highest probability over the pieces.
    pub categories: Vec<f32>,
    /// The highest probability over the pieces that a piece is a crisis of any kind (one
    /// minus the probability of `none`): danger split between two close categories still
    /// counts in full.
    pub crisis: f32,
}

impl Scores {
    /// The most probable category (by index), if any category scored at all.
    pub fn top(&self) -> Option<usize> {
        self.categories
            .iter()
            .enumerate()
            .filter(|(_, p)| **p > 0.0)
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map(|(i, _)| i)
    }
}

/// The pieces of a message the model reads, from its normalised sentences.
pub fn pieces(sentences: &[String]) -> Vec<String> {
    // A sentence said again adds nothing, and a paste repeated a hundred times would otherwise
    // read as one long odd text.
    let mut seen = std::collections::HashSet::new();
    let sentences: Vec<&String> = sentences.iter().filter(|s| seen.insert(*s)).collect();
    let words: Vec<&str> = sentences
        .iter()
        .flat_map(|s| s.split(' '))
        .filter(|w| !w.is_empty())
        .collect();
    let mut pieces = Vec::new();
    if words.is_empty() {
        return pieces;
    }
    if words.len() <= WHOLE_MAX_WORDS {
        pieces.push(words.join(" "));
    }
    if sentences.len() > 1 {
        pieces.extend(
            sentences
                .iter()
                .filter(|s| s.split(' ').count() <= WINDOW_WORDS)
                .map(|s| s.to_string()),
        );
    }
    if words.len() > WINDOW_WORDS {
        let mut start = 0;
        loop {
            let end = (start + WINDOW_WORDS).min(words.len());
            pieces.push(words[end.saturating_sub(WINDOW_WORDS)..end].join(" "));
            if end == words.len() {
                break;
            }
            start += WINDOW_STRIDE;
        }
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentences(text: &str) -> Vec<String> {
        crate::text::sentences(text)
    }

    #[test]
    fn a_short_message_is_read_whole_and_by_sentence() {
        assert_eq!(pieces(&sentences("hello there")), ["hello there"]);
        assert_eq!(
            pieces(&sentences("Can I visit? I'm scared.")),
            ["can i visit im scared", "can i visit", "im scared"]
        );
        assert!(pieces(&sentences(" ... ")).is_empty());
    }

    #[test]
    fn a_repeated_sentence_is_read_once() {
        let text = "I keep thinking. ".repeat(200) + "Help me.";
        assert_eq!(
            pieces(&sentences(&text)),
            ["i keep thinking help me", "i keep thinking", "help me"]
        );
    }

    #[test]
    fn a_long_message_is_read_in_overlapping_windows_to_the_end() {
        let text = format!("{} the end", "word ".repeat(100));
        let pieces = pieces(&sentences(&text));
        assert!(pieces.iter().all(|p| p.split(' ').count() == WINDOW_WORDS));
        assert!(pieces.last().unwrap().ends_with("word the end"));
        // Linear: about two windows per window's worth of words.
        assert!(
            pieces.len() <= 2 * 102 / WINDOW_WORDS + 2,
            "{}",
            pieces.len()
        );
    }
}
