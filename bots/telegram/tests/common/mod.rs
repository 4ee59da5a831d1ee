//! A fake Telegram Bot API on 127.0.0.1 for end-to-end tests of the real dispatcher.
//!
//! It answers the methods the bot uses with the real API's `{"ok": ..., "result": ...}`
//! wrappers, holds `getUpdates` open briefly when there is nothing to deliver (like the real
//! long poll), captures every request body, and checks `parse_mode = HTML` text the way
//! Telegram does: a malformed tag or entity is a `400 can't parse entities`, text over 4096
//! characters is `400 message is too long`.
#![allow(dead_code)]

pub mod html;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::post;
use serde_json::{Value, json};
use signpost_telegram::{Bot, Running, Settings};
use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// The token every test bot uses.
pub const TOKEN: &str = "123:TEST";
/// How long any wait in a test may take before it fails (generous for a busy 2-core box).
pub const WAIT: Duration = Duration::from_secs(30);
/// The person's name in test updates: it must never reach a log.
pub const FIRST_NAME: &str = "Morwenna";
/// The person's username in test updates: it must never reach a log.
pub const USERNAME: &str = "morwenna_quillfeather";

/// One captured request.
#[derive(Debug, Clone)]
pub struct Call {
    /// The method, lowercased (teloxide sends e.g. `SendMessage`).
    pub method: String,
    /// The method exactly as it appeared in the path.
    pub raw_method: String,
    /// The JSON body.
    pub body: Value,
    /// The HTTP status the fake answered with.
    pub status: u16,
    /// When it arrived.
    pub at: Instant,
}

impl Call {
    pub fn chat(&self) -> Option<i64> {
        self.body.get("chat_id").and_then(Value::as_i64)
    }
    pub fn text(&self) -> &str {
        self.body
            .get("text")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }
    /// The inline keyboard as (label, callback_data) pairs.
    pub fn buttons(&self) -> Vec<(String, String)> {
        self.body
            .pointer("/reply_markup/inline_keyboard")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_array)
            .flatten()
            .map(|b| {
                (
                    b["text"].as_str().unwrap_or_default().to_string(),
                    b["callback_data"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    }
}

/// A planned failure: the next `times` calls of `method` (for `chat`, if given) get this
/// answer instead of success.
struct Failure {
    method: String,
    chat: Option<i64>,
    times: usize,
    status: u16,
    body: Value,
}

#[derive(Default)]
struct FakeState {
    pending: VecDeque<Value>,
    next_update_id: i64,
    next_message_id: i64,
    calls: Vec<Call>,
    failures: Vec<Failure>,
    closed: bool,
}

struct Shared {
    state: Mutex<FakeState>,
    changed: Notify,
}

/// The fake API server.
pub struct FakeTelegram {
    pub url: url::Url,
    shared: Arc<Shared>,
    server: tokio::task::JoinHandle<()>,
}

impl FakeTelegram {
    pub async fn start() -> FakeTelegram {
        let shared = Arc::new(Shared {
            state: Mutex::new(FakeState {
                next_update_id: 1,
                next_message_id: 1000,
                ..FakeState::default()
            }),
            changed: Notify::new(),
        });
        let app = Router::new()
            .route("/{bot}/{method}", post(api))
            .with_state(Arc::clone(&shared));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        FakeTelegram {
            url: url::Url::parse(&format!("http://{addr}/")).unwrap(),
            shared,
            server,
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, FakeState> {
        self.shared.state.lock().unwrap()
    }

    /// Queues an update (`kind` is e.g. `message`); returns its update_id.
    pub fn push(&self, kind: &str, value: Value) -> i64 {
        let id = {
            let mut state = self.state();
            let id = state.next_update_id;
            state.next_update_id += 1;
            state
                .pending
                .push_back(json!({ "update_id": id, kind: value }));
            id
        };
        self.shared.changed.notify_waiters();
        id
    }

    pub fn send_text(&self, chat: i64, text: &str) -> i64 {
        self.push("message", text_message(chat, text))
    }

    pub fn send_sticker(&self, chat: i64) -> i64 {
        let mut m = base_message(chat);
        m["sticker"] = json!({
            "file_id": "CAACAgIAAxkBAAIBQ2Zl", "file_unique_id": "AgADsw", "type": "regular",
            "width": 512, "height": 512, "is_animated": false, "is_video": false, "emoji": "👍"
        });
        self.push("message", m)
    }

    pub fn send_voice(&self, chat: i64) -> i64 {
        let mut m = base_message(chat);
        m["voice"] = json!({
            "file_id": "AwACAgIAAxkBAAIBRGZl", "file_unique_id": "AgADtA", "duration": 3,
            "mime_type": "audio/ogg"
        });
        self.push("message", m)
    }

    pub fn send_photo(&self, chat: i64, caption: Option<&str>) -> i64 {
        let mut m = base_message(chat);
        m["photo"] = json!([{ "file_id": "AgACAgIAAxkBAAIBRWZl", "file_unique_id": "AQADtQ",
            "width": 90, "height": 90 }]);
        if let Some(caption) = caption {
            m["caption"] = json!(caption);
        }
        self.push("message", m)
    }

    /// A press of an inline button with `data` under the bot's message `message_id`.
    pub fn press(&self, chat: i64, data: &str, message_id: i64) -> String {
        let id = format!("cbq-{chat}-{}", self.state().next_update_id);
        self.push(
            "callback_query",
            json!({
                "id": id,
                "from": user(chat),
                "chat_instance": format!("ci-{chat}"),
                "data": data,
                "message": {
                    "message_id": message_id,
                    "date": 1_767_225_600,
                    "chat": private_chat(chat),
                    "from": bot_user(),
                    "text": "Who are you asking for?"
                }
            }),
        );
        id
    }

    /// The next `times` calls of `method` (lowercase) to `chat` fail with this Bot API error.
    pub fn fail(&self, method: &str, chat: Option<i64>, times: usize, status: u16, body: Value) {
        self.state().failures.push(Failure {
            method: method.to_lowercase(),
            chat,
            times,
            status,
            body,
        });
    }

    pub fn calls(&self) -> Vec<Call> {
        self.state().calls.clone()
    }

    /// Successful `sendMessage` calls to `chat`, in order.
    pub fn messages_to(&self, chat: i64) -> Vec<Call> {
        self.calls()
            .into_iter()
            .filter(|c| c.method == "sendmessage" && c.status == 200 && c.chat() == Some(chat))
            .collect()
    }

    /// Every request the fake rejected (bad HTML, too long, ...) apart from planned failures.
    pub fn rejected(&self) -> Vec<Call> {
        self.calls()
            .into_iter()
            .filter(|c| c.status == 400)
            .collect()
    }

    /// Waits (bounded) until `check` finds what it wants in the captured calls.
    pub async fn wait_for<T>(&self, what: &str, mut check: impl FnMut(&[Call]) -> Option<T>) -> T {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let notified = self.shared.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if let Some(found) = check(&self.state().calls) {
                return found;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                let methods: Vec<String> = self
                    .calls()
                    .iter()
                    .filter(|c| c.method != "getupdates")
                    .map(|c| format!("{} {} -> {}", c.method, c.chat().unwrap_or(0), c.status))
                    .collect();
                panic!("timed out waiting for {what}; calls so far: {methods:#?}");
            }
        }
    }

    /// Waits for `n` delivered messages to `chat` and returns them.
    pub async fn wait_messages(&self, chat: i64, n: usize) -> Vec<Call> {
        self.wait_for(&format!("{n} message(s) to chat {chat}"), |calls| {
            let sent: Vec<Call> = calls
                .iter()
                .filter(|c| c.method == "sendmessage" && c.status == 200 && c.chat() == Some(chat))
                .cloned()
                .collect();
            (sent.len() >= n).then_some(sent)
        })
        .await
    }

    /// Waits until every queued update has been fetched by the bot.
    pub async fn wait_drained(&self) {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let notified = self.shared.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.state().pending.is_empty() {
                return;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!("the bot did not fetch its updates");
            }
        }
    }
}

impl Drop for FakeTelegram {
    fn drop(&mut self) {
        self.state().closed = true;
        self.shared.changed.notify_waiters();
        self.server.abort();
    }
}

pub fn user(chat: i64) -> Value {
    json!({ "id": chat, "is_bot": false, "first_name": FIRST_NAME, "username": USERNAME,
            "language_code": "en" })
}

pub fn bot_user() -> Value {
    json!({ "id": 123, "is_bot": true, "first_name": "signpost", "username": "signpost_test_bot" })
}

pub fn private_chat(chat: i64) -> Value {
    json!({ "id": chat, "type": "private", "first_name": FIRST_NAME, "username": USERNAME })
}

fn base_message(chat: i64) -> Value {
    static NEXT: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(1);
    json!({
        "message_id": NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst),
        "date": 1_767_225_600,
        "chat": private_chat(chat),
        "from": user(chat),
    })
}

/// A text message as Telegram sends it (commands carry a `bot_command` entity).
pub fn text_message(chat: i64, text: &str) -> Value {
    let mut m = base_message(chat);
    m["text"] = json!(text);
    if text.starts_with('/') {
        let len: usize = text
            .split_whitespace()
            .next()
            .unwrap_or(text)
            .chars()
            .map(char::len_utf16)
            .sum();
        m["entities"] = json!([{ "type": "bot_command", "offset": 0, "length": len }]);
    }
    m
}

fn ok(result: Value) -> (StatusCode, String) {
    (
        StatusCode::OK,
        json!({ "ok": true, "result": result }).to_string(),
    )
}

fn error(status: u16, description: &str) -> (StatusCode, String) {
    (
        StatusCode::from_u16(status).unwrap(),
        json!({ "ok": false, "error_code": status, "description": description }).to_string(),
    )
}

/// A multipart form's fields as a JSON object of strings (teloxide sends `setWebhook` so).
fn multipart_fields(content_type: &str, body: &[u8]) -> Option<Value> {
    let boundary = content_type.split("boundary=").nth(1)?.trim_matches('"');
    let text = String::from_utf8_lossy(body);
    let mut fields = serde_json::Map::new();
    for part in text.split(&format!("--{boundary}")) {
        let Some((head, value)) = part.split_once("\r\n\r\n") else {
            continue;
        };
        let Some(name) = head
            .split("name=\"")
            .nth(1)
            .and_then(|n| n.split('"').next())
        else {
            continue;
        };
        fields.insert(name.to_string(), json!(value.trim_end_matches("\r\n")));
    }
    Some(Value::Object(fields))
}

async fn api(
    State(shared): State<Arc<Shared>>,
    Path((bot, raw_method)): Path<(String, String)>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> impl IntoResponse {
    let method = raw_method.to_lowercase();
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let body: Value = if content_type.starts_with("multipart/form-data") {
        multipart_fields(content_type, &body).unwrap_or(Value::Null)
    } else {
        serde_json::from_slice(&body).unwrap_or(Value::Null)
    };
    let (status, text) = if bot != format!("bot{TOKEN}") {
        error(401, "Unauthorized")
    } else if method == "getupdates" {
        get_updates(&shared, &body).await
    } else {
        respond(&shared, &method, &body)
    };
    {
        let mut state = shared.state.lock().unwrap();
        state.calls.push(Call {
            method,
            raw_method,
            body,
            status: status.as_u16(),
            at: Instant::now(),
        });
    }
    shared.changed.notify_waiters();
    ([(header::CONTENT_TYPE, "application/json")], (status, text))
}

async fn get_updates(shared: &Shared, body: &Value) -> (StatusCode, String) {
    let offset = body.get("offset").and_then(Value::as_i64).unwrap_or(0);
    let limit = body.get("limit").and_then(Value::as_u64).unwrap_or(100) as usize;
    let timeout = body.get("timeout").and_then(Value::as_u64).unwrap_or(0);
    // Hold the request open briefly when there is nothing, like the real long poll (but
    // never long, so tests stay quick).
    let deadline = tokio::time::Instant::now() + Duration::from_millis((timeout * 1000).min(1000));
    loop {
        let notified = shared.changed.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        {
            let mut state = shared.state.lock().unwrap();
            // Updates below the offset are confirmed: forget them.
            while state
                .pending
                .front()
                .is_some_and(|u| u["update_id"].as_i64().unwrap_or(0) < offset)
            {
                state.pending.pop_front();
            }
            if !state.pending.is_empty() || state.closed {
                let batch: Vec<Value> = state.pending.iter().take(limit).cloned().collect();
                return ok(Value::Array(batch));
            }
        }
        if tokio::time::timeout_at(deadline, notified).await.is_err() {
            return ok(json!([]));
        }
    }
}

fn respond(shared: &Shared, method: &str, body: &Value) -> (StatusCode, String) {
    let mut state = shared.state.lock().unwrap();
    let chat = body.get("chat_id").and_then(Value::as_i64);
    if let Some(failure) = state
        .failures
        .iter_mut()
        .find(|f| f.method == method && f.times > 0 && (f.chat.is_none() || f.chat == chat))
    {
        failure.times -= 1;
        let status = StatusCode::from_u16(failure.status).unwrap();
        return (status, failure.body.to_string());
    }
    match method {
        "getme" => ok(json!({
            "id": 123, "is_bot": true, "first_name": "signpost", "username": "signpost_test_bot",
            "can_join_groups": false, "can_read_all_group_messages": false,
            "supports_inline_queries": false, "can_connect_to_business": false,
            "has_main_web_app": false
        })),
        "getwebhookinfo" => ok(json!({ "url": "", "has_custom_certificate": false,
                                        "pending_update_count": 0 })),
        "sendmessage" | "editmessagetext" => {
            let text = body.get("text").and_then(Value::as_str).unwrap_or_default();
            let parsed = if body.get("parse_mode").and_then(Value::as_str) == Some("HTML") {
                match html::parse(text) {
                    Ok(plain) => plain,
                    Err(e) => {
                        return error(400, &format!("Bad Request: can't parse entities: {e}"));
                    }
                }
            } else {
                text.to_string()
            };
            if parsed.trim().is_empty() {
                return error(400, "Bad Request: message text is empty");
            }
            if parsed.chars().map(char::len_utf16).sum::<usize>() > 4096 {
                return error(400, "Bad Request: message is too long");
            }
            let chat = chat.unwrap_or(0);
            state.next_message_id += 1;
            let mut message = json!({
                "message_id": body.get("message_id").and_then(Value::as_i64)
                    .unwrap_or(state.next_message_id),
                "date": 1_767_225_601,
                "chat": private_chat(chat),
                "from": bot_user(),
                "text": parsed,
            });
            if let Some(markup) = body.get("reply_markup") {
                message["reply_markup"] = markup.clone();
            }
            ok(message)
        }
        _ => ok(json!(true)),
    }
}

/// The shipped knowledge folder, so assertions are about what people really get.
pub fn knowledge_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../knowledge")
}

/// Settings for tests: no throttle (deterministic timing), everything else as shipped.
pub fn test_settings() -> Settings {
    Settings {
        throttle: false,
        poll_timeout: Duration::from_secs(5),
        ..Settings::default()
    }
}

/// Monday 30 March 2026, 10am in Dumfries: every office open.
pub const WEEKDAY_MORNING: &str = "2026-03-30T09:00:00Z";

/// The fake API and the real bot running against it.
pub struct Harness {
    pub tg: FakeTelegram,
    pub running: Option<Running>,
    pub knowledge: signpost::LiveKnowledge,
}

impl Harness {
    pub async fn start() -> Harness {
        Harness::start_with(test_settings(), knowledge_dir()).await
    }

    pub async fn start_with(settings: Settings, dir: PathBuf) -> Harness {
        let tg = FakeTelegram::start().await;
        let (knowledge, _report) = signpost::LiveKnowledge::load(&dir).expect("knowledge loads");
        // A weekday morning, whenever the tests run: which lines are open, and so which of two
        // equally good cards comes first, never depends on the hour. Tests about hours set
        // their own time.
        knowledge.set_clock(std::sync::Arc::new(
            signpost::FixedClock::at(WEEKDAY_MORNING).expect("a time"),
        ));
        let bot = Bot::new(TOKEN).set_api_url(tg.url.clone());
        let running = tokio::time::timeout(
            WAIT,
            signpost_telegram::start(bot, knowledge.clone(), settings),
        )
        .await
        .expect("bot starts in time")
        .expect("bot starts");
        Harness {
            tg,
            running: Some(running),
            knowledge,
        }
    }

    pub fn stats(&self) -> &signpost_telegram::Stats {
        self.running.as_ref().unwrap().stats()
    }

    /// Waits until `n` updates have been handled in full.
    pub async fn wait_handled(&self, n: u64) {
        let deadline = Instant::now() + WAIT;
        while self.stats().updates_handled() < n {
            assert!(
                Instant::now() < deadline,
                "only {} of {n} updates handled",
                self.stats().updates_handled()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Stops the bot and checks it stopped cleanly and in time; hands back the fake API.
    pub async fn stop(mut self) -> FakeTelegram {
        let running = self.running.take().unwrap();
        assert!(running.shutdown(WAIT).await, "the bot shuts down cleanly");
        self.tg
    }
}
