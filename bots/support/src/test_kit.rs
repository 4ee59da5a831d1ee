//! What both bots' tests need (the `test-kit` feature): copying a knowledge folder, capturing
//! logs through the real policy, asserting that nothing a person wrote (nor a secret) reached
//! them, and running a bot binary until SIGTERM with its output captured.

use crate::Secret;
use crate::logging::{self, MemoryLog};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

/// The shipped knowledge folder, from a bot crate's tests.
pub fn shipped_knowledge() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../knowledge")
}

/// A binary of this workspace (`signpost`, `signpost-telegram`, `signpost-discord`) built
/// with the profile the calling test was built with, for tests that run one package's
/// binary from another package's tests (Cargo only hands a test the binaries of its own
/// package). Runs `cargo build` for it first, which does nothing when it is up to date (as
/// after `cargo test --workspace`).
pub fn workspace_binary(package: &str, name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test's own path");
    // target/<profile>/deps/<test>
    let profile = exe
        .parent()
        .and_then(Path::parent)
        .expect("the test runs from target/<profile>/deps");
    let target = profile.parent().expect("the target folder");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut build = std::process::Command::new(cargo);
    build
        .args(["build", "--quiet", "--package", package, "--bin", name])
        .arg("--target-dir")
        .arg(target)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."));
    if profile.file_name().is_some_and(|p| p == "release") {
        build.arg("--release");
    }
    let status = build.status().expect("cargo runs");
    assert!(status.success(), "cargo could not build {name}");
    let path = profile.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(path.is_file(), "{} was not built", path.display());
    path
}

/// Copies a folder recursively (for tests that edit a copy of the knowledge).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create the copy");
    for entry in std::fs::read_dir(from).expect("read the folder") {
        let entry = entry.expect("read an entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("a file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy a file");
        }
    }
}

/// Installs the bots' logging policy for this test process, at `directives` (for example
/// `trace`), writing to memory, with `secrets` blanked: the same layer and `log` bridge as
/// the binaries. Call once per test binary.
pub fn capture_logs(directives: &str, secrets: &[Secret]) -> MemoryLog {
    for secret in secrets {
        logging::register_secret(secret);
    }
    let memory = MemoryLog::default();
    logging::install(logging::layer(directives, false, memory.clone()))
        .expect("logging starts once per test binary");
    memory
}

/// Panics, naming each one, if `logs` hold any of `forbidden` (compared without case).
pub fn assert_none_logged(logs: &str, forbidden: &[&str]) {
    let lower = logs.to_lowercase();
    let found: Vec<&&str> = forbidden
        .iter()
        .filter(|f| !f.is_empty() && lower.contains(&f.to_lowercase()))
        .collect();
    assert!(found.is_empty(), "the logs contain {found:?}:\n{logs}");
}

/// A bot binary running in the background with its output captured.
pub struct BotProcess {
    child: tokio::process::Child,
}

/// What a stopped bot printed.
#[derive(Debug)]
pub struct BotOutput {
    /// The exit status.
    pub status: std::process::ExitStatus,
    /// Standard output.
    pub stdout: String,
    /// Standard error (the logs).
    pub stderr: String,
}

impl BotOutput {
    /// Both streams, for privacy checks.
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

impl BotProcess {
    /// Starts `command` with its output piped (killed if dropped).
    pub fn spawn(mut command: tokio::process::Command) -> BotProcess {
        let child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("the bot binary starts");
        BotProcess { child }
    }

    /// Sends SIGTERM and waits (at most `wait`) for the bot to stop; returns its output.
    #[cfg(unix)]
    pub async fn terminate(self, wait: Duration) -> BotOutput {
        let pid = self.child.id().expect("still running").to_string();
        // The shell's own `kill`, so the tests need no extra tool.
        let status = std::process::Command::new("sh")
            .args(["-c", &format!("kill -TERM {pid}")])
            .status()
            .expect("kill runs");
        assert!(status.success(), "SIGTERM was sent");
        let out = tokio::time::timeout(wait, self.child.wait_with_output())
            .await
            .expect("the bot stops after SIGTERM")
            .expect("its output is read");
        BotOutput {
            status: out.status,
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// The sample conversation every front end's snapshot tests render: the core's
/// [`signpost::samples::conversation`], answered at fixed times.
pub use signpost::samples::conversation as samples;
