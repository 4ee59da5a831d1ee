//! The readable layer: the regular expressions of `knowledge/safety.toml`, run clause by
//! clause so that an `unless` cancels only what its own clause says.

use crate::knowledge::diagnostics::{Diagnostic, SourceFile};
use regex::bytes::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};
use toml::Spanned;

/// What the rules of one category found in a message: the line in safety.toml of the first
/// crisis pattern and of the first concern pattern that fired, if any.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Fired {
    /// A `patterns` line: the category is a crisis.
    pub crisis: Option<usize>,
    /// A `concern_patterns` line: plausible, not decisive; the category is at least a concern.
    pub concern: Option<usize>,
}

/// The compiled patterns of every category, with where each was written.
#[derive(Debug, Clone)]
pub(crate) struct Rules {
    patterns: RegexSet,
    /// For each pattern: its category (index), line in safety.toml, and whether it is a
    /// concern pattern.
    pattern_at: Vec<(usize, usize, bool)>,
    unless: RegexSet,
    /// For each `unless`: its category (index).
    unless_of: Vec<usize>,
    categories: usize,
}

/// What one category's `patterns` and `unless` lists hold, as written.
pub(crate) struct Written<'a> {
    pub patterns: &'a [Spanned<String>],
    pub concern_patterns: &'a [Spanned<String>],
    pub unless: &'a [Spanned<String>],
}

impl Rules {
    /// Compiles every pattern, pushing an error at the pattern for each that does not compile.
    pub fn compile(
        file: &SourceFile<'_>,
        categories: &[Written<'_>],
        problems: &mut Vec<Diagnostic>,
    ) -> Option<Rules> {
        let before = problems.len();
        let mut patterns = Vec::new();
        let mut pattern_at = Vec::new();
        let mut unless = Vec::new();
        let mut unless_of = Vec::new();
        for (index, category) in categories.iter().enumerate() {
            let levelled = category
                .patterns
                .iter()
                .map(|p| (p, false))
                .chain(category.concern_patterns.iter().map(|p| (p, true)));
            for (pattern, concern) in levelled {
                if compiles(file, pattern, problems) {
                    patterns.push(pattern.get_ref().as_str());
                    pattern_at.push((index, file.position(pattern.span().start).0, concern));
                }
            }
            for pattern in category.unless {
                if compiles(file, pattern, problems) {
                    unless.push(pattern.get_ref().as_str());
                    unless_of.push(index);
                }
            }
        }
        if problems.len() > before {
            return None;
        }
        let set = |patterns: &[&str]| {
            RegexSetBuilder::new(patterns)
                .unicode(false)
                .size_limit(1 << 24)
                // The lazy DFA's cache of states, kept for as long as the rules: checking the
                // file's thousands of calm lines at load filled 16 MiB of room to about 7 MiB.
                // At 2 MiB (the crate's default) answers take as long.
                .dfa_size_limit(1 << 21)
                .build()
        };
        match (set(&patterns), set(&unless)) {
            (Ok(patterns), Ok(unless)) => Some(Rules {
                patterns,
                pattern_at,
                unless,
                unless_of,
                categories: categories.len(),
            }),
            (Err(err), _) | (_, Err(err)) => {
                problems.push(file.error(
                    0,
                    format!("the safety patterns together are too large to compile: {err}"),
                ));
                None
            }
        }
    }

    /// For each category (by index), the lines in safety.toml of the first crisis pattern and
    /// the first concern pattern that fire in these clauses of a message, if any.
    ///
    /// A pattern fires when it matches inside one clause, or across two clauses side by side,
    /// and no `unless` of its category matches in the clause (or clauses) it matched in: "it
    /// started years ago" cannot cancel "but he's outside the door now". Each clause is read
    /// at most three times, so this is linear in the length of the message.
    pub fn fire(&self, clauses: &[&str]) -> Vec<Fired> {
        let mut fired = vec![Fired::default(); self.categories];
        let mut joined = String::new();
        // A clause's `unless` patterns are read only when a pattern fires on it or on it
        // joined to a neighbour: most messages (and every calm line checked at load) fire
        // none, and reading which of a set matches costs far more than whether any does.
        let mut unless: Vec<Option<Vec<bool>>> = vec![None; clauses.len()];
        let mut unless_at = |i: usize| -> Vec<bool> {
            unless[i]
                .get_or_insert_with(|| self.unless_in(clauses[i]))
                .clone()
        };
        for (i, clause) in clauses.iter().enumerate() {
            if self.patterns.is_match(clause.as_bytes()) {
                self.record(clause.as_bytes(), &[&unless_at(i)], &mut fired);
            }
            if i > 0 {
                joined.clear();
                joined.push_str(clauses[i - 1]);
                joined.push(' ');
                joined.push_str(clause);
                if self.patterns.is_match(joined.as_bytes()) {
                    let (before, after) = (unless_at(i - 1), unless_at(i));
                    self.record(joined.as_bytes(), &[&before, &after], &mut fired);
                }
            }
        }
        fired
    }

    /// Which categories have an `unless` matching in this clause.
    fn unless_in(&self, clause: &str) -> Vec<bool> {
        let mut cancelled = vec![false; self.categories];
        if !self.unless.is_empty() {
            for i in self.unless.matches(clause.as_bytes()).iter() {
                cancelled[self.unless_of[i]] = true;
            }
        }
        cancelled
    }

    /// Records the patterns firing on `text`, less those of categories `cancelled`; called
    /// only for a text some pattern matches.
    fn record(&self, text: &[u8], cancelled: &[&Vec<bool>], fired: &mut [Fired]) {
        for i in self.patterns.matches(text).iter() {
            let (category, line, concern) = self.pattern_at[i];
            if cancelled.iter().any(|c| c[category]) {
                continue;
            }
            let slot = if concern {
                &mut fired[category].concern
            } else {
                &mut fired[category].crisis
            };
            if slot.is_none() {
                *slot = Some(line);
            }
        }
    }
}

/// Whether a pattern compiles on its own; if not, an error at the pattern saying why.
fn compiles(
    file: &SourceFile<'_>,
    pattern: &Spanned<String>,
    problems: &mut Vec<Diagnostic>,
) -> bool {
    match RegexBuilder::new(pattern.get_ref())
        .unicode(false)
        .size_limit(1 << 20)
        .build()
    {
        Ok(_) => true,
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
            false
        }
    }
}

/// When what a message tells of happens, from the `past` and `present` patterns of
/// safety.toml's `[classifier]` table: "years ago" or "I'm fine now" say it is over; "right
/// now" or "tonight" say it is not.
#[derive(Debug, Clone, Default)]
pub struct Tense {
    past: Vec<Regex>,
    present: Option<RegexSet>,
}

impl Tense {
    /// Compiles both lists, pushing an error at each pattern that does not compile.
    pub fn compile(
        file: &SourceFile<'_>,
        past: &[Spanned<String>],
        present: &[Spanned<String>],
        problems: &mut Vec<Diagnostic>,
    ) -> Option<Tense> {
        let before = problems.len();
        let past: Vec<Regex> = past
            .iter()
            .filter(|p| compiles(file, p, problems))
            .filter_map(|p| {
                RegexBuilder::new(p.get_ref())
                    .unicode(false)
                    .size_limit(1 << 20)
                    .build()
                    .ok()
            })
            .collect();
        let present_ok: Vec<&str> = present
            .iter()
            .filter(|p| compiles(file, p, problems))
            .map(|p| p.get_ref().as_str())
            .collect();
        if problems.len() > before {
            return None;
        }
        let present = if present_ok.is_empty() {
            None
        } else {
            match RegexSetBuilder::new(&present_ok)
                .unicode(false)
                .size_limit(1 << 24)
                .build()
            {
                Ok(set) => Some(set),
                Err(err) => {
                    problems.push(file.error(
                        0,
                        format!("the `present` patterns together are too large to compile: {err}"),
                    ));
                    return None;
                }
            }
        };
        Some(Tense { past, present })
    }

    /// Whether these clauses of a message tell only of what is over: a `past` pattern matches
    /// in one of them, and no `present` pattern matches anywhere outside what the `past`
    /// patterns matched ("I'm fine now" is over; "years ago, and again tonight" is not). Each
    /// clause is read once per pattern, so this is linear in the length of the message.
    pub fn settled(&self, clauses: &[&str]) -> bool {
        let mut over = false;
        for clause in clauses {
            let mut rest = std::borrow::Cow::Borrowed(clause.as_bytes());
            for pattern in &self.past {
                if pattern.is_match(&rest) {
                    over = true;
                    rest =
                        std::borrow::Cow::Owned(pattern.replace_all(&rest, &b" "[..]).into_owned());
                }
            }
            if self.present.as_ref().is_some_and(|p| p.is_match(&rest)) {
                return false;
            }
        }
        over
    }
}
