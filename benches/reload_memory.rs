//! Resident memory through live reloads: a fresh start, the shipped folder loaded, then 200
//! reloads of it, sampled as they go, while other threads answer questions as a bot's would.
//!
//! ```sh
//! cargo bench --bench reload_memory -- [--reloads 200] [--answering 4] [FOLDER]
//! ```
//!
//! The figures are the process's `VmRSS` from `/proc/self/status` (Linux only), in MB. The
//! steady state after the reloads should stay within twice the memory of a fresh start with
//! the folder loaded (issue #14). Not a test: memory depends on the allocator and the machine,
//! so it is measured here and its figures reported, never asserted.

use signpost::live::ReloadOutcome;
use signpost::{LiveKnowledge, Turn};
use std::alloc::{GlobalAlloc, Layout, System};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// The system allocator, counting the bytes in use: heap in use against resident memory
/// tells a leak (both grow) from allocator fragmentation (only resident memory grows).
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed to the system allocator unchanged; only a counter is updated.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds `alloc`'s contract, which `System` has too.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        }
        ptr
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as above.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            LIVE.fetch_add(new_size, Ordering::Relaxed);
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Heap bytes in use now, in MB.
fn heap_mb() -> f64 {
    LIVE.load(Ordering::Relaxed) as f64 / (1024.0 * 1024.0)
}

#[path = "common/questions.rs"]
mod questions;
use questions::QUESTIONS;

/// Resident memory now, in MB (0 where `/proc` is not there).
fn rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() {
    let fresh = rss_mb();
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    let mut reloads = 200;
    let mut answering = 4;
    let mut dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("knowledge");
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--reloads" => reloads = args.next().and_then(|n| n.parse().ok()).expect("a count"),
            "--answering" => answering = args.next().and_then(|n| n.parse().ok()).expect("a count"),
            folder => dir = PathBuf::from(folder),
        }
    }
    let (live, _) = LiveKnowledge::load(&dir).expect("the folder loads");
    let loaded = rss_mb();
    let loaded_heap = heap_mb();

    // Threads answering all along, as a bot's workers would.
    let stop = Arc::new(AtomicBool::new(false));
    let answered = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..answering)
        .map(|w| {
            let (live, stop, answered) = (live.clone(), stop.clone(), answered.clone());
            std::thread::spawn(move || {
                let mut i = w;
                while !stop.load(Ordering::Relaxed) {
                    let reply = live.answer(&Turn::new(QUESTIONS[i % QUESTIONS.len()]));
                    assert!(!reply.lead.is_empty() || reply.safety.is_some());
                    answered.fetch_add(1, Ordering::Relaxed);
                    i += answering;
                }
            })
        })
        .collect();
    // Let the answering threads reach their own steady state before reloading.
    std::thread::sleep(std::time::Duration::from_millis(500));
    let answering_rss = rss_mb();
    let answering_heap = heap_mb();

    let started = std::time::Instant::now();
    let mut samples = Vec::new();
    let mut peak: f64 = 0.0;
    for n in 1..=reloads {
        let outcome = live.reload_now();
        assert!(
            matches!(outcome, ReloadOutcome::Loaded { .. }),
            "reload {n}"
        );
        let now = rss_mb();
        peak = peak.max(now);
        if n % (reloads / 10).max(1) == 0 {
            samples.push((n, now, heap_mb()));
        }
    }
    let reload_secs = started.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.join().expect("no answering thread panicked");
    }
    let after = rss_mb();

    println!("folder: {}", dir.display());
    println!("fresh start:                  {fresh:6.1} MB");
    println!("folder loaded:                {loaded:6.1} MB (heap in use {loaded_heap:.1} MB)");
    println!(
        "{answering} threads answering:          {answering_rss:6.1} MB (heap in use {answering_heap:.1} MB)"
    );
    for (n, mb, heap) in &samples {
        println!("after {n:4} reloads:           {mb:6.1} MB (heap in use {heap:.1} MB)");
    }
    println!("peak during reloads:          {peak:6.1} MB");
    println!("answering stopped:            {after:6.1} MB");
    println!(
        "{reloads} reloads in {reload_secs:.1} s, {} answers meanwhile; steady state / loaded = {:.2}",
        answered.load(Ordering::Relaxed),
        samples.last().map_or(0.0, |s| s.1) / loaded
    );
}
