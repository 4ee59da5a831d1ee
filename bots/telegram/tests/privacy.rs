//! A whole conversation, with every log line captured at TRACE level (the bot's own events
//! and, through the bridge, teloxide's and reqwest's): none of the person's words, their
//! name, their chat id or the token may appear.

mod common;

use common::{FIRST_NAME, Harness, TOKEN, USERNAME};
use std::io::Write;
use std::sync::{Arc, Mutex};
use tracing_subscriber::fmt::MakeWriter;

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Capture {
    type Writer = Capture;
    fn make_writer(&'a self) -> Capture {
        self.clone()
    }
}

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
    let capture = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(capture.clone())
        .with_ansi(false)
        .finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();
    signpost_telegram::privacy::install_log_bridge();

    let h = Harness::start().await;
    let mut expected = 0;
    for words in WORDS {
        h.tg.send_text(CHAT, words);
        expected += if *words == "/start family" { 2 } else { 1 };
        h.tg.wait_messages(CHAT, expected).await;
    }
    // A long message, with a secret word past the part that is searched.
    let mut long = "my brother Oswaldine got lifted ".to_string();
    while long.chars().count() < 2500 {
        long.push_str("and everything is going wrong with Peregrinewood ");
    }
    h.tg.send_text(CHAT, &long);
    expected += 1;
    h.tg.wait_messages(CHAT, expected).await;
    // Buttons, a sticker, a photo with a caption.
    h.tg.press(CHAT, "e:families-outside", 1001);
    h.tg.press(CHAT, "c:victim", 1002);
    h.tg.press(CHAT, "x:Zanzibarquill", 1003);
    h.tg.send_sticker(CHAT);
    h.tg.send_photo(CHAT, Some("a picture of Marigoldhaven prison letter"));
    expected += 5;
    h.tg.wait_messages(CHAT, expected).await;
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
    expected += 1;
    h.tg.wait_messages(CHAT, expected).await;
    h.stop().await;

    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    // The capture works, and carries what operators need.
    assert!(logs.contains("answered"), "{logs}");
    assert!(logs.contains("families-outside"), "result ids are logged");
    assert!(logs.contains("TRACE"), "captured at TRACE level");
    assert!(
        logs.contains("details withheld"),
        "the unparsable update was withheld"
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
    for bad in &forbidden {
        assert!(!logs.contains(bad.as_str()), "the logs contain {bad:?}");
    }
}
