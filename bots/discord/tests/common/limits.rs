//! A validator for outgoing payloads: every limit of Discord's that a finished JSON payload
//! breaks. The tests run it on every response the bot sends.

use serde_json::Value;
use signpost_discord::limits::*;
use std::collections::HashSet;

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
