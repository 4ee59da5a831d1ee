use crate::common::{fixture, shipped_dir};
use signpost::knowledge::{self, Severity};

/// (file, line, column, severity, words the message must contain)
const EXPECTED: &[(&str, usize, usize, Severity, &str)] = &[
    ("safety.toml", 8, 25, Severity::Error, "does not compile"),
    (
        "services/Bad_Name.md",
        1,
        1,
        Severity::Error,
        "lowercase words joined by `-`",
    ),
    (
        "services/bad-audience.md",
        4,
        26,
        Severity::Error,
        "unknown variant `criminals`",
    ),
    (
        "services/bad-toml.md",
        3,
        25,
        Severity::Error,
        "invalid basic string",
    ),
    (
        "services/empty-body.md",
        13,
        1,
        Severity::Error,
        "empty body",
    ),
    (
        "services/long-short-title.md",
        3,
        15,
        Severity::Error,
        "`short_title` is 32 characters long; keep it to 28",
    ),
    (
        "services/missing-field.md",
        2,
        1,
        Severity::Error,
        "missing field `summary`",
    ),
    (
        "services/no-front-matter.md",
        1,
        1,
        Severity::Error,
        "no front matter",
    ),
    (
        "services/old-and-quiet.md",
        2,
        1,
        Severity::Warning,
        "no `questions`",
    ),
    (
        "services/old-and-quiet.md",
        2,
        1,
        Severity::Warning,
        "no `[[contacts]]`",
    ),
    (
        "services/old-and-quiet.md",
        2,
        9,
        Severity::Warning,
        "`title` is 30 characters long, so buttons cut it off: add a `short_title`",
    ),
    (
        "services/old-and-quiet.md",
        5,
        12,
        Severity::Warning,
        "over 12 months ago",
    ),
    (
        "services/unclosed.md",
        1,
        1,
        Severity::Error,
        "never closed",
    ),
    (
        "services/unknown-field.md",
        8,
        1,
        Severity::Error,
        "unknown field `phone`",
    ),
    ("topics/dup.md", 1, 1, Severity::Error, "duplicate id `dup`"),
    (
        "topics/see-also-missing.md",
        8,
        27,
        Severity::Error,
        "`no-such-entry`",
    ),
];

#[test]
fn check_names_file_line_and_column_of_every_problem() {
    let dir = fixture("broken");
    let report = knowledge::check(&dir).unwrap();
    for (file, line, column, severity, words) in EXPECTED {
        let found = report.diagnostics.iter().any(|d| {
            d.path == dir.join(file)
                && d.line == *line
                && d.column == *column
                && d.severity == *severity
                && d.message.contains(words)
        });
        assert!(
            found,
            "expected {file}:{line}:{column}: {severity:?} containing {words:?}; got:\n{}",
            report
                .diagnostics
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    assert_eq!(report.diagnostics.len(), EXPECTED.len());
    assert_eq!(report.errors(), 12);
    assert_eq!(report.warnings(), 4);
    assert_eq!(report.entries, 14);
}

#[test]
fn a_broken_folder_does_not_load() {
    let err = signpost::Assistant::load(&fixture("broken"))
        .err()
        .expect("refused");
    let text = err.to_string();
    assert!(text.contains("12 error(s)"), "{text}");
    assert!(text.contains("bad-toml.md:3:25"), "{text}");
}

#[test]
fn safety_examples_and_near_misses_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("small"), dir.path());
    let path = dir.path().join("safety.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    // A near miss that the suicide pattern catches, and an example nothing catches.
    let text = text.replace(
        "not_crisis = [",
        "not_crisis = [\"killing myself laughing at that\", ",
    );
    let text = text.replace(
        "examples = [\"I want to kill myself\"]",
        "examples = [\"I want to kill myself\", \"everything is fine\"]",
    );
    std::fs::write(&path, text).unwrap();
    let report = knowledge::check(dir.path()).unwrap();
    let messages: Vec<String> = report.diagnostics.iter().map(|d| d.to_string()).collect();
    assert!(
        messages.iter().any(|m| m.contains("safety.toml:2:")
            && m.contains("near miss is wrongly caught by `suicide-self-harm`")),
        "{messages:#?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("example is not caught by category `suicide-self-harm`")),
        "{messages:#?}"
    );
}

#[test]
fn other_subjects_lines_are_checked_where_they_are() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("small"), dir.path());
    let long = "word ".repeat(300);
    std::fs::write(
        dir.path().join("other-subjects.txt"),
        format!("# a comment\nhow do I charge my phone\n\n{long}\nhow do I charge my phone\n"),
    )
    .unwrap();
    let report = knowledge::check(dir.path()).unwrap();
    let messages: Vec<String> = report.diagnostics.iter().map(|d| d.to_string()).collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("other-subjects.txt:4:") && m.contains("over the 1000")),
        "{messages:#?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("other-subjects.txt:5:")
            && m.contains("the same message is already at")
            && m.contains("other-subjects.txt:2")),
        "{messages:#?}"
    );
    // Warnings only: the folder still loads, and learns from the good line.
    let (kb, _) = knowledge::KnowledgeBase::load(dir.path()).expect("it loads");
    assert_eq!(kb.other_subjects, ["how do i charge my phone"]);
}

#[test]
fn shipped_knowledge_has_no_error_and_no_warning() {
    let report = knowledge::check(&shipped_dir()).unwrap();
    let problems: Vec<String> = report.diagnostics.iter().map(|d| d.to_string()).collect();
    assert!(problems.is_empty(), "{problems:#?}");
    assert!(
        report.services >= 38 && report.topics >= 22,
        "{}",
        report.summary()
    );
}

pub fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
