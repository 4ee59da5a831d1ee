//! Live knowledge: edits go live without a restart; bad edits never take answers down.

use crate::check::copy_dir;
use crate::common::fixture;
use signpost::live::ReloadOutcome;
use signpost::{LiveKnowledge, Turn};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const DEBOUNCE: Duration = Duration::from_millis(300);
/// Generous: the machine may be busy building other tests.
const PATIENCE: Duration = Duration::from_secs(20);

pub fn watched_copy() -> (tempfile::TempDir, LiveKnowledge) {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("small"), dir.path());
    let (live, _) = LiveKnowledge::watch(dir.path(), DEBOUNCE).unwrap();
    (dir, live)
}

pub fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < PATIENCE, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

pub fn top(live: &LiveKnowledge, text: &str) -> Option<String> {
    let reply = live.answer(&Turn::new(text));
    reply
        .results
        .iter()
        .find(|h| h.reason != "weak")
        .map(|h| h.id.clone())
}

pub fn add_question(path: &Path, question: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    let text = text.replace(
        "questions = [",
        &format!("questions = [\n  \"{question}\","),
    );
    std::fs::write(path, text).unwrap();
}

#[test]
fn an_edit_is_answered_without_a_restart() {
    let (dir, live) = watched_copy();
    let asked = "who helps lighthouse keepers";
    assert_eq!(top(&live, asked), None);
    add_question(
        &dir.path().join("services/prison-families-line.md"),
        "who helps lighthouse keepers and their families",
    );
    wait_until("the edit is live", || {
        top(&live, asked).as_deref() == Some("prison-families-line")
    });
    assert_eq!(live.generation(), 2);
}

#[test]
fn a_burst_of_sixty_changes_is_one_rebuild() {
    let (dir, live) = watched_copy();
    let before = live.generation();
    let template = std::fs::read_to_string(dir.path().join("topics/bail-explained.md")).unwrap();
    for i in 0..60 {
        let text = template
            .replace("title = \"Bail\"", &format!("title = \"Burst topic {i}\""))
            .replace("see_also = [\"legal-advice-line\"]", "");
        std::fs::write(dir.path().join(format!("topics/burst-{i}.md")), text).unwrap();
    }
    wait_until("the burst is live", || live.generation() > before);
    // Give any stray second rebuild every chance to happen before counting.
    std::thread::sleep(DEBOUNCE * 4);
    assert_eq!(
        live.generation(),
        before + 1,
        "one rebuild for the whole burst"
    );
    assert_eq!(live.current().knowledge().entries.len(), 7 + 60);
}

#[test]
fn a_broken_edit_keeps_the_last_good_answers_until_fixed() {
    let (dir, live) = watched_copy();
    let path = dir.path().join("services/legal-advice-line.md");
    let good = std::fs::read_to_string(&path).unwrap();
    // Break the TOML on line 3.
    std::fs::write(&path, good.replace("summary = \"Find", "summary = Find")).unwrap();
    wait_until("the broken edit is seen", || {
        matches!(live.last_outcome(), Some(ReloadOutcome::Rejected { .. }))
    });
    let Some(ReloadOutcome::Rejected { report, .. }) = live.last_outcome() else {
        unreachable!()
    };
    let problem = report.diagnostics[0].to_string();
    assert!(
        problem.starts_with(&format!("{}:3:", path.display())) && problem.contains(": error: "),
        "{problem}"
    );
    // Still answering from the last good folder.
    assert_eq!(live.generation(), 1);
    assert_eq!(
        top(&live, "I need a solicitor for court").as_deref(),
        Some("legal-advice-line")
    );

    // Fixed, with a new word: it goes live.
    std::fs::write(
        &path,
        good.replace(
            "questions = [",
            "questions = [\n  \"can an advocate speak for me\",",
        ),
    )
    .unwrap();
    wait_until("the fix is live", || {
        top(&live, "can an advocate speak for me").as_deref() == Some("legal-advice-line")
    });
    assert!(matches!(
        live.last_outcome(),
        Some(ReloadOutcome::Loaded { .. })
    ));
}

#[test]
fn answers_never_fail_while_the_folder_is_rewritten() {
    let (dir, live) = watched_copy();
    let stop = Arc::new(AtomicBool::new(false));
    let answered = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(AtomicUsize::new(0));
    let readers: Vec<_> = (0..4)
        .map(|_| {
            let (live, stop, answered, failed) =
                (live.clone(), stop.clone(), answered.clone(), failed.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    // Bail's entry is never touched by the writer, so it must always lead.
                    match top(&live, "what are standard bail conditions").as_deref() {
                        Some("bail-explained") => answered.fetch_add(1, Ordering::Relaxed),
                        _ => failed.fetch_add(1, Ordering::Relaxed),
                    };
                }
            })
        })
        .collect();
    let path = dir.path().join("services/prison-families-line.md");
    let good = std::fs::read_to_string(&path).unwrap();
    let start_generation = live.generation();
    for round in 0..30 {
        let text = if round % 3 == 2 {
            "+++\ntitle = \"broken\n".to_string()
        } else {
            good.replace(
                "Prison Families Line",
                &format!("Prison Families Line {round}"),
            )
        };
        std::fs::write(&path, text).unwrap();
        std::thread::sleep(Duration::from_millis(if round % 5 == 0 { 700 } else { 20 }));
    }
    std::fs::write(&path, &good).unwrap();
    wait_until("the final edit is live", || {
        live.current()
            .knowledge()
            .get("prison-families-line")
            .is_some_and(|e| e.title == "Prison Families Line")
    });
    stop.store(true, Ordering::Relaxed);
    for reader in readers {
        reader.join().expect("no reader panicked");
    }
    assert!(live.generation() > start_generation);
    assert!(answered.load(Ordering::Relaxed) > 100);
    assert_eq!(failed.load(Ordering::Relaxed), 0);
}
