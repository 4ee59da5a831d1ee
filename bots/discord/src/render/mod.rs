//! The one renderer: a core [`signpost::Reply`] (or the bot's own notices) becomes embeds and buttons
//! that fit Discord's limits, then serenity builders for the gateway mode or JSON for the
//! interactions endpoint mode. Pure: no I/O, no clock beyond what it is given.
//!
//! - this module: the message model ([`Rendered`]), cutting to Discord's limits, serenity
//!   builders;
//! - [`embeds`]: a reply's notices, cards and buttons;
//! - [`notices`]: `/about`, autocomplete choices and the admin channel's reload notices.

mod embeds;
mod notices;

pub use embeds::{button, card_embed, contact_kind, press_town, reply, status_line};
pub use notices::{about, choices, reload_notice, towns};

use crate::limits::{self, chars, truncate};
use serenity::all::{
    ButtonStyle, CreateActionRow, CreateAllowedMentions, CreateButton, CreateEmbed,
    CreateEmbedFooter, CreateInteractionResponseMessage, CreateMessage, EditInteractionResponse,
};
use std::collections::HashSet;

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
    /// The "Helpful" / "Not helpful" pair, on a row of its own under the other buttons.
    pub feedback: Vec<Button>,
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
        let mut usable = |buttons: Vec<Button>| -> Vec<Button> {
            buttons
                .into_iter()
                .filter(|b| chars(&b.custom_id) <= limits::CUSTOM_ID && !b.custom_id.is_empty())
                .filter(|b| seen.insert(b.custom_id.clone()))
                .filter_map(|b| {
                    Some(Button {
                        label: clean(Some(b.label), limits::BUTTON_LABEL)?,
                        ..b
                    })
                })
                .collect()
        };
        let mut buttons = usable(std::mem::take(&mut self.buttons));
        let mut feedback = usable(std::mem::take(&mut self.feedback));
        feedback.truncate(limits::BUTTONS_PER_ROW);
        // The pair takes the last row; the other buttons keep the rows above it.
        let rows = limits::ROWS - usize::from(!feedback.is_empty());
        buttons.truncate(rows * limits::BUTTONS_PER_ROW);
        self.buttons = buttons;
        self.feedback = feedback;
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

    /// Serenity action rows of buttons, five to a row, then the feedback pair on its own.
    pub fn create_rows(&self) -> Vec<CreateActionRow> {
        self.buttons
            .chunks(limits::BUTTONS_PER_ROW)
            .chain((!self.feedback.is_empty()).then_some(self.feedback.as_slice()))
            .map(|row| CreateActionRow::Buttons(row.iter().map(create_button).collect()))
            .collect()
    }

    /// A change to the message a button was on (interaction response type 7) that sets its
    /// text and its buttons and leaves its embeds as they are.
    pub fn amend_message(&self) -> CreateInteractionResponseMessage {
        CreateInteractionResponseMessage::new()
            .content(self.content.clone().unwrap_or_default())
            .components(self.create_rows())
            .allowed_mentions(no_mentions())
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
            feedback: Vec::new(),
        }
        .fit();
        assert_eq!(rendered.content, None);
        assert_eq!(rendered.embeds[0].url, None);
        assert!(rendered.embeds[0].fields.is_empty());
        assert_eq!(rendered.buttons.len(), 1);
    }

    #[test]
    fn the_feedback_pair_keeps_a_row_of_its_own() {
        let button = |id: String| Button {
            custom_id: id,
            label: "x".into(),
            style: Style::Secondary,
        };
        let rendered = Rendered {
            content: Some("text".into()),
            buttons: (0..30).map(|i| button(format!("e:{i}"))).collect(),
            feedback: vec![button("f:ya:a".into()), button("f:na:a".into())],
            ..Rendered::default()
        }
        .fit();
        assert_eq!(rendered.buttons.len(), 20, "four rows of five");
        assert_eq!(rendered.feedback.len(), 2);
        let rows = serde_json::to_value(rendered.create_rows()).unwrap();
        let rows = rows.as_array().unwrap();
        assert_eq!(rows.len(), 5);
        let last: Vec<&str> = rows[4]["components"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["custom_id"].as_str().unwrap())
            .collect();
        assert_eq!(last, ["f:ya:a", "f:na:a"]);
        // The amendment carries text and buttons, and leaves the embeds alone.
        let amend = serde_json::to_value(rendered.amend_message()).unwrap();
        assert!(amend.get("embeds").is_none(), "{amend}");
        assert_eq!(amend["content"], "text");
    }
}
