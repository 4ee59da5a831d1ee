//! "Was this helpful?" on Telegram, through the real dispatcher against the fake Bot API: the
//! pair sits side by side on the last row under an answer with cards; a press edits that
//! message to end with the thanks and takes the pair off it (its other buttons stay); a second
//! tap is not counted; an entry opened in full has its own pair; crisis replies and the
//! fallback have none; and the counts land in the store.

mod common;

use common::{Call, Harness};
use serde_json::json;
use signpost::feedback::FeedbackStore;
use signpost::knowledge::Date;
use std::path::{Path, PathBuf};

const CHAT: i64 = 4_300_001;
const QUESTION: &str = "my partner has just been sent to prison, who can help me";

async fn harness_with_store(dir: &Path) -> (Harness, PathBuf) {
    let h = Harness::start().await;
    let db = dir.join("feedback.db");
    let (store, _) = FeedbackStore::open(&db, 400, Date::today()).unwrap();
    h.knowledge.set_feedback(Some(store));
    (h, db)
}

fn pair(call: &Call) -> Vec<String> {
    call.rows()
        .last()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|d| d.starts_with("f:"))
        .collect()
}

async fn edits(h: &Harness, n: usize) -> Vec<Call> {
    h.tg.wait_for(&format!("{n} edit(s)"), |calls| {
        let edits: Vec<Call> = calls
            .iter()
            .filter(|c| c.method == "editmessagetext" && c.status == 200)
            .cloned()
            .collect();
        (edits.len() >= n).then_some(edits)
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_press_edits_the_answer_to_say_thanks_and_takes_the_pair_off() {
    let dir = tempfile::tempdir().unwrap();
    let (h, db) = harness_with_store(dir.path()).await;
    h.tg.send_text(CHAT, QUESTION);
    let answer = h.tg.wait_messages(CHAT, 1).await.pop().unwrap();
    let rows = answer.rows();
    let last = rows.last().unwrap();
    assert_eq!(last.len(), 2, "side by side: {rows:?}");
    assert!(
        last[0].starts_with("f:ya:") && last[1].starts_with("f:na:"),
        "{rows:?}"
    );
    let labels: Vec<String> = answer.buttons().into_iter().map(|(l, _)| l).collect();
    assert!(labels.contains(&"👍 Helpful".to_string()), "{labels:?}");
    assert!(labels.contains(&"👎 Not helpful".to_string()), "{labels:?}");

    h.tg.press_message(&answer, &last[1]);
    let edit = edits(&h, 1).await.remove(0);
    assert_eq!(edit.body["message_id"], json!(answer.message_id().unwrap()));
    assert_eq!(edit.body["parse_mode"], "HTML");
    let text = edit.text();
    assert!(
        text.ends_with(
            "<i>Thank you for telling us: we use this to improve signpost. If you \
             still need help, try asking in other words or pick who you are asking for. In \
             danger, call 999.</i>"
        ),
        "{text}"
    );
    // The answer is still there above the thanks.
    let before = common::html::parse(answer.text()).unwrap();
    let first_line = before.lines().next().unwrap();
    assert!(
        text.contains(&signpost_telegram::render::escape(first_line)),
        "{text}"
    );
    // The pair is gone; the other buttons stay, in order.
    assert_eq!(edit.rows(), rows[..rows.len() - 1].to_vec());

    // A second tap on the same message (before the client saw the edit) is not counted.
    h.tg.press_message(&answer, &last[1]);
    h.tg.press_message(&answer, &last[0]);
    h.wait_handled(4).await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(edits(&h, 1).await.len(), 1, "edited once");
    assert!(h.tg.rejected().is_empty(), "{:?}", h.tg.rejected());
    h.stop().await;

    let read = FeedbackStore::open_read_only(&db).unwrap().unwrap();
    let today = Date::today();
    let counts = read.entries(today, today).unwrap();
    assert!(!counts.is_empty());
    for c in &counts {
        assert_eq!((c.helpful, c.not_helpful), (0, 1), "{c:?}");
        assert_eq!(c.shown, 1, "{c:?}");
    }
    assert_eq!(read.days(today, today).unwrap()[0].answers, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entries_have_their_own_pair_and_crises_and_fallbacks_none() {
    let dir = tempfile::tempdir().unwrap();
    let (h, _db) = harness_with_store(dir.path()).await;
    h.tg.send_text(CHAT, "I want to kill myself");
    h.tg.send_text(CHAT + 1, "what is the best recipe for banana bread");
    let crisis = h.tg.wait_messages(CHAT, 1).await;
    let fallback = h.tg.wait_messages(CHAT + 1, 1).await;
    for call in crisis.iter().chain(&fallback) {
        assert!(pair(call).is_empty(), "{:?}", call.rows());
    }
    h.tg.press(CHAT + 2, "e:families-outside", 1);
    // A long entry comes in more than one message: the buttons are under the last.
    let entry =
        h.tg.wait_for("the entry's buttons", |calls| {
            calls
                .iter()
                .find(|c| {
                    c.method == "sendmessage"
                        && c.body["chat_id"] == json!(CHAT + 2)
                        && !c.rows().is_empty()
                })
                .cloned()
        })
        .await;
    assert_eq!(
        pair(&entry),
        ["f:ye:families-outside", "f:ne:families-outside"]
    );
    // /about says what is kept.
    h.tg.send_text(CHAT + 3, "/about");
    h.tg.wait_for("/about saying what the store keeps", |calls| {
        calls
            .iter()
            .find(|c| {
                c.method == "sendmessage"
                    && c.body["chat_id"] == json!(CHAT + 3)
                    && c.text().contains("by day only")
            })
            .cloned()
    })
    .await;
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_the_answer_cannot_be_edited_the_thanks_comes_on_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let (h, db) = harness_with_store(dir.path()).await;
    h.tg.send_text(CHAT, QUESTION);
    let answer = h.tg.wait_messages(CHAT, 1).await.pop().unwrap();
    let yes = pair(&answer)[0].clone();
    h.tg.fail(
        "editmessagetext",
        Some(CHAT),
        1,
        400,
        json!({"ok": false, "error_code": 400,
               "description": "Bad Request: message can't be edited"}),
    );
    h.tg.press_message(&answer, &yes);
    let thanks = h.tg.wait_messages(CHAT, 2).await.pop().unwrap();
    assert!(
        thanks.text().contains("Thank you for letting us know"),
        "{}",
        thanks.text()
    );
    let markup =
        h.tg.wait_for("the pair taken off", |calls| {
            calls
                .iter()
                .find(|c| c.method == "editmessagereplymarkup")
                .cloned()
        })
        .await;
    assert!(
        markup.rows().concat().iter().all(|d| !d.starts_with("f:")),
        "{:?}",
        markup.rows()
    );
    h.stop().await;
    let read = FeedbackStore::open_read_only(&db).unwrap().unwrap();
    let today = Date::today();
    assert!(
        read.entries(today, today)
            .unwrap()
            .iter()
            .all(|c| c.helpful == 1)
    );
}
