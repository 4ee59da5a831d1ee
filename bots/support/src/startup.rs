//! Start-up, the same for both bots: configuration errors (exit status 2), logging, the async
//! runtime, the knowledge folder (loaded, watched, its load report logged) and the feedback
//! store handed to the core.

use crate::Secret;
use signpost::LiveKnowledge;
use signpost::feedback::{DEFAULT_KEEP_DAYS, FeedbackStore, MAX_KEEP_DAYS};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Environment variable with the knowledge folder.
pub const KNOWLEDGE_VAR: &str = "SIGNPOST_KNOWLEDGE";
/// Environment variable naming the feedback store (off when unset).
pub const FEEDBACK_DB_VAR: &str = "SIGNPOST_FEEDBACK_DB";
/// Environment variable with the number of days counts are kept.
pub const FEEDBACK_KEEP_DAYS_VAR: &str = "SIGNPOST_FEEDBACK_KEEP_DAYS";
/// The old unanswered-questions text file, replaced by the feedback store: no longer read.
pub const OLD_GAPS_VAR: &str = "SIGNPOST_GAPS_FILE";

/// The environment lines both bots add to `--help`.
pub const COMMON_ENVIRONMENT: &str = "  \
  SIGNPOST_KNOWLEDGE        the knowledge folder (default: knowledge)
  SIGNPOST_FEEDBACK_DB      optional feedback store (one SQLite file): \"Helpful\" / \"Not
                            helpful\" buttons, counts per day and per entry, unanswered
                            questions (scrubbed); never a message, a person or a time
  SIGNPOST_FEEDBACK_KEEP_DAYS  days counts are kept (default: 400)
  RUST_LOG                  log level of the bot's own events (default: info); other
                            libraries log warnings and errors only; message text never";

/// The flags both bots take for their knowledge folder.
#[derive(Debug, Clone, clap::Args)]
pub struct KnowledgeArgs {
    /// The knowledge folder to answer from.
    #[arg(long, value_name = "DIR", env = KNOWLEDGE_VAR, default_value = "knowledge")]
    pub knowledge: PathBuf,

    /// Load the knowledge folder once instead of reloading it when its files change.
    #[arg(long)]
    pub no_watch: bool,
}

/// A configuration mistake, explained for the person starting the bot: the binary prints it
/// and exits with status 2. It never quotes a secret's value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

impl ConfigError {
    /// A mistake, in words.
    pub fn new(message: impl Into<String>) -> ConfigError {
        ConfigError(message.into())
    }
}

/// An environment variable, trimmed, `None` when unset or blank. `env` looks a name up
/// (`std::env::var` in the binaries, a map in tests).
pub fn var(env: &impl Fn(&str) -> Option<String>, name: &str) -> Option<String> {
    env(name)
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// A secret from the environment, `None` when unset or blank.
pub fn secret(env: &impl Fn(&str) -> Option<String>, name: &str) -> Option<Secret> {
    var(env, name).map(Secret::new)
}

/// Where the feedback store is and how long it keeps counts, from the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackConfig {
    /// The store (`SIGNPOST_FEEDBACK_DB`); `None`: no feedback, no counts, no buttons.
    pub db: Option<PathBuf>,
    /// Counts older than this many days are deleted at start
    /// (`SIGNPOST_FEEDBACK_KEEP_DAYS`, default 400).
    pub keep_days: u32,
    /// `SIGNPOST_GAPS_FILE`, if still set: no longer read, and said so at start.
    pub old_gaps_file: Option<PathBuf>,
}

impl Default for FeedbackConfig {
    fn default() -> Self {
        FeedbackConfig {
            db: None,
            keep_days: DEFAULT_KEEP_DAYS,
            old_gaps_file: None,
        }
    }
}

impl FeedbackConfig {
    /// Reads `SIGNPOST_FEEDBACK_DB`, `SIGNPOST_FEEDBACK_KEEP_DAYS` and the old
    /// `SIGNPOST_GAPS_FILE`.
    pub fn from_env(env: &impl Fn(&str) -> Option<String>) -> Result<FeedbackConfig, ConfigError> {
        let keep_days = match var(env, FEEDBACK_KEEP_DAYS_VAR) {
            None => DEFAULT_KEEP_DAYS,
            Some(v) => v
                .parse::<u32>()
                .ok()
                .filter(|d| (1..=MAX_KEEP_DAYS).contains(d))
                .ok_or_else(|| {
                    ConfigError::new(format!(
                        "{FEEDBACK_KEEP_DAYS_VAR} must be a number of days from 1 to \
                         {MAX_KEEP_DAYS}, got `{v}`"
                    ))
                })?,
        };
        Ok(FeedbackConfig {
            db: var(env, FEEDBACK_DB_VAR).map(PathBuf::from),
            keep_days,
            old_gaps_file: var(env, OLD_GAPS_VAR).map(PathBuf::from),
        })
    }
}

/// Loads the knowledge folder (watching it unless `watch` is false), opens the feedback store
/// if one is configured and hands it over, and logs the load report. The error lists every
/// problem of the folder as `path:line:column`. A store that cannot be opened is not an
/// error: it is logged once, clearly, and the bot answers without feedback.
pub fn load_knowledge(
    dir: &Path,
    watch: bool,
    feedback: &FeedbackConfig,
) -> anyhow::Result<LiveKnowledge> {
    let loaded = if watch {
        LiveKnowledge::watch(dir, signpost::live::DEFAULT_DEBOUNCE)
    } else {
        LiveKnowledge::load(dir)
    };
    let (live, report) = loaded
        .map_err(|e| anyhow::anyhow!("cannot load the knowledge folder {}: {e}", dir.display()))?;
    tracing::info!(
        event = "knowledge_loaded",
        entries = report.entries,
        services = report.services,
        topics = report.topics,
        warnings = report.warnings(),
        watching = watch,
    );
    open_feedback(&live, feedback);
    Ok(live)
}

/// Opens the feedback store and hands it to the core; on failure says why, once, and carries
/// on without it.
pub fn open_feedback(live: &LiveKnowledge, feedback: &FeedbackConfig) {
    if let Some(old) = &feedback.old_gaps_file {
        tracing::warn!(
            event = "gaps_file_ignored",
            path = %old.display(),
            "{OLD_GAPS_VAR} is no longer read: unanswered questions are kept in the feedback \
             store ({FEEDBACK_DB_VAR}). Import the old file with `signpost gaps --import {} --db \
             <store>` and unset {OLD_GAPS_VAR}",
            old.display()
        );
    }
    let Some(path) = &feedback.db else {
        live.set_feedback(None);
        tracing::info!(event = "feedback_off");
        return;
    };
    match FeedbackStore::open_today(path, feedback.keep_days) {
        Ok((store, opened)) => {
            live.set_feedback(Some(store));
            tracing::info!(
                event = "feedback_store_opened",
                path = %path.display(),
                created = opened.created,
                expired_rows = opened.expired,
                keep_days = feedback.keep_days,
            );
        }
        Err(error) => {
            live.set_feedback(None);
            tracing::error!(
                event = "feedback_store_unavailable",
                %error,
                "answering without feedback until the store is fixed and the bot restarted"
            );
        }
    }
}

/// The whole of a bot's `main`: a configuration error is printed and exits with status 2;
/// otherwise logging starts (with `secrets` blanked from every line), a multi-threaded
/// runtime runs `serve`, and a failure is printed with its causes and exits with status 1.
pub fn main<C, F>(
    name: &str,
    config: Result<C, ConfigError>,
    secrets: impl FnOnce(&C) -> Vec<Secret>,
    serve: impl FnOnce(C) -> F,
) -> ExitCode
where
    F: Future<Output = anyhow::Result<()>>,
{
    let config = match config {
        Ok(config) => config,
        Err(e) => {
            eprintln!("{name}: {e}");
            return ExitCode::from(2);
        }
    };
    if let Err(e) = crate::logging::init(&secrets(&config)) {
        eprintln!("{name}: {e}");
        return ExitCode::FAILURE;
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("{name}: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{name}: {e:#}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_variables_are_unset() {
        let env = |name: &str| match name {
            "A" => Some("  value ".to_string()),
            "B" => Some("   ".to_string()),
            _ => None,
        };
        assert_eq!(var(&env, "A").as_deref(), Some("value"));
        assert_eq!(var(&env, "B"), None);
        assert_eq!(var(&env, "C"), None);
        assert_eq!(secret(&env, "A").unwrap().expose(), "value");
    }

    #[test]
    fn feedback_is_off_unless_a_store_is_named() {
        let none = |_: &str| None;
        assert_eq!(
            FeedbackConfig::from_env(&none).unwrap(),
            FeedbackConfig::default()
        );
        let env = |name: &str| match name {
            "SIGNPOST_FEEDBACK_DB" => Some("/var/lib/signpost/feedback.db".to_string()),
            "SIGNPOST_FEEDBACK_KEEP_DAYS" => Some("90".to_string()),
            "SIGNPOST_GAPS_FILE" => Some("/var/gaps.txt".to_string()),
            _ => None,
        };
        let c = FeedbackConfig::from_env(&env).unwrap();
        assert_eq!(c.db, Some(PathBuf::from("/var/lib/signpost/feedback.db")));
        assert_eq!(c.keep_days, 90);
        assert_eq!(c.old_gaps_file, Some(PathBuf::from("/var/gaps.txt")));
        for bad in ["0", "-3", "forever", "99999"] {
            let env = |name: &str| (name == "SIGNPOST_FEEDBACK_KEEP_DAYS").then(|| bad.to_string());
            let err = FeedbackConfig::from_env(&env).unwrap_err();
            assert!(err.0.contains("SIGNPOST_FEEDBACK_KEEP_DAYS"), "{err}");
        }
    }
}
