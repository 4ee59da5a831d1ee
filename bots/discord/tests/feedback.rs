//! "Was this helpful?" on Discord, through the real serenity client against the fake Discord:
//! the pair sits on a row of its own under a private answer; a press thanks the person in
//! that private message and takes the pair away, keeping the answer and its other buttons;
//! shared answers carry no pair; the counts land in the store.

mod common;

use common::*;
use serde_json::{Value, json};
use signpost::LiveKnowledge;
use signpost::feedback::FeedbackStore;
use signpost::knowledge::Date;

const QUESTION: &str = "my partner has just been sent to prison, who can help me";

fn rows(message: &Value) -> Vec<Vec<String>> {
    message["components"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|row| {
            row["components"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|b| b["custom_id"].as_str().map(str::to_string))
                .collect()
        })
        .collect()
}

/// A press of `custom_id` on a private message showing `shown` (an edit or response body).
fn press_on(id: u64, custom_id: &str, shown: &Value) -> Value {
    let mut value = press(id, custom_id, true);
    value["message"]["content"] = shown.get("content").cloned().unwrap_or(json!(""));
    value["message"]["embeds"] = shown.get("embeds").cloned().unwrap_or(json!([]));
    value["message"]["components"] = shown.get("components").cloned().unwrap_or(json!([]));
    value
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_press_thanks_privately_takes_the_pair_away_and_is_counted() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("feedback.db");
    let (live, _) = LiveKnowledge::load(&knowledge_dir()).unwrap();
    let (store, _) = FeedbackStore::open(&db, 400, Date::today()).unwrap();
    live.set_feedback(Some(store));
    let fake = FakeDiscord::start().await;
    let bot = Bot::start(&fake, live, None).await;

    fake.interact(ask(2001, QUESTION, None));
    let answer = fake.edit(2001).await;
    let rows_before = rows(&answer);
    let pair = rows_before.last().expect("rows of buttons").clone();
    assert_eq!(pair.len(), 2, "{rows_before:?}");
    assert!(
        pair[0].starts_with("f:ya:") && pair[1].starts_with("f:na:"),
        "{pair:?}"
    );
    assert!(
        rows_before[..rows_before.len() - 1]
            .iter()
            .flatten()
            .all(|id| !id.starts_with("f:")),
        "the pair has a row of its own: {rows_before:?}"
    );
    let labels = all_text(&answer["components"]);
    assert!(
        labels.contains("Helpful") && labels.contains("Not helpful"),
        "{labels}"
    );
    let shown: Vec<String> = embed_titles(&answer);

    fake.interact(press_on(2002, &pair[1], &answer));
    let thanks = fake.callback(2002).await;
    assert_eq!(thanks["type"], 7, "the private answer itself changes");
    let data = &thanks["data"];
    assert!(
        data.get("embeds").is_none(),
        "the cards stay as they were: {data}"
    );
    let content = data["content"].as_str().unwrap();
    assert!(content.contains("Thank you for telling us"), "{content}");
    if let Some(lead) = answer["content"].as_str() {
        assert!(
            content.starts_with(lead.trim()),
            "the lead stays: {content}"
        );
    }
    let rows_after = rows(data);
    assert_eq!(
        rows_after.concat(),
        rows_before[..rows_before.len() - 1].concat(),
        "the pair goes, the other buttons stay"
    );

    // An entry looked up privately can be rated on its own; a shared answer has no pair.
    fake.interact(command(
        2003,
        "service",
        json!([{"name": "name", "type": 3, "value": "samaritans"}]),
    ));
    let entry = fake.callback(2003).await;
    let entry_rows = rows(&entry["data"]);
    assert_eq!(
        entry_rows.last().unwrap(),
        &["f:ye:samaritans".to_string(), "f:ne:samaritans".to_string()]
    );
    fake.interact(ask(2004, QUESTION, Some(true)));
    let shared = fake.edit(2004).await;
    assert!(
        rows(&shared)
            .concat()
            .iter()
            .all(|id| !id.starts_with("f:")),
        "{:?}",
        rows(&shared)
    );
    // /about says what is kept.
    fake.interact(command(2005, "about", json!([])));
    let about = fake.callback(2005).await;
    assert!(all_text(&about).contains("by day only"));
    fake.assert_all_within_limits();
    bot.stop().await;

    let read = FeedbackStore::open_read_only(&db).unwrap().unwrap();
    let today = Date::today();
    assert_eq!(read.days(today, today).unwrap()[0].answers, 2);
    let counts = read.entries(today, today).unwrap();
    assert!(!shown.is_empty());
    let rated: Vec<&str> = counts
        .iter()
        .filter(|c| c.not_helpful == 1)
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(
        rated.len(),
        shown.len(),
        "each card of the answer: {counts:?}"
    );
    let samaritans = counts.iter().find(|c| c.id == "samaritans").unwrap();
    assert!(samaritans.shown >= 1, "{samaritans:?}");
}
