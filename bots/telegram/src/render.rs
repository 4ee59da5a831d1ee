//! A [`Reply`] as Telegram messages: HTML parse mode text plus an inline keyboard.
//!
//! Everything that comes from the knowledge folder (or anywhere else) is escaped before it is
//! put between tags, so no entry can break parse mode. Tags never span a line break, so a
//! reply can always be split on paragraph or line boundaries without cutting a tag or an
//! entity; the rare line that is longer than a whole message is split on a space with its open
//! tags closed and reopened.

use signpost::knowledge::{Contact, ContactKind};
use signpost::reply::{Card, Reply, Suggestion};
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

/// Telegram's limit on one message's text, in UTF-16 code units after entity parsing. The
/// renderer keeps the HTML source itself within it, which is stricter.
pub const MAX_MESSAGE_LEN: usize = 4096;

/// Telegram's limit on a button's callback data, in bytes.
pub const MAX_CALLBACK_DATA: usize = 64;

/// At most this many buttons under one message.
pub const MAX_BUTTONS: usize = 12;

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
    render_blocks(reply_blocks(reply), &reply.suggestions, MAX_MESSAGE_LEN)
}

/// Like [`render`], with a plain-text note (escaped here) shown before everything else.
pub fn render_with_note(note: &str, reply: &Reply) -> Vec<OutgoingMessage> {
    let mut blocks = paragraphs(note);
    blocks.extend(reply_blocks(reply));
    render_blocks(blocks, &reply.suggestions, MAX_MESSAGE_LEN)
}

/// Splits blocks into messages of at most `limit` and puts the keyboard on the last one.
pub fn render_blocks(
    blocks: Vec<String>,
    suggestions: &[Suggestion],
    limit: usize,
) -> Vec<OutgoingMessage> {
    let mut parts: Vec<OutgoingMessage> = split_blocks(&blocks, limit)
        .into_iter()
        .map(|html| OutgoingMessage {
            html,
            keyboard: None,
        })
        .collect();
    let keyboard = keyboard(suggestions);
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
    blocks.extend(paragraphs(&reply.lead));
    for card in &reply.cards {
        blocks.push(card_block(card));
        if let Some(body) = &card.body {
            blocks.extend(markdown(body));
        }
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

/// One card: the title in bold, the summary, then each contact on its own line.
pub fn card_block(card: &Card) -> String {
    let mut out = format!("<b>{}</b>", escape(card.title.trim()));
    let summary = card.summary.trim();
    if !summary.is_empty() {
        out.push('\n');
        out.push_str(&escape(summary));
    }
    for contact in &card.contacts {
        out.push('\n');
        out.push_str(&contact_line(contact));
    }
    if let Some(link) = &card.link
        && !card.contacts.iter().any(|c| c.value == *link)
    {
        out.push_str("\n🔗 ");
        out.push_str(&link_html(link, "More information"));
    }
    out
}

/// One contact on one line, with its label and hours, e.g.
/// `📞 <b>0800 254 0088</b> · Freephone helpline (Monday to Friday, 9am to 5pm)`.
pub fn contact_line(contact: &Contact) -> String {
    let value = contact.value.trim();
    let label = contact
        .label
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty());
    let mut line = match contact.kind {
        ContactKind::Phone | ContactKind::Text => {
            let icon = if contact.kind == ContactKind::Phone {
                "📞"
            } else {
                "💬"
            };
            match label {
                // "Text SHOUT to" reads best before the number.
                Some(l) if l.to_lowercase().ends_with(" to") => {
                    format!("{icon} {} <b>{}</b>", escape(l), escape(value))
                }
                Some(l) => format!("{icon} <b>{}</b> · {}", escape(value), escape(l)),
                None => format!("{icon} <b>{}</b>", escape(value)),
            }
        }
        ContactKind::Web | ContactKind::Webchat => {
            let icon = if contact.kind == ContactKind::Web {
                "🌐"
            } else {
                "💻"
            };
            format!("{icon} {}", link_html(value, label.unwrap_or(value)))
        }
        ContactKind::Email | ContactKind::Address => {
            let icon = if contact.kind == ContactKind::Email {
                "✉️"
            } else {
                "📍"
            };
            match label {
                Some(l) => format!("{icon} {} · {}", escape(value), escape(l)),
                None => format!("{icon} {}", escape(value)),
            }
        }
    };
    if let Some(hours) = contact
        .hours
        .as_deref()
        .map(str::trim)
        .filter(|h| !h.is_empty())
    {
        line.push_str(&format!(" <i>({})</i>", escape(hours)));
    }
    line
}

/// A link when the address is http(s), otherwise the text alone (Telegram rejects other
/// schemes, and nothing else belongs in a link).
fn link_html(url: &str, text: &str) -> String {
    let url = url.trim();
    if is_web_url(url) {
        format!("<a href=\"{}\">{}</a>", escape(url), escape(text))
    } else if text == url {
        escape(text)
    } else {
        format!("{} ({})", escape(text), escape(url))
    }
}

fn is_web_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://"))
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Escapes text for Telegram's HTML parse mode (also safe inside a quoted attribute).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            // Control characters other than line breaks and tabs have no place in a message.
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// The buttons: one per row (labels are long sentences), callback data from
/// [`signpost::Action::encode`]. Buttons whose data would not fit Telegram's 64 bytes are left
/// off rather than sent broken.
pub fn keyboard(suggestions: &[Suggestion]) -> Option<InlineKeyboardMarkup> {
    let rows: Vec<Vec<InlineKeyboardButton>> = suggestions
        .iter()
        .filter_map(|s| {
            let data = s.action.encode();
            if data.len() > MAX_CALLBACK_DATA {
                tracing::warn!(event = "button_dropped", reason = "callback_data_too_long");
                return None;
            }
            let label = s.label.trim();
            let label = if label.is_empty() { "More" } else { label };
            Some(vec![InlineKeyboardButton::callback(
                label.to_string(),
                data,
            )])
        })
        .take(MAX_BUTTONS)
        .collect();
    (!rows.is_empty()).then(|| InlineKeyboardMarkup::new(rows))
}

/// The Markdown body of an entry as Telegram HTML blocks: paragraphs, `- ` lists, numbered
/// lists, `#` headings, `**bold**`, `*italic*`, `` `code` `` and `[text](https://...)`.
/// Anything else is shown as written, escaped.
pub fn markdown(body: &str) -> Vec<String> {
    let body = body.replace("\r\n", "\n");
    let mut blocks = Vec::new();
    for paragraph in body.split("\n\n") {
        let lines: Vec<String> = paragraph
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(markdown_line)
            .collect();
        if !lines.is_empty() {
            blocks.push(lines.join("\n"));
        }
    }
    blocks
}

fn markdown_line(line: &str) -> String {
    if let Some(rest) = line.strip_prefix('#') {
        let text = rest.trim_start_matches('#').trim();
        if !text.is_empty() {
            return format!("<b>{}</b>", inline(text.trim_end_matches('#').trim()));
        }
    }
    for bullet in ["- ", "* ", "+ "] {
        if let Some(rest) = line.strip_prefix(bullet) {
            return format!("• {}", inline(rest.trim()));
        }
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    if digits > 0
        && digits < 4
        && let Some(rest) = line[digits..].strip_prefix(". ")
    {
        return format!("{}. {}", &line[..digits], inline(rest.trim()));
    }
    inline(line)
}

/// Inline Markdown on one line. Tags opened here always close on the same line.
fn inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix("**")
            && let Some(end) = after.find("**")
            && end > 0
            && !after[..end].trim().is_empty()
        {
            out.push_str("<b>");
            out.push_str(&inline_plain_links(&after[..end]));
            out.push_str("</b>");
            rest = &after[end + 2..];
            continue;
        }
        if c == '*'
            && let Some(after) = rest.strip_prefix('*')
            && after.starts_with(|c: char| !c.is_whitespace() && c != '*')
            && let Some(end) = after.find('*')
            && !after[..end].ends_with(char::is_whitespace)
        {
            out.push_str("<i>");
            out.push_str(&inline_plain_links(&after[..end]));
            out.push_str("</i>");
            rest = &after[end + 1..];
            continue;
        }
        if c == '`'
            && let Some(end) = rest[1..].find('`')
            && end > 0
        {
            out.push_str("<code>");
            out.push_str(&escape(&rest[1..1 + end]));
            out.push_str("</code>");
            rest = &rest[end + 2..];
            continue;
        }
        if c == '['
            && let Some((html, used)) = markdown_link(rest)
        {
            out.push_str(&html);
            rest = &rest[used..];
            continue;
        }
        out.push_str(&escape(&rest[..c.len_utf8()]));
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Inside bold or italic: links only, no further nesting.
fn inline_plain_links(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c == '['
            && let Some((html, used)) = markdown_link(rest)
        {
            out.push_str(&html);
            rest = &rest[used..];
            continue;
        }
        out.push_str(&escape(&rest[..c.len_utf8()]));
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// `[text](url)` at the start of `s`: the HTML and how many bytes it used.
fn markdown_link(s: &str) -> Option<(String, usize)> {
    let close = s.find("](")?;
    let text = &s[1..close];
    if text.is_empty() || text.contains('[') {
        return None;
    }
    let url_start = close + 2;
    let url_len = s[url_start..].find(')')?;
    let url = &s[url_start..url_start + url_len];
    if !is_web_url(url) {
        return None;
    }
    Some((link_html(url, text), url_start + url_len + 1))
}

/// Length as Telegram counts it: UTF-16 code units.
pub fn utf16_len(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}

/// Packs blocks into messages of at most `limit` UTF-16 units, joining blocks with a blank
/// line. A block longer than a message is split on its lines, and a line longer than a
/// message on a space (never inside a tag or an entity; open tags are closed and reopened).
pub fn split_blocks(blocks: &[String], limit: usize) -> Vec<String> {
    pack(
        blocks.iter().flat_map(|block| fit_block(block, limit)),
        "\n\n",
        limit,
    )
}

/// A block as pieces of at most `limit`, packing its lines back together where they fit.
fn fit_block(block: &str, limit: usize) -> Vec<String> {
    let block = block.trim();
    if block.is_empty() {
        return Vec::new();
    }
    if utf16_len(block) <= limit {
        return vec![block.to_string()];
    }
    let lines = block
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty())
        .flat_map(|line| {
            if utf16_len(line) <= limit {
                vec![line.to_string()]
            } else {
                split_line(line, limit)
            }
        });
    pack(lines, "\n", limit)
}

/// Joins pieces (each at most `limit`) with `separator`, in order, into as few parts of at
/// most `limit` UTF-16 units as greedy packing gives.
fn pack(pieces: impl IntoIterator<Item = String>, separator: &str, limit: usize) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    for piece in pieces {
        if current.is_empty() {
            current = piece;
        } else if utf16_len(&current) + utf16_len(separator) + utf16_len(&piece) <= limit {
            current.push_str(separator);
            current.push_str(&piece);
        } else {
            parts.push(std::mem::replace(&mut current, piece));
        }
    }
    if !current.is_empty() {
        parts.push(current);
    }
    parts
}

/// One token of HTML: a whole tag, a whole entity, or one character.
fn next_token(s: &str) -> usize {
    let first = s.chars().next().map_or(0, char::len_utf8);
    match s.as_bytes().first() {
        Some(b'<') => s.find('>').map_or(first, |i| i + 1),
        Some(b'&') => match s[1..].find(';') {
            Some(i)
                if i <= 10
                    && s[1..1 + i]
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '#') =>
            {
                i + 2
            }
            _ => first,
        },
        _ => first,
    }
}

/// The name of an opening tag, or `None` for a closing tag.
fn open_tag_name(tag: &str) -> Option<&str> {
    let inner = tag.strip_prefix('<')?.strip_suffix('>')?;
    if inner.starts_with('/') {
        return None;
    }
    Some(
        inner
            .split(|c: char| c.is_whitespace())
            .next()
            .unwrap_or(inner),
    )
}

fn closers(stack: &[(String, String)]) -> String {
    stack
        .iter()
        .rev()
        .map(|(name, _)| format!("</{name}>"))
        .collect()
}

fn openers(stack: &[(String, String)]) -> String {
    stack.iter().map(|(_, open)| open.as_str()).collect()
}

/// Splits one line of HTML (tags balanced within it) into chunks of at most `limit`.
fn split_line(line: &str, limit: usize) -> Vec<String> {
    let mut chunks = Vec::new();
    let mut rest = line.to_string();
    while utf16_len(&rest) > limit {
        let Some((head, tail)) = take_prefix(&rest, limit) else {
            break;
        };
        if has_text(&head) {
            chunks.push(head);
        }
        if tail.len() >= rest.len() {
            break; // no progress: give up rather than loop
        }
        rest = tail;
    }
    if has_text(&rest) {
        chunks.push(rest);
    }
    chunks
}

/// True when the HTML shows anything once tags are removed.
fn has_text(html: &str) -> bool {
    let mut rest = html;
    while !rest.is_empty() {
        let n = next_token(rest);
        let token = &rest[..n];
        if !token.starts_with('<') && !token.trim().is_empty() {
            return true;
        }
        rest = &rest[n..];
    }
    false
}

/// The longest prefix that fits in `limit` with its open tags closed, preferably ending at
/// a space, and the rest with those tags reopened.
fn take_prefix(s: &str, limit: usize) -> Option<(String, String)> {
    type Stack = Vec<(String, String)>;
    let mut stack: Stack = Vec::new();
    let mut pos = 0;
    let mut used = 0; // UTF-16 length of s[..pos]
    let mut seen_text = false;
    let mut at_space: Option<(usize, Stack)> = None;
    let mut anywhere: Option<(usize, Stack)> = None;
    while pos < s.len() {
        let n = next_token(&s[pos..]);
        let token = &s[pos..pos + n];
        if token.starts_with("</") {
            stack.pop();
        } else if token.starts_with('<') {
            if let Some(name) = open_tag_name(token) {
                stack.push((name.to_string(), token.to_string()));
            }
        } else {
            seen_text = true;
        }
        pos += n;
        used += utf16_len(token);
        if used > limit {
            break;
        }
        if seen_text && used + utf16_len(&closers(&stack)) <= limit {
            if token == " " {
                at_space = Some((pos, stack.clone()));
            }
            anywhere = Some((pos, stack.clone()));
        }
    }
    // Prefer a space unless it would leave a very short chunk.
    let (cut, open) = match (at_space, anywhere) {
        (Some(space), Some(any)) if space.0 * 2 >= any.0 => space,
        (_, Some(any)) => any,
        (Some(space), None) => space,
        (None, None) => return None,
    };
    let head = format!("{}{}", s[..cut].trim_end(), closers(&open));
    let tail = format!("{}{}", openers(&open), s[cut..].trim_start());
    Some((head, tail))
}

/// The same message without parse mode: tags removed (links keep their address in
/// brackets), entities decoded. Used if Telegram ever rejects the HTML.
pub fn plain_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut href: Option<String> = None;
    let mut link_text = String::new();
    let mut rest = html;
    while !rest.is_empty() {
        let n = next_token(rest);
        let token = &rest[..n];
        rest = &rest[n..];
        let piece = if let Some(tag) = token.strip_prefix('<').and_then(|t| t.strip_suffix('>')) {
            if let Some(url) = tag
                .strip_prefix("a href=\"")
                .and_then(|t| t.strip_suffix('"'))
            {
                href = Some(unescape(url));
                link_text.clear();
            } else if tag == "/a"
                && let Some(url) = href.take()
                && link_text != url
            {
                out.push_str(&format!(" ({url})"));
            }
            continue;
        } else if token.starts_with('&') && token.ends_with(';') && token.len() > 1 {
            unescape(token)
        } else {
            token.to_string()
        };
        if href.is_some() {
            link_text.push_str(&piece);
        }
        out.push_str(&piece);
    }
    out
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_strips_tags_and_decodes_entities() {
        let html =
            "<b>Call &amp; ask</b>\n🌐 <a href=\"https://x.org/?a=1&amp;b=2\">Site</a> &lt;3";
        assert_eq!(
            plain_text(html),
            "Call & ask\n🌐 Site (https://x.org/?a=1&b=2) <3"
        );
    }

    #[test]
    fn escapes_the_three_specials_and_quotes() {
        assert_eq!(
            escape("<b>my dad</b> & \"the\" jail"),
            "&lt;b&gt;my dad&lt;/b&gt; &amp; &quot;the&quot; jail"
        );
        assert_eq!(escape("a\u{0}b\u{7}c\nd"), "abc\nd");
    }

    #[test]
    fn markdown_bold_lists_and_links() {
        let blocks = markdown(
            "**Call now** on 0800 & more.\n\nThey help with:\n- visits;\n- <kids>\n\n1. **One.** a\n2. Two\n\n## Heading\n\nSee [the site](https://example.org/?a=1&b=2) or [bad](javascript:alert(1)).",
        );
        assert_eq!(blocks[0], "<b>Call now</b> on 0800 &amp; more.");
        assert_eq!(blocks[1], "They help with:\n• visits;\n• &lt;kids&gt;");
        assert_eq!(blocks[2], "1. <b>One.</b> a\n2. Two");
        assert_eq!(blocks[3], "<b>Heading</b>");
        assert_eq!(
            blocks[4],
            "See <a href=\"https://example.org/?a=1&amp;b=2\">the site</a> or [bad](javascript:alert(1))."
        );
    }

    #[test]
    fn unpaired_markers_stay_literal() {
        assert_eq!(inline("5 ** 2 and * x"), "5 ** 2 and * x");
        assert_eq!(inline("a *b* c"), "a <i>b</i> c");
        assert_eq!(inline("`<x>`"), "<code>&lt;x&gt;</code>");
    }

    #[test]
    fn splits_a_long_line_without_breaking_tags_or_entities() {
        let word = "<b>bold &amp; brave</b> plain &lt;text&gt; ";
        let line = word.repeat(40);
        let chunks = split_line(line.trim_end(), 100);
        assert!(chunks.len() > 5);
        for chunk in &chunks {
            assert!(utf16_len(chunk) <= 100, "{chunk}");
            assert_eq!(
                chunk.matches("<b>").count(),
                chunk.matches("</b>").count(),
                "{chunk}"
            );
            // No entity is cut: every & starts a whole entity.
            for (i, _) in chunk.match_indices('&') {
                let tail = &chunk[i..];
                assert!(
                    tail.starts_with("&amp;")
                        || tail.starts_with("&lt;")
                        || tail.starts_with("&gt;"),
                    "{chunk}"
                );
            }
        }
        let rejoined: String = chunks
            .iter()
            .map(|c| c.replace("<b>", "").replace("</b>", ""))
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(
            rejoined,
            line.trim_end().replace("<b>", "").replace("</b>", "")
        );
    }

    #[test]
    fn hard_splits_a_word_longer_than_a_message() {
        let line = format!("<a href=\"https://x.org\">{}</a>", "y".repeat(250));
        let chunks = split_line(&line, 100);
        assert!(chunks.len() >= 3);
        for chunk in &chunks {
            assert!(utf16_len(chunk) <= 100);
            assert!(chunk.starts_with("<a href=\"https://x.org\">"));
            assert!(chunk.ends_with("</a>"));
        }
    }

    #[test]
    fn blocks_pack_on_paragraphs_and_lines() {
        let blocks: Vec<String> = (0..10)
            .map(|i| format!("para {i} {}", "x".repeat(30)))
            .collect();
        let parts = split_blocks(&blocks, 100);
        for part in &parts {
            assert!(utf16_len(part) <= 100);
            assert!(!part.starts_with('\n') && !part.ends_with('\n'));
        }
        assert_eq!(parts.join("\n\n"), blocks.join("\n\n"));

        let block = (0..10)
            .map(|i| format!("line {i} {}", "z".repeat(20)))
            .collect::<Vec<_>>()
            .join("\n");
        let parts = split_blocks(std::slice::from_ref(&block), 100);
        assert!(parts.len() > 1);
        assert_eq!(parts.join("\n"), block);
    }

    fn contact(
        kind: ContactKind,
        value: &str,
        label: Option<&str>,
        hours: Option<&str>,
    ) -> Contact {
        Contact {
            kind,
            value: value.into(),
            label: label.map(Into::into),
            hours: hours.map(Into::into),
        }
    }

    #[test]
    fn contact_lines_carry_value_label_and_hours() {
        let phone = contact(
            ContactKind::Phone,
            "0800 254 0088",
            Some("Freephone helpline"),
            Some("Monday to Friday, 9am to 5pm"),
        );
        assert_eq!(
            contact_line(&phone),
            "📞 <b>0800 254 0088</b> · Freephone helpline <i>(Monday to Friday, 9am to 5pm)</i>"
        );
        let text = contact(
            ContactKind::Text,
            "85258",
            Some("Text SHOUT to"),
            Some("24/7"),
        );
        assert_eq!(
            contact_line(&text),
            "💬 Text SHOUT to <b>85258</b> <i>(24/7)</i>"
        );
        let web = contact(
            ContactKind::Web,
            "https://example.org/?a=1&b=\"2\"",
            Some("Site <new>"),
            None,
        );
        assert_eq!(
            contact_line(&web),
            "🌐 <a href=\"https://example.org/?a=1&amp;b=&quot;2&quot;\">Site &lt;new&gt;</a>"
        );
        let odd = contact(ContactKind::Web, "javascript:alert(1)", None, None);
        assert_eq!(contact_line(&odd), "🌐 javascript:alert(1)");
        let email = contact(ContactKind::Email, "help@example.org", None, Some(" "));
        assert_eq!(contact_line(&email), "✉️ help@example.org");
        let address = contact(ContactKind::Address, "1 High St & Co", Some("Office"), None);
        assert_eq!(contact_line(&address), "📍 1 High St &amp; Co · Office");
        let bare = contact(ContactKind::Phone, "101", None, Some("24 hours"));
        assert_eq!(contact_line(&bare), "📞 <b>101</b> <i>(24 hours)</i>");
    }

    fn card(id: &str, title: &str) -> Card {
        Card {
            id: id.into(),
            kind: signpost::knowledge::Kind::Service,
            title: title.into(),
            summary: format!("About {title} & more."),
            contacts: vec![contact(ContactKind::Phone, "0000 000 000", None, None)],
            link: Some("https://example.org/".into()),
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
        assert!(at("116 123") < at("<b>Samaritans</b>"));
        assert!(at("<b>Samaritans</b>") < at("You might also find"));
        assert!(at("You might also find") < at("<b>Other &lt;service&gt;</b>"));
        assert!(html.contains("About Other &lt;service&gt; &amp; more."));
        // The link is not among the contacts, so it gets its own line.
        assert!(html.contains("🔗 <a href=\"https://example.org/\">More information</a>"));
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
        let parts = render_blocks(blocks, &reply.suggestions, 500);
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
        let only_buttons = render_blocks(Vec::new(), &reply().suggestions, MAX_MESSAGE_LEN);
        assert_eq!(only_buttons.len(), 1);
        assert!(!only_buttons[0].html.is_empty());
        assert!(render_blocks(Vec::new(), &[], MAX_MESSAGE_LEN).is_empty());
    }

    #[test]
    fn utf16_counts_emoji_as_two() {
        assert_eq!(utf16_len("📞a"), 3);
    }
}
