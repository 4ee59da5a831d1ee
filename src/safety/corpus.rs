//! The learned layer's teaching material: `knowledge/safety/<category>.txt` and
//! `knowledge/safety/not-crisis.txt`, one message per line, plus the `examples` and
//! `not_crisis` lines of safety.toml.

use crate::error::KnowledgeError;
use crate::knowledge::diagnostics::{Diagnostic, Severity, SourceFile};
use crate::knowledge::read::FileReader;
use crate::text::normalise;
use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

/// The label of messages that are not a crisis.
pub const NONE: &str = "none";

/// The file of messages that are not a crisis, in the corpus folder.
pub const NOT_CRISIS_FILE: &str = "not-crisis.txt";

/// The longest line used, in characters: longer ones are left out with a warning.
pub const MAX_LINE_CHARS: usize = 1_000;

/// One labelled message and where it was written.
#[derive(Debug, Clone)]
pub struct CorpusLine {
    /// A crisis category id, or [`NONE`].
    pub label: String,
    /// The message as normalised for the classifier.
    pub text: String,
    /// The message as written.
    pub raw: String,
    /// The file it came from.
    pub path: PathBuf,
    /// Its line in that file, from 1.
    pub line: usize,
}

/// Reads every `.txt` file of the corpus folder, in name order, pushing a problem for each
/// unknown category file, invalid UTF-8, over-long line and duplicate. `known` are the
/// category ids of safety.toml.
pub(crate) fn read_folder(
    dir: &Path,
    reader: &FileReader,
    known: &[&str],
    problems: &mut Vec<Diagnostic>,
) -> Result<Vec<CorpusLine>, KnowledgeError> {
    let io = |source| KnowledgeError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut paths: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|x| x == "txt")
                && !p
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    paths.sort();
    let mut lines = Vec::new();
    for path in paths {
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let label = if path.file_name().is_some_and(|n| n == NOT_CRISIS_FILE) {
            NONE.to_string()
        } else if known.contains(&stem.as_str()) {
            stem
        } else {
            problems.push(Diagnostic {
                path: path.clone(),
                line: 1,
                column: 1,
                severity: Severity::Error,
                message: format!(
                    "`{stem}` is not a crisis category of safety.toml: name the file after one \
                     of {}, or `{NOT_CRISIS_FILE}` for messages that are not a crisis",
                    known
                        .iter()
                        .map(|k| format!("`{k}.txt`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
            continue;
        };
        // The folder's reader checks the file type and size first and reports bad encoding
        // at its line and column, so nothing here can block or run out of memory.
        let text = match reader.read(&path) {
            Ok(text) => text,
            Err(unreadable) => {
                problems.push(unreadable);
                continue;
            }
        };
        read_lines(&path, &text, &label, &mut lines, problems);
    }
    Ok(lines)
}

/// The messages of one file, one a line: `#` starts a comment line, blank lines are skipped.
pub(crate) fn read_lines(
    path: &Path,
    text: &str,
    label: &str,
    lines: &mut Vec<CorpusLine>,
    problems: &mut Vec<Diagnostic>,
) {
    let file = SourceFile::new(path, text);
    let mut offset = 0;
    for (index, raw) in text.split_inclusive('\n').enumerate() {
        let at = offset;
        offset += raw.len();
        let message = raw
            .trim_end_matches(['\n', '\r'])
            .trim_start_matches('\u{feff}');
        let trimmed = message.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let chars = message.chars().count();
        if chars > MAX_LINE_CHARS {
            problems.push(file.warning(
                at + message.char_indices().nth(MAX_LINE_CHARS).map_or(0, |(i, _)| i),
                format!(
                    "this line is {chars} characters long, over the {MAX_LINE_CHARS} a line may \
                     have: it is left out; shorten it to the words that matter"
                ),
            ));
            continue;
        }
        let normalised = normalise(message);
        if normalised.is_empty() {
            problems.push(file.warning(at, "this line has no words: it is left out"));
            continue;
        }
        lines.push(CorpusLine {
            label: label.to_string(),
            text: normalised,
            raw: message.to_string(),
            path: path.to_path_buf(),
            line: index + 1,
        });
    }
}

/// Reports lines that say the same thing (once normalised) twice: an error when they carry
/// different labels (the model cannot learn both), a warning when it is the same label.
/// Keeps the first of each.
pub(crate) fn dedup(lines: Vec<CorpusLine>, problems: &mut Vec<Diagnostic>) -> Vec<CorpusLine> {
    let mut first: HashMap<String, usize> = HashMap::new();
    let mut kept: Vec<CorpusLine> = Vec::with_capacity(lines.len());
    for line in lines {
        match first.get(&line.text) {
            Some(&i) => {
                let other = &kept[i];
                let from_rules = |l: &CorpusLine| l.path.extension().is_some_and(|x| x == "toml");
                if other.label == line.label && from_rules(other) != from_rules(&line) {
                    // A corpus file may repeat an example of safety.toml: that is no mistake.
                    continue;
                }
                let (severity, message) = if other.label == line.label {
                    (
                        Severity::Warning,
                        format!(
                            "the same message is already at {}:{}: delete one",
                            other.path.display(),
                            other.line
                        ),
                    )
                } else {
                    (
                        Severity::Error,
                        format!(
                            "the same message is at {}:{} as `{}`, and here as `{}`: a message \
                             can be only one of them; delete the wrong one",
                            other.path.display(),
                            other.line,
                            other.label,
                            line.label
                        ),
                    )
                };
                problems.push(Diagnostic {
                    path: line.path.clone(),
                    line: line.line,
                    column: 1,
                    severity,
                    message,
                });
            }
            None => {
                first.insert(line.text.clone(), kept.len());
                kept.push(line);
            }
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_blank_and_long_lines_are_skipped() {
        let mut lines = Vec::new();
        let mut problems = Vec::new();
        let long = "a".repeat(MAX_LINE_CHARS + 1);
        let text = format!("# a comment\n\nI'm done.\r\n  \n{long}\n!!!\nlast line");
        read_lines(
            Path::new("x.txt"),
            &text,
            "overdose",
            &mut lines,
            &mut problems,
        );
        let got: Vec<(usize, &str)> = lines.iter().map(|l| (l.line, l.text.as_str())).collect();
        assert_eq!(got, [(3, "im done"), (7, "last line")]);
        let at: Vec<(usize, usize, Severity)> = problems
            .iter()
            .map(|p| (p.line, p.column, p.severity))
            .collect();
        assert_eq!(
            at,
            [
                (5, MAX_LINE_CHARS + 1, Severity::Warning),
                (6, 1, Severity::Warning)
            ]
        );
    }

    #[test]
    fn duplicates_are_reported_by_label() {
        let line = |label: &str, text: &str, n| CorpusLine {
            label: label.into(),
            text: text.into(),
            raw: text.into(),
            path: PathBuf::from(format!("{label}.txt")),
            line: n,
        };
        let mut problems = Vec::new();
        let kept = dedup(
            vec![
                line("overdose", "took the lot", 1),
                line("overdose", "took the lot", 2),
                line("none", "took the lot", 3),
                line("none", "fine", 4),
            ],
            &mut problems,
        );
        assert_eq!(kept.len(), 2);
        assert_eq!(problems[0].severity, Severity::Warning);
        assert_eq!(problems[1].severity, Severity::Error);
        assert!(
            problems[1].message.contains("overdose.txt:1"),
            "{}",
            problems[1]
        );
    }
}
