//! Normalisation shared by safety triage, synonyms and search, so every part sees the same words.

/// Lowercases, folds accents and odd characters to ASCII, drops apostrophes (so "I'm" becomes
/// "im" and "won't" becomes "wont"), turns every other non-alphanumeric character into a space
/// and collapses runs of spaces. Safety patterns and synonyms are written against this form.
pub fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for ch in text.chars() {
        if ch.is_ascii_alphanumeric() {
            push_char(&mut out, ch.to_ascii_lowercase(), &mut pending_space);
        } else if matches!(ch, '\'' | '\u{2019}' | '\u{2018}' | '`' | '\u{b4}') {
            // An apostrophe joins the word around it.
        } else if ch.is_ascii() || ch.is_whitespace() {
            pending_space = !out.is_empty();
        } else {
            let folded = deunicode::deunicode_char(ch).unwrap_or(" ");
            for f in folded.chars() {
                if f.is_ascii_alphanumeric() {
                    push_char(&mut out, f.to_ascii_lowercase(), &mut pending_space);
                } else if f != '\'' {
                    pending_space = !out.is_empty();
                }
            }
        }
    }
    out
}

fn push_char(out: &mut String, ch: char, pending_space: &mut bool) {
    if *pending_space {
        out.push(' ');
        *pending_space = false;
    }
    out.push(ch);
}

/// True when `phrase` (already normalised) occurs in `text` (already normalised) as whole words.
pub fn contains_phrase(text: &str, phrase: &str) -> bool {
    if phrase.is_empty() {
        return false;
    }
    let bytes = text.as_bytes();
    let mut start = 0;
    while let Some(pos) = text[start..].find(phrase) {
        let at = start + pos;
        let end = at + phrase.len();
        let before_ok = at == 0 || bytes[at - 1] == b' ';
        let after_ok = end == text.len() || bytes[end] == b' ';
        if before_ok && after_ok {
            return true;
        }
        start = at + 1;
    }
    false
}

/// Edit distance (insertions, deletions, substitutions and swaps of neighbouring letters)
/// between two short ASCII words, giving up (returning `max + 1`) as soon as it must exceed `max`.
pub fn edit_distance(a: &str, b: &str, max: usize) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len().abs_diff(b.len()) > max {
        return max + 1;
    }
    let width = b.len() + 1;
    let mut before: Vec<usize> = vec![0; width];
    let mut prev: Vec<usize> = (0..width).collect();
    let mut cur = vec![0; width];
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(before[j - 2] + 1);
            }
            cur[j] = d;
            row_min = row_min.min(d);
        }
        if row_min > max {
            return max + 1;
        }
        std::mem::swap(&mut before, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()].min(max + 1)
}

/// Every run of digits in a text, a single space allowed between groups ("0800 254 0088"), as
/// digits only: how a phone number is found in a sentence, however it is spaced.
pub fn digit_runs(text: &str) -> Vec<String> {
    let mut runs = Vec::new();
    let mut current = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            current.push(c);
        } else if c == ' ' && !current.is_empty() && chars.peek().is_some_and(char::is_ascii_digit)
        {
            continue;
        } else if !current.is_empty() {
            runs.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs
}

#[cfg(test)]
mod tests {
    #[test]
    fn digit_runs_join_spaced_groups_only() {
        assert_eq!(
            super::digit_runs("call 0800 254 0088, or text 60777 (24/7); 18001 101"),
            ["08002540088", "60777", "24", "7", "18001101"]
        );
        assert!(super::digit_runs("no numbers").is_empty());
        assert_eq!(super::digit_runs("999"), ["999"]);
    }

    use super::*;

    #[test]
    fn normalise_folds_and_joins_contractions() {
        assert_eq!(
            normalise("I'm  SCARED!! He’s  coming"),
            "im scared hes coming"
        );
        assert_eq!(normalise("Café: naïve—test"), "cafe naive test");
        assert_eq!(normalise("  ...  "), "");
        // Emoji become their names, which can carry meaning.
        assert_eq!(
            normalise("ma da's in the jail 😢"),
            "ma das in the jail cry"
        );
    }

    #[test]
    fn phrases_match_whole_words_only() {
        assert!(contains_phrase("my dad is in the jail", "the jail"));
        assert!(!contains_phrase("the jailer", "jail"));
        assert!(contains_phrase("jail", "jail"));
    }

    #[test]
    fn edit_distance_counts_typos() {
        assert_eq!(edit_distance("suport", "support", 2), 1);
        assert_eq!(edit_distance("recieve", "receive", 2), 1);
        assert_eq!(edit_distance("prison", "person", 1), 2);
        assert_eq!(edit_distance("a", "abcdef", 2), 3);
    }
}
