//! Both bots at once, as the real binaries, writing to one feedback store: the Telegram bot
//! against the fake Bot API and the Discord bot against the fake Discord, each asked a batch
//! of questions at the same moment, each answer rated with its buttons. Then the counts are
//! read back through the real `signpost report`: none is lost to the two writers. The
//! database file (and its journal) and both bots' logs are searched for the conversation's
//! words: the names and questions people typed are in none of them.

mod common;
#[allow(unused_imports)]
#[path = "../../telegram/tests/common/mod.rs"]
mod telegram;

use common::*;
use serde_json::{Value, json};
use signpost::reply::Action;
use signpost::{Assistant, LiveKnowledge};
use signpost_bot_support::test_kit::{BotProcess, assert_none_logged, workspace_binary};
use std::collections::HashMap;
use std::path::Path;

/// Made-up names, one per question: found nowhere in the knowledge or the code.
const NAMES: [&str; 8] = [
    "Quillbertine",
    "Zanthorpe",
    "Morwicket",
    "Brackenfold",
    "Ysoldaine",
    "Fenwhistle",
    "Tamberlock",
    "Oriwenna",
];
/// The question both bots are asked, with one of the names.
fn question(name: &str) -> String {
    format!("my partner {name} has just been sent to prison, who can help me and the weans")
}
/// A question neither bot can answer: kept in the store only as scrubbed words.
fn unanswerable(name: &str) -> String {
    format!("{name} wants the best banana bread recipe")
}
const TELEGRAM_CHAT: i64 = 660_000_000_100;

fn telegram_command(bin: &Path, api: &str, db: &Path) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new(bin);
    for var in [
        "TELEGRAM_WEBHOOK_SECRET",
        "SIGNPOST_GAPS_FILE",
        "SIGNPOST_FEEDBACK_KEEP_DAYS",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("TELOXIDE_TOKEN", telegram::TOKEN)
        .env("TELOXIDE_API_URL", api)
        .env("SIGNPOST_KNOWLEDGE", knowledge_dir())
        .env("SIGNPOST_TELEGRAM_THROTTLE", "0")
        .env("SIGNPOST_FEEDBACK_DB", db)
        .env("RUST_LOG", "trace")
        .arg("--no-watch");
    cmd
}

fn discord_command(api: &str, db: &Path) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_signpost-discord"));
    for var in [
        "DISCORD_PUBLIC_KEY",
        "DISCORD_ADMIN_CHANNEL_ID",
        "SIGNPOST_GAPS_FILE",
        "SIGNPOST_FEEDBACK_KEEP_DAYS",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("DISCORD_TOKEN", TOKEN)
        .env("DISCORD_API_URL", api)
        .env("DISCORD_GUILD_ID", GUILD_ID.to_string())
        .env("SIGNPOST_KNOWLEDGE", knowledge_dir())
        .env("SIGNPOST_FEEDBACK_DB", db)
        .env("RUST_LOG", "trace")
        .arg("--no-watch");
    cmd
}

/// The entries a feedback payload names, as the store counts them.
fn rated(assistant: &Assistant, payload: &str) -> Vec<String> {
    match Action::decode(payload) {
        Some(Action::Feedback(vote)) => assistant
            .rated_entries(&vote)
            .into_iter()
            .map(str::to_string)
            .collect(),
        _ => panic!("{payload} is not a feedback payload"),
    }
}

/// A press of `custom_id` on the private Discord answer `shown`.
fn discord_press(id: u64, custom_id: &str, shown: &Value) -> Value {
    let mut value = press(id, custom_id, true);
    value["message"]["content"] = shown.get("content").cloned().unwrap_or(json!(""));
    value["message"]["components"] = shown.get("components").cloned().unwrap_or(json!([]));
    value
}

fn feedback_ids(rows: impl IntoIterator<Item = String>) -> Vec<String> {
    rows.into_iter().filter(|d| d.starts_with("f:")).collect()
}

/// One row of the report's "Not helpful" table: (not helpful, helpful, shown) by id.
fn report_rows(report: &str) -> HashMap<String, (u64, u64, u64)> {
    let table = report
        .split("Entries by \"Not helpful\" share")
        .nth(1)
        .expect("the table")
        .split("\n\n")
        .next()
        .unwrap();
    table
        .lines()
        .skip(2)
        .filter_map(|line| {
            let cells: Vec<&str> = line.split_whitespace().collect();
            let number = |i: usize| cells.get(i)?.parse::<u64>().ok();
            Some((
                cells.get(4)?.to_string(),
                (number(0)?, number(2)?, number(3)?),
            ))
        })
        .collect()
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_bots_share_one_store_lose_no_count_and_keep_no_words() {
    let telegram_bin = workspace_binary("signpost-telegram", "signpost-telegram");
    let signpost_bin = workspace_binary("signpost", "signpost");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("feedback.db");
    let tg = telegram::FakeTelegram::start().await;
    let dc = FakeDiscord::start().await;
    let telegram_bot = BotProcess::spawn(telegram_command(&telegram_bin, tg.url.as_str(), &db));
    let discord_bot = BotProcess::spawn(discord_command(&dc.api_url, &db));
    tg.wait_for("polling", |calls| {
        calls.iter().find(|c| c.method == "getupdates").cloned()
    })
    .await;
    dc.wait_for("registration", |r| r.method == "PUT").await;

    // Every question to both bots at once: one Telegram chat per name, one interaction each.
    for (i, name) in NAMES.iter().enumerate() {
        tg.send_text(TELEGRAM_CHAT + i as i64, &question(name));
        dc.interact(ask(7000 + i as u64, &question(name), None));
    }
    tg.send_text(TELEGRAM_CHAT + 99, &unanswerable("Grimblewick"));
    dc.interact(ask(7099, &unanswerable("Pellucidora"), None));

    // Each answer has the pair: "Not helpful" on Telegram, "Helpful" on Discord.
    let (live, _) = LiveKnowledge::load(&knowledge_dir()).unwrap();
    let assistant = live.current();
    let mut expected: HashMap<String, (u64, u64)> = HashMap::new();
    for i in 0..NAMES.len() {
        let sent = tg
            .wait_messages(TELEGRAM_CHAT + i as i64, 1)
            .await
            .remove(0);
        let pair = feedback_ids(sent.rows().concat());
        assert_eq!(pair.len(), 2, "{:?}", sent.rows());
        for id in rated(&assistant, &pair[1]) {
            expected.entry(id).or_default().0 += 1;
        }
        tg.press_message(&sent, &pair[1]);

        let id = 7000 + i as u64;
        let answer = dc.edit(id).await;
        let pair = feedback_ids(
            answer["components"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
                .filter_map(|b| b["custom_id"].as_str().map(str::to_string)),
        );
        assert_eq!(pair.len(), 2, "{answer}");
        for entry in rated(&assistant, &pair[0]) {
            expected.entry(entry).or_default().1 += 1;
        }
        dc.interact(discord_press(id + 100, &pair[0], &answer));
    }
    // Every press was thanked: Telegram edits the message, Discord amends it.
    tg.wait_for("a thank-you edit per press", |calls| {
        let edits = calls
            .iter()
            .filter(|c| c.method == "editmessagetext" && c.status == 200)
            .count();
        (edits >= NAMES.len()).then_some(())
    })
    .await;
    for i in 0..NAMES.len() as u64 {
        let thanks = dc.callback(7100 + i).await;
        assert_eq!(thanks["type"], 7, "{thanks}");
    }
    tg.wait_messages(TELEGRAM_CHAT + 99, 1).await;
    dc.edit(7099).await;

    let telegram_out = telegram_bot.terminate(WAIT).await;
    let discord_out = discord_bot.terminate(WAIT).await;
    assert!(telegram_out.status.success(), "{}", telegram_out.stderr);
    assert!(discord_out.status.success(), "{}", discord_out.stderr);

    // The counts, read back through `signpost report`.
    let out = std::process::Command::new(&signpost_bin)
        .env_remove("SIGNPOST_FEEDBACK_DB")
        .args(["report", "--top", "500", "--knowledge"])
        .arg(knowledge_dir())
        .arg("--db")
        .arg(&db)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answers = 2 * (NAMES.len() + 1);
    assert!(
        report.contains(&format!(
            "Answers      {answers:>6}   fallbacks 2 ({:.0}%)",
            200.0 / answers as f64
        )),
        "{report}"
    );
    assert!(
        report.contains("      2  wants best banana bread recipe"),
        "{report}"
    );
    let rows = report_rows(&report);
    assert!(!expected.is_empty());
    for (id, (not_helpful, helpful)) in &expected {
        let (nh, h, shown) = rows
            .get(id)
            .unwrap_or_else(|| panic!("{id} is in the report:\n{report}"));
        assert_eq!((nh, h), (not_helpful, helpful), "{id}:\n{report}");
        assert!(
            *shown >= not_helpful + helpful,
            "{id} shown {shown}:\n{report}"
        );
    }

    // Nothing people wrote is in the store or the logs: the names, the questions, and (in
    // the logs) not even the scrubbed words of the unanswered ones.
    let mut bytes = Vec::new();
    for suffix in ["", "-wal", "-shm"] {
        let path = dir.path().join(format!("feedback.db{suffix}"));
        bytes.extend(std::fs::read(&path).unwrap_or_default());
    }
    let stored = String::from_utf8_lossy(&bytes).to_string();
    let questions: Vec<String> = NAMES.iter().map(|n| question(n)).collect();
    let mut forbidden: Vec<&str> = NAMES.to_vec();
    forbidden.extend(["Grimblewick", "Pellucidora", "the weans", "who can help me"]);
    forbidden.extend(questions.iter().map(String::as_str));
    assert_none_logged(&stored, &forbidden);
    forbidden.extend(["banana", "recipe"]);
    assert_none_logged(&telegram_out.all(), &forbidden);
    assert_none_logged(&discord_out.all(), &forbidden);
    assert!(telegram_out.stderr.contains("feedback_store_opened"));
    assert!(discord_out.stderr.contains("feedback_store_opened"));
}
