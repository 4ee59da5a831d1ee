//! A core reply as embeds and buttons: the safety notice first (red, with its 24-hour lines),
//! a concern line above the answer, then one embed per card, then the suggestions.

use super::{
    Button, Embed, Field, NOTE_COLOUR, Rendered, SAFETY_COLOUR, SERVICE_COLOUR, Style, TOPIC_COLOUR,
};
use crate::limits;
use signpost::reply::{Card, Contact, ContactKind, Kind, Suggestion};
use signpost::{Action, Reply, Town};

/// What a contact is, in a word ("Call", "Text", "Web chat", ...).
pub fn contact_kind(kind: ContactKind) -> &'static str {
    kind.word()
}

/// Added under the lead when nothing fitted a question: how else to find things here.
pub const FALLBACK_COMMANDS: &str = "You can also ask again in other words with `/ask`, or look \
    a service or topic up by its name with `/service` or `/topic`.";

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
            .chain(reply.fallback.then(|| FALLBACK_COMMANDS.to_string()))
            .collect();
        if !content.is_empty() {
            out.content = Some(content.join("\n\n"));
        }
    }
    out.embeds.extend(reply.cards.iter().map(card_embed));
    // None of the lines shown is open: the 24-hour line that is.
    if let Some(open) = &reply.open_line {
        out.embeds.push(Embed {
            description: Some(format!("🟢 **{}**", open.message.trim())),
            colour: NOTE_COLOUR,
            ..Embed::default()
        });
    }
    out.buttons = reply
        .buttons()
        .iter()
        .map(|s| with_town(button(s), reply.town))
        .collect();
    out.feedback = reply.feedback.iter().map(button).collect();
    out.fit()
}

/// A 24-hour line inside the safety notice: the lines the notice's messages did not give.
fn safety_field(card: &Card) -> Field {
    let mut lines: Vec<String> = card.contacts.iter().map(contact_line).collect();
    let summary = card.summary.trim();
    if !summary.is_empty() {
        lines.push(summary.to_string());
    }
    Field {
        name: card.title.clone(),
        value: lines.join("\n"),
        inline: false,
    }
}

/// One contact on one line, as what to do, with its label and hours, e.g.
/// `Call **0800 254 0088** · Freephone helpline (Monday to Friday, 9am to 5pm)`.
pub fn contact_line(contact: &Contact) -> String {
    let value = contact.value.trim();
    let label = contact.label_text();
    let word = contact.kind.word();
    let link = |text: &str| {
        if limits::is_http_url(value) {
            format!("[{}]({value})", text.replace(['[', ']'], ""))
        } else {
            text.to_string()
        }
    };
    let mut line = if let Some(said) = contact.label_with_value() {
        // "Call 999 from a mobile and dial 55 when you are prompted": 55 is not for dialling.
        said.to_string()
    } else if let Some(start) = contact.label_before_value() {
        format!("{start} **{value}**")
    } else {
        match (contact.kind, label) {
            (ContactKind::Phone | ContactKind::Text, Some(l)) => {
                format!("{word} **{value}** · {l}")
            }
            (ContactKind::Phone | ContactKind::Text, None) => format!("{word} **{value}**"),
            (ContactKind::Web | ContactKind::Webchat, Some(l)) if contact.label_names_kind() => {
                link(l)
            }
            (ContactKind::Web | ContactKind::Webchat, l) => {
                format!("{word}: {}", link(l.unwrap_or(value)))
            }
            // "Write a letter: Freepost ...", "Dumfries office: Council Offices, ...".
            (_, Some(l)) => format!("{l}: {value}"),
            (_, None) => format!("{word}: {value}"),
        }
    };
    if let Some(hours) = contact.hours_text() {
        line.push_str(&format!(" ({hours})"));
    }
    if let Some(status) = status_line(contact) {
        line.push_str(" · ");
        line.push_str(&status);
    }
    line
}

/// Whether the line is open at the moment of the reply: "🟢 Open now, until 5pm" or
/// "🔴 Closed now: opens Monday at 9am"; `None` for a contact without machine-readable hours.
pub fn status_line(contact: &Contact) -> Option<String> {
    contact.status.as_ref().map(|s| {
        let mark = if s.open_now { "🟢" } else { "🔴" };
        format!("{mark} {}", s.label)
    })
}

/// One card: the title linking to its website, the summary when the reply has not said it
/// already, each contact on its own line (the website is the title's link), then the full text
/// when the entry is shown on its own; a footer says what it is and when it was last checked.
pub fn card_embed(card: &Card) -> Embed {
    let mut parts: Vec<String> = Vec::new();
    let summary = card.summary.trim();
    if !summary.is_empty() {
        parts.push(summary.to_string());
    }
    let lines: Vec<String> = card
        .contacts
        .iter()
        .filter(|c| !(c.kind == ContactKind::Web && card.link.as_deref() == Some(c.value.trim())))
        .map(contact_line)
        .collect();
    if !lines.is_empty() {
        parts.push(lines.join("\n"));
    }
    if let Some(body) = &card.body {
        let body = discord_markdown(body);
        if !body.is_empty() {
            parts.push(body);
        }
    }
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
        description: (!parts.is_empty()).then(|| parts.join("\n\n")),
        fields: Vec::new(),
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

/// What a button's `custom_id` adds after an entry's payload to carry the person's town: the
/// bot keeps no state (any replica may take the press), so "More about" after `/ask` with a
/// town shows that town's offices first too.
pub const TOWN_MARK: char = '~';

/// The button, carrying `town` when it opens an entry.
fn with_town(mut button: Button, town: Option<Town>) -> Button {
    if let Some(town) = town
        && button.custom_id.starts_with("e:")
    {
        button.custom_id = format!("{}{TOWN_MARK}{}", button.custom_id, town.name());
    }
    button
}

/// A button's payload, and the town it carries, if any ([`TOWN_MARK`]).
pub fn press_town(custom_id: &str) -> (&str, Option<Town>) {
    match custom_id.rsplit_once(TOWN_MARK) {
        // A town this version does not know (renamed since the button was made) is dropped.
        Some((payload, town)) => (payload, Town::parse(town)),
        None => (custom_id, None),
    }
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
