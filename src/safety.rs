//! Crisis triage: the rules of `knowledge/safety.toml`, compiled and run on every message
//! before anything else.

use crate::knowledge::diagnostics::{Diagnostic, SourceFile};
use crate::text::normalise;
use regex::{Regex, RegexBuilder};
use serde::Deserialize;
use std::collections::HashSet;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SafetyFile {
    /// What shows with every crisis, above the category's own message.
    emergency: String,
    /// Messages that mention crime or harm without present danger: none may trigger.
    #[serde(default)]
    not_crisis: Vec<Spanned<String>>,
    #[serde(default, rename = "category")]
    categories: Vec<CategoryFile>,
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
    unless: Vec<Spanned<String>>,
    #[serde(default)]
    examples: Vec<Spanned<String>>,
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
    /// Entries to show first, in order.
    pub show: Vec<String>,
    patterns: Vec<Regex>,
    unless: Vec<Regex>,
}

impl CrisisCategory {
    fn matches(&self, normalised: &str) -> bool {
        self.patterns.iter().any(|p| p.is_match(normalised))
            && !self.unless.iter().any(|p| p.is_match(normalised))
    }
}

/// The compiled crisis rules.
#[derive(Debug, Clone)]
pub struct SafetyRules {
    /// Shown with every crisis: 999 first.
    pub emergency: String,
    /// The categories, in the order the file lists them.
    pub categories: Vec<CrisisCategory>,
}

impl SafetyRules {
    /// The categories a message falls into, in file order; empty when it is not a crisis.
    pub fn triage(&self, text: &str) -> Vec<&CrisisCategory> {
        // Crisis wording comes early; capping keeps a 10,000-character paste cheap.
        let head: String = text.chars().take(4_000).collect();
        let normalised = normalise(&head);
        self.categories
            .iter()
            .filter(|c| c.matches(&normalised))
            .collect()
    }

    /// Parses and checks the file, pushing every problem found. `known_ids` are the entries
    /// of the folder, for checking `show`. Returns the rules when nothing was an error.
    pub(crate) fn parse(
        file: &SourceFile<'_>,
        known_ids: &HashSet<String>,
        problems: &mut Vec<Diagnostic>,
    ) -> Option<SafetyRules> {
        let raw: SafetyFile = match toml::from_str(file.text) {
            Ok(raw) => raw,
            Err(err) => {
                problems.push(file.toml_error(0, &err));
                return None;
            }
        };
        let before = problems.len();
        let compile =
            |pattern: &Spanned<String>, problems: &mut Vec<Diagnostic>| match RegexBuilder::new(
                pattern.get_ref(),
            )
            .size_limit(1 << 20)
            .build()
            {
                Ok(re) => Some(re),
                Err(err) => {
                    let first = err.to_string();
                    let reason = first.lines().last().unwrap_or("invalid pattern").trim();
                    problems.push(file.error(
                        pattern.span().start,
                        format!(
                            "safety pattern does not compile: {}",
                            reason.trim_start_matches("error: ")
                        ),
                    ));
                    None
                }
            };

        let mut categories = Vec::new();
        let mut seen = HashSet::new();
        for cat in &raw.categories {
            if !seen.insert(cat.id.get_ref().clone()) {
                problems.push(file.error(
                    cat.id.span().start,
                    format!("duplicate safety category `{}`", cat.id.get_ref()),
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
            let patterns: Vec<Regex> = cat
                .patterns
                .iter()
                .filter_map(|p| compile(p, problems))
                .collect();
            let unless: Vec<Regex> = cat
                .unless
                .iter()
                .filter_map(|p| compile(p, problems))
                .collect();
            categories.push(CrisisCategory {
                id: cat.id.get_ref().clone(),
                title: cat.title.clone(),
                message: cat.message.clone(),
                show: cat.show.iter().map(|s| s.get_ref().clone()).collect(),
                patterns,
                unless,
            });
        }
        let rules = SafetyRules {
            emergency: raw.emergency,
            categories,
        };

        // The file carries its own test cases: each example must trigger its category and
        // no near miss may trigger anything.
        if problems.len() == before {
            for (cat, file_cat) in rules.categories.iter().zip(&raw.categories) {
                for example in &file_cat.examples {
                    if !cat.matches(&normalise(example.get_ref())) {
                        problems.push(file.error(
                            example.span().start,
                            format!(
                                "example is not caught by category `{}`: add or widen a pattern",
                                cat.id
                            ),
                        ));
                    }
                }
            }
            for near_miss in &raw.not_crisis {
                let hits: Vec<&str> = rules
                    .triage(near_miss.get_ref())
                    .iter()
                    .map(|c| c.id.as_str())
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
        }
        (problems.len() == before).then_some(rules)
    }
}
