//! Start-up, the same for both bots: configuration errors (exit status 2), logging, the async
//! runtime, the knowledge folder (loaded, watched, its load report logged) and the
//! unanswered-questions file handed to the core.

use crate::Secret;
use signpost::LiveKnowledge;
use signpost::gaps::GapsLog;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Environment variable with the knowledge folder.
pub const KNOWLEDGE_VAR: &str = "SIGNPOST_KNOWLEDGE";
/// Environment variable naming the private list of unanswered questions (off when unset).
pub const GAPS_VAR: &str = "SIGNPOST_GAPS_FILE";

/// The environment lines both bots add to `--help`.
pub const COMMON_ENVIRONMENT: &str = "  \
  SIGNPOST_KNOWLEDGE        the knowledge folder (default: knowledge)
  SIGNPOST_GAPS_FILE        optional private list of unanswered questions (scrubbed)
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

/// The unanswered-questions file, from `SIGNPOST_GAPS_FILE`.
pub fn gaps_file(env: &impl Fn(&str) -> Option<String>) -> Option<PathBuf> {
    var(env, GAPS_VAR).map(PathBuf::from)
}

/// Loads the knowledge folder (watching it unless `watch` is false), hands it the gaps file,
/// and logs the load report. The error lists every problem as `path:line:column`.
pub fn load_knowledge(
    dir: &Path,
    watch: bool,
    gaps: Option<&Path>,
) -> anyhow::Result<LiveKnowledge> {
    let loaded = if watch {
        LiveKnowledge::watch(dir, signpost::live::DEFAULT_DEBOUNCE)
    } else {
        LiveKnowledge::load(dir)
    };
    let (live, report) = loaded
        .map_err(|e| anyhow::anyhow!("cannot load the knowledge folder {}: {e}", dir.display()))?;
    live.set_gaps(gaps.map(GapsLog::new));
    tracing::info!(
        event = "knowledge_loaded",
        entries = report.entries,
        services = report.services,
        topics = report.topics,
        warnings = report.warnings(),
        watching = watch,
        gaps_file = gaps.is_some(),
    );
    Ok(live)
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
}
