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
        let _ = writeln!(out, "!! {}", notice.title);
        for message in &notice.messages {
            let _ = writeln!(out, "   {message}");
        }
        for card in &notice.cards {
            card_text(&mut out, card, "   * ");
        }
        if !reply.lead.is_empty() {
            out.push('\n');
        }
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
            for line in plain_markdown(body).lines() {
                let _ = writeln!(out, "   {line}");
            }
        }
    }
    if let Some(open) = &reply.open_line {
        out.push('\n');
        let _ = writeln!(out, "{}", open.message);
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

/// What to say when a number is typed that is not one of the options shown.
pub fn no_such_option(options: usize) -> String {
    match options {
        0 => "Type your question in your own words.".into(),
        1 => "Pick 1, or type your question.".into(),
        n => format!("Pick 1 to {n}, or type your question."),
    }
}

fn card_text(out: &mut String, card: &Card, bullet: &str) {
    let pad = " ".repeat(bullet.len());
    let _ = writeln!(out, "{bullet}{}", card.title);
    if !card.summary.trim().is_empty() {
        let _ = writeln!(out, "{pad}{}", card.summary.trim());
    }
    for contact in &card.contacts {
        let _ = writeln!(out, "{pad}{}", contact_line(contact));
    }
}

/// One contact on one line, as an action, with whether it is open now: "Call 116 123 -
/// Free to call (24 hours a day). Open now, 24 hours."
pub fn contact_line(contact: &Contact) -> String {
    let value = contact.value.trim();
    let label = contact.label_text();
    let word = contact.kind.word();
    let mut line = if let Some(said) = contact.label_with_value() {
        said.to_string()
    } else if let Some(start) = contact.label_before_value() {
        format!("{start} {value}")
    } else {
        match (contact.kind, label) {
            (ContactKind::Phone | ContactKind::Text, Some(l)) => format!("{word} {value} - {l}"),
            (ContactKind::Phone | ContactKind::Text, None) => format!("{word} {value}"),
            (ContactKind::Web | ContactKind::Webchat, Some(l)) if contact.label_names_kind() => {
                format!("{l}: {value}")
            }
            (ContactKind::Web | ContactKind::Webchat, Some(l)) => format!("{word}: {value} - {l}"),
            // "Write a letter: Freepost ...", "Dumfries office: Council Offices, ...".
            (_, Some(l)) => format!("{l}: {value}"),
            (_, None) => format!("{word}: {value}"),
        }
    };
    if let Some(hours) = contact.hours_text() {
        let _ = write!(line, " ({hours})");
    }
    if let Some(status) = &contact.status {
        let _ = write!(line, ". {}.", status.label);
    }
    line
}

/// An entry's Markdown for the terminal: bold and italic markers and heading marks removed,
/// list items as "- ", links as "text (address)".
pub fn plain_markdown(body: &str) -> String {
    body.lines()
        .map(|line| {
            let trimmed = line.trim_start();
            let text = if let Some(heading) = trimmed.strip_prefix('#') {
                heading.trim_start_matches('#').trim()
            } else if let Some(item) = ["* ", "+ "].iter().find_map(|b| trimmed.strip_prefix(b)) {
                return format!("- {}", inline_plain(item));
            } else {
                line
            };
            inline_plain(text)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn inline_plain(text: &str) -> String {
    let mut out = text.replace("**", "").replace("__", "");
    // [text](address) becomes "text (address)".
    while let Some(open) = out.find('[') {
        let Some(mid) = out[open..].find("](").map(|m| open + m) else {
            break;
        };
        let Some(close) = out[mid..].find(')').map(|c| mid + c) else {
            break;
        };
        let link = format!("{} ({})", &out[open + 1..mid], &out[mid + 2..close]);
        out.replace_range(open..=close, &link);
    }
    // A lone *word* in italics loses its markers; a bare asterisk stays.
    let mut plain = String::with_capacity(out.len());
    let chars: Vec<char> = out.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let before = i.checked_sub(1).and_then(|j| chars.get(j));
        let after = chars.get(i + 1);
        let opens = c == '*' && after.is_some_and(|a| !a.is_whitespace());
        let closes = c == '*' && before.is_some_and(|b| !b.is_whitespace());
        if !(opens || closes) {
            plain.push(c);
        }
    }
    plain
}

#[cfg(test)]
mod tests {
    use super::{contact_line, no_such_option, plain_markdown, unwrapped, wrap};
    use signpost::Assistant;
    use signpost::knowledge::{Contact, ContactKind};

    /// What people see in the terminal, pinned by snapshots (`cargo insta review` after a
    /// deliberate change): the welcome, a deep link, two questions, a crisis of each category
    /// and the emergency lines, a concern, a fallback, an entry in full, the answer to a long
    /// message, and a stage of the journey.
    #[test]
    fn what_people_see() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge");
        let (assistant, _) = Assistant::load(&dir).expect("the shipped knowledge loads");
        for (name, reply) in signpost::samples::conversation(&assistant) {
            insta::assert_snapshot!(name, wrap(&unwrapped(&reply), 80));
        }
    }

    #[test]
    fn markdown_is_plain_text_in_the_terminal() {
        let body = "**Call now** on 0800 *free*.\n\n## What happens\n\n* first\n- second\n\nSee [the site](https://example.org/). 5 * 2 = 10.";
        assert_eq!(
            plain_markdown(body),
            "Call now on 0800 free.\n\nWhat happens\n\n- first\n- second\n\nSee the site (https://example.org/). 5 * 2 = 10."
        );
    }

    #[test]
    fn contacts_read_as_actions() {
        let contact = |kind, value: &str, label: Option<&str>, hours: Option<&str>| Contact {
            label: label.map(Into::into),
            hours: hours.map(Into::into),
            ..Contact::new(kind, value)
        };
        assert_eq!(
            contact_line(&contact(
                ContactKind::Text,
                "60777",
                Some("Text FAMOUT and your message to"),
                Some("Monday to Friday, 9am to 5pm")
            )),
            "Text FAMOUT and your message to 60777 (Monday to Friday, 9am to 5pm)"
        );
        assert_eq!(
            contact_line(&contact(
                ContactKind::Phone,
                "55",
                Some(
                    "Too dangerous to speak? Call 999 from a mobile and dial 55 when you are prompted"
                ),
                None
            )),
            "Too dangerous to speak? Call 999 from a mobile and dial 55 when you are prompted"
        );
        assert_eq!(
            contact_line(&contact(
                ContactKind::Phone,
                "101",
                Some("Non-emergency"),
                None
            )),
            "Call 101 - Non-emergency"
        );
        assert_eq!(
            contact_line(&contact(ContactKind::Web, "https://x.org/", None, None)),
            "Website: https://x.org/"
        );
    }

    #[test]
    fn a_number_outside_the_options_says_what_to_do() {
        assert_eq!(no_such_option(4), "Pick 1 to 4, or type your question.");
        assert_eq!(no_such_option(0), "Type your question in your own words.");
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
