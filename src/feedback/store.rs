//! The feedback store: one SQLite file in WAL mode that holds counts and nothing else.
//!
//! Three tables, all keyed by day (UTC, `YYYY-MM-DD`, never a time):
//!
//! | table | key | counts |
//! |---|---|---|
//! | `days` | day | `answers`, `fallbacks`, `crises`, `concerns` |
//! | `entries` | day, entry id | `shown`, `helpful`, `not_helpful` |
//! | `unanswered` | day, scrubbed words | `times` |
//!
//! No message, user, chat or time of day is ever written. Every write is one short
//! `BEGIN IMMEDIATE` transaction of upserts (`count = count + n`), so two bot processes can
//! write to the same file at once without losing a count: SQLite serialises the writers and
//! each waits (up to [`BUSY_TIMEOUT`]) for the other. Deleted rows are overwritten on disk
//! (`secure_delete`), and counts older than the retention period go when a writer opens the
//! file.

use crate::gaps::Scrubbed;
use crate::knowledge::Date;
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, TransactionBehavior, params};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

/// Counts older than this many days are deleted when a bot opens the store, unless the
/// front end says otherwise.
pub const DEFAULT_KEEP_DAYS: u32 = 400;

/// The longest retention accepted, in days (a hundred years).
pub const MAX_KEEP_DAYS: u32 = 36_500;

/// How long a write waits for another process's write to finish before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Marks the file as signpost's (`PRAGMA application_id`, "SGNP").
const APPLICATION_ID: i32 = 0x5347_4e50;
/// The layout of the tables (`PRAGMA user_version`).
const SCHEMA_VERSION: i32 = 1;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS days (
    day       TEXT PRIMARY KEY NOT NULL,
    answers   INTEGER NOT NULL DEFAULT 0,
    fallbacks INTEGER NOT NULL DEFAULT 0,
    crises    INTEGER NOT NULL DEFAULT 0,
    concerns  INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS entries (
    day         TEXT NOT NULL,
    entry       TEXT NOT NULL,
    shown       INTEGER NOT NULL DEFAULT 0,
    helpful     INTEGER NOT NULL DEFAULT 0,
    not_helpful INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, entry)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS unanswered (
    day   TEXT NOT NULL,
    words TEXT NOT NULL,
    times INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, words)
) WITHOUT ROWID;
";

/// Why the feedback store could not be opened, read or written. Messages name the file and
/// say what to do; they never carry anything a person wrote.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The folder that should hold the file does not exist.
    #[error(
        "the folder for the feedback store `{}` does not exist: create it, or choose another path",
        path.display()
    )]
    NoFolder {
        /// The store's path.
        path: PathBuf,
    },
    /// The file exists but is not an SQLite database, or is damaged.
    #[error(
        "the feedback store `{}` is corrupt or not an SQLite database ({detail}): move it aside, \
         and a new one is started at the next start",
        path.display()
    )]
    Corrupt {
        /// The store's path.
        path: PathBuf,
        /// What SQLite found.
        detail: String,
    },
    /// The file is an SQLite database of something else.
    #[error(
        "`{}` is an SQLite database but not a signpost feedback store: choose another path",
        path.display()
    )]
    Foreign {
        /// The store's path.
        path: PathBuf,
    },
    /// The file was written by a newer signpost.
    #[error(
        "the feedback store `{}` has layout {found}, newer than this signpost understands ({SCHEMA_VERSION}): \
         upgrade signpost",
        path.display()
    )]
    TooNew {
        /// The store's path.
        path: PathBuf,
        /// The layout found.
        found: i32,
    },
    /// The file or its folder cannot be written.
    #[error(
        "the feedback store `{}` cannot be written ({detail}): check the permissions of the file \
         and its folder (SQLite also writes `-wal` and `-shm` files beside it)",
        path.display()
    )]
    Unwritable {
        /// The store's path.
        path: PathBuf,
        /// What SQLite or the system said.
        detail: String,
    },
    /// Any other SQLite failure (a full disk, a lock held too long, ...).
    #[error("the feedback store `{}` failed: {source}", path.display())]
    Sqlite {
        /// The store's path.
        path: PathBuf,
        /// What SQLite said.
        #[source]
        source: rusqlite::Error,
    },
}

impl StoreError {
    fn from_sqlite(path: &Path, err: rusqlite::Error) -> StoreError {
        let path = path.to_path_buf();
        let code = err.sqlite_error_code();
        match code {
            Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => StoreError::Corrupt {
                path,
                detail: err.to_string(),
            },
            Some(ErrorCode::ReadOnly | ErrorCode::PermissionDenied | ErrorCode::CannotOpen) => {
                StoreError::Unwritable {
                    path,
                    detail: err.to_string(),
                }
            }
            _ => StoreError::Sqlite { path, source: err },
        }
    }
}

/// What one answered message adds to the counts.
#[derive(Debug, Clone, Copy, Default)]
pub struct Observation<'a> {
    /// A question was answered (searched), whatever the outcome.
    pub answered: bool,
    /// It ended in the honest fallback.
    pub fallback: bool,
    /// It brought the safety notice.
    pub crisis: bool,
    /// It carried the one-line concern notice.
    pub concern: bool,
    /// The entries shown as cards (ids).
    pub shown: &'a [&'a str],
    /// The message's words, scrubbed, when it went unanswered.
    pub unanswered: Option<&'a Scrubbed>,
}

/// What opening the store for writing did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Opened {
    /// The file was new.
    pub created: bool,
    /// Rows older than the retention period that were deleted.
    pub expired: usize,
}

/// One day's counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayCounts {
    /// The day (UTC).
    pub day: Date,
    /// Questions answered.
    pub answers: u64,
    /// Of which ended in the fallback.
    pub fallbacks: u64,
    /// Of which brought the safety notice.
    pub crises: u64,
    /// Of which carried the concern line.
    pub concerns: u64,
}

/// One entry's counts over a range of days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryCounts {
    /// Entry id.
    pub id: String,
    /// Times shown as a card.
    pub shown: u64,
    /// "Helpful" presses on answers that showed it.
    pub helpful: u64,
    /// "Not helpful" presses on answers that showed it.
    pub not_helpful: u64,
}

/// The counts of the feedback store.
#[derive(Debug)]
pub struct FeedbackStore {
    path: PathBuf,
    conn: Mutex<Connection>,
}

impl FeedbackStore {
    /// Opens (or creates) the store for writing, checks it, and deletes counts older than
    /// `keep_days` days before `today` (at most [`MAX_KEEP_DAYS`]). Safe to call from two
    /// processes at once.
    pub fn open(
        path: &Path,
        keep_days: u32,
        today: Date,
    ) -> Result<(FeedbackStore, Opened), StoreError> {
        FeedbackStore::open_with(path, Some((keep_days.min(MAX_KEEP_DAYS), today)))
    }

    /// As [`FeedbackStore::open`], with today's date in the partnership's time zone: what a
    /// front end calls at start.
    pub fn open_today(path: &Path, keep_days: u32) -> Result<(FeedbackStore, Opened), StoreError> {
        FeedbackStore::open(path, keep_days, Date::today())
    }

    /// Opens (or creates) the store for writing without deleting anything (for importing).
    pub fn open_keeping_everything(path: &Path) -> Result<FeedbackStore, StoreError> {
        FeedbackStore::open_with(path, None).map(|(store, _)| store)
    }

    fn open_with(
        path: &Path,
        retention: Option<(u32, Date)>,
    ) -> Result<(FeedbackStore, Opened), StoreError> {
        let fail = |e: rusqlite::Error| StoreError::from_sqlite(path, e);
        let folder = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        if !folder.is_dir() {
            return Err(StoreError::NoFolder {
                path: path.to_path_buf(),
            });
        }
        if path.is_dir() {
            return Err(StoreError::Unwritable {
                path: path.to_path_buf(),
                detail: "it is a folder, not a file".into(),
            });
        }
        let created = !path.exists();
        if created {
            create_private(path).map_err(|e| StoreError::Unwritable {
                path: path.to_path_buf(),
                detail: e.to_string(),
            })?;
        }
        let (conn, app, version) = connect(path, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
        if conn.is_readonly("main").map_err(fail)? {
            return Err(StoreError::Unwritable {
                path: path.to_path_buf(),
                detail: "the file is read-only".into(),
            });
        }
        check_identity(path, &conn, app, version)?;
        let check: String = when_free(|| conn.query_row("PRAGMA quick_check(1)", [], |r| r.get(0)))
            .map_err(fail)?;
        if check != "ok" {
            return Err(StoreError::Corrupt {
                path: path.to_path_buf(),
                detail: check,
            });
        }
        // Two processes opening a new file at once: switching it to WAL needs it to
        // themselves for a moment, and SQLite reports the other one as busy without waiting.
        let mode: String =
            when_free(|| conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)))
                .map_err(fail)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Unwritable {
                path: path.to_path_buf(),
                detail: format!("could not switch to WAL mode (got {mode})"),
            });
        }
        conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA secure_delete = ON;")
            .map_err(fail)?;
        let store = FeedbackStore {
            path: path.to_path_buf(),
            conn: Mutex::new(conn),
        };
        let expired = store.set_up(retention)?;
        Ok((store, Opened { created, expired }))
    }

    /// Opens an existing store for reading only (for reports); `None` when there is no file
    /// yet. Never creates or changes anything.
    pub fn open_read_only(path: &Path) -> Result<Option<FeedbackStore>, StoreError> {
        if !path.exists() {
            return Ok(None);
        }
        let (conn, app, version) = connect(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        check_identity(path, &conn, app, version)?;
        if app == 0 {
            // An empty file: a store nobody has written to yet.
            return Ok(None);
        }
        Ok(Some(FeedbackStore {
            path: path.to_path_buf(),
            conn: Mutex::new(conn),
        }))
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Creates the tables if needed and deletes counts from before `keep_days` days before
    /// `today` (when given), in one write transaction.
    fn set_up(&self, retention: Option<(u32, Date)>) -> Result<usize, StoreError> {
        let cutoff = retention.map(|(keep_days, today)| {
            Date::from_days(today.to_days() - i64::from(keep_days)).to_string()
        });
        self.write(|tx| {
            tx.execute_batch(SCHEMA)?;
            tx.execute_batch(&format!(
                "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {SCHEMA_VERSION};"
            ))?;
            let mut expired = 0;
            if let Some(cutoff) = &cutoff {
                for table in ["days", "entries", "unanswered"] {
                    expired +=
                        tx.execute(&format!("DELETE FROM {table} WHERE day < ?1"), [cutoff])?;
                }
            }
            Ok(expired)
        })
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction and commits it.
    fn write<T>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        let mut conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        let run = |conn: &mut Connection| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let out = f(&tx)?;
            tx.commit()?;
            Ok(out)
        };
        run(&mut conn).map_err(|e| StoreError::from_sqlite(&self.path, e))
    }

    /// Adds one answered message to `day`'s counts.
    pub fn record(&self, day: Date, seen: &Observation<'_>) -> Result<(), StoreError> {
        let day = day.to_string();
        let mut shown: Vec<&str> = seen.shown.to_vec();
        shown.sort_unstable();
        shown.dedup();
        self.write(|tx| {
            if seen.answered {
                tx.execute(
                    "INSERT INTO days (day, answers, fallbacks, crises, concerns)
                     VALUES (?1, 1, ?2, ?3, ?4)
                     ON CONFLICT (day) DO UPDATE SET
                        answers = answers + 1,
                        fallbacks = fallbacks + excluded.fallbacks,
                        crises = crises + excluded.crises,
                        concerns = concerns + excluded.concerns",
                    params![day, seen.fallback, seen.crisis, seen.concern],
                )?;
            }
            for id in &shown {
                tx.execute(
                    "INSERT INTO entries (day, entry, shown) VALUES (?1, ?2, 1)
                     ON CONFLICT (day, entry) DO UPDATE SET shown = shown + 1",
                    params![day, id],
                )?;
            }
            if let Some(words) = seen.unanswered {
                tx.execute(
                    "INSERT INTO unanswered (day, words, times) VALUES (?1, ?2, 1)
                     ON CONFLICT (day, words) DO UPDATE SET times = times + 1",
                    params![day, words.as_str()],
                )?;
            }
            Ok(())
        })
    }

    /// Adds one "Helpful" (or "Not helpful") press to each of `entries` on `day`.
    pub fn record_vote(
        &self,
        day: Date,
        entries: &[&str],
        helpful: bool,
    ) -> Result<(), StoreError> {
        let day = day.to_string();
        let (yes, no) = if helpful { (1, 0) } else { (0, 1) };
        let mut entries = entries.to_vec();
        entries.sort_unstable();
        entries.dedup();
        self.write(|tx| {
            for id in &entries {
                tx.execute(
                    "INSERT INTO entries (day, entry, helpful, not_helpful) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (day, entry) DO UPDATE SET
                        helpful = helpful + excluded.helpful,
                        not_helpful = not_helpful + excluded.not_helpful",
                    params![day, id, yes, no],
                )?;
            }
            Ok(())
        })
    }

    /// Adds unanswered questions (already scrubbed) with their days and counts, in one
    /// transaction: for importing an old gaps file.
    pub fn import_unanswered(&self, rows: &[(Date, Scrubbed, u64)]) -> Result<u64, StoreError> {
        self.write(|tx| {
            let mut total = 0;
            for (day, words, times) in rows {
                tx.execute(
                    "INSERT INTO unanswered (day, words, times) VALUES (?1, ?2, ?3)
                     ON CONFLICT (day, words) DO UPDATE SET times = times + excluded.times",
                    params![day.to_string(), words.as_str(), *times as i64],
                )?;
                total += times;
            }
            Ok(total)
        })
    }

    fn read<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T, StoreError> {
        let conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        f(&conn).map_err(|e| StoreError::from_sqlite(&self.path, e))
    }

    /// The days from `from` to `to` (inclusive) that have counts, in order.
    pub fn days(&self, from: Date, to: Date) -> Result<Vec<DayCounts>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare(
                "SELECT day, answers, fallbacks, crises, concerns FROM days
                 WHERE day BETWEEN ?1 AND ?2 ORDER BY day",
            )?;
            let rows = stmt.query_map(params![from.to_string(), to.to_string()], |r| {
                let day: String = r.get(0)?;
                Ok((day, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (day, answers, fallbacks, crises, concerns): (String, i64, i64, i64, i64) =
                    row?;
                // Rows written by hand with a malformed day are skipped, not fatal.
                if let Some(day) = Date::parse_iso(&day) {
                    out.push(DayCounts {
                        day,
                        answers: answers.max(0) as u64,
                        fallbacks: fallbacks.max(0) as u64,
                        crises: crises.max(0) as u64,
                        concerns: concerns.max(0) as u64,
                    });
                }
            }
            Ok(out)
        })
    }

    /// Each entry's counts summed over `from` to `to` (inclusive), by id.
    pub fn entries(&self, from: Date, to: Date) -> Result<Vec<EntryCounts>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare(
                "SELECT entry, SUM(shown), SUM(helpful), SUM(not_helpful) FROM entries
                 WHERE day BETWEEN ?1 AND ?2 GROUP BY entry ORDER BY entry",
            )?;
            let rows = stmt.query_map(params![from.to_string(), to.to_string()], |r| {
                Ok(EntryCounts {
                    id: r.get(0)?,
                    shown: r.get::<_, i64>(1)?.max(0) as u64,
                    helpful: r.get::<_, i64>(2)?.max(0) as u64,
                    not_helpful: r.get::<_, i64>(3)?.max(0) as u64,
                })
            })?;
            rows.collect()
        })
    }

    /// The unanswered questions from `from` to `to` (inclusive) with how often each was
    /// asked, most frequent first (then alphabetically).
    pub fn unanswered(&self, from: Date, to: Date) -> Result<Vec<(String, u64)>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare(
                "SELECT words, SUM(times) AS n FROM unanswered
                 WHERE day BETWEEN ?1 AND ?2 GROUP BY words ORDER BY n DESC, words",
            )?;
            let rows = stmt.query_map(params![from.to_string(), to.to_string()], |r| {
                Ok((r.get(0)?, r.get::<_, i64>(1)?.max(0) as u64))
            })?;
            rows.collect()
        })
    }

    /// The first and last day with any count, if any.
    pub fn span(&self) -> Result<Option<(Date, Date)>, StoreError> {
        self.read(|conn| {
            conn.query_row(
                "SELECT MIN(day), MAX(day) FROM (
                    SELECT day FROM days UNION ALL SELECT day FROM entries
                    UNION ALL SELECT day FROM unanswered)",
                [],
                |r| {
                    Ok((
                        r.get::<_, Option<String>>(0)?,
                        r.get::<_, Option<String>>(1)?,
                    ))
                },
            )
            .optional()
            .map(|row| match row {
                Some((Some(a), Some(b))) => Date::parse_iso(&a).zip(Date::parse_iso(&b)),
                _ => None,
            })
        })
    }
}

/// Runs `f` again while SQLite reports the database busy without waiting itself (as when
/// another process is switching a new file to WAL), for up to [`BUSY_TIMEOUT`].
fn when_free<T>(mut f: impl FnMut() -> rusqlite::Result<T>) -> rusqlite::Result<T> {
    let start = std::time::Instant::now();
    loop {
        match f() {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy
                    && start.elapsed() < BUSY_TIMEOUT =>
            {
                std::thread::sleep(Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

/// Opens the file with `flags` (one connection per thread: no mutex) and reads its
/// application id and schema version: the first statement reads the header, so a file that is
/// not a database fails here.
fn connect(path: &Path, flags: OpenFlags) -> Result<(Connection, i32, i32), StoreError> {
    let fail = |e: rusqlite::Error| StoreError::from_sqlite(path, e);
    let conn =
        Connection::open_with_flags(path, flags | OpenFlags::SQLITE_OPEN_NO_MUTEX).map_err(fail)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(fail)?;
    let (app, version): (i32, i32) = conn
        .query_row(
            "SELECT application_id, user_version FROM pragma_application_id, pragma_user_version",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .map_err(fail)?;
    Ok((conn, app, version))
}

/// Whether the file is ours: a new file (no id, no tables) is; another application's
/// database, or a newer layout, is not.
fn check_identity(
    path: &Path,
    conn: &Connection,
    app: i32,
    version: i32,
) -> Result<(), StoreError> {
    if app == APPLICATION_ID {
        if version > SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                path: path.to_path_buf(),
                found: version,
            });
        }
        return Ok(());
    }
    let tables: i64 = conn
        .query_row("SELECT COUNT(*) FROM sqlite_schema", [], |r| r.get(0))
        .map_err(|e| StoreError::from_sqlite(path, e))?;
    if app == 0 && tables == 0 {
        Ok(())
    } else {
        Err(StoreError::Foreign {
            path: path.to_path_buf(),
        })
    }
}

/// Creates an empty file readable by its owner only (SQLite gives its `-wal` and `-shm`
/// files the same permissions).
fn create_private(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(_) => Ok(()),
        // Another process created it first: fine.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Date {
        Date::parse_iso(text).unwrap()
    }

    #[test]
    fn counts_add_up_per_day_and_entry() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("feedback.db");
        let today = day("2026-03-10");
        let (store, opened) = FeedbackStore::open(&path, 400, today).unwrap();
        assert!(opened.created);
        let words = Scrubbed::new("parole appeal").unwrap();
        store
            .record(
                today,
                &Observation {
                    answered: true,
                    shown: &["a", "b", "a"],
                    ..Observation::default()
                },
            )
            .unwrap();
        store
            .record(
                today,
                &Observation {
                    answered: true,
                    fallback: true,
                    crisis: true,
                    shown: &["b"],
                    unanswered: Some(&words),
                    ..Observation::default()
                },
            )
            .unwrap();
        store.record_vote(today, &["a", "b"], false).unwrap();
        store.record_vote(today, &["a"], true).unwrap();
        let days = store.days(today, today).unwrap();
        assert_eq!(
            days,
            [DayCounts {
                day: today,
                answers: 2,
                fallbacks: 1,
                crises: 1,
                concerns: 0
            }]
        );
        let entries = store.entries(today, today).unwrap();
        assert_eq!(
            entries,
            [
                EntryCounts {
                    id: "a".into(),
                    shown: 1,
                    helpful: 1,
                    not_helpful: 1
                },
                EntryCounts {
                    id: "b".into(),
                    shown: 2,
                    helpful: 0,
                    not_helpful: 1
                }
            ]
        );
        assert_eq!(
            store.unanswered(today, today).unwrap(),
            [("parole appeal".to_string(), 1)]
        );
        assert_eq!(store.span().unwrap(), Some((today, today)));
        // Another day is outside the range.
        assert!(
            store
                .days(day("2026-03-11"), day("2026-03-12"))
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn old_counts_go_when_the_store_is_opened() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("feedback.db");
        let (store, _) = FeedbackStore::open(&path, 400, day("2026-03-10")).unwrap();
        for d in ["2024-01-01", "2025-02-03", "2025-02-04", "2026-03-01"] {
            store
                .record(
                    day(d),
                    &Observation {
                        answered: true,
                        shown: &["a"],
                        ..Observation::default()
                    },
                )
                .unwrap();
        }
        drop(store);
        // 400 days before 2026-03-10 is 2025-02-03: that day stays, older ones go.
        let (store, opened) = FeedbackStore::open(&path, 400, day("2026-03-10")).unwrap();
        assert!(!opened.created);
        assert_eq!(opened.expired, 2, "one day row and one entry row");
        let days: Vec<String> = store
            .days(day("2000-01-01"), day("2100-01-01"))
            .unwrap()
            .iter()
            .map(|d| d.day.to_string())
            .collect();
        assert_eq!(days, ["2025-02-03", "2025-02-04", "2026-03-01"]);
    }

    #[test]
    fn expired_words_are_gone_from_the_file_itself() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("feedback.db");
        let (store, _) = FeedbackStore::open(&path, 30, day("2026-03-10")).unwrap();
        let old = Scrubbed::new("quokkaflange tenancy").unwrap();
        store
            .record(
                day("2026-01-01"),
                &Observation {
                    answered: true,
                    fallback: true,
                    unanswered: Some(&old),
                    ..Observation::default()
                },
            )
            .unwrap();
        drop(store);
        let raw = |path: &Path| {
            let mut bytes = std::fs::read(path).unwrap();
            bytes.extend(std::fs::read(path.with_extension("db-wal")).unwrap_or_default());
            String::from_utf8_lossy(&bytes).into_owned()
        };
        assert!(raw(&path).contains("quokkaflange"));
        let (store, opened) = FeedbackStore::open(&path, 30, day("2026-03-10")).unwrap();
        assert_eq!(opened.expired, 2);
        drop(store);
        assert!(
            !raw(&path).contains("quokkaflange"),
            "overwritten, not just unlinked"
        );
    }

    #[test]
    fn a_file_that_is_not_a_store_is_refused_clearly() {
        let dir = tempfile::tempdir().unwrap();
        let junk = dir.path().join("junk.db");
        std::fs::write(
            &junk,
            "this is not a database at all, just some text\n".repeat(200),
        )
        .unwrap();
        let err = FeedbackStore::open(&junk, 400, Date::today()).unwrap_err();
        assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
        assert!(err.to_string().contains("junk.db"), "{err}");
        assert!(err.to_string().contains("corrupt"), "{err}");

        let other = dir.path().join("other.db");
        Connection::open(&other)
            .unwrap()
            .execute_batch("CREATE TABLE t (x INTEGER);")
            .unwrap();
        let err = FeedbackStore::open(&other, 400, Date::today()).unwrap_err();
        assert!(matches!(err, StoreError::Foreign { .. }), "{err:?}");

        let err = FeedbackStore::open(dir.path(), 400, Date::today()).unwrap_err();
        assert!(matches!(err, StoreError::Unwritable { .. }), "{err:?}");
        assert!(err.to_string().contains("a folder"), "{err}");

        let nowhere = dir.path().join("missing/feedback.db");
        let err = FeedbackStore::open(&nowhere, 400, Date::today()).unwrap_err();
        assert!(matches!(err, StoreError::NoFolder { .. }), "{err:?}");
    }

    #[test]
    fn reading_a_missing_or_empty_store_finds_nothing_and_creates_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("feedback.db");
        assert!(FeedbackStore::open_read_only(&path).unwrap().is_none());
        assert!(!path.exists());
        std::fs::write(&path, "").unwrap();
        assert!(FeedbackStore::open_read_only(&path).unwrap().is_none());
    }
}
