//! Telegram's HTML parse mode: escaping, links, the Markdown of entry bodies as HTML, and the
//! plain-text fallback. Every tag opened here closes on the same line, so a reply can be split
//! between lines without cutting a tag.

/// A link when the address is http(s), otherwise the text alone (Telegram rejects other
/// schemes, and nothing else belongs in a link).
pub(super) fn link_html(url: &str, text: &str) -> String {
    let url = url.trim();
    if is_web_url(url) {
        format!("<a href=\"{}\">{}</a>", escape(url), escape(text))
    } else if text == url {
        escape(text)
    } else {
        format!("{} ({})", escape(text), escape(url))
    }
}

pub(super) fn is_web_url(url: &str) -> bool {
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

/// One token of HTML: a whole tag, a whole entity, or one character.
pub(super) fn next_token(s: &str) -> usize {
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
pub(super) fn open_tag_name(tag: &str) -> Option<&str> {
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
}
