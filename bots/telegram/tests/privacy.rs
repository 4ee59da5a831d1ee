//! A whole conversation, with every log line captured at TRACE level (the bot's own events
//! and, through the bridge, teloxide's and reqwest's): none of the person's words, their
//! name, their chat id or the token may appear.

mod common;

use common::{FIRST_NAME, Harness, TOKEN, USERNAME};
use signpost_bot_support::test_kit::{assert_none_logged, capture_logs};

/// A chat id that would stand out in any log.
const CHAT: i64 = 770_011_223_344;

/// What the person writes: each has words found nowhere in the knowledge or the code.
const WORDS: &[&str] = &[
    "my partner Fenwick has just been sent to prison, who can help me and the kids",
    "<b>my dad Thaddeus</b> & the jail in Kirkbeanwhistle",
    "I can't go on, I want to kill myself, Ysolde knows",
    "how do I visit Barnabyquartz in HMP Dumfries",
    "/start family",
    "/frobnicatewidget",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_conversation_leaves_no_words_names_ids_or_token_in_the_logs() {
    // The bots' own policy, at TRACE, with no secret registered for blanking: the token must
    // stay out of the logs by itself.
    let capture = capture_logs("trace", &[]);

    let h = Harness::start().await;
    // Every update is waited for until handled in full (a reply may take several messages).
    let mut updates = 0;
    for words in WORDS {
        h.tg.send_text(CHAT, words);
        updates += 1;
        h.wait_handled(updates).await;
    }
    // A long message, with a secret word past the part that is searched.
    let mut long = "my brother Oswaldine got lifted ".to_string();
    while long.chars().count() < 2500 {
        long.push_str("and everything is going wrong with Peregrinewood ");
    }
    h.tg.send_text(CHAT, &long);
    updates += 1;
    h.wait_handled(updates).await;
    // Buttons, a sticker, a photo with a caption.
    h.tg.press(CHAT, "e:families-outside", 1001);
    h.tg.press(CHAT, "c:victim", 1002);
    h.tg.press(CHAT, "x:Zanzibarquill", 1003);
    h.tg.send_sticker(CHAT);
    h.tg.send_photo(CHAT, Some("a picture of Marigoldhaven prison letter"));
    updates += 5;
    h.wait_handled(updates).await;
    let before = h.tg.messages_to(CHAT).len();
    // An update teloxide cannot parse: teloxide logs it whole, the bridge withholds it.
    h.tg.push(
        "message",
        serde_json::json!({ "message_id": 5, "text": "Wolfhartgeist is worried", "from": common::user(CHAT) }),
    );
    // A failed send and a rejected-HTML retry are logged too.
    h.tg.fail(
        "sendmessage",
        Some(CHAT),
        1,
        400,
        serde_json::json!({"ok": false, "error_code": 400,
            "description": "Bad Request: can't parse entities: Quentavius at byte offset 3"}),
    );
    h.tg.send_text(CHAT, "what is bail Lysandrel");
    h.tg.wait_messages(CHAT, before + 1).await;
    h.stop().await;

    let logs = capture.text();
    // The capture works, and carries what operators need.
    assert!(logs.contains("answered"), "{logs}");
    assert!(logs.contains("families-outside"), "result ids are logged");
    assert!(logs.contains("TRACE"), "captured at TRACE level");
    assert!(
        logs.contains("an update could not be read (details withheld"),
        "the unparsable update was withheld: {logs}"
    );

    let mut forbidden: Vec<String> = vec![
        TOKEN.into(),
        format!("bot{TOKEN}"),
        "TEST/".into(),
        FIRST_NAME.into(),
        USERNAME.into(),
        CHAT.to_string(),
    ];
    for word in [
        "Fenwick",
        "Thaddeus",
        "Kirkbeanwhistle",
        "Ysolde",
        "Barnabyquartz",
        "frobnicatewidget",
        "Oswaldine",
        "Peregrinewood",
        "Zanzibarquill",
        "Marigoldhaven",
        "Quentavius",
        "Lysandrel",
        "Wolfhartgeist",
        "kill myself",
        "my dad",
        "the kids",
    ] {
        forbidden.push(word.into());
        forbidden.push(word.to_lowercase());
    }
    for words in WORDS {
        forbidden.push(words.to_string());
    }
    let forbidden: Vec<&str> = forbidden.iter().map(String::as_str).collect();
    assert_none_logged(&logs, &forbidden);
}
