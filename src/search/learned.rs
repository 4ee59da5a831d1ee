//! A second signal learned from the entries' own example phrasings, like Rasa's response
//! selector or QnA Maker's ranker: a fastText classifier from an entry's example questions,
//! keywords, title and summary to the entry, trained when the folder loads; and the same
//! lines kept for a third signal, how near a message is to an entry's nearest line (as FAQ
//! search compares a question with the questions it knows), which needs no training.
//!
//! Both only re-rank the word search's candidates: neither adds an entry the words did not
//! find, and the safety notice is decided before search and never touched. When the
//! classifier is unsure (its best guess is weak) it leaves the ranking alone.
//!
//! The classifier is the crate's [`TextClassifier`], trained through the one model cache
//! ([`crate::learn::cache`]), so a restart on an unchanged folder reads the model instead of
//! training it again: training the shipped folder costs about a quarter of a second; reading
//! it back costs less. A missing, corrupt or unwritable cache only means training again.

use super::memo::WordMemo;
use super::vocabulary::{PLACE_WORDS, STOPWORDS};
use super::{Parts, Scored, SearchIndex, analyse};
use crate::knowledge::KnowledgeBase;
use crate::learn::cache::{self, Use};
use crate::learn::{Loss, TextClassifier, TrainingSettings};
use crate::text::normalise;
use std::path::Path;
use tantivy::tokenizer::TextAnalyzer;

/// How much the classifier's probability for an entry raises its score, relative to the
/// candidate it believes in most: `(1 + WEIGHT * p) / (1 + WEIGHT * p_most)`.
pub(super) const WEIGHT: f32 = 1.0;
/// How much the message's nearness to an entry's nearest own line (a cosine, 0 to 1) raises
/// its score, relative to the nearest candidate: `(1 + LINE_WEIGHT * c) / (1 + LINE_WEIGHT *
/// c_nearest)`. Chosen on the tuning sets (2 to 16 all helped; 4 lost no top-three place).
pub(super) const LINE_WEIGHT: f32 = 4.0;
/// Below this probability for its best guess, the classifier is unsure and changes nothing.
pub(super) const MIN_CONFIDENCE: f32 = 0.4;
/// Above this many entries the classifier is not trained: training would hold up loading
/// and its model the memory of a large folder (the word search alone answers there). At
/// 5,000 entries the first load trains for about 10 seconds (a live reload trains while the
/// old snapshot answers; later starts read the model from the cache); at 10,000 the model
/// and its training would add about 20 and 40 MiB.
pub(super) const MAX_ENTRIES: usize = 5_000;
/// How many of its best guesses are read for each message.
const GUESSES: usize = 10;
/// Guesses less likely than this are not read: they would move a score by under 2%, and
/// over thousands of entries (a tree of choices) leaving them out spares most of the work.
const MIN_BELIEF: f32 = 0.02;
/// Up to this many entries, an exact softmax over them; a tree (hierarchical softmax) beyond.
const SOFTMAX_MAX_LABELS: usize = 200;

/// Training settings: small vectors and few passes, so the shipped folder trains in about a
/// tenth of a second; pieces of words (3 to 5 letters) carry what a word means to spellings
/// never seen in training. Lines are learned in the folder's order (no shuffle).
const SETTINGS: TrainingSettings = TrainingSettings {
    loss: Loss::Softmax,
    dim: 24,
    epochs: 25,
    learning_rate: 0.5,
    word_ngrams: 1,
    min_char_ngram: 3,
    max_char_ngram: 5,
    buckets: 20_000,
    seed: 15,
    shuffle: false,
};

/// Trains on `(label, text)` pairs, or reads the model trained on the same pairs before from
/// the cache `folder`. Deterministic: one thread, a fixed seed. `None` when there is nothing
/// to learn or training failed.
fn train_classifier(lines: &[(&str, &str)], folder: Option<&Path>) -> Option<TextClassifier> {
    // Lines with no words or no usable label teach nothing.
    let lines: Vec<(&str, &str)> = lines
        .iter()
        .copied()
        .filter(|(label, text)| {
            !text.is_empty() && !label.is_empty() && !label.contains(char::is_whitespace)
        })
        .collect();
    let labels: std::collections::BTreeSet<&str> = lines.iter().map(|(l, _)| *l).collect();
    if labels.len() < 2 {
        return None;
    }
    let settings = TrainingSettings {
        loss: if labels.len() <= SOFTMAX_MAX_LABELS {
            Loss::Softmax
        } else {
            Loss::HierarchicalSoftmax
        },
        ..SETTINGS
    };
    match cache::train(Use::Search, &lines, &settings, folder) {
        Ok(model) => Some(model),
        Err(err) => {
            tracing::warn!(event = "search_model_training_failed", error = %err);
            None
        }
    }
}

/// The classifier over one folder's entries.
pub(super) struct Learned {
    classifier: TextClassifier,
    /// Entry positions by id.
    entries: std::collections::HashMap<String, usize>,
    /// The entries' own lines, as the classifier reads them, for matching a message to the
    /// nearest one.
    lines: LineMatcher,
}

impl Learned {
    /// Trains on the folder's entries: each example question, keyword, title and summary is
    /// a line labelled with its entry. `None` for folders too large to train on at load.
    pub fn train(kb: &KnowledgeBase, index: &SearchIndex) -> Option<Learned> {
        if kb.entries.len() > MAX_ENTRIES {
            return None;
        }
        let mut preparer = Preparer::new(index);
        let mut examples: Vec<(&str, String)> = Vec::new();
        for entry in &kb.entries {
            // Keywords a few to a line: fewer, richer lines train faster.
            let keywords: Vec<String> = entry.keywords.chunks(4).map(|k| k.join(" ")).collect();
            let lines = std::iter::once(entry.title.as_str())
                .chain(std::iter::once(entry.summary.as_str()))
                .chain(entry.questions.iter().map(String::as_str))
                .chain(keywords.iter().map(String::as_str));
            for line in lines {
                examples.push((entry.id.as_str(), preparer.prepare(line)));
            }
        }
        let lines: Vec<(&str, &str)> = examples.iter().map(|(l, t)| (*l, t.as_str())).collect();
        let classifier = train_classifier(&lines, Some(&cache::folder(&kb.root)))?;
        let entries: std::collections::HashMap<String, usize> = kb
            .entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id.clone(), i))
            .collect();
        let matcher = LineMatcher::new(
            examples
                .iter()
                .filter_map(|(id, t)| Some((*entries.get(*id)?, t.as_str()))),
            kb.entries.len(),
        );
        Some(Learned {
            classifier,
            entries,
            lines: matcher,
        })
    }

    /// The entries the classifier thinks a message is about, with their probabilities, or
    /// nothing when it is unsure.
    /// `prepared`: the message as [`prepare`] reads it.
    pub fn guesses(&self, prepared: &str) -> Vec<(usize, f32)> {
        let guesses: Vec<(usize, f32)> = self
            .classifier
            .top_above(prepared, GUESSES, MIN_BELIEF)
            .into_iter()
            .filter_map(|(id, p)| Some((*self.entries.get(&id)?, p)))
            .collect();
        match guesses.first() {
            Some(&(_, p)) if p >= MIN_CONFIDENCE => guesses,
            _ => Vec::new(),
        }
    }

    /// Raises each candidate's score by the classifier's belief in it. Candidates only:
    /// nothing is added.
    pub fn rerank(&self, prepared: &str, scored: &mut [(Scored, Parts)]) {
        let guesses = self.guesses(prepared);
        if guesses.is_empty() {
            return;
        }
        let belief = |entry: usize| {
            guesses
                .iter()
                .find(|(e, _)| *e == entry)
                .map_or(0.0, |(_, p)| *p)
        };
        // Relative to the candidate it believes in most, which keeps its score: the signal
        // re-orders candidates but never makes a weak match look stronger than the words
        // made it (the fallback decision reads the best score).
        let most = scored
            .iter()
            .map(|(hit, _)| belief(hit.entry))
            .fold(0.0, f32::max);
        let weight = WEIGHT;
        for (hit, parts) in scored.iter_mut() {
            let factor = (1.0 + weight * belief(hit.entry)) / (1.0 + weight * most);
            hit.score *= factor;
            parts.learned = factor;
        }
    }

    /// Raises each candidate's score by how near the message is to the nearest of the
    /// candidate's own lines, relative to the nearest candidate (which keeps its score).
    /// Candidates only: nothing is added. Returns how near the nearest candidate's line is (a
    /// cosine, 0 to 1).
    pub fn rerank_lines(&self, prepared: &str, scored: &mut [(Scored, Parts)]) -> f32 {
        let w = LINE_WEIGHT;
        let message = self.lines.query(prepared);
        let sims: Vec<f32> = scored
            .iter()
            .map(|(hit, _)| self.lines.nearest(hit.entry, &message))
            .collect();
        let most = sims.iter().copied().fold(0.0, f32::max);
        if most <= 0.0 {
            return 0.0;
        }
        for ((hit, parts), sim) in scored.iter_mut().zip(sims) {
            let factor = (1.0 + w * sim) / (1.0 + w * most);
            hit.score *= factor;
            parts.lines = factor;
        }
        most
    }
}

/// Each entry's own lines as sets of tokens, with each token's inverse document frequency
/// over all the lines: a message is compared with every line of an entry (cosine of the
/// idf-weighted token sets), as FAQ search compares a question with the questions it knows.
struct LineMatcher {
    /// Token ids by text.
    ids: std::collections::HashMap<String, u32>,
    idf: Vec<f32>,
    /// For each entry, its lines.
    by_entry: Vec<EntryLines>,
}

/// One entry's lines as a small inverted index: its distinct tokens sorted, and for each the
/// lines holding it (`lines[starts[i]..starts[i + 1]]`), so a message's few tokens find them
/// with a binary search each; and each line's norm.
#[derive(Default, Clone)]
struct EntryLines {
    tokens: Vec<u32>,
    starts: Vec<u32>,
    lines: Vec<u32>,
    norms: Vec<f32>,
}

/// A message as [`LineMatcher`] reads it: the tokens the lines know, sorted, and the norm.
struct Query {
    tokens: Vec<u32>,
    norm: f32,
}

impl LineMatcher {
    fn new<'a>(lines: impl Iterator<Item = (usize, &'a str)>, entries: usize) -> LineMatcher {
        let mut ids: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
        let mut df: Vec<u32> = Vec::new();
        let mut tokenised: Vec<Vec<Vec<u32>>> = vec![Vec::new(); entries];
        let mut n = 0u32;
        for (entry, text) in lines {
            let mut tokens: Vec<u32> = text
                .split(' ')
                .filter(|w| !w.is_empty())
                .map(|w| {
                    let next = ids.len() as u32;
                    *ids.entry(w.to_string()).or_insert(next)
                })
                .collect();
            tokens.sort_unstable();
            tokens.dedup();
            if tokens.is_empty() {
                continue;
            }
            n += 1;
            for &t in &tokens {
                if df.len() <= t as usize {
                    df.resize(t as usize + 1, 0);
                }
                df[t as usize] += 1;
            }
            if let Some(list) = tokenised.get_mut(entry) {
                list.push(tokens);
            }
        }
        let idf: Vec<f32> = df
            .iter()
            .map(|&d| (1.0 + (n as f32 - d as f32 + 0.5) / (d as f32 + 0.5)).ln())
            .collect();
        let by_entry = tokenised
            .into_iter()
            .map(|lines| {
                let norms = lines
                    .iter()
                    .map(|tokens| {
                        tokens
                            .iter()
                            .map(|&t| idf[t as usize].powi(2))
                            .sum::<f32>()
                            .sqrt()
                    })
                    .collect();
                let mut postings: Vec<(u32, u32)> = lines
                    .iter()
                    .enumerate()
                    .flat_map(|(i, tokens)| tokens.iter().map(move |&t| (t, i as u32)))
                    .collect();
                postings.sort_unstable();
                let mut entry = EntryLines {
                    norms,
                    ..EntryLines::default()
                };
                for (at, &(token, line)) in postings.iter().enumerate() {
                    if entry.tokens.last() != Some(&token) {
                        entry.tokens.push(token);
                        entry.starts.push(at as u32);
                    }
                    entry.lines.push(line);
                }
                entry.starts.push(postings.len() as u32);
                entry
            })
            .collect();
        LineMatcher { ids, idf, by_entry }
    }

    /// A prepared message as tokens the lines know.
    fn query(&self, prepared: &str) -> Query {
        let mut tokens: Vec<u32> = prepared
            .split(' ')
            .filter_map(|w| self.ids.get(w).copied())
            .collect();
        tokens.sort_unstable();
        tokens.dedup();
        let norm = tokens
            .iter()
            .map(|&t| self.idf[t as usize].powi(2))
            .sum::<f32>()
            .sqrt();
        Query { tokens, norm }
    }

    /// The cosine between the message and the entry's nearest line.
    fn nearest(&self, entry: usize, message: &Query) -> f32 {
        let Some(lines) = self.by_entry.get(entry) else {
            return 0.0;
        };
        if message.norm <= 0.0 || lines.norms.is_empty() {
            return 0.0;
        }
        let mut shared = vec![0.0f32; lines.norms.len()];
        for &t in &message.tokens {
            let Ok(at) = lines.tokens.binary_search(&t) else {
                continue;
            };
            let weight = self.idf[t as usize].powi(2);
            let (from, to) = (lines.starts[at] as usize, lines.starts[at + 1] as usize);
            for &line in &lines.lines[from..to] {
                shared[line as usize] += weight;
            }
        }
        shared
            .iter()
            .zip(&lines.norms)
            .map(|(s, norm)| (s / (message.norm * norm)).min(1.0))
            .fold(0.0, f32::max)
    }
}

/// A text as the classifier sees it: the word search's stems (misspellings corrected as the
/// word search corrects them), less filler words and places,
/// and a token for each synonym group found ("jail" and "prison" both bring `syn0`), so what
/// it learns of one word carries to the others of its group.
pub(super) fn prepare(index: &SearchIndex, text: &str) -> String {
    Preparer::new(index).prepare(text)
}

/// [`prepare`] for many texts: each distinct word is stemmed and corrected once (training on
/// a folder of thousands of entries reads the same words tens of thousands of times).
struct Preparer<'a>(WordMemo<'a, (String, Option<String>)>);

impl<'a> Preparer<'a> {
    fn new(index: &'a SearchIndex) -> Preparer<'a> {
        Preparer(WordMemo::new(index, read))
    }

    fn prepare(&mut self, text: &str) -> String {
        let normalised = normalise(text);
        let words = || normalised.split(' ').filter(|w| !w.is_empty());
        words().for_each(|w| self.0.learn(w));
        let mut stems: Vec<&str> = Vec::new();
        let mut out: Vec<&str> = Vec::new();
        for word in words() {
            let (stem, token) = self.0.get(word);
            stems.push(stem);
            out.extend(token.as_deref());
        }
        let mut groups: Vec<usize> = self
            .0
            .index
            .synonym_index
            .find(&stems)
            .iter()
            .map(|f| f.group)
            .collect();
        groups.sort_unstable();
        groups.dedup();
        let mut line = out.join(" ");
        for g in groups {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(&format!("syn{g}"));
        }
        line
    }
}

/// One word's stem, and what the classifier reads for it: the stem when the folder knows it,
/// else the word search's first correction, else the stem; nothing for a filler word or a
/// place.
fn read(index: &SearchIndex, analyzer: &mut TextAnalyzer, word: &str) -> (String, Option<String>) {
    let stem = analyse(analyzer, word)
        .into_iter()
        .next()
        .unwrap_or_default();
    if stem.is_empty() || STOPWORDS.contains(&word) || PLACE_WORDS.contains(&word) {
        return (stem, None);
    }
    let vocabulary = &index.vocabulary;
    let token = match vocabulary.id(&stem) {
        Some(_) => stem.clone(),
        None => vocabulary
            .corrections(word)
            .into_iter()
            .next()
            .unwrap_or_else(|| stem.clone()),
    };
    (stem, Some(token))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::Parts;

    fn fixture() -> (KnowledgeBase, SearchIndex) {
        folder("tests/fixtures/small")
    }

    fn folder(path: &str) -> (KnowledgeBase, SearchIndex) {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
        let (kb, _) = KnowledgeBase::load(&dir).expect("the small fixture loads");
        let index = SearchIndex::build(&kb).expect("it indexes");
        (kb, index)
    }

    fn candidate(entry: usize, score: f32) -> (Scored, Parts) {
        (
            Scored {
                entry,
                score,
                coverage: 1.0,
                words: score,
            },
            Parts {
                doc: None,
                raw: score,
                named_floor: false,
                phrase: 1.0,
                preference: 1.0,
                coverage: 1.0,
                learned: 1.0,
                lines: 1.0,
                second_need: false,
            },
        )
    }

    #[test]
    fn reranks_an_example_it_was_trained_on_and_leaves_an_unknown_message_alone() {
        let (kb, index) = folder("knowledge");
        let learned = index
            .learned
            .as_ref()
            .expect("the shipped folder trains a classifier");
        let position = |id: &str| kb.entries.iter().position(|e| e.id == id).unwrap();
        let bail = position("bail");
        let prison = position("families-outside");
        // An example question of the bail entry, its words ranked second by the word search.
        let example = kb.entries[bail].questions[0].clone();
        let prepared = prepare(&index, &example);
        let guesses = learned.guesses(&prepared);
        assert_eq!(guesses.first().map(|g| g.0), Some(bail), "{guesses:?}");
        let mut scored = vec![candidate(prison, 10.0), candidate(bail, 9.0)];
        learned.rerank(&prepared, &mut scored);
        assert!(scored[1].0.score > scored[0].0.score, "{scored:?}");
        assert!(scored[1].1.learned == 1.0, "its favourite keeps its score");
        assert!(scored[0].1.learned < 1.0);
        // Words it never saw: no guess, no change, and nothing added.
        let unknown = prepare(&index, "xqzv blorf wibble");
        assert!(learned.guesses(&unknown).is_empty());
        let mut scored = vec![candidate(prison, 10.0), candidate(bail, 9.0)];
        learned.rerank(&unknown, &mut scored);
        assert_eq!(scored.len(), 2);
        assert_eq!((scored[0].0.score, scored[1].0.score), (10.0, 9.0));
    }

    #[test]
    fn a_message_near_one_entrys_own_line_lifts_that_entry_and_nothing_shared_changes_nothing() {
        let (kb, index) = folder("knowledge");
        let learned = index.learned.as_ref().expect("the shipped folder trains");
        let position = |id: &str| kb.entries.iter().position(|e| e.id == id).unwrap();
        let bail = position("bail");
        let other = position("families-outside");
        // One of the bail entry's own questions, another entry ranked first by the words.
        let example = kb.entries[bail].questions[0].clone();
        let prepared = prepare(&index, &example);
        let near = learned.lines.nearest(bail, &learned.lines.query(&prepared));
        assert!(
            (near - 1.0).abs() < 1e-4,
            "its own line, word for word: {near}"
        );
        let mut scored = vec![candidate(other, 10.0), candidate(bail, 9.0)];
        learned.rerank_lines(&prepared, &mut scored);
        assert!(scored[1].0.score > scored[0].0.score, "{scored:?}");
        assert_eq!(scored[1].1.lines, 1.0, "the nearest keeps its score");
        assert!(scored[0].1.lines < 1.0);
        // Words no line holds: no change, and nothing added.
        let mut scored = vec![candidate(other, 10.0), candidate(bail, 9.0)];
        learned.rerank_lines(&prepare(&index, "xqzv blorf wibble"), &mut scored);
        assert_eq!(scored.len(), 2);
        assert_eq!((scored[0].0.score, scored[1].0.score), (10.0, 9.0));
    }

    #[test]
    fn the_model_is_kept_in_the_shared_cache_under_its_own_prefix() {
        // Reading back, checksums and pruning are tested with the cache (`learn::cache`).
        let dir = tempfile::tempdir().unwrap();
        let lines = [
            ("a", "one two three"),
            ("b", "four five six"),
            ("a", "one three"),
            ("b", "five six"),
            ("c", ""),
        ]
        .repeat(3);
        let first = train_classifier(&lines, Some(dir.path())).unwrap();
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
        assert!(names[0].starts_with("search-"), "{names:?}");
        // The lines with no words are left out: two labels.
        assert_eq!(first.labels().len(), 2);
        let again = train_classifier(&lines, Some(dir.path())).unwrap();
        assert_eq!(again.top("one two", 2), first.top("one two", 2));
        // One label is nothing to learn.
        assert!(train_classifier(&[("a", "one"), ("a", "two")], None).is_none());
    }

    #[test]
    fn training_is_deterministic() {
        let (kb, index) = fixture();
        let examples: Vec<(&str, String)> = kb
            .entries
            .iter()
            .flat_map(|e| {
                e.questions
                    .iter()
                    .map(|q| (e.id.as_str(), prepare(&index, q)))
            })
            .collect();
        let lines: Vec<(&str, &str)> = examples.iter().map(|(l, t)| (*l, t.as_str())).collect();
        // No cache: both are trained.
        let a = train_classifier(&lines, None).unwrap();
        let b = train_classifier(&lines, None).unwrap();
        let text = prepare(&index, "my partner is in the jail, who can help");
        assert_eq!(a.top(&text, 5), b.top(&text, 5));
        assert_eq!(a.to_bytes().unwrap(), b.to_bytes().unwrap());
    }
}
