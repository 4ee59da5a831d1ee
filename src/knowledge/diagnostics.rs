//! Problems found in a knowledge folder, reported like a compiler: `path:line:column: error: message`.

use serde::Serialize;
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
pub(crate) struct SourceFile<'a> {
    pub path: &'a Path,
    pub text: &'a str,
}

impl SourceFile<'_> {
    /// Line and column (from 1) of a byte offset; offsets past the end point at the end.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = self.text[line_start..offset].chars().count() + 1;
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
