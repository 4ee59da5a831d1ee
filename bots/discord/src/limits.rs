//! Discord's size limits and clean truncation. Every message the bot sends is cut to fit
//! before it leaves (see [`crate::render`]); the tests check every payload against the same
//! limits with their own validator.

/// Message content.
pub const CONTENT: usize = 2000;
/// Embed title.
pub const EMBED_TITLE: usize = 256;
/// Embed description.
pub const EMBED_DESCRIPTION: usize = 4096;
/// Embed field name.
pub const FIELD_NAME: usize = 256;
/// Embed field value.
pub const FIELD_VALUE: usize = 1024;
/// Embed footer text.
pub const FOOTER: usize = 2048;
/// Embed author name.
pub const AUTHOR: usize = 256;
/// Fields in one embed.
pub const FIELDS: usize = 25;
/// Embeds in one message.
pub const EMBEDS: usize = 10;
/// Characters across all embeds of a message (titles, descriptions, fields, footers, authors).
pub const EMBED_TOTAL: usize = 6000;
/// Action rows in one message.
pub const ROWS: usize = 5;
/// Buttons in one action row.
pub const BUTTONS_PER_ROW: usize = 5;
/// Button label.
pub const BUTTON_LABEL: usize = 80;
/// Button custom id.
pub const CUSTOM_ID: usize = 100;
/// Autocomplete choices.
pub const CHOICES: usize = 25;
/// Autocomplete choice name and string value.
pub const CHOICE_NAME: usize = 100;
/// Embed and link URLs.
pub const URL: usize = 2048;

/// The ellipsis put where text was cut.
pub const ELLIPSIS: char = '…';

/// Characters as Discord counts them for these limits.
pub fn chars(text: &str) -> usize {
    text.chars().count()
}

/// Cuts `text` to at most `max` characters, on a word boundary where there is one in the last
/// part of the allowance, ending with "…". Text that fits is returned unchanged.
pub fn truncate(text: &str, max: usize) -> String {
    if chars(text) <= max {
        return text.to_string();
    }
    if max == 0 {
        return String::new();
    }
    // Room for the ellipsis.
    let keep = max - 1;
    let cut: String = text.chars().take(keep).collect();
    // The next character decides whether the cut already falls between words.
    let next = text.chars().nth(keep);
    let at_boundary = next.is_some_and(char::is_whitespace);
    let mut body = if at_boundary {
        cut.as_str()
    } else {
        // Back to the last whitespace, unless that throws away more than a third.
        match cut.rfind(char::is_whitespace) {
            Some(pos) if chars(&cut[..pos]) * 3 >= keep * 2 => &cut[..pos],
            _ => cut.as_str(),
        }
    };
    body = body.trim_end_matches(|c: char| {
        c.is_whitespace() || matches!(c, ',' | ';' | ':' | '-' | '—' | '–' | '(')
    });
    let mut out = String::with_capacity(body.len() + ELLIPSIS.len_utf8());
    out.push_str(body);
    out.push(ELLIPSIS);
    out
}

/// True for an absolute `http://` or `https://` URL without spaces, short enough for an embed.
pub fn is_http_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|r| {
        !r.is_empty()
            && !r.starts_with('/')
            && !r.chars().any(|c| c.is_whitespace() || c.is_control())
    }) && chars(url) <= URL
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_unchanged() {
        assert_eq!(truncate("hello world", 11), "hello world");
    }

    #[test]
    fn cuts_on_a_word_boundary_with_an_ellipsis() {
        let cut = truncate("the quick brown fox jumps over the lazy dog", 20);
        assert_eq!(cut, "the quick brown fox…");
        assert!(chars(&cut) <= 20);
        let cut = truncate("the quick brown fox jumps", 18);
        assert_eq!(cut, "the quick brown…");
    }

    #[test]
    fn cuts_one_long_word_hard() {
        let cut = truncate(&"a".repeat(50), 10);
        assert_eq!(cut, format!("{}…", "a".repeat(9)));
    }

    #[test]
    fn counts_characters_not_bytes() {
        let text = "é".repeat(30);
        let cut = truncate(&text, 10);
        assert_eq!(chars(&cut), 10);
    }

    #[test]
    fn urls() {
        assert!(is_http_url("https://www.familiesoutside.org.uk/"));
        assert!(!is_http_url("www.example.com"));
        assert!(!is_http_url("https:// bad"));
        assert!(!is_http_url("javascript:alert(1)"));
    }
}
