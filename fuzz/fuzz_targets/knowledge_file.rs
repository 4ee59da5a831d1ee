//! Any bytes as one entry of an otherwise valid knowledge folder: checking it must never
//! panic, every problem must be reported in that file, and the folder must load exactly when
//! the check found no error.

#![no_main]

use libfuzzer_sys::fuzz_target;
use signpost::knowledge::{self, Severity};
use signpost::{Assistant, KnowledgeBase, Turn};
use std::path::PathBuf;
use std::sync::OnceLock;

/// A folder with one topic (the fuzzed one) and the least safety.toml, made once.
fn folder() -> &'static PathBuf {
    static FOLDER: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &FOLDER
        .get_or_init(|| {
            let dir = tempfile::tempdir().expect("a temporary folder");
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
        })
        .1
}

fuzz_target!(|data: &[u8]| {
    let k = folder();
    let path = k.join("topics/fuzzed-entry.md");
    std::fs::write(&path, data).unwrap();
    let report = knowledge::check(k).expect("the folder exists");
    for d in &report.diagnostics {
        assert_eq!(d.path, path, "{d}");
        assert!(d.line >= 1 && d.column >= 1, "{d}");
    }
    let errors = report
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error);
    match KnowledgeBase::load(k) {
        Ok((kb, _)) => {
            assert!(!errors, "loaded despite errors");
            let title = kb
                .get("fuzzed-entry")
                .expect("the entry loaded")
                .title
                .clone();
            let assistant = Assistant::new(kb).expect("a valid folder is indexed");
            let reply = assistant.answer(&Turn::new(&title));
            assert!(!reply.lead.trim().is_empty() || reply.safety.is_some());
        }
        Err(err) => assert!(errors, "refused with no error: {err}"),
    }
});
