//! The bots only translate: no file under `bots/*/src` reaches into the core's text
//! normalisation, safety rules, search or knowledge base. What they need travels in the
//! `Reply` (cards carry area and review date) or comes from `Assistant` and `LiveKnowledge`.

use std::path::{Path, PathBuf};

/// What a bot must not use, and why.
const FORBIDDEN: &[(&str, &str)] = &[
    ("signpost::text", "text normalisation belongs to the core"),
    ("signpost::safety", "crisis triage belongs to the core"),
    ("signpost::search", "search belongs to the core"),
    (
        "signpost::knowledge",
        "the knowledge base is the core's: use the Reply",
    ),
    (
        "signpost::KnowledgeBase",
        "the knowledge base is the core's: use the Reply",
    ),
    (
        "KnowledgeBase",
        "the knowledge base is the core's: use the Reply",
    ),
    (
        ".knowledge()",
        "the knowledge base is the core's: use the Reply",
    ),
    ("text::normalise", "text normalisation belongs to the core"),
    ("safety::", "crisis triage belongs to the core"),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every use of a forbidden path in `source`, as `line: text (why)`.
fn violations(source: &str) -> Vec<String> {
    let check = |n: usize, code: &str, found: &mut Vec<String>| {
        let mut flat = code.replace(' ', "");
        // `use signpost::{Assistant, knowledge::X}` spreads paths over braces.
        if flat.starts_with("usesignpost::{") {
            flat = flat
                .replace("signpost::{", "signpost::")
                .replace(',', ",signpost::");
        }
        for (bad, why) in FORBIDDEN {
            if flat.contains(bad) {
                found.push(format!("{n}: {} ({why})", code.trim()));
            }
        }
    };
    let mut found = Vec::new();
    let mut statement = String::new();
    for (n, line) in source.lines().enumerate() {
        let code = line.split("//").next().unwrap_or_default();
        if statement.is_empty() && !code.trim_start().starts_with("use ") {
            check(n + 1, code, &mut found);
            continue;
        }
        statement.push_str(code.trim());
        if code.contains(';') {
            check(n + 1, &statement, &mut found);
            statement.clear();
        }
    }
    found
}

#[test]
fn no_bot_reaches_into_the_core() {
    let bots = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for bot in ["telegram", "discord", "support"] {
        rust_files(&bots.join(bot).join("src"), &mut files);
    }
    assert!(files.len() > 10, "the bots' sources were found");
    let problems: Vec<String> = files
        .iter()
        .flat_map(|file| {
            let source = std::fs::read_to_string(file).unwrap();
            violations(&source)
                .into_iter()
                .map(move |v| format!("{}:{v}", file.display()))
        })
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_check_catches_each_way_of_writing_an_import() {
    for source in [
        "use signpost::text::normalise;",
        "use signpost::knowledge::{Entry, Kind};",
        "use signpost::{Assistant, knowledge::KnowledgeBase};",
        "use signpost::{\n    Assistant,\n    safety::SafetyRules,\n};",
        "    let kb = assistant.knowledge();",
        "    if !signpost::safety::triage(x) {}",
    ] {
        assert!(!violations(source).is_empty(), "missed: {source}");
    }
    for source in [
        "use signpost::reply::{Card, Kind};",
        "use signpost::{Assistant, Audience, Turn};",
        "// the knowledge folder, not signpost::knowledge",
        "let live = startup::load_knowledge(&dir, true, None)?;",
    ] {
        assert!(violations(source).is_empty(), "false alarm: {source}");
    }
}
