//! The bot's own messages: `/about` (the core's wording and facts), autocomplete choices, and
//! the admin channel's notice after each knowledge reload.

use super::{Button, Embed, Field, NOTE_COLOUR, Rendered, Style};
use crate::limits::{self, chars, truncate};
use signpost::Action;
use signpost::assistant::conversation::{About, NameMatch};
use signpost::live::{Diagnostic, ReloadOutcome, Severity};
use std::path::Path;
use std::time::UNIX_EPOCH;

/// `/about`: the core's wording, how to use the commands, and the facts (how much the bot
/// knows, when that was last checked and loaded, which knowledge version is live).
pub fn about(about: &About, reloads: u64) -> Rendered {
    let loaded = about
        .loaded_at
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let description = [
        about.what.as_str(),
        about.not_emergency.as_str(),
        about.privacy.as_str(),
        about.source.as_str(),
        "Use `/ask` for a question, `/service` and `/topic` to look one up, `/journey` for a \
         stage of the justice process and `/crisis` for the emergency lines. Answers are \
         private to you unless you choose `share`.",
    ]
    .join("\n\n");
    let embed = Embed {
        title: Some(about.title.clone()),
        description: Some(description),
        fields: vec![
            Field {
                name: "Entries".into(),
                value: format!(
                    "{} ({} services, {} topics)",
                    about.entries, about.services, about.topics
                ),
                inline: true,
            },
            Field {
                name: "Knowledge last reviewed".into(),
                value: about
                    .last_reviewed
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
        feedback: Vec::new(),
    }
    .fit()
}

/// Autocomplete choices (name, value), cut to Discord's limits.
pub fn choices(names: &[NameMatch]) -> Vec<(String, String)> {
    names
        .iter()
        .map(|n| (n.title.clone(), n.id.clone()))
        .filter(|(_, value)| chars(value) <= limits::CHOICE_NAME && !value.is_empty())
        .filter_map(|(name, value)| {
            let name = truncate(name.trim(), limits::CHOICE_NAME);
            (!name.is_empty()).then_some((name, value))
        })
        .take(limits::CHOICES)
        .collect()
}

/// Autocomplete for a `town` option: the towns whose name starts with, or holds, what has
/// been typed (all of them, up to Discord's limit, when nothing is), name and value alike.
pub fn towns(typed: &str) -> Vec<(String, String)> {
    let typed = typed.trim().to_lowercase();
    let names = signpost::Town::all().map(|t| t.name());
    let (mut starts, mut holds): (Vec<&str>, Vec<&str>) = names
        .filter(|n| n.to_lowercase().contains(&typed))
        .partition(|n| n.to_lowercase().starts_with(&typed));
    starts.append(&mut holds);
    if starts.is_empty()
        && let Some(town) = signpost::Town::parse(&typed)
    {
        // A misspelling ("stranrear") still finds its town.
        starts.push(town.name());
    }
    starts
        .into_iter()
        .take(limits::CHOICES)
        .map(|n| (n.to_string(), n.to_string()))
        .collect()
}

/// The message posted to the admin channel after a knowledge reload: the counts when the new
/// content went live, or every error as `path:line:column` when it was refused. Paths are
/// shown relative to the knowledge folder.
pub fn reload_notice(outcome: &ReloadOutcome, root: &Path) -> Rendered {
    let relative = |d: &Diagnostic| {
        let path = d.path.strip_prefix(root).unwrap_or(&d.path);
        let severity = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
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
                .filter(|d| d.severity == Severity::Error)
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
    fn long_lists_stay_inside_the_limit() {
        let lines: Vec<String> = (0..500)
            .map(|i| format!("services/x{i}.md:1:1: error: something is wrong here"))
            .collect();
        let text = code_block_list("Refused:", &lines, 2000);
        assert!(chars(&text) <= 2000, "{}", chars(&text));
        assert!(text.contains("```\n…and"));
        assert!(text.ends_with("more"));
    }
}
