//! A core reply as embeds and buttons: the safety notice first (red, with its 24-hour lines),
//! a concern line above the answer, then one embed per card, then the suggestions.

use super::{
    Button, Embed, Field, NOTE_COLOUR, Rendered, SAFETY_COLOUR, SERVICE_COLOUR, Style, TOPIC_COLOUR,
};
use signpost::reply::{Card, Contact, ContactKind, Kind, Suggestion};
use signpost::{Action, Reply};

/// What a contact is, for a field heading.
pub fn contact_kind(kind: ContactKind) -> &'static str {
    match kind {
        ContactKind::Phone => "Phone",
        ContactKind::Text => "Text",
        ContactKind::Webchat => "Webchat",
        ContactKind::Email => "Email",
        ContactKind::Web => "Website",
        ContactKind::Address => "Address",
    }
}

fn shows_bold(kind: ContactKind) -> bool {
    matches!(kind, ContactKind::Phone | ContactKind::Text)
}

/// A core reply as a message: the safety notice first when there is one (with its 24-hour
/// lines); otherwise a concern line, if any, above the lead; then one embed per card, then
/// the buttons (with "Emergency lines" whenever there is a notice).
pub fn reply(reply: &Reply) -> Rendered {
    let mut out = Rendered::default();
    let lead = reply.lead.trim();
    if let Some(notice) = &reply.safety {
        let mut description = notice.messages.join("\n\n");
        if reply.cards.is_empty() && !lead.is_empty() {
            description.push_str("\n\n");
            description.push_str(lead);
        }
        out.embeds.push(Embed {
            title: Some(notice.title.clone()),
            description: Some(description),
            fields: notice.cards.iter().map(safety_field).collect(),
            colour: SAFETY_COLOUR,
            ..Embed::default()
        });
        if !reply.cards.is_empty() && !lead.is_empty() {
            out.embeds.push(Embed {
                description: Some(lead.to_string()),
                colour: NOTE_COLOUR,
                ..Embed::default()
            });
        }
    } else {
        let concern = reply
            .concern_to_show()
            .map(|c| format!("**{}**", c.message.trim()));
        let content: Vec<String> = concern
            .into_iter()
            .chain((!lead.is_empty()).then(|| lead.to_string()))
            .collect();
        if !content.is_empty() {
            out.content = Some(content.join("\n\n"));
        }
    }
    out.embeds.extend(reply.cards.iter().map(card_embed));
    out.buttons = reply.buttons().iter().map(button).collect();
    out.fit()
}

/// A 24-hour line inside the safety notice: the numbers first, then what the service is.
fn safety_field(card: &Card) -> Field {
    let mut lines: Vec<String> = card.contacts.iter().map(contact_line).collect();
    if let Some(link) = &card.link
        && !card.contacts.iter().any(|c| &c.value == link)
    {
        lines.push(link.clone());
    }
    lines.push(card.summary.clone());
    Field {
        name: card.title.clone(),
        value: lines.join("\n"),
        inline: false,
    }
}

fn contact_line(contact: &Contact) -> String {
    let value = if shows_bold(contact.kind) {
        format!("**{}**", contact.value)
    } else {
        contact.value.clone()
    };
    let mut line = format!("{}: {value}", contact_kind(contact.kind));
    if let Some(hours) = &contact.hours {
        line.push_str(" (");
        line.push_str(hours);
        line.push(')');
    }
    line
}

/// One card: the title linking to its website, the summary (and the full text when shown on
/// its own), each contact as a field with its hours, and a footer with what it is and when it
/// was last checked.
pub fn card_embed(card: &Card) -> Embed {
    let mut description = card.summary.clone();
    if let Some(body) = &card.body {
        let body = discord_markdown(body);
        if !body.is_empty() {
            description.push_str("\n\n");
            description.push_str(&body);
        }
    }
    let fields = card
        .contacts
        .iter()
        .map(|c| {
            let value = if shows_bold(c.kind) {
                format!("**{}**", c.value)
            } else {
                c.value.clone()
            };
            Field {
                name: c
                    .label
                    .clone()
                    .unwrap_or_else(|| contact_kind(c.kind).to_string()),
                value: match &c.hours {
                    Some(hours) => format!("{value}\n{hours}"),
                    None => value,
                },
                inline: false,
            }
        })
        .collect();
    let mut footer = vec![match card.kind {
        Kind::Service => "Service".to_string(),
        Kind::Topic => "Topic".to_string(),
    }];
    if let Some(area) = &card.area {
        footer.push(area.clone());
    }
    footer.push(format!("checked {}", card.reviewed));
    Embed {
        title: Some(card.title.clone()),
        url: card.link.clone(),
        description: Some(description),
        fields,
        footer: Some(footer.join(" · ")),
        colour: match card.kind {
            Kind::Service => SERVICE_COLOUR,
            Kind::Topic => TOPIC_COLOUR,
        },
    }
}

/// Markdown headings, which Discord does not show inside embeds, become bold lines.
fn discord_markdown(body: &str) -> String {
    body.trim()
        .lines()
        .map(|line| {
            let trimmed = line.trim_start();
            if trimmed.starts_with('#') {
                let heading = trimmed.trim_start_matches('#').trim();
                if heading.is_empty() {
                    String::new()
                } else {
                    format!("**{heading}**")
                }
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A suggestion as a button.
pub fn button(suggestion: &Suggestion) -> Button {
    let (label, style) = match &suggestion.action {
        Action::Entry(_) => (format!("More about {}", suggestion.label), Style::Primary),
        Action::Crisis => (suggestion.label.clone(), Style::Danger),
        _ => (suggestion.label.clone(), Style::Secondary),
    };
    Button {
        custom_id: suggestion.action.encode(),
        label,
        style,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_become_bold() {
        assert_eq!(
            discord_markdown("## What happens\ntext"),
            "**What happens**\ntext"
        );
    }
}
