//! Whether a message is about this folder's subject at all: a two-label fastText classifier
//! from the entries' own lines (titles, summaries, example questions, keywords) and the crisis
//! corpus, against the messages of `other-subjects.txt` ("charge my phone", "prison break
//! season 2", "judges on a baking show"). The word search alone cannot tell "charge" in
//! "the charge of an electron" from "charged with assault"; the words around it can.
//!
//! It only ever turns an answer into the honest fallback, never the other way, and the safety
//! notice is decided before search and never touched. Trained when the folder loads, through
//! the one model cache ([`crate::learn::cache`]); with no `other-subjects.txt` there is no
//! model and nothing changes.

use super::SearchIndex;
use super::memo::WordMemo;
use super::vocabulary::{NUMBER_WORDS, PLACE_WORDS, STOPWORDS};
use crate::knowledge::KnowledgeBase;
use crate::learn::cache::{self, Use};
use crate::learn::{Loss, TextClassifier, TrainingSettings};
use crate::safety::corpus::NONE;
use crate::text::normalise;
use tantivy::tokenizer::TextAnalyzer;

/// The label of lines about this folder's subject.
const OURS: &str = "ours";
/// The label of lines on other subjects.
const OTHER: &str = "other";
/// At most this many lines of the folder's own are learned from (spread evenly over the
/// entries), so a folder of many entries loads in about the time the shipped one does.
const MAX_OWN_LINES: usize = 6_000;

/// Training settings: word pairs as well as words ("phone charge" is not "charged"), pieces of
/// words for spellings never seen, the lines shuffled with a fixed seed since they come
/// grouped by label.
const SETTINGS: TrainingSettings = TrainingSettings {
    loss: Loss::Softmax,
    dim: 24,
    epochs: 25,
    learning_rate: 0.5,
    word_ngrams: 2,
    min_char_ngram: 3,
    max_char_ngram: 5,
    buckets: 50_000,
    seed: 21,
    shuffle: true,
};

/// The classifier of one folder's subject against others.
pub(super) struct Scope {
    classifier: TextClassifier,
}

impl Scope {
    /// Trains on the folder's own lines against `other-subjects.txt`; `None` when the folder
    /// has no such file, or training failed (then nothing changes).
    pub fn train(kb: &KnowledgeBase, index: &SearchIndex) -> Option<Scope> {
        // As for the re-ranker: above this many entries, training would hold up loading and
        // its lines the memory of a large folder; the word search alone decides there.
        if kb.other_subjects.is_empty() || kb.entries.len() > super::learned::MAX_ENTRIES {
            return None;
        }
        // The body's sentences too: they use the subject's words in its own sense ("charged",
        // "a fine", "the tag") far more often than any list of questions.
        let own_lines = || {
            kb.entries
                .iter()
                .flat_map(|entry| {
                    let keywords = entry.keywords.chunks(4).map(|k| k.join(" "));
                    [entry.title.clone(), entry.summary.clone()]
                        .into_iter()
                        .chain(entry.questions.iter().cloned())
                        .chain(keywords)
                        .chain(crate::text::sentences(&entry.body))
                })
                .chain(
                    kb.safety
                        .corpus()
                        .iter()
                        .filter(|l| l.label != NONE)
                        .map(|l| l.raw.clone()),
                )
        };
        let count = own_lines().count();
        let mut preparer = Preparer::new(index);
        let own: Vec<String> = own_lines()
            .enumerate()
            .filter(|(i, _)| spread(*i, count, MAX_OWN_LINES))
            .map(|(_, l)| preparer.prepare(&l))
            .collect();
        let other: Vec<String> = kb
            .other_subjects
            .iter()
            .map(|l| preparer.prepare(l))
            .collect();
        let lines: Vec<(&str, &str)> = own
            .iter()
            .map(|t| (OURS, t.as_str()))
            .chain(other.iter().map(|t| (OTHER, t.as_str())))
            .filter(|(_, t)| !t.is_empty())
            .collect();
        match cache::train(
            Use::Scope,
            &lines,
            &SETTINGS,
            Some(&cache::folder(&kb.root)),
        ) {
            Ok(classifier) => Some(Scope { classifier }),
            Err(err) => {
                tracing::warn!(event = "scope_model_training_failed", error = %err);
                None
            }
        }
    }

    /// The probability that a message is on another subject (0 for a message with no words
    /// the model reads).
    pub fn other(&self, index: &SearchIndex, text: &str) -> f32 {
        self.classifier
            .predict(&prepare(index, text))
            .into_iter()
            .find(|(label, _)| label == OTHER)
            .map_or(0.0, |(_, p)| p)
    }
}

/// Whether line `i` of `count` is one of `max` spread evenly over them (every line when there
/// are no more than `max`). Taking every second line once there were a few more than `max`
/// had halved what the model learned from at a single added question.
fn spread(i: usize, count: usize, max: usize) -> bool {
    count <= max || i * max / count != (i + 1) * max / count
}

/// A text as the model sees it: the search's stems of the words that say what it is about,
/// less filler words, places and numbers in words. A word the folder does not know is kept as
/// written, never corrected to a word it knows ("iphone" is what tells another subject); a
/// word the folder has only in entries' bodies is an everyday word ("actually", "half") that
/// says more of how a person writes than of the subject, and is left out.
fn prepare(index: &SearchIndex, text: &str) -> String {
    Preparer::new(index).prepare(text)
}

/// [`prepare`] for many lines: each distinct word is stemmed and looked up once.
struct Preparer<'a>(WordMemo<'a, Option<String>>);

impl<'a> Preparer<'a> {
    fn new(index: &'a SearchIndex) -> Preparer<'a> {
        Preparer(WordMemo::new(index, read))
    }

    fn prepare(&mut self, text: &str) -> String {
        let mut out: Vec<String> = Vec::new();
        for word in normalise(text).split(' ').filter(|w| !w.is_empty()) {
            self.0.learn(word);
            out.extend(self.0.get(word).iter().cloned());
        }
        out.join(" ")
    }
}

/// What the model reads for one word: its stem, unless it is a filler word, a place, a number
/// in words, or a word the folder has only in bodies.
fn read(index: &SearchIndex, analyzer: &mut TextAnalyzer, word: &str) -> Option<String> {
    if STOPWORDS.contains(&word) || PLACE_WORDS.contains(&word) || NUMBER_WORDS.contains(&word) {
        return None;
    }
    let stem = super::analyse(analyzer, word).into_iter().next()?;
    index
        .vocabulary
        .id(&stem)
        .is_none_or(|id| index.term_about[id as usize])
        .then_some(stem)
}

#[cfg(test)]
mod tests {
    use super::spread;

    #[test]
    fn at_most_max_lines_are_kept_spread_over_all_of_them() {
        let kept = |count: usize, max: usize| -> Vec<usize> {
            (0..count).filter(|&i| spread(i, count, max)).collect()
        };
        assert_eq!(kept(5, 10).len(), 5);
        assert_eq!(kept(10, 10).len(), 10);
        // One line over the limit loses one line, not half of them.
        assert_eq!(kept(11, 10).len(), 10);
        let many = kept(1_000, 100);
        assert_eq!(many.len(), 100);
        // Spread from the first lines to the last, not the first hundred.
        assert!(many[0] < 10 && *many.last().unwrap() >= 990);
    }
}
