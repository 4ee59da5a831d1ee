//! The feedback store at start, through the real binary: a corrupt file, a folder where the
//! file should be, or a missing folder is reported clearly in the log, the file is left as it
//! was, and the bot answers as usual, without the feedback buttons.

mod common;

use common::{FakeTelegram, TOKEN, WAIT, knowledge_dir};
use signpost_bot_support::test_kit::BotProcess;
use std::path::Path;

const BIN: &str = env!("CARGO_BIN_EXE_signpost-telegram");
const CHAT: i64 = 770_011_223_344;
const QUESTION: &str = "my partner has just been sent to prison, who can help me";

/// Starts the bot with `SIGNPOST_FEEDBACK_DB=db`, asks one question, stops it; returns what
/// it logged, after checking the answer came with its cards and without feedback buttons.
async fn answer_with_store(db: &Path) -> String {
    let tg = FakeTelegram::start().await;
    let mut cmd = tokio::process::Command::new(BIN);
    for var in [
        "TELOXIDE_API_URL",
        "TELEGRAM_WEBHOOK_SECRET",
        "SIGNPOST_GAPS_FILE",
        "SIGNPOST_FEEDBACK_KEEP_DAYS",
        "RUST_LOG",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("TELOXIDE_TOKEN", TOKEN)
        .env("TELOXIDE_API_URL", tg.url.as_str())
        .env("SIGNPOST_KNOWLEDGE", knowledge_dir())
        .env("SIGNPOST_TELEGRAM_THROTTLE", "0")
        .env("SIGNPOST_FEEDBACK_DB", db)
        .arg("--no-watch");
    let bot = BotProcess::spawn(cmd);
    tg.wait_for("polling", |calls| {
        calls.iter().find(|c| c.method == "getupdates").cloned()
    })
    .await;
    tg.send_text(CHAT, QUESTION);
    let answer = tg.wait_messages(CHAT, 1).await.remove(0);
    assert!(
        answer.text().contains("Families Outside"),
        "{}",
        answer.text()
    );
    assert!(
        !answer
            .buttons()
            .iter()
            .any(|(_, data)| data.starts_with("f:")),
        "no feedback buttons without a store: {:?}",
        answer.buttons()
    );
    let out = bot.terminate(WAIT).await;
    assert!(out.status.success(), "{:?}\n{}", out.status, out.stderr);
    out.stderr
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupt_store_is_reported_and_the_bot_answers_without_feedback() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("feedback.db");
    let junk = "these bytes are not an SQLite database ".repeat(200);
    std::fs::write(&db, &junk).unwrap();
    let logs = answer_with_store(&db).await;
    assert!(logs.contains("feedback_store_unavailable"), "{logs}");
    assert!(logs.contains(&db.display().to_string()), "{logs}");
    assert!(logs.contains("corrupt or not an SQLite database"), "{logs}");
    assert!(logs.contains("answering without feedback"), "{logs}");
    assert_eq!(
        logs.matches("feedback_store_unavailable").count(),
        1,
        "said once: {logs}"
    );
    assert_eq!(
        std::fs::read_to_string(&db).unwrap(),
        junk,
        "left as it was"
    );
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unwritable_store_is_reported_and_the_bot_answers_without_feedback() {
    let dir = tempfile::tempdir().unwrap();
    // A folder where the file should be: nothing can write there, not even root.
    let folder = dir.path().join("feedback.db");
    std::fs::create_dir(&folder).unwrap();
    let logs = answer_with_store(&folder).await;
    assert!(logs.contains("feedback_store_unavailable"), "{logs}");
    assert!(logs.contains("cannot be written"), "{logs}");
    assert!(logs.contains("it is a folder"), "{logs}");

    let nowhere = dir.path().join("no-such-folder/feedback.db");
    let logs = answer_with_store(&nowhere).await;
    assert!(logs.contains("feedback_store_unavailable"), "{logs}");
    assert!(logs.contains("does not exist"), "{logs}");
    assert!(!nowhere.exists());
}
