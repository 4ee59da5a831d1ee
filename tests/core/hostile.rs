use crate::common::{shipped, small};
use signpost::Turn;

fn hostile_inputs() -> Vec<String> {
    let mut inputs: Vec<String> = [
        "\"bail\" AND (jail OR \"prison\")",
        "title:bail^10",
        "body:* OR 1=1",
        "+prison -bail ~2",
        "[[[[ {{{{ )))) \"\"\"",
        "\\\\ \\ \" ' ` ^ : ; *?",
        "NOT AND OR TO IN",
        "'; DROP TABLE entries; --",
        "\u{0}\u{7}\u{1b}[31mred\u{1b}[0m\r\n\t",
        "🚔🚔🚔 😭 my da 👨‍👩‍👧 in the jail 🏴󠁧󠁢󠁳󠁣󠁴󠁿",
        "\u{202e}lanimirc\u{202c} \u{200b}\u{feff}",
        "ｆｕｌｌｗｉｄｔｈ ｐｒｉｓｏｎ",
        "",
        "   ",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    inputs.push("x".repeat(10_000));
    inputs.push("bail ".repeat(2_000));
    inputs.push("(\"".repeat(5_000));
    inputs.push("🙂".repeat(5_000));
    inputs.push(
        (0..10_000)
            .map(|i| char::from(b'!' + (i % 90) as u8))
            .collect(),
    );
    inputs
}

#[test]
fn hostile_input_never_fails() {
    for assistant in [small(), shipped()] {
        for input in hostile_inputs() {
            let reply = assistant.answer(&Turn::new(&input));
            let shown = input.chars().take(40).collect::<String>();
            assert!(
                !reply.lead.is_empty() || reply.safety.is_some(),
                "no lead for {shown:?}"
            );
            assert!(reply.cards.len() <= 3, "too many cards for {shown:?}");
            assert!(reply.safety.is_none(), "{shown:?} was flagged as a crisis");
        }
    }
}

#[test]
fn query_syntax_is_read_as_words() {
    // The words inside query syntax still count: this is a question about bail.
    let reply = shipped().answer(&Turn::new("\"bail\" AND (conditions OR rules)^5"));
    assert_eq!(reply.results[0].id, "bail");
}

#[test]
fn a_crisis_at_the_start_of_a_huge_message_is_still_caught() {
    let text = format!("I want to kill myself. {}", "blah ".repeat(3_000));
    let reply = shipped().answer(&Turn::new(&text));
    assert!(reply.crisis().contains(&"suicide-self-harm".to_string()));
}
