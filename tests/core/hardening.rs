//! Nothing a user or an admin does can stop an answer, hang a check or a reload, or make the
//! loader read without end (issue #14). Each test reproduces one hole that was found.

use crate::check::copy_dir;
use crate::cli::{run_with_stdin, signpost};
use crate::common::{fixture, shipped_dir};
use signpost::knowledge::{self, DEFAULT_MAX_FILE_BYTES, LoadOptions, Severity};
use signpost::live::ReloadOutcome;
use signpost::{LiveKnowledge, Turn};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

/// Far longer than any of these takes when it works; a hang or a quadratic blow-up fails
/// here instead of stalling the whole suite.
const GUARD: Duration = Duration::from_secs(60);

/// Runs `work` on its own thread and fails if it has not finished within `limit`.
fn guarded<T: Send + 'static>(
    what: &str,
    limit: Duration,
    work: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(work());
    });
    match rx.recv_timeout(limit) {
        Ok(value) => value,
        Err(_) => panic!("{what} did not finish within {limit:?}: it hangs or is quadratic"),
    }
}

/// Runs a command to the end, killing it and failing if it outlives `limit`.
fn run_guarded(mut cmd: Command, limit: Duration) -> (Output, Duration) {
    let out = tempfile::tempdir().unwrap();
    let (stdout, stderr) = (out.path().join("stdout"), out.path().join("stderr"));
    let started = Instant::now();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&stdout).unwrap())
        .stderr(std::fs::File::create(&stderr).unwrap())
        .spawn()
        .unwrap();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{cmd:?} did not finish within {limit:?}: it hangs");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let elapsed = started.elapsed();
    let output = Output {
        status,
        stdout: std::fs::read(&stdout).unwrap(),
        stderr: std::fs::read(&stderr).unwrap(),
    };
    (output, elapsed)
}

#[cfg(unix)]
pub fn mkfifo(path: &Path) {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    // SAFETY: a valid, NUL-terminated path; mkfifo only creates a file.
    assert_eq!(
        unsafe { libc::mkfifo(c.as_ptr(), 0o644) },
        0,
        "mkfifo failed"
    );
}

/// A copy of the small fixture, in a folder any user may read (for the permission test).
fn small_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let k = dir.path().join("k");
    copy_dir(&fixture("small"), &k);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    (dir, k)
}

/// A valid topic with this title.
fn topic(title: &str) -> String {
    std::fs::read_to_string(fixture("small").join("topics/bail-explained.md"))
        .unwrap()
        .replace("title = \"Bail\"", &format!("title = \"{title}\""))
}

// --- 1. One bad byte stops the batch -------------------------------------------------------

fn json_lines(out: &Output) -> Vec<serde_json::Value> {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone())
        .expect("the output is UTF-8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is one JSON object"))
        .collect()
}

#[test]
fn ask_batch_answers_every_line_whatever_bytes_it_holds() {
    let mut cmd = signpost();
    cmd.args(["ask", "--json", "--knowledge"])
        .arg(shipped_dir());
    let input: &[u8] =
        b"bail\n\xff\xfe bail\n\nprison visit\r\n\x00\x1b[31m\nlast line, no newline";
    let lines = json_lines(&run_with_stdin(cmd, input));
    let queries: Vec<&str> = lines.iter().map(|l| l["query"].as_str().unwrap()).collect();
    assert_eq!(
        queries,
        [
            "bail",
            "\u{fffd}\u{fffd} bail",
            "",
            "prison visit",
            "\u{0}\u{1b}[31m",
            "last line, no newline"
        ],
        "one answer per input line, in order"
    );
    // The line with bad bytes is still answered on its words.
    assert_eq!(lines[1]["results"][0]["id"], "bail");
    assert_eq!(lines[3]["results"][0]["id"], "visiting-someone-in-prison");
}

#[test]
fn ask_batch_answers_a_line_too_long_to_read_with_an_error_and_goes_on() {
    let mut input = b"bail\n".to_vec();
    input.extend(std::iter::repeat_n(b'x', 2 << 20));
    input.extend(b"\nprison visit\n");
    let mut cmd = signpost();
    cmd.args(["ask", "--json", "--knowledge"])
        .arg(shipped_dir());
    let lines = json_lines(&run_with_stdin(cmd, &input));
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[1]["line"], 2);
    let error = lines[1]["error"].as_str().unwrap();
    assert!(error.contains("line 2 is 2097152 bytes"), "{error}");
    assert_eq!(lines[2]["query"], "prison visit");
}

#[test]
fn ask_batch_as_text_answers_every_line_too() {
    let mut cmd = signpost();
    cmd.args(["ask", "--knowledge"]).arg(shipped_dir());
    let out = run_with_stdin(cmd, b"bail\n\xff bail\n\nprison visit\n");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let asked: Vec<&str> = text.lines().filter(|l| l.starts_with('>')).collect();
    assert_eq!(
        asked,
        ["> bail", "> \u{fffd} bail", "> ", "> prison visit"],
        "{text}"
    );
}

#[test]
fn chat_goes_on_after_bytes_that_are_not_utf8() {
    let mut cmd = signpost();
    cmd.args(["chat", "--no-watch", "--knowledge"])
        .arg(shipped_dir());
    let out = run_with_stdin(cmd, b"\xff\xfe\nmy partner has gone to prison\n");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Families Outside"), "{text}");
    assert!(text.trim_end().ends_with("call 999."), "{text}");
}

// --- 2 and 4. Files that are not regular, or cannot be read ---------------------------------

/// Fills `k/topics` with one file of every kind that cannot be read, and returns
/// (file name, line, column, words its diagnostic must contain) for each.
#[cfg(unix)]
fn add_every_kind_of_bad_file(
    k: &Path,
    outside: &Path,
) -> (
    Vec<(&'static str, usize, usize, &'static str)>,
    std::os::unix::net::UnixListener,
) {
    use std::os::unix::fs::{PermissionsExt, symlink};
    let topics = k.join("topics");
    mkfifo(&topics.join("pipe.md"));
    let socket = std::os::unix::net::UnixListener::bind(topics.join("socket.md")).unwrap();
    std::fs::create_dir(topics.join("folder.md")).unwrap();
    symlink("/dev/zero", topics.join("zero.md")).unwrap();
    symlink("loop.md", topics.join("loop.md")).unwrap();
    symlink("nowhere.md", topics.join("dangling.md")).unwrap();
    std::fs::write(outside.join("elsewhere.md"), topic("Elsewhere")).unwrap();
    symlink(outside.join("elsewhere.md"), topics.join("outside.md")).unwrap();
    // Latin-1 "café" on the body's last line, the é after three characters.
    let latin1_line = topic("Latin one").lines().count() + 1;
    let mut latin1 = topic("Latin one").into_bytes();
    latin1.extend(b"Caf\xe9 at the court.\n");
    std::fs::write(topics.join("latin1.md"), latin1).unwrap();
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(topic("Wide").encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    std::fs::write(topics.join("utf16.md"), utf16).unwrap();
    let huge = std::fs::File::create(topics.join("huge.md")).unwrap();
    huge.set_len(DEFAULT_MAX_FILE_BYTES + 1).unwrap();
    std::fs::write(topics.join("denied.md"), topic("Denied")).unwrap();
    std::fs::set_permissions(
        topics.join("denied.md"),
        std::fs::Permissions::from_mode(0o000),
    )
    .unwrap();
    // Not reported: an editor's lock file (a dangling link), and a link to a good file inside.
    symlink("user@host.123", topics.join(".#bail-explained.md")).unwrap();
    std::fs::create_dir(k.join("drafts")).unwrap();
    std::fs::write(k.join("drafts/linked.md"), topic("Linked")).unwrap();
    symlink("../drafts/linked.md", topics.join("linked.md")).unwrap();
    let expected = vec![
        (
            "pipe.md",
            1,
            1,
            "is a named pipe (FIFO), not a regular file",
        ),
        ("socket.md", 1, 1, "is a socket, not a regular file"),
        ("folder.md", 1, 1, "is a folder, not a regular file"),
        ("zero.md", 1, 1, "outside the knowledge folder"),
        ("loop.md", 1, 1, "is a link that loops"),
        (
            "dangling.md",
            1,
            1,
            "is a link to `nowhere.md`, which does not exist",
        ),
        ("outside.md", 1, 1, "outside the knowledge folder"),
        (
            "latin1.md",
            latin1_line,
            4,
            "is not valid UTF-8 (byte 0xE9 here)",
        ),
        ("utf16.md", 1, 1, "is UTF-16 text"),
        (
            "huge.md",
            1,
            1,
            "is 1048577 bytes, over the limit of 1048576 bytes",
        ),
        ("denied.md", 1, 1, "permission denied"),
    ];
    (expected, socket)
}

/// `signpost check` as a user who cannot read a file with mode 000: root can read anything,
/// so when the tests run as root the check runs as `nobody`.
#[cfg(unix)]
fn check_as_unprivileged(k: &Path) -> (Output, Duration) {
    use std::os::unix::process::CommandExt;
    let mut cmd = signpost();
    cmd.arg("check").arg(k);
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        cmd.uid(65534).gid(65534);
    }
    run_guarded(cmd, GUARD)
}

#[cfg(unix)]
#[test]
fn check_lists_every_unreadable_file_with_its_reason_and_never_hangs() {
    let (_dir, k) = small_copy();
    let outside = tempfile::tempdir().unwrap();
    let (expected, _socket) = add_every_kind_of_bad_file(&k, outside.path());
    let (out, elapsed) = check_as_unprivileged(&k);
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for (file, line, column, words) in &expected {
        let at = format!(
            "{}:{line}:{column}: error: ",
            k.join("topics").join(file).display()
        );
        assert!(
            text.lines()
                .any(|l| l.starts_with(&at) && l.contains(words)),
            "missing {at}{words}\n{text}"
        );
    }
    let errors = text.lines().filter(|l| l.contains(": error: ")).count();
    assert_eq!(errors, expected.len(), "nothing else is wrong:\n{text}");
    assert!(
        text.lines()
            .last()
            .unwrap()
            .contains(&format!("{} errors, 0 warnings", expected.len())),
        "{text}"
    );
    eprintln!("check of every kind of bad file took {elapsed:?}");
}

#[cfg(unix)]
#[test]
fn ask_refuses_a_folder_with_a_named_pipe_instead_of_hanging() {
    let (_dir, k) = small_copy();
    mkfifo(&k.join("topics/pipe.md"));
    let mut cmd = signpost();
    cmd.args(["ask", "bail", "--knowledge"]).arg(&k);
    let (out, _) = run_guarded(cmd, GUARD);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("topics/pipe.md:1:1: error: is a named pipe"),
        "{err}"
    );
}

#[cfg(unix)]
#[test]
fn a_named_pipe_cannot_block_the_reload_thread() {
    let (dir, live) = crate::live::watched_copy();
    let pipe = dir.path().join("topics/pipe.md");
    mkfifo(&pipe);
    crate::live::wait_until("the pipe is reported", || {
        matches!(live.last_outcome(), Some(ReloadOutcome::Rejected { report, .. })
            if report.diagnostics.iter().any(|d| d.path == pipe && d.message.contains("named pipe")))
    });
    assert_eq!(live.generation(), 1, "the last good content stays live");
    // The watcher is still working: remove the pipe and make a good edit; it goes live.
    std::fs::remove_file(&pipe).unwrap();
    let asked = "who helps lighthouse keepers";
    crate::live::add_question(
        &dir.path().join("services/prison-families-line.md"),
        "who helps lighthouse keepers and their families",
    );
    crate::live::wait_until("the edit is live", || {
        crate::live::top(&live, asked).as_deref() == Some("prison-families-line")
    });
}

/// Collects what the core logs, for checking a bot's reload log.
#[derive(Clone, Default)]
struct Captured(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(unix)]
#[test]
fn the_reload_log_names_the_file_and_why_it_was_refused() {
    let (_dir, k) = small_copy();
    let (live, _) = LiveKnowledge::load(&k).unwrap();
    mkfifo(&k.join("topics/pipe.md"));
    let mut latin1 = topic("Latin one").into_bytes();
    latin1.extend(b"Caf\xe9\n");
    std::fs::write(k.join("topics/latin1.md"), latin1).unwrap();
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let outcome = tracing::subscriber::with_default(subscriber, || live.reload_now());
    assert!(matches!(outcome, ReloadOutcome::Rejected { .. }));
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 2, "one short line per problem:\n{log}");
    assert!(
        lines.iter().any(|l| l.contains("knowledge_rejected")
            && l.contains("topics/pipe.md:1:1: error: is a named pipe")),
        "{log}"
    );
    let latin1 = format!(
        "topics/latin1.md:{}:4: error: is not valid UTF-8",
        topic("Latin one").lines().count() + 1
    );
    assert!(lines.iter().any(|l| l.contains(&latin1)), "{log}");
    assert!(lines.iter().all(|l| l.len() < 300), "{log}");
    // Still answering from the good snapshot.
    assert!(!live.answer(&Turn::new("bail conditions")).fallback);
}

// --- 3. Size limit --------------------------------------------------------------------------

#[test]
fn a_file_over_the_size_limit_is_rejected_with_its_path_and_size() {
    let (_dir, k) = small_copy();
    let path = k.join("topics/long-read.md");
    let mut text = topic("Long read");
    text.push_str(&"All about bail. ".repeat(300));
    std::fs::write(&path, &text).unwrap();
    let options = LoadOptions {
        max_file_bytes: 4096,
    };
    let report = knowledge::check_with(&k, &options).unwrap();
    let problems: Vec<String> = report.diagnostics.iter().map(|d| d.to_string()).collect();
    assert_eq!(
        problems,
        [format!(
            "{}:1:1: error: is {} bytes, over the limit of 4096 bytes for a knowledge file: split it, or raise SIGNPOST_MAX_FILE_BYTES",
            path.display(),
            text.len()
        )]
    );
    // Under the default limit it is a good entry.
    let (kb, _) = signpost::KnowledgeBase::load_with(&k, &LoadOptions::default()).unwrap();
    assert!(kb.get("long-read").is_some());
}

#[cfg(unix)]
#[test]
fn a_link_to_dev_zero_is_never_read() {
    let (_dir, k) = small_copy();
    std::os::unix::fs::symlink("/dev/zero", k.join("topics/zero.md")).unwrap();
    // Even with no size limit to speak of, nothing is read from it.
    let options = LoadOptions {
        max_file_bytes: u64::MAX,
    };
    let report = guarded("checking a link to /dev/zero", GUARD, move || {
        knowledge::check_with(&k, &options).unwrap()
    });
    assert_eq!(report.errors(), 1);
    assert!(report.diagnostics[0].message.contains("/dev/zero"));
}

#[test]
fn the_size_limit_comes_from_the_environment() {
    let mut cmd = signpost();
    cmd.arg("check")
        .arg(fixture("small"))
        .env("SIGNPOST_MAX_FILE_BYTES", "400");
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("safety.toml:1:1: error: is ")
            && text.contains("over the limit of 400 bytes"),
        "{text}"
    );

    let out = signpost()
        .arg("check")
        .arg(fixture("small"))
        .env("SIGNPOST_MAX_FILE_BYTES", "a lot")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("SIGNPOST_MAX_FILE_BYTES=`a lot` is not valid"),
        "{err}"
    );
}

// --- 5. A long see_also ---------------------------------------------------------------------

/// Where `needle` starts in `text`, as (line, column in characters), both from 1.
fn line_column(text: &str, needle: &str) -> (usize, usize) {
    let offset = text.find(needle).unwrap();
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (
        before.matches('\n').count() + 1,
        before[line_start..].chars().count() + 1,
    )
}

#[test]
fn a_see_also_of_200000_ids_is_checked_in_linear_time() {
    const IDS: usize = 200_000;
    let (_dir, k) = small_copy();
    let ids: Vec<String> = (0..IDS).map(|i| format!("\"gone-{i}\"")).collect();
    // All on one line, after multi-byte characters: columns are counted in characters.
    let text = topic("Bail: «ça va» ✓").replace(
        "see_also = [\"legal-advice-line\"]",
        &format!("see_also = [\"légal\", {}]", ids.join(", ")),
    );
    let path = k.join("topics/many-links.md");
    std::fs::write(&path, &text).unwrap();
    let options = LoadOptions {
        max_file_bytes: 64 << 20,
    };
    let report = guarded("checking 200,000 see_also ids", GUARD, move || {
        knowledge::check_with(&k, &options).unwrap()
    });
    let missing: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.path == path && d.message.contains("which is not an entry"))
        .collect();
    assert_eq!(missing.len(), IDS + 1);
    let last = missing.last().unwrap();
    assert!(last.message.contains("`gone-199999`"), "{}", last.message);
    let (line, column) = line_column(&text, "\"gone-199999\"");
    assert_eq!((last.line, last.column), (line, column));
    assert_eq!(report.errors(), IDS + 1);
}

#[test]
fn a_menu_naming_100000_missing_ids_is_checked_in_linear_time() {
    const IDS: usize = 100_000;
    let (_dir, k) = small_copy();
    let ids: Vec<String> = (0..IDS).map(|i| format!("\"gone-{i}\"")).collect();
    let text = format!(
        "# The menu.\ngeneral = [{}]\n\n[[choice]]\nkey = \"victim\"\nlabel = \"A victim\"\naudience = \"victims\"\n",
        ids.join(", ")
    );
    std::fs::write(k.join("menu.toml"), &text).unwrap();
    let options = LoadOptions {
        max_file_bytes: 64 << 20,
    };
    let report = guarded("checking a menu of 100,000 ids", GUARD, move || {
        knowledge::check_with(&k, &options).unwrap()
    });
    assert_eq!(report.errors(), IDS);
    let last = report.diagnostics.last().unwrap();
    assert!(last.message.contains("`gone-99999`"), "{}", last.message);
    assert_eq!(
        (last.line, last.column),
        line_column(&text, "\"gone-99999\"")
    );
}

// --- 6. Old snapshots are let go ------------------------------------------------------------

#[test]
fn a_reload_lets_go_of_the_old_snapshot_once_no_answer_holds_it() {
    let (live, _) = LiveKnowledge::load(&fixture("small")).unwrap();
    // An answer in flight holds its snapshot...
    let in_flight = live.current();
    let first = Arc::downgrade(&in_flight);
    let mut earlier = Vec::new();
    for _ in 0..5 {
        earlier.push(Arc::downgrade(&live.current()));
        assert!(matches!(live.reload_now(), ReloadOutcome::Loaded { .. }));
    }
    assert_eq!(live.generation(), 6);
    assert!(first.upgrade().is_some(), "the answer in flight keeps it");
    assert!(
        in_flight
            .answer(&Turn::new("what are standard bail conditions"))
            .results
            .first()
            .is_some_and(|h| h.id == "bail-explained")
    );
    // ...and only until it is done. No other old snapshot is kept at all.
    drop(in_flight);
    assert!(first.upgrade().is_none(), "the old snapshot is dropped");
    assert!(earlier.iter().all(|w| w.upgrade().is_none()));
    assert_eq!(Arc::strong_count(&live.current()), 2);
}

#[test]
fn severity_of_unreadable_files_is_error() {
    // An unreadable file stops the folder from loading, like any other error.
    let (_dir, k) = small_copy();
    std::fs::write(
        k.join("topics/latin1.md"),
        b"+++\ntitle = \"caf\xe9\"\n+++\n",
    )
    .unwrap();
    let report = knowledge::check(&k).unwrap();
    assert_eq!(report.diagnostics.len(), 1);
    assert_eq!(report.diagnostics[0].severity, Severity::Error);
    assert!(signpost::Assistant::load(&k).is_err());
}

#[test]
fn a_folder_full_of_errors_does_not_flood_the_log() {
    let (_dir, k) = small_copy();
    let (live, _) = LiveKnowledge::load(&k).unwrap();
    for i in 0..25 {
        std::fs::write(k.join(format!("topics/bad-{i}.md")), b"\xff").unwrap();
    }
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let outcome = tracing::subscriber::with_default(subscriber, || live.reload_now());
    let ReloadOutcome::Rejected { report, .. } = outcome else {
        panic!("the folder is refused")
    };
    assert_eq!(report.errors(), 25, "the report keeps every error");
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert_eq!(log.lines().count(), 21, "{log}");
    assert!(
        log.lines().last().unwrap().contains("more_errors=5"),
        "{log}"
    );
}
