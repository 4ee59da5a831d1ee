//! What people see on Discord, pinned by snapshots of the interaction response JSON (content,
//! embeds, buttons), as sent (`cargo insta review` after a deliberate change): the welcome, a
//! question, a crisis, a concern, a fallback, an entry in full, the answer to a long message.

mod common;

use signpost_bot_support::test_kit::samples;
use signpost_discord::Response;
use signpost_discord::render;

#[test]
fn what_people_see() {
    let live = common::knowledge();
    let assistant = live.current();
    for (name, reply) in samples(&assistant) {
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
