//! The binary: `--help`, a clear refusal (exit 2) without a token, a clear failure on a bad
//! knowledge folder, and a full run against the fake Discord that stops cleanly on SIGTERM.

mod common;

use common::*;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn bin() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_signpost-discord"));
    for var in [
        "DISCORD_TOKEN",
        "DISCORD_PUBLIC_KEY",
        "DISCORD_GUILD_ID",
        "DISCORD_ADMIN_CHANNEL_ID",
        "DISCORD_API_URL",
        "SIGNPOST_KNOWLEDGE",
        "RUST_LOG",
    ] {
        command.env_remove(var);
    }
    command
}

#[test]
fn help_lists_the_flags_and_the_environment() {
    let out = bin().arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "--no-watch",
        "--interactions-endpoint",
        "DISCORD_TOKEN",
        "DISCORD_GUILD_ID",
        "DISCORD_API_URL",
        "DISCORD_ADMIN_CHANNEL_ID",
        "SIGNPOST_KNOWLEDGE",
    ] {
        assert!(text.contains(needle), "{needle} missing from --help");
    }
}

#[test]
fn without_a_token_it_explains_and_exits_2() {
    let out = bin().output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("DISCORD_TOKEN is not set"), "{text}");
}

#[test]
fn a_missing_knowledge_folder_fails_clearly() {
    let out = bin()
        .env("DISCORD_TOKEN", TOKEN)
        .args(["--no-watch", "--knowledge", "/nonexistent/knowledge"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("/nonexistent/knowledge"), "{text}");
    assert!(!text.contains(TOKEN));
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_against_the_fake_and_stops_cleanly_on_sigterm() {
    let fake = FakeDiscord::start().await;
    let mut child = bin()
        .env("DISCORD_TOKEN", TOKEN)
        .env("DISCORD_API_URL", &fake.api_url)
        .env("DISCORD_GUILD_ID", GUILD_ID.to_string())
        .env("SIGNPOST_KNOWLEDGE", knowledge_dir())
        .env("RUST_LOG", "trace")
        .arg("--no-watch")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    fake.wait_for("registration", |r| r.method == "PUT").await;
    fake.interact(ask(4001, "my partner Zebedee is in prison", None));
    fake.edit(4001).await;
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > WAIT {
            let _ = child.kill();
            panic!("did not stop after SIGTERM");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(status.success(), "{status:?}");
    let mut logs = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut logs).unwrap();
    assert!(logs.contains("event=\"stopped\""), "{logs}");
    assert!(logs.contains("name=\"terminate\""), "{logs}");
    assert!(!logs.contains("Zebedee"), "{logs}");
    assert!(!logs.contains(TOKEN), "{logs}");
    assert!(!logs.contains("token-4001"), "{logs}");
}
