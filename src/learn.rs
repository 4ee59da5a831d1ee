//! A small text classifier learned from labelled lines: fastText supervised training (the
//! pure-Rust `fasttext` crate), wrapped so the rest of the core never sees the library.
//!
//! It is generic: labels are any words, texts any strings. Crisis triage uses it with one label
//! per crisis category plus `none`; search's learned re-ranker with entry ids. Training is
//! deterministic (a fixed seed and one thread), so the same lines and settings always give the
//! same model and the same verdicts. Trained models are kept on disk by [`cache`], one module
//! for every use.
//!
//! ```
//! use signpost::learn::{TextClassifier, TrainingSettings};
//! let lines = [
//!     ("greeting", "hello there"), ("greeting", "hi how are you"),
//!     ("question", "where is the court"), ("question", "how do i get bail"),
//! ];
//! let model = TextClassifier::train(lines, &TrainingSettings::default())?;
//! assert_eq!(model.predict("hello")[0].0, "greeting");
//! # Ok::<(), signpost::learn::LearnError>(())
//! ```

pub mod cache;

use fasttext::FastText;
use fasttext::args::{Args, LossName, ModelName};
use std::io::Write;

/// The prefix fastText uses to tell labels from words.
const LABEL_PREFIX: &str = "__label__";

/// Why a classifier could not be trained or read back.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LearnError {
    /// There was nothing to learn from: no lines, or a single label.
    #[error("cannot train a classifier: {0}")]
    NotEnoughData(String),
    /// A label holds whitespace or is empty.
    #[error("invalid label `{0}`: labels are single words")]
    InvalidLabel(String),
    /// The temporary training file could not be written.
    #[error("could not write the temporary training file")]
    Io(#[from] std::io::Error),
    /// The library refused to train or to read a saved model.
    #[error("the classifier library failed: {0}")]
    Library(String),
}

/// How the model turns its scores into probabilities.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loss {
    /// One softmax over all labels: the probabilities sum to 1, so every text is given to some
    /// label, however little it resembles any of them. Exact, and cheap for a few dozen labels.
    Softmax,
    /// One independent yes-or-no (sigmoid) per label: a text unlike everything taught can
    /// score low on every label.
    OneVsAll,
    /// A tree of binary choices (fastText's hierarchical softmax): cheaper for hundreds of
    /// labels, where an exact softmax would cost each prediction a pass over all of them.
    HierarchicalSoftmax,
}

/// How to train: the few fastText settings that matter here. Part of any cache key.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrainingSettings {
    /// Softmax, one-vs-all or hierarchical softmax.
    pub loss: Loss,
    /// Size of the word vectors.
    pub dim: u32,
    /// Passes over the lines.
    pub epochs: u32,
    /// Learning rate at the start (it falls linearly to zero).
    pub learning_rate: f64,
    /// Longest run of words used as a feature (2: word pairs too).
    pub word_ngrams: u32,
    /// Shortest character n-gram inside a word (0 with `max_char_ngram` 0: none), for typos.
    pub min_char_ngram: u32,
    /// Longest character n-gram inside a word.
    pub max_char_ngram: u32,
    /// Hash buckets shared by word pairs and character n-grams.
    pub buckets: u32,
    /// Seed of the random initialisation and sampling (and of the shuffle).
    pub seed: u32,
    /// Shuffle the lines (with the seed) before training, so lines grouped by label do not
    /// teach the last group last, when the learning rate has fallen.
    pub shuffle: bool,
}

impl Default for TrainingSettings {
    fn default() -> Self {
        TrainingSettings {
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
        }
    }
}

impl TrainingSettings {
    /// A stable text form of every setting, for cache keys and reports.
    pub fn fingerprint(&self) -> String {
        format!(
            "loss={} dim={} epochs={} lr={} ngrams={} chars={}-{} buckets={} seed={} shuffle={}",
            match self.loss {
                Loss::Softmax => "softmax",
                Loss::OneVsAll => "ova",
                Loss::HierarchicalSoftmax => "hs",
            },
            self.dim,
            self.epochs,
            self.learning_rate,
            self.word_ngrams,
            self.min_char_ngram,
            self.max_char_ngram,
            self.buckets,
            self.seed,
            self.shuffle
        )
    }

    fn args(&self) -> Args {
        let mut args = Args {
            model: ModelName::Supervised,
            loss: match self.loss {
                Loss::Softmax => LossName::Softmax,
                Loss::OneVsAll => LossName::OneVsAll,
                Loss::HierarchicalSoftmax => LossName::HierarchicalSoftmax,
            },
            min_count: 1,
            min_count_label: 0,
            dim: self.dim as i32,
            epoch: self.epochs as i32,
            lr: self.learning_rate,
            word_ngrams: self.word_ngrams as i32,
            minn: self.min_char_ngram as i32,
            maxn: self.max_char_ngram as i32,
            bucket: self.buckets as i32,
            seed: self.seed as i32,
            thread: 1,
            verbose: 0,
            label: LABEL_PREFIX.to_string(),
            ..Args::default()
        };
        if args.word_ngrams <= 1 && args.maxn == 0 {
            args.bucket = 0;
        }
        args
    }
}

/// A trained classifier: text in, a probability per label out.
#[derive(Debug)]
pub struct TextClassifier {
    model: FastText,
    labels: usize,
}

impl TextClassifier {
    /// Learns from `(label, text)` pairs. Texts are used as given (one line each; line breaks
    /// become spaces), so normalise them first the same way as the texts to predict.
    pub fn train<'a>(
        lines: impl IntoIterator<Item = (&'a str, &'a str)>,
        settings: &TrainingSettings,
    ) -> Result<TextClassifier, LearnError> {
        let mut file = tempfile::Builder::new()
            .prefix("signpost-train-")
            .suffix(".txt")
            .tempfile()?;
        let mut labels = std::collections::BTreeSet::new();
        let mut rows = Vec::new();
        for (label, text) in lines {
            if label.is_empty() || label.chars().any(char::is_whitespace) {
                return Err(LearnError::InvalidLabel(label.to_string()));
            }
            let text = sanitise(text);
            if text.is_empty() {
                continue;
            }
            rows.push(format!("{LABEL_PREFIX}{label} {text}\n"));
            labels.insert(label.to_string());
        }
        let count = rows.len();
        // Lines grouped by label would teach the last group last, when the learning rate has
        // fallen: the model would lean towards it. A shuffle with a fixed seed avoids that and
        // keeps training repeatable.
        if settings.shuffle {
            use rand::SeedableRng;
            use rand::seq::SliceRandom;
            let mut rng = rand::rngs::StdRng::seed_from_u64(u64::from(settings.seed));
            rows.shuffle(&mut rng);
        }
        {
            let mut out = std::io::BufWriter::new(file.as_file_mut());
            for row in &rows {
                out.write_all(row.as_bytes())?;
            }
            out.flush()?;
        }
        if labels.len() < 2 {
            return Err(LearnError::NotEnoughData(format!(
                "{count} line(s) with {} label(s); at least two labels are needed",
                labels.len()
            )));
        }
        let mut args = settings.args();
        args.input = file.path().to_path_buf();
        let trained = FastText::train(args).map_err(|e| LearnError::Library(e.to_string()))?;
        // The library's training dictionary keeps a hash table sized for 30 million words
        // (120 MB); a model read back from its bytes sizes the table to its vocabulary, and
        // predicts the same.
        let mut bytes = Vec::new();
        trained
            .save(&mut bytes)
            .map_err(|e| LearnError::Library(e.to_string()))?;
        drop(trained);
        TextClassifier::from_bytes(&bytes)
    }

    /// Every label with its probability, most likely first (with [`Loss::Softmax`] they sum to
    /// about 1; with [`Loss::OneVsAll`] each is on its own). Empty for a text with no words.
    pub fn predict(&self, text: &str) -> Vec<(String, f32)> {
        self.top(text, self.labels)
    }

    /// The `k` likeliest labels with their probabilities, most likely first. Empty for a text
    /// with no words.
    pub fn top(&self, text: &str, k: usize) -> Vec<(String, f32)> {
        self.top_above(text, k, 0.0)
    }

    /// As [`TextClassifier::top`], leaving out labels of probability below `threshold`. With
    /// hierarchical softmax this is also faster: branches of the tree below it are not
    /// explored.
    pub fn top_above(&self, text: &str, k: usize, threshold: f32) -> Vec<(String, f32)> {
        let text = sanitise(text);
        if text.is_empty() || k == 0 {
            return Vec::new();
        }
        self.model
            .predict(&text, k.min(self.labels), threshold)
            .into_iter()
            .map(|p| {
                let label = p
                    .label
                    .strip_prefix(LABEL_PREFIX)
                    .unwrap_or(&p.label)
                    .to_string();
                (label, p.prob)
            })
            .collect()
    }

    /// The labels it knows.
    pub fn labels(&self) -> Vec<String> {
        let (labels, _) = self.model.get_labels();
        labels
            .into_iter()
            .map(|l| l.strip_prefix(LABEL_PREFIX).unwrap_or(&l).to_string())
            .collect()
    }

    /// The model in fastText's binary format, e.g. for a cache.
    pub fn to_bytes(&self) -> Result<Vec<u8>, LearnError> {
        let mut bytes = Vec::new();
        self.model
            .save(&mut bytes)
            .map_err(|e| LearnError::Library(e.to_string()))?;
        Ok(bytes)
    }

    /// Reads a model written by [`TextClassifier::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<TextClassifier, LearnError> {
        let model = FastText::load(&mut std::io::Cursor::new(bytes))
            .map_err(|e| LearnError::Library(e.to_string()))?;
        let labels = model.get_labels().0.len();
        if labels < 2 {
            return Err(LearnError::Library(
                "the model has fewer than two labels".into(),
            ));
        }
        Ok(TextClassifier { model, labels })
    }
}

/// Longer words are cut to this many characters. No word of any language people write here
/// is longer; a pasted link, a key held down or a blob of code is, and fastText would read
/// the thousands of identical pieces of "xxxx...x" as a strong signal of whatever label
/// those pieces happened to be trained near (a 10,000-letter run once read as a child at
/// risk).
const MAX_WORD_CHARS: usize = 40;

/// One line of words, none of which can pass for a label and none longer than
/// [`MAX_WORD_CHARS`].
fn sanitise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        if word.starts_with(LABEL_PREFIX) {
            out.push('_');
        }
        match word.char_indices().nth(MAX_WORD_CHARS) {
            Some((end, _)) => out.push_str(&word[..end]),
            None => out.push_str(word),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines() -> Vec<(&'static str, &'static str)> {
        let mut lines = Vec::new();
        for _ in 0..5 {
            lines.extend([
                ("fruit", "i like apples and pears"),
                ("fruit", "a ripe banana"),
                ("fruit", "oranges are sweet"),
                ("tools", "a hammer and nails"),
                ("tools", "the saw is sharp"),
                ("tools", "fetch the screwdriver"),
            ]);
        }
        lines
    }

    #[test]
    fn a_run_of_one_letter_reads_as_its_first_forty() {
        let run = "x".repeat(10_000);
        assert_eq!(
            sanitise(&format!("help {run} me")),
            format!("help {} me", "x".repeat(40))
        );
        // Cut on a character boundary.
        assert_eq!(sanitise(&"é".repeat(50)).chars().count(), MAX_WORD_CHARS);
        assert_eq!(sanitise("__label__crisis now"), "___label__crisis now");
    }

    #[test]
    fn learns_and_predicts_every_label() {
        let model = TextClassifier::train(lines(), &TrainingSettings::default()).unwrap();
        let fruit = model.predict("sweet apples");
        assert_eq!(fruit.len(), 2);
        assert_eq!(fruit[0].0, "fruit");
        assert!(fruit[0].1 > 0.5, "{fruit:?}");
        // Character n-grams carry a typo.
        assert_eq!(model.predict("hamer")[0].0, "tools");
        let mut labels = model.labels();
        labels.sort();
        assert_eq!(labels, ["fruit", "tools"]);
        assert!(model.predict("   ").is_empty());
    }

    #[test]
    fn the_same_lines_give_the_same_model() {
        let a = TextClassifier::train(lines(), &TrainingSettings::default()).unwrap();
        let b = TextClassifier::train(lines(), &TrainingSettings::default()).unwrap();
        assert_eq!(a.predict("a sharp banana"), b.predict("a sharp banana"));
    }

    #[test]
    fn round_trips_through_bytes() {
        let a = TextClassifier::train(lines(), &TrainingSettings::default()).unwrap();
        let b = TextClassifier::from_bytes(&a.to_bytes().unwrap()).unwrap();
        assert_eq!(a.predict("nails and pears"), b.predict("nails and pears"));
        assert!(TextClassifier::from_bytes(b"not a model").is_err());
    }

    #[test]
    fn refuses_what_it_cannot_learn() {
        let one = [("fruit", "apples")];
        assert!(matches!(
            TextClassifier::train(one, &TrainingSettings::default()),
            Err(LearnError::NotEnoughData(_))
        ));
        let bad = [("two words", "apples"), ("x", "y")];
        assert!(matches!(
            TextClassifier::train(bad, &TrainingSettings::default()),
            Err(LearnError::InvalidLabel(_))
        ));
        // Text that looks like a label is read as a word.
        let model = TextClassifier::train(lines(), &TrainingSettings::default()).unwrap();
        assert_eq!(model.predict("__label__tools").len(), 2);
    }
}
