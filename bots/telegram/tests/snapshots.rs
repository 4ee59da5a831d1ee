//! What people see on Telegram, pinned by snapshots of the HTML and buttons of each message
//! (`cargo insta review` after a deliberate change): the shared sample conversation
//! (`test_kit::samples`: the welcome, a deep link, questions, a crisis of each category and
//! the emergency lines, a concern, a fallback, an entry in full, a long message, a stage of the
//! journey) and `/about`.

mod common;

use signpost_bot_support::test_kit::samples;
use signpost_telegram::render::render_about;
use signpost_telegram::{ABOUT_TELEGRAM, OutgoingMessage, render};

/// The messages as a person would read them in order: each part's HTML, then its buttons.
fn shown(messages: &[OutgoingMessage]) -> String {
    let mut out = String::new();
    for (i, message) in messages.iter().enumerate() {
        if messages.len() > 1 {
            out.push_str(&format!(
                "----- part {} of {} -----\n",
                i + 1,
                messages.len()
            ));
        }
        out.push_str(&message.html);
        out.push('\n');
        for row in message.keyboard.iter().flat_map(|k| &k.inline_keyboard) {
            for button in row {
                let data = match &button.kind {
                    teloxide::types::InlineKeyboardButtonKind::CallbackData(d) => d.as_str(),
                    _ => "?",
                };
                out.push_str(&format!("[ {} ] -> {data}\n", button.text));
            }
        }
    }
    out
}

#[test]
fn what_people_see() {
    let (live, _) = signpost::LiveKnowledge::load(&common::knowledge_dir()).unwrap();
    let assistant = live.current();
    for (name, reply) in samples(&assistant) {
        insta::assert_snapshot!(name, shown(&render(&reply)));
    }
    let about = assistant.about(Some(std::time::Duration::from_secs(24 * 3600)));
    let about = shown(&render_about(&about, ABOUT_TELEGRAM));
    // The newest review date moves with the content; the rest is pinned.
    let about = regex_free_date(&about);
    insta::assert_snapshot!("about", about);
}

/// Replaces "last reviewed on 22 November 2026" by a placeholder.
fn regex_free_date(text: &str) -> String {
    match text.find("last reviewed on ") {
        Some(at) => {
            let start = at + "last reviewed on ".len();
            let end = text[start..].find('.').map_or(text.len(), |e| start + e);
            format!("{}[date]{}", &text[..start], &text[end..])
        }
        None => text.to_string(),
    }
}
