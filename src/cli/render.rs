//! Plain terminal text for a Reply.

use signpost::knowledge::{Contact, ContactKind};
use signpost::reply::{Card, Reply};
use std::fmt::Write;

/// Renders a reply as plain text; buttons are numbered so a person can type the number.
pub fn text(reply: &Reply) -> String {
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
    if !reply.suggestions.is_empty() {
        out.push('\n');
        let _ = writeln!(out, "Options (type the number):");
        for (i, s) in reply.suggestions.iter().enumerate() {
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
