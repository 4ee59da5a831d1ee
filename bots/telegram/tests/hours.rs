//! Open now, and near me, through the real dispatcher and a fake Bot API: each line's status
//! at an injected time (a Saturday night, a weekday morning, the night the clocks change),
//! the 24-hour line named when nothing shown is open, and the town remembered per chat.

mod common;

use common::Harness;
use signpost::FixedClock;
use std::sync::Arc;

const CHAT: i64 = 4_200_016;
const FAMILY: &str = "my son is in prison, how can our family get support";

/// Sends `text` at `time` and returns the bot's answer (all its parts, joined).
async fn ask_at(h: &Harness, sent: &mut usize, time: &str, text: &str) -> String {
    h.knowledge
        .set_clock(Arc::new(FixedClock::at(time).expect("a time")));
    ask(h, sent, text).await
}

async fn ask(h: &Harness, sent: &mut usize, text: &str) -> String {
    h.tg.send_text(CHAT, text);
    answer(h, sent).await
}

async fn answer(h: &Harness, sent: &mut usize) -> String {
    // Wait until the answer's last part (the one with buttons) has arrived.
    let all =
        h.tg.wait_for("the whole answer", |calls| {
            let to_chat: Vec<_> = calls
                .iter()
                .filter(|c| c.method == "sendmessage" && c.chat() == Some(CHAT))
                .collect();
            let done = to_chat.iter().skip(*sent).any(|c| !c.buttons().is_empty());
            done.then(|| {
                to_chat
                    .iter()
                    .map(|c| c.text().to_string())
                    .collect::<Vec<_>>()
            })
        })
        .await;
    let new = all[*sent..].join("\n");
    *sent = all.len();
    new
}

fn line_with<'a>(text: &'a str, needle: &str) -> &'a str {
    text.lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line with {needle:?} in:\n{text}"))
}

/// The first contact line to call: the lead may give a number in a sentence, the cards give
/// theirs as "Call <b>...</b>".
fn first_phone(text: &str) -> &str {
    line_with(text, "Call <b>")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_line_says_whether_it_is_open_at_the_time_of_the_answer() {
    let h = Harness::start().await;
    let mut sent = 0;
    // The lead gives the helpline's number and says whether it is open; the card's other
    // lines say so each.
    let night = ask_at(&h, &mut sent, "2026-03-28T23:00:00Z", FAMILY).await;
    assert!(
        line_with(&night, "Freephone helpline:").contains("closed now, opens Monday at 9am"),
        "{night}"
    );
    assert!(
        line_with(&night, "<b>60777</b>").contains("🔴 Closed now: opens Monday at 9am"),
        "{night}"
    );
    let morning = ask_at(&h, &mut sent, "2026-03-30T09:00:00Z", FAMILY).await;
    assert!(
        line_with(&morning, "Freephone helpline:").contains("open now, until 5pm"),
        "{morning}"
    );
    assert!(
        line_with(&morning, "<b>60777</b>").contains("🟢 Open now, until 5pm"),
        "{morning}"
    );
    // The night the clocks go forward, before and after 1am GMT.
    for time in ["2026-03-29T00:30:00Z", "2026-03-29T01:30:00Z"] {
        let spring = ask_at(&h, &mut sent, time, FAMILY).await;
        assert!(
            line_with(&spring, "Freephone helpline:").contains("closed now, opens tomorrow at 9am"),
            "{time}: {spring}"
        );
        let crisis = ask(
            &h,
            &mut sent,
            "I can't go on any more, I want to kill myself",
        )
        .await;
        assert!(
            line_with(&crisis, "<b>0800 83 85 87</b>")
                .contains("🟢 Open now, until tomorrow at 6am"),
            "{crisis}"
        );
        assert!(
            line_with(&crisis, "116 123").contains("any time"),
            "{crisis}"
        );
    }
    // When nothing shown is open, the 24-hour line that is.
    let curfew = ask_at(
        &h,
        &mut sent,
        "2026-03-28T23:00:00Z",
        "what does home detention curfew mean",
    )
    .await;
    assert!(
        curfew.contains(
            "🟢 <b>None of these lines is open right now. Samaritans is open 24 hours: call \
             116 123.</b>"
        ),
        "{curfew}"
    );
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_town_is_remembered_per_chat_until_a_fresh_start() {
    let h = Harness::start().await;
    let mut sent = 0;
    h.knowledge.set_clock(Arc::new(
        FixedClock::at("2026-03-30T09:00:00Z").expect("a time"),
    ));
    let housing = "I have nowhere to stay tonight";
    let before = ask(&h, &mut sent, housing).await;
    assert!(first_phone(&before).contains("01387 260783"), "{before}");

    // A misspelt town, named once.
    ask(&h, &mut sent, "I live in stranrear").await;
    let after = ask(&h, &mut sent, housing).await;
    assert!(
        first_phone(&after).contains("01776 888312") && first_phone(&after).contains("🟢"),
        "{after}"
    );
    // A button pressed later keeps it.
    h.tg.press(CHAT, "e:housing-options-dg", 1001);
    let entry = answer(&h, &mut sent).await;
    assert!(first_phone(&entry).contains("01776 888312"), "{entry}");
    // Another chat knows nothing of it.
    h.tg.send_text(CHAT + 1, housing);
    let other = h.tg.wait_messages(CHAT + 1, 1).await;
    assert!(first_phone(other[0].text()).contains("01387 260783"));
    // A fresh start forgets it.
    h.tg.send_text(CHAT, "/start");
    answer(&h, &mut sent).await;
    let fresh = ask(&h, &mut sent, housing).await;
    assert!(first_phone(&fresh).contains("01387 260783"), "{fresh}");
    h.stop().await;
}
