//! Live knowledge: watch the folder, rebuild off the answering path, swap atomically, and keep
//! the last good snapshot when an edit breaks the folder.

use crate::assistant::{Assistant, Turn};
use crate::error::{Error, KnowledgeError};
use crate::feedback::{FeedbackStore, Observation, StoreError};
use crate::gaps::Scrubbed;
use crate::hours::{Clock, SystemClock};
use crate::knowledge::{Audience, Date};
pub use crate::knowledge::{Diagnostic, Report, Severity};
use crate::reply::{Action, Intent, Reply};
use crate::towns::Town;
use arc_swap::ArcSwap;
use notify::{EventKind, RecursiveMode, Watcher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long the folder must be quiet before a rebuild: a `git pull` is one rebuild.
pub const DEFAULT_DEBOUNCE: Duration = Duration::from_millis(400);

/// What a reload did.
#[derive(Debug, Clone)]
pub enum ReloadOutcome {
    /// The new content is live.
    Loaded {
        /// The check report (warnings only).
        report: Report,
    },
    /// The folder is invalid; the previous content stays live.
    Rejected {
        /// What is wrong, with files, lines and columns (empty for I/O errors).
        report: Report,
        /// The error in one message.
        message: String,
    },
}

type Listener = Box<dyn Fn(&ReloadOutcome) + Send + Sync>;

struct Shared {
    dir: PathBuf,
    feedback: arc_swap::ArcSwapOption<FeedbackStore>,
    /// The last write to the feedback store failed (logged once until one succeeds).
    feedback_failing: AtomicBool,
    current: ArcSwap<Assistant>,
    generation: AtomicU64,
    listeners: Mutex<Vec<Listener>>,
    last: Mutex<Option<ReloadOutcome>>,
    clock: Mutex<Arc<dyn Clock>>,
}

/// The assistant for a folder, kept up to date while the folder changes.
#[derive(Clone)]
pub struct LiveKnowledge {
    shared: Arc<Shared>,
    _watcher: Option<Arc<Mutex<notify::RecommendedWatcher>>>,
}

impl LiveKnowledge {
    /// Loads the folder once, without watching it. Fails if the folder is invalid.
    pub fn load(dir: &Path) -> Result<(LiveKnowledge, Report), Error> {
        let (assistant, report) = Assistant::load(dir)?;
        release_freed_memory();
        let shared = Arc::new(Shared {
            dir: dir.to_path_buf(),
            feedback: arc_swap::ArcSwapOption::empty(),
            feedback_failing: AtomicBool::new(false),
            current: ArcSwap::from_pointee(assistant),
            generation: AtomicU64::new(1),
            listeners: Mutex::new(Vec::new()),
            last: Mutex::new(None),
            clock: Mutex::new(Arc::new(SystemClock)),
        });
        Ok((
            LiveKnowledge {
                shared,
                _watcher: None,
            },
            report,
        ))
    }

    /// Loads the folder and watches it, rebuilding after each burst of changes quiet for
    /// `debounce`. The first load must succeed; later broken edits keep the last good content.
    pub fn watch(dir: &Path, debounce: Duration) -> Result<(LiveKnowledge, Report), Error> {
        let (mut live, report) = LiveKnowledge::load(dir)?;
        let (tx, rx) = mpsc::channel::<()>();
        let mut watcher =
            notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
                if let Ok(event) = event
                    && !matches!(event.kind, EventKind::Access(_))
                {
                    let _ = tx.send(());
                }
            })
            .map_err(|e| watch_error(dir, e))?;
        watcher
            .watch(dir, RecursiveMode::Recursive)
            .map_err(|e| watch_error(dir, e))?;
        let weak = Arc::downgrade(&live.shared);
        std::thread::Builder::new()
            .name("signpost-watch".into())
            .spawn(move || {
                while rx.recv().is_ok() {
                    // Wait for the burst to end.
                    loop {
                        match rx.recv_timeout(debounce) {
                            Ok(()) => continue,
                            Err(RecvTimeoutError::Timeout) => break,
                            Err(RecvTimeoutError::Disconnected) => return,
                        }
                    }
                    let Some(shared) = weak.upgrade() else { return };
                    reload(&shared);
                }
            })
            .map_err(|source| {
                Error::Knowledge(KnowledgeError::Io {
                    path: dir.to_path_buf(),
                    source,
                })
            })?;
        live._watcher = Some(Arc::new(Mutex::new(watcher)));
        Ok((live, report))
    }

    /// The assistant to answer with now. An answer keeps the snapshot it started with.
    pub fn current(&self) -> Arc<Assistant> {
        self.shared.current.load_full()
    }

    /// Answers one message as a person sent it ([`Assistant::message`]: long messages
    /// searched from their first part, triaged whole) from the current snapshot. With a
    /// feedback store, counts it (see [`LiveKnowledge::answer_on`]).
    pub fn answer(&self, turn: &Turn<'_>) -> Reply {
        self.answer_on(&self.current(), turn)
    }

    /// As [`LiveKnowledge::answer`], on a snapshot the caller already holds (so that what it
    /// renders next comes from the same snapshot). With a feedback store: adds the answer to
    /// the day's counts (answers, fallbacks, crises, concerns) and the entries shown, keeps a
    /// message that ended in the fallback as scrubbed words ([`crate::gaps`]), and puts the
    /// "Helpful" / "Not helpful" pair on an answer with cards ([`Reply::feedback`]).
    pub fn answer_on(&self, assistant: &Assistant, turn: &Turn<'_>) -> Reply {
        let mut reply = assistant.message(turn);
        if let Some(store) = self.shared.feedback.load_full() {
            let unanswered = if reply.fallback {
                Scrubbed::new(turn.text)
            } else {
                None
            };
            let shown = reply.shown_ids();
            let result = store.record(
                Date::today(),
                &Observation {
                    answered: reply.intent == Intent::Question,
                    fallback: reply.fallback,
                    crisis: reply.safety.is_some(),
                    concern: reply.concern_to_show().is_some(),
                    shown: &shown,
                    unanswered: unanswered.as_ref(),
                },
            );
            self.note(result);
            reply.feedback = assistant.feedback_buttons(&reply);
        }
        reply
    }

    /// Carries out a button's payload ([`Assistant::press`]) on a snapshot the caller holds.
    /// With a feedback store: a "Helpful" / "Not helpful" press adds one to each of the
    /// entries it names that the folder still holds (the reply thanks the person, intent
    /// [`Intent::Feedback`]); any other press counts the entries it shows and puts the pair
    /// under an entry shown in full.
    pub fn press_on(
        &self,
        assistant: &Assistant,
        payload: &str,
        audience: Option<Audience>,
        town: Option<Town>,
    ) -> Reply {
        let mut reply = assistant.press(payload, audience, town);
        let Some(store) = self.shared.feedback.load_full() else {
            return reply;
        };
        if let Some(Action::Feedback(vote)) = Action::decode(payload) {
            let ids = assistant.rated_entries(&vote);
            tracing::info!(
                event = "feedback",
                helpful = vote.helpful,
                rated = ?vote.rated,
                entries = ?ids,
                unmatched = vote.entries.len() - ids.len(),
            );
            if !ids.is_empty() {
                self.note(store.record_vote(Date::today(), &ids, vote.helpful));
            }
        } else {
            self.count_shown(&store, assistant, &mut reply);
        }
        reply
    }

    /// For a reply a front end made by other means (a look-up by name, a stage of the
    /// journey): with a feedback store, counts the entries it shows and puts the "Helpful" /
    /// "Not helpful" pair under it when it can be rated.
    pub fn shown(&self, assistant: &Assistant, reply: &mut Reply) {
        if let Some(store) = self.shared.feedback.load_full() {
            self.count_shown(&store, assistant, reply);
        }
    }

    fn count_shown(&self, store: &FeedbackStore, assistant: &Assistant, reply: &mut Reply) {
        let shown = reply.shown_ids();
        if !shown.is_empty() {
            let result = store.record(
                Date::today(),
                &Observation {
                    shown: &shown,
                    ..Observation::default()
                },
            );
            self.note(result);
        }
        reply.feedback = assistant.feedback_buttons(reply);
    }

    /// Logs a failed write once (until a write succeeds again): an answer never fails because
    /// the store does.
    fn note(&self, result: Result<(), StoreError>) {
        match result {
            Ok(()) => {
                if self.shared.feedback_failing.swap(false, Ordering::SeqCst) {
                    tracing::info!(event = "feedback_store_recovered");
                }
            }
            Err(error) => {
                if self.shared.feedback_failing.swap(true, Ordering::SeqCst) {
                    tracing::debug!(event = "feedback_store_write_failed", %error);
                } else {
                    tracing::error!(event = "feedback_store_write_failed", %error);
                }
            }
        }
    }

    /// Keeps counts and feedback in this store (or, with `None`, nowhere: the default, and
    /// no "Helpful" / "Not helpful" buttons). The front end chooses and opens the file; the
    /// core never reads it from the environment.
    pub fn set_feedback(&self, store: Option<FeedbackStore>) {
        self.shared.feedback.store(store.map(Arc::new));
    }

    /// What `/about` says ([`Assistant::about`]), with what the feedback store keeps
    /// ([`crate::assistant::conversation::FEEDBACK_PRIVACY`]) when one is set.
    pub fn about_on(
        &self,
        assistant: &Assistant,
        remembers_choice_for: Option<Duration>,
    ) -> crate::assistant::conversation::About {
        let mut about = assistant.about(remembers_choice_for);
        if self.collects_feedback() {
            about.privacy.push(' ');
            about
                .privacy
                .push_str(crate::assistant::conversation::FEEDBACK_PRIVACY);
        }
        about
    }

    /// Whether a feedback store is set.
    pub fn collects_feedback(&self) -> bool {
        self.shared.feedback.load().is_some()
    }

    /// Reads the time from `clock` from now on, in this snapshot and every reload (the system
    /// clock by default): for tests, and tools that answer as at another time.
    pub fn set_clock(&self, clock: Arc<dyn Clock>) {
        let mut current = self.shared.clock.lock().unwrap_or_else(|p| p.into_inner());
        *current = clock.clone();
        // Under the lock, so that a reload cannot put back the old clock.
        let assistant = self.shared.current.load().with_clock(clock);
        self.shared.current.store(Arc::new(assistant));
    }

    /// How many snapshots have gone live (1 after the first load).
    pub fn generation(&self) -> u64 {
        self.shared.generation.load(Ordering::SeqCst)
    }

    /// The folder being served.
    pub fn dir(&self) -> &Path {
        &self.shared.dir
    }

    /// The outcome of the latest reload, if any has happened since the first load.
    pub fn last_outcome(&self) -> Option<ReloadOutcome> {
        self.shared.last.lock().ok().and_then(|l| l.clone())
    }

    /// Calls `listener` after every reload, from the watcher's thread.
    pub fn on_reload(&self, listener: impl Fn(&ReloadOutcome) + Send + Sync + 'static) {
        if let Ok(mut listeners) = self.shared.listeners.lock() {
            listeners.push(Box::new(listener));
        }
    }

    /// Rebuilds now, on this thread.
    pub fn reload_now(&self) -> ReloadOutcome {
        reload(&self.shared)
    }
}

fn watch_error(dir: &Path, e: notify::Error) -> Error {
    Error::Knowledge(KnowledgeError::Io {
        path: dir.to_path_buf(),
        source: std::io::Error::other(e.to_string()),
    })
}

/// Hands memory freed by a build (the index writer's buffers, the old snapshot once no answer
/// holds it, a rejected folder) back to the system.
///
/// glibc's allocator keeps freed memory in each thread's arena and, after a large buffer is
/// freed, raises the size below which it keeps it: without this, 200 reloads of the shipped
/// folder with four threads answering left 77 to 136 MB resident for 9 to 22 MB in use;
/// with it, 32 to 42 MB for 13 MB in use (release build; see `benches/reload_memory.rs`).
/// A trim takes a few milliseconds, once per reload.
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free memory to the system; it has no preconditions.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Most errors logged for one rejected reload; `signpost check` lists them all.
const MAX_LOGGED_PROBLEMS: usize = 20;

/// An error and what caused it, on one line ("could not read `x`: permission denied").
fn with_causes(err: &dyn std::error::Error) -> String {
    let mut message = err.to_string();
    let mut cause = err.source();
    while let Some(c) = cause {
        message.push_str(": ");
        message.push_str(&c.to_string());
        cause = c.source();
    }
    message
}

fn reload(shared: &Shared) -> ReloadOutcome {
    let started = std::time::Instant::now();
    let mut previous = std::sync::Weak::new();
    let outcome = match Assistant::load(&shared.dir) {
        Ok((assistant, report)) => {
            // Under the clock's lock, so that a clock set meanwhile is not lost.
            let clock = shared.clock.lock().unwrap_or_else(|p| p.into_inner());
            let assistant = assistant.with_clock(clock.clone());
            previous = Arc::downgrade(&shared.current.swap(Arc::new(assistant)));
            drop(clock);
            let generation = shared.generation.fetch_add(1, Ordering::SeqCst) + 1;
            tracing::info!(
                event = "knowledge_reloaded",
                generation,
                entries = report.entries,
                warnings = report.warnings(),
                millis = started.elapsed().as_millis() as u64,
            );
            ReloadOutcome::Loaded { report }
        }
        Err(err) => {
            let report = match &err {
                Error::Knowledge(KnowledgeError::Invalid { report, .. }) => (**report).clone(),
                _ => Report::default(),
            };
            let message = with_causes(&err);
            // File paths, positions and reasons are safe to log; nothing here comes from
            // users. One short line per error, and not a flood for a folder full of them.
            let errors = report
                .diagnostics
                .iter()
                .filter(|d| d.severity == crate::knowledge::Severity::Error);
            for d in errors.clone().take(MAX_LOGGED_PROBLEMS) {
                tracing::warn!(event = "knowledge_rejected", problem = %d);
            }
            let unlogged = errors.count().saturating_sub(MAX_LOGGED_PROBLEMS);
            if unlogged > 0 {
                tracing::warn!(
                    event = "knowledge_rejected",
                    more_errors = unlogged,
                    "run `signpost check` for the rest"
                );
            }
            if report.diagnostics.is_empty() {
                tracing::warn!(event = "knowledge_rejected", problem = %message);
            }
            ReloadOutcome::Rejected { report, message }
        }
    };
    if let Ok(mut last) = shared.last.lock() {
        *last = Some(outcome.clone());
    }
    if let Ok(listeners) = shared.listeners.lock() {
        for listener in listeners.iter() {
            listener(&outcome);
        }
    }
    // Answers in flight finish on the snapshot they started with; give them a moment, so
    // that its memory is freed before the trim rather than kept until the next reload.
    let waiting = std::time::Instant::now();
    while previous.strong_count() > 0 && waiting.elapsed() < OLD_SNAPSHOT_WAIT {
        std::thread::sleep(Duration::from_millis(5));
    }
    release_freed_memory();
    outcome
}

/// How long a reload waits for answers in flight to let go of the old snapshot.
const OLD_SNAPSHOT_WAIT: Duration = Duration::from_millis(500);
