use crate::common::{fixture, shipped_dir};
use std::io::Write;
use std::process::{Command, Stdio};

pub fn signpost() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_signpost"));
    cmd.env_remove("SIGNPOST_KNOWLEDGE")
        .env_remove("SIGNPOST_LOG");
    cmd
}

pub fn run_with_stdin(mut cmd: Command, input: impl AsRef<[u8]>) -> std::process::Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_ref())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn ask_json_batch_prints_one_object_per_question() {
    let mut cmd = signpost();
    cmd.args(["ask", "--json", "--knowledge"])
        .arg(shipped_dir());
    let out = run_with_stdin(
        cmd,
        "my partner is in prison, where can I get support as a family\n\nI feel like killing myself\nxqzv blorf\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is one JSON object"))
        .collect();
    assert_eq!(lines.len(), 4, "one line out per line in: {stdout}");
    assert_eq!(
        lines[0]["query"],
        "my partner is in prison, where can I get support as a family"
    );
    assert_eq!(lines[0]["crisis"], serde_json::json!([]));
    assert_eq!(lines[0]["fallback"], false);
    let first = &lines[0]["results"][0];
    assert_eq!(first["id"], "families-outside");
    assert_eq!(first["kind"], "service");
    assert!(
        first["title"]
            .as_str()
            .unwrap()
            .contains("Families Outside")
    );
    assert!(first["score"].as_f64().unwrap() > 0.0);
    // The blank line is answered as an empty message: the honest fallback.
    assert_eq!(lines[1]["query"], "");
    assert_eq!(lines[1]["fallback"], true);
    assert_eq!(lines[2]["crisis"][0], "suicide-self-harm");
    assert_eq!(lines[3]["fallback"], true);
}

#[test]
fn ask_prints_a_readable_answer_with_contacts() {
    let out = signpost()
        .args(["ask", "--knowledge"])
        .arg(shipped_dir())
        .arg("I feel like killing myself")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let danger = text.find("999").expect("999 is given");
    let samaritans = text.find("116 123").expect("Samaritans' number is given");
    assert!(danger < samaritans, "999 comes first:\n{text}");
}

#[test]
fn check_prints_compiler_style_problems_and_fails_on_errors() {
    let out = signpost()
        .arg("check")
        .arg(fixture("broken"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let bad_toml = fixture("broken").join("services/bad-toml.md");
    assert!(
        text.contains(&format!(
            "{}:3:25: error: invalid basic string",
            bad_toml.display()
        )),
        "{text}"
    );
    assert!(
        text.lines()
            .last()
            .unwrap()
            .contains("12 errors, 4 warnings"),
        "{text}"
    );

    let out = signpost()
        .arg("check")
        .arg(fixture("small"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));

    let out = signpost()
        .args(["check", "--format", "json"])
        .arg(fixture("broken"))
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["errors"], 12);
    assert_eq!(json["diagnostics"].as_array().unwrap().len(), 16);
}

#[test]
fn eval_reports_figures_and_enforces_a_minimum() {
    let dir = tempfile::tempdir().unwrap();
    let cases = dir.path().join("cases.toml");
    std::fs::write(
        &cases,
        "[[case]]\nq = \"bail conditions\"\nany = [\"bail-explained\"]\ncrisis = false\n\n\
         [[case]]\nq = \"who helps families of prisoners\"\nany = [\"bail-explained\"]\n",
    )
    .unwrap();
    let run = |min: &str| {
        signpost()
            .args(["eval", "--knowledge"])
            .arg(fixture("small"))
            .arg(&cases)
            .args(["--min-hit3", min])
            .output()
            .unwrap()
    };
    let out = run("0.5");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("MISS \"who helps families of prisoners\""),
        "{text}"
    );
    assert!(text.contains("hit@3=0.500"), "{text}");
    assert_eq!(run("0.9").status.code(), Some(1));
}

#[test]
fn every_command_has_help() {
    for cmd in [
        vec![],
        vec!["chat"],
        vec!["ask"],
        vec!["check"],
        vec!["eval"],
        vec!["review"],
    ] {
        let out = signpost().args(&cmd).arg("--help").output().unwrap();
        assert!(out.status.success(), "{cmd:?} --help failed");
        assert!(String::from_utf8_lossy(&out.stdout).contains("--knowledge") || cmd.is_empty());
    }
}

#[test]
fn a_missing_folder_is_a_clear_error() {
    let out = signpost()
        .args(["ask", "--knowledge", "/no/such/folder", "bail"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("/no/such/folder") && err.contains("does not exist"),
        "{err}"
    );
}

/// What `signpost chat` on the shipped folder prints for these lines typed in; it must exit
/// successfully.
fn chat_with(typed: &str) -> String {
    let mut cmd = signpost();
    cmd.args(["chat", "--no-watch", "--knowledge"])
        .arg(shipped_dir());
    let out = run_with_stdin(cmd, typed);
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn chat_answers_in_the_terminal_and_buttons_work_by_number() {
    // Pick the family menu choice by number, then ask, then open the first card's button.
    let text = chat_with("2\nmy partner has gone to prison\n1\n");
    assert!(
        text.contains("I'm not an emergency service") || text.contains("not an emergency service"),
        "{text}"
    );
    assert!(text.contains("Families Outside"), "{text}");
    assert!(text.contains("0800 254 0088"), "{text}");
    assert!(
        text.trim_end().ends_with("Take care. In danger, call 999."),
        "{text}"
    );
}

#[test]
fn typing_quit_leaves_the_chat_and_nothing_after_it_is_answered() {
    let text = chat_with("QUIT\nhow do i visit my dad in prison\n");
    assert!(text.contains("Type quit"), "the welcome says how: {text}");
    assert!(!text.contains("not sure I understood"), "{text}");
    assert!(!text.contains("HMP Dumfries"), "{text}");
    assert!(
        text.trim_end().ends_with("Take care. In danger, call 999."),
        "{text}"
    );
}

#[test]
fn review_lists_entries_oldest_first() {
    let dir = tempfile::tempdir().unwrap();
    crate::check::copy_dir(&fixture("small"), dir.path());
    let old = dir.path().join("topics/bail-explained.md");
    let text = std::fs::read_to_string(&old).unwrap();
    std::fs::write(
        &old,
        text.replace("reviewed = 2026-11-01", "reviewed = 2024-01-15"),
    )
    .unwrap();
    let out = signpost()
        .args(["review", "--knowledge"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let first = text.lines().next().unwrap();
    assert!(
        first.starts_with("2024-01-15")
            && first.contains("bail-explained")
            && first.contains("DUE FOR REVIEW"),
        "{text}"
    );
    assert_eq!(text.matches("DUE FOR REVIEW").count(), 1, "{text}");
    assert!(
        text.lines()
            .last()
            .unwrap()
            .contains("7 entries, 1 due for review"),
        "{text}"
    );
}

#[test]
fn ask_json_explains_which_layer_found_each_category() {
    let out = signpost()
        .args(["ask", "--json", "--knowledge"])
        .arg(fixture("learned"))
        .arg("I could kill myself, I swallowed the whole packet of my tablets")
        .output()
        .unwrap();
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let triage = json["triage"].as_array().expect("a triage array");
    let of = |id: &str| {
        triage
            .iter()
            .find(|f| f["category"] == id)
            .unwrap_or_else(|| panic!("no {id} in {triage:?}"))
    };
    let suicide = of("suicide-self-harm");
    assert_eq!(suicide["level"], "crisis");
    assert_eq!(suicide["layers"][0]["layer"], "rule");
    assert!(
        suicide["layers"][0]["source"]
            .as_str()
            .unwrap()
            .ends_with("safety.toml:10"),
        "{suicide}"
    );
    let overdose = of("overdose");
    assert_eq!(overdose["level"], "crisis");
    let classifier = overdose["layers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["layer"] == "classifier")
        .expect("the classifier found it");
    assert!(classifier["probability"].as_f64().unwrap() >= 0.45);
    // The crisis and concern arrays are as they were.
    assert_eq!(
        json["crisis"],
        serde_json::json!(["suicide-self-harm", "overdose"])
    );
    assert_eq!(json["concern"], serde_json::json!([]));
}

#[test]
fn the_terminal_shows_a_concern_above_the_answer() {
    let out = signpost()
        .args(["ask", "--knowledge"])
        .arg(fixture("learned"))
        .arg("my tablets are late tonight")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let line = text
        .find("Took too much? Call 111, or 999 if they are hard to wake.")
        .unwrap_or_else(|| panic!("no concern line:\n{text}"));
    assert!(!text.contains("!! "), "no crisis notice:\n{text}");
    let button = text.find("Emergency lines").expect("the emergency button");
    assert!(line < button, "{text}");
}

#[test]
fn check_prints_cross_validation_per_category() {
    let out = signpost()
        .arg("check")
        .arg(fixture("learned"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("5-fold cross-validation"), "{text}");
    for id in ["suicide-self-harm", "immediate-danger", "overdose"] {
        assert!(
            text.lines()
                .any(|l| l.trim_start().starts_with(id) && l.contains("recall")),
            "{id}:\n{text}"
        );
    }
    assert!(
        text.lines()
            .any(|l| l.trim_start().starts_with("not-crisis") && l.contains("false alarms")),
        "{text}"
    );
    // --quick skips it.
    let out = signpost()
        .args(["check", "--quick"])
        .arg(fixture("learned"))
        .output()
        .unwrap();
    assert!(
        !String::from_utf8(out.stdout)
            .unwrap()
            .contains("cross-validation")
    );
}
