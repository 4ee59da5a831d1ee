//! What the feedback store adds to an answer: the time of one `record` (an answered
//! message: the day's counts and three entries shown, one transaction) and one `record_vote`,
//! alone and with a second writer on the same file at the same time (two bot processes),
//! against answering the same question with the store off. Timings never run in
//! `cargo test`.
//!
//! ```sh
//! cargo bench --bench feedback -- [PASSES]
//! ```

use signpost::feedback::{FeedbackStore, Observation};
use signpost::knowledge::Date;
use signpost::{LiveKnowledge, Turn};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const QUESTION: &str = "my partner has just been sent to prison, who can help me";

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort_unstable();
    let i = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[i]
}

fn line(what: &str, samples: &mut [Duration]) {
    println!(
        "{what:<52} p50 {:>8.1} µs   p99 {:>8.1} µs   ({} calls)",
        percentile(samples, 0.5).as_secs_f64() * 1e6,
        percentile(samples, 0.99).as_secs_f64() * 1e6,
        samples.len()
    );
}

fn time(passes: usize, mut f: impl FnMut()) -> Vec<Duration> {
    (0..passes)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect()
}

fn writes(store: &FeedbackStore, passes: usize) -> (Vec<Duration>, Vec<Duration>) {
    let today = Date::today();
    let shown = ["families-outside", "victim-support-scotland", "samaritans"];
    let record = time(passes, || {
        store
            .record(
                today,
                &Observation {
                    answered: true,
                    shown: &shown,
                    ..Observation::default()
                },
            )
            .unwrap()
    });
    let vote = time(passes, || {
        store.record_vote(today, &shown, false).unwrap();
    });
    (record, vote)
}

fn main() {
    let passes: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(2_000);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feedback.db");
    let today = Date::today();
    let (store, _) = FeedbackStore::open(&path, 400, today).unwrap();
    println!(
        "feedback store, {passes} calls each, file on {}",
        dir.path().display()
    );

    let (mut record, mut vote) = writes(&store, passes);
    line("record (answer: day counts + 3 entries shown)", &mut record);
    line("record_vote (3 entries)", &mut vote);

    // A second writer on the same file, as a second bot process would be.
    let busy = Arc::new(AtomicBool::new(true));
    let other = {
        let busy = Arc::clone(&busy);
        let path = path.clone();
        std::thread::spawn(move || {
            let (store, _) = FeedbackStore::open(&path, 400, today).unwrap();
            while busy.load(Ordering::Relaxed) {
                store.record_vote(today, &["samaritans"], true).unwrap();
            }
        })
    };
    let (mut record, mut vote) = writes(&store, passes);
    busy.store(false, Ordering::Relaxed);
    other.join().unwrap();
    line("record, another writer busy on the same file", &mut record);
    line(
        "record_vote, another writer busy on the same file",
        &mut vote,
    );

    let knowledge = Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge");
    let (live, _) = LiveKnowledge::load(&knowledge).unwrap();
    let assistant = live.current();
    let turn = Turn::new(QUESTION);
    let mut off = time(passes / 4, || {
        live.answer_on(&assistant, &turn);
    });
    live.set_feedback(Some(store));
    let mut on = time(passes / 4, || {
        live.answer_on(&assistant, &turn);
    });
    line("answer_on, store off", &mut off);
    line("answer_on, store on (answer + record + buttons)", &mut on);
}
