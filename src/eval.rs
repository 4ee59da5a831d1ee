//! Retrieval quality on a question set: hit@1, hit@3, MRR, crisis recall and false crises.

use crate::assistant::{Assistant, Turn};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Why a case file could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EvalError {
    /// The file could not be read.
    #[error("could not read the cases file `{path}`")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid TOML in the expected shape.
    #[error("`{path}` is not a valid cases file: {message}")]
    Format {
        /// The file.
        path: PathBuf,
        /// What the parser said, with where.
        message: String,
    },
}

/// One question and what a good answer must contain.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// What a person types.
    pub q: String,
    /// Entry ids of which at least one must be in the top three.
    #[serde(default)]
    pub any: Vec<String>,
    /// `true`: must be flagged as a crisis; `false`: must not; absent: either.
    pub crisis: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CasesFile {
    #[serde(rename = "case")]
    cases: Vec<Case>,
}

/// Reads a cases file.
pub fn read_cases(path: &Path) -> Result<Vec<Case>, EvalError> {
    let text = std::fs::read_to_string(path).map_err(|source| EvalError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    toml::from_str::<CasesFile>(&text)
        .map(|f| f.cases)
        .map_err(|e| EvalError::Format {
            path: path.to_path_buf(),
            message: e.to_string().trim().replace('\n', " "),
        })
}

/// How one case went.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// The question.
    pub q: String,
    /// What was expected in the top three.
    pub any: Vec<String>,
    /// The top results, best first.
    pub got: Vec<String>,
    /// Rank (from 1) of the first expected entry, if any was returned.
    pub rank: Option<usize>,
    /// Whether a crisis was flagged.
    pub flagged: bool,
    /// What the case said about crisis.
    pub crisis: Option<bool>,
}

impl Outcome {
    /// How a case went, given the ids a system returned (best first) and whether it flagged
    /// a crisis.
    pub fn new(case: &Case, got: Vec<String>, flagged: bool) -> Outcome {
        let rank = got
            .iter()
            .position(|id| case.any.contains(id))
            .map(|i| i + 1);
        Outcome {
            q: case.q.clone(),
            any: case.any.clone(),
            got: got.into_iter().take(3).collect(),
            rank,
            flagged,
            crisis: case.crisis,
        }
    }

    /// Whether an expected entry is in the top three (or nothing was expected).
    pub fn hit3(&self) -> bool {
        self.any.is_empty() || self.rank.is_some_and(|r| r <= 3)
    }

    /// Whether the crisis expectation, if any, was met.
    pub fn crisis_ok(&self) -> bool {
        self.crisis.is_none_or(|c| c == self.flagged)
    }
}

/// The figures over a whole set.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Number of cases.
    pub cases: usize,
    /// Share with an expected entry first.
    pub hit1: f64,
    /// Share with an expected entry in the top three.
    pub hit3: f64,
    /// Mean reciprocal rank of the first expected entry.
    pub mrr: f64,
    /// Share of `crisis = true` cases flagged.
    pub crisis_recall: f64,
    /// Share of `crisis = false` cases wrongly flagged.
    pub crisis_false_positive_rate: f64,
    /// Every case, in file order.
    pub outcomes: Vec<Outcome>,
}

impl Summary {
    /// The cases that missed the top three or the crisis expectation.
    pub fn misses(&self) -> impl Iterator<Item = &Outcome> {
        self.outcomes.iter().filter(|o| !o.hit3() || !o.crisis_ok())
    }

    /// One line with every figure.
    pub fn line(&self) -> String {
        format!(
            "cases={} hit@1={:.3} hit@3={:.3} mrr={:.3} crisis_recall={:.3} crisis_fp_rate={:.3}",
            self.cases,
            self.hit1,
            self.hit3,
            self.mrr,
            self.crisis_recall,
            self.crisis_false_positive_rate
        )
    }
}

/// Runs every case through the assistant.
pub fn evaluate(assistant: &Assistant, cases: &[Case]) -> Summary {
    let outcomes: Vec<Outcome> = cases
        .iter()
        .map(|case| {
            let reply = assistant.answer(&Turn::new(&case.q));
            // Weak matches are not shown to the person, so they do not count.
            let got: Vec<String> = reply
                .results
                .iter()
                .filter(|h| h.reason != "weak")
                .map(|h| h.id.clone())
                .collect();
            Outcome::new(case, got, reply.safety.is_some())
        })
        .collect();
    summarise(outcomes)
}

/// Computes the figures from outcomes, however they were produced (a baseline, say).
pub fn summarise(outcomes: Vec<Outcome>) -> Summary {
    let ranked: Vec<&Outcome> = outcomes.iter().filter(|o| !o.any.is_empty()).collect();
    let share = |n: usize, d: usize| if d == 0 { 1.0 } else { n as f64 / d as f64 };
    let hit1 = share(
        ranked.iter().filter(|o| o.rank == Some(1)).count(),
        ranked.len(),
    );
    let hit3 = share(ranked.iter().filter(|o| o.hit3()).count(), ranked.len());
    let mrr = if ranked.is_empty() {
        1.0
    } else {
        ranked
            .iter()
            .map(|o| o.rank.map_or(0.0, |r| 1.0 / r as f64))
            .sum::<f64>()
            / ranked.len() as f64
    };
    let crises: Vec<&Outcome> = outcomes.iter().filter(|o| o.crisis == Some(true)).collect();
    let calm: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| o.crisis == Some(false))
        .collect();
    let crisis_recall = share(crises.iter().filter(|o| o.flagged).count(), crises.len());
    let false_positives = calm.iter().filter(|o| o.flagged).count();
    Summary {
        cases: outcomes.len(),
        hit1,
        hit3,
        mrr,
        crisis_recall,
        crisis_false_positive_rate: if calm.is_empty() {
            0.0
        } else {
            false_positives as f64 / calm.len() as f64
        },
        outcomes,
    }
}
