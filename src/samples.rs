//! A sample conversation for the front ends' snapshot tests, so that the terminal, Telegram
//! and Discord show the same replies and a change to one reply shows up in all three. Not
//! for answering: nothing in the core calls it.

use crate::reply::{ConcernNotice, Reply};
use crate::{Assistant, FixedClock, Stage, Turn};
use std::sync::Arc;

/// The weekday morning the samples are answered at: Monday 30 March 2026, 10am BST.
pub const SAMPLE_MORNING: &str = "2026-03-30T09:00:00Z";
/// Saturday 28 March 2026, 11pm GMT.
pub const SAMPLE_SATURDAY_NIGHT: &str = "2026-03-28T23:00:00Z";
/// Sunday 29 March 2026, 00:30 GMT: the clocks go forward half an hour later.
pub const SAMPLE_CLOCKS_CHANGE: &str = "2026-03-29T00:30:00Z";

/// The sample conversation every front end's snapshot tests render (the terminal, Telegram,
/// Discord): the welcome, a deep link's first steps, two questions, a crisis of
/// each category, the emergency lines, a concern (built by hand until the core gives one for
/// this message), a fallback, an entry in full, the answer to a long message, and a stage of
/// the journey; then a question on a Saturday night, a crisis the night the clocks
/// change, and a message naming Stranraer, each at a fixed time.
pub fn conversation(assistant: &Assistant) -> Vec<(&'static str, Reply)> {
    // Fixed times, so that whether each line is open is pinned too: a weekday morning for
    // most, then a Saturday night and the night the clocks go forward.
    let at = |time: &str| assistant.with_clock(Arc::new(FixedClock::at(time).expect("a time")));
    let (morning, saturday_night, clocks_change) = (
        at(SAMPLE_MORNING),
        at(SAMPLE_SATURDAY_NIGHT),
        at(SAMPLE_CLOCKS_CHANGE),
    );
    let assistant = &morning;
    let ask = |text: &str| assistant.message(&Turn::new(text));
    let mut concern =
        ask("my son has been in prison a month and I can't sleep, everything feels too much");
    concern.concern = Some(ConcernNotice {
        categories: vec!["suicide-self-harm".into()],
        message: "If you are not safe right now, call 999. Samaritans 116 123, any time.".into(),
    });
    let mut long = String::from("my partner has just been sent to prison, who can help me. ");
    while long.chars().count() < 2_500 {
        long.push_str("I keep going over everything that happened this year. ");
    }
    let deep_link = assistant.start("family").pop().expect("a reply");
    vec![
        ("welcome", assistant.welcome()),
        ("deep_link", deep_link),
        (
            "question",
            ask("my partner has just been sent to prison, who can help me and the kids"),
        ),
        ("visit", ask("how do i visit ma da in hmp dumfries")),
        (
            "crisis",
            ask("I can't go on any more, I want to kill myself"),
        ),
        (
            "crisis_danger",
            ask("he's banging on the door and I'm scared he'll get in"),
        ),
        (
            "crisis_overdose",
            ask("I've swallowed a load of paracetamol"),
        ),
        (
            "crisis_domestic_abuse",
            ask("I'm scared he'll hurt me again tonight"),
        ),
        ("crisis_sexual_assault", ask("I was raped last night")),
        ("crisis_child", ask("my 14 year old daughter has run away")),
        ("crisis_lines", assistant.crisis()),
        ("concern", concern),
        ("fallback", ask("what is the best recipe for banana bread")),
        ("entry", assistant.entry("families-outside")),
        ("long_message", ask(&long)),
        ("journey", assistant.journey(Stage::Release)),
        (
            "saturday_night",
            saturday_night.message(&Turn::new(
                "my partner has just been sent to prison, who can help me and the kids",
            )),
        ),
        (
            "clocks_change",
            clocks_change.message(&Turn::new("I can't go on any more, I want to kill myself")),
        ),
        (
            "stranraer",
            ask("I'm homeless in Stranraer and have nowhere to sleep"),
        ),
    ]
}
