//! Normalisation shared by safety triage, synonyms and search, so every part sees the same words.

use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

/// Lowercases, folds accents and odd characters to ASCII, drops apostrophes (so "I'm" becomes
/// "im" and "won't" becomes "wont"), turns every other non-alphanumeric character into a space
/// and collapses runs of spaces. Safety patterns and synonyms are written against this form.
///
/// Before anything else sees the text, every invisible format character (Unicode category
/// Cf: zero-width spaces and joiners, U+180E, word joiners, soft hyphens, byte order marks,
/// bidirectional marks...) is dropped, so "k\u{200b}ill" reads "kill"; and in a word that
/// mixes scripts or is written wholly in look-alikes, Cyrillic, Greek and Armenian letters
/// that look like Latin ones are read as those ("kіll" with a Cyrillic "і" is "kill").
/// Full-width and mathematical letters fold to ASCII. Linear in the length of the text.
pub fn normalise(text: &str) -> String {
    let mut out = Normalised::with_capacity(text.len());
    out.push_text(text);
    out.text
}

/// The normalised sentences of a text, in order, none empty: split where the text has a full
/// stop, question or exclamation mark, semicolon, ellipsis or line break. Each is exactly what
/// [`normalise`] makes of that stretch. Linear in the length of the text.
pub fn sentences(text: &str) -> Vec<String> {
    let mut out = Normalised::with_capacity(text.len());
    out.breaks = Some(Vec::new());
    out.push_text(text);
    let breaks = out.breaks.take().unwrap_or_default();
    let mut pieces = Vec::with_capacity(breaks.len() + 1);
    let mut start = 0;
    for end in breaks.into_iter().chain([out.text.len()]) {
        let piece = out.text[start..end].trim();
        if !piece.is_empty() {
            pieces.push(piece.to_string());
        }
        start = end;
    }
    pieces
}

/// Words that start a new clause inside a sentence: what follows them can say something the
/// words before do not ("it started years ago but he's outside now").
const CLAUSE_STARTERS: &[&str] = &["but", "though", "although", "however", "whereas", "except"];

/// The clauses of one normalised sentence: split before "but", "though", "although",
/// "however", "whereas" and "except". Borrowed from the sentence, in order, none empty.
pub fn clauses(sentence: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut start = 0;
    for (at, word) in word_spans(sentence) {
        if CLAUSE_STARTERS.contains(&word) && at > start {
            let piece = sentence[start..at].trim();
            if !piece.is_empty() {
                pieces.push(piece);
            }
            start = at;
        }
    }
    let rest = sentence[start..].trim();
    if !rest.is_empty() {
        pieces.push(rest);
    }
    pieces
}

/// Each word of a normalised text with its byte offset.
fn word_spans(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split(' ')
        .scan(0usize, |offset, word| {
            let at = *offset;
            *offset += word.len() + 1;
            Some((at, word))
        })
        .filter(|(_, w)| !w.is_empty())
}

/// The normalised text being built, a word at a time.
struct Normalised {
    text: String,
    /// Letters of the word being read, before deciding how to fold them.
    word: Vec<char>,
    pending_space: bool,
    /// Byte offsets in `text` where a sentence ends, when sentences are wanted.
    breaks: Option<Vec<usize>>,
}

impl Normalised {
    fn with_capacity(capacity: usize) -> Normalised {
        Normalised {
            text: String::with_capacity(capacity),
            word: Vec::new(),
            pending_space: false,
            breaks: None,
        }
    }

    fn push_text(&mut self, text: &str) {
        for ch in text.chars() {
            self.push(ch);
        }
        self.end_word();
    }

    fn push(&mut self, ch: char) {
        if ch.is_ascii_alphanumeric() {
            self.word.push(ch);
        } else if is_apostrophe(ch) {
            // An apostrophe joins the word around it.
        } else if ch.is_ascii() || ch.is_whitespace() {
            self.end_word();
            if is_sentence_end(ch) {
                self.end_sentence();
            }
            self.pending_space = !self.text.is_empty();
        } else if is_invisible(ch) {
            // Zero-width spaces and joiners, soft hyphens, bidi marks, BOMs, combining marks
            // stacked on a letter, blank "letters": nothing a reader sees as a character.
        } else if is_sentence_end(ch) {
            self.end_word();
            self.end_sentence();
            self.pending_space = !self.text.is_empty();
        } else if ch.is_alphanumeric() {
            self.word.push(ch);
        } else {
            // Symbols and emoji: their names can carry meaning ("cry"), as separate words.
            self.end_word();
            self.push_folded(ch);
        }
    }

    fn end_sentence(&mut self) {
        let at = self.text.len();
        if let Some(breaks) = &mut self.breaks
            && breaks.last() != Some(&at)
        {
            breaks.push(at);
        }
    }

    /// Emits the word read so far: by shape when it mixes scripts or is all look-alikes, so a
    /// disguised English word is read as English; otherwise transliterated.
    fn end_word(&mut self) {
        if self.word.is_empty() {
            return;
        }
        let word = std::mem::take(&mut self.word);
        let by_shape = word
            .iter()
            .any(|c| c.is_ascii_alphabetic() || folds_to_ascii_letter(*c))
            || word
                .iter()
                .all(|c| look_alike(*c).is_some() || !c.is_alphabetic());
        for &c in &word {
            match look_alike(c).filter(|_| by_shape) {
                Some(ascii) => self.push_ascii(ascii),
                None if c.is_ascii() => self.push_ascii(c.to_ascii_lowercase()),
                None => self.push_folded(c),
            }
        }
        self.word = word;
        self.word.clear();
    }

    fn push_folded(&mut self, ch: char) {
        let folded = deunicode::deunicode_char(ch).unwrap_or(" ");
        for f in folded.chars() {
            if f.is_ascii_alphanumeric() {
                self.push_ascii(f.to_ascii_lowercase());
            } else if f != '\'' {
                self.pending_space = !self.text.is_empty();
            }
        }
    }

    fn push_ascii(&mut self, ch: char) {
        if self.pending_space {
            self.text.push(' ');
            self.pending_space = false;
        }
        self.text.push(ch);
    }
}

fn is_invisible(ch: char) -> bool {
    matches!(
        ch.general_category(),
        GeneralCategory::Format | GeneralCategory::NonspacingMark | GeneralCategory::EnclosingMark
    ) || matches!(
        ch,
        '\u{115f}' | '\u{1160}' | '\u{3164}' | '\u{ffa0}' | '\u{2800}'
    )
}

fn is_apostrophe(ch: char) -> bool {
    matches!(
        ch,
        '\'' | '\u{2019}' | '\u{2018}' | '`' | '\u{b4}' | '\u{2bc}' | '\u{ff07}' | '\u{2032}'
    )
}

fn is_sentence_end(ch: char) -> bool {
    matches!(
        ch,
        '.' | '!'
            | '?'
            | ';'
            | '\n'
            | '\r'
            | '\u{2026}'
            | '\u{3002}'
            | '\u{ff01}'
            | '\u{ff0e}'
            | '\u{ff1f}'
            | '\u{ff1b}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{85}'
    )
}

/// Full-width and mathematical letters: written to look like Latin ones, read as them.
fn folds_to_ascii_letter(ch: char) -> bool {
    matches!(ch as u32, 0xFF21..=0xFF3A | 0xFF41..=0xFF5A | 0x1D400..=0x1D6A3 | 0x1F130..=0x1F189)
}

/// The Latin letter a Cyrillic, Greek or Armenian letter is made to look like, if any.
fn look_alike(ch: char) -> Option<char> {
    Some(match ch {
        // Cyrillic
        'а' | 'А' => 'a',
        'в' | 'В' | 'Ь' | 'ь' => 'b',
        'с' | 'С' => 'c',
        'ԁ' => 'd',
        'е' | 'Е' | 'ё' | 'Ё' | 'є' | 'Є' => 'e',
        'һ' | 'Һ' | 'Н' | 'н' => 'h',
        'і' | 'І' | 'ї' | 'Ї' | 'ӏ' | 'Ӏ' => 'i',
        'ј' | 'Ј' => 'j',
        'к' | 'К' => 'k',
        'м' | 'М' => 'm',
        'о' | 'О' => 'o',
        'р' | 'Р' => 'p',
        'ԛ' | 'Ԛ' => 'q',
        'ѕ' | 'Ѕ' => 's',
        'т' | 'Т' => 't',
        'у' | 'У' | 'ү' | 'Ү' => 'y',
        'ԝ' | 'Ԝ' => 'w',
        'х' | 'Х' => 'x',
        // Greek
        'α' | 'Α' => 'a',
        'β' | 'Β' => 'b',
        'ε' | 'Ε' => 'e',
        'Ζ' => 'z',
        'Η' => 'h',
        'ι' | 'Ι' | 'ί' => 'i',
        'κ' | 'Κ' => 'k',
        'Μ' => 'm',
        'η' | 'Ν' => 'n',
        'ν' => 'v',
        'ο' | 'Ο' | 'ό' => 'o',
        'ρ' | 'Ρ' => 'p',
        'τ' | 'Τ' => 't',
        'υ' | 'ύ' => 'u',
        'γ' | 'Υ' => 'y',
        'χ' | 'Χ' => 'x',
        'ω' => 'w',
        // Armenian
        'օ' => 'o',
        'ս' => 'u',
        'հ' => 'h',
        'ո' => 'n',
        'ց' => 'g',
        'զ' => 'q',
        // Latin letters that pass for others
        'ı' => 'i',
        'ɑ' => 'a',
        'ɡ' => 'g',
        'ⅼ' => 'l',
        _ => return None,
    })
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
    // Three rows of the table, on the stack for the words typos are looked for in.
    const ON_STACK: usize = 32;
    let width = b.len() + 1;
    if width <= ON_STACK {
        let mut rows = [0; 3 * ON_STACK];
        distance_in_rows(a, b, max, &mut rows[..3 * width])
    } else {
        distance_in_rows(a, b, max, &mut vec![0; 3 * width])
    }
}

/// [`edit_distance`] with its three rows (zeroed, `3 * (b.len() + 1)` long) given.
fn distance_in_rows(a: &[u8], b: &[u8], max: usize, rows: &mut [usize]) -> usize {
    let width = b.len() + 1;
    let (mut before, rest) = rows.split_at_mut(width);
    let (mut prev, mut cur) = rest.split_at_mut(width);
    for (j, cell) in prev.iter_mut().enumerate() {
        *cell = j;
    }
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

/// The ASCII characters a word holds, as bits (other bytes share bits): each edit brings in
/// at most one character the other word lacks, so two words whose sets differ by more than
/// `max` characters either way are more than `max` edits apart.
pub(crate) fn letter_set(word: &str) -> u128 {
    word.bytes().fold(0, |set, b| set | 1 << (b & 127))
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
    fn invisible_characters_are_dropped() {
        for hidden in [
            "k\u{200b}ill myself",
            "k\u{180e}ill myself",
            "ki\u{2060}ll my\u{ad}self",
            "\u{feff}kill\u{200d} \u{200c}myself\u{200e}",
            "\u{202e}kill\u{202c} myself\u{2066}",
            "ki\u{301}ll\u{fe0f} myself",
            "kill\u{3164} myself",
        ] {
            assert_eq!(normalise(hidden), "kill myself", "{hidden:?}");
        }
    }

    #[test]
    fn look_alike_letters_read_as_latin() {
        // Cyrillic і, о, с and е inside English words.
        assert_eq!(normalise("k\u{456}ll mys\u{435}lf"), "kill myself");
        assert_eq!(
            normalise("\u{421}\u{41e}\u{41c}\u{415} \u{43e}v\u{435}r"),
            "come over"
        );
        // Greek ο and ι.
        assert_eq!(normalise("su\u{3b9}c\u{3b9}de n\u{3bf}w"), "suicide now");
        // Full-width and mathematical letters.
        assert_eq!(normalise("ｋｉｌｌ ｍｙｓｅｌｆ"), "kill myself");
        assert_eq!(
            normalise("\u{1d424}\u{1d422}\u{1d425}\u{1d425} me"),
            "kill me"
        );
        // A real word in another script is transliterated, not mangled.
        assert_eq!(normalise("привет"), "privet");
    }

    #[test]
    fn normalising_is_linear() {
        let long = "k\u{200b}ill\u{456} ".repeat(50_000);
        assert_eq!(normalise(&long).len(), "killi ".len() * 50_000 - 1);
    }

    #[test]
    fn sentences_split_at_stops_and_line_breaks() {
        assert_eq!(
            sentences("Can I visit him?  It started years ago... He's outside now!\nHelp"),
            [
                "can i visit him",
                "it started years ago",
                "hes outside now",
                "help"
            ]
        );
        assert_eq!(sentences("  ...  "), Vec::<String>::new());
        assert_eq!(sentences("one"), ["one"]);
    }

    #[test]
    fn clauses_split_before_contrasts() {
        assert_eq!(
            clauses("it started years ago but hes outside the door now"),
            ["it started years ago", "but hes outside the door now"]
        );
        assert_eq!(
            clauses("it was years ago though im scared but fine"),
            ["it was years ago", "though im scared", "but fine"]
        );
        assert_eq!(clauses("but"), ["but"]);
        assert_eq!(clauses("no split here"), ["no split here"]);
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
        // Longer than the rows kept on the stack.
        let long = "abcdefghijklmnopqrstuvwxyzabcdefghij";
        assert_eq!(edit_distance(long, &long.replace('q', "x"), 2), 1);
        assert_eq!(edit_distance(long, &long.replace('q', ""), 2), 1);
    }

    #[test]
    fn words_within_reach_differ_by_few_letters() {
        // What lets typo correction skip the table: words `max` edits apart or nearer never
        // differ by more than `max` letters either way.
        let config = proptest::test_runner::Config {
            rng_seed: proptest::test_runner::RngSeed::Fixed(15),
            failure_persistence: None,
            ..proptest::test_runner::Config::default()
        };
        proptest::proptest!(config, |(a in "[a-e]{0,9}", b in "[a-e]{0,9}", max in 1usize..=2)| {
            if edit_distance(&a, &b, max) <= max {
                let (sa, sb) = (letter_set(&a), letter_set(&b));
                proptest::prop_assert!((sa & !sb).count_ones() as usize <= max);
                proptest::prop_assert!((sb & !sa).count_ones() as usize <= max);
            }
        });
    }
}
