use crate::common::{fixture, shipped_dir};
use std::io::Write;
use std::process::{Command, Stdio};

fn signpost() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_signpost"));
    cmd.env_remove("SIGNPOST_KNOWLEDGE")
        .env_remove("SIGNPOST_LOG");
    cmd
}

fn run_with_stdin(mut cmd: Command, input: &str) -> std::process::Output {
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
        .write_all(input.as_bytes())
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
    assert_eq!(lines.len(), 3, "blank lines are skipped: {stdout}");
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
    assert_eq!(lines[1]["crisis"][0], "suicide-self-harm");
    assert_eq!(lines[2]["fallback"], true);
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

#[test]
fn chat_answers_in_the_terminal_and_buttons_work_by_number() {
    let mut cmd = signpost();
    cmd.args(["chat", "--no-watch", "--knowledge"])
        .arg(shipped_dir());
    // Pick the family menu choice by number, then ask, then open the first card's button.
    let out = run_with_stdin(cmd, "2\nmy partner has gone to prison\n1\n");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
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
