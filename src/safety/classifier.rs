//! The learned layer: a fastText model trained on the corpus, reading a message piece by piece
//! so that danger at the end of a long message is not drowned by what comes before.

use super::corpus::{CorpusLine, NONE};
use crate::learn::{LearnError, TextClassifier, TrainingSettings};
use std::path::Path;

/// How the crisis model is trained. Chosen by cross-validated recall on the shipped corpus;
/// part of the cache key, so a change here retrains.
pub const SETTINGS: TrainingSettings = TrainingSettings {
    dim: 24,
    epochs: 20,
    learning_rate: 0.5,
    word_ngrams: 2,
    min_char_ngram: 3,
    max_char_ngram: 5,
    buckets: 200_000,
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
    /// Trains on the corpus (through the model cache in `cache`, when given).
    pub fn train(
        lines: &[CorpusLine],
        categories: &[String],
        settings: &TrainingSettings,
        cache: Option<&Path>,
    ) -> Result<CrisisClassifier, LearnError> {
        let pairs: Vec<(&str, &str)> = lines
            .iter()
            .map(|l| (l.label.as_str(), l.text.as_str()))
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

    /// For each category, the highest probability the model gives it over the pieces of a
    /// message (given as its normalised sentences): the whole of a short message, each
    /// sentence, and sliding windows of a few dozen words. Linear in the length of the message.
    pub fn scores(&self, sentences: &[String]) -> Vec<f32> {
        let mut best = vec![0.0f32; self.categories.len()];
        for piece in pieces(sentences) {
            for (label, probability) in self.model.predict(&piece) {
                if let Some(i) = self.categories.iter().position(|c| *c == label) {
                    best[i] = best[i].max(probability);
                }
            }
        }
        best
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

/// The pieces of a message the model reads, from its normalised sentences.
pub fn pieces(sentences: &[String]) -> Vec<String> {
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
                .cloned(),
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
