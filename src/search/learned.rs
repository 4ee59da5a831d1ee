//! A second signal learned from the entries' own example phrasings, like Rasa's response
//! selector or QnA Maker's ranker: a fastText classifier from an entry's example questions,
//! keywords, title and summary to the entry, trained when the folder loads.
//!
//! It only re-ranks the word search's candidates: it never adds an entry the words did not
//! find, and the safety notice is decided before search and never touched. When it is unsure
//! (its best guess is weak) it leaves the ranking alone.
//!
//! The classifier sits behind [`Classifier`] (train from labelled lines, predict label
//! probabilities) so it can move to a shared wrapper without touching the ranking.
//!
//! Trained models are kept on disk, found by a hash of everything that made them (the lines,
//! the settings, the library), so a restart on an unchanged folder reads the model instead of
//! training it again: training the shipped folder costs about a quarter of a second and,
//! inside the library, a 120 MB table for a moment; reading it back costs neither. The folder
//! is `SIGNPOST_CACHE_DIR`, else the platform's cache folder, else the temporary folder, never
//! inside the knowledge folder (which is watched). A missing, corrupt or unwritable cache only
//! means training again.

use super::vocabulary::{PLACE_WORDS, STOPWORDS};
use super::{Parts, Scored, SearchIndex, analyse};
use crate::knowledge::KnowledgeBase;
use crate::text::normalise;
use fasttext::FastText;
use fasttext::args::{Args, LossName, ModelName};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

/// How much the classifier's probability for an entry raises its score, relative to the
/// candidate it believes in most: `(1 + WEIGHT * p) / (1 + WEIGHT * p_most)`.
pub(super) const WEIGHT: f32 = 1.0;
/// Below this probability for its best guess, the classifier is unsure and changes nothing.
pub(super) const MIN_CONFIDENCE: f32 = 0.4;
/// Above this many entries the classifier is not trained: training would hold up loading
/// (the word search alone answers large folders).
pub(super) const MAX_ENTRIES: usize = 1_500;
/// How many of its best guesses are read for each message.
const GUESSES: usize = 10;
/// The prefix fastText uses to tell labels from words.
const LABEL_PREFIX: &str = "__label__";
/// Training settings: small vectors and few passes, so the shipped folder trains in about a
/// tenth of a second.
const DIM: i32 = 24;
const EPOCHS: i32 = 25;
const LEARNING_RATE: f64 = 0.5;
const BUCKETS: i32 = 20_000;
const SEED: i32 = 15;
/// Bumped whenever what goes into a model changes in a way the cache key does not show.
const FORMAT: &str = "signpost search model 1; fasttext 0.8";
/// Models kept in the cache folder; older ones are deleted.
const KEEP: usize = 8;

/// A text classifier: trained from `(label, text)` lines, it gives each label's probability
/// for a text. The same shape as the crisis classifier's wrapper (`TextClassifier`), so this
/// can move onto it unchanged.
pub(super) struct Classifier {
    model: FastText,
    labels: usize,
}

impl Classifier {
    /// Trains on `(label, text)` pairs, or reads the model trained on the same pairs before
    /// from the cache `folder`. Deterministic: one thread, a fixed seed. `None` when there is
    /// nothing to learn or training failed.
    pub fn train(lines: &[(&str, &str)], folder: Option<&Path>) -> Option<Classifier> {
        let path = folder.map(|f| f.join(format!("search-{}.bin", cache_key(lines))));
        if let Some(model) = path.as_deref().and_then(read_cached) {
            return Some(model);
        }
        let model = Classifier::train_now(lines)?;
        if let Some(path) = &path
            && let Err(err) = write_cached(path, &model)
        {
            tracing::warn!(event = "search_model_cache_write_failed", path = %path.display(), error = %err);
        }
        Some(model)
    }

    fn train_now(lines: &[(&str, &str)]) -> Option<Classifier> {
        // fastText reads its training lines from a file; they come from the folder's entries,
        // never from anyone's messages.
        let mut file = tempfile::Builder::new()
            .prefix("signpost-search-")
            .suffix(".txt")
            .tempfile()
            .ok()?;
        let mut labels = std::collections::BTreeSet::new();
        {
            let mut out = std::io::BufWriter::new(file.as_file_mut());
            for &(label, text) in lines {
                if text.is_empty() || label.is_empty() || label.contains(char::is_whitespace) {
                    continue;
                }
                writeln!(out, "{LABEL_PREFIX}{label} {text}").ok()?;
                labels.insert(label);
            }
            out.flush().ok()?;
        }
        if labels.len() < 2 {
            return None;
        }
        let args = Args {
            input: file.path().to_path_buf(),
            model: ModelName::Supervised,
            // A softmax over a few dozen entries is exact and cheap; a tree beyond that.
            loss: if labels.len() <= 200 {
                LossName::Softmax
            } else {
                LossName::HierarchicalSoftmax
            },
            min_count: 1,
            min_count_label: 0,
            dim: DIM,
            epoch: EPOCHS,
            lr: LEARNING_RATE,
            word_ngrams: 1,
            // Pieces of words (3 to 5 letters) carry what a word means to spellings never
            // seen in training.
            minn: 3,
            maxn: 5,
            bucket: BUCKETS,
            thread: 1,
            seed: SEED,
            verbose: 0,
            label: LABEL_PREFIX.to_string(),
            ..Args::default()
        };
        let trained = FastText::train(args).ok()?;
        // The library's training dictionary keeps a hash table sized for 30 million words
        // (120 MB); a model read back from its bytes sizes the table to its vocabulary.
        let mut bytes = Vec::new();
        trained.save(&mut bytes).ok()?;
        drop(trained);
        Classifier::from_bytes(&bytes)
    }

    /// The model in fastText's binary format.
    fn to_bytes(&self) -> Option<Vec<u8>> {
        let mut bytes = Vec::new();
        self.model.save(&mut bytes).ok()?;
        Some(bytes)
    }

    /// A model written by [`Classifier::to_bytes`].
    fn from_bytes(bytes: &[u8]) -> Option<Classifier> {
        let model = FastText::load(&mut std::io::Cursor::new(bytes)).ok()?;
        let labels = model.get_labels().0.len();
        (labels >= 2).then_some(Classifier { model, labels })
    }

    /// The likeliest labels of a text with their probabilities, best first: at most `k`.
    pub fn predict(&self, text: &str, k: usize) -> Vec<(String, f32)> {
        if text.is_empty() {
            return Vec::new();
        }
        self.model
            .predict(text, k.min(self.labels), 0.0)
            .into_iter()
            .map(|p| {
                let label = p.label.strip_prefix(LABEL_PREFIX).unwrap_or(&p.label);
                (label.to_string(), p.prob)
            })
            .collect()
    }
}

/// The classifier over one folder's entries.
pub(super) struct Learned {
    classifier: Classifier,
    /// Entry positions by id.
    entries: std::collections::HashMap<String, usize>,
}

impl Learned {
    /// Trains on the folder's entries: each example question, keyword, title and summary is
    /// a line labelled with its entry. `None` for folders too large to train on at load.
    pub fn train(kb: &KnowledgeBase, index: &SearchIndex) -> Option<Learned> {
        if kb.entries.len() > MAX_ENTRIES {
            return None;
        }
        let mut examples: Vec<(&str, String)> = Vec::new();
        for entry in &kb.entries {
            // Keywords a few to a line: fewer, richer lines train faster.
            let keywords: Vec<String> = entry.keywords.chunks(4).map(|k| k.join(" ")).collect();
            let lines = std::iter::once(entry.title.as_str())
                .chain(std::iter::once(entry.summary.as_str()))
                .chain(entry.questions.iter().map(String::as_str))
                .chain(keywords.iter().map(String::as_str));
            for line in lines {
                examples.push((entry.id.as_str(), prepare(index, line)));
            }
        }
        let lines: Vec<(&str, &str)> = examples.iter().map(|(l, t)| (*l, t.as_str())).collect();
        let classifier = Classifier::train(&lines, Some(&cache_folder(&kb.root)))?;
        let entries = kb
            .entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id.clone(), i))
            .collect();
        Some(Learned {
            classifier,
            entries,
        })
    }

    /// The entries the classifier thinks a message is about, with their probabilities, or
    /// nothing when it is unsure.
    pub fn guesses(&self, index: &SearchIndex, text: &str) -> Vec<(usize, f32)> {
        let guesses: Vec<(usize, f32)> = self
            .classifier
            .predict(&prepare(index, text), GUESSES)
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
    pub fn rerank(&self, index: &SearchIndex, text: &str, scored: &mut [(Scored, Parts)]) {
        let guesses = self.guesses(index, text);
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
}

/// A text as the classifier sees it: the word search's stems (misspellings corrected as the
/// word search corrects them), less filler words and places,
/// and a token for each synonym group found ("jail" and "prison" both bring `syn0`), so what
/// it learns of one word carries to the others of its group.
fn prepare(index: &SearchIndex, text: &str) -> String {
    let mut analyzer = index.analyzer.clone();
    let normalised = normalise(text);
    let words: Vec<&str> = normalised.split(' ').filter(|w| !w.is_empty()).collect();
    let stems: Vec<String> = words
        .iter()
        .map(|w| {
            analyse(&mut analyzer, w)
                .into_iter()
                .next()
                .unwrap_or_default()
        })
        .collect();
    // A misspelt word is read as the word search corrects it ("solicter": "solicitor").
    let mut out: Vec<String> = words
        .iter()
        .zip(&stems)
        .filter(|(w, s)| !s.is_empty() && !STOPWORDS.contains(w) && !PLACE_WORDS.contains(w))
        .map(|(w, s)| match index.vocabulary.id(s) {
            Some(_) => s.clone(),
            None => index
                .vocabulary
                .corrections(w)
                .into_iter()
                .next()
                .unwrap_or_else(|| s.clone()),
        })
        .collect();
    let stems: Vec<&str> = stems.iter().map(String::as_str).collect();
    let mut groups: Vec<usize> = index
        .synonym_index
        .find(&stems)
        .iter()
        .map(|f| f.group)
        .collect();
    groups.sort_unstable();
    groups.dedup();
    out.extend(groups.into_iter().map(|g| format!("syn{g}")));
    out.join(" ")
}

/// The folder trained models are kept in, for a knowledge folder at `knowledge`.
fn cache_folder(knowledge: &Path) -> PathBuf {
    let fallback = || std::env::temp_dir().join("signpost-cache");
    let chosen = std::env::var_os("SIGNPOST_CACHE_DIR")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| dirs::cache_dir().map(|d| d.join("signpost")))
        .unwrap_or_else(fallback);
    // A model written into the watched folder would trigger a reload after every load.
    let absolute = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    if absolute(&chosen).starts_with(absolute(knowledge)) {
        return fallback();
    }
    chosen
}

/// The hash naming the model of these lines (and of these settings and this library).
fn cache_key(lines: &[(&str, &str)]) -> String {
    let mut hash = Sha256::new();
    hash.update(FORMAT);
    hash.update(format!(
        "dim={DIM} epochs={EPOCHS} lr={LEARNING_RATE} buckets={BUCKETS} seed={SEED}"
    ));
    for (label, text) in lines {
        hash.update([0]);
        hash.update(label);
        hash.update([1]);
        hash.update(text);
    }
    hash.finalize()[..12]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A cached model, if a good copy is there: its checksum must match.
fn read_cached(path: &Path) -> Option<Classifier> {
    let bytes = std::fs::read(path).ok()?;
    let (sum, body) = bytes.split_at_checked(32)?;
    if Sha256::digest(body).as_slice() != sum {
        tracing::warn!(event = "search_model_cache_corrupt", path = %path.display());
        return None;
    }
    Classifier::from_bytes(body)
}

/// Writes a model atomically (a temporary file renamed into place), with its checksum first,
/// and deletes all but the newest few.
fn write_cached(path: &Path, model: &Classifier) -> Result<(), Box<dyn std::error::Error>> {
    let folder = path.parent().ok_or("no parent folder")?;
    std::fs::create_dir_all(folder)?;
    let body = model.to_bytes().ok_or("the model could not be written")?;
    let mut file = tempfile::NamedTempFile::new_in(folder)?;
    file.write_all(&Sha256::digest(&body))?;
    file.write_all(&body)?;
    file.as_file().sync_all()?;
    file.persist(path)?;
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Ok(());
    };
    let mut models: Vec<(std::time::SystemTime, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with("search-") && name.ends_with(".bin")
        })
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    models.sort_by_key(|m| std::cmp::Reverse(m.0));
    for (_, old) in models.into_iter().skip(KEEP) {
        let _ = std::fs::remove_file(old);
    }
    Ok(())
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
            },
            Parts {
                doc: None,
                raw: score,
                named_floor: false,
                phrase: 1.0,
                preference: 1.0,
                coverage: 1.0,
                learned: 1.0,
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
        let guesses = learned.guesses(&index, &example);
        assert_eq!(guesses.first().map(|g| g.0), Some(bail), "{guesses:?}");
        let mut scored = vec![candidate(prison, 10.0), candidate(bail, 9.0)];
        learned.rerank(&index, &example, &mut scored);
        assert!(scored[1].0.score > scored[0].0.score, "{scored:?}");
        assert!(scored[1].1.learned == 1.0, "its favourite keeps its score");
        assert!(scored[0].1.learned < 1.0);
        // Words it never saw: no guess, no change, and nothing added.
        assert!(learned.guesses(&index, "xqzv blorf wibble").is_empty());
        let mut scored = vec![candidate(prison, 10.0), candidate(bail, 9.0)];
        learned.rerank(&index, "xqzv blorf wibble", &mut scored);
        assert_eq!(scored.len(), 2);
        assert_eq!((scored[0].0.score, scored[1].0.score), (10.0, 9.0));
    }

    #[test]
    fn a_cached_model_is_read_back_and_a_corrupt_one_retrained() {
        let dir = tempfile::tempdir().unwrap();
        let lines = [
            ("a", "one two three"),
            ("b", "four five six"),
            ("a", "one three"),
            ("b", "five six"),
        ]
        .repeat(3);
        let first = Classifier::train(&lines, Some(dir.path())).unwrap();
        let files: Vec<PathBuf> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(files.len(), 1, "{files:?}");
        let cached = read_cached(&files[0]).expect("the cache reads back");
        assert_eq!(cached.predict("one two", 2), first.predict("one two", 2));
        // Flip a byte: ignored, trained again, written again.
        let mut bytes = std::fs::read(&files[0]).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 0xff;
        std::fs::write(&files[0], &bytes).unwrap();
        assert!(read_cached(&files[0]).is_none());
        let again = Classifier::train(&lines, Some(dir.path())).unwrap();
        assert_eq!(again.predict("one two", 2), first.predict("one two", 2));
        assert!(read_cached(&files[0]).is_some());
        // Other lines, another model.
        assert_ne!(cache_key(&lines), cache_key(&lines[..4]));
        // Never inside the knowledge folder.
        let knowledge = tempfile::tempdir().unwrap();
        assert!(!cache_folder(knowledge.path()).starts_with(knowledge.path()));
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
        let a = Classifier::train(&lines, None).unwrap();
        let b = Classifier::train(&lines, None).unwrap();
        let text = prepare(&index, "my partner is in the jail, who can help");
        assert_eq!(a.predict(&text, 5), b.predict(&text, 5));
        assert_eq!(a.to_bytes(), b.to_bytes());
    }
}
