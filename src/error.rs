//! Typed errors of the core.

use crate::knowledge::Report;
use std::path::PathBuf;

/// Why a knowledge folder could not be read or used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KnowledgeError {
    /// The path given is not a folder.
    #[error("the knowledge folder `{0}` does not exist or is not a folder")]
    NotAFolder(PathBuf),
    /// A file could not be read.
    #[error("could not read `{path}`")]
    Io {
        /// The file or folder at fault.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// An environment variable that sets how the folder is read has a value that makes no sense.
    #[error("{variable}=`{value}` is not valid: expected {expected}")]
    Setting {
        /// The variable, e.g. `SIGNPOST_MAX_FILE_BYTES`.
        variable: &'static str,
        /// Its value (at most 40 characters of it).
        value: String,
        /// What it should be.
        expected: &'static str,
    },
    /// The folder has errors; the report lists each with its file, line and column.
    #[error("the knowledge folder `{}` has {} error(s):\n{}", path.display(), report.errors(), errors_of(report))]
    Invalid {
        /// The folder at fault.
        path: PathBuf,
        /// Every problem found.
        report: Box<Report>,
    },
}

fn errors_of(report: &Report) -> String {
    report
        .diagnostics
        .iter()
        .filter(|d| d.severity == crate::knowledge::Severity::Error)
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Why the search index could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IndexError {
    /// Tantivy refused to build or open the in-memory index.
    #[error("could not build the search index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
}

/// Any error of the core.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The knowledge folder could not be loaded.
    #[error(transparent)]
    Knowledge(#[from] KnowledgeError),
    /// The index could not be built.
    #[error(transparent)]
    Index(#[from] IndexError),
}
