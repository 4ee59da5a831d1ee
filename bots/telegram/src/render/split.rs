//! Splitting at Telegram's limits: blocks packed into messages that fit a [`Limit`] (visible
//! characters and HTML length), a block too long for one message split on its lines, a line on
//! a space, never inside a tag or an entity (open tags are closed and reopened).

use super::html::{next_token, open_tag_name};

/// Length as Telegram counts it: UTF-16 code units.
pub fn utf16_len(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}

/// The length a person sees, in UTF-16 code units: the text without its tags, each entity
/// counted as the one character it stands for.
pub fn visible_len(html: &str) -> usize {
    let mut len = 0;
    let mut rest = html;
    while !rest.is_empty() {
        let n = next_token(rest);
        len += token_visible_len(&rest[..n]);
        rest = &rest[n..];
    }
    len
}

fn token_visible_len(token: &str) -> usize {
    if token.starts_with('<') && token.ends_with('>') {
        0
    } else if token.starts_with('&') && token.ends_with(';') && token.len() > 1 {
        1
    } else {
        utf16_len(token)
    }
}

/// How much one message may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Visible text, in UTF-16 code units ([`visible_len`]).
    pub visible: usize,
    /// The HTML source, in UTF-16 code units ([`utf16_len`]).
    pub html: usize,
}

impl Limit {
    /// A limit on the HTML source only (the visible text is never longer).
    pub fn html(html: usize) -> Limit {
        Limit {
            visible: html,
            html,
        }
    }

    fn fits(&self, html: &str) -> bool {
        utf16_len(html) <= self.html && visible_len(html) <= self.visible
    }
}

/// Packs blocks into messages within `limit`, joining blocks with a blank line. A block longer
/// than a message is split on its lines, and a line longer than a message on a space (never
/// inside a tag or an entity; open tags are closed and reopened).
pub fn split_blocks(blocks: &[String], limit: Limit) -> Vec<String> {
    pack(
        blocks.iter().flat_map(|block| fit_block(block, limit)),
        "\n\n",
        limit,
    )
}

/// A block as pieces within `limit`, packing its lines back together where they fit.
fn fit_block(block: &str, limit: Limit) -> Vec<String> {
    let block = block.trim();
    if block.is_empty() {
        return Vec::new();
    }
    if limit.fits(block) {
        return vec![block.to_string()];
    }
    let lines = block
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty())
        .flat_map(|line| {
            if limit.fits(line) {
                vec![line.to_string()]
            } else {
                split_line(line, limit)
            }
        });
    pack(lines, "\n", limit)
}

/// Joins pieces (each within `limit`) with `separator`, in order, into as few parts within
/// `limit` as greedy packing gives.
fn pack(pieces: impl IntoIterator<Item = String>, separator: &str, limit: Limit) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    for piece in pieces {
        if current.is_empty() {
            current = piece;
            continue;
        }
        let joined = format!("{current}{separator}{piece}");
        if limit.fits(&joined) {
            current = joined;
        } else {
            parts.push(std::mem::replace(&mut current, piece));
        }
    }
    if !current.is_empty() {
        parts.push(current);
    }
    parts
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

/// Splits one line of HTML (tags balanced within it) into chunks within `limit`.
fn split_line(line: &str, limit: Limit) -> Vec<String> {
    let mut chunks = Vec::new();
    let mut rest = line.to_string();
    while !limit.fits(&rest) {
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
fn take_prefix(s: &str, limit: Limit) -> Option<(String, String)> {
    type Stack = Vec<(String, String)>;
    let mut stack: Stack = Vec::new();
    let mut pos = 0;
    let mut used = 0; // UTF-16 length of s[..pos]
    let mut shown = 0; // visible length of s[..pos]
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
        shown += token_visible_len(token);
        if used > limit.html || shown > limit.visible {
            break;
        }
        if seen_text && used + utf16_len(&closers(&stack)) <= limit.html {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_a_long_line_without_breaking_tags_or_entities() {
        let word = "<b>bold &amp; brave</b> plain &lt;text&gt; ";
        let line = word.repeat(40);
        let chunks = split_line(line.trim_end(), Limit::html(100));
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
        let chunks = split_line(&line, Limit::html(100));
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
        let parts = split_blocks(&blocks, Limit::html(100));
        for part in &parts {
            assert!(utf16_len(part) <= 100);
            assert!(!part.starts_with('\n') && !part.ends_with('\n'));
        }
        assert_eq!(parts.join("\n\n"), blocks.join("\n\n"));

        let block = (0..10)
            .map(|i| format!("line {i} {}", "z".repeat(20)))
            .collect::<Vec<_>>()
            .join("\n");
        let parts = split_blocks(std::slice::from_ref(&block), Limit::html(100));
        assert!(parts.len() > 1);
        assert_eq!(parts.join("\n"), block);
    }

    #[test]
    fn utf16_counts_emoji_as_two() {
        assert_eq!(utf16_len("📞a"), 3);
    }

    #[test]
    fn visible_length_leaves_out_tags_and_counts_entities_once() {
        assert_eq!(
            visible_len("<b>A &amp; B</b> <a href=\"https://x.org\">x</a>"),
            7
        );
    }

    #[test]
    fn messages_are_cut_to_the_visible_limit_even_when_the_html_is_short_enough() {
        let line = "<a href=\"https://example.org/a/long/address\">word</a> ".repeat(60);
        let blocks = vec![line.trim_end().to_string(), "last".to_string()];
        let limit = Limit {
            visible: 100,
            html: 4096,
        };
        let parts = split_blocks(&blocks, limit);
        assert!(parts.len() > 2, "{parts:?}");
        for part in &parts {
            assert!(visible_len(part) <= 100, "{part}");
        }
        assert!(parts.last().unwrap().ends_with("last"));
    }
}
