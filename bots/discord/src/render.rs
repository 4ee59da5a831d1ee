//! The one renderer: a core [`Reply`] (or the bot's own notices) becomes embeds and buttons
//! that fit Discord's limits, then serenity builders for the gateway mode or JSON for the
//! interactions endpoint mode. Pure: no I/O, no clock beyond what it is given.

use crate::limits::{self, chars, truncate};
use serenity::all::{
    ButtonStyle, CreateActionRow, CreateAllowedMentions, CreateButton, CreateEmbed,
    CreateEmbedFooter, CreateInteractionResponseMessage, CreateMessage, EditInteractionResponse,
};
use signpost::knowledge::{ContactKind, Kind, KnowledgeBase};
use signpost::live::ReloadOutcome;
use signpost::reply::{Card, Intent, Suggestion};
use signpost::{Action, Assistant, Reply};
use std::collections::HashSet;
use std::path::Path;
use std::time::UNIX_EPOCH;

/// Red, for the safety notice.
pub const SAFETY_COLOUR: u32 = 0xC0_39_2B;
/// Blue, for services.
pub const SERVICE_COLOUR: u32 = 0x1F_6F_B2;
/// Green, for topics.
pub const TOPIC_COLOUR: u32 = 0x2E_8B_57;
/// Grey, for plain notes.
pub const NOTE_COLOUR: u32 = 0x5D_6D_7E;

/// A description is not squeezed below this while other parts can give way.
const MIN_DESCRIPTION: usize = 200;

/// One field of an embed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// Name (bold heading).
    pub name: String,
    /// Value.
    pub value: String,
    /// Shown side by side with its neighbours.
    pub inline: bool,
}

/// One embed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Embed {
    /// Title.
    pub title: Option<String>,
    /// Where the title links to.
    pub url: Option<String>,
    /// Main text.
    pub description: Option<String>,
    /// Fields, in order.
    pub fields: Vec<Field>,
    /// Footer text.
    pub footer: Option<String>,
    /// Side colour.
    pub colour: u32,
}

impl Embed {
    /// Characters this embed counts towards the 6000 across a message.
    pub fn chars(&self) -> usize {
        self.title.as_deref().map_or(0, chars)
            + self.description.as_deref().map_or(0, chars)
            + self.footer.as_deref().map_or(0, chars)
            + self
                .fields
                .iter()
                .map(|f| chars(&f.name) + chars(&f.value))
                .sum::<usize>()
    }

    fn is_empty(&self) -> bool {
        self.title.is_none() && self.description.is_none() && self.fields.is_empty()
    }
}

/// How a button looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Blue.
    Primary,
    /// Grey.
    Secondary,
    /// Red.
    Danger,
}

/// A button whose press comes back as a component interaction with `custom_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Button {
    /// [`Action::encode`] of what it does.
    pub custom_id: String,
    /// Text on the button.
    pub label: String,
    /// Look.
    pub style: Style,
}

/// A message ready to send: built by the functions of this module, cut to Discord's limits by
/// [`Rendered::fit`] (which they all call).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rendered {
    /// Plain text above the embeds.
    pub content: Option<String>,
    /// At most 10 embeds.
    pub embeds: Vec<Embed>,
    /// At most 25 buttons, five to a row.
    pub buttons: Vec<Button>,
}

/// Mentions allowed in every message the bot sends: none. Nothing from the knowledge folder or
/// from a user can ping `@everyone`, `@here`, a role or a person.
pub fn no_mentions() -> CreateAllowedMentions {
    CreateAllowedMentions::new()
        .all_users(false)
        .all_roles(false)
        .everyone(false)
}

/// Breaks `@everyone` and `@here` with a zero-width space, as a second guard behind
/// `allowed_mentions`.
pub fn defuse(text: &str) -> String {
    text.replace("@everyone", "@\u{200B}everyone")
        .replace("@here", "@\u{200B}here")
}

fn clean(text: Option<String>, max: usize) -> Option<String> {
    text.map(|t| truncate(defuse(&t).trim(), max))
        .filter(|t| !t.trim().is_empty())
}

impl Rendered {
    /// A message of plain text only.
    pub fn text(content: impl Into<String>) -> Rendered {
        Rendered {
            content: Some(content.into()),
            ..Rendered::default()
        }
        .fit()
    }

    /// Cuts everything to Discord's limits: each text to its own limit on a word boundary,
    /// at most 10 embeds of at most 25 fields, 6000 characters across the embeds (the last
    /// embeds give way first, so the safety notice and the best matches stay whole), and at
    /// most 25 distinct buttons. Empty parts are dropped, since Discord refuses them.
    pub fn fit(mut self) -> Rendered {
        self.content = clean(self.content, limits::CONTENT);
        for embed in &mut self.embeds {
            embed.title = clean(embed.title.take(), limits::EMBED_TITLE);
            embed.description = clean(embed.description.take(), limits::EMBED_DESCRIPTION);
            embed.footer = clean(embed.footer.take(), limits::FOOTER);
            embed.url = embed.url.take().filter(|u| limits::is_http_url(u));
            if embed.title.is_none() {
                embed.url = None;
            }
            embed.fields = std::mem::take(&mut embed.fields)
                .into_iter()
                .filter_map(|f| {
                    Some(Field {
                        name: clean(Some(f.name), limits::FIELD_NAME)?,
                        value: clean(Some(f.value), limits::FIELD_VALUE)?,
                        inline: f.inline,
                    })
                })
                .take(limits::FIELDS)
                .collect();
        }
        self.embeds.retain(|e| !e.is_empty());
        self.embeds.truncate(limits::EMBEDS);
        self.fit_total();

        let mut seen = HashSet::new();
        self.buttons = std::mem::take(&mut self.buttons)
            .into_iter()
            .filter(|b| chars(&b.custom_id) <= limits::CUSTOM_ID && !b.custom_id.is_empty())
            .filter(|b| seen.insert(b.custom_id.clone()))
            .filter_map(|b| {
                Some(Button {
                    label: clean(Some(b.label), limits::BUTTON_LABEL)?,
                    ..b
                })
            })
            .take(limits::ROWS * limits::BUTTONS_PER_ROW)
            .collect();
        if self.content.is_none() && self.embeds.is_empty() {
            self.content = Some("Sorry, there is nothing to show for that.".into());
        }
        self
    }

    fn fit_total(&mut self) {
        // Each pass removes characters, a field or an embed, so this ends.
        loop {
            let total: usize = self.embeds.iter().map(Embed::chars).sum();
            if total <= limits::EMBED_TOTAL || self.embeds.is_empty() {
                return;
            }
            let over = total - limits::EMBED_TOTAL;
            let last = self.embeds.len() - 1;
            let embed = &mut self.embeds[last];
            let described = embed.description.as_deref().map_or(0, chars);
            if described > MIN_DESCRIPTION {
                let target = described.saturating_sub(over).max(MIN_DESCRIPTION);
                embed.description = embed.description.as_deref().map(|d| truncate(d, target));
            } else if !embed.fields.is_empty() {
                embed.fields.pop();
            } else if last > 0 {
                self.embeds.pop();
            } else if embed.footer.is_some() {
                embed.footer = None;
            } else if described > 0 {
                embed.description = embed
                    .description
                    .as_deref()
                    .map(|d| truncate(d, described.saturating_sub(over)))
                    .filter(|d| !d.is_empty());
            } else {
                let titled = embed.title.as_deref().map_or(0, chars);
                embed.title = embed
                    .title
                    .as_deref()
                    .map(|t| truncate(t, titled.saturating_sub(over)))
                    .filter(|t| !t.is_empty());
                if embed.title.is_none() {
                    self.embeds.pop();
                }
            }
        }
    }

    /// Serenity embeds.
    pub fn create_embeds(&self) -> Vec<CreateEmbed> {
        self.embeds.iter().map(create_embed).collect()
    }

    /// Serenity action rows of buttons, five to a row.
    pub fn create_rows(&self) -> Vec<CreateActionRow> {
        self.buttons
            .chunks(limits::BUTTONS_PER_ROW)
            .map(|row| CreateActionRow::Buttons(row.iter().map(create_button).collect()))
            .collect()
    }

    /// A new message (interaction response type 4), for both modes: private when
    /// `ephemeral`, and no `content` key when there is no text.
    pub fn new_message(&self, ephemeral: bool) -> CreateInteractionResponseMessage {
        let mut message = CreateInteractionResponseMessage::new()
            .embeds(self.create_embeds())
            .components(self.create_rows())
            .allowed_mentions(no_mentions())
            .ephemeral(ephemeral);
        if let Some(content) = &self.content {
            message = message.content(content.clone());
        }
        message
    }

    /// The replacement for the message a button was on (interaction response type 7): the
    /// content is always sent (empty clears the old text) and the flags are left as they were.
    pub fn update_message(&self) -> CreateInteractionResponseMessage {
        CreateInteractionResponseMessage::new()
            .content(self.content.clone().unwrap_or_default())
            .embeds(self.create_embeds())
            .components(self.create_rows())
            .allowed_mentions(no_mentions())
    }

    /// The edit that fills in a deferred response.
    pub fn edit(&self) -> EditInteractionResponse {
        EditInteractionResponse::new()
            .content(self.content.clone().unwrap_or_default())
            .embeds(self.create_embeds())
            .components(self.create_rows())
            .allowed_mentions(no_mentions())
    }

    /// A channel message (for the admin channel).
    pub fn channel_message(&self) -> CreateMessage {
        let mut message = CreateMessage::new()
            .embeds(self.create_embeds())
            .components(self.create_rows())
            .allowed_mentions(no_mentions());
        if let Some(content) = &self.content {
            message = message.content(content.clone());
        }
        message
    }
}

fn create_embed(embed: &Embed) -> CreateEmbed {
    let mut out = CreateEmbed::new().colour(embed.colour);
    if let Some(title) = &embed.title {
        out = out.title(title.clone());
    }
    if let Some(url) = &embed.url {
        out = out.url(url.clone());
    }
    if let Some(description) = &embed.description {
        out = out.description(description.clone());
    }
    for field in &embed.fields {
        out = out.field(field.name.clone(), field.value.clone(), field.inline);
    }
    if let Some(footer) = &embed.footer {
        out = out.footer(CreateEmbedFooter::new(footer.clone()));
    }
    out
}

fn create_button(button: &Button) -> CreateButton {
    let style = match button.style {
        Style::Primary => ButtonStyle::Primary,
        Style::Secondary => ButtonStyle::Secondary,
        Style::Danger => ButtonStyle::Danger,
    };
    CreateButton::new(button.custom_id.clone())
        .label(button.label.clone())
        .style(style)
}

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
/// lines), then the lead, then one embed per card, then the suggestions as buttons.
pub fn reply(reply: &Reply, kb: &KnowledgeBase) -> Rendered {
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
    } else if !lead.is_empty() {
        out.content = Some(lead.to_string());
    }
    out.embeds
        .extend(reply.cards.iter().map(|card| card_embed(card, kb)));
    out.buttons = reply.suggestions.iter().map(button).collect();
    if reply.intent == Intent::Entry && reply.cards.is_empty() && out.content.is_none() {
        out.content = Some("Sorry, I can't find that entry.".into());
    }
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

fn contact_line(contact: &signpost::knowledge::Contact) -> String {
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
pub fn card_embed(card: &Card, kb: &KnowledgeBase) -> Embed {
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
    let entry = kb.get(&card.id);
    let mut footer = vec![match card.kind {
        Kind::Service => "Service".to_string(),
        Kind::Topic => "Topic".to_string(),
    }];
    if let Some(area) = entry.and_then(|e| e.area.as_deref()) {
        footer.push(area.to_string());
    }
    if let Some(entry) = entry {
        footer.push(format!("checked {}", entry.reviewed));
    }
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

/// `/about`: what the bot is, how much it knows, when the knowledge was checked and loaded.
pub fn about(assistant: &Assistant, reloads: u64) -> Rendered {
    let kb = assistant.knowledge();
    let services = kb
        .entries
        .iter()
        .filter(|e| e.kind == Kind::Service)
        .count();
    let topics = kb.entries.len() - services;
    let loaded = assistant
        .loaded_at()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let description = "signpost is the Dumfries and Galloway Community Justice Partnership's \
        signposting assistant. Ask in plain words and it suggests the local and national \
        services that fit, with how to reach them, and explains each step of the Scottish \
        justice process.\n\nIt answers from the partnership's own knowledge folder; no person \
        reads the questions and they are not stored or logged. It is not an emergency \
        service: if someone is in danger, call 999.\n\nUse `/ask` for a question, `/service` \
        and `/topic` to look one up, `/journey` for a stage of the justice process and \
        `/crisis` for the emergency lines. Answers are private to you unless you choose \
        `share`.";
    let embed = Embed {
        title: Some("About signpost".into()),
        description: Some(description.into()),
        fields: vec![
            Field {
                name: "Entries".into(),
                value: format!(
                    "{} ({services} services, {topics} topics)",
                    kb.entries.len()
                ),
                inline: true,
            },
            Field {
                name: "Knowledge last reviewed".into(),
                value: kb
                    .last_reviewed()
                    .map_or_else(|| "unknown".to_string(), |d| d.to_string()),
                inline: true,
            },
            Field {
                name: "Loaded".into(),
                value: format!("<t:{loaded}:f> (<t:{loaded}:R>)"),
                inline: true,
            },
        ],
        footer: Some(format!(
            "signpost-discord {} · knowledge version {reloads}",
            env!("CARGO_PKG_VERSION")
        )),
        colour: NOTE_COLOUR,
        ..Embed::default()
    };
    Rendered {
        content: None,
        embeds: vec![embed],
        buttons: vec![Button {
            custom_id: Action::Crisis.encode(),
            label: "Emergency lines".into(),
            style: Style::Danger,
        }],
    }
    .fit()
}

/// Autocomplete choices (name, value), cut to Discord's limits.
pub fn choices(items: impl IntoIterator<Item = (String, String)>) -> Vec<(String, String)> {
    items
        .into_iter()
        .filter(|(_, value)| chars(value) <= limits::CHOICE_NAME && !value.is_empty())
        .filter_map(|(name, value)| {
            let name = truncate(name.trim(), limits::CHOICE_NAME);
            (!name.is_empty()).then_some((name, value))
        })
        .take(limits::CHOICES)
        .collect()
}

/// The message posted to the admin channel after a knowledge reload: the counts when the new
/// content went live, or every error as `path:line:column` when it was refused. Paths are
/// shown relative to the knowledge folder.
pub fn reload_notice(outcome: &ReloadOutcome, root: &Path) -> Rendered {
    let relative = |d: &signpost::knowledge::Diagnostic| {
        let path = d.path.strip_prefix(root).unwrap_or(&d.path);
        let severity = match d.severity {
            signpost::knowledge::Severity::Error => "error",
            signpost::knowledge::Severity::Warning => "warning",
        };
        format!(
            "{}:{}:{}: {severity}: {}",
            path.display(),
            d.line,
            d.column,
            d.message
        )
    };
    let (head, lines): (String, Vec<String>) = match outcome {
        ReloadOutcome::Loaded { report } => (
            format!(
                "Knowledge reloaded: {} entries are live ({} services, {} topics), {} warning{}.",
                report.entries,
                report.services,
                report.topics,
                report.warnings(),
                if report.warnings() == 1 { "" } else { "s" }
            ),
            report.diagnostics.iter().map(relative).collect(),
        ),
        ReloadOutcome::Rejected { report, message } => {
            let errors: Vec<String> = report
                .diagnostics
                .iter()
                .filter(|d| d.severity == signpost::knowledge::Severity::Error)
                .map(relative)
                .collect();
            let lines = if errors.is_empty() {
                vec![message.clone()]
            } else {
                errors
            };
            (
                format!(
                    "Knowledge reload refused: the previous content stays live. Fix {} and save again:",
                    if lines.len() == 1 { "this" } else { "these" }
                ),
                lines,
            )
        }
    };
    Rendered::text(code_block_list(&head, &lines, limits::CONTENT))
}

/// `head`, then as many `lines` as fit in a code block within `max` characters, then how
/// many were left out.
fn code_block_list(head: &str, lines: &[String], max: usize) -> String {
    if lines.is_empty() {
        return truncate(head, max);
    }
    let head = truncate(head, max / 2);
    let fence = "```";
    let mut shown: Vec<String> = Vec::new();
    let budget = |shown: &[String], extra: usize| {
        let body: usize = shown.iter().map(|l| chars(l) + 1).sum();
        chars(&head) + 1 + fence.len() + 1 + body + fence.len() + extra
    };
    for (i, line) in lines.iter().enumerate() {
        let line = truncate(&line.replace("```", "'''"), 300);
        let left = lines.len() - i - 1;
        let tail = if left > 0 { 40 } else { 0 };
        if budget(&shown, chars(&line) + 1 + tail) > max {
            break;
        }
        shown.push(line);
    }
    let mut out = format!("{head}\n{fence}\n");
    for line in &shown {
        out.push_str(line);
        out.push('\n');
    }
    out.push_str(fence);
    let left = lines.len() - shown.len();
    if left > 0 {
        out.push_str(&format!("\n…and {left} more"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defuses_mass_mentions() {
        assert_eq!(
            defuse("@everyone hi @here"),
            "@\u{200B}everyone hi @\u{200B}here"
        );
    }

    #[test]
    fn headings_become_bold() {
        assert_eq!(
            discord_markdown("## What happens\ntext"),
            "**What happens**\ntext"
        );
    }

    #[test]
    fn long_lists_stay_inside_the_limit() {
        let lines: Vec<String> = (0..500)
            .map(|i| format!("services/x{i}.md:1:1: error: something is wrong here"))
            .collect();
        let text = code_block_list("Refused:", &lines, 2000);
        assert!(chars(&text) <= 2000, "{}", chars(&text));
        assert!(text.contains("```\n…and"));
        assert!(text.ends_with("more"));
    }

    #[test]
    fn fit_drops_empty_parts_and_duplicate_buttons() {
        let rendered = Rendered {
            content: Some("  ".into()),
            embeds: vec![Embed {
                title: Some("T".into()),
                url: Some("not a url".into()),
                fields: vec![Field {
                    name: "".into(),
                    value: "v".into(),
                    inline: false,
                }],
                ..Embed::default()
            }],
            buttons: vec![
                Button {
                    custom_id: "menu".into(),
                    label: "A".into(),
                    style: Style::Secondary,
                },
                Button {
                    custom_id: "menu".into(),
                    label: "B".into(),
                    style: Style::Secondary,
                },
            ],
        }
        .fit();
        assert_eq!(rendered.content, None);
        assert_eq!(rendered.embeds[0].url, None);
        assert!(rendered.embeds[0].fields.is_empty());
        assert_eq!(rendered.buttons.len(), 1);
    }
}
