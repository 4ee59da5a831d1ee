//! Privacy end to end, through the real start-up path: the `signpost-telegram` binary against
//! the fake Bot API, at the default log level and at `RUST_LOG=trace`, in polling and webhook
//! mode. A conversation that includes an update teloxide cannot parse (teloxide logs such an
//! update whole, at ERROR) leaves none of the person's words, their name, the token or the
//! webhook secret on standard output or standard error.

mod common;

use common::{FIRST_NAME, FakeTelegram, TOKEN, USERNAME, WAIT, knowledge_dir, text_message};
use serde_json::json;
use signpost_bot_support::test_kit::{BotOutput, BotProcess, assert_none_logged};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const BIN: &str = env!("CARGO_BIN_EXE_signpost-telegram");
const CHAT: i64 = 880_022_334_455;
const SECRET: &str = "webhook_Secret-Quillon7781";

/// Each message holds words found nowhere in the knowledge or the code.
const WORDS: &[&str] = &[
    "my partner Fenwick has just been sent to prison, who can help me and the kids",
    "I can't go on, I want to kill myself, Ysolde knows",
    "/frobnicatewidget Barnabyquartz",
];
/// The words of the update teloxide cannot parse.
const UNPARSABLE: &str = "Wolfhartgeist says the jail visit is cancelled";
const SECRET_WORDS: &[&str] = &[
    "Fenwick",
    "Ysolde",
    "Barnabyquartz",
    "frobnicatewidget",
    "Wolfhartgeist",
    "Oswaldine",
    "Peregrinewood",
    "Marigoldhaven",
    "kill myself",
    "the kids",
];

/// A real-looking message update with one malformed field (a date that is not a number, as a
/// new or changed field of the Bot API would be to an older client): teloxide cannot parse it.
fn unparsable_update() -> serde_json::Value {
    let mut message = text_message(CHAT, UNPARSABLE);
    message["date"] = json!("yesterday at noon");
    message["quote"] = json!({"text": "Wolfhartgeist quoted", "position": 0});
    message
}

fn command(log: Option<&str>) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new(BIN);
    for var in [
        "TELOXIDE_TOKEN",
        "TELOXIDE_API_URL",
        "SIGNPOST_KNOWLEDGE",
        "TELEGRAM_WEBHOOK_SECRET",
        "SIGNPOST_TELEGRAM_THROTTLE",
        "SIGNPOST_GAPS_FILE",
        "RUST_LOG",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("TELOXIDE_TOKEN", TOKEN)
        .env("SIGNPOST_KNOWLEDGE", knowledge_dir())
        .env("SIGNPOST_TELEGRAM_THROTTLE", "0")
        .arg("--no-watch");
    if let Some(level) = log {
        cmd.env("RUST_LOG", level);
    }
    cmd
}

fn check(out: &BotOutput, level: &str) {
    assert!(
        out.status.success(),
        "{level}: {:?}\n{}",
        out.status,
        out.stderr
    );
    let logs = out.all();
    // The logs are there and say what happened, without the details.
    assert!(logs.contains("answered"), "{level}: {logs}");
    assert!(
        logs.contains("an update could not be read (details withheld"),
        "{level}: the unparsable update is noted: {logs}"
    );
    let chat = CHAT.to_string();
    let mut forbidden = vec![
        TOKEN,
        "TEST/",
        SECRET,
        FIRST_NAME,
        USERNAME,
        chat.as_str(),
        UNPARSABLE,
    ];
    forbidden.extend(SECRET_WORDS);
    forbidden.extend(WORDS);
    assert_none_logged(&logs, &forbidden);
}

/// Sends the conversation and waits for every answer.
async fn converse(tg: &FakeTelegram, deliver: impl AsyncFn(serde_json::Value)) {
    let mut expected = 0;
    for words in WORDS {
        deliver(json!({"message": text_message(CHAT, words)})).await;
        expected += 1;
        tg.wait_messages(CHAT, expected).await;
    }
    let mut long = "my brother Oswaldine got lifted ".to_string();
    while long.chars().count() < 2500 {
        long.push_str("and everything is going wrong with Peregrinewood ");
    }
    deliver(json!({"message": text_message(CHAT, &long)})).await;
    deliver(json!({"message": unparsable_update()})).await;
    deliver(json!({"message": text_message(CHAT, "a letter from Marigoldhaven prison")})).await;
    expected += 2;
    tg.wait_messages(CHAT, expected).await;
}

async fn polling_at(level: Option<&str>) {
    let tg = FakeTelegram::start().await;
    let mut cmd = command(level);
    cmd.env("TELOXIDE_API_URL", tg.url.as_str());
    let bot = BotProcess::spawn(cmd);
    tg.wait_for("polling", |calls| {
        calls.iter().find(|c| c.method == "getupdates").cloned()
    })
    .await;
    converse(&tg, async |update: serde_json::Value| {
        let (kind, value) = update.as_object().unwrap().iter().next().unwrap();
        tg.push(kind, value.clone());
    })
    .await;
    let out = bot.terminate(WAIT).await;
    check(&out, level.unwrap_or("default"));
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polling_at_the_default_level_logs_no_words_token_or_names() {
    polling_at(None).await;
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polling_at_trace_logs_no_words_token_or_names() {
    polling_at(Some("trace")).await;
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_mode_at_trace_logs_no_words_token_secret_or_names() {
    let tg = FakeTelegram::start().await;
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let mut cmd = command(Some("trace"));
    cmd.env("TELOXIDE_API_URL", tg.url.as_str())
        .env("TELEGRAM_WEBHOOK_SECRET", SECRET)
        .args(["--webhook-url", "https://bot.example.org/hook"])
        .args(["--listen", &format!("127.0.0.1:{port}")]);
    let bot = BotProcess::spawn(cmd);
    tg.wait_for("the webhook", |calls| {
        calls.iter().find(|c| c.method == "setwebhook").cloned()
    })
    .await;
    let next_id = std::sync::atomic::AtomicI64::new(1);
    converse(&tg, async |mut update: serde_json::Value| {
        update["update_id"] = json!(next_id.fetch_add(1, std::sync::atomic::Ordering::SeqCst));
        let body = update.to_string();
        let request = format!(
            "POST /hook HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
             X-Telegram-Bot-Api-Secret-Token: {SECRET}\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n{body}",
            body.len()
        );
        let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .unwrap();
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut response = String::new();
        let _ = tokio::time::timeout(WAIT, stream.read_to_string(&mut response)).await;
        assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    })
    .await;
    let out = bot.terminate(WAIT).await;
    check(&out, "trace (webhook)");
}
