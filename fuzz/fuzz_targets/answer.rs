//! Any bytes, read as a message (lossily, as `signpost ask` reads a line), through
//! `Assistant::answer` on the shipped knowledge: it must never panic, and always reply.

#![no_main]

use libfuzzer_sys::fuzz_target;
use signpost::{Assistant, Turn};
use std::sync::OnceLock;

fn assistant() -> &'static Assistant {
    static ASSISTANT: OnceLock<Assistant> = OnceLock::new();
    ASSISTANT.get_or_init(|| {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../knowledge");
        Assistant::load(dir.as_ref())
            .expect("the shipped knowledge loads")
            .0
    })
}

fuzz_target!(|data: &[u8]| {
    let assistant = assistant();
    let text = String::from_utf8_lossy(data);
    let reply = assistant.answer(&Turn::new(&text));
    assert!(!reply.lead.trim().is_empty() || reply.safety.is_some());
    assert!(reply.cards.len() <= signpost::assistant::MAX_CARDS);
    for hit in &reply.results {
        assert!(
            assistant.knowledge().get(&hit.id).is_some(),
            "unknown id {}",
            hit.id
        );
    }
});
