//! Live knowledge: watch the folder, rebuild off the answering path, swap atomically, and keep
//! the last good snapshot when an edit breaks the folder.

use crate::assistant::{Assistant, Turn};
use crate::error::{Error, KnowledgeError};
use crate::gaps::GapsLog;
pub use crate::knowledge::{Diagnostic, Report, Severity};
use crate::reply::Reply;
use arc_swap::ArcSwap;
use notify::{EventKind, RecursiveMode, Watcher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
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
    gaps: arc_swap::ArcSwapOption<GapsLog>,
    current: ArcSwap<Assistant>,
    generation: AtomicU64,
    listeners: Mutex<Vec<Listener>>,
    last: Mutex<Option<ReloadOutcome>>,
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
        let shared = Arc::new(Shared {
            dir: dir.to_path_buf(),
            gaps: arc_swap::ArcSwapOption::empty(),
            current: ArcSwap::from_pointee(assistant),
            generation: AtomicU64::new(1),
            listeners: Mutex::new(Vec::new()),
            last: Mutex::new(None),
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
    /// searched from their first part, triaged whole) from the current snapshot, and records
    /// it (scrubbed) in the gaps file, if one was handed over, when it ended in the fallback.
    pub fn answer(&self, turn: &Turn<'_>) -> Reply {
        self.answer_on(&self.current(), turn)
    }

    /// As [`LiveKnowledge::answer`], on a snapshot the caller already holds (so that what it
    /// renders next comes from the same snapshot).
    pub fn answer_on(&self, assistant: &Assistant, turn: &Turn<'_>) -> Reply {
        let reply = assistant.message(turn);
        if reply.fallback {
            self.record_unanswered(turn.text);
        }
        reply
    }

    /// Notes a message that ended in the fallback in the gaps file, if one is set (scrubbed of
    /// anything identifying; see [`crate::gaps`]). For front ends that answer by other means.
    pub fn record_unanswered(&self, text: &str) {
        if let Some(gaps) = self.shared.gaps.load().as_ref() {
            gaps.record(text);
        }
    }

    /// Records unanswered questions in this gaps log (or, with `None`, nowhere: the default).
    /// The front end chooses the file; the core never reads it from the environment.
    pub fn set_gaps(&self, gaps: Option<GapsLog>) {
        self.shared.gaps.store(gaps.map(Arc::new));
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

fn reload(shared: &Shared) -> ReloadOutcome {
    let started = std::time::Instant::now();
    let outcome = match Assistant::load(&shared.dir) {
        Ok((assistant, report)) => {
            shared.current.store(Arc::new(assistant));
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
            // File paths and positions are safe to log; nothing here comes from users.
            for d in report
                .diagnostics
                .iter()
                .filter(|d| d.severity == crate::knowledge::Severity::Error)
            {
                tracing::warn!(event = "knowledge_rejected", problem = %d);
            }
            if report.diagnostics.is_empty() {
                tracing::warn!(event = "knowledge_rejected", problem = %err);
            }
            ReloadOutcome::Rejected {
                report,
                message: err.to_string(),
            }
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
    outcome
}
