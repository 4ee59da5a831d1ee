//! A [`Reply`] as Telegram messages: HTML parse mode text plus an inline keyboard.
//!
//! Everything that comes from the knowledge folder (or anywhere else) is escaped before it is
//! put between tags, so no entry can break parse mode. Tags never span a line break, so a
//! reply can always be split on paragraph or line boundaries without cutting a tag or an
//! entity; the rare line that is longer than a whole message is split on a space with its open
//! tags closed and reopened.

mod html;
mod keyboard;
mod split;

pub use html::{escape, markdown, plain_text};
pub use keyboard::{
    MAX_BUTTONS, MAX_CALLBACK_DATA, keyboard, keyboard_with_feedback, without_feedback,
};
pub use split::{Limit, split_blocks, utf16_len, visible_len};

use html::link_html;
use signpost::assistant::conversation::About;
use signpost::reply::{Card, Contact, ContactKind, Reply, Suggestion};
use teloxide::types::InlineKeyboardMarkup;

/// Telegram's limit on one message's text, in UTF-16 code units after entity parsing. The
/// renderer keeps the HTML source itself within it, which is stricter.
pub const MAX_MESSAGE_LEN: usize = 4096;

/// The most a message shows, in UTF-16 code units of visible text: about a phone screen and a
/// half, and below the length at which some clients stop making phone numbers tappable.
pub const MAX_VISIBLE_LEN: usize = 1000;

/// The limits every message is cut to.
pub const LIMIT: Limit = Limit {
    visible: MAX_VISIBLE_LEN,
    html: MAX_MESSAGE_LEN,
};

/// One message to send: HTML text and, on the last part of a reply, its buttons.
#[derive(Debug, Clone, PartialEq)]
pub struct OutgoingMessage {
    /// Text for `parse_mode = HTML`, at most [`MAX_MESSAGE_LEN`] UTF-16 code units.
    pub html: String,
    /// The follow-up buttons.
    pub keyboard: Option<InlineKeyboardMarkup>,
}

/// Renders a reply: safety notice first, then the lead, then the cards, then the buttons.
/// Long replies are split into several messages; the buttons go under the last one.
pub fn render(reply: &Reply) -> Vec<OutgoingMessage> {
    with_keyboard(reply_blocks(reply), reply_keyboard(reply), LIMIT)
}

/// Like [`render`], with a plain-text note (escaped here) shown before everything else.
pub fn render_with_note(note: &str, reply: &Reply) -> Vec<OutgoingMessage> {
    let mut blocks = paragraphs(note);
    blocks.extend(reply_blocks(reply));
    with_keyboard(blocks, reply_keyboard(reply), LIMIT)
}

/// A reply's buttons, with the "Helpful" / "Not helpful" pair on a last row when it has one.
fn reply_keyboard(reply: &Reply) -> Option<InlineKeyboardMarkup> {
    keyboard_with_feedback(&reply.buttons(), &reply.feedback)
}

/// `/about`: the core's wording, headed sections, then `platform_note` (what Telegram itself
/// keeps), with the menu and emergency-lines buttons.
pub fn render_about(about: &About, platform_note: &str) -> Vec<OutgoingMessage> {
    let blocks = vec![
        format!("<b>{}</b>\n{}", escape(&about.title), escape(&about.what)),
        escape(&about.not_emergency),
        format!(
            "<b>Your privacy</b>\n{}",
            escape(format!("{} {platform_note}", about.privacy).trim_end())
        ),
        format!(
            "<b>Where the information comes from</b>\n{}",
            escape(&about.source)
        ),
    ];
    render_blocks(blocks, &about.suggestions, LIMIT)
}

/// Splits blocks into messages within `limit` and puts the keyboard on the last one.
pub fn render_blocks(
    blocks: Vec<String>,
    suggestions: &[Suggestion],
    limit: Limit,
) -> Vec<OutgoingMessage> {
    with_keyboard(blocks, keyboard(suggestions), limit)
}

/// Splits blocks into messages within `limit` and puts `keyboard` on the last one.
fn with_keyboard(
    blocks: Vec<String>,
    keyboard: Option<InlineKeyboardMarkup>,
    limit: Limit,
) -> Vec<OutgoingMessage> {
    let mut parts: Vec<OutgoingMessage> = split_blocks(&blocks, limit)
        .into_iter()
        .map(|html| OutgoingMessage {
            html,
            keyboard: None,
        })
        .collect();
    if parts.is_empty() && keyboard.is_some() {
        // A message needs some text to carry its buttons.
        parts.push(OutgoingMessage {
            html: "Please choose:".into(),
            keyboard: None,
        });
    }
    if let Some(last) = parts.last_mut() {
        last.keyboard = keyboard;
    }
    parts
}

/// The blocks (paragraphs, each self-contained HTML) of a reply, in reading order.
pub fn reply_blocks(reply: &Reply) -> Vec<String> {
    let mut blocks = Vec::new();
    if let Some(notice) = &reply.safety {
        let mut head = format!("🆘 <b>{}</b>", escape(&notice.title));
        if let Some((first, rest)) = notice.messages.split_first() {
            head.push('\n');
            head.push_str(&escape(first));
            blocks.push(head);
            blocks.extend(rest.iter().map(|m| escape(m)));
        } else {
            blocks.push(head);
        }
        blocks.extend(notice.cards.iter().map(card_block));
    }
    // A plausible risk below the crisis threshold: one line above the answer.
    if let Some(concern) = reply.concern_to_show() {
        blocks.push(format!("<b>{}</b>", escape(concern.message.trim())));
    }
    blocks.extend(paragraphs(&reply.lead));
    for card in &reply.cards {
        blocks.push(card_block(card));
        if let Some(body) = &card.body {
            blocks.extend(markdown(body));
        }
    }
    // None of the lines shown is open: the 24-hour line that is.
    if let Some(open) = &reply.open_line {
        blocks.push(format!("🟢 <b>{}</b>", escape(open.message.trim())));
    }
    blocks
}

/// Plain text, escaped, one block per paragraph (blank-line separated).
fn paragraphs(text: &str) -> Vec<String> {
    text.replace("\r\n", "\n")
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(escape)
        .collect()
}

/// One card: the title in bold (a link to its website, when it has one), the summary when
/// the reply has not said it already, then each contact on its own line.
pub fn card_block(card: &Card) -> String {
    let title = escape(card.title.trim());
    let link = card.link.as_deref().filter(|l| html::is_web_url(l));
    let mut out = match link {
        Some(link) => format!("<b>{}</b>", link_html(link, card.title.trim())),
        None => format!("<b>{title}</b>"),
    };
    let summary = card.summary.trim();
    if !summary.is_empty() {
        out.push('\n');
        out.push_str(&escape(summary));
    }
    // The website is the title's link: no line of its own.
    let contacts = card
        .contacts
        .iter()
        .filter(|c| !(c.kind == ContactKind::Web && Some(c.value.trim()) == link));
    for contact in contacts {
        out.push('\n');
        out.push_str(&contact_line(contact));
    }
    out
}

/// One contact on one line, as what to do, with its label, hours and whether it is open now:
/// the kind of contact in words ("Call", "Text", "Web chat", ...) so that a screen reader says
/// what the line is, e.g. `Call <b>0800 254 0088</b> · Freephone helpline <i>(Monday to
/// Friday, 9am to 5pm)</i> · Closed now: opens Monday at 9am`.
pub fn contact_line(contact: &Contact) -> String {
    let value = contact.value.trim();
    let label = contact.label_text();
    let word = contact.kind.word();
    let mut line = if let Some(said) = contact.label_with_value() {
        // "Call 999 from a mobile and dial 55 when you are prompted": 55 is not for dialling.
        escape(said)
    } else if let Some(start) = contact.label_before_value() {
        format!("{} <b>{}</b>", escape(start), escape(value))
    } else {
        match (contact.kind, label) {
            (ContactKind::Phone | ContactKind::Text, Some(l)) => {
                format!("{word} <b>{}</b> · {}", escape(value), escape(l))
            }
            (ContactKind::Phone | ContactKind::Text, None) => {
                format!("{word} <b>{}</b>", escape(value))
            }
            (ContactKind::Web | ContactKind::Webchat, Some(l)) if contact.label_names_kind() => {
                link_html(value, l)
            }
            (ContactKind::Web | ContactKind::Webchat, l) => {
                format!("{word}: {}", link_html(value, l.unwrap_or(value)))
            }
            // "Write a letter: Freepost ...", "Dumfries office: Council Offices, ...".
            (_, Some(l)) => format!("{}: {}", escape(l), escape(value)),
            (_, None) => format!("{word}: {}", escape(value)),
        }
    };
    if let Some(hours) = contact.hours_text() {
        line.push_str(&format!(" <i>({})</i>", escape(hours)));
    }
    if let Some(status) = &contact.status {
        let mark = if status.open_now { "🟢" } else { "🔴" };
        line.push_str(&format!(" · {mark} {}", escape(&status.label)));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact(
        kind: ContactKind,
        value: &str,
        label: Option<&str>,
        hours: Option<&str>,
    ) -> Contact {
        Contact {
            label: label.map(Into::into),
            hours: hours.map(Into::into),
            ..Contact::new(kind, value)
        }
    }

    #[test]
    fn contact_lines_say_what_to_do_in_words() {
        let phone = contact(
            ContactKind::Phone,
            "0800 254 0088",
            Some("Freephone helpline"),
            Some("Monday to Friday, 9am to 5pm"),
        );
        assert_eq!(
            contact_line(&phone),
            "Call <b>0800 254 0088</b> · Freephone helpline <i>(Monday to Friday, 9am to 5pm)</i>"
        );
        let text = contact(
            ContactKind::Text,
            "85258",
            Some("Text SHOUT to"),
            Some("24/7"),
        );
        assert_eq!(
            contact_line(&text),
            "Text SHOUT to <b>85258</b> <i>(24/7)</i>"
        );
        let web = contact(
            ContactKind::Web,
            "https://example.org/?a=1&b=\"2\"",
            Some("Site <new>"),
            None,
        );
        assert_eq!(
            contact_line(&web),
            "Website: <a href=\"https://example.org/?a=1&amp;b=&quot;2&quot;\">Site &lt;new&gt;</a>"
        );
        let named = contact(
            ContactKind::Web,
            "https://x.org/",
            Some("The X website"),
            None,
        );
        assert_eq!(
            contact_line(&named),
            "<a href=\"https://x.org/\">The X website</a>"
        );
        let odd = contact(ContactKind::Web, "javascript:alert(1)", None, None);
        assert_eq!(contact_line(&odd), "Website: javascript:alert(1)");
        let email = contact(ContactKind::Email, "help@example.org", None, Some(" "));
        assert_eq!(contact_line(&email), "Email: help@example.org");
        let address = contact(ContactKind::Address, "1 High St & Co", Some("Office"), None);
        assert_eq!(contact_line(&address), "Office: 1 High St &amp; Co");
        let bare = contact(ContactKind::Phone, "101", None, Some("24 hours"));
        assert_eq!(contact_line(&bare), "Call <b>101</b> <i>(24 hours)</i>");
        // 55 is what to press after dialling 999, not a number to dial: its label says so.
        let silent = contact(
            ContactKind::Phone,
            "55",
            Some(
                "Too dangerous to speak? Call 999 from a mobile and dial 55 when you are prompted",
            ),
            None,
        );
        assert_eq!(
            contact_line(&silent),
            "Too dangerous to speak? Call 999 from a mobile and dial 55 when you are prompted"
        );
        // Words, never an icon alone.
        for c in [phone, text, web, email, address, bare] {
            assert!(
                !contact_line(&c).starts_with(|ch: char| !ch.is_ascii()),
                "{c:?}"
            );
        }
    }

    fn card(id: &str, title: &str) -> Card {
        Card {
            id: id.into(),
            kind: signpost::reply::Kind::Service,
            title: title.into(),
            summary: format!("About {title} & more."),
            contacts: vec![contact(ContactKind::Phone, "0000 000 000", None, None)],
            link: Some("https://example.org/".into()),
            area: None,
            reviewed: signpost::reply::Date {
                year: 2026,
                month: 1,
                day: 1,
            },
            body: None,
        }
    }

    fn reply() -> Reply {
        use signpost::reply::{Intent, SafetyNotice};
        Reply {
            intent: Intent::Question,
            safety: Some(SafetyNotice {
                categories: vec!["suicide-self-harm".into()],
                title: "If you are thinking about suicide".into(),
                messages: vec!["Call 999 in danger.".into(), "Samaritans: 116 123.".into()],
                cards: vec![card("samaritans", "Samaritans")],
                asked: false,
            }),
            concern: None,
            lead: "You might also find these useful.".into(),
            cards: vec![card("other", "Other <service>")],
            suggestions: vec![
                Suggestion {
                    label: "Emergency lines".into(),
                    action: signpost::Action::Crisis,
                },
                Suggestion {
                    label: "Too long".into(),
                    action: signpost::Action::Entry("x".repeat(80)),
                },
                Suggestion {
                    label: "Other".into(),
                    action: signpost::Action::Entry("other".into()),
                },
            ],
            fallback: false,
            results: Vec::new(),
            audience: None,
            town: None,
            open_line: None,
            feedback: Vec::new(),
        }
    }

    #[test]
    fn safety_comes_first_then_lead_then_cards_then_buttons() {
        let parts = render(&reply());
        assert_eq!(parts.len(), 1);
        let html = &parts[0].html;
        assert!(
            html.starts_with("🆘 <b>If you are thinking about suicide</b>\nCall 999 in danger.")
        );
        let at = |s: &str| html.find(s).unwrap_or_else(|| panic!("{s} in {html}"));
        assert!(at("116 123") < at(">Samaritans</a></b>"));
        assert!(at(">Samaritans</a></b>") < at("You might also find"));
        assert!(at("You might also find") < at(">Other &lt;service&gt;</a></b>"));
        assert!(html.contains("About Other &lt;service&gt; &amp; more."));
        // The title links to the website.
        assert!(html.contains("<b><a href=\"https://example.org/\">Other &lt;service&gt;</a></b>"));
        let keyboard = parts[0].keyboard.as_ref().unwrap();
        let data: Vec<String> = keyboard
            .inline_keyboard
            .iter()
            .map(|row| match &row[0].kind {
                teloxide::types::InlineKeyboardButtonKind::CallbackData(d) => d.clone(),
                other => panic!("{other:?}"),
            })
            .collect();
        // Callback data over 64 bytes is dropped, not sent broken.
        assert_eq!(data, ["crisis", "e:other"]);
    }

    #[test]
    fn long_replies_split_with_buttons_on_the_last_part_only() {
        let mut reply = reply();
        reply.cards[0].body = Some(
            (0..60)
                .map(|i| {
                    format!("Paragraph {i}: **bold** & <angle> text that goes on for a while.")
                })
                .collect::<Vec<_>>()
                .join("\n\n"),
        );
        let blocks = reply_blocks(&reply);
        let parts = render_blocks(blocks, &reply.suggestions, Limit::html(500));
        assert!(parts.len() > 5);
        for (i, part) in parts.iter().enumerate() {
            assert!(utf16_len(&part.html) <= 500);
            assert_eq!(part.keyboard.is_some(), i + 1 == parts.len());
            assert_eq!(
                part.html.matches("<b>").count(),
                part.html.matches("</b>").count()
            );
        }
        let all: String = parts
            .iter()
            .map(|p| p.html.as_str())
            .collect::<Vec<_>>()
            .join("\n\n");
        assert!(all.contains("Paragraph 0: <b>bold</b> &amp; &lt;angle&gt;"));
        assert!(all.find("Paragraph 10:").unwrap() < all.find("Paragraph 59:").unwrap());
    }

    #[test]
    fn a_note_comes_first_and_buttons_need_text() {
        let parts = render_with_note("Hello <you> & me", &reply());
        assert!(
            parts[0]
                .html
                .starts_with("Hello &lt;you&gt; &amp; me\n\n🆘")
        );
        let only_buttons = render_blocks(Vec::new(), &reply().suggestions, LIMIT);
        assert_eq!(only_buttons.len(), 1);
        assert!(!only_buttons[0].html.is_empty());
        assert!(render_blocks(Vec::new(), &[], LIMIT).is_empty());
    }
}
