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
    /// For a crisis, the category it mainly belongs to (for recall per category).
    #[serde(default)]
    pub category: Option<String>,
    /// `true`: an off-topic message that must get the honest fallback, never a service.
    #[serde(default)]
    pub fallback: Option<bool>,
    /// Entry ids for a second need in the same message, of which one should also be shown.
    #[serde(default)]
    pub also: Vec<String>,
    /// A tag for the way it is written (`scots`, `texting`, ...), for figures per voice.
    #[serde(default)]
    pub voice: Option<String>,
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
    /// The crisis categories flagged, if any.
    pub categories: Vec<String>,
    /// The category the case expected.
    pub category: Option<String>,
    /// Whether the answer was the honest fallback.
    pub fell_back: bool,
    /// What the case said about the fallback.
    pub fallback: Option<bool>,
    /// Whether an entry for the second need (`also`) was in the top three; `None` when the
    /// case names no second need.
    pub also_hit3: Option<bool>,
    /// The case's voice tag.
    pub voice: Option<String>,
}

impl Outcome {
    /// How a case went, given the ids a system returned (best first) and whether it flagged
    /// a crisis.
    pub fn new(case: &Case, got: Vec<String>, flagged: bool) -> Outcome {
        let rank = got
            .iter()
            .position(|id| case.any.contains(id))
            .map(|i| i + 1);
        let also_hit3 =
            (!case.also.is_empty()).then(|| got.iter().take(3).any(|id| case.also.contains(id)));
        Outcome {
            q: case.q.clone(),
            any: case.any.clone(),
            fell_back: got.is_empty() && !flagged,
            got: got.into_iter().take(3).collect(),
            rank,
            flagged,
            crisis: case.crisis,
            categories: Vec::new(),
            category: case.category.clone(),
            fallback: case.fallback,
            also_hit3,
            voice: case.voice.clone(),
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

    /// Whether the fallback expectation, if any, was met.
    pub fn fallback_ok(&self) -> bool {
        self.fallback.is_none_or(|f| f == self.fell_back)
    }
}

/// A share with its 95% bootstrap interval.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Figure {
    /// The share over the whole set (1.0 when the set has no such cases).
    pub value: f64,
    /// The 2.5th percentile over resamples.
    pub low: f64,
    /// The 97.5th percentile over resamples.
    pub high: f64,
    /// How many cases it is computed over.
    pub n: usize,
}

impl Figure {
    /// The mean of `values` with a percentile bootstrap interval (2,000 resamples, a fixed
    /// seed, so the same outcomes always give the same interval).
    pub fn bootstrap(values: &[f64]) -> Figure {
        use rand::{Rng, SeedableRng};
        let n = values.len();
        if n == 0 {
            return Figure {
                value: 1.0,
                low: 1.0,
                high: 1.0,
                n,
            };
        }
        let mean = |xs: &mut dyn Iterator<Item = f64>| xs.sum::<f64>() / n as f64;
        let value = mean(&mut values.iter().copied());
        let mut rng = rand::rngs::StdRng::seed_from_u64(0x5167_9057);
        let mut means: Vec<f64> = (0..2_000)
            .map(|_| mean(&mut (0..n).map(|_| values[rng.random_range(0..n)])))
            .collect();
        means.sort_by(f64::total_cmp);
        Figure {
            value,
            low: means[49],
            high: means[1_949],
            n,
        }
    }

    fn of(outcomes: &[&Outcome], score: impl Fn(&Outcome) -> f64) -> Figure {
        let values: Vec<f64> = outcomes.iter().map(|o| score(o)).collect();
        Figure::bootstrap(&values)
    }
}

impl std::fmt::Display for Figure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:.3} [{:.3}, {:.3}] (n={})",
            self.value, self.low, self.high, self.n
        )
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
    /// Share of `fallback = true` (off-topic) cases given the fallback.
    pub fallback_rate: f64,
    /// Every case, in file order.
    pub outcomes: Vec<Outcome>,
}

impl Summary {
    /// The cases that missed the top three, the crisis or the fallback expectation.
    pub fn misses(&self) -> impl Iterator<Item = &Outcome> {
        self.outcomes
            .iter()
            .filter(|o| !o.hit3() || !o.crisis_ok() || !o.fallback_ok())
    }

    /// Every figure with its 95% bootstrap interval, and crisis recall per category and
    /// figures per voice, as lines for a report.
    pub fn intervals(&self) -> Vec<String> {
        let all: Vec<&Outcome> = self.outcomes.iter().collect();
        let ranked: Vec<&Outcome> = all.iter().copied().filter(|o| !o.any.is_empty()).collect();
        let crises: Vec<&Outcome> = all
            .iter()
            .copied()
            .filter(|o| o.crisis == Some(true))
            .collect();
        let calm: Vec<&Outcome> = all
            .iter()
            .copied()
            .filter(|o| o.crisis == Some(false))
            .collect();
        let off_topic: Vec<&Outcome> = all
            .iter()
            .copied()
            .filter(|o| o.fallback == Some(true))
            .collect();
        let two_needs: Vec<&Outcome> = all
            .iter()
            .copied()
            .filter(|o| o.also_hit3.is_some())
            .collect();
        let flag = |b: bool| f64::from(u8::from(b));
        let mut lines = Vec::new();
        if !ranked.is_empty() {
            lines.push(format!(
                "hit@1          {}",
                Figure::of(&ranked, |o| flag(o.rank == Some(1)))
            ));
            lines.push(format!(
                "hit@3          {}",
                Figure::of(&ranked, |o| flag(o.hit3()))
            ));
            lines.push(format!(
                "mrr            {}",
                Figure::of(&ranked, |o| o.rank.map_or(0.0, |r| 1.0 / r as f64))
            ));
        }
        if !two_needs.is_empty() {
            lines.push(format!(
                "both needs@3   {}",
                Figure::of(&two_needs, |o| flag(o.hit3() && o.also_hit3 == Some(true)))
            ));
        }
        if !off_topic.is_empty() {
            lines.push(format!(
                "fallback       {}",
                Figure::of(&off_topic, |o| flag(o.fell_back))
            ));
        }
        if !crises.is_empty() {
            lines.push(format!(
                "crisis recall  {}",
                Figure::of(&crises, |o| flag(o.flagged))
            ));
            let mut categories: Vec<&str> = crises
                .iter()
                .filter_map(|o| o.category.as_deref())
                .collect();
            categories.sort_unstable();
            categories.dedup();
            for category in categories {
                let of: Vec<&Outcome> = crises
                    .iter()
                    .copied()
                    .filter(|o| o.category.as_deref() == Some(category))
                    .collect();
                lines.push(format!(
                    "  {category:<24} recall {}; right category {:.3}",
                    Figure::of(&of, |o| flag(o.flagged)),
                    of.iter()
                        .filter(|o| o.categories.iter().any(|c| c == category))
                        .count() as f64
                        / of.len() as f64
                ));
            }
        }
        if !calm.is_empty() {
            lines.push(format!(
                "false crisis   {}",
                Figure::of(&calm, |o| flag(o.flagged))
            ));
        }
        let mut voices: Vec<&str> = all.iter().filter_map(|o| o.voice.as_deref()).collect();
        voices.sort_unstable();
        voices.dedup();
        for voice in voices {
            let of: Vec<&Outcome> = all
                .iter()
                .copied()
                .filter(|o| o.voice.as_deref() == Some(voice))
                .collect();
            let ok = of
                .iter()
                .filter(|o| o.hit3() && o.crisis_ok() && o.fallback_ok())
                .count();
            lines.push(format!(
                "  voice {voice:<22} right {ok}/{} ({:.3})",
                of.len(),
                ok as f64 / of.len() as f64
            ));
        }
        lines
    }

    /// One line with every figure.
    pub fn line(&self) -> String {
        format!(
            "cases={} hit@1={:.3} hit@3={:.3} mrr={:.3} crisis_recall={:.3} crisis_fp_rate={:.3} fallback_rate={:.3}",
            self.cases,
            self.hit1,
            self.hit3,
            self.mrr,
            self.crisis_recall,
            self.crisis_false_positive_rate,
            self.fallback_rate
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
            let mut outcome = Outcome::new(case, got, reply.safety.is_some());
            outcome.categories = reply.crisis();
            outcome.fell_back = reply.fallback;
            outcome
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
    let off_topic: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| o.fallback == Some(true))
        .collect();
    let fallback_rate = share(
        off_topic.iter().filter(|o| o.fell_back).count(),
        off_topic.len(),
    );
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
        fallback_rate,
        outcomes,
    }
}

#[cfg(test)]
mod tests {
    use super::Figure;

    #[test]
    fn bootstrap_interval_brackets_the_share_and_is_repeatable() {
        let all = Figure::bootstrap(&[1.0; 40]);
        assert_eq!((all.value, all.low, all.high), (1.0, 1.0, 1.0));
        let half: Vec<f64> = (0..200).map(|i| f64::from(i % 2)).collect();
        let figure = Figure::bootstrap(&half);
        assert_eq!(figure.value, 0.5);
        assert!(figure.low < 0.5 && figure.high > 0.5, "{figure}");
        // Roughly ±1.96 × sqrt(0.25 / 200) ≈ ±0.07.
        assert!(figure.low > 0.4 && figure.high < 0.6, "{figure}");
        assert_eq!(figure.to_string(), Figure::bootstrap(&half).to_string());
    }
}
