//! Crisis triage, run on every message before anything else. Two layers give one verdict:
//!
//! - **rules**: the regular expressions of `knowledge/safety.toml`, precise and explainable
//!   line by line; an `unless` cancels a pattern only in its own clause;
//! - **a learned classifier**: a fastText model trained when the folder loads from the corpus
//!   in `knowledge/safety/` (one message per line, a file per category plus `not-crisis.txt`)
//!   and the `examples` and `not_crisis` lines of safety.toml, so wording nobody wrote a rule
//!   for is still caught.
//!
//! A message is a crisis in a category when a rule of that category fires or the classifier's
//! probability for it reaches `crisis_threshold`; below that, reaching `concern_threshold`
//! makes it a concern. The whole message is read, however long, in linear time.

pub mod classifier;
pub mod corpus;
mod rules;

use crate::error::KnowledgeError;
use crate::knowledge::Entry;
use crate::knowledge::diagnostics::{Diagnostic, Severity, SourceFile};
use crate::knowledge::read::FileReader;
use crate::learn::TrainingSettings;
use crate::text;
use classifier::{CrisisClassifier, Reading, Scores};
use corpus::{CorpusLine, NONE};
pub use rules::Fired;
use rules::{Rules, Tense, Written};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use toml::Spanned;

/// The corpus folder, inside the knowledge folder.
pub const CORPUS_FOLDER: &str = "safety";

/// At most this many example questions of entries are taught as `none`, so training time
/// does not grow with the size of the folder.
const MAX_CALM_QUESTIONS: usize = 1_000;

/// The concern line when safety.toml gives none.
pub const DEFAULT_CONCERN: &str =
    "If you are not safe right now, call 999. Samaritans 116 123, any time.";

/// Where the learned layer draws its lines, when safety.toml does not say.
pub const DEFAULT_THRESHOLDS: Thresholds = Thresholds {
    crisis: 0.5,
    concern: 0.2,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SafetyFile {
    emergency: String,
    #[serde(default)]
    not_crisis: Vec<Spanned<String>>,
    #[serde(default, rename = "category")]
    categories: Vec<CategoryFile>,
    #[serde(default)]
    classifier: Option<ClassifierFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CategoryFile {
    id: Spanned<String>,
    title: String,
    message: String,
    show: Vec<Spanned<String>>,
    patterns: Vec<Spanned<String>>,
    #[serde(default)]
    concern_patterns: Vec<Spanned<String>>,
    #[serde(default)]
    unless: Vec<Spanned<String>>,
    #[serde(default)]
    examples: Vec<Spanned<String>>,
    #[serde(default)]
    concern_examples: Vec<Spanned<String>>,
    #[serde(default)]
    concern: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClassifierFile {
    crisis_threshold: Option<Spanned<f64>>,
    concern_threshold: Option<Spanned<f64>>,
    concern: Option<String>,
    #[serde(default)]
    past: Vec<Spanned<String>>,
    #[serde(default)]
    present: Vec<Spanned<String>>,
}

/// The learned layer's two lines: probabilities from 0 to 1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Thresholds {
    /// At or above this, a category is a crisis.
    pub crisis: f32,
    /// At or above this (and below `crisis`), a category is a concern.
    pub concern: f32,
}

/// One kind of crisis, with what to tell the person first.
#[derive(Debug, Clone)]
pub struct CrisisCategory {
    /// Stable name, e.g. `suicide-self-harm`.
    pub id: String,
    /// Heading of the notice, e.g. "If you are thinking about suicide".
    pub title: String,
    /// What to do now, with the 24-hour line.
    pub message: String,
    /// The one line added to an answer when this category is a concern, not a crisis.
    pub concern: String,
    /// Entries to show first, in order.
    pub show: Vec<String>,
}

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Plausible risk: the answer stays, with one line and the emergency lines button.
    Concern,
    /// The safety notice comes first.
    Crisis,
}

/// Which layer found a category, for admins.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "layer", rename_all = "lowercase")]
pub enum Layer {
    /// A pattern of safety.toml fired.
    Rule {
        /// `path:line` of the pattern.
        source: String,
        /// `crisis` for one of the category's `patterns`, `concern` for one of its
        /// `concern_patterns`.
        level: Level,
    },
    /// The classifier found it at or above the concern threshold.
    Classifier {
        /// Its probability for this category, from 0 to 1, rounded to three places.
        probability: f32,
        /// Its probability that the message is a crisis of any kind.
        crisis: f32,
        /// The probability reached the crisis threshold, but the message tells only of what
        /// is over (a `past` pattern and no `present` one), so the classifier alone made it a
        /// concern (a rule may still make it a crisis).
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        settled: bool,
    },
}

/// One category found in a message, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// The category id.
    pub category: String,
    /// Crisis or concern.
    pub level: Level,
    /// The layers that found it: a rule, the classifier, or both.
    pub layers: Vec<Layer>,
    /// The classifier's probability for it (0 when there is no classifier), for ordering.
    #[serde(skip)]
    pub probability: f32,
}

/// The verdict on one message: what each layer found, in safety.toml's category order.
#[derive(Debug, Clone)]
pub struct Verdict<'a> {
    /// Every category that is a crisis or a concern.
    pub findings: Vec<Finding>,
    safety: &'a Safety,
}

impl<'a> Verdict<'a> {
    /// The crisis categories, in safety.toml's order; empty when it is not a crisis.
    pub fn crisis(&self) -> Vec<&'a CrisisCategory> {
        self.at(Level::Crisis)
    }

    /// The categories of concern, most probable first. A front end shows them only when
    /// there is no crisis.
    pub fn concern(&self) -> Vec<&'a CrisisCategory> {
        let mut concern: Vec<&Finding> = self
            .findings
            .iter()
            .filter(|f| f.level == Level::Concern)
            .collect();
        concern.sort_by(|a, b| b.probability.total_cmp(&a.probability));
        concern
            .into_iter()
            .filter_map(|f| self.safety.category(&f.category))
            .collect()
    }

    /// Whether any category is a crisis.
    pub fn is_crisis(&self) -> bool {
        self.findings.iter().any(|f| f.level == Level::Crisis)
    }

    /// Whether a crisis rule of safety.toml fired: the crisis is then stated in so many
    /// words, not only judged likely by the classifier.
    pub fn by_rule(&self) -> bool {
        self.findings.iter().any(|f| {
            f.level == Level::Crisis
                && f.layers.iter().any(|l| {
                    matches!(
                        l,
                        Layer::Rule {
                            level: Level::Crisis,
                            ..
                        }
                    )
                })
        })
    }

    fn at(&self, level: Level) -> Vec<&'a CrisisCategory> {
        self.findings
            .iter()
            .filter(|f| f.level == level)
            .filter_map(|f| self.safety.category(&f.category))
            .collect()
    }
}

/// The crisis rules, the classifier and its corpus, ready to judge messages.
#[derive(Debug, Clone)]
pub struct Safety {
    /// Shown with every crisis: 999 first.
    pub emergency: String,
    /// The categories, in the order the file lists them.
    pub categories: Vec<CrisisCategory>,
    /// The learned layer's lines.
    pub thresholds: Thresholds,
    rules: Rules,
    /// Whether a message tells only of what is over (`past` and `present` in `[classifier]`).
    tense: Tense,
    classifier: Option<Arc<CrisisClassifier>>,
    corpus: Arc<Vec<CorpusLine>>,
    /// The example questions of entries and the messages on other subjects, as written and
    /// normalised: taught as `none` too, less those a rule fires on...
    calm_candidates: Arc<Vec<(String, String)>>,
    /// ...which are worked out when first needed ([`Safety::calm`]).
    calm: Arc<std::sync::OnceLock<Vec<String>>>,
    /// safety.toml, as named in explanations.
    source: PathBuf,
    /// How the classifier is trained.
    settings: TrainingSettings,
    /// How the classifier reads a message.
    reading: Reading,
}

impl Safety {
    /// The full verdict on a message: rules and classifier, over the whole message.
    pub fn assess(&self, text: &str) -> Verdict<'_> {
        let evidence = self.evidence(text);
        Verdict {
            findings: self.findings(&evidence, self.thresholds),
            safety: self,
        }
    }

    /// What each layer makes of a message, before any threshold: the rules that fire and the
    /// classifier's scores.
    pub fn evidence(&self, text: &str) -> Evidence {
        let sentences = text::sentences(text);
        let clauses: Vec<&str> = sentences.iter().flat_map(|s| text::clauses(s)).collect();
        Evidence {
            rules: self.rules.fire(&clauses),
            scores: self.classifier.as_ref().map(|c| c.scores(&sentences)),
            settled: self.tense.settled(&clauses),
        }
    }

    /// Each piece the classifier read, with its scores.
    pub fn pieces_scored(&self, text: &str) -> Vec<(String, Scores)> {
        self.classifier
            .as_ref()
            .map(|c| c.pieces_scored(&text::sentences(text)))
            .unwrap_or_default()
    }

    /// The findings of this evidence at these thresholds.
    pub fn findings(&self, evidence: &Evidence, thresholds: Thresholds) -> Vec<Finding> {
        self.judge(
            &evidence.rules,
            evidence.scores.as_ref(),
            evidence.settled,
            thresholds,
        )
    }

    /// The crisis categories of a message, in file order; empty when it is not a crisis.
    pub fn triage(&self, text: &str) -> Vec<&CrisisCategory> {
        self.assess(text).crisis()
    }

    /// The category with this id.
    pub fn category(&self, id: &str) -> Option<&CrisisCategory> {
        self.categories.iter().find(|c| c.id == id)
    }

    /// Whether the folder has a corpus, so the learned layer judges too.
    pub fn has_classifier(&self) -> bool {
        self.classifier.is_some()
    }

    /// The labelled lines the classifier learned from (empty without a corpus folder).
    pub fn corpus(&self) -> &[CorpusLine] {
        &self.corpus
    }

    /// One verdict from both layers. A category is a crisis when one of its crisis rules fired
    /// or the classifier's probability for it reaches the crisis threshold; a concern when one
    /// of its concern rules fired, when that probability reaches the concern threshold, or when
    /// it is the most probable category of a message the classifier takes for a crisis of some
    /// kind (its probability split between close categories) at the crisis threshold. In a
    /// message that tells only of what is over (`settled`), the classifier alone makes a
    /// concern at most: a crisis then needs a rule.
    fn judge(
        &self,
        fired: &[Fired],
        scores: Option<&Scores>,
        settled: bool,
        t: Thresholds,
    ) -> Vec<Finding> {
        let top = scores.and_then(Scores::top);
        let mut findings = Vec::new();
        for (i, category) in self.categories.iter().enumerate() {
            let rule = fired[i];
            let (probability, crisis) = scores.map_or((0.0, 0.0), |s| (s.categories[i], s.crisis));
            let learned = scores.is_some();
            let concern =
                learned && (probability >= t.concern || (top == Some(i) && crisis >= t.crisis));
            let learned_crisis = learned && probability >= t.crisis && !settled;
            let level = if rule.crisis.is_some() || learned_crisis {
                Level::Crisis
            } else if concern || rule.concern.is_some() {
                Level::Concern
            } else {
                continue;
            };
            let mut layers = Vec::new();
            let rule = match (rule.crisis, rule.concern) {
                (Some(line), _) => Some((line, Level::Crisis)),
                (None, Some(line)) => Some((line, Level::Concern)),
                (None, None) => None,
            };
            if let Some((line, level)) = rule {
                layers.push(Layer::Rule {
                    source: format!("{}:{line}", self.source.display()),
                    level,
                });
            }
            if concern {
                layers.push(Layer::Classifier {
                    probability: round(probability),
                    crisis: round(crisis),
                    settled: settled && probability >= t.crisis,
                });
            }
            findings.push(Finding {
                category: category.id.clone(),
                level,
                layers,
                probability,
            });
        }
        findings
    }

    /// The example questions of the folder's entries and the messages on other subjects
    /// (`other-subjects.txt`, already normalised), each as written and normalised: what people
    /// write when they are not in crisis. Entries that a crisis shows (helplines) are left
    /// out, since they may describe a crisis; [`Safety::calm`] leaves out those a rule fires on.
    fn calm_candidates(
        &self,
        entries: &[Entry],
        other_subjects: &[String],
    ) -> Vec<(String, String)> {
        let shown: HashSet<&str> = self
            .categories
            .iter()
            .flat_map(|c| c.show.iter().map(String::as_str))
            .collect();
        entries
            .iter()
            .filter(|e| !shown.contains(e.id.as_str()))
            .flat_map(|e| e.questions.iter())
            .take(MAX_CALM_QUESTIONS)
            .map(|q| (q.clone(), text::normalise(q)))
            .chain(
                other_subjects
                    .iter()
                    .take(MAX_CALM_QUESTIONS)
                    .map(|l| (l.clone(), l.clone())),
            )
            .filter(|(_, normalised)| !normalised.is_empty())
            .collect()
    }

    /// The calm lines the classifier learns from beside the corpus: the candidates no rule
    /// fires on (the rules read a question as written, its punctuation cutting the clauses),
    /// normalised. Worked out once, when first needed: with the model in the cache, never.
    fn calm(&self) -> &[String] {
        self.calm.get_or_init(|| {
            self.calm_candidates
                .iter()
                .filter(|(written, _)| self.rules_fire(written).is_empty())
                .map(|(_, normalised)| normalised.clone())
                .collect()
        })
    }

    /// The rules alone: the categories (by index) whose crisis patterns fire, for the file's
    /// own examples and near misses.
    fn rules_fire(&self, text: &str) -> Vec<usize> {
        self.rules_fire_at(text, Level::Crisis)
    }

    /// The categories (by index) whose rules of this level fire (a crisis pattern counts as
    /// a concern too).
    fn rules_fire_at(&self, text: &str, level: Level) -> Vec<usize> {
        let sentences = text::sentences(text);
        let clauses: Vec<&str> = sentences.iter().flat_map(|s| text::clauses(s)).collect();
        self.rules
            .fire(&clauses)
            .iter()
            .enumerate()
            .filter(|(_, f)| f.crisis.is_some() || (level == Level::Concern && f.concern.is_some()))
            .map(|(i, _)| i)
            .collect()
    }

    /// Reads `safety.toml` and the corpus folder of the knowledge folder at `root`, checks
    /// them, and trains the classifier when there is a corpus. Every problem is pushed;
    /// returns the triage when none was an error.
    pub(crate) fn load(
        root: &Path,
        reader: &FileReader,
        known_ids: &HashSet<String>,
        entries: &[Entry],
        other_subjects: &[String],
        problems: &mut Vec<Diagnostic>,
    ) -> Result<Option<Safety>, KnowledgeError> {
        let path = root.join("safety.toml");
        if !reader.present(&path) {
            problems.push(Diagnostic {
                path,
                line: 1,
                column: 1,
                severity: Severity::Error,
                message: "missing safety.toml: crisis rules are required".into(),
            });
            return Ok(None);
        }
        let text = match reader.read(&path) {
            Ok(text) => text,
            Err(unreadable) => {
                problems.push(unreadable);
                return Ok(None);
            }
        };
        let file = SourceFile::new(&path, &text);
        let before = problems.len();
        let Some((mut safety, raw)) = Safety::parse(&file, known_ids, problems) else {
            return Ok(None);
        };

        // The corpus: the file's own lines, then the folder's.
        let mut lines = Vec::new();
        let line_of = |s: &Spanned<String>, label: &str| CorpusLine {
            label: label.to_string(),
            text: text::normalise(s.get_ref()),
            raw: s.get_ref().clone(),
            path: path.clone(),
            line: file.position(s.span().start).0,
        };
        for category in &raw.categories {
            lines.extend(
                category
                    .examples
                    .iter()
                    .map(|e| line_of(e, category.id.get_ref())),
            );
        }
        lines.extend(raw.not_crisis.iter().map(|n| line_of(n, NONE)));
        let folder = root.join(CORPUS_FOLDER);
        let has_corpus = folder.is_dir();
        if has_corpus {
            let known: Vec<&str> = safety.categories.iter().map(|c| c.id.as_str()).collect();
            lines.extend(corpus::read_folder(&folder, reader, &known, problems)?);
        }
        let lines = corpus::dedup(lines, problems);
        if problems[before..]
            .iter()
            .any(|p| p.severity == Severity::Error)
        {
            return Ok(None);
        }
        if has_corpus {
            safety.calm_candidates = Arc::new(safety.calm_candidates(entries, other_subjects));
            let ids: Vec<String> = safety.categories.iter().map(|c| c.id.clone()).collect();
            let started = std::time::Instant::now();
            let inputs = calm_inputs(&text, &safety.calm_candidates);
            let candidates: Vec<String> = safety
                .calm_candidates
                .iter()
                .map(|(_, normalised)| normalised.clone())
                .collect();
            match CrisisClassifier::train_cached(
                &lines,
                &inputs,
                &candidates,
                || safety.calm().to_vec(),
                &ids,
                &safety.settings,
                &safety.reading,
                &crate::learn::cache::folder(root),
            ) {
                Ok(model) => {
                    tracing::debug!(
                        event = "crisis_model_ready",
                        lines = lines.len(),
                        millis = started.elapsed().as_millis() as u64
                    );
                    safety.classifier = Some(Arc::new(model));
                }
                Err(err) => {
                    problems.push(Diagnostic {
                        path: folder,
                        line: 1,
                        column: 1,
                        severity: Severity::Error,
                        message: format!("could not train the crisis classifier: {err}"),
                    });
                    return Ok(None);
                }
            }
        }
        safety.corpus = Arc::new(lines);
        Ok(Some(safety))
    }

    /// Parses and checks safety.toml, pushing every problem found. `known_ids` are the
    /// entries of the folder, for checking `show`. Returns the rules when nothing was an error.
    fn parse(
        file: &SourceFile<'_>,
        known_ids: &HashSet<String>,
        problems: &mut Vec<Diagnostic>,
    ) -> Option<(Safety, SafetyFile)> {
        let raw: SafetyFile = match toml::from_str(file.text) {
            Ok(raw) => raw,
            Err(err) => {
                problems.push(file.toml_error(0, &err));
                return None;
            }
        };
        let before = problems.len();
        let mut seen = HashSet::new();
        for cat in &raw.categories {
            if cat.id.get_ref() == NONE || !seen.insert(cat.id.get_ref().clone()) {
                problems.push(file.error(
                    cat.id.span().start,
                    format!(
                        "duplicate or reserved safety category `{}`",
                        cat.id.get_ref()
                    ),
                ));
            }
            for id in &cat.show {
                if !known_ids.contains(id.get_ref()) {
                    problems.push(file.error(
                        id.span().start,
                        format!("`show` names `{}`, which is not an entry", id.get_ref()),
                    ));
                }
            }
            if cat.patterns.is_empty() {
                problems.push(file.error(
                    cat.id.span().start,
                    format!("safety category `{}` has no patterns", cat.id.get_ref()),
                ));
            }
        }
        let thresholds = thresholds(file, raw.classifier.as_ref(), problems);
        let written: Vec<Written<'_>> = raw
            .categories
            .iter()
            .map(|c| Written {
                patterns: &c.patterns,
                concern_patterns: &c.concern_patterns,
                unless: &c.unless,
            })
            .collect();
        let rules = Rules::compile(file, &written, problems)?;
        let (past, present) = raw
            .classifier
            .as_ref()
            .map_or((&[][..], &[][..]), |c| (&c.past[..], &c.present[..]));
        let tense = Tense::compile(file, past, present, problems)?;
        let default_concern = raw
            .classifier
            .as_ref()
            .and_then(|c| c.concern.clone())
            .unwrap_or_else(|| DEFAULT_CONCERN.to_string());
        let safety = Safety {
            emergency: raw.emergency.clone(),
            categories: raw
                .categories
                .iter()
                .map(|cat| CrisisCategory {
                    id: cat.id.get_ref().clone(),
                    title: cat.title.clone(),
                    message: cat.message.clone(),
                    concern: cat
                        .concern
                        .clone()
                        .unwrap_or_else(|| default_concern.clone()),
                    show: cat.show.iter().map(|s| s.get_ref().clone()).collect(),
                })
                .collect(),
            thresholds,
            rules,
            tense,
            classifier: None,
            corpus: Arc::new(Vec::new()),
            calm_candidates: Arc::new(Vec::new()),
            calm: Arc::new(std::sync::OnceLock::new()),
            source: file.path.to_path_buf(),
            settings: classifier::SETTINGS,
            reading: classifier::READING,
        };
        if problems.len() > before {
            return None;
        }

        // The file carries its own test cases: each example must trigger its category's rules
        // and no near miss may trigger any.
        for (index, cat) in raw.categories.iter().enumerate() {
            for example in &cat.examples {
                if !safety.rules_fire(example.get_ref()).contains(&index) {
                    problems.push(file.error(
                        example.span().start,
                        format!(
                            "example is not caught by category `{}`: add or widen a pattern",
                            cat.id.get_ref()
                        ),
                    ));
                }
            }
        }
        for (index, cat) in raw.categories.iter().enumerate() {
            for example in &cat.concern_examples {
                if !safety
                    .rules_fire_at(example.get_ref(), Level::Concern)
                    .contains(&index)
                {
                    problems.push(file.error(
                        example.span().start,
                        format!(
                            "concern example is not caught by category `{}`: add or widen a \
                             concern pattern",
                            cat.id.get_ref()
                        ),
                    ));
                }
            }
        }
        for near_miss in &raw.not_crisis {
            let hits: Vec<&str> = safety
                .rules_fire(near_miss.get_ref())
                .into_iter()
                .map(|i| safety.categories[i].id.as_str())
                .collect();
            if !hits.is_empty() {
                problems.push(file.error(
                    near_miss.span().start,
                    format!(
                        "near miss is wrongly caught by `{}`: narrow the pattern or add an `unless`",
                        hits.join("`, `")
                    ),
                ));
            }
        }
        (problems.len() == before).then_some((safety, raw))
    }
}

/// A hash of what decides which calm candidates the crisis model learns from: safety.toml as
/// written (its rules) and the candidates as the rules read them.
fn calm_inputs(safety_toml: &str, candidates: &[(String, String)]) -> Vec<u8> {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    hash.update(safety_toml);
    for (written, _) in candidates {
        hash.update([0]);
        hash.update(written);
    }
    hash.finalize().to_vec()
}

/// The thresholds of the `[classifier]` table, checked: each from 0 to 1, concern at most crisis.
fn thresholds(
    file: &SourceFile<'_>,
    table: Option<&ClassifierFile>,
    problems: &mut Vec<Diagnostic>,
) -> Thresholds {
    let mut t = DEFAULT_THRESHOLDS;
    let Some(table) = table else { return t };
    for (value, slot) in [
        (&table.crisis_threshold, &mut t.crisis),
        (&table.concern_threshold, &mut t.concern),
    ] {
        if let Some(value) = value {
            if (0.0..=1.0).contains(value.get_ref()) {
                *slot = *value.get_ref() as f32;
            } else {
                problems.push(file.error(
                    value.span().start,
                    "a threshold is a probability: a number from 0 to 1, such as 0.5",
                ));
            }
        }
    }
    if t.concern > t.crisis {
        let at = table
            .concern_threshold
            .as_ref()
            .map_or(0, |v| v.span().start);
        problems.push(file.error(
            at,
            format!(
                "`concern_threshold` ({}) is above `crisis_threshold` ({}): a concern is less than a crisis",
                t.concern, t.crisis
            ),
        ));
    }
    t
}

/// What the two layers make of a message, before any threshold.
#[derive(Debug, Clone)]
pub struct Evidence {
    /// Per category, the lines in safety.toml of the rules that fired.
    pub rules: Vec<Fired>,
    /// What the classifier made of it (none without a corpus).
    pub scores: Option<Scores>,
    /// It tells only of what is over ([`Tense::settled`]).
    pub settled: bool,
}

/// One corpus line judged by a model trained without it.
#[derive(Debug, Clone)]
pub struct HeldOut {
    /// Its index in [`Safety::corpus`].
    pub line: usize,
    /// Per category, the lines in safety.toml of the rules that fired.
    pub rules: Vec<Fired>,
    /// What the classifier made of it.
    pub scores: Scores,
    /// It tells only of what is over.
    pub settled: bool,
}

/// How the learned layer did on lines it had not seen, fold by fold.
#[derive(Debug, Clone, Serialize)]
pub struct CrossValidation {
    /// How many folds (each line is held out once).
    pub folds: usize,
    /// The training settings, as text.
    pub settings: String,
    /// The thresholds used.
    pub thresholds: Thresholds,
    /// Figures per crisis category, in safety.toml's order.
    pub categories: Vec<CategoryFigures>,
    /// Figures over the not-crisis lines.
    pub not_crisis: NotCrisisFigures,
    /// A warning for each line the full verdict got wrong when held out.
    #[serde(skip)]
    pub wrong: Vec<Diagnostic>,
}

/// Held-out figures for one crisis category.
#[derive(Debug, Clone, Serialize)]
pub struct CategoryFigures {
    /// The category.
    pub category: String,
    /// Its lines in the corpus.
    pub lines: usize,
    /// Of which judged a crisis (in any category) by the full verdict.
    pub caught: usize,
    /// Of which the classifier alone judged a crisis.
    pub by_classifier: usize,
    /// Of which missed but judged a concern.
    pub concern: usize,
    /// Not-crisis lines judged a crisis in this category.
    pub false_alarms: usize,
}

impl CategoryFigures {
    /// Share of its lines caught.
    pub fn recall(&self) -> f64 {
        share(self.caught, self.lines)
    }
}

/// Held-out figures for the not-crisis lines.
#[derive(Debug, Clone, Serialize)]
pub struct NotCrisisFigures {
    /// Not-crisis lines in the corpus.
    pub lines: usize,
    /// Of which judged a crisis.
    pub false_alarms: usize,
    /// Of which judged a concern.
    pub concerns: usize,
}

fn round(p: f32) -> f32 {
    (p * 1000.0).round() / 1000.0
}

fn share(n: usize, of: usize) -> f64 {
    if of == 0 { 1.0 } else { n as f64 / of as f64 }
}

impl Safety {
    /// `folds`-fold cross-validation of the learned layer: each corpus line is judged (rules
    /// and classifier, as a message would be) by a model trained without it. Deterministic:
    /// lines are dealt to folds in file order, label by label. `None` without a corpus.
    pub fn cross_validate(&self, folds: usize) -> Option<CrossValidation> {
        self.cross_validate_with(folds, &self.settings, self.thresholds)
    }

    /// Each corpus line as judged by a model trained without it (`folds` models in all, lines
    /// dealt to folds in file order, label by label): what the rules fire and the classifier's
    /// score per category. Thresholds are applied afterwards, so this serves to choose them.
    /// `None` without a corpus.
    pub fn held_out(&self, folds: usize, settings: &TrainingSettings) -> Option<Vec<HeldOut>> {
        if self.classifier.is_none() || folds < 2 {
            return None;
        }
        let lines = &self.corpus;
        let mut counters = std::collections::HashMap::new();
        let fold_of: Vec<usize> = lines
            .iter()
            .map(|l| {
                let n = counters.entry(l.label.as_str()).or_insert(0usize);
                *n += 1;
                (*n - 1) % folds
            })
            .collect();
        let ids: Vec<String> = self.categories.iter().map(|c| c.id.clone()).collect();
        let judged = |fold: usize| -> Vec<HeldOut> {
            let train: Vec<CorpusLine> = lines
                .iter()
                .zip(&fold_of)
                .filter(|(_, f)| **f != fold)
                .map(|(l, _)| l.clone())
                .collect();
            let Ok(model) =
                CrisisClassifier::train(&train, self.calm(), &ids, settings, &self.reading)
            else {
                return Vec::new();
            };
            lines
                .iter()
                .enumerate()
                .filter(|(i, _)| fold_of[*i] == fold)
                .map(|(i, l)| {
                    let sentences = text::sentences(&l.raw);
                    let clauses: Vec<&str> =
                        sentences.iter().flat_map(|s| text::clauses(s)).collect();
                    HeldOut {
                        line: i,
                        rules: self.rules.fire(&clauses),
                        scores: model.scores(&sentences),
                        settled: self.tense.settled(&clauses),
                    }
                })
                .collect()
        };
        let workers = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, folds);
        let mut results: Vec<HeldOut> = Vec::with_capacity(lines.len());
        for batch in (0..folds).collect::<Vec<_>>().chunks(workers) {
            std::thread::scope(|scope| {
                let handles: Vec<_> = batch
                    .iter()
                    .map(|&fold| scope.spawn(move || judged(fold)))
                    .collect();
                for handle in handles {
                    results.extend(handle.join().unwrap_or_default());
                }
            });
        }
        results.sort_by_key(|h| h.line);
        Some(results)
    }

    /// As [`Safety::cross_validate`], with other settings and thresholds (for choosing them).
    pub fn cross_validate_with(
        &self,
        folds: usize,
        settings: &TrainingSettings,
        thresholds: Thresholds,
    ) -> Option<CrossValidation> {
        let held_out = self.held_out(folds, settings)?;
        Some(self.figures(&held_out, folds, settings, thresholds))
    }

    /// The cross-validation figures of held-out judgements at these thresholds.
    pub fn figures(
        &self,
        held_out: &[HeldOut],
        folds: usize,
        settings: &TrainingSettings,
        thresholds: Thresholds,
    ) -> CrossValidation {
        let lines = &self.corpus;
        let ids: Vec<String> = self.categories.iter().map(|c| c.id.clone()).collect();
        let judged: Vec<(usize, Vec<Finding>)> = held_out
            .iter()
            .map(|h| {
                let findings = self.judge(&h.rules, Some(&h.scores), h.settled, thresholds);
                (h.line, findings)
            })
            .collect();
        let mut categories: Vec<CategoryFigures> = ids
            .iter()
            .map(|id| CategoryFigures {
                category: id.clone(),
                lines: 0,
                caught: 0,
                by_classifier: 0,
                concern: 0,
                false_alarms: 0,
            })
            .collect();
        let mut not_crisis = NotCrisisFigures {
            lines: 0,
            false_alarms: 0,
            concerns: 0,
        };
        let mut wrong = Vec::new();
        for (i, findings) in &judged {
            let line = &lines[*i];
            let crisis: Vec<&Finding> = findings
                .iter()
                .filter(|f| f.level == Level::Crisis)
                .collect();
            let concern = findings.iter().any(|f| f.level == Level::Concern);
            let by_classifier = crisis.iter().any(|f| {
                f.layers
                    .iter()
                    .any(|l| matches!(l, Layer::Classifier { .. }))
            });
            if line.label == NONE {
                not_crisis.lines += 1;
                if crisis.is_empty() {
                    not_crisis.concerns += usize::from(concern);
                    continue;
                }
                not_crisis.false_alarms += 1;
                for f in &crisis {
                    if let Some(c) = categories.iter_mut().find(|c| c.category == f.category) {
                        c.false_alarms += 1;
                    }
                }
                wrong.push(diagnostic(
                    line,
                    format!(
                        "cross-validation: this message is not a crisis, but a model trained \
                         without it takes it for one ({}); add near misses like it to \
                         not-crisis.txt, or narrow the rule",
                        explain(&crisis)
                    ),
                ));
            } else if let Some(c) = categories.iter_mut().find(|c| c.category == line.label) {
                c.lines += 1;
                if !crisis.is_empty() {
                    c.caught += 1;
                    c.by_classifier += usize::from(by_classifier);
                    continue;
                }
                c.concern += usize::from(concern);
                let best = findings
                    .iter()
                    .max_by(|a, b| a.probability.total_cmp(&b.probability))
                    .map(|f| format!("at most `{}` {:.2}, a concern", f.category, f.probability))
                    .unwrap_or_else(|| "no category reaches the concern threshold".into());
                wrong.push(diagnostic(
                    line,
                    format!(
                        "cross-validation: this `{}` message is missed by a model trained \
                         without it ({best}); add more messages like it to {}.txt, or a rule",
                        line.label, line.label
                    ),
                ));
            }
        }
        wrong.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
        CrossValidation {
            folds,
            settings: settings.fingerprint(),
            thresholds,
            categories,
            not_crisis,
            wrong,
        }
    }
}

fn diagnostic(line: &CorpusLine, message: String) -> Diagnostic {
    Diagnostic {
        path: line.path.clone(),
        line: line.line,
        column: 1,
        severity: Severity::Warning,
        message,
    }
}

fn explain(findings: &[&Finding]) -> String {
    findings
        .iter()
        .map(|f| {
            let how: Vec<String> = f
                .layers
                .iter()
                .map(|l| match l {
                    Layer::Rule { source, .. } => format!("rule at {source}"),
                    Layer::Classifier { probability, .. } => {
                        format!("classifier {probability:.2}")
                    }
                })
                .collect();
            format!("`{}`: {}", f.category, how.join(" and "))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

impl CrossValidation {
    /// One line per category, then one for the not-crisis lines, for `signpost check`.
    pub fn lines(&self) -> Vec<String> {
        let mut out = vec![format!(
            "crisis corpus, {}-fold cross-validation (crisis at {:.2}, concern at {:.2}):",
            self.folds, self.thresholds.crisis, self.thresholds.concern
        )];
        for c in &self.categories {
            out.push(format!(
                "  {:<24} recall {:.3} ({}/{}; classifier alone {}, missed but concern {})  false alarms {}",
                c.category,
                c.recall(),
                c.caught,
                c.lines,
                c.by_classifier,
                c.concern,
                c.false_alarms
            ));
        }
        let n = &self.not_crisis;
        out.push(format!(
            "  {:<24} false alarms {:.3} ({}/{}), concerns {}",
            "not-crisis",
            share(n.false_alarms, n.lines),
            n.false_alarms,
            n.lines,
            n.concerns
        ));
        out
    }
}
