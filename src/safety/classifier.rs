//! The learned layer: a fastText model trained on the corpus, reading a message piece by piece
//! so that danger at the end of a long message is not drowned by what comes before.

use super::corpus::{CorpusLine, NONE};
use crate::learn::cache::{self, Use};
use crate::learn::{LearnError, Loss, TextClassifier, TrainingSettings};
use std::path::Path;

/// How the crisis model is trained. Chosen by cross-validated recall on the shipped corpus;
/// part of the cache key, so a change here retrains.
/// (dim 16 with 100,000 buckets did as well as dim 24 with 200,000, in a third of the size.)
pub const SETTINGS: TrainingSettings = TrainingSettings {
    loss: Loss::Softmax,
    dim: 16,
    epochs: 20,
    learning_rate: 0.5,
    word_ngrams: 2,
    min_char_ngram: 3,
    max_char_ngram: 5,
    buckets: 100_000,
    seed: 1,
    shuffle: true,
};

/// How a message is cut into the pieces the model reads, and how their scores combine.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reading {
    /// A message this short (in words) is also read whole.
    pub whole_max_words: usize,
    /// Words in a sliding window over a longer message...
    pub window_words: usize,
    /// ...which moves on by this many words, so every stretch is read with some context.
    pub window_stride: usize,
    /// A sentence shorter than this (in words) is not read on its own.
    pub min_sentence_words: usize,
    /// In a long message, the second highest piece counts, not the highest.
    pub second: bool,
}

/// How messages are read today.
pub const READING: Reading = Reading {
    whole_max_words: 48,
    window_words: 24,
    window_stride: 12,
    min_sentence_words: 1,
    // One stray sentence of a long calm message ("his mum and dad have given up on him") no
    // longer decides alone: fewer false alarms on the development sets, the same recall.
    second: true,
};

/// The crisis model, with the categories it scores in safety.toml's order.
#[derive(Debug)]
pub struct CrisisClassifier {
    model: TextClassifier,
    categories: Vec<String>,
    loss: Loss,
    reading: Reading,
}

impl CrisisClassifier {
    /// Trains on the corpus and on `calm` texts (normalised, not a crisis), keeping the model
    /// nowhere (cross-validation trains one per fold).
    pub fn train(
        lines: &[CorpusLine],
        calm: &[String],
        categories: &[String],
        settings: &TrainingSettings,
        reading: &Reading,
    ) -> Result<CrisisClassifier, LearnError> {
        let pairs = pairs(lines, calm, reading);
        let model = TextClassifier::train(
            pairs.iter().map(|(l, t)| (l.as_str(), t.as_str())),
            settings,
        )?;
        Ok(CrisisClassifier::of(model, categories, settings, reading))
    }

    /// As [`CrisisClassifier::train`], through the model cache in `folder`. `calm` is costly
    /// to work out (the rules run over every candidate) and is only when the cache has no
    /// model: the model is named by `inputs` (a hash of what decides which `candidates` are
    /// calm: the rules, the candidates as written) and by the lines it would learn were every
    /// candidate calm, so a change to the corpus, to the candidates or to how lines are cut
    /// into pieces names another model.
    #[allow(clippy::too_many_arguments)]
    pub fn train_cached(
        lines: &[CorpusLine],
        inputs: &[u8],
        candidates: &[String],
        calm: impl FnOnce() -> Vec<String>,
        categories: &[String],
        settings: &TrainingSettings,
        reading: &Reading,
        folder: &Path,
    ) -> Result<CrisisClassifier, LearnError> {
        use sha2::{Digest, Sha256};
        let mut hash = Sha256::new();
        hash.update(inputs);
        let would_learn = pairs(lines, candidates, reading);
        cache::hash_lines(
            &mut hash,
            would_learn.iter().map(|(l, t)| (l.as_str(), t.as_str())),
        );
        let model = cache::train_keyed(Use::Safety, &hash.finalize(), settings, folder, || {
            pairs(lines, &calm(), reading)
        })?;
        Ok(CrisisClassifier::of(model, categories, settings, reading))
    }

    fn of(
        model: TextClassifier,
        categories: &[String],
        settings: &TrainingSettings,
        reading: &Reading,
    ) -> CrisisClassifier {
        CrisisClassifier {
            model,
            categories: categories.to_vec(),
            loss: settings.loss,
            reading: *reading,
        }
    }

    /// What the model makes of a message (given as its normalised sentences), read piece by
    /// piece: the whole of a short message, each sentence, and sliding windows of a few dozen
    /// words; the highest probability over the pieces counts. Linear in the length of the
    /// message.
    pub fn scores(&self, sentences: &[String]) -> Scores {
        let n = self.categories.len();
        let pieces = self.reading.pieces(sentences);
        let whole = pieces.whole.as_deref().map(|w| self.piece(w));
        let mut best = Scores {
            categories: vec![0.0; n],
            crisis: 0.0,
        };
        let mut second = best.clone();
        for piece in &pieces.parts {
            let s = self.piece(piece);
            for i in 0..n {
                let p = s.categories[i];
                if p > best.categories[i] {
                    second.categories[i] = best.categories[i];
                    best.categories[i] = p;
                } else if p > second.categories[i] {
                    second.categories[i] = p;
                }
            }
            if s.crisis > best.crisis {
                second.crisis = best.crisis;
                best.crisis = s.crisis;
            } else if s.crisis > second.crisis {
                second.crisis = s.crisis;
            }
        }
        if self.reading.second && whole.is_none() && pieces.parts.len() > 1 {
            best = second;
        }
        match whole {
            None => best,
            // The highest of the whole and its pieces.
            Some(whole) => Scores {
                categories: (0..n)
                    .map(|i| whole.categories[i].max(best.categories[i]))
                    .collect(),
                crisis: whole.crisis.max(best.crisis),
            },
        }
    }

    /// Each piece of a message with the model's reading of it, for explaining a verdict.
    pub fn pieces_scored(&self, sentences: &[String]) -> Vec<(String, Scores)> {
        self.reading
            .pieces(sentences)
            .all()
            .into_iter()
            .map(|p| {
                let s = self.piece(&p);
                (p, s)
            })
            .collect()
    }

    /// The model's reading of one piece.
    fn piece(&self, piece: &str) -> Scores {
        let mut scores = Scores {
            categories: vec![0.0; self.categories.len()],
            crisis: 0.0,
        };
        for (label, probability) in self.model.predict(piece) {
            if let Some(i) = self.categories.iter().position(|c| *c == label) {
                scores.categories[i] += probability;
            }
        }
        scores.crisis = match self.loss {
            // Both softmaxes share out one probability over the labels.
            Loss::Softmax | Loss::HierarchicalSoftmax => scores.categories.iter().sum(),
            Loss::OneVsAll => scores.categories.iter().fold(0.0, |a, b| a.max(*b)),
        };
        scores.crisis = scores.crisis.min(1.0);
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

/// The labelled lines the model learns from: the corpus, and as calm the pieces of its calm
/// lines and the `calm` texts. The pieces of a message that is not a crisis are not a crisis
/// either: taught too, a stretch of a long calm message read on its own does not look like
/// one.
fn pairs(lines: &[CorpusLine], calm: &[String], reading: &Reading) -> Vec<(String, String)> {
    let crisis_texts: std::collections::HashSet<&str> = lines
        .iter()
        .filter(|l| l.label != NONE)
        .map(|l| l.text.as_str())
        .collect();
    let calm_pieces: Vec<String> = lines
        .iter()
        .filter(|l| l.label == NONE)
        .flat_map(|l| reading.pieces(&crate::text::sentences(&l.raw)).all())
        .chain(calm.iter().cloned())
        .collect();
    let mut seen = std::collections::HashSet::new();
    lines
        .iter()
        .map(|l| (l.label.clone(), l.text.clone()))
        .chain(
            calm_pieces
                .into_iter()
                .filter(|p| !crisis_texts.contains(p.as_str()))
                .map(|p| (NONE.to_string(), p)),
        )
        .filter(|(label, text)| label != NONE || seen.insert(text.clone()))
        .collect()
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

/// The pieces of one message.
#[derive(Debug, Clone, PartialEq)]
pub struct Pieces {
    /// The whole message, when it is short enough to be read whole.
    pub whole: Option<String>,
    /// Its sentences and windows.
    pub parts: Vec<String>,
}

impl Pieces {
    /// Every piece, the whole first.
    pub fn all(self) -> Vec<String> {
        self.whole.into_iter().chain(self.parts).collect()
    }
}

impl Reading {
    /// The pieces of a message the model reads, from its normalised sentences.
    pub fn pieces(&self, sentences: &[String]) -> Pieces {
        // A sentence said again adds nothing, and a paste repeated a hundred times would
        // otherwise read as one long odd text.
        let mut seen = std::collections::HashSet::new();
        let sentences: Vec<&String> = sentences.iter().filter(|s| seen.insert(*s)).collect();
        let words = without_runs(
            sentences
                .iter()
                .flat_map(|s| s.split(' '))
                .filter(|w| !w.is_empty()),
        );
        let mut pieces = Pieces {
            whole: None,
            parts: Vec::new(),
        };
        if words.is_empty() {
            return pieces;
        }
        let long = words.len() > self.whole_max_words;
        if !long {
            pieces.whole = Some(words.join(" "));
        }
        if sentences.len() > 1 {
            pieces.parts.extend(
                sentences
                    .iter()
                    .filter(|s| {
                        let n = s.split(' ').count();
                        n <= self.window_words && n >= self.min_sentence_words
                    })
                    .map(|s| s.to_string()),
            );
        }
        if words.len() > self.window_words {
            let mut start = 0;
            loop {
                let end = (start + self.window_words).min(words.len());
                pieces
                    .parts
                    .push(words[end.saturating_sub(self.window_words)..end].join(" "));
                if end == words.len() {
                    break;
                }
                start += self.window_stride;
            }
        }
        pieces
    }
}

/// The longest run of words whose repeats are dropped.
const MAX_RUN_WORDS: usize = 3;

/// The words with a run said over and over ("help help help help", a held-down emoji read as
/// "slight smile slight smile ...") kept to its first two times: twice says as much as
/// a hundred times, and the model, which never saw such runs, read a row of smileys as an
/// overdose.
fn without_runs<'a>(words: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let words: Vec<&str> = words.collect();
    let mut out: Vec<&str> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let n = out.len();
        // The last k words kept are the k before them, and the next k are them again.
        let run = (1..=MAX_RUN_WORDS).find(|&k| {
            n >= 2 * k
                && out[n - k..] == out[n - 2 * k..n - k]
                && words[i..].starts_with(&out[n - k..])
        });
        match run {
            Some(k) => i += k,
            None => {
                out.push(words[i]);
                i += 1;
            }
        }
    }
    out
}

/// The pieces of a message read as today, from its normalised sentences.
pub fn pieces(sentences: &[String]) -> Vec<String> {
    READING.pieces(sentences).all()
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
    fn a_run_of_the_same_words_is_read_twice_at_most() {
        assert_eq!(
            pieces(&sentences("help help help help me")),
            ["help help me"]
        );
        let smileys = "slight smile ".repeat(5_000);
        assert_eq!(
            pieces(&sentences(&format!("{smileys}i took pills pills"))),
            ["slight smile slight smile i took pills pills"]
        );
        // Words said twice, or again later, are not a run.
        assert_eq!(
            pieces(&sentences("no no he is back and he is back")),
            ["no no he is back and he is back"]
        );
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
        let words: Vec<String> = (0..100).map(|i| format!("word{i}")).collect();
        let text = format!("{} the end", words.join(" "));
        let pieces = pieces(&sentences(&text));
        assert!(
            pieces
                .iter()
                .all(|p| p.split(' ').count() == READING.window_words)
        );
        assert!(pieces.last().unwrap().ends_with("word99 the end"));
        // Linear: about two windows per window's worth of words.
        assert!(
            pieces.len() <= 2 * 102 / READING.window_words + 2,
            "{}",
            pieces.len()
        );
    }
}
