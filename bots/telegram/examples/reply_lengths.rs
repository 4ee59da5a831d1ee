//! How long the Telegram replies to a question set are, as a person sees them: visible
//! characters (UTF-16 units, as Telegram and Android count them) of each reply's text, the
//! longest single message, the characters on its buttons, and how often a phone number is
//! repeated.
//!
//! ```sh
//! cargo run -p signpost-telegram --example reply_lengths -- ../shared/eval/dev.toml
//! cargo run -p signpost-telegram --example reply_lengths -- ../shared/eval/dev.toml knowledge --show
//! ```
//!
//! `--show` prints each reply as a person reads it (text and buttons) after the table.
//!
//! The "most common answers" are the questions whose top three results are most shared with
//! the other questions' top three (each entry counts as often as it appears across the set),
//! ten of them, ties in file order: a measure that depends on retrieval only, so it picks the
//! same questions before and after a change of layout.

use signpost::{LiveKnowledge, Turn};
use signpost_telegram::render;
use std::collections::HashMap;
use std::path::PathBuf;

fn visible(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(c) = rest.chars().next() {
        if c == '<' {
            let end = rest.find('>').map_or(rest.len(), |i| i + 1);
            rest = &rest[end..];
            continue;
        }
        if c == '&' {
            if let Some(end) = rest.find(';').filter(|&e| e <= 8) {
                out.push_str(match &rest[..=end] {
                    "&amp;" => "&",
                    "&lt;" => "<",
                    "&gt;" => ">",
                    "&quot;" => "\"",
                    other => other,
                });
                rest = &rest[end + 1..];
                continue;
            }
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

fn utf16(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let cases = PathBuf::from(args.next().unwrap_or("../shared/eval/dev.toml".into()));
    let knowledge = PathBuf::from(args.next().unwrap_or("knowledge".into()));
    let show = args.next().as_deref() == Some("--show");
    let cases = signpost::eval::read_cases(&cases)?;
    let (live, _) = LiveKnowledge::load(&knowledge)?;
    let assistant = live.current();
    let replies: Vec<_> = cases
        .iter()
        .map(|c| live.answer_on(&assistant, &Turn::new(&c.q)))
        .collect();
    let top3 = |r: &signpost::Reply| -> Vec<String> {
        r.results
            .iter()
            .filter(|h| h.reason != "weak")
            .take(3)
            .map(|h| h.id.clone())
            .collect()
    };
    let mut shared: HashMap<String, usize> = HashMap::new();
    for r in &replies {
        for id in top3(r) {
            *shared.entry(id).or_default() += 1;
        }
    }
    let mut order: Vec<(usize, usize)> = replies
        .iter()
        .enumerate()
        .map(|(i, r)| (i, top3(r).iter().map(|id| shared[id]).sum()))
        .collect();
    order.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let common: Vec<usize> = order.iter().take(10).map(|(i, _)| *i).collect();

    println!("| # | question | visible chars | longest message | buttons (chars) | shown |");
    println!("|---|---|---|---|---|---|");
    let mut totals = Vec::new();
    for (i, (case, reply)) in cases.iter().zip(&replies).enumerate() {
        let messages = render(reply);
        let texts: Vec<String> = messages.iter().map(|m| visible(&m.html)).collect();
        let total: usize = texts.iter().map(|t| utf16(t)).sum();
        let longest = texts.iter().map(|t| utf16(t)).max().unwrap_or(0);
        let buttons: usize = messages
            .iter()
            .flat_map(|m| m.keyboard.iter())
            .flat_map(|k| k.inline_keyboard.iter().flatten())
            .map(|b| utf16(&b.text))
            .sum();
        totals.push(total);
        let mark = if common.contains(&i) { "*" } else { "" };
        println!(
            "| {}{mark} | {} | {total} | {longest} | {buttons} | {} |",
            i + 1,
            case.q,
            reply.shown_ids().join(", ")
        );
    }
    if show {
        for (i, (case, reply)) in cases.iter().zip(&replies).enumerate() {
            println!("\n===== {} {}", i + 1, case.q);
            for message in render(reply) {
                println!("{}\n-----", visible(&message.html));
                for row in message
                    .keyboard
                    .iter()
                    .flat_map(|k| k.inline_keyboard.iter())
                {
                    for b in row {
                        println!("[ {} ]", b.text);
                    }
                }
            }
        }
    }
    totals.sort_unstable();
    let common_total: Vec<usize> = common.iter().map(|&i| totals_of(&replies[i])).collect();
    println!(
        "\nall {}: median {}, max {}; most common ten (marked *): {:?}",
        totals.len(),
        totals[totals.len() / 2],
        totals.last().unwrap_or(&0),
        common_total
    );
    Ok(())
}

fn totals_of(reply: &signpost::Reply) -> usize {
    render(reply).iter().map(|m| utf16(&visible(&m.html))).sum()
}
