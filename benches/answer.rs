//! How fast signpost answers and how its cost grows with the knowledge folder, against
//! SQLite FTS5 with BM25 over the same entries, in the same process, run and machine.
//!
//! Run everything with `scripts/bench` (release build, synthetic folders, this program, the
//! Telegram throughput bench, then BENCHMARKS.md rewritten). By hand:
//!
//! ```sh
//! cargo bench --bench answer -- [--report BENCHMARKS.md] [--quick] [FOLDER...]
//! ```
//!
//! The first folder (default `knowledge`) is the shipped one: the quality figures and the time
//! to a first answer are measured on it. Each folder is measured for:
//!
//! - the full `Assistant::answer` path over [`QUESTIONS`] against a bare FTS5
//!   `MATCH ... ORDER BY bm25(...)` query for the same text: p50 and p99 of single calls,
//!   medians over several runs, the two taking turns a pass at a time so both see the same
//!   machine;
//! - building: reading and parsing the folder, then signpost's index, or the FTS5 table;
//! - peak resident memory (VmHWM) with the folder loaded, each in a fresh process (this
//!   program started again with a hidden `--peak-memory` mode).
//!
//! Timings never run in `cargo test`: this is a `harness = false` bench target.
//!
//! For profiling, `cargo bench --bench answer -- --per-question DIR [PASSES [--no-fts5]]` prints each
//! question's median CPU time on one folder, slowest first; run the binary it builds under
//! `perf record` or `valgrind --tool=callgrind` to see where the time goes.

use rusqlite::{Connection, Statement, params};
use serde_json::Value;
use signpost::eval::{self, Outcome, Summary};
use signpost::knowledge::{Date, KnowledgeBase};
use signpost::{Assistant, Turn};
use std::alloc::{GlobalAlloc, Layout, System};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

#[path = "common/questions.rs"]
mod questions;
use questions::QUESTIONS;

/// The system allocator, counting the bytes in use and their peak once [`COUNTING`] is set
/// (only in the memory probes: the timed runs do not pay for it).
struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed to the system allocator unchanged; only counters are updated.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds `alloc`'s contract, which `System` has too.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() && COUNTING.load(Ordering::Relaxed) {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // Passed on as such: `calloc` leaves fresh pages untouched, so they cost no memory
        // until written (the default would write the zeros itself).
        // SAFETY: as for `alloc`.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() && COUNTING.load(Ordering::Relaxed) {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if COUNTING.load(Ordering::Relaxed) {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        // SAFETY: as for `alloc`.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() && COUNTING.load(Ordering::Relaxed) {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            let live = LIVE.fetch_add(new_size, Ordering::Relaxed) + new_size;
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The question timed for the first answer and answered in the memory probes.
const FIRST_QUESTION: &str = "my dad is getting out of the jail soon";

/// How many results each side returns.
const LIMIT: usize = 10;

/// The FTS5 table: the same text signpost indexes, one column per field, Porter stemming
/// over the unicode61 tokenizer with accents folded (the nearest FTS5 has to signpost's
/// English stemming and folding). No column weights: a plain BM25 baseline.
const FTS_SCHEMA: &str = "CREATE VIRTUAL TABLE entries USING fts5(id UNINDEXED, title, summary, \
     questions, keywords, body, tokenize = 'porter unicode61 remove_diacritics 2')";
const FTS_INSERT: &str = "INSERT INTO entries (id, title, summary, questions, keywords, body) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
const FTS_QUERY: &str =
    "SELECT id FROM entries WHERE entries MATCH ?1 ORDER BY bm25(entries) LIMIT ?2";

struct Options {
    folders: Vec<PathBuf>,
    /// Evaluation sets: the first is the one the targets name (dev.toml by default).
    cases: Vec<PathBuf>,
    signpost_bin: PathBuf,
    telegram: PathBuf,
    report: Option<PathBuf>,
    command: String,
    quick: bool,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // Hidden modes: this program started again, one process per figure.
    match args.first().map(String::as_str) {
        Some("--peak-memory") => return peak_memory(&args[1], args.get(2).map(Path::new)),
        Some("--first-answer-fts5") => return first_answer_fts5(Path::new(&args[1])),
        Some("--per-question") => {
            let passes = args.get(2).and_then(|p| p.parse().ok()).unwrap_or(50);
            let fts = args.get(3).is_none_or(|a| a != "--no-fts5");
            return per_question(Path::new(&args[1]), passes, fts);
        }
        _ => {}
    }
    let options = parse_options(args);
    let report = run(&options);
    match &options.report {
        Some(path) => {
            write_report(path, &report);
            eprintln!("rewrote {}", path.display());
        }
        None => println!("{report}"),
    }
}

/// The sets measured for quality by default: the tuning sets, then the fresh sets written by
/// people who never saw the entries (never tuned on).
const DEFAULT_CASES: &[&str] = &[
    "../shared/eval/dev.toml",
    "tests/eval/extra.toml",
    "tests/eval/untouched-retrieval.toml",
    "tests/eval/untouched-retrieval-2.toml",
    "tests/eval/untouched-retrieval-3.toml",
];

fn parse_options(args: Vec<String>) -> Options {
    let mut options = Options {
        folders: Vec::new(),
        cases: DEFAULT_CASES.iter().map(PathBuf::from).collect(),
        signpost_bin: PathBuf::from("target/release/signpost"),
        telegram: PathBuf::from("target/bench/telegram.json"),
        report: None,
        command: "scripts/bench".into(),
        quick: false,
    };
    let mut given_cases = false;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .unwrap_or_else(|| panic!("{name} needs a value"))
        };
        match arg.as_str() {
            // `cargo bench` passes this to every bench target.
            "--bench" => {}
            "--cases" => {
                if !given_cases {
                    options.cases.clear();
                    given_cases = true;
                }
                options.cases.push(value("--cases").into());
            }
            "--signpost-bin" => options.signpost_bin = value("--signpost-bin").into(),
            "--telegram" => options.telegram = value("--telegram").into(),
            "--report" => options.report = Some(value("--report").into()),
            "--command" => options.command = value("--command"),
            "--quick" => options.quick = true,
            flag if flag.starts_with("--") => panic!("unknown option {flag}"),
            folder => options.folders.push(folder.into()),
        }
    }
    if options.folders.is_empty() {
        options.folders.push("knowledge".into());
        for n in [1_000, 5_000, 10_000] {
            let dir = PathBuf::from(format!("target/bench/knowledge-{n}"));
            if dir.is_dir() {
                options.folders.push(dir);
            }
        }
    }
    options
}

/// Everything measured on one folder.
struct FolderFigures {
    label: String,
    entries: usize,
    answer: Latency,
    fts: Latency,
    build: Build,
    memory_signpost: Probe,
    memory_fts: Probe,
}

/// Percentiles of single calls: wall time (what a person waits, including time the
/// machine spent on other work) and this thread's CPU time (what the call itself costs).
#[derive(Clone, Copy)]
struct Latency {
    p50: Duration,
    p99: Duration,
    cpu_p50: Duration,
    cpu_p99: Duration,
    samples: usize,
}

/// Wall and thread CPU time of single calls, one run.
#[derive(Default)]
struct Samples {
    wall: Vec<Duration>,
    cpu: Vec<Duration>,
}

impl Samples {
    fn time<T>(&mut self, f: impl FnOnce() -> T) -> T {
        let (c, t) = (thread_cpu(), Instant::now());
        let out = f();
        self.wall.push(t.elapsed());
        self.cpu.push(thread_cpu().saturating_sub(c));
        out
    }
}

/// Per-run percentiles, then their medians over the runs.
#[derive(Default)]
struct Runs {
    p50: Vec<Duration>,
    p99: Vec<Duration>,
    cpu_p50: Vec<Duration>,
    cpu_p99: Vec<Duration>,
    samples: usize,
}

impl Runs {
    fn add(&mut self, mut run: Samples) {
        self.samples = run.wall.len();
        self.p50.push(percentile(&mut run.wall, 0.50));
        self.p99.push(percentile(&mut run.wall, 0.99));
        self.cpu_p50.push(percentile(&mut run.cpu, 0.50));
        self.cpu_p99.push(percentile(&mut run.cpu, 0.99));
    }

    fn latency(mut self) -> Latency {
        Latency {
            p50: median(&mut self.p50),
            p99: median(&mut self.p99),
            cpu_p50: median(&mut self.cpu_p50),
            cpu_p99: median(&mut self.cpu_p99),
            samples: self.samples,
        }
    }
}

#[repr(C)]
struct Timespec {
    tv_sec: i64,
    tv_nsec: i64,
}

unsafe extern "C" {
    fn clock_gettime(clock: i32, tp: *mut Timespec) -> i32;
}

/// The CPU time this thread has used (Linux `CLOCK_THREAD_CPUTIME_ID`).
fn thread_cpu() -> Duration {
    const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
    let mut ts = Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec for the duration of the call.
    let ok = unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut ts) } == 0;
    if ok {
        Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
    } else {
        Duration::ZERO
    }
}

#[derive(Clone, Copy)]
struct Build {
    parse: Duration,
    index: Duration,
    fts_insert: Duration,
    runs: usize,
}

fn run(options: &Options) -> String {
    let (runs, passes) = if options.quick { (3, 4) } else { (7, 20) };
    let load_start = load_average();
    let started = Instant::now();
    let mut figures = Vec::new();
    for (i, folder) in options.folders.iter().enumerate() {
        eprintln!("== {}", folder.display());
        figures.push(measure_folder(folder, i == 0, runs, passes, options.quick));
    }
    let shipped = &options.folders[0];
    let quality: Vec<Quality> = options
        .cases
        .iter()
        .map(|cases| {
            eprintln!("== quality on {}", cases.display());
            Quality {
                cases: cases.clone(),
                figures: quality(shipped, cases),
            }
        })
        .collect();
    eprintln!("== first answer");
    let first = first_answer(&options.signpost_bin, shipped, options.quick);
    let telegram = std::fs::read_to_string(&options.telegram)
        .ok()
        .and_then(|t| serde_json::from_str::<Value>(&t).ok());
    let baseline = child_peak_memory("none", None);
    render(&Rendered {
        options,
        figures: &figures,
        quality: &quality,
        first,
        telegram: telegram.as_ref(),
        baseline,
        load: (load_start, load_average()),
        elapsed: started.elapsed(),
        runs,
        passes,
    })
}

fn measure_folder(
    folder: &Path,
    shipped: bool,
    runs: usize,
    passes: usize,
    quick: bool,
) -> FolderFigures {
    // Build: median of several runs, fewer when one run is slow.
    let mut parse = Vec::new();
    let mut index = Vec::new();
    let mut insert = Vec::new();
    let budget = Duration::from_secs(if quick { 5 } else { 30 });
    let began = Instant::now();
    let mut assistant = None;
    let mut fts = None;
    while parse.len() < 5 && (parse.len() < 2 || began.elapsed() < budget) {
        let t = Instant::now();
        let (kb, _) = KnowledgeBase::load(folder).expect("the folder loads");
        parse.push(t.elapsed());
        let t = Instant::now();
        let conn = fts_build(&kb).expect("FTS5 builds");
        insert.push(t.elapsed());
        let t = Instant::now();
        let a = Assistant::new(kb).expect("the index builds");
        index.push(t.elapsed());
        assistant = Some(a);
        fts = Some(conn);
    }
    let assistant = assistant.expect("built once");
    let conn = fts.expect("built once");
    let build = Build {
        parse: median(&mut parse),
        index: median(&mut index),
        fts_insert: median(&mut insert),
        runs: parse.len(),
    };
    let entries = assistant.knowledge().entries.len();
    eprintln!(
        "   {entries} entries: parse {:?}, index {:?}, FTS5 insert {:?} ({} runs)",
        build.parse, build.index, build.fts_insert, build.runs
    );

    // Latency: interleaved runs; in each, every question `passes` times, each call timed.
    let mut stmt = conn.prepare(FTS_QUERY).expect("the FTS5 query prepares");
    for q in QUESTIONS {
        std::hint::black_box(assistant.answer(&Turn::new(q)));
        std::hint::black_box(fts_search(&mut stmt, q));
    }
    let (mut ours, mut theirs) = (Runs::default(), Runs::default());
    for _ in 0..runs {
        let mut answer = Samples::default();
        let mut bare = Samples::default();
        // The engines take turns a pass at a time (52 calls), so both see the same moments
        // of the shared machine, and each runs with its own data in the caches, as a
        // service answering one message after another would. (Alternating call by call
        // instead puts each signpost call right after an FTS5 query that has swept the
        // caches: about 3 times slower at 5,000 entries.)
        for _ in 0..passes {
            for q in QUESTIONS {
                let q = std::hint::black_box(*q);
                std::hint::black_box(answer.time(|| assistant.answer(&Turn::new(q))));
            }
            for q in QUESTIONS {
                let q = std::hint::black_box(*q);
                std::hint::black_box(bare.time(|| fts_search(&mut stmt, q)));
            }
        }
        ours.add(answer);
        theirs.add(bare);
    }
    let answer = ours.latency();
    let fts_latency = theirs.latency();
    eprintln!(
        "   answer p50 {:?} p99 {:?} (cpu {:?} {:?}); FTS5 p50 {:?} p99 {:?} (cpu {:?} {:?})",
        answer.p50,
        answer.p99,
        answer.cpu_p50,
        answer.cpu_p99,
        fts_latency.p50,
        fts_latency.p99,
        fts_latency.cpu_p50,
        fts_latency.cpu_p99
    );
    drop(stmt);
    drop(conn);
    drop(assistant);

    let memory_signpost = child_peak_memory("signpost", Some(folder));
    let memory_fts = child_peak_memory("fts5", Some(folder));
    eprintln!(
        "   peak memory: signpost {} KiB, FTS5 {} KiB",
        memory_signpost.hwm, memory_fts.hwm
    );
    FolderFigures {
        label: if shipped {
            format!("shipped ({entries})")
        } else {
            thousands(entries)
        },
        entries,
        answer,
        fts: fts_latency,
        build,
        memory_signpost,
        memory_fts,
    }
}

/// Loads the entries into an in-memory FTS5 table.
fn fts_build(kb: &KnowledgeBase) -> rusqlite::Result<Connection> {
    let mut conn = Connection::open_in_memory()?;
    conn.execute(FTS_SCHEMA, [])?;
    let tx = conn.transaction()?;
    {
        let mut insert = tx.prepare(FTS_INSERT)?;
        for e in &kb.entries {
            insert.execute(params![
                e.id,
                e.title,
                e.summary,
                e.questions.join("\n"),
                e.keywords.join("\n"),
                e.body
            ])?;
        }
    }
    tx.commit()?;
    Ok(conn)
}

/// The person's words as an FTS5 query: each word quoted (so nothing in it is query syntax),
/// the words joined by OR. Cut at what FTS5's unicode61 tokenizer treats as separators.
fn fts_query(text: &str) -> String {
    let mut query = String::with_capacity(text.len() * 2);
    for word in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !query.is_empty() {
            query.push_str(" OR ");
        }
        query.push('"');
        query.push_str(&word.replace('"', "\"\""));
        query.push('"');
    }
    query
}

/// The ids of the best entries for a message, best first.
fn fts_search(stmt: &mut Statement<'_>, text: &str) -> Vec<String> {
    let query = fts_query(text);
    if query.is_empty() {
        return Vec::new();
    }
    stmt.query_map(params![query, LIMIT as i64], |row| row.get::<_, String>(0))
        .and_then(|rows| rows.collect())
        .unwrap_or_default()
}

/// One evaluation set's figures, signpost's then FTS5's (`None` when it could not be read).
struct Quality {
    cases: PathBuf,
    figures: Option<(Summary, Summary)>,
}

/// Hit@1, hit@3 and MRR on the cases for signpost and for the FTS5 baseline.
fn quality(folder: &Path, cases: &Path) -> Option<(Summary, Summary)> {
    let cases = match eval::read_cases(cases) {
        Ok(cases) => cases,
        Err(err) => {
            eprintln!("   skipped: {err}");
            return None;
        }
    };
    let (assistant, _) = Assistant::load(folder).expect("the folder loads");
    let ours = eval::evaluate(&assistant, &cases);
    let conn = fts_build(assistant.knowledge()).expect("FTS5 builds");
    let mut stmt = conn.prepare(FTS_QUERY).expect("the FTS5 query prepares");
    let outcomes = cases
        .iter()
        .map(|case| {
            let got = fts_search(&mut stmt, &case.q);
            // A bare full-text search has no crisis triage.
            Outcome::new(case, got, false)
        })
        .collect();
    Some((ours, eval::summarise(outcomes)))
}

/// Median wall time from spawning a process to its exit after printing one answer.
struct FirstAnswer {
    signpost: Option<Duration>,
    /// The same with an empty model cache each run: both classifiers are trained first, as
    /// on the first start after the folder changed.
    cold: Option<Duration>,
    fts: Option<Duration>,
    runs: usize,
}

fn first_answer(signpost_bin: &Path, folder: &Path, quick: bool) -> FirstAnswer {
    let runs = if quick { 3 } else { 11 };
    let time = |mut command: Command| -> Option<Duration> {
        command.stdout(Stdio::null()).stderr(Stdio::null());
        // One untimed run warms the page cache, as on a server that has started before.
        command.status().ok()?.success().then_some(())?;
        let mut times = Vec::new();
        for _ in 0..runs {
            let t = Instant::now();
            let status = command.status().ok()?;
            times.push(t.elapsed());
            status.success().then_some(())?;
        }
        Some(median(&mut times))
    };
    let mut ask = Command::new(signpost_bin);
    ask.arg("ask")
        .arg("--knowledge")
        .arg(folder)
        .arg(FIRST_QUESTION);
    let signpost = time(ask);
    let cold = {
        let mut times = Vec::new();
        for _ in 0..runs {
            let Ok(cache) = tempfile::tempdir() else {
                break;
            };
            let mut ask = Command::new(signpost_bin);
            ask.arg("ask")
                .arg("--knowledge")
                .arg(folder)
                .arg(FIRST_QUESTION)
                .env("SIGNPOST_CACHE_DIR", cache.path())
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            let t = Instant::now();
            let ok = ask.status().is_ok_and(|s| s.success());
            times.push(t.elapsed());
            if !ok {
                times.clear();
                break;
            }
        }
        (!times.is_empty()).then(|| median(&mut times))
    };
    if signpost.is_none() {
        eprintln!(
            "   `{} ask` did not run: build it with `cargo build --release`",
            signpost_bin.display()
        );
    }
    let mut fts = Command::new(std::env::current_exe().expect("this program's path"));
    fts.arg("--first-answer-fts5").arg(folder);
    let fts = time(fts);
    eprintln!("   signpost ask {signpost:?} (cold {cold:?}), FTS5 {fts:?} (median of {runs})");
    FirstAnswer {
        signpost,
        cold,
        fts,
        runs,
    }
}

/// Hidden mode: load the folder into FTS5 and print the answer's ids.
fn first_answer_fts5(folder: &Path) {
    let (kb, _) = KnowledgeBase::load(folder).expect("the folder loads");
    let conn = fts_build(&kb).expect("FTS5 builds");
    let mut stmt = conn.prepare(FTS_QUERY).expect("the FTS5 query prepares");
    println!("{}", fts_search(&mut stmt, FIRST_QUESTION).join(" "));
}

/// Hidden mode, for profiling (run it under `perf record` or `valgrind --tool=callgrind`):
/// load the folder, answer every question `passes` times, print each question's median and
/// slowest CPU time for signpost, and median for FTS5 (unless `fts` is false), slowest first.
fn per_question(folder: &Path, passes: usize, fts: bool) {
    let (assistant, _) = Assistant::load(folder).expect("the folder loads");
    let conn = fts_build(assistant.knowledge()).expect("FTS5 builds");
    let mut stmt = conn.prepare(FTS_QUERY).expect("the FTS5 query prepares");
    let mut rows: Vec<(Duration, Duration, Duration, &str)> = QUESTIONS
        .iter()
        .map(|q| {
            let (mut ours, mut theirs) = (Samples::default(), Samples::default());
            for _ in 0..passes {
                std::hint::black_box(ours.time(|| assistant.answer(&Turn::new(q))));
            }
            if fts {
                for _ in 0..passes {
                    std::hint::black_box(theirs.time(|| fts_search(&mut stmt, q)));
                }
            }
            let theirs = if fts {
                median(&mut theirs.cpu)
            } else {
                Duration::ZERO
            };
            let slowest = percentile(&mut ours.cpu, 1.0);
            (median(&mut ours.cpu), slowest, theirs, *q)
        })
        .collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.0));
    println!("signpost median  slowest  FTS5 median  question (CPU ms)");
    for (ours, slowest, theirs, q) in rows {
        println!(
            "{:>15} {:>8} {:>12}  {q}",
            ms(ours),
            ms(slowest),
            ms(theirs)
        );
    }
}

/// Hidden mode: load the folder (`signpost`, `fts5`, or `none` for the bare process), answer
/// one question, print the peak resident memory in KiB.
fn peak_memory(what: &str, folder: Option<&Path>) {
    // Counting starts with the process: frees of memory allocated before it would be
    // miscounted, and there is almost none.
    COUNTING.store(true, Ordering::SeqCst);
    let kib = |bytes: usize| (bytes / 1024) as u64;
    let mut probe = Probe::default();
    let keep: Box<dyn std::any::Any> = match (what, folder) {
        ("signpost", Some(folder)) => {
            let (kb, _) = KnowledgeBase::load(folder).expect("the folder loads");
            probe.entries_heap = kib(LIVE.load(Ordering::SeqCst));
            let assistant = Assistant::new(kb).expect("the index builds");
            std::hint::black_box(assistant.answer(&Turn::new(FIRST_QUESTION)));
            probe.loaded_heap = kib(LIVE.load(Ordering::SeqCst));
            Box::new(assistant)
        }
        ("fts5", Some(folder)) => {
            // The entries stay loaded beside the table: a front end needs them for its cards.
            let (kb, _) = KnowledgeBase::load(folder).expect("the folder loads");
            probe.entries_heap = kib(LIVE.load(Ordering::SeqCst));
            let conn = fts_build(&kb).expect("FTS5 builds");
            {
                let mut stmt = conn.prepare(FTS_QUERY).expect("the FTS5 query prepares");
                std::hint::black_box(fts_search(&mut stmt, FIRST_QUESTION));
            }
            // SQLite allocates with its own calls to malloc, outside the counted heap.
            probe.loaded_heap = kib(LIVE.load(Ordering::SeqCst));
            Box::new((kb, conn))
        }
        _ => Box::new(()),
    };
    probe.peak_heap = kib(PEAK.load(Ordering::SeqCst));
    probe.hwm = vm_hwm_kib();
    println!(
        "{} {} {} {}",
        probe.hwm, probe.entries_heap, probe.loaded_heap, probe.peak_heap
    );
    drop(keep);
}

/// What a memory probe saw, in KiB: the peak resident set (VmHWM), and the Rust heap in use
/// with the entries loaded, with everything loaded, and at its peak.
#[derive(Clone, Copy, Default)]
struct Probe {
    hwm: u64,
    entries_heap: u64,
    loaded_heap: u64,
    peak_heap: u64,
}

fn child_peak_memory(what: &str, folder: Option<&Path>) -> Probe {
    let mut command = Command::new(std::env::current_exe().expect("this program's path"));
    command.arg("--peak-memory").arg(what);
    if let Some(folder) = folder {
        command.arg(folder);
    }
    let out = command
        .stderr(Stdio::inherit())
        .output()
        .expect("the probe runs");
    let numbers: Vec<u64> = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .filter_map(|n| n.parse().ok())
        .collect();
    match numbers[..] {
        [hwm, entries_heap, loaded_heap, peak_heap] => Probe {
            hwm,
            entries_heap,
            loaded_heap,
            peak_heap,
        },
        _ => Probe::default(),
    }
}

/// The peak resident set size of this process, in KiB.
fn vm_hwm_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// Nearest-rank percentile.
fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort_unstable();
    let rank = ((p * samples.len() as f64).ceil() as usize).clamp(1, samples.len());
    samples[rank - 1]
}

fn median(samples: &mut [Duration]) -> Duration {
    percentile(samples, 0.5)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

// ---------------------------------------------------------------------------------------
// The report.

struct Rendered<'a> {
    options: &'a Options,
    figures: &'a [FolderFigures],
    quality: &'a [Quality],
    first: FirstAnswer,
    telegram: Option<&'a Value>,
    baseline: Probe,
    load: (String, String),
    elapsed: Duration,
    runs: usize,
    passes: usize,
}

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1e3;
    if ms < 1.0 {
        format!("{ms:.3}")
    } else if ms < 100.0 {
        format!("{ms:.2}")
    } else {
        format!("{ms:.0}")
    }
}

fn mib(kib: u64) -> String {
    format!("{:.1}", kib as f64 / 1024.0)
}

fn ratio(ours: f64, theirs: f64) -> String {
    if theirs > 0.0 {
        format!("{:.2}", ours / theirs)
    } else {
        "–".into()
    }
}

fn machine() -> Vec<(String, String)> {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|l| l.trim_start_matches([' ', '\t', ':']).to_string())
        .unwrap_or_else(|| "unknown".into());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or("unknown".into(), |kib| {
            format!("{:.1} GiB", kib as f64 / 1024.0 / 1024.0)
        });
    let nproc = std::thread::available_parallelism().map_or(0, |n| n.get());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "unknown".into());
    let rustc = Command::new("rustc")
        .arg("-V")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "unknown".into());
    vec![
        ("CPU".into(), cpu),
        ("cores (nproc)".into(), nproc.to_string()),
        ("memory".into(), memory),
        ("kernel".into(), format!("Linux {kernel}")),
        ("compiler".into(), rustc),
        ("SQLite (bundled)".into(), rusqlite::version().to_string()),
    ]
}

fn render(r: &Rendered<'_>) -> String {
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(
        w,
        "Measured {} with `{}` in {:.0} s. Load average (1, 5, 15 min) {} at the start, {} at \
         the end: the machine is shared, so figures move between runs by some tens of per \
         cent; compare the two columns of one run rather than runs.\n",
        Date::today(),
        r.options.command,
        r.elapsed.as_secs_f64(),
        r.load.0,
        r.load.1
    );
    let _ = writeln!(w, "| machine | |\n|---|---|");
    for (k, v) in machine() {
        let _ = writeln!(w, "| {k} | {v} |");
    }

    let _ = writeln!(
        w,
        "\n### Answering\n\nEach of the {} questions in `benches/common/questions.rs`, {} times \
         per run, each call timed alone, the two engines taking turns a pass (every question \
         once) at a time; the table gives the median over {} runs of each run's percentile \
         ({} calls per run). *signpost* is the whole `Assistant::answer` (safety \
         triage, small talk, synonyms and typos, search, re-ranking, the `Reply` with its \
         cards); *FTS5* is the bare query: the words quoted and joined by OR, `MATCH ... ORDER \
         BY bm25(entries) LIMIT 10`, ids collected. Wall time is what a person waits, \
         including any moment the shared machine gave to other work; CPU time is what the call \
         itself costs. Times in ms.\n",
        QUESTIONS.len(),
        r.passes,
        r.runs,
        r.figures.first().map_or(0, |f| f.answer.samples)
    );
    type Pick = fn(&Latency) -> (Duration, Duration);
    let tables: [(&str, Pick); 2] = [
        ("Wall time", |l| (l.p50, l.p99)),
        ("CPU time of the calling thread", |l| (l.cpu_p50, l.cpu_p99)),
    ];
    for (name, pick) in tables {
        let _ = writeln!(
            w,
            "{name}:\n\n\
             | entries | signpost p50 | FTS5 p50 | ratio | signpost p99 | FTS5 p99 | ratio |\n\
             |---|--:|--:|--:|--:|--:|--:|"
        );
        for f in r.figures {
            let ((a50, a99), (f50, f99)) = (pick(&f.answer), pick(&f.fts));
            let _ = writeln!(
                w,
                "| {} | {} | {} | {} | {} | {} | {} |",
                f.label,
                ms(a50),
                ms(f50),
                ratio(a50.as_secs_f64(), f50.as_secs_f64()),
                ms(a99),
                ms(f99),
                ratio(a99.as_secs_f64(), f99.as_secs_f64()),
            );
        }
        let _ = writeln!(w);
    }
    let _ = writeln!(
        w,
        "### Building\n\nFrom the folder on disk to ready to answer, median of up to 5 runs. \
         *read + parse* is `KnowledgeBase::load` (shared by both); *signpost index* is \
         `Assistant::new` (Tantivy in RAM, vocabulary, phrase matcher); *FTS5 insert* fills an \
         in-memory FTS5 table in one transaction. Times in ms.\n"
    );
    let _ = writeln!(
        w,
        "| entries | read + parse | signpost index | signpost total | FTS5 insert | FTS5 total | ratio (totals) | runs |\n\
         |---|--:|--:|--:|--:|--:|--:|--:|"
    );
    for f in r.figures {
        let ours = f.build.parse + f.build.index;
        let theirs = f.build.parse + f.build.fts_insert;
        let _ = writeln!(
            w,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            f.label,
            ms(f.build.parse),
            ms(f.build.index),
            ms(ours),
            ms(f.build.fts_insert),
            ms(theirs),
            ratio(ours.as_secs_f64(), theirs.as_secs_f64()),
            f.build.runs
        );
    }

    let _ = writeln!(
        w,
        "\n### Peak memory\n\nVmHWM of a fresh process that loads the folder and answers one \
         question (the entries stay loaded beside the FTS5 table, as a front end needs them \
         for its cards); the same process loading nothing peaks at {} MiB. To show where it \
         goes, the bench counts the Rust heap in use: with the entries parsed (shared by both), \
         with signpost's index built too, and at its peak while building (SQLite allocates \
         outside it). Figures in MiB.\n",
        mib(r.baseline.hwm)
    );
    let _ = writeln!(
        w,
        "| entries | signpost VmHWM | FTS5 VmHWM | ratio | heap: entries | heap: entries + index | heap: peak while building |\n\
         |---|--:|--:|--:|--:|--:|--:|"
    );
    for f in r.figures {
        let _ = writeln!(
            w,
            "| {} | {} | {} | {} | {} | {} | {} |",
            f.label,
            mib(f.memory_signpost.hwm),
            mib(f.memory_fts.hwm),
            ratio(f.memory_signpost.hwm as f64, f.memory_fts.hwm as f64),
            mib(f.memory_signpost.entries_heap),
            mib(f.memory_signpost.loaded_heap),
            mib(f.memory_signpost.peak_heap),
        );
    }

    let shipped = r.options.folders[0].display();
    let _ = writeln!(
        w,
        "\n### First answer\n\nWall time from spawning the process to its exit after \
         printing one answer (\"{FIRST_QUESTION}\") on `{shipped}`, median of {} runs after one \
         untimed run. *signpost* is the release `signpost ask`; *FTS5* is this bench program \
         loading the same folder into FTS5 and querying it.\n",
        r.first.runs
    );
    let opt = |d: Option<Duration>| d.map_or("–".into(), ms);
    let _ = writeln!(
        w,
        "| | signpost | FTS5 | ratio |\n|---|--:|--:|--:|\n| first answer (ms) | {} | {} | {} |",
        opt(r.first.signpost),
        opt(r.first.fts),
        match (r.first.signpost, r.first.fts) {
            (Some(a), Some(b)) => ratio(a.as_secs_f64(), b.as_secs_f64()),
            _ => "–".into(),
        }
    );
    let _ = writeln!(
        w,
        "| first answer with no cached models (ms) | {} | – | – |\n\nThe first row reads the \
         crisis and search models from the cache (`SIGNPOST_CACHE_DIR`, else the platform's \
         cache folder), as every start does after the first; the second starts each run with \
         an empty cache, so both models are trained before the answer, as on the first start \
         after the folder changed (a live reload trains in the background while the old \
         snapshot keeps answering).",
        opt(r.first.cold)
    );

    let _ = writeln!(
        w,
        "\n### Quality\n\nEach set on `{shipped}`, the same cases for both, figures from \
         `signpost::eval::summarise`. FTS5 ranks the top 10 of the bare query above; it has no \
         crisis triage, so it flags nothing, and it falls back only when nothing matches. \
         The three `tests/eval/untouched-retrieval*.toml` sets were written by people given \
         only the entry ids and a line on each, and are never tuned on; the others are tuning \
         sets."
    );
    for (i, set) in r.quality.iter().enumerate() {
        let _ = writeln!(w, "\n#### `{}`\n", set.cases.display());
        let Some((ours, theirs)) = &set.figures else {
            let _ = writeln!(w, "Not measured: the file could not be read.");
            continue;
        };
        let _ = writeln!(w, "| | signpost | FTS5 | difference |\n|---|--:|--:|--:|");
        let rows: [(&str, f64, f64); 6] = [
            ("hit@1", ours.hit1, theirs.hit1),
            ("hit@3", ours.hit3, theirs.hit3),
            ("MRR", ours.mrr, theirs.mrr),
            (
                "off-topic given the fallback",
                ours.fallback_rate,
                theirs.fallback_rate,
            ),
            ("crisis recall", ours.crisis_recall, theirs.crisis_recall),
            (
                "false crises",
                ours.crisis_false_positive_rate,
                theirs.crisis_false_positive_rate,
            ),
        ];
        for (name, a, b) in rows {
            let _ = writeln!(w, "| {name} | {a:.3} | {b:.3} | {:+.3} |", a - b);
        }
        let (won, lost) = paired(ours, theirs);
        if i == 0 {
            let _ = writeln!(
                w,
                "\n{} cases. In the top three for signpost and not for FTS5: {}; the other way \
                 round: {}.",
                ours.cases,
                list(&won),
                list(&lost)
            );
        } else {
            let _ = writeln!(
                w,
                "\n{} cases. In the top three for signpost and not for FTS5: {}; the other way \
                 round: {}.",
                ours.cases,
                won.len(),
                lost.len()
            );
        }
    }

    let _ = writeln!(w, "\n### Telegram throughput\n");
    let telegram = r.telegram.and_then(|t| {
        Some((
            t.get("updates")?.as_u64()?,
            t.get("updates_per_second")?.as_f64()?,
            t.get("paced_rate")?.as_f64()?,
            t.get("p50_ms")?.as_f64()?,
            t.get("p99_ms")?.as_f64()?,
            t.get("note").and_then(Value::as_str).unwrap_or(""),
        ))
    });
    match telegram {
        Some((updates, rate, paced, p50, p99, note)) => {
            let _ = writeln!(
                w,
                "{note}\n\n| burst | updates/s | paced at | p50 update→sendMessage (ms) | p99 (ms) |\n\
                 |--:|--:|--:|--:|--:|\n| {updates} | {rate:.0} | {paced:.0}/s | {p50:.2} | {p99:.2} |"
            );
        }
        None => {
            let _ = writeln!(
                w,
                "Not measured in this run: `{}` is missing (see `scripts/bench`).",
                r.options.telegram.display()
            );
        }
    }

    let _ = writeln!(
        w,
        "\n### Targets\n\n| target | figure | met |\n|---|---|---|"
    );
    let yes = |b: bool| if b { "yes" } else { "**no**" };
    if let Some(f) = r.figures.iter().find(|f| f.entries == 5_000) {
        let (p99, cpu99) = (
            f.answer.p99.as_secs_f64() * 1e3,
            f.answer.cpu_p99.as_secs_f64() * 1e3,
        );
        let _ = writeln!(
            w,
            "| answer p99 at 5,000 entries ≤ 1 ms | wall {p99:.3} ms, CPU {cpu99:.3} ms | wall {}, CPU {} |",
            yes(p99 <= 1.0),
            yes(cpu99 <= 1.0)
        );
        let r50 = f.answer.p50.as_secs_f64() / f.fts.p50.as_secs_f64();
        let c50 = f.answer.cpu_p50.as_secs_f64() / f.fts.cpu_p50.as_secs_f64();
        let _ = writeln!(
            w,
            "| answer p50 at 5,000 faster than FTS5's bare query | ratio wall {r50:.2}, CPU {c50:.2} | wall {}, CPU {} |",
            yes(r50 < 1.0),
            yes(c50 < 1.0)
        );
        let build = (f.build.parse + f.build.index).as_secs_f64();
        let _ = writeln!(
            w,
            "| index build of 5,000 entries ≤ 1 s (read, parse, index) | {build:.2} s (index alone {:.2} s) | {} |",
            f.build.index.as_secs_f64(),
            yes(build <= 1.0)
        );
    }
    if let Some(f) = r.figures.iter().find(|f| f.entries == 10_000) {
        let m = f.memory_signpost.hwm as f64 / 1024.0;
        let _ = writeln!(
            w,
            "| peak memory with 10,000 entries ≤ 100 MiB | {m:.1} MiB | {} |",
            yes(m <= 100.0)
        );
    }
    if let Some(first) = r.first.signpost {
        let t = first.as_secs_f64() * 1e3;
        let _ = writeln!(
            w,
            "| first answer ≤ 300 ms after start | {t:.0} ms | {} |",
            yes(t <= 300.0)
        );
    }
    if let Some((_, rate, _, _, p99, _)) = telegram {
        let _ = writeln!(
            w,
            "| Telegram ≥ 500 updates/s, p99 ≤ 20 ms | {rate:.0}/s, p99 {p99:.2} ms | {} |",
            yes(rate >= 500.0 && p99 <= 20.0)
        );
    }
    if let Some((ours, theirs)) = r.quality.first().and_then(|q| q.figures.as_ref()) {
        // "Clearly": at least 5 points more (here signpost's 1.0 leaves FTS5 at most 9 points
        // of room), and more cases won than lost, case by case.
        let (won, lost) = paired(ours, theirs);
        let _ = writeln!(
            w,
            "| hit@3 on dev clearly above FTS5 (≥ +0.05, more cases won than lost) | {:.3} vs {:.3} ({} won, {} lost) | {} |",
            ours.hit3,
            theirs.hit3,
            won.len(),
            lost.len(),
            yes(ours.hit3 >= theirs.hit3 + 0.05 && won.len() > lost.len())
        );
    }
    out
}

/// The questions in the top three for the first summary and not the second, and the other
/// way round.
fn paired<'a>(ours: &'a Summary, theirs: &'a Summary) -> (Vec<&'a str>, Vec<&'a str>) {
    let mut won = Vec::new();
    let mut lost = Vec::new();
    for (a, b) in ours.outcomes.iter().zip(&theirs.outcomes) {
        match (a.hit3(), b.hit3()) {
            (true, false) => won.push(a.q.as_str()),
            (false, true) => lost.push(a.q.as_str()),
            _ => {}
        }
    }
    (won, lost)
}

fn list(questions: &[&str]) -> String {
    if questions.is_empty() {
        "none".into()
    } else {
        questions
            .iter()
            .map(|q| format!("\"{q}\""))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

const BEGIN: &str = "<!-- bench:begin (rewritten by scripts/bench; edit outside these marks) -->";
const END: &str = "<!-- bench:end -->";

/// Replaces the figures between the marks, keeping the hand-written text around them.
fn write_report(path: &Path, figures: &str) {
    let old = std::fs::read_to_string(path).unwrap_or_default();
    let new = match (old.find(BEGIN), old.find(END)) {
        (Some(b), Some(e)) if b < e => format!(
            "{}{BEGIN}\n{figures}{END}{}",
            &old[..b],
            &old[e + END.len()..]
        ),
        _ => format!("# Benchmarks\n\n{BEGIN}\n{figures}{END}\n{old}"),
    };
    std::fs::write(path, new).unwrap_or_else(|e| panic!("could not write {}: {e}", path.display()));
}
