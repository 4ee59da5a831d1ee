//! "Was this helpful?": the store, the buttons and their payloads, the counts the live
//! knowledge keeps, and what `signpost report` and `signpost gaps` make of them.

use crate::check::copy_dir;
use crate::common::{fixture, shipped, shipped_dir};
use signpost::feedback::{FeedbackStore, Observation};
use signpost::knowledge::Date;
use signpost::reply::{Action, Card, Intent, MAX_PAYLOAD, Rated, Reply};
use signpost::{LiveKnowledge, Turn};
use std::path::{Path, PathBuf};
use std::process::Command;

fn store_in(dir: &Path) -> (PathBuf, FeedbackStore) {
    let path = dir.join("feedback.db");
    let (store, _) = FeedbackStore::open(&path, 400, Date::today()).unwrap();
    (path, store)
}

fn all_time() -> (Date, Date) {
    (Date::parse_iso("2000-01-01").unwrap(), Date::today())
}

fn payloads(reply: &Reply) -> Vec<String> {
    reply.feedback.iter().map(|s| s.action.encode()).collect()
}

#[test]
fn answers_get_the_button_pair_only_when_feedback_is_collected() {
    let dir = tempfile::tempdir().unwrap();
    let (live, _) = LiveKnowledge::load(&shipped_dir()).unwrap();
    let question = Turn::new("my partner has just been sent to prison, who can help me");
    assert!(live.answer(&question).feedback.is_empty(), "off by default");
    let about = live.about_on(&live.current(), None);
    assert!(!about.privacy.contains("rate"), "{}", about.privacy);

    let (_, store) = store_in(dir.path());
    live.set_feedback(Some(store));
    let reply = live.answer(&question);
    assert!(!reply.cards.is_empty());
    let labels: Vec<&str> = reply.feedback.iter().map(|s| s.label.as_str()).collect();
    assert_eq!(labels, ["👍 Helpful", "👎 Not helpful"]);
    for payload in payloads(&reply) {
        assert!(payload.len() <= MAX_PAYLOAD, "{payload}");
        assert!(payload.starts_with("f:"), "{payload}");
    }
    // The suggestions are unchanged: the pair is apart from them.
    assert!(
        !reply
            .suggestions
            .iter()
            .any(|s| matches!(s.action, Action::Feedback(_)))
    );

    // `/about` says what is kept.
    let about = live.about_on(&live.current(), None);
    assert!(about.privacy.contains("by day only"), "{}", about.privacy);

    // No pair under a crisis, the fallback, or a menu.
    for text in [
        "I want to kill myself",
        "what is the best recipe for banana bread",
        "hello",
    ] {
        let reply = live.answer(&Turn::new(text));
        assert!(reply.feedback.is_empty(), "{text}: {:?}", reply.feedback);
    }
}

#[test]
fn presses_are_counted_per_entry_and_thanked() {
    let dir = tempfile::tempdir().unwrap();
    let (live, _) = LiveKnowledge::load(&shipped_dir()).unwrap();
    let (path, store) = store_in(dir.path());
    live.set_feedback(Some(store));
    let assistant = live.current();
    let reply = live.answer_on(
        &assistant,
        &Turn::new("my partner has just been sent to prison, who can help me"),
    );
    let shown: Vec<String> = reply.cards.iter().map(|c| c.id.clone()).collect();
    let not_helpful = payloads(&reply)[1].clone();
    let thanks = live.press_on(&assistant, &not_helpful, None, None);
    assert_eq!(thanks.intent, Intent::Feedback);
    assert!(thanks.lead.contains("Thank you"), "{}", thanks.lead);
    assert!(thanks.cards.is_empty() && thanks.feedback.is_empty());

    // An entry opened with its button is counted as shown and can be rated on its own.
    let entry = live.press_on(&assistant, &format!("e:{}", shown[0]), None, None);
    assert_eq!(entry.intent, Intent::Entry);
    let helpful = payloads(&entry)[0].clone();
    assert_eq!(helpful, format!("f:ye:{}", shown[0]));
    live.press_on(&assistant, &helpful, None, None);
    drop(live);

    let read = FeedbackStore::open_read_only(&path).unwrap().unwrap();
    let (from, to) = all_time();
    let days = read.days(from, to).unwrap();
    assert_eq!(days.len(), 1);
    assert_eq!((days[0].answers, days[0].fallbacks), (1, 0));
    let counts = read.entries(from, to).unwrap();
    for id in &shown {
        let c = counts.iter().find(|c| &c.id == id).expect("counted");
        assert_eq!(c.not_helpful, 1, "{id}");
        let opened = usize::from(id == &shown[0]);
        assert_eq!(c.shown as usize, 1 + opened, "{id}");
        assert_eq!(c.helpful as usize, opened, "{id}");
    }
}

/// The longest ids of the shipped folder do not fit one payload whole: they are shortened to
/// prefixes that still name them, and read back to the same entries.
#[test]
fn long_ids_are_shortened_to_prefixes_that_read_back() {
    let assistant = shipped();
    let mut entries: Vec<_> = assistant.knowledge().entries.iter().collect();
    entries.sort_by_key(|e| std::cmp::Reverse(e.id.len()));
    let longest: Vec<_> = entries.into_iter().take(3).collect();
    let whole: usize = longest.iter().map(|e| e.id.len()).sum::<usize>() + 2 + 5;
    assert!(
        whole > MAX_PAYLOAD,
        "the test needs ids too long to fit whole"
    );
    let reply = Reply {
        intent: Intent::Question,
        safety: None,
        concern: None,
        lead: String::new(),
        cards: longest.iter().map(|e| Card::brief(e)).collect(),
        suggestions: Vec::new(),
        fallback: false,
        results: Vec::new(),
        audience: None,
        town: None,
        open_line: None,
        feedback: Vec::new(),
    };
    let buttons = assistant.feedback_buttons(&reply);
    assert_eq!(buttons.len(), 2);
    for button in &buttons {
        let payload = button.action.encode();
        assert!(payload.len() <= MAX_PAYLOAD, "{payload}");
        let Some(Action::Feedback(vote)) = Action::decode(&payload) else {
            panic!("{payload} reads back as a vote");
        };
        assert_eq!(vote.rated, Rated::Answer);
        let ids: Vec<&str> = longest.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(assistant.rated_entries(&vote), ids, "{payload}");
    }
}

/// A button made before the folder changed still counts for the entries it named, as long as
/// they exist; an entry that is gone, or a prefix that now names two, is left out.
#[test]
fn payloads_survive_a_reload_and_ambiguous_prefixes_are_left_out() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("small"), dir.path());
    let (live, _) = LiveKnowledge::load(dir.path()).unwrap();
    let before = live.current();
    let vote = |entries: &[&str]| signpost::reply::Vote {
        helpful: false,
        rated: Rated::Answer,
        entries: entries.iter().map(|e| e.to_string()).collect(),
    };
    let old = vote(&["bail-explained", "family-court-day"]);
    assert_eq!(
        before.rated_entries(&old),
        ["bail-explained", "family-court-day"]
    );
    // A new entry whose id starts like an old one, and an old one removed.
    let text = std::fs::read_to_string(dir.path().join("topics/bail-explained.md")).unwrap();
    std::fs::write(
        dir.path().join("topics/bail-explained-further.md"),
        text.replace("title = \"Bail\"", "title = \"Bail, further\""),
    )
    .unwrap();
    std::fs::remove_file(dir.path().join("services/family-court-day.md")).unwrap();
    assert!(matches!(
        live.reload_now(),
        signpost::live::ReloadOutcome::Loaded { .. }
    ));
    let after = live.current();
    assert_eq!(after.rated_entries(&old), ["bail-explained"]);
    // A prefix that now names two entries is left out rather than guessed.
    assert!(after.rated_entries(&vote(&["bail-expl"])).is_empty());
    assert_eq!(
        before.rated_entries(&vote(&["bail-expl"])),
        ["bail-explained"]
    );
}

#[test]
fn unanswered_questions_are_kept_scrubbed_and_nothing_else_is() {
    let dir = tempfile::tempdir().unwrap();
    let (live, _) = LiveKnowledge::load(&fixture("small")).unwrap();
    let (path, store) = store_in(dir.path());
    live.set_feedback(Some(store));
    let questions = [
        "Jamie McLeod at 14 Irish Street DG1 2PB wants tenancy rules",
        "email me at jamie.mcleod@example.com about parole appeals",
        "call 07700 900123 about parole appeals",
        "my neighbour Sandra keeps parking in front of my gate",
    ];
    for q in questions {
        assert!(
            live.answer(&Turn::new(q)).fallback,
            "{q:?} should be unanswered here"
        );
    }
    // An answered question is not a gap.
    assert!(!live.answer(&Turn::new("bail conditions")).fallback);
    drop(live);
    let read = FeedbackStore::open_read_only(&path).unwrap().unwrap();
    let (from, to) = all_time();
    let unanswered = read.unanswered(from, to).unwrap();
    assert_eq!(
        unanswered.iter().map(|(_, n)| n).sum::<u64>(),
        questions.len() as u64
    );
    assert!(
        unanswered
            .iter()
            .any(|(w, n)| w == "email about parole appeals" && *n == 1),
        "{unanswered:?}"
    );
    for (words, _) in &unanswered {
        assert!(!words.chars().any(|c| c.is_ascii_digit()), "{words}");
        for gone in [
            "@", "example", "jamie", "mcleod", "sandra", "dg1", "2pb", "irish",
        ] {
            assert!(!words.contains(gone), "{gone} kept: {words}");
        }
    }
    let day = read.days(from, to).unwrap();
    assert_eq!((day[0].answers, day[0].fallbacks), (5, 4));
    drop(read);
    // The file itself, and its write-ahead log, hold none of it.
    let mut bytes = std::fs::read(&path).unwrap();
    if let Ok(wal) = std::fs::read(path.with_extension("db-wal")) {
        bytes.extend(wal);
    }
    let raw = String::from_utf8_lossy(&bytes).to_lowercase();
    for gone in [
        "jamie",
        "mcleod",
        "sandra",
        "07700",
        "900123",
        "irish",
        "dg1",
        "example.com",
    ] {
        assert!(!raw.contains(gone), "{gone} is in the database file");
    }
}

/// Two writers (as two bot processes would be) adding at the same time lose no count.
#[test]
fn two_writers_at_once_lose_no_count() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feedback.db");
    let today = Date::today();
    let writers: Vec<_> = (0..2)
        .map(|_| {
            let path = path.clone();
            std::thread::spawn(move || {
                let (store, _) = FeedbackStore::open(&path, 400, today).unwrap();
                for _ in 0..300 {
                    store
                        .record(
                            today,
                            &Observation {
                                answered: true,
                                shown: &["a", "b"],
                                ..Observation::default()
                            },
                        )
                        .unwrap();
                    store.record_vote(today, &["a"], false).unwrap();
                }
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    let read = FeedbackStore::open_read_only(&path).unwrap().unwrap();
    assert_eq!(read.days(today, today).unwrap()[0].answers, 600);
    let a = &read.entries(today, today).unwrap()[0];
    assert_eq!((a.id.as_str(), a.shown, a.not_helpful), ("a", 600, 600));
}

fn run(cmd: &mut Command) -> (bool, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

// `--knowledge` must follow the subcommand.
fn report_cmd() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_signpost"));
    cmd.env_remove("SIGNPOST_KNOWLEDGE")
        .env_remove("SIGNPOST_LOG")
        .env_remove("SIGNPOST_FEEDBACK_DB")
        .arg("report")
        .arg("--knowledge")
        .arg(shipped_dir());
    cmd
}

#[test]
fn a_new_install_gets_one_line_and_the_empty_report() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("feedback.db");
    let html = dir.path().join("report.html");
    let (ok, stdout, stderr) = run(report_cmd().arg("--db").arg(&db).arg("--html").arg(&html));
    assert!(ok, "{stderr}");
    let first = stdout.lines().next().unwrap();
    assert!(first.starts_with("No feedback store at"), "{stdout}");
    assert_eq!(stdout.matches("No feedback store").count(), 1, "{stdout}");
    assert!(stdout.contains("Answers           0"), "{stdout}");
    assert!(stdout.contains("(no presses in this range)"), "{stdout}");
    let entries = shipped().knowledge().entries.len();
    assert!(
        stdout.contains(&format!(
            "Never shown in this range: {entries} of {entries} entries"
        )),
        "{stdout}"
    );
    assert!(!db.exists(), "reading creates nothing");
    assert!(
        std::fs::read_to_string(&html)
            .unwrap()
            .contains("No feedback store at")
    );
    // With no store named at all: the same, also exit status 0.
    let (ok, stdout, _) = run(&mut report_cmd());
    assert!(ok);
    assert!(stdout.starts_with("No feedback store given"), "{stdout}");
}

#[test]
fn the_report_ranks_entries_and_lists_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let (path, store) = store_in(dir.path());
    let today = Date::today();
    let yesterday = today.plus_days(-1);
    for _ in 0..4 {
        store
            .record(
                yesterday,
                &Observation {
                    answered: true,
                    shown: &["families-outside", "samaritans"],
                    ..Observation::default()
                },
            )
            .unwrap();
    }
    let gap = signpost::gaps::Scrubbed::new("how do I appeal a parole decision").unwrap();
    store
        .record(
            today,
            &Observation {
                answered: true,
                fallback: true,
                unanswered: Some(&gap),
                ..Observation::default()
            },
        )
        .unwrap();
    store.record_vote(today, &["samaritans"], false).unwrap();
    store.record_vote(today, &["samaritans"], false).unwrap();
    store
        .record_vote(today, &["families-outside"], true)
        .unwrap();
    store
        .record_vote(today, &["families-outside"], false)
        .unwrap();
    drop(store);
    let (ok, stdout, stderr) = run(report_cmd().arg("--db").arg(&path).args(["--top", "100"]));
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("Answers           5   fallbacks 1 (20%)"),
        "{stdout}"
    );
    let samaritans = stdout.find("samaritans  Samaritans").expect(&stdout);
    let families = stdout
        .find("families-outside  Families Outside")
        .expect(&stdout);
    assert!(
        samaritans < families,
        "100% not helpful ranks first:\n{stdout}"
    );
    assert!(
        stdout.contains("    1  how appeal parole decision"),
        "{stdout}"
    );
    let never = stdout.split("Never shown").nth(1).unwrap();
    let never = never.split("Most frequent").next().unwrap();
    assert!(!never.contains("families-outside"), "{never}");
    assert!(never.contains("victim-support-scotland"), "{never}");
    // A range that leaves the counts out.
    let (ok, stdout, _) = run(report_cmd().arg("--db").arg(&path).args([
        "--from",
        "2020-01-01",
        "--to",
        "2020-01-31",
    ]));
    assert!(ok);
    assert!(stdout.contains("Answers           0"), "{stdout}");
    // The old `gaps` command reads the store too.
    let (ok, stdout, stderr) = run(Command::new(env!("CARGO_BIN_EXE_signpost"))
        .env_remove("SIGNPOST_FEEDBACK_DB")
        .args(["gaps", "--db"])
        .arg(&path));
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("    1  how appeal parole decision"),
        "{stdout}"
    );
}

#[test]
fn a_corrupt_store_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("feedback.db");
    std::fs::write(&db, "not a database, just words ".repeat(100)).unwrap();
    let (ok, _, stderr) = run(report_cmd().arg("--db").arg(&db));
    assert!(!ok);
    assert!(stderr.contains("feedback.db"), "{stderr}");
    assert!(
        stderr.contains("corrupt or not an SQLite database"),
        "{stderr}"
    );
    let (ok, _, _) = run(report_cmd().args(["--from", "2026-02-30"]));
    assert!(!ok, "an impossible date is refused");
}

#[test]
fn an_old_gaps_file_is_imported_once() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("gaps.txt");
    std::fs::write(
        &old,
        "2026-01-05\ttenancy rules after prison\n2026-01-05\ttenancy rules after prison\n\
         2020-01-06\tdog licence\n",
    )
    .unwrap();
    let db = dir.path().join("feedback.db");
    let (ok, stdout, stderr) = run(Command::new(env!("CARGO_BIN_EXE_signpost"))
        .env_remove("SIGNPOST_FEEDBACK_DB")
        .arg("gaps")
        .arg("--import")
        .arg(&old)
        .arg("--db")
        .arg(&db));
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("imported 3 unanswered question(s)"),
        "{stdout}"
    );
    assert!(!old.exists(), "renamed so it is not imported twice");
    assert!(dir.path().join("gaps.txt.imported").exists());
    let read = FeedbackStore::open_read_only(&db).unwrap().unwrap();
    let (from, to) = all_time();
    assert_eq!(
        read.unanswered(from, to).unwrap(),
        [
            ("tenancy rules after prison".to_string(), 2),
            ("dog licence".to_string(), 1)
        ]
    );
    // An old file can still be summarised directly.
    let (ok, stdout, _) = run(Command::new(env!("CARGO_BIN_EXE_signpost"))
        .arg("gaps")
        .arg(dir.path().join("gaps.txt.imported")));
    assert!(ok);
    assert!(
        stdout.contains("    2  tenancy rules after prison"),
        "{stdout}"
    );
}
