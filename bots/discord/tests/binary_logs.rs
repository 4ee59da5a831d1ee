//! Privacy end to end, through the real start-up path: the `signpost-discord` binary against
//! the fake Discord, at the default log level and at `RUST_LOG=trace`. A conversation that
//! includes an interaction serenity cannot parse leaves none of the person's words, their
//! name, the bot token or an interaction token on standard output or standard error.

mod common;

use common::*;
use serde_json::json;
use signpost_bot_support::test_kit::{BotProcess, assert_none_logged};

const QUESTIONS: &[&str] = &[
    "my partner Zebedee has just gone to prison, how can I support the kids",
    "I want to kill myself tonight, xylophone",
];

async fn run_at(level: Option<&str>) {
    let fake = FakeDiscord::start().await;
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_signpost-discord"));
    for var in [
        "DISCORD_TOKEN",
        "DISCORD_PUBLIC_KEY",
        "DISCORD_GUILD_ID",
        "DISCORD_ADMIN_CHANNEL_ID",
        "DISCORD_API_URL",
        "SIGNPOST_KNOWLEDGE",
        "SIGNPOST_GAPS_FILE",
        "RUST_LOG",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("DISCORD_TOKEN", TOKEN)
        .env("DISCORD_API_URL", &fake.api_url)
        .env("DISCORD_GUILD_ID", GUILD_ID.to_string())
        .env("SIGNPOST_KNOWLEDGE", knowledge_dir())
        .arg("--no-watch");
    if let Some(level) = level {
        cmd.env("RUST_LOG", level);
    }
    let bot = BotProcess::spawn(cmd);
    fake.wait_for("registration", |r| r.method == "PUT").await;
    for (i, question) in QUESTIONS.iter().enumerate() {
        let id = 5000 + i as u64;
        fake.interact(ask(id, question, None));
        fake.edit(id).await;
    }
    // An interaction with a malformed field: serenity cannot parse it.
    let mut broken = ask(5010, "Quillonmarsh needs help with bail", None);
    broken["data"]["options"] = json!("Quillonmarsh is not a list");
    fake.interact(broken);
    fake.interact(autocomplete(5011, "service", "Zebedee fam"));
    fake.callback(5011).await;
    fake.interact(press(5012, "e:families-outside", true));
    fake.callback(5012).await;
    let out = bot.terminate(WAIT).await;
    let level = level.unwrap_or("default");
    assert!(
        out.status.success(),
        "{level}: {:?}\n{}",
        out.status,
        out.stderr
    );
    let logs = out.all();
    assert!(logs.contains("answered"), "{level}: {logs}");
    assert_none_logged(
        &logs,
        &[
            "Zebedee",
            "xylophone",
            "support the kids",
            "kill myself",
            "Quillonmarsh",
            "morag",
            "secretname",
            TOKEN,
            "secret-do-not-log",
            "token-50",
        ],
    );
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_the_default_level_logs_no_words_names_or_tokens() {
    run_at(None).await;
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_trace_logs_no_words_names_or_tokens() {
    run_at(Some("trace")).await;
}
