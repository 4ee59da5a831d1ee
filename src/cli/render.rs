//! Plain terminal text for a Reply.

use signpost::knowledge::{Contact, ContactKind};
use signpost::reply::{Card, Reply};
use std::fmt::Write;

/// Renders a reply as plain text wrapped to the terminal's width (`$COLUMNS`, else 80);
/// buttons are numbered so a person can type the number.
pub fn text(reply: &Reply) -> String {
    let width = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse::<usize>().ok())
        .filter(|&w| w >= 30)
        .unwrap_or(80);
    wrap(&unwrapped(reply), width)
}

/// Wraps each line at spaces to `width` characters, keeping its indent on the lines it
/// continues on.
pub fn wrap(text: &str, width: usize) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let indent = line.len() - line.trim_start().len();
        let pad = " ".repeat(indent + continuation_indent(line.trim_start()));
        let mut current = line[..indent].to_string();
        let mut current_len = indent;
        let mut first = true;
        for word in line.split_whitespace() {
            let len = word.chars().count();
            if !first && current_len + 1 + len > width {
                out.push_str(&current);
                out.push('\n');
                current = pad.clone();
                current_len = pad.len();
            } else if !first {
                current.push(' ');
                current_len += 1;
            }
            current.push_str(word);
            current_len += len;
            first = false;
        }
        out.push_str(&current);
        out.push('\n');
    }
    out
}

/// Continuation lines of "1. Title" or "[2] Label" or "* Card" line up after the marker.
fn continuation_indent(line: &str) -> usize {
    let marker = line.split_whitespace().next().unwrap_or("");
    let is_marker = marker == "*"
        || marker == "-"
        || (marker.ends_with('.') && marker[..marker.len() - 1].parse::<u32>().is_ok())
        || (marker.starts_with('[') && marker.ends_with(']'));
    if is_marker { marker.len() + 1 } else { 0 }
}

fn unwrapped(reply: &Reply) -> String {
    let mut out = String::new();
    if let Some(notice) = &reply.safety {
        let _ = writeln!(out, "!! {}", notice.title.to_uppercase());
        for message in &notice.messages {
            let _ = writeln!(out, "   {message}");
        }
        for card in &notice.cards {
            card_text(&mut out, card, "   * ");
        }
        out.push('\n');
    }
    // A plausible risk below the crisis threshold: one line above the answer.
    if let Some(concern) = reply.concern_to_show() {
        let _ = writeln!(out, "(!) {}\n", concern.message);
    }
    if !reply.lead.is_empty() {
        let _ = writeln!(out, "{}", reply.lead);
    }
    for (i, card) in reply.cards.iter().enumerate() {
        out.push('\n');
        card_text(&mut out, card, &format!("{}. ", i + 1));
        if let Some(body) = &card.body {
            out.push('\n');
            for line in body.lines() {
                let _ = writeln!(out, "   {line}");
            }
        }
    }
    let buttons = reply.buttons();
    if !buttons.is_empty() {
        out.push('\n');
        let _ = writeln!(out, "Options (type the number):");
        for (i, s) in buttons.iter().enumerate() {
            let _ = writeln!(out, "  [{}] {}", i + 1, s.label);
        }
    }
    out
}

fn card_text(out: &mut String, card: &Card, bullet: &str) {
    let pad = " ".repeat(bullet.len());
    let _ = writeln!(out, "{bullet}{} ({})", card.title, card.kind.as_str());
    let _ = writeln!(out, "{pad}{}", card.summary);
    for contact in &card.contacts {
        let _ = writeln!(out, "{pad}{}", contact_line(contact));
    }
}

/// One contact on one line: "Phone: 116 123 (Free to call) — 24 hours a day".
pub fn contact_line(contact: &Contact) -> String {
    let kind = match contact.kind {
        ContactKind::Phone => "Phone",
        ContactKind::Text => "Text",
        ContactKind::Webchat => "Webchat",
        ContactKind::Email => "Email",
        ContactKind::Web => "Web",
        ContactKind::Address => "Address",
    };
    let mut line = format!("{kind}: {}", contact.value);
    if let Some(label) = &contact.label {
        let _ = write!(line, " ({label})");
    }
    if let Some(hours) = &contact.hours {
        let _ = write!(line, " - {hours}");
    }
    line
}

#[cfg(test)]
mod tests {
    use super::{unwrapped, wrap};
    use signpost::reply::ConcernNotice;
    use signpost::{Assistant, Reply, Turn};

    /// What people see in the terminal, pinned by snapshots (`cargo insta review` after a
    /// deliberate change): the welcome, a question, a crisis, a concern, a fallback, an entry
    /// in full, and the answer to a long message.
    #[test]
    fn what_people_see() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge");
        let (assistant, _) = Assistant::load(&dir).expect("the shipped knowledge loads");
        for (name, reply) in samples(&assistant) {
            insta::assert_snapshot!(name, wrap(&unwrapped(&reply), 80));
        }
    }

    /// The same sample conversation for every front end's snapshots.
    fn samples(assistant: &Assistant) -> Vec<(&'static str, Reply)> {
        let ask = |text: &str| assistant.message(&Turn::new(text));
        let mut concern =
            ask("my son has been in prison a month and I can't sleep, everything feels too much");
        concern.concern = Some(ConcernNotice {
            categories: vec!["suicide-self-harm".into()],
            message: "If you are not safe right now, call 999. Samaritans 116 123, any time."
                .into(),
        });
        let mut long = String::from("my partner has just been sent to prison, who can help me. ");
        while long.chars().count() < 2_500 {
            long.push_str("I keep going over everything that happened this year. ");
        }
        vec![
            ("welcome", assistant.welcome()),
            (
                "question",
                ask("my partner has just been sent to prison, who can help me and the kids"),
            ),
            (
                "crisis",
                ask("I can't go on any more, I want to kill myself"),
            ),
            ("concern", concern),
            ("fallback", ask("what is the best recipe for banana bread")),
            ("entry", assistant.entry("families-outside")),
            ("long_message", ask(&long)),
        ]
    }

    #[test]
    fn wraps_at_spaces_and_keeps_indents() {
        let text =
            "   1. Families Outside gives support to families of prisoners across Scotland\n";
        let wrapped = wrap(text, 30);
        for line in wrapped.lines() {
            assert!(line.chars().count() <= 30, "{line:?}");
        }
        assert!(
            wrapped.lines().nth(1).unwrap().starts_with("      "),
            "{wrapped}"
        );
        assert_eq!(
            wrapped.split_whitespace().collect::<Vec<_>>(),
            text.split_whitespace().collect::<Vec<_>>()
        );
    }
}
