//! End-to-end: the real dispatcher against a fake Bot API on 127.0.0.1, answering from the
//! shipped knowledge folder.

mod common;

use common::{Call, Harness, html, knowledge_dir, test_settings};
use serde_json::json;
use signpost::reply::ContactKind;
use signpost::{Audience, Turn};
use signpost_bot_support::test_kit::copy_dir;
use signpost_telegram::render::{escape, utf16_len};
use signpost_telegram::state::FloodLimit;
use signpost_telegram::{
    EXPIRED_BUTTON_NOTE, FLOOD_NOTE, LONG_NOTE, Listen, NON_TEXT_NOTE, Settings,
    UNKNOWN_COMMAND_NOTE, WebhookConfig, render,
};
use std::time::Duration;

const CHAT: i64 = 4_200_001;

fn no_rejections(h: &Harness) {
    let rejected = h.tg.rejected();
    assert!(
        rejected.is_empty(),
        "Telegram would have rejected: {:#?}",
        rejected
            .iter()
            .map(|c| (&c.method, c.text()))
            .collect::<Vec<_>>()
    );
}

fn index_of(text: &str, needle: &str) -> usize {
    text.find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not found in:\n{text}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_says_what_this_is_and_shows_the_audience_buttons() {
    let h = Harness::start().await;
    h.tg.send_text(CHAT, "/start");
    let sent = h.tg.wait_messages(CHAT, 1).await;
    let m = &sent[0];
    assert_eq!(m.raw_method, "SendMessage", "teloxide's casing");
    assert_eq!(m.body["parse_mode"], "HTML");
    assert_eq!(m.body["link_preview_options"]["is_disabled"], true);
    let text = m.text();
    assert!(text.contains("not an emergency service"), "{text}");
    assert!(text.contains("999"), "{text}");
    let buttons = m.buttons();
    let assistant = h.knowledge.current();
    assert!(!assistant.menu_choices().is_empty());
    for choice in assistant.menu_choices() {
        assert!(
            buttons.contains(&(choice.label.clone(), format!("c:{}", choice.key))),
            "{buttons:?}"
        );
    }

    let calls = h.tg.calls();
    assert!(calls.iter().any(|c| c.raw_method == "GetUpdates"));
    let commands = calls
        .iter()
        .find(|c| c.method == "setmycommands")
        .expect("the command list is registered at start");
    let names: Vec<&str> = commands.body["commands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["command"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["start", "help", "menu", "crisis", "about"]);
    // The "/" menu shows plain, short descriptions written for people, not for programmers.
    let descriptions: Vec<&str> = commands.body["commands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["description"].as_str().unwrap())
        .collect();
    assert_eq!(
        descriptions,
        [
            "Start again",
            "How to use this service",
            "Choose who you are asking for",
            "Emergency and 24-hour lines",
            "About this service and your privacy",
        ]
    );
    no_rejections(&h);
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_families_question_names_families_outside_and_its_helpline() {
    let h = Harness::start().await;
    h.tg.send_text(
        CHAT,
        "my partner has just been sent to prison, who can help me and the kids",
    );
    let sent = h.tg.wait_messages(CHAT, 1).await;
    let text = sent[0].text();
    // The first line is what to do, from the best match, and names the families' helpline;
    // its number is given once.
    let first = text.lines().next().unwrap_or_default();
    assert!(
        first.contains("Families Outside") || first.starts_with("Support for families"),
        "{text}"
    );
    assert_eq!(text.matches("0800 254 0088").count(), 1, "{text}");
    assert!(text.contains(">Families Outside</a></b>"), "{text}");
    // Its other ways in follow, one per line, with hours.
    assert!(
        text.lines()
            .any(|l| l.contains("60777") && l.contains("Monday to Friday, 9am to 5pm")),
        "{text}"
    );
    assert!(
        sent[0]
            .buttons()
            .iter()
            .any(|(_, data)| data == "e:families-outside")
    );
    // No more than three cards.
    let reply = h.knowledge.current().answer(&Turn::new(
        "my partner has just been sent to prison, who can help me and the kids",
    ));
    assert!(reply.cards.len() <= 3);
    no_rejections(&h);
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_suicide_message_puts_116_123_and_999_before_any_other_card() {
    let h = Harness::start().await;
    let words = "I can't go on any more, I want to kill myself";
    h.tg.send_text(CHAT, words);
    let sent = h.tg.wait_messages(CHAT, 1).await;
    let text = sent[0].text();
    assert!(text.starts_with("🆘 <b>"), "{text}");
    let lines = index_of(text, "116 123").max(index_of(text, "999"));
    let reply = h.knowledge.current().answer(&Turn::new(words));
    assert!(reply.safety.is_some());
    for card in &reply.cards {
        let at = index_of(text, &format!("<b>{}</b>", escape(&card.title)));
        assert!(
            lines < at,
            "{} comes before the emergency lines",
            card.title
        );
    }
    // The first button is the emergency lines.
    assert_eq!(sent[0].buttons()[0].1, "crisis");
    no_rejections(&h);
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_button_press_is_answered_and_shows_the_entry() {
    let h = Harness::start().await;
    let callback = h.tg.press(CHAT, "e:families-outside", 1001);
    h.tg.wait_messages(CHAT, 1).await;
    let calls = h.tg.calls();
    let answered = calls
        .iter()
        .position(|c| {
            c.method == "answercallbackquery" && c.body["callback_query_id"] == json!(callback)
        })
        .expect("the callback query is answered");
    let shown = calls
        .iter()
        .position(|c| c.method == "sendmessage")
        .unwrap();
    assert!(
        answered < shown,
        "the spinner stops before the entry is sent"
    );
    // The entry in full, in as many messages as it takes, the buttons under the last.
    h.wait_handled(1).await;
    let sent = h.tg.messages_to(CHAT);
    let text = &sent
        .iter()
        .map(|m| m.text())
        .collect::<Vec<_>>()
        .join("\n\n");
    assert!(sent.len() > 1, "{text}");
    for part in &sent {
        let shown = html::parse(part.text()).unwrap();
        assert!(utf16_len(&shown) <= 1000, "{shown}");
    }
    assert!(text.contains(">Families Outside</a></b>"), "{text}");
    // Every way to reach them, with hours: the "More" behind an answer's card.
    for line in [
        "Call <b>0800 254 0088</b> · Freephone helpline <i>(Monday to Friday, 9am to 5pm)</i>",
        "Text FAMOUT and your message to <b>60777</b>",
        "Webchat on the Families Outside website",
    ] {
        assert!(text.contains(line), "{line} in {text}");
    }
    // The entry's own text (its body) is shown.
    assert!(
        text.contains("Regional Family Support Coordinators"),
        "{text}"
    );
    let buttons = sent.last().unwrap().buttons();
    assert!(
        buttons
            .iter()
            .any(|(_, d)| d == "e:visiting-someone-in-prison")
    );
    assert_eq!(buttons.last().unwrap().1, "menu");
    no_rejections(&h);
    h.stop().await;
}

/// The core's answer to a message, as the bot gives it.
fn message(
    assistant: &signpost::Assistant,
    text: &str,
    audience: Option<Audience>,
) -> signpost::Reply {
    assistant.message(&Turn {
        text,
        audience,
        ..Turn::default()
    })
}

/// A question whose answer depends on the audience, so the tests can see the boost.
fn boost_sensitive_question(h: &Harness) -> &'static str {
    let assistant = h.knowledge.current();
    let candidates = [
        "who can help me",
        "I need support",
        "where can I get help",
        "someone to talk to",
        "help me please",
        "I need advice",
        "what happens next",
        "who can I talk to about what's happening",
    ];
    candidates
        .into_iter()
        .find(|q| {
            let plain = message(&assistant, q, None);
            let families = message(&assistant, q, Some(Audience::Families));
            render(&plain) != render(&families)
        })
        .expect("some question is answered differently for families")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deep_link_preselects_the_audience_which_boosts_answers() {
    let h = Harness::start().await;
    let question = boost_sensitive_question(&h);
    h.tg.send_text(CHAT, "/start family");
    let sent = h.tg.wait_messages(CHAT, 1).await;
    // One message: what this is, then straight to the family's first steps, with no question
    // about a choice the link has already made.
    let text = sent[0].text();
    assert!(text.contains("not an emergency service"), "{text}");
    assert!(!text.contains("who you are asking for"), "{text}");
    assert!(!text.contains("Thank you"), "{text}");
    assert!(
        sent[0]
            .buttons()
            .iter()
            .any(|(_, d)| d == "e:families-outside"),
        "{:?}",
        sent[0].buttons()
    );
    h.tg.send_text(CHAT, question);
    let sent = h.tg.wait_messages(CHAT, 2).await;
    assert_eq!(sent.len(), 2, "the deep link was answered in one message");
    let assistant = h.knowledge.current();
    let expected = render(&message(&assistant, question, Some(Audience::Families)));
    assert_eq!(sent[1].text(), expected[0].html);
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_menu_choice_is_remembered_and_can_be_changed() {
    let h = Harness::start().await;
    let question = boost_sensitive_question(&h);
    let assistant = h.knowledge.current();
    let expect = |audience| {
        render(&message(&assistant, question, audience))[0]
            .html
            .clone()
    };

    h.tg.press(CHAT, "c:family", 1001);
    h.tg.wait_messages(CHAT, 1).await;
    h.tg.send_text(CHAT, question);
    let sent = h.tg.wait_messages(CHAT, 2).await;
    assert_eq!(sent[1].text(), expect(Some(Audience::Families)));

    h.tg.press(CHAT, "c:victim", 1002);
    h.tg.wait_messages(CHAT, 3).await;
    h.tg.send_text(CHAT, question);
    let sent = h.tg.wait_messages(CHAT, 4).await;
    assert_eq!(sent[3].text(), expect(Some(Audience::Victims)));

    // A fresh /start forgets the choice.
    h.tg.send_text(CHAT, "/start");
    h.tg.wait_messages(CHAT, 5).await;
    h.tg.send_text(CHAT, question);
    let sent = h.tg.wait_messages(CHAT, 6).await;
    assert_eq!(sent[5].text(), expect(None));
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn html_in_the_users_text_is_escaped_and_never_breaks_parse_mode() {
    let h = Harness::start().await;
    let nasty = [
        "<b>my dad</b> & the jail",
        "</i><a href=\"javascript:x\">prison</a> &amp; &#0; <script>",
        "visiting <<prison>> && \"kids\" <tg-spoiler>",
    ];
    for text in nasty {
        h.tg.send_text(CHAT, text);
    }
    let sent = h.tg.wait_messages(CHAT, nasty.len()).await;
    for m in &sent {
        assert_eq!(m.body["parse_mode"], "HTML");
        assert!(html::parse(m.text()).is_ok());
        for text in nasty {
            assert!(!m.text().contains(text));
        }
        assert!(!m.text().contains("<script>") && !m.text().contains("javascript:"));
    }
    no_rejections(&h);
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_reply_is_split_under_4096_with_the_buttons_on_the_last_part() {
    // The shipped folder, with one entry's text made very long.
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&knowledge_dir(), dir.path());
    let file = dir.path().join("services/families-outside.md");
    let mut entry = std::fs::read_to_string(&file).unwrap();
    for i in 0..14 {
        entry.push_str(&format!(
            "\n\n**Paragraph marker P{i:02}.** {}",
            "Families & friends <matter> and support is there for you. ".repeat(8)
        ));
    }
    // And one paragraph longer than a whole message.
    entry.push_str(&format!(
        "\n\n**Long paragraph LP.** {} End of LP.",
        "A very long paragraph with **bold words** & ampersands that goes on. ".repeat(70)
    ));
    std::fs::write(&file, entry).unwrap();

    let h = Harness::start_with(test_settings(), dir.path().to_path_buf()).await;
    let expected = render(&h.knowledge.current().entry("families-outside"));
    assert!(expected.len() >= 3, "the entry needs several messages");
    h.tg.press(CHAT, "e:families-outside", 1001);
    let sent = h.tg.wait_messages(CHAT, expected.len()).await;
    assert_eq!(sent.len(), expected.len());
    let mut seen = String::new();
    for (i, m) in sent.iter().enumerate() {
        let text = m.text();
        assert!(
            utf16_len(text) < 4096,
            "part {i} is {} long",
            utf16_len(text)
        );
        seen.push_str(&html::parse(text).expect("each part is valid HTML on its own"));
        seen.push('\n');
        let last = i + 1 == sent.len();
        assert_eq!(
            m.body.get("reply_markup").is_some(),
            last,
            "buttons on the last part only"
        );
    }
    // Nothing lost, in order.
    let mut at = 0;
    for i in 0..14 {
        at += index_of(&seen[at..], &format!("Paragraph marker P{i:02}."));
    }
    assert!(index_of(&seen, "Long paragraph LP.") < index_of(&seen, "End of LP."));
    no_rejections(&h);
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stickers_photos_and_voice_get_the_text_only_reply_with_the_menu() {
    let h = Harness::start().await;
    h.tg.send_sticker(CHAT);
    h.tg.send_voice(CHAT);
    h.tg.send_photo(CHAT, None);
    let sent = h.tg.wait_messages(CHAT, 3).await;
    let assistant = h.knowledge.current();
    for m in &sent {
        assert!(m.text().contains("I can only read text"), "{}", m.text());
        assert!(m.text().starts_with(&escape(&NON_TEXT_NOTE[..40])));
        assert_eq!(m.buttons().len(), assistant.menu_choices().len());
    }
    // A photo with words is answered from the words.
    h.tg.send_photo(
        CHAT,
        Some("my partner has just been sent to prison, who can help"),
    );
    let sent = h.tg.wait_messages(CHAT, 4).await;
    assert!(
        sent[3].text().contains("Families Outside"),
        "{}",
        sent[3].text()
    );
    no_rejections(&h);
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_flood_limit_answers_once_then_stays_silent() {
    let settings = Settings {
        flood: FloodLimit {
            max: 5,
            window: Duration::from_secs(600),
        },
        ..test_settings()
    };
    let h = Harness::start_with(settings, knowledge_dir()).await;
    for _ in 0..9 {
        h.tg.send_text(CHAT, "my son has been arrested");
    }
    h.wait_handled(9).await;
    let sent = h.tg.messages_to(CHAT);
    let mut lines = h.knowledge.current().crisis();
    lines.suggestions.clear();
    let note_parts = signpost_telegram::render::render_with_note(FLOOD_NOTE, &lines).len();
    assert_eq!(sent.len(), 5 + note_parts, "five answers and one note");
    let note = sent[5].text();
    assert!(note.starts_with(&escape(FLOOD_NOTE)), "{note}");
    assert!(note.contains("999"), "the note carries the emergency lines");
    assert!(
        sent[..5]
            .iter()
            .all(|m| !m.text().contains(&escape(FLOOD_NOTE)))
    );
    assert_eq!(h.stats().flood_notes(), 1);
    assert_eq!(h.stats().silenced(), 3);

    // Button presses count too, and are still answered (the spinner stops), silently.
    let callback = h.tg.press(CHAT, "e:families-outside", 1001);
    h.tg.wait_for("the callback answer", |calls| {
        calls
            .iter()
            .find(|c| c.body["callback_query_id"] == json!(callback))
            .cloned()
    })
    .await;
    h.wait_handled(10).await;
    assert_eq!(h.tg.messages_to(CHAT).len(), 5 + note_parts);

    // Another chat is not affected.
    h.tg.send_text(CHAT + 1, "my son has been arrested");
    h.tg.wait_messages(CHAT + 1, 1).await;
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn text_over_2000_characters_is_answered_from_its_first_part_with_a_note() {
    let h = Harness::start().await;
    let mut long =
        String::from("my partner has just been sent to prison, who can help me and the kids. ");
    while long.chars().count() < 3000 {
        long.push_str("I keep thinking about everything that has happened this year. ");
    }
    h.tg.send_text(CHAT, &long);
    let sent = h.tg.wait_messages(CHAT, 1).await;
    let text = sent[0].text();
    assert!(text.starts_with(&escape(LONG_NOTE)), "{text}");
    assert!(text.contains("Families Outside"), "{text}");

    // A cry for help at the very end of a long message is still seen, and comes first.
    let mut long = String::new();
    while long.chars().count() < 3000 {
        long.push_str("I keep thinking about everything that has happened this year. ");
    }
    long.push_str("I want to kill myself");
    h.tg.send_text(CHAT, &long);
    let sent = h.tg.wait_messages(CHAT, 2).await;
    let text = sent[1].text();
    assert!(text.starts_with("🆘"), "{text}");
    assert!(index_of(text, "116 123") < index_of(text, &escape(LONG_NOTE)));
    no_rejections(&h);
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_crisis_about_help_menu_and_unknown() {
    let h = Harness::start().await;
    // Each command's reply, all its parts joined (the emergency lines take two messages).
    let mut replies: Vec<Call> = Vec::new();
    for (i, command) in ["/crisis", "/about", "/help", "/menu", "/frobnicate"]
        .into_iter()
        .enumerate()
    {
        let before = h.tg.messages_to(CHAT).len();
        h.tg.send_text(CHAT, command);
        h.wait_handled(i as u64 + 1).await;
        let parts = h.tg.messages_to(CHAT).split_off(before);
        assert!(!parts.is_empty(), "{command} is answered");
        let mut reply = parts.last().unwrap().clone();
        reply.body["text"] = json!(
            parts
                .iter()
                .map(|p| p.text())
                .collect::<Vec<_>>()
                .join("\n\n")
        );
        replies.push(reply);
    }
    let sent = replies;
    let crisis = sent[0].text();
    assert!(
        crisis.contains("999") && crisis.contains("116 123"),
        "{crisis}"
    );
    // Each line once, as words: no icon stands in for "call".
    assert_eq!(crisis.matches("116 123").count(), 1, "{crisis}");
    assert!(!crisis.contains('📞'), "{crisis}");

    let about = sent[1].text();
    let assistant = h.knowledge.current();
    let kb = assistant.knowledge();
    assert!(about.contains("not stored"), "{about}");
    assert!(about.contains("Community Justice Partnership"), "{about}");
    assert!(
        about.contains(&format!("{} entries", kb.entries.len())),
        "{about}"
    );
    let reviewed = kb.last_reviewed().unwrap();
    assert!(about.contains(&reviewed.year.to_string()), "{about}");
    assert!(about.contains("999"));

    assert!(
        sent[2].text().contains("in your own words"),
        "{}",
        sent[2].text()
    );
    assert_eq!(sent[3].buttons().len(), assistant.menu_choices().len());
    assert!(sent[4].text().starts_with(&escape(UNKNOWN_COMMAND_NOTE)));

    // A cry for help typed after a slash still gets the safety lines first.
    let before = h.tg.messages_to(CHAT).len();
    h.tg.send_text(CHAT, "/i want to kill myself");
    let sent = h.tg.wait_messages(CHAT, before + 1).await;
    assert!(
        sent[before].text().starts_with("🆘"),
        "{}",
        sent[before].text()
    );
    assert!(sent[before].text().contains("116 123"));
    no_rejections(&h);
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_out_of_date_button_is_answered_with_the_menu() {
    let h = Harness::start().await;
    h.tg.press(CHAT, "x:no-such-thing", 1001);
    let sent = h.tg.wait_messages(CHAT, 1).await;
    assert!(sent[0].text().starts_with(&escape(EXPIRED_BUTTON_NOTE)));
    assert!(
        h.tg.calls()
            .iter()
            .any(|c| c.method == "answercallbackquery")
    );
    // An entry that no longer exists is explained, not an error.
    h.tg.press(CHAT, "e:removed-entry", 1002);
    let sent = h.tg.wait_messages(CHAT, 2).await;
    assert!(
        sent[1].text().contains("can't find that"),
        "{}",
        sent[1].text()
    );
    h.stop().await;
}

fn retry_after(seconds: u32) -> serde_json::Value {
    json!({
        "ok": false, "error_code": 429,
        "description": format!("Too Many Requests: retry after {seconds}"),
        "parameters": { "retry_after": seconds }
    })
}

async fn waits_out_429(settings: Settings) {
    let h = Harness::start_with(settings, knowledge_dir()).await;
    h.tg.fail("sendMessage", Some(CHAT), 1, 429, retry_after(1));
    h.tg.send_text(CHAT, "/crisis");
    h.wait_handled(1).await;
    let attempts: Vec<Call> =
        h.tg.calls()
            .into_iter()
            .filter(|c| c.method == "sendmessage" && c.chat() == Some(CHAT))
            .collect();
    // The first part is refused once, then sent; the other parts follow.
    let parts = render(&h.knowledge.current().crisis()).len();
    assert_eq!(attempts.len(), 1 + parts);
    assert_eq!(attempts[0].status, 429);
    assert_eq!(attempts[1].status, 200);
    assert!(attempts[1].at - attempts[0].at >= Duration::from_millis(900));
    assert_eq!(attempts[0].body["text"], attempts[1].body["text"]);
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_is_waited_out_without_the_throttle() {
    waits_out_429(test_settings()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_is_waited_out_by_the_throttle() {
    waits_out_429(Settings {
        throttle: true,
        ..test_settings()
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_send_is_logged_and_the_bot_carries_on() {
    let h = Harness::start().await;
    let blocked = json!({"ok": false, "error_code": 403,
                         "description": "Forbidden: bot was blocked by the user"});
    h.tg.fail("sendmessage", Some(CHAT), 100, 403, blocked);
    h.tg.send_text(CHAT, "my son has been arrested");
    h.tg.send_text(CHAT + 7, "my son has been arrested");
    h.tg.wait_messages(CHAT + 7, 1).await;
    h.wait_handled(2).await;
    assert!(h.stats().send_failures() >= 1);
    // And the blocked chat is answered again once it works.
    h.tg.send_text(CHAT + 7, "/crisis");
    h.tg.wait_messages(CHAT + 7, 2).await;
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn html_rejected_by_telegram_is_resent_as_plain_text() {
    let h = Harness::start().await;
    let cant_parse = json!({"ok": false, "error_code": 400,
        "description": "Bad Request: can't parse entities: Unsupported start tag \"x\" at byte offset 0"});
    h.tg.fail("sendmessage", Some(CHAT), 1, 400, cant_parse);
    h.tg.send_text(CHAT, "/crisis");
    let sent = h.tg.wait_messages(CHAT, 1).await;
    assert!(sent[0].body.get("parse_mode").is_none());
    assert!(sent[0].text().contains("999") && !sent[0].text().contains("<b>"));
    h.stop().await;
}

/// A minimal HTTP/1.1 request over TCP: the status and body.
async fn http(addr: std::net::SocketAddr, request: String) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    tokio::time::timeout(common::WAIT, stream.read_to_string(&mut response))
        .await
        .unwrap()
        .unwrap();
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response
        .split("\r\n\r\n")
        .nth(1)
        .unwrap_or_default()
        .to_string();
    (status, body)
}

fn post(path: &str, secret: Option<&str>, body: &str) -> String {
    let secret = secret
        .map(|s| format!("X-Telegram-Bot-Api-Secret-Token: {s}\r\n"))
        .unwrap_or_default();
    format!(
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n{secret}\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_mode_checks_the_secret_and_answers() {
    let secret = "test_secret-123";
    let settings = Settings {
        listen: Listen::Webhook(WebhookConfig {
            url: "https://bot.example.org/telegram/hook".parse().unwrap(),
            listen: "127.0.0.1:0".parse().unwrap(),
            secret: secret.into(),
        }),
        ..test_settings()
    };
    let h = Harness::start_with(settings, knowledge_dir()).await;
    let set =
        h.tg.calls()
            .into_iter()
            .find(|c| c.method == "setwebhook")
            .expect("the webhook is registered");
    assert_eq!(set.body["url"], "https://bot.example.org/telegram/hook");
    assert_eq!(set.body["secret_token"], secret);
    let allowed = set.body["allowed_updates"].to_string();
    assert!(
        allowed.contains("message") && allowed.contains("callback_query"),
        "{allowed}"
    );

    let addr = h.running.as_ref().unwrap().webhook_addr().unwrap();
    let update = json!({
        "update_id": 77,
        "message": common::text_message(CHAT, "my partner has just been sent to prison, who can help me and the kids"),
    })
    .to_string();

    let (status, _) = http(addr, post("/telegram/hook", Some("wrong"), &update)).await;
    assert_eq!(status, 401);
    let (status, _) = http(addr, post("/telegram/hook", None, &update)).await;
    assert_eq!(status, 401);
    let (status, _) = http(addr, post("/telegram/hook", Some(secret), "{not json")).await;
    assert_eq!(status, 400);
    let (status, body) = http(
        addr,
        "GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".into(),
    )
    .await;
    assert_eq!((status, body.as_str()), (200, "ok"));

    let (status, _) = http(addr, post("/telegram/hook", Some(secret), &update)).await;
    assert_eq!(status, 200);
    let sent = h.tg.wait_messages(CHAT, 1).await;
    assert!(sent[0].text().contains("Families Outside"));
    assert_eq!(
        h.tg.messages_to(CHAT).len(),
        1,
        "rejected posts were not answered"
    );
    assert!(!h.tg.calls().iter().any(|c| c.method == "getupdates"));

    let tg = h.stop().await;
    // Other replicas keep serving: stopping one does not delete the webhook.
    assert!(!tg.calls().iter().any(|c| c.method == "deletewebhook"));
}

// ---- Replies that read well on a phone ----

/// What a person sees of a message: the text without tags, entities decoded.
fn seen(call: &Call) -> String {
    html::parse(call.text()).unwrap_or_else(|e| panic!("{e}: {}", call.text()))
}

/// Every run of digits, a single space allowed between groups, as digits only: a number as a
/// person reads it, however it is spaced.
fn numbers_in(text: &str) -> Vec<String> {
    let mut runs = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if c.is_ascii_digit() {
            current.push(*c);
        } else if *c == ' '
            && !current.is_empty()
            && chars.get(i + 1).is_some_and(char::is_ascii_digit)
        {
        } else if !current.is_empty() {
            runs.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs
}

fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

/// Every phone and text number in the knowledge, as digits.
fn phone_numbers(assistant: &signpost::Assistant) -> std::collections::HashSet<String> {
    assistant
        .knowledge()
        .entries
        .iter()
        .flat_map(|e| &e.contacts)
        .filter(|c| matches!(c.kind, ContactKind::Phone | ContactKind::Text))
        .map(|c| digits(&c.value))
        .collect()
}

/// The openers a lead must never be: they say nothing a person can act on.
const GENERIC_OPENERS: &[&str] = &[
    "These are the places most likely to help",
    "Here's what that means, and who can help",
    "You might also find these useful",
    "Here are some results",
];

/// Sends each message from its own chat and returns every part of what each chat got back.
async fn ask_each(h: &Harness, first_chat: i64, questions: &[String]) -> Vec<Vec<Call>> {
    let before = h.stats().updates_handled();
    for (i, q) in questions.iter().enumerate() {
        h.tg.send_text(first_chat + i as i64, q);
    }
    h.wait_handled(before + questions.len() as u64).await;
    (0..questions.len())
        .map(|i| h.tg.messages_to(first_chat + i as i64))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_dev_question_gets_a_short_reply_with_each_number_once_and_the_action_first() {
    let h = Harness::start().await;
    let cases = signpost::eval::read_cases(&knowledge_dir().join("../../shared/eval/dev.toml"))
        .expect("the shared folder sits beside the checkout");
    let questions: Vec<String> = cases.iter().map(|c| c.q.clone()).collect();
    let replies = ask_each(&h, 7_100_000, &questions).await;
    let assistant = h.knowledge.current();
    let numbers = phone_numbers(&assistant);
    let mut problems = Vec::new();
    for (q, sent) in questions.iter().zip(&replies) {
        assert!(!sent.is_empty(), "{q}: no reply");
        let texts: Vec<String> = sent.iter().map(seen).collect();
        for text in &texts {
            let length = utf16_len(text);
            if length > 1000 {
                problems.push(format!("{q}: a message of {length} visible characters"));
            }
        }
        let all = texts.join("\n");
        let mut counted = std::collections::HashMap::new();
        for n in numbers_in(&all).into_iter().filter(|n| numbers.contains(n)) {
            *counted.entry(n).or_insert(0) += 1;
        }
        for (n, times) in counted.into_iter().filter(|(_, t)| *t > 1) {
            problems.push(format!("{q}: the number {n} is shown {times} times"));
        }
        let reply = assistant.message(&Turn::new(q));
        let lead = texts[0].split("\n\n").next().unwrap_or_default().trim();
        if GENERIC_OPENERS.iter().any(|g| lead.starts_with(g)) {
            problems.push(format!("{q}: the lead is a generic opener: {lead:?}"));
        }
        // An answer leads with the best match's own first thing to do, then at most a line
        // saying whether a line it gives is open.
        if reply.safety.is_none() && !reply.fallback {
            // (The harness's clock is a weekday morning, when no open line is moved above
            // the best match.)
            let best = &reply.results[0].id;
            let summary = &assistant.knowledge().get(best).unwrap().summary;
            let status = lead.strip_prefix(summary.trim()).map(str::trim);
            if !status.is_some_and(|s| {
                s.is_empty() || s.contains(": open now") || s.contains(": closed now")
            }) {
                problems.push(format!(
                    "{q}: the lead is {lead:?}, not what {best} says to do"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    no_rejections(&h);
    h.stop().await;
}

/// The 24-hour line a category is about: the first phone or text line of the first entry it
/// shows (999 itself when that entry is the police).
fn first_line(assistant: &signpost::Assistant, category: &str) -> String {
    let rules = &assistant.knowledge().safety;
    let category = rules.categories.iter().find(|c| c.id == category).unwrap();
    let entry = assistant.knowledge().get(&category.show[0]).unwrap();
    entry
        .contacts
        .iter()
        .find(|c| matches!(c.kind, ContactKind::Phone | ContactKind::Text))
        .map(|c| c.value.clone())
        .expect("a line to call or text")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_crisis_example_puts_999_and_the_24_hour_line_first_and_stays_on_the_crisis() {
    let h = Harness::start().await;
    let assistant = h.knowledge.current();
    // The examples of the rules the bot loaded (the loaded rules keep no examples, so they are
    // read from the same file).
    let text = std::fs::read_to_string(h.knowledge.dir().join("safety.toml")).unwrap();
    let rules: toml::Table = text.parse().unwrap();
    let examples: Vec<(String, String)> = rules["category"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| {
            let id = c["id"].as_str().unwrap().to_string();
            c["examples"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |e| (id.clone(), e.as_str().unwrap().to_string()))
        })
        .collect();
    assert!(examples.len() > 30);
    let questions: Vec<String> = examples.iter().map(|(_, e)| e.clone()).collect();
    let replies = ask_each(&h, 7_200_000, &questions).await;
    let addresses: Vec<String> = assistant
        .knowledge()
        .entries
        .iter()
        .flat_map(|e| &e.contacts)
        .filter(|c| c.kind == ContactKind::Address)
        .map(|c| c.value.clone())
        .collect();
    let mut problems = Vec::new();
    for ((category, example), sent) in examples.iter().zip(&replies) {
        let all = sent.iter().map(seen).collect::<Vec<_>>().join("\n\n");
        let head: String = {
            let mut used = 0;
            all.chars()
                .take_while(|c| {
                    used += c.len_utf16();
                    used <= 400
                })
                .collect()
        };
        let mut wanted = vec!["999".to_string(), first_line(&assistant, category)];
        if category == "suicide-self-harm" {
            wanted.push("85258".into());
        }
        for line in &wanted {
            if !numbers_in(&head).contains(&digits(line)) {
                problems.push(format!(
                    "{example:?} ({category}): {line} is not in the first 400 characters:\n{head}"
                ));
            }
        }
        for address in &addresses {
            if all.contains(address.as_str()) {
                problems.push(format!("{example:?}: shows the postal address {address:?}"));
            }
        }
        if category == "suicide-self-harm" {
            let reply = assistant.message(&Turn::new(example));
            let show = &reply.safety.as_ref().unwrap().categories;
            assert!(show.contains(category));
            if !reply.cards.is_empty() {
                problems.push(format!(
                    "{example:?}: shows search cards {:?}",
                    reply.cards.iter().map(|c| &c.id).collect::<Vec<_>>()
                ));
            }
            let lines: Vec<&String> = assistant
                .knowledge()
                .safety
                .categories
                .iter()
                .flat_map(|c| &c.show)
                .collect();
            for entry in &assistant.knowledge().entries {
                if !lines.contains(&&entry.id) && all.contains(&entry.title) {
                    problems.push(format!("{example:?}: shows {}", entry.title));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    no_rejections(&h);
    h.stop().await;
}
