//! End-to-end: the real dispatcher against a fake Bot API on 127.0.0.1, answering from the
//! shipped knowledge folder.

mod common;

use common::{Call, Harness, html, knowledge_dir, test_settings};
use serde_json::json;
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
    assert!(text.contains("<b>Families Outside</b>"), "{text}");
    assert!(text.contains("0800 254 0088"), "{text}");
    // Contacts one per line, with hours.
    assert!(
        text.lines()
            .any(|l| l.contains("0800 254 0088") && l.contains("Monday to Friday, 9am to 5pm")),
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
    let sent = h.tg.wait_messages(CHAT, 1).await;
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
    let text = sent[0].text();
    assert!(text.contains("<b>Families Outside</b>"), "{text}");
    assert!(text.contains("0800 254 0088"));
    // The entry's own text (its body) is shown.
    assert!(
        text.contains("Regional Family Support Coordinators"),
        "{text}"
    );
    let buttons = sent[0].buttons();
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
    let sent = h.tg.wait_messages(CHAT, 2).await;
    assert!(sent[0].text().contains("not an emergency service"));
    assert!(sent[0].buttons().is_empty(), "the choice is already made");
    assert!(
        sent[1]
            .buttons()
            .iter()
            .any(|(_, d)| d == "e:families-outside"),
        "{:?}",
        sent[1].buttons()
    );
    h.tg.send_text(CHAT, question);
    let sent = h.tg.wait_messages(CHAT, 3).await;
    let assistant = h.knowledge.current();
    let expected = render(&message(&assistant, question, Some(Audience::Families)));
    assert_eq!(sent[2].text(), expected[0].html);
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
    // Five answers, then one note: with the emergency lines and whether each is open now,
    // the note may take more than one message, but nothing else follows.
    let answer = |m: &Call| m.text().starts_with("Here's what that means");
    assert!(sent[..5].iter().all(answer));
    assert!(
        (6..=7).contains(&sent.len()) && !sent[5..].iter().any(answer),
        "{:#?}",
        sent.iter().map(Call::text).collect::<Vec<_>>()
    );
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
    assert_eq!(
        h.tg.messages_to(CHAT).len(),
        sent.len(),
        "nothing more was sent"
    );

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
    for command in ["/crisis", "/about", "/help", "/menu", "/frobnicate"] {
        h.tg.send_text(CHAT, command);
    }
    let sent = h.tg.wait_messages(CHAT, 5).await;
    let crisis = sent[0].text();
    assert!(
        crisis.contains("999") && crisis.contains("116 123"),
        "{crisis}"
    );

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
    h.tg.send_text(CHAT, "/i want to kill myself");
    let sent = h.tg.wait_messages(CHAT, 6).await;
    assert!(sent[5].text().starts_with("🆘"), "{}", sent[5].text());
    assert!(sent[5].text().contains("116 123"));
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
    h.tg.wait_messages(CHAT, 1).await;
    let attempts: Vec<Call> =
        h.tg.calls()
            .into_iter()
            .filter(|c| c.method == "sendmessage" && c.chat() == Some(CHAT))
            .collect();
    assert_eq!(attempts.len(), 2);
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
