//! The interactions endpoint mode over real HTTP on 127.0.0.1: signed requests are answered in
//! the response body; unsigned, tampered, wrongly signed and stale ones get 401.

mod common;

use common::limits;
use common::*;
use ed25519_dalek::{Signer, SigningKey};
use serde_json::{Value, json};
use signpost_discord::config::{Config, Mode, Secret};
use signpost_discord::{Responder, endpoint};
use std::time::{SystemTime, UNIX_EPOCH};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

fn key() -> SigningKey {
    SigningKey::from_bytes(&[7u8; 32])
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn now() -> String {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .to_string()
}

struct Endpoint {
    url: String,
    client: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    handle: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl Endpoint {
    async fn start() -> Endpoint {
        let router = endpoint::router(
            Responder::new(knowledge()),
            key().verifying_key().to_bytes(),
        )
        .unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = oneshot::channel::<()>();
        let handle = tokio::spawn(endpoint::serve(listener, router, async {
            let _ = rx.await;
        }));
        Endpoint {
            url,
            client: reqwest::Client::builder().timeout(WAIT).build().unwrap(),
            stop: Some(tx),
            handle: Some(handle),
        }
    }

    async fn post(&self, body: &[u8], headers: &[(&str, String)]) -> (u16, Value) {
        let mut request = self
            .client
            .post(format!("{}/interactions", self.url))
            .header("content-type", "application/json")
            .body(body.to_vec());
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        let response = tokio::time::timeout(WAIT, request.send())
            .await
            .expect("answered in time")
            .unwrap();
        let status = response.status().as_u16();
        let bytes = response.bytes().await.unwrap();
        let value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        if status == 200 {
            let problems = limits::validate(&value);
            assert!(problems.is_empty(), "{problems:?}");
        }
        (status, value)
    }

    /// Posts `interaction` signed with `key` at `timestamp`.
    async fn signed(&self, interaction: &Value) -> (u16, Value) {
        let body = interaction.to_string().into_bytes();
        self.post(&body, &sign(&key(), &now(), &body)).await
    }

    async fn stop(mut self) {
        let _ = self.stop.take().unwrap().send(());
        tokio::time::timeout(WAIT, self.handle.take().unwrap())
            .await
            .expect("stops in time")
            .unwrap()
            .unwrap();
    }
}

fn sign(key: &SigningKey, timestamp: &str, body: &[u8]) -> Vec<(&'static str, String)> {
    let message = [timestamp.as_bytes(), body].concat();
    let signature = key.sign(&message);
    vec![
        ("x-signature-ed25519", hex(&signature.to_bytes())),
        ("x-signature-timestamp", timestamp.to_string()),
    ]
}

fn ping() -> Value {
    json!({"id": "1", "application_id": APP_ID, "type": 1, "token": "token-1", "version": 1})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_ping_gets_a_pong() {
    let endpoint = Endpoint::start().await;
    let (status, body) = endpoint.signed(&ping()).await;
    assert_eq!(status, 200);
    assert_eq!(body["type"], 1);
    endpoint.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_ask_is_answered_in_the_response_body() {
    let endpoint = Endpoint::start().await;
    let (status, body) = endpoint
        .signed(&ask(
            2001,
            "my partner has just gone to prison, how can I support the kids",
            None,
        ))
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["type"], 4);
    assert_eq!(body["data"]["flags"], 64, "private by default");
    assert!(
        embed_titles(&body["data"])
            .iter()
            .any(|t| t == "Families Outside")
    );
    assert_eq!(body["data"]["allowed_mentions"]["parse"], json!([]));

    let (_, shared) = endpoint
        .signed(&ask(2002, "@everyone what is bail", Some(true)))
        .await;
    assert_eq!(shared["type"], 4);
    assert!(shared["data"]["flags"].as_u64().unwrap_or(0) & 64 == 0);
    assert_eq!(shared["data"]["allowed_mentions"]["parse"], json!([]));
    assert!(!all_text(&shared).contains("@everyone"));

    let (_, crisis) = endpoint
        .signed(&ask(2003, "I want to kill myself", None))
        .await;
    let first = all_text(&crisis["data"]["embeds"][0]);
    assert!(first.contains("999") && first.contains("116 123"));
    endpoint.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn autocomplete_commands_and_buttons_over_http() {
    let endpoint = Endpoint::start().await;
    let (_, choices) = endpoint.signed(&autocomplete(2010, "service", "fam")).await;
    assert_eq!(choices["type"], 8);
    assert_eq!(choices["data"]["choices"][0]["value"], "families-outside");

    let (_, journey) = endpoint
        .signed(&command(
            2011,
            "journey",
            json!([{"name": "stage", "type": 3, "value": "release"}]),
        ))
        .await;
    assert_eq!(journey["type"], 4);
    assert!(
        embed_titles(&journey["data"])
            .iter()
            .any(|t| t == "Release from prison")
    );

    let (_, update) = endpoint.signed(&press(2012, "e:samaritans", true)).await;
    assert_eq!(update["type"], 7);
    assert_eq!(update["data"]["embeds"][0]["title"], "Samaritans");

    let (_, about) = endpoint.signed(&command(2013, "about", json!([]))).await;
    assert_eq!(about["type"], 4);
    endpoint.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsigned_tampered_and_stale_requests_are_refused() {
    let endpoint = Endpoint::start().await;
    let body = ask(2020, "what is bail", None).to_string().into_bytes();

    // No signature at all.
    let (status, _) = endpoint.post(&body, &[]).await;
    assert_eq!(status, 401);

    // A signature that is not hex.
    let headers = vec![
        ("x-signature-ed25519", "not-a-signature".to_string()),
        ("x-signature-timestamp", now()),
    ];
    assert_eq!(endpoint.post(&body, &headers).await.0, 401);

    // Signed, then changed on the way.
    let headers = sign(&key(), &now(), &body);
    let tampered = ask(2020, "what is bail?", None).to_string().into_bytes();
    assert_eq!(endpoint.post(&tampered, &headers).await.0, 401);

    // Signed, then the timestamp changed.
    let mut moved = headers.clone();
    moved[1].1 = (now().parse::<u64>().unwrap() + 1).to_string();
    assert_eq!(endpoint.post(&body, &moved).await.0, 401);

    // Signed by someone else's key.
    let other = SigningKey::from_bytes(&[9u8; 32]);
    assert_eq!(
        endpoint.post(&body, &sign(&other, &now(), &body)).await.0,
        401
    );

    // A correct signature over an old timestamp: a replay.
    let old = (now().parse::<u64>().unwrap() - 3600).to_string();
    assert_eq!(
        endpoint.post(&body, &sign(&key(), &old, &body)).await.0,
        401
    );

    // An unsigned PING is refused too (Discord checks exactly this).
    let ping = ping().to_string().into_bytes();
    assert_eq!(endpoint.post(&ping, &[]).await.0, 401);

    // The same request, properly signed, is answered.
    assert_eq!(
        endpoint.post(&body, &sign(&key(), &now(), &body)).await.0,
        200
    );
    endpoint.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_check_answers() {
    let endpoint = Endpoint::start().await;
    let response = endpoint
        .client
        .get(format!("{}/healthz", endpoint.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    endpoint.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_token_the_endpoint_registers_the_commands() {
    let fake = FakeDiscord::start().await;
    let config = Config {
        mode: Mode::Gateway,
        token: Some(Secret::new(TOKEN)),
        guild_id: None,
        api_url: Some(fake.api_url.clone()),
        admin_channel_id: None,
        knowledge: knowledge_dir(),
        watch: false,
        gaps: None,
    };
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let (tx, rx) = oneshot::channel::<()>();
    let public = key().verifying_key().to_bytes();
    let server = tokio::spawn(async move {
        endpoint::run_on(&config, knowledge(), listener, public, async {
            let _ = rx.await;
        })
        .await
    });
    let put = fake
        .wait_for("global registration", |r| r.method == "PUT")
        .await;
    assert_eq!(put.path, format!("/api/v10/applications/{APP_ID}/commands"));
    // And it serves, at `/` too.
    let body = ping().to_string().into_bytes();
    let mut request = reqwest::Client::new()
        .post(url)
        .timeout(WAIT)
        .body(body.clone());
    for (name, value) in sign(&key(), &now(), &body) {
        request = request.header(name, value);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let _ = tx.send(());
    tokio::time::timeout(WAIT, server)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}
