//! Drives commands through both modes with logging at TRACE, then checks the captured logs
//! hold none of the question text, the person's name, the bot token or interaction tokens.

mod common;

use common::*;
use ed25519_dalek::{Signer, SigningKey};
use serde_json::json;
use signpost_bot_support::test_kit::{assert_none_logged, capture_logs};
use signpost_discord::{Responder, endpoint};

const QUESTIONS: &[&str] = &[
    "my partner Zebedee has just gone to prison, how can I support the kids",
    "@everyone what is bail for quixotic reasons",
    "I want to kill myself tonight, xylophone",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_hold_no_question_text_names_or_tokens() {
    // The bots' own policy at TRACE, with no secret registered for blanking: the token must
    // stay out of the logs by itself.
    let capture = capture_logs("trace", &[]);

    // The gateway mode, with a failure and a reconnect on the way.
    let fake = FakeDiscord::start().await;
    let bot = Bot::start(&fake, knowledge(), None).await;
    for (i, question) in QUESTIONS.iter().enumerate() {
        let id = 3000 + i as u64;
        fake.interact(ask(id, question, Some(i == 1)));
        fake.edit(id).await;
    }
    fake.interact(autocomplete(3010, "service", "Zebedee fam"));
    fake.callback(3010).await;
    fake.interact(command(
        3011,
        "service",
        json!([{"name": "name", "type": 3, "value": "quixotic xylophone"}]),
    ));
    fake.callback(3011).await;
    fake.interact(press(3012, "e:families-outside", true));
    fake.callback(3012).await;
    fake.fail(format!(
        "/api/v10/webhooks/{APP_ID}/token-3013/messages/@original"
    ));
    fake.interact(ask(3013, QUESTIONS[0], None));
    fake.edit(3013).await;
    fake.drop_connection(4000);
    fake.wait_for_resume().await;
    fake.interact(ask(3014, QUESTIONS[2], None));
    fake.edit(3014).await;
    bot.stop().await;

    // The endpoint mode.
    let key = SigningKey::from_bytes(&[7u8; 32]);
    let router =
        endpoint::router(Responder::new(knowledge()), key.verifying_key().to_bytes()).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(endpoint::serve(listener, router, async {
        let _ = rx.await;
    }));
    let client = reqwest::Client::new();
    for (i, question) in QUESTIONS.iter().enumerate() {
        let body = ask(3100 + i as u64, question, None)
            .to_string()
            .into_bytes();
        let timestamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            .to_string();
        let signature = key.sign(&[timestamp.as_bytes(), &body].concat());
        let hex: String = signature
            .to_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let response = client
            .post(&url)
            .timeout(WAIT)
            .header("x-signature-ed25519", hex)
            .header("x-signature-timestamp", timestamp)
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        // And a tampered copy.
        let response = client
            .post(&url)
            .timeout(WAIT)
            .header("x-signature-ed25519", "00".repeat(64))
            .header("x-signature-timestamp", "1")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 401);
    }
    let _ = tx.send(());
    server.await.unwrap().unwrap();

    let logs = capture.text();
    // The logs are there, with what they should carry.
    assert!(
        logs.contains("event=\"answered\"") || logs.contains("event=answered"),
        "{logs}"
    );
    assert!(logs.contains("families-outside"), "result ids are logged");
    assert!(
        logs.contains("suicide-self-harm"),
        "crisis categories are logged"
    );
    assert!(logs.contains("respond_failed"), "the failure is logged");
    assert!(logs.contains("endpoint_refused"));
    if std::env::var("SHOW_LOGS").is_ok() {
        eprintln!("{logs}");
    }
    assert_none_logged(
        &logs,
        &[
            "zebedee",
            "quixotic",
            "xylophone",
            "support the kids",
            "kill myself",
            "@everyone",
            "morag",
            "secretname",
            TOKEN,
            "secret-do-not-log",
            "token-30",
            "token-31",
        ],
    );
}
