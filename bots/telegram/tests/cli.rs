//! The binary: configuration errors, `--help`, and a clean stop on SIGTERM.

mod common;

use common::{FakeTelegram, TOKEN, WAIT, knowledge_dir};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_signpost-telegram");

fn bot() -> Command {
    let mut cmd = Command::new(BIN);
    for var in [
        "TELOXIDE_TOKEN",
        "TELOXIDE_API_URL",
        "SIGNPOST_KNOWLEDGE",
        "TELEGRAM_WEBHOOK_SECRET",
        "SIGNPOST_TELEGRAM_THROTTLE",
        "RUST_LOG",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

#[test]
fn a_missing_token_is_explained_with_exit_status_2() {
    let out = bot().output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("TELOXIDE_TOKEN is not set"), "{err}");
    assert!(err.contains("BotFather"), "{err}");
}

#[test]
fn webhook_mode_without_a_secret_is_refused() {
    let out = bot()
        .env("TELOXIDE_TOKEN", "123:SECRETVALUE")
        .args(["--webhook-url", "https://bot.example.org/hook"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("TELEGRAM_WEBHOOK_SECRET"), "{err}");
    assert!(!err.contains("SECRETVALUE"));
}

#[test]
fn help_lists_the_flags_and_the_environment() {
    let out = bot().arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "--knowledge",
        "--no-watch",
        "--webhook-url",
        "--listen",
        "TELOXIDE_TOKEN",
        "TELOXIDE_API_URL",
        "SIGNPOST_KNOWLEDGE",
        "TELEGRAM_WEBHOOK_SECRET",
    ] {
        assert!(help.contains(needle), "{needle} missing from:\n{help}");
    }
}

#[test]
fn a_knowledge_folder_that_cannot_be_loaded_fails_clearly() {
    let out = bot()
        .env("TELOXIDE_TOKEN", TOKEN)
        .env("TELOXIDE_API_URL", "http://127.0.0.1:9/")
        .args([
            "--no-watch",
            "--knowledge",
            "/nonexistent/signpost-knowledge",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("knowledge"), "{err}");
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_the_bot_cleanly() {
    let tg = FakeTelegram::start().await;
    let child = tokio::process::Command::new(BIN)
        .env("TELOXIDE_TOKEN", TOKEN)
        .env("TELOXIDE_API_URL", tg.url.as_str())
        .env("SIGNPOST_KNOWLEDGE", knowledge_dir())
        .env("SIGNPOST_TELEGRAM_THROTTLE", "0")
        .env("RUST_LOG", "trace")
        .env_remove("TELEGRAM_WEBHOOK_SECRET")
        .arg("--no-watch")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();

    // It is up once it polls; then it answers.
    tg.wait_for("polling", |calls| {
        calls.iter().find(|c| c.method == "getupdates").cloned()
    })
    .await;
    tg.send_text(42, "/crisis");
    tg.wait_messages(42, 1).await;

    let pid = child.id().unwrap().to_string();
    // The shell's own `kill`, so the test needs no extra tool.
    let status = Command::new("sh")
        .args(["-c", &format!("kill -TERM {pid}")])
        .status()
        .unwrap();
    assert!(status.success());
    let started = Instant::now();
    let out = tokio::time::timeout(WAIT, child.wait_with_output())
        .await
        .expect("the bot stops after SIGTERM")
        .unwrap();
    assert!(out.status.success(), "exit status {:?}", out.status);
    assert!(started.elapsed() < Duration::from_secs(20));
    let logs = String::from_utf8_lossy(&out.stderr);
    assert!(logs.contains("shutdown_requested"), "{logs}");
    assert!(!logs.contains(TOKEN), "the token reached the log");
}
