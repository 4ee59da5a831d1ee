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

/// The weekday morning the samples are answered at: Monday 30 March 2026, 10am BST.
pub const SAMPLE_MORNING: &str = "2026-03-30T09:00:00Z";
/// Saturday 28 March 2026, 11pm GMT.
pub const SAMPLE_SATURDAY_NIGHT: &str = "2026-03-28T23:00:00Z";
/// Sunday 29 March 2026, 00:30 GMT: the clocks go forward half an hour later.
pub const SAMPLE_CLOCKS_CHANGE: &str = "2026-03-29T00:30:00Z";

/// The sample conversation every front end's snapshot tests render (the terminal's copy is in
/// `src/cli/render.rs`): the welcome, a deep link's first steps, two questions, a crisis of
/// each category, the emergency lines, a concern (built by hand until the core gives one for
/// this message), a fallback, an entry in full, the answer to a long message, and a stage of
/// the journey; then a question on a Saturday night, a crisis the night the clocks
/// change, and a message naming Stranraer, each at a fixed time.
pub fn samples(assistant: &signpost::Assistant) -> Vec<(&'static str, signpost::Reply)> {
    use signpost::reply::ConcernNotice;
    use signpost::{FixedClock, Stage, Turn};
    use std::sync::Arc;
    // Fixed times, so that whether each line is open is pinned too: a weekday morning for
    // most, then a Saturday night and the night the clocks go forward.
    let at = |time: &str| assistant.with_clock(Arc::new(FixedClock::at(time).expect("a time")));
    let (morning, saturday_night, clocks_change) = (
        at(SAMPLE_MORNING),
        at(SAMPLE_SATURDAY_NIGHT),
        at(SAMPLE_CLOCKS_CHANGE),
    );
    let assistant = &morning;
    let ask = |text: &str| assistant.message(&Turn::new(text));
    let mut concern =
        ask("my son has been in prison a month and I can't sleep, everything feels too much");
    concern.concern = Some(ConcernNotice {
        categories: vec!["suicide-self-harm".into()],
        message: "If you are not safe right now, call 999. Samaritans 116 123, any time.".into(),
    });
    let mut long = String::from("my partner has just been sent to prison, who can help me. ");
    while long.chars().count() < 2_500 {
        long.push_str("I keep going over everything that happened this year. ");
    }
    let deep_link = assistant.start("family").pop().expect("a reply");
    vec![
        ("welcome", assistant.welcome()),
        ("deep_link", deep_link),
        (
            "question",
            ask("my partner has just been sent to prison, who can help me and the kids"),
        ),
        ("visit", ask("how do i visit ma da in hmp dumfries")),
        (
            "crisis",
            ask("I can't go on any more, I want to kill myself"),
        ),
        (
            "crisis_danger",
            ask("he's banging on the door and I'm scared he'll get in"),
        ),
        (
            "crisis_overdose",
            ask("I've swallowed a load of paracetamol"),
        ),
        (
            "crisis_domestic_abuse",
            ask("I'm scared he'll hurt me again tonight"),
        ),
        ("crisis_sexual_assault", ask("I was raped last night")),
        ("crisis_child", ask("my 14 year old daughter has run away")),
        ("crisis_lines", assistant.crisis()),
        ("concern", concern),
        ("fallback", ask("what is the best recipe for banana bread")),
        ("entry", assistant.entry("families-outside")),
        ("long_message", ask(&long)),
        ("journey", assistant.journey(Stage::Release)),
        (
            "saturday_night",
            saturday_night.message(&Turn::new(
                "my partner has just been sent to prison, who can help me and the kids",
            )),
        ),
        (
            "clocks_change",
            clocks_change.message(&Turn::new("I can't go on any more, I want to kill myself")),
        ),
        (
            "stranraer",
            ask("I'm homeless in Stranraer and have nowhere to sleep"),
        ),
    ]
}
