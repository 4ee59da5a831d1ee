//! A short, reproducible fuzz run in every `cargo test`: arbitrary messages through
//! `Assistant::answer`, arbitrary bytes and front matter through the knowledge loader. The
//! properties: nothing panics, every message gets a reply, every file gets loaded or a
//! diagnostic that names it, at a line and column inside it.
//!
//! The seed is fixed, so a failure is the same failure on every machine. For a longer run,
//! set `PROPTEST_CASES` (e.g. `PROPTEST_CASES=20000 cargo test --test core fuzz::`), or use
//! the cargo-fuzz targets in `fuzz/` (see the README).

use crate::common::{shipped, small};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};
use signpost::knowledge::{self, LoadOptions, Severity};
use signpost::{Assistant, Reply, Turn};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Cases per property in a plain `cargo test`: a few seconds in all, in a debug build.
const CASES: u32 = 48;

fn config() -> Config {
    Config {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(CASES),
        rng_seed: RngSeed::Fixed(0x5169_9057),
        failure_persistence: None,
        ..Config::default()
    }
}

// --- Messages -------------------------------------------------------------------------------

/// Characters that have broken text handling elsewhere: controls, invisible format characters,
/// bidi overrides, combining marks, surrogate-adjacent and private-use code points, emoji
/// sequences, quotes and query syntax.
const AWKWARD: &[char] = &[
    '\0',
    '\u{7}',
    '\u{8}',
    '\t',
    '\n',
    '\r',
    '\u{b}',
    '\u{c}',
    '\u{1b}',
    '\u{7f}',
    '\u{85}',
    '\u{a0}',
    '\u{ad}',
    '\u{34f}',
    '\u{61c}',
    '\u{180e}',
    '\u{200b}',
    '\u{200c}',
    '\u{200d}',
    '\u{200e}',
    '\u{200f}',
    '\u{2028}',
    '\u{2029}',
    '\u{202a}',
    '\u{202e}',
    '\u{2060}',
    '\u{2066}',
    '\u{2069}',
    '\u{feff}',
    '\u{fffd}',
    '\u{fffe}',
    '\u{e000}',
    '\u{10ffff}',
    '\u{301}',
    '\u{308}',
    '\u{1f600}',
    '\u{1f3f4}',
    '\u{e0067}',
    '\u{e007f}',
    'ß',
    'İ',
    'ﬃ',
    'Ⅻ',
    '①',
    '"',
    '\'',
    '`',
    '\\',
    '*',
    '?',
    '~',
    '^',
    ':',
    '(',
    ')',
    '[',
    ']',
    '{',
    '}',
    '+',
    '-',
    '!',
    '&',
    '|',
    '<',
    '>',
    '/',
    ' ',
];

/// Words the folder and its safety rules react to, so fuzzed messages reach deep paths.
const WORDS: &[&str] = &[
    "bail",
    "prison",
    "jail",
    "polis",
    "lifted",
    "court",
    "visit",
    "my",
    "son",
    "kill",
    "myself",
    "hurt",
    "help",
    "hello",
    "thanks",
    "menu",
    "start",
    "again",
    "victim",
    "witness",
    "families",
    "outside",
    "conviction",
    "spent",
    "hmp",
    "dumfries",
    "AND",
    "OR",
    "NOT",
    "title:",
    "body:*",
    "999",
    "1",
    "5",
];

fn message() -> impl Strategy<Value = String> {
    let word = prop::sample::select(WORDS).prop_map(str::to_string);
    let awkward = prop::sample::select(AWKWARD).prop_map(String::from);
    let piece = prop_oneof![4 => word, 3 => awkward, 2 => any::<char>().prop_map(String::from)];
    prop_oneof![
        // Anything at all.
        3 => any::<String>(),
        // Words and awkward characters run together, or spaced.
        4 => prop::collection::vec(piece, 0..40).prop_map(|p| p.concat()),
        4 => prop::collection::vec(prop::sample::select(WORDS), 0..30).prop_map(|w| w.join(" ")),
        // Huge messages: one short piece repeated up to 200,000 characters.
        1 => (any::<String>(), 1usize..20_000).prop_map(|(s, n)| {
            let unit = if s.is_empty() { "bail ".to_string() } else { s };
            unit.repeat(n).chars().take(200_000).collect()
        }),
    ]
}

/// What every reply must hold, whatever was asked.
fn check_reply(assistant: &Assistant, reply: &Reply) -> Result<(), TestCaseError> {
    prop_assert!(!reply.lead.trim().is_empty() || reply.safety.is_some());
    prop_assert!(reply.cards.len() <= signpost::assistant::MAX_CARDS);
    for hit in &reply.results {
        prop_assert!(
            assistant.knowledge().get(&hit.id).is_some(),
            "unknown id {}",
            hit.id
        );
        prop_assert!(hit.score.is_finite());
    }
    Ok(())
}

#[test]
fn any_message_gets_a_reply() {
    proptest!(config(), |(text in message(), audience in prop::option::of(prop::sample::select(signpost::Audience::ALL.to_vec())))| {
        for assistant in [shipped(), small()] {
            let turn = Turn { text: &text, audience, ..Turn::default() };
            let reply = assistant.answer(&turn);
            check_reply(assistant, &reply)?;
            // The same message gets the same answer.
            let again = assistant.answer(&turn);
            let ids = |r: &Reply| r.results.iter().map(|h| h.id.clone()).collect::<Vec<_>>();
            prop_assert_eq!(ids(&reply), ids(&again));
        }
    });
}

// --- Knowledge files ------------------------------------------------------------------------

/// The smallest valid folder, so each case reads one file and little else.
fn minimal_folder() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let k = dir.path().to_path_buf();
    std::fs::create_dir(k.join("services")).unwrap();
    std::fs::create_dir(k.join("topics")).unwrap();
    std::fs::write(
        k.join("safety.toml"),
        "emergency = \"In danger now, call 999.\"\n\n[[category]]\nid = \"danger\"\n\
         title = \"In danger\"\nmessage = \"Call 999.\"\nshow = []\npatterns = ['\\bkill me\\b']\n",
    )
    .unwrap();
    (dir, k)
}

const TEMPLATE: &str = "+++
title = \"Fuzzed entry\"
summary = \"What this is.\"
audiences = [\"families\"]
stages = [\"court\"]
keywords = [\"fuzz\"]
questions = [\"what is a fuzzed entry\"]
reviewed = 2026-11-01
source = \"https://example.org/\"
+++
A body people read.
";

/// A TOML basic string holding exactly `s`.
fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn entry_bytes() -> impl Strategy<Value = Vec<u8>> {
    let field = prop::sample::select(&["title", "summary", "source", "keywords", "questions"][..]);
    prop_oneof![
        // Any bytes at all, and any text.
        2 => prop::collection::vec(any::<u8>(), 0..600),
        1 => any::<String>().prop_map(String::into_bytes),
        // The template with one field's value replaced by any text, quoted properly (a valid
        // entry, unless the text is blank) or pasted raw (usually a TOML error).
        3 => (field, any::<String>(), any::<bool>()).prop_map(|(field, value, quoted)| {
            let value = if quoted { toml_string(&value) } else { value };
            let value = match field {
                "keywords" | "questions" if quoted => format!("[{value}]"),
                _ => value,
            };
            TEMPLATE
                .lines()
                .map(|l| if l.starts_with(&format!("{field} =")) { format!("{field} = {value}") } else { l.to_string() })
                .collect::<Vec<_>>()
                .join("\n")
                .into_bytes()
        }),
        // The template with bytes overwritten, inserted or cut off somewhere.
        3 => (0..TEMPLATE.len(), prop::collection::vec(any::<u8>(), 1..8), 0..3u8).prop_map(
            |(at, bytes, how)| {
                let mut t = TEMPLATE.as_bytes().to_vec();
                match how {
                    0 => drop(t.splice(at..(at + bytes.len()).min(t.len()), bytes)),
                    1 => drop(t.splice(at..at, bytes)),
                    _ => t.truncate(at),
                }
                t
            }
        ),
        // Extra front matter: lines of any text before the closing fence.
        1 => prop::collection::vec(any::<String>(), 1..4).prop_map(|extra| {
            TEMPLATE.replacen("+++\nA body", &format!("{}\n+++\nA body", extra.join("\n")), 1).into_bytes()
        }),
    ]
}

/// Line and column of the end of `bytes` read as text (the furthest a diagnostic may point).
fn last_position(bytes: &[u8]) -> (usize, usize) {
    let text = String::from_utf8_lossy(bytes);
    let line = text.matches('\n').count() + 1;
    let column = text.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, column)
}

/// Cases of [`check_entry`] that loaded, and that were refused.
static LOADED: AtomicUsize = AtomicUsize::new(0);
static REFUSED: AtomicUsize = AtomicUsize::new(0);

fn check_entry(k: &Path, bytes: &[u8]) -> Result<(), TestCaseError> {
    let path = k.join("topics/fuzzed-entry.md");
    std::fs::write(&path, bytes).unwrap();
    let options = LoadOptions::default();
    let report = knowledge::check_with(k, &options).expect("a folder that exists is checked");
    let errors: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    // Every problem is in the fuzzed file (the rest of the folder is valid), inside it.
    let (last_line, last_column) = last_position(bytes);
    for d in &report.diagnostics {
        prop_assert_eq!(&d.path, &path, "{}", d);
        prop_assert!(d.line >= 1 && d.column >= 1, "{}", d);
        prop_assert!(
            (d.line, d.column) <= (last_line, last_column)
                || (d.line == last_line + 1 && d.column == 1),
            "{} is past the end ({}:{})",
            d,
            last_line,
            last_column
        );
        prop_assert!(!d.message.trim().is_empty());
    }
    // A file with no error loads and answers; one with an error is refused, never loaded.
    match signpost::KnowledgeBase::load_with(k, &options) {
        Ok((kb, _)) => {
            prop_assert!(errors.is_empty());
            let title = kb
                .get("fuzzed-entry")
                .expect("the entry loaded")
                .title
                .clone();
            let assistant = Assistant::new(kb).expect("a valid folder is indexed");
            let reply = assistant.answer(&Turn::new(&title));
            check_reply(&assistant, &reply)?;
            LOADED.fetch_add(1, Ordering::Relaxed);
        }
        Err(err) => {
            prop_assert!(!errors.is_empty(), "refused with no error: {}", err);
            REFUSED.fetch_add(1, Ordering::Relaxed);
        }
    }
    Ok(())
}

#[test]
fn any_knowledge_file_is_loaded_or_reported() {
    let (_dir, k) = minimal_folder();
    // The template itself is valid: the mutations start from a good file.
    std::fs::write(k.join("topics/fuzzed-entry.md"), TEMPLATE).unwrap();
    let report = knowledge::check(&k).unwrap();
    assert!(report.diagnostics.is_empty(), "{:?}", report.diagnostics);
    proptest!(config(), |(bytes in entry_bytes())| {
        check_entry(&k, &bytes)?;
    });
    // Both ways out were taken: the run reached the parser's depths, not only its door.
    let (loaded, refused) = (
        LOADED.load(Ordering::Relaxed),
        REFUSED.load(Ordering::Relaxed),
    );
    assert!(
        loaded > 0 && refused > 0,
        "{loaded} loaded, {refused} refused"
    );
}

#[test]
fn any_synonyms_or_menu_file_is_loaded_or_reported() {
    let (_dir, k) = minimal_folder();
    std::fs::write(k.join("topics/fuzzed-entry.md"), TEMPLATE).unwrap();
    let file = prop::sample::select(&["synonyms.toml", "menu.toml", "safety.toml"][..]);
    let content = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..400),
        any::<String>().prop_map(String::into_bytes),
        prop::collection::vec(
            prop::sample::select(
                &[
                    "groups = [",
                    "[\"a\", \"b\"]",
                    "]",
                    "general = [\"fuzzed-entry\"]",
                    "[[choice]]",
                    "key = \"x\"",
                    "label = \"X\"",
                    "audience = \"families\"",
                    "suggest = [\"nope\"]",
                    "patterns = ['(']",
                    "\"",
                    ",",
                    "\n",
                ][..]
            ),
            0..20
        )
        .prop_map(|parts| parts.join("\n").into_bytes()),
    ];
    proptest!(config(), |(name in file, bytes in content)| {
        let path = k.join(name);
        let before = std::fs::read(&path).ok();
        std::fs::write(&path, &bytes).unwrap();
        let report = knowledge::check(&k).expect("a folder that exists is checked");
        for d in &report.diagnostics {
            prop_assert_eq!(&d.path, &path, "{}", d);
        }
        let loaded = signpost::KnowledgeBase::load(&k).is_ok();
        prop_assert_eq!(loaded, !report.has_errors());
        match before {
            Some(b) => std::fs::write(&path, b).unwrap(),
            None => std::fs::remove_file(&path).unwrap(),
        }
    });
}
