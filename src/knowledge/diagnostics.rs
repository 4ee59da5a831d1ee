//! Problems found in a knowledge folder, reported like a compiler: `path:line:column: error: message`.

use serde::Serialize;
use std::cell::OnceCell;
use std::fmt;
use std::path::{Path, PathBuf};

/// How serious a problem is: errors stop a folder from loading, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth fixing, but the folder still loads.
    Warning,
    /// The folder cannot be used until this is fixed.
    Error,
}

/// One problem, at a line and column of a file (both counted from 1, in the whole file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// The file at fault.
    pub path: PathBuf,
    /// Line in the whole file, from 1.
    pub line: usize,
    /// Column in characters, from 1.
    pub column: usize,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong, in words an admin can act on.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(
            f,
            "{}:{}:{}: {}: {}",
            self.path.display(),
            self.line,
            self.column,
            severity,
            self.message
        )
    }
}

/// A file's text with the means to turn byte offsets into line and column.
///
/// The first position asked for builds an index of line starts and character counts, so each
/// later one costs a binary search and a few hundred bytes of counting, however long the
/// file or its lines: a file with 200,000 bad `see_also` ids is reported in linear time.
pub(crate) struct SourceFile<'a> {
    pub path: &'a Path,
    pub text: &'a str,
    index: OnceCell<LineIndex>,
}

/// Bytes between two character-count checkpoints.
const CHECKPOINT: usize = 512;

/// Where lines start, and how many characters come before every [`CHECKPOINT`]th byte.
struct LineIndex {
    line_starts: Vec<usize>,
    chars_before_checkpoint: Vec<usize>,
}

/// Whether a byte begins a character (is not a UTF-8 continuation byte).
fn starts_char(b: &u8) -> bool {
    b & 0xC0 != 0x80
}

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let line_starts = std::iter::once(0)
            .chain(
                bytes
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| **b == b'\n')
                    .map(|(i, _)| i + 1),
            )
            .collect();
        let mut chars = 0;
        let mut chars_before_checkpoint = Vec::with_capacity(bytes.len() / CHECKPOINT + 1);
        for chunk in bytes.chunks(CHECKPOINT) {
            chars_before_checkpoint.push(chars);
            chars += chunk.iter().filter(|b| starts_char(b)).count();
        }
        chars_before_checkpoint.push(chars);
        LineIndex {
            line_starts,
            chars_before_checkpoint,
        }
    }

    /// How many characters begin before byte `offset`.
    fn chars_before(&self, bytes: &[u8], offset: usize) -> usize {
        let checkpoint = offset / CHECKPOINT;
        self.chars_before_checkpoint[checkpoint]
            + bytes[checkpoint * CHECKPOINT..offset]
                .iter()
                .filter(|b| starts_char(b))
                .count()
    }
}

impl<'a> SourceFile<'a> {
    /// A file's path and its whole text.
    pub fn new(path: &'a Path, text: &'a str) -> SourceFile<'a> {
        SourceFile {
            path,
            text,
            index: OnceCell::new(),
        }
    }

    /// Line and column (from 1) of a byte offset; offsets past the end point at the end.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let index = self.index.get_or_init(|| LineIndex::new(self.text));
        let line = index.line_starts.partition_point(|&start| start <= offset);
        let line_start = index.line_starts[line - 1];
        let bytes = self.text.as_bytes();
        let column = index.chars_before(bytes, offset) - index.chars_before(bytes, line_start) + 1;
        (line, column)
    }

    pub fn at(&self, offset: usize, severity: Severity, message: impl Into<String>) -> Diagnostic {
        let (line, column) = self.position(offset);
        Diagnostic {
            path: self.path.to_path_buf(),
            line,
            column,
            severity,
            message: message.into(),
        }
    }

    pub fn error(&self, offset: usize, message: impl Into<String>) -> Diagnostic {
        self.at(offset, Severity::Error, message)
    }

    pub fn warning(&self, offset: usize, message: impl Into<String>) -> Diagnostic {
        self.at(offset, Severity::Warning, message)
    }

    /// A TOML error found in `self.text[base..]`, placed where the parser pointed.
    pub fn toml_error(&self, base: usize, err: &toml::de::Error) -> Diagnostic {
        let offset = base + err.span().map_or(0, |s| s.start);
        let message = err.message().trim().replace('\n', " ");
        self.error(offset, message)
    }
}

/// Everything `signpost check` found in a folder, with the counts for its summary line.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// Every problem, ordered by file, line and column.
    pub diagnostics: Vec<Diagnostic>,
    /// How many entries were read (valid or not).
    pub entries: usize,
    /// Of which services.
    pub services: usize,
    /// Of which topics.
    pub topics: usize,
    /// The crisis classifier's cross-validation, when it was asked for and there is a corpus.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cross_validation: Option<crate::safety::CrossValidation>,
}

impl Report {
    /// How many errors.
    pub fn errors(&self) -> usize {
        self.count(Severity::Error)
    }

    /// How many warnings.
    pub fn warnings(&self) -> usize {
        self.count(Severity::Warning)
    }

    /// Whether any problem is an error.
    pub fn has_errors(&self) -> bool {
        self.errors() > 0
    }

    fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }

    /// One line: entries, services, topics, warnings and errors.
    pub fn summary(&self) -> String {
        format!(
            "{} entries ({} services, {} topics): {} error{}, {} warning{}",
            self.entries,
            self.services,
            self.topics,
            self.errors(),
            if self.errors() == 1 { "" } else { "s" },
            self.warnings(),
            if self.warnings() == 1 { "" } else { "s" },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Line and column counted the slow, obvious way.
    fn naive(text: &str, offset: usize) -> (usize, usize) {
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        (line, text[line_start..offset].chars().count() + 1)
    }

    #[test]
    fn positions_match_counting_from_the_start() {
        // Long lines, multi-byte characters across checkpoints, empty lines, no final newline.
        let mut text = String::new();
        for i in 0..40 {
            text.push_str(&"é✓a🙂".repeat(i * 7));
            text.push('\n');
            if i % 5 == 0 {
                text.push('\n');
            }
        }
        text.push_str("last line, no newline");
        let file = SourceFile::new(Path::new("x.md"), &text);
        for offset in (0..=text.len()).filter(|&o| text.is_char_boundary(o)) {
            assert_eq!(
                file.position(offset),
                naive(&text, offset),
                "offset {offset}"
            );
        }
        // Past the end, and inside a character: the end, and the character's start.
        let end = naive(&text, text.len());
        assert_eq!(file.position(text.len() + 10), end);
        let inside = text.find('é').unwrap() + 1;
        assert_eq!(file.position(inside), naive(&text, inside - 1));
    }

    #[test]
    fn an_empty_file_is_at_one_one() {
        assert_eq!(SourceFile::new(Path::new("x"), "").position(5), (1, 1));
    }
}
