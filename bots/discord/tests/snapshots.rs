//! What people see on Discord, pinned by snapshots of the interaction response JSON (content,
//! embeds, buttons), as sent (`cargo insta review` after a deliberate change): the shared
//! sample conversation (`test_kit::samples`: the welcome, questions, a crisis of each
//! category, a fallback, an entry, a long message, `/journey`) and the practitioner fallback.

mod common;

use signpost_bot_support::test_kit::samples;
use signpost_discord::Response;
use signpost_discord::render;

#[test]
fn what_people_see() {
    let live = common::knowledge();
    let assistant = live.current();
    let mut samples = samples(&assistant);
    // A practitioner's question nothing fitted: the stages and commands, not the public menu.
    let banana = assistant.message(&signpost::Turn::new(
        "what is the best recipe for banana bread",
    ));
    samples.push(("practitioner_fallback", assistant.for_practitioners(banana)));
    for (name, reply) in samples {
        let response = Response::Message {
            rendered: render::reply(&reply),
            ephemeral: true,
        };
        let json = serde_json::to_value(response.interaction_response()).unwrap();
        let problems = common::limits::validate(&json);
        assert!(problems.is_empty(), "{name}: {problems:?}");
        insta::assert_snapshot!(name, serde_json::to_string_pretty(&json).unwrap());
    }
}
