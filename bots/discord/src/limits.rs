//! Discord's size limits, clean truncation, and a validator for outgoing payloads.
//!
//! Every message the bot sends is cut to fit before it leaves (see [`crate::render`]); the
//! validator checks a finished JSON payload against the same limits and is used by the tests
//! on every response.

use serde_json::Value;
use std::collections::HashSet;

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

/// Checks a payload as sent to Discord: an interaction callback (`{"type", "data"}`), or a
/// message body (webhook edit, follow-up, channel message). Returns every limit broken, empty
/// when the payload fits.
pub fn validate(payload: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let message = match payload.get("type").and_then(Value::as_u64) {
        Some(1) | Some(5) | Some(6) => {
            // PONG and deferrals carry no content beyond flags.
            if let Some(data) = payload.get("data").filter(|d| !d.is_null()) {
                check_message(data, &mut problems);
            }
            return problems;
        }
        Some(8) => {
            check_choices(payload.get("data"), &mut problems);
            return problems;
        }
        Some(4) | Some(7) => match payload.get("data") {
            Some(data) => data,
            None => {
                problems.push("message response without data".into());
                return problems;
            }
        },
        Some(other) => {
            problems.push(format!("unexpected interaction response type {other}"));
            return problems;
        }
        None => payload,
    };
    check_message(message, &mut problems);
    problems
}

fn len_of(value: Option<&Value>) -> usize {
    value.and_then(Value::as_str).map_or(0, chars)
}

fn check_len(problems: &mut Vec<String>, what: &str, value: Option<&Value>, max: usize) {
    check_text(problems, what, value, max);
    if value.is_some_and(|v| v.as_str().is_some_and(|s| s.trim().is_empty())) {
        problems.push(format!("{what} is empty"));
    }
}

/// Like [`check_len`], for text that may be empty (message content: empty clears it).
fn check_text(problems: &mut Vec<String>, what: &str, value: Option<&Value>, max: usize) {
    if value.is_some_and(|v| !v.is_string()) {
        problems.push(format!("{what} is not a string"));
    }
    let n = len_of(value);
    if n > max {
        problems.push(format!("{what} has {n} characters, more than {max}"));
    }
}

fn check_message(message: &Value, problems: &mut Vec<String>) {
    check_text(problems, "content", message.get("content"), CONTENT);
    match message.get("allowed_mentions") {
        Some(mentions) => {
            let parse_empty = mentions
                .get("parse")
                .and_then(Value::as_array)
                .is_some_and(Vec::is_empty);
            let none_listed = ["users", "roles"].iter().all(|k| {
                mentions
                    .get(*k)
                    .and_then(Value::as_array)
                    .is_none_or(Vec::is_empty)
            });
            if !parse_empty || !none_listed {
                problems.push("allowed_mentions must allow nothing".into());
            }
        }
        None => problems.push("allowed_mentions missing".into()),
    }
    let embeds = message
        .get("embeds")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if embeds.len() > EMBEDS {
        problems.push(format!("{} embeds, more than {EMBEDS}", embeds.len()));
    }
    let mut total = 0;
    for (i, embed) in embeds.iter().enumerate() {
        let at = format!("embed {i}");
        check_len(
            problems,
            &format!("{at} title"),
            embed.get("title"),
            EMBED_TITLE,
        );
        check_len(
            problems,
            &format!("{at} description"),
            embed.get("description"),
            EMBED_DESCRIPTION,
        );
        let footer = embed.get("footer").and_then(|f| f.get("text"));
        check_len(problems, &format!("{at} footer"), footer, FOOTER);
        let author = embed.get("author").and_then(|a| a.get("name"));
        check_len(problems, &format!("{at} author"), author, AUTHOR);
        if let Some(url) = embed.get("url").and_then(Value::as_str)
            && !is_http_url(url)
        {
            problems.push(format!("{at} url is not an http(s) URL"));
        }
        total += len_of(embed.get("title"))
            + len_of(embed.get("description"))
            + len_of(footer)
            + len_of(author);
        let fields = embed
            .get("fields")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if fields.len() > FIELDS {
            problems.push(format!(
                "{at} has {} fields, more than {FIELDS}",
                fields.len()
            ));
        }
        for (j, field) in fields.iter().enumerate() {
            check_len(
                problems,
                &format!("{at} field {j} name"),
                field.get("name"),
                FIELD_NAME,
            );
            check_len(
                problems,
                &format!("{at} field {j} value"),
                field.get("value"),
                FIELD_VALUE,
            );
            if field.get("name").is_none() || field.get("value").is_none() {
                problems.push(format!("{at} field {j} lacks a name or value"));
            }
            total += len_of(field.get("name")) + len_of(field.get("value"));
        }
    }
    if total > EMBED_TOTAL {
        problems.push(format!(
            "embeds total {total} characters, more than {EMBED_TOTAL}"
        ));
    }
    let rows = message
        .get("components")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if rows.len() > ROWS {
        problems.push(format!("{} action rows, more than {ROWS}", rows.len()));
    }
    let mut ids = HashSet::new();
    for (i, row) in rows.iter().enumerate() {
        let buttons = row
            .get("components")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if buttons.is_empty() || buttons.len() > BUTTONS_PER_ROW {
            problems.push(format!("row {i} has {} buttons", buttons.len()));
        }
        for (j, button) in buttons.iter().enumerate() {
            check_len(
                problems,
                &format!("row {i} button {j} label"),
                button.get("label"),
                BUTTON_LABEL,
            );
            check_len(
                problems,
                &format!("row {i} button {j} custom_id"),
                button.get("custom_id"),
                CUSTOM_ID,
            );
            if let Some(id) = button.get("custom_id").and_then(Value::as_str)
                && !ids.insert(id.to_string())
            {
                problems.push(format!("custom_id {id} used twice"));
            }
        }
    }
}

fn check_choices(data: Option<&Value>, problems: &mut Vec<String>) {
    let choices = data
        .and_then(|d| d.get("choices"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if choices.len() > CHOICES {
        problems.push(format!("{} choices, more than {CHOICES}", choices.len()));
    }
    for (i, choice) in choices.iter().enumerate() {
        check_len(
            problems,
            &format!("choice {i} name"),
            choice.get("name"),
            CHOICE_NAME,
        );
        if let Some(value) = choice.get("value").and_then(Value::as_str) {
            if chars(value) > CHOICE_NAME {
                problems.push(format!("choice {i} value too long"));
            }
        }
    }
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
    use serde_json::json;

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
    fn validator_finds_broken_limits() {
        let bad = json!({"type": 4, "data": {
            "content": "x".repeat(2001),
            "allowed_mentions": {"parse": ["everyone"]},
            "embeds": [{"title": "t".repeat(300)}],
        }});
        let problems = validate(&bad);
        assert_eq!(problems.len(), 3, "{problems:?}");
        let good = json!({"type": 4, "data": {"content": "hi", "allowed_mentions": {"parse": []}}});
        assert!(validate(&good).is_empty());
    }

    #[test]
    fn urls() {
        assert!(is_http_url("https://www.familiesoutside.org.uk/"));
        assert!(!is_http_url("www.example.com"));
        assert!(!is_http_url("https:// bad"));
        assert!(!is_http_url("javascript:alert(1)"));
    }
}
