//! A fake Discord for end-to-end tests: REST (axum on 127.0.0.1, port 0) and a plain `ws://`
//! gateway (tokio-tungstenite) that says HELLO, accepts IDENTIFY or RESUME, sends READY and
//! answers heartbeats. Every request is recorded; every message body is checked against
//! Discord's limits.
#![allow(dead_code)]

pub mod limits;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use signpost::LiveKnowledge;
use signpost_discord::config::{Config, Mode, Secret};
use signpost_discord::gateway;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

pub const TOKEN: &str = "MTIzNDU2.fake-token.SECRET-do-not-log";
pub const APP_ID: &str = "424242424242424242";
pub const GUILD_ID: u64 = 777_777_777_777_777_777;
pub const CHANNEL_ID: &str = "555555555555555555";
/// Generous: the machine may be busy building other crates.
pub const WAIT: Duration = Duration::from_secs(30);

/// The shipped knowledge folder.
pub fn knowledge_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../knowledge")
}

/// The shipped knowledge, loaded once per test binary.
pub fn knowledge() -> LiveKnowledge {
    static LIVE: OnceLock<LiveKnowledge> = OnceLock::new();
    LIVE.get_or_init(|| {
        let live = LiveKnowledge::load(&knowledge_dir())
            .expect("the shipped knowledge loads")
            .0;
        // A weekday morning, whenever the tests run: which lines are open, and so which of
        // two equally good cards comes first, never depends on the hour.
        live.set_clock(std::sync::Arc::new(
            signpost::FixedClock::at("2026-03-30T09:00:00Z").expect("a time"),
        ));
        live
    })
    .clone()
}

/// One request the fake received.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub authorization: Option<String>,
    pub body: Value,
}

#[derive(Default)]
struct Shared {
    requests: Mutex<Vec<Recorded>>,
    problems: Mutex<Vec<String>>,
    /// Paths whose requests get a 500 instead of an answer.
    failing: Mutex<Vec<String>>,
    identifies: Mutex<Vec<Value>>,
    resumes: AtomicU64,
    connections: AtomicU64,
    seq: AtomicU64,
    current: Mutex<Option<mpsc::UnboundedSender<Message>>>,
    gateway_url: OnceLock<String>,
    /// Close IDENTIFY with 4004 (authentication failed).
    refuse_token: std::sync::atomic::AtomicBool,
}

/// The fake Discord.
#[derive(Clone)]
pub struct FakeDiscord {
    pub api_url: String,
    pub gateway_url: String,
    shared: Arc<Shared>,
}

impl FakeDiscord {
    pub async fn start() -> FakeDiscord {
        let shared = Arc::new(Shared::default());
        let ws = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let gateway_url = format!("ws://{}", ws.local_addr().unwrap());
        shared.gateway_url.set(gateway_url.clone()).unwrap();
        tokio::spawn(gateway_loop(ws, shared.clone()));
        let rest = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let api_url = format!("http://{}", rest.local_addr().unwrap());
        let app = Router::new()
            .fallback(rest_handler)
            .with_state(shared.clone());
        tokio::spawn(async move {
            let _ = axum::serve(rest, app).await;
        });
        FakeDiscord {
            api_url,
            gateway_url,
            shared,
        }
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.requests.lock().unwrap().clone()
    }

    /// Waits for a request matching `pred`.
    pub async fn wait_for(&self, what: &str, pred: impl Fn(&Recorded) -> bool) -> Recorded {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            if let Some(found) = self.requests().into_iter().find(|r| pred(r)) {
                return found;
            }
            if tokio::time::Instant::now() > deadline {
                panic!(
                    "timed out waiting for {what}; received: {:#?}",
                    self.requests()
                        .iter()
                        .map(|r| format!("{} {}", r.method, r.path))
                        .collect::<Vec<_>>()
                );
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// The interaction callback for interaction `id`.
    pub async fn callback(&self, id: u64) -> Value {
        let path = format!("/api/v10/interactions/{id}/token-{id}/callback");
        self.wait_for(&format!("callback {id}"), |r| {
            r.method == "POST" && r.path == path
        })
        .await
        .body
    }

    /// The edit of the original response of interaction `id` (after a deferral).
    pub async fn edit(&self, id: u64) -> Value {
        let path = format!("/api/v10/webhooks/{APP_ID}/token-{id}/messages/@original");
        self.wait_for(&format!("edit {id}"), |r| {
            r.method == "PATCH" && r.path == path
        })
        .await
        .body
    }

    /// Answers requests to `path` with a 500 from now on.
    pub fn fail(&self, path: String) {
        self.shared.failing.lock().unwrap().push(path);
    }

    pub fn refuse_token(&self) {
        self.shared.refuse_token.store(true, Ordering::SeqCst);
    }

    pub fn identifies(&self) -> Vec<Value> {
        self.shared.identifies.lock().unwrap().clone()
    }

    pub fn resumes(&self) -> u64 {
        self.shared.resumes.load(Ordering::SeqCst)
    }

    /// Waits until the bot has reconnected and resumed.
    pub async fn wait_for_resume(&self) {
        let deadline = tokio::time::Instant::now() + WAIT;
        while self.resumes() == 0 {
            assert!(tokio::time::Instant::now() < deadline, "no resume");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub fn connections(&self) -> u64 {
        self.shared.connections.load(Ordering::SeqCst)
    }

    /// Sends a dispatch event on the current gateway connection.
    pub fn dispatch(&self, event: &str, data: Value) {
        let seq = self.shared.seq.fetch_add(1, Ordering::SeqCst) + 1;
        let frame = json!({"op": 0, "t": event, "s": seq, "d": data});
        let current = self.shared.current.lock().unwrap();
        current
            .as_ref()
            .expect("a gateway connection")
            .send(Message::Text(frame.to_string()))
            .expect("the connection is open");
    }

    /// Sends an interaction over the gateway.
    pub fn interact(&self, interaction: Value) {
        self.dispatch("INTERACTION_CREATE", interaction);
    }

    /// Closes the current gateway connection with `code`, as Discord does before a reconnect.
    pub fn drop_connection(&self, code: u16) {
        let current = self.shared.current.lock().unwrap().take();
        if let Some(tx) = current {
            let _ = tx.send(Message::Close(Some(CloseFrame {
                code: CloseCode::from(code),
                reason: "fake reconnect".into(),
            })));
        }
    }

    /// Every limit broken by any message the bot sent; panics listing them.
    pub fn assert_all_within_limits(&self) {
        let problems = self.shared.problems.lock().unwrap().clone();
        assert!(problems.is_empty(), "limits broken: {problems:#?}");
    }
}

async fn rest_handler(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_string();
    let body: Value = if body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&body).unwrap_or_else(|_| json!({"unparsed": true}))
    };
    let record = Recorded {
        method: method.to_string(),
        path: path.clone(),
        authorization: headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        body: body.clone(),
    };
    let checked = path.ends_with("/callback")
        || path.contains("/messages")
        || (method == Method::POST && path.starts_with("/api/v10/webhooks/"));
    if checked {
        for problem in limits::validate(&body) {
            shared
                .problems
                .lock()
                .unwrap()
                .push(format!("{method} {path}: {problem}"));
        }
    }
    shared.requests.lock().unwrap().push(record);
    if shared.failing.lock().unwrap().contains(&path) {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            [("content-type", "application/json")],
            json!({"message": "fake failure", "code": 0}).to_string(),
        )
            .into_response();
    }
    let gateway = shared.gateway_url.get().cloned().unwrap_or_default();
    let json_response = |status: StatusCode, value: Value| {
        (
            status,
            [("content-type", "application/json")],
            value.to_string(),
        )
            .into_response()
    };
    match (method.as_str(), path.as_str()) {
        ("GET", "/api/v10/gateway") => json_response(StatusCode::OK, json!({ "url": gateway })),
        ("GET", "/api/v10/gateway/bot") => json_response(
            StatusCode::OK,
            json!({"url": gateway, "shards": 1, "session_start_limit": {
                "total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}}),
        ),
        ("GET", "/api/v10/oauth2/applications/@me") => json_response(
            StatusCode::OK,
            json!({"id": APP_ID, "name": "signpost", "icon": null, "description": "",
                   "bot_public": false, "bot_require_code_grant": false, "owner": null,
                   "team": null, "verify_key": "00"}),
        ),
        ("PUT", p) if p.ends_with("/commands") => json_response(StatusCode::OK, json!([])),
        ("POST", p) if p.ends_with("/callback") => StatusCode::NO_CONTENT.into_response(),
        ("PATCH", p) if p.starts_with("/api/v10/webhooks/") => {
            json_response(StatusCode::OK, message_json(64))
        }
        ("POST", p)
            if p.starts_with("/api/v10/webhooks/") || p.starts_with("/api/v10/channels/") =>
        {
            json_response(StatusCode::OK, message_json(0))
        }
        _ => json_response(
            StatusCode::NOT_FOUND,
            json!({"message": "404: Not Found", "code": 0}),
        ),
    }
}

async fn gateway_loop(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            return;
        };
        let shared = shared.clone();
        tokio::spawn(async move {
            let Ok(ws) = tokio_tungstenite::accept_async(stream).await else {
                return;
            };
            shared.connections.fetch_add(1, Ordering::SeqCst);
            connection(ws, shared).await;
        });
    }
}

async fn connection(
    ws: tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>,
    shared: Arc<Shared>,
) {
    let (mut sink, mut stream) = ws.split();
    let (tx, mut rx) = mpsc::unbounded_channel::<Message>();
    let hello = json!({"op": 10, "d": {"heartbeat_interval": 41250}});
    if sink.send(Message::Text(hello.to_string())).await.is_err() {
        return;
    }
    let gateway = shared.gateway_url.get().cloned().unwrap_or_default();
    loop {
        tokio::select! {
            incoming = stream.next() => {
                let Some(Ok(message)) = incoming else { break };
                let text = match message {
                    Message::Text(text) => text,
                    Message::Close(_) => break,
                    _ => continue,
                };
                let Ok(frame) = serde_json::from_str::<Value>(&text) else { continue };
                match frame["op"].as_u64() {
                    Some(2) => {
                        shared.identifies.lock().unwrap().push(frame["d"].clone());
                        if shared.refuse_token.load(Ordering::SeqCst) {
                            let _ = sink.send(Message::Close(Some(CloseFrame {
                                code: CloseCode::from(4004),
                                reason: "Authentication failed.".into(),
                            }))).await;
                            break;
                        }
                        let seq = shared.seq.fetch_add(1, Ordering::SeqCst) + 1;
                        let ready = json!({"op": 0, "t": "READY", "s": seq, "d": {
                            "v": 10,
                            "user": bot_user(),
                            "guilds": [],
                            "session_id": "fake-session",
                            "resume_gateway_url": gateway,
                            "shard": [0, 1],
                            "application": {"id": APP_ID, "flags": 0},
                        }});
                        *shared.current.lock().unwrap() = Some(tx.clone());
                        if sink.send(Message::Text(ready.to_string())).await.is_err() { break }
                    }
                    Some(6) => {
                        let seq = shared.seq.fetch_add(1, Ordering::SeqCst) + 1;
                        let resumed = json!({"op": 0, "t": "RESUMED", "s": seq, "d": {}});
                        // Ready for dispatches before the test can see the resume.
                        *shared.current.lock().unwrap() = Some(tx.clone());
                        shared.resumes.fetch_add(1, Ordering::SeqCst);
                        if sink.send(Message::Text(resumed.to_string())).await.is_err() { break }
                    }
                    Some(1) => {
                        let ack = json!({"op": 11});
                        if sink.send(Message::Text(ack.to_string())).await.is_err() { break }
                    }
                    _ => {}
                }
            }
            outgoing = rx.recv() => {
                let Some(message) = outgoing else { break };
                let closing = matches!(message, Message::Close(_));
                if sink.send(message).await.is_err() || closing {
                    break;
                }
            }
        }
    }
}

pub fn bot_user() -> Value {
    json!({"id": APP_ID, "username": "signpost", "discriminator": "0000",
           "global_name": null, "avatar": null, "bot": true})
}

/// A user with a name that must never be logged.
pub fn person() -> Value {
    json!({"id": "313131313131313131", "username": "morag.secretname", "discriminator": "0",
           "global_name": "Morag Secretname", "avatar": null})
}

pub fn message_json(flags: u64) -> Value {
    json!({
        "id": "919191919191919191", "channel_id": CHANNEL_ID, "author": bot_user(),
        "content": "", "timestamp": "2026-01-01T00:00:00.000000+00:00",
        "edited_timestamp": null, "tts": false, "mention_everyone": false, "mentions": [],
        "mention_roles": [], "attachments": [], "embeds": [], "pinned": false, "type": 0,
        "flags": flags, "application_id": APP_ID,
    })
}

fn base(id: u64, kind: u64) -> Value {
    json!({
        "id": id.to_string(), "application_id": APP_ID, "type": kind,
        "token": format!("token-{id}"), "version": 1, "channel_id": CHANNEL_ID,
        "user": person(), "locale": "en-GB", "entitlements": [],
        "attachment_size_limit": 10_485_760, "app_permissions": "0",
    })
}

/// A slash command; `options` as Discord sends them.
pub fn command(id: u64, name: &str, options: Value) -> Value {
    let mut value = base(id, 2);
    value["data"] =
        json!({"id": "900000000000000001", "name": name, "type": 1, "options": options});
    value
}

/// `/ask question` with optional `share`.
pub fn ask(id: u64, question: &str, share: Option<bool>) -> Value {
    let mut options = vec![json!({"name": "question", "type": 3, "value": question})];
    if let Some(share) = share {
        options.push(json!({"name": "share", "type": 5, "value": share}));
    }
    command(id, "ask", Value::Array(options))
}

/// Autocomplete of `name` for `/service` or `/topic`.
pub fn autocomplete(id: u64, command_name: &str, typed: &str) -> Value {
    let mut value = base(id, 4);
    value["data"] = json!({"id": "900000000000000002", "name": command_name, "type": 1,
        "options": [{"name": "name", "type": 3, "value": typed, "focused": true}]});
    value
}

/// A button press on a message (ephemeral or not).
pub fn press(id: u64, custom_id: &str, on_ephemeral: bool) -> Value {
    let mut value = base(id, 3);
    value["data"] = json!({"custom_id": custom_id, "component_type": 2});
    value["message"] = message_json(if on_ephemeral { 64 } else { 0 });
    value
}

/// Every string in a JSON value, joined.
pub fn all_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(all_text).collect::<Vec<_>>().join("\n"),
        Value::Object(map) => map.values().map(all_text).collect::<Vec<_>>().join("\n"),
        _ => String::new(),
    }
}

/// Titles of the embeds of a message body.
pub fn embed_titles(message: &Value) -> Vec<String> {
    message["embeds"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["title"].as_str().map(str::to_string))
        .collect()
}

/// The custom ids of the buttons of a message body.
pub fn custom_ids(message: &Value) -> Vec<String> {
    message["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .filter_map(|b| b["custom_id"].as_str().map(str::to_string))
        .collect()
}

/// The bot running against a fake.
pub struct Bot {
    stop: Option<oneshot::Sender<()>>,
    handle: Option<JoinHandle<anyhow::Result<()>>>,
}

pub fn gateway_config(fake: &FakeDiscord, admin_channel: Option<u64>) -> Config {
    Config {
        mode: Mode::Gateway,
        token: Some(Secret::new(TOKEN)),
        guild_id: Some(GUILD_ID),
        api_url: Some(fake.api_url.clone()),
        admin_channel_id: admin_channel,
        knowledge: knowledge_dir(),
        watch: false,
        gaps: None,
    }
}

impl Bot {
    /// Starts the real serenity client against `fake` and waits until it has registered
    /// its commands (so READY was handled).
    pub async fn start(fake: &FakeDiscord, live: LiveKnowledge, admin_channel: Option<u64>) -> Bot {
        let bot = Bot::spawn(gateway_config(fake, admin_channel), live);
        fake.wait_for("command registration", |r| {
            r.method == "PUT" && r.path.ends_with("/commands")
        })
        .await;
        bot
    }

    pub fn spawn(config: Config, live: LiveKnowledge) -> Bot {
        let (tx, rx) = oneshot::channel::<()>();
        let handle = tokio::spawn(async move {
            gateway::run(&config, live, async {
                let _ = rx.await;
            })
            .await
        });
        Bot {
            stop: Some(tx),
            handle: Some(handle),
        }
    }

    /// Waits for the client to end by itself.
    pub async fn finished(mut self) -> anyhow::Result<()> {
        let handle = self.handle.take().unwrap();
        tokio::time::timeout(WAIT, handle)
            .await
            .expect("the client ends in time")
            .expect("the client task does not panic")
    }

    /// Asks for shutdown and checks the client stops cleanly and in time.
    pub async fn stop(mut self) {
        let _ = self.stop.take().unwrap().send(());
        let handle = self.handle.take().unwrap();
        tokio::time::timeout(WAIT, handle)
            .await
            .expect("the client stops in time")
            .expect("the client task does not panic")
            .expect("the client stops without error");
    }
}

impl Drop for Bot {
    fn drop(&mut self) {
        if let Some(handle) = self.handle.take() {
            handle.abort();
        }
    }
}
