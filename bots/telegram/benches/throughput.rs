//! Telegram front-end throughput: the real dispatcher (`signpost_telegram::start`, throttling
//! off) long-polling a minimal fake Bot API on 127.0.0.1, answering from the shipped folder.
//!
//! Two phases, each update from a chat of its own (so the per-chat flood limit never applies
//! and every update is answered):
//!
//! 1. **burst**: a few thousand updates queued at once; throughput is updates answered per
//!    second, from the first queued to the last answered (first `sendMessage` of each chat);
//! 2. **paced**: updates queued one by one at a steady rate (500 a second by default); the
//!    latency of each is from the moment it is queued to its first `sendMessage`: p50, p99.
//!
//! The fake runs on its own thread and runtime, like a remote server, but on the same cores.
//! Run by `scripts/bench`; by hand:
//!
//! ```sh
//! cargo bench -p signpost-telegram --bench throughput -- [--quick] [--out FILE] [--knowledge DIR]
//! ```

#[path = "../../../benches/common/questions.rs"]
mod questions;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::post;
use questions::QUESTIONS;
use serde_json::{Value, json};
use signpost_telegram::state::FloodLimit;
use signpost_telegram::{Bot, Settings};
use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

const TOKEN: &str = "123:BENCH";
/// Chats are numbered from here, one per update.
const FIRST_CHAT: i64 = 5_000_000;

#[derive(Default)]
struct FakeState {
    /// Queued updates as JSON text, with their ids.
    pending: VecDeque<(i64, String)>,
    next_update_id: i64,
    next_message_id: i64,
    /// When each chat's update was queued.
    queued: HashMap<i64, Instant>,
    /// When each chat got its first `sendMessage`.
    answered: HashMap<i64, Instant>,
    sends: u64,
}

struct Fake {
    state: Mutex<FakeState>,
    /// Wakes a held `getUpdates` when something is queued.
    queued: Notify,
    /// Wakes the bench when a chat is answered.
    answered: Notify,
}

impl Fake {
    fn push(&self, chat: i64, text: &str) {
        {
            let mut state = self.state.lock().unwrap();
            state.next_update_id += 1;
            let id = state.next_update_id;
            let update = json!({
                "update_id": id,
                "message": {
                    "message_id": id,
                    "date": 1_767_225_600,
                    "chat": { "id": chat, "type": "private", "first_name": "Bench" },
                    "from": { "id": chat, "is_bot": false, "first_name": "Bench",
                              "language_code": "en" },
                    "text": text,
                }
            });
            state.pending.push_back((id, update.to_string()));
            state.queued.insert(chat, Instant::now());
        }
        self.queued.notify_waiters();
    }

    fn answered(&self) -> usize {
        self.state.lock().unwrap().answered.len()
    }

    /// Waits until `n` chats have been answered, or `limit` passes.
    async fn wait_answered(&self, n: usize, limit: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let notified = self.answered.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.answered() >= n {
                return true;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.answered() >= n;
            }
        }
    }
}

async fn api(
    State(fake): State<Arc<Fake>>,
    Path((_bot, method)): Path<(String, String)>,
    body: Bytes,
) -> impl IntoResponse {
    let method = method.to_ascii_lowercase();
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let result = match method.as_str() {
        "getupdates" => get_updates(&fake, &body).await,
        "getme" => json!({
            "id": 123, "is_bot": true, "first_name": "signpost", "username": "signpost_bench_bot",
            "can_join_groups": false, "can_read_all_group_messages": false,
            "supports_inline_queries": false, "can_connect_to_business": false,
            "has_main_web_app": false
        })
        .to_string(),
        "sendmessage" => {
            let chat = body.get("chat_id").and_then(Value::as_i64).unwrap_or(0);
            let now = Instant::now();
            let id = {
                let mut state = fake.state.lock().unwrap();
                state.sends += 1;
                state.next_message_id += 1;
                state.answered.entry(chat).or_insert(now);
                state.next_message_id
            };
            fake.answered.notify_waiters();
            let mut message = json!({
                "message_id": id,
                "date": 1_767_225_601,
                "chat": { "id": chat, "type": "private", "first_name": "Bench" },
                "from": { "id": 123, "is_bot": true, "first_name": "signpost" },
                "text": body.get("text").cloned().unwrap_or(json!("")),
            });
            if let Some(markup) = body.get("reply_markup") {
                message["reply_markup"] = markup.clone();
            }
            message.to_string()
        }
        _ => "true".to_string(),
    };
    (
        [(header::CONTENT_TYPE, "application/json")],
        format!("{{\"ok\":true,\"result\":{result}}}"),
    )
}

async fn get_updates(fake: &Fake, body: &Value) -> String {
    let offset = body.get("offset").and_then(Value::as_i64).unwrap_or(0);
    let limit = body.get("limit").and_then(Value::as_u64).unwrap_or(100) as usize;
    let timeout = body.get("timeout").and_then(Value::as_u64).unwrap_or(0);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(timeout.min(5));
    loop {
        let notified = fake.queued.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        {
            let mut state = fake.state.lock().unwrap();
            while state.pending.front().is_some_and(|(id, _)| *id < offset) {
                state.pending.pop_front();
            }
            if !state.pending.is_empty() {
                let batch: Vec<&str> = state
                    .pending
                    .iter()
                    .take(limit)
                    .map(|(_, u)| u.as_str())
                    .collect();
                return format!("[{}]", batch.join(","));
            }
        }
        if tokio::time::timeout_at(deadline, notified).await.is_err() {
            return "[]".to_string();
        }
    }
}

/// Starts the fake on its own thread; returns it and its base URL.
fn start_fake() -> (Arc<Fake>, url::Url) {
    let fake = Arc::new(Fake {
        state: Mutex::new(FakeState::default()),
        queued: Notify::new(),
        answered: Notify::new(),
    });
    let (tx, rx) = std::sync::mpsc::channel();
    let shared = Arc::clone(&fake);
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("the fake's runtime starts");
        runtime.block_on(async move {
            let app = Router::new()
                .route("/{bot}/{method}", post(api))
                .with_state(shared);
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("a local port");
            tx.send(listener.local_addr().expect("an address"))
                .expect("the bench waits");
            axum::serve(listener, app).await.expect("the fake serves");
        });
    });
    let addr = rx.recv().expect("the fake starts");
    let url = url::Url::parse(&format!("http://{addr}/")).expect("a URL");
    (fake, url)
}

/// Nearest-rank percentile.
fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort_unstable();
    let rank = ((p * samples.len() as f64).ceil() as usize).clamp(1, samples.len());
    samples[rank - 1]
}

struct Options {
    out: Option<PathBuf>,
    knowledge: PathBuf,
    burst: usize,
    paced: usize,
    rate: f64,
}

fn options() -> Options {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut options = Options {
        out: None,
        knowledge: root.join("knowledge"),
        burst: 3_000,
        paced: 3_000,
        rate: 500.0,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .unwrap_or_else(|| panic!("{name} needs a value"))
        };
        match arg.as_str() {
            "--bench" => {}
            "--quick" => (options.burst, options.paced) = (600, 600),
            "--out" => options.out = Some(value("--out").into()),
            "--knowledge" => options.knowledge = value("--knowledge").into(),
            "--updates" => {
                let n = value("--updates").parse().expect("--updates N");
                (options.burst, options.paced) = (n, n);
            }
            "--rate" => options.rate = value("--rate").parse().expect("--rate R"),
            other => panic!("unknown argument {other}"),
        }
    }
    options
}

fn main() {
    let options = options();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("the bot's runtime starts");
    runtime.block_on(bench(options));
}

async fn bench(options: Options) {
    let (fake, url) = start_fake();
    let (knowledge, _) =
        signpost::LiveKnowledge::load(&options.knowledge).expect("the knowledge folder loads");
    let settings = Settings {
        throttle: false,
        flood: FloodLimit {
            max: u32::MAX,
            window: Duration::from_secs(60),
        },
        poll_timeout: Duration::from_secs(5),
        ..Settings::default()
    };
    let bot = Bot::new(TOKEN).set_api_url(url);
    let running = signpost_telegram::start(bot, knowledge, settings)
        .await
        .expect("the bot starts against the fake");

    // Warm up: connections, the first answers.
    let mut chat = FIRST_CHAT;
    let warm = 50;
    for i in 0..warm {
        fake.push(chat, QUESTIONS[i % QUESTIONS.len()]);
        chat += 1;
    }
    assert!(
        fake.wait_answered(warm, Duration::from_secs(60)).await,
        "the bot answers the warm-up"
    );

    // 1. Burst.
    let before = fake.answered();
    let first_chat = chat;
    let started = Instant::now();
    for i in 0..options.burst {
        fake.push(chat, QUESTIONS[i % QUESTIONS.len()]);
        chat += 1;
    }
    assert!(
        fake.wait_answered(before + options.burst, Duration::from_secs(600))
            .await,
        "the bot answers the burst"
    );
    let last = {
        let state = fake.state.lock().unwrap();
        (first_chat..chat)
            .filter_map(|c| state.answered.get(&c))
            .max()
            .copied()
            .expect("answers")
    };
    let burst_seconds = last.duration_since(started).as_secs_f64();
    let rate = options.burst as f64 / burst_seconds;
    eprintln!(
        "burst: {} updates in {burst_seconds:.2} s: {rate:.0} updates/s",
        options.burst
    );

    // 2. Paced.
    let before = fake.answered();
    let first_paced = chat;
    let every = Duration::from_secs_f64(1.0 / options.rate);
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let paced_start = Instant::now();
    for i in 0..options.paced {
        tick.tick().await;
        fake.push(chat, QUESTIONS[i % QUESTIONS.len()]);
        chat += 1;
    }
    let pushed_for = paced_start.elapsed().as_secs_f64();
    assert!(
        fake.wait_answered(before + options.paced, Duration::from_secs(600))
            .await,
        "the bot answers the paced updates"
    );
    let mut latencies: Vec<Duration> = {
        let state = fake.state.lock().unwrap();
        (first_paced..chat)
            .map(|c| state.answered[&c].duration_since(state.queued[&c]))
            .collect()
    };
    let offered = options.paced as f64 / pushed_for;
    let p50 = percentile(&mut latencies, 0.50);
    let p99 = percentile(&mut latencies, 0.99);
    let max = percentile(&mut latencies, 1.0);
    eprintln!(
        "paced: {} updates at {offered:.0}/s: p50 {p50:?}, p99 {p99:?}, max {max:?}",
        options.paced
    );
    let stats = Arc::clone(running.stats());
    running.shutdown(Duration::from_secs(10)).await;
    let (handled, failures) = (stats.updates_handled(), stats.send_failures());

    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let note = format!(
        "The real dispatcher (`signpost_telegram::start`, throttling off) long-polling a fake \
         Bot API on 127.0.0.1 (`bots/telegram/benches/throughput.rs`), answering from the \
         shipped folder; one chat per update, so every update is a question answered. \
         *updates/s*: {} updates queued at once, from the first queued to the last answered. \
         *p50, p99*: {} updates queued one at a time at {offered:.0} a second, each timed from \
         queued to its first sendMessage (max {:.1} ms). {handled} updates handled, \
         {failures} send failures.",
        options.burst,
        options.paced,
        ms(max)
    );
    let result = json!({
        "updates": options.burst,
        "updates_per_second": rate,
        "paced_updates": options.paced,
        "paced_rate": offered,
        "p50_ms": ms(p50),
        "p99_ms": ms(p99),
        "max_ms": ms(max),
        "note": note,
    });
    match &options.out {
        Some(path) => {
            std::fs::write(path, result.to_string() + "\n")
                .unwrap_or_else(|e| panic!("could not write {}: {e}", path.display()));
            eprintln!("wrote {}", path.display());
        }
        None => println!("{result}"),
    }
}
