//! The HTML report in a real browser: headless Chromium (the system package) loads the page
//! `signpost report --html` wrote, from a file and with the network off, prints the DOM it
//! built and takes a screenshot (kept in `target/report-test/` for a person to look at).
//!
//! Skipped, with a message saying so, when Chromium is not installed, except under CI
//! (`CI` set), where a missing browser fails the test: `.ci/run` installs it.

use crate::common::shipped_dir;
use signpost::feedback::{FeedbackStore, Observation};
use signpost::knowledge::Date;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long Chromium may take to load the page (a busy 2-core machine starts it slowly).
const BROWSER_WAIT: Duration = Duration::from_secs(120);

fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("SIGNPOST_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|p| p.is_file())
}

/// Runs Chromium headless on `page` with `extra` flags; returns its standard output.
fn headless(browser: &Path, profile: &Path, page: &Path, extra: &[String]) -> String {
    let url = format!("file://{}", page.display());
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(&url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("Chromium starts");
    let started = Instant::now();
    loop {
        if child.try_wait().expect("Chromium runs").is_some() {
            break;
        }
        if started.elapsed() > BROWSER_WAIT {
            let _ = child.kill();
            panic!("Chromium did not finish within {BROWSER_WAIT:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = child.wait_with_output().expect("Chromium's output");
    assert!(
        out.status.success(),
        "Chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_html_report_renders_in_a_real_browser() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "Chromium is missing under CI: install the `chromium` package"
        );
        eprintln!(
            "SKIPPED the_html_report_renders_in_a_real_browser: Chromium is not installed \
             (apt-get install chromium, or set SIGNPOST_CHROMIUM to the browser)"
        );
        return;
    };
    let out = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("the target folder")
        .join("report-test");
    std::fs::create_dir_all(&out).unwrap();
    let work = tempfile::tempdir().unwrap();

    // Counts on three days of the last week.
    let db = work.path().join("feedback.db");
    let today = Date::today();
    let (store, _) = FeedbackStore::open(&db, 400, today).unwrap();
    for (back, answers, fallbacks) in [(5, 6, 1), (2, 3, 3), (0, 4, 0)] {
        for i in 0..answers {
            store
                .record(
                    today.plus_days(-back),
                    &Observation {
                        answered: true,
                        fallback: i < fallbacks,
                        shown: &["families-outside", "samaritans"],
                        ..Observation::default()
                    },
                )
                .unwrap();
        }
    }
    for helpful in [false, false, false, true] {
        store.record_vote(today, &["samaritans"], helpful).unwrap();
    }
    store
        .record_vote(today, &["families-outside"], true)
        .unwrap();
    drop(store);

    let page = out.join("report.html");
    let report = Command::new(env!("CARGO_BIN_EXE_signpost"))
        .env_remove("SIGNPOST_FEEDBACK_DB")
        .args(["report", "--knowledge"])
        .arg(shipped_dir())
        .arg("--db")
        .arg(&db)
        .args(["--from", &today.plus_days(-13).to_string()])
        .arg("--html")
        .arg(&page)
        .output()
        .unwrap();
    assert!(
        report.status.success(),
        "{}",
        String::from_utf8_lossy(&report.stderr)
    );
    let html = std::fs::read_to_string(&page).unwrap();
    // Self-contained: nothing to fetch, nothing to run.
    for banned in ["<script", "<link", " src=", " href=", "@import", "url("] {
        assert!(!html.contains(banned), "the page has {banned}");
    }

    let profile = work.path().join("profile");
    let dom = headless(&browser, &profile, &page, &["--dump-dom".to_string()]);
    let compact: String = dom.split_whitespace().collect::<Vec<_>>().join(" ");
    // The figures a person reads, as the browser built them.
    for (id, value) in [
        ("answers", "13"),
        ("fallbacks", "4"),
        ("fallback-share", "31%"),
    ] {
        assert!(
            compact.contains(&format!("<dd id=\"{id}\">{value}</dd>")),
            "{id} = {value} in:\n{dom}"
        );
    }
    let row = compact
        .split("<tr data-entry=\"samaritans\">")
        .nth(1)
        .expect("Samaritans is ranked")
        .split("</tr>")
        .next()
        .unwrap();
    assert!(row.contains("<td class=\"n not-helpful\">3</td>"), "{row}");
    assert!(row.contains("<td class=\"n helpful\">1</td>"), "{row}");
    assert!(row.contains("75%"), "{row}");
    let samaritans = compact.find("data-entry=\"samaritans\"").unwrap();
    let families = compact.find("data-entry=\"families-outside\"").unwrap();
    assert!(
        samaritans < families,
        "the most \"Not helpful\" comes first"
    );
    // One bar per day with answers in the first chart; a share bar per such day in the second.
    let answers_chart = compact
        .split("id=\"answers-chart\"")
        .nth(1)
        .unwrap()
        .split("</svg>")
        .next()
        .unwrap();
    assert_eq!(answers_chart.matches("<rect").count(), 14, "one per day");
    assert_eq!(
        answers_chart.matches("data-value=\"0\"").count(),
        11,
        "days without answers are empty"
    );
    let share_chart = compact
        .split("id=\"fallback-chart\"")
        .nth(1)
        .unwrap()
        .split("</svg>")
        .next()
        .unwrap();
    assert_eq!(share_chart.matches("<rect").count(), 3, "{share_chart}");
    assert!(share_chart.contains("data-value=\"1\""), "{share_chart}");

    let shot = out.join("report.png");
    let _ = std::fs::remove_file(&shot);
    headless(
        &browser,
        &profile,
        &page,
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1200,1600".to_string(),
        ],
    );
    let png = std::fs::read(&shot).expect("a screenshot was taken");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    // A blank page compresses to a few kilobytes; the report's text and charts do not.
    assert!(
        png.len() > 30_000,
        "the screenshot looks empty ({} bytes)",
        png.len()
    );
    eprintln!("screenshot: {}", shot.display());
}
