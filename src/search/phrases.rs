//! Entries named word for word: titles and keyword phrases of two or more words, found in a
//! message ("families outside", "we are with you", "home detention curfew").

use std::collections::HashMap;

/// The longest phrase looked for, in words.
const MAX_WORDS: usize = 8;

/// Who a phrase names: (entry, its length in words, whether it is the entry's title).
type Owner = (u32, u8, bool);

/// Phrases by their whole text (each text stored once), with the lengths (in words) that
/// start with each first word, so a message is checked with a few hash look-ups a word.
#[derive(Default)]
pub(super) struct PhraseIndex {
    slots: Vec<Vec<Owner>>,
    by_text: HashMap<String, u32>,
    /// For each first word, a bit for each phrase length (in words) starting with it.
    lengths: HashMap<String, u16>,
}

/// A phrase offered for an entry: its normalised text, and whether it is the entry's title.
pub(super) struct Candidate {
    pub entry: usize,
    pub text: String,
    pub is_title: bool,
}

/// A [`PhraseIndex`] being built: counts how many entries' texts hold each phrase.
pub(super) struct PhraseBuilder {
    index: PhraseIndex,
    df: Vec<u32>,
    last_seen: Vec<usize>,
}

impl PhraseBuilder {
    /// Indexes the candidate phrases. Call [`PhraseBuilder::count_in`] with each entry's whole
    /// text, in entry order, then [`PhraseBuilder::finish`].
    pub fn new(candidates: impl IntoIterator<Item = Candidate>) -> PhraseBuilder {
        let mut index = PhraseIndex::default();
        for c in candidates {
            let words = c.text.split(' ').filter(|w| !w.is_empty()).count();
            if (2..=MAX_WORDS).contains(&words) {
                index.add(c.text, (c.entry as u32, words as u8, c.is_title));
            }
        }
        let n = index.slots.len();
        PhraseBuilder {
            index,
            df: vec![0; n],
            last_seen: vec![usize::MAX; n],
        }
    }

    /// Counts the phrases in one entry's whole normalised text.
    pub fn count_in(&mut self, entry: usize, text: &str) {
        for slot in self.index.find(text) {
            if self.last_seen[slot] != entry {
                self.last_seen[slot] = entry;
                self.df[slot] += 1;
            }
        }
    }

    /// The finished index. A keyword phrase found in the texts of more than `max_entries`
    /// entries ("dumfries and galloway") names none of them and is left out; a title always
    /// names its entry.
    pub fn finish(mut self, max_entries: usize) -> PhraseIndex {
        for (slot, owners) in self.index.slots.iter_mut().enumerate() {
            if self.df[slot] as usize > max_entries {
                owners.retain(|&(_, _, is_title)| is_title);
            }
        }
        self.index
    }
}

impl PhraseIndex {
    fn add(&mut self, text: String, owner: Owner) {
        if let Some(&slot) = self.by_text.get(&text) {
            let owners = &mut self.slots[slot as usize];
            if !owners.iter().any(|o| o.0 == owner.0) {
                owners.push(owner);
            }
            return;
        }
        let first = text.split(' ').next().unwrap_or_default().to_string();
        *self.lengths.entry(first).or_default() |= 1 << owner.1;
        self.by_text.insert(text, self.slots.len() as u32);
        self.slots.push(vec![owner]);
    }

    /// The slots of the phrases that occur in `text` (normalised) as whole words.
    fn find(&self, text: &str) -> Vec<usize> {
        let starts: Vec<usize> = word_starts(text).collect();
        // The end of word i: just before the next word's start, or the end of the text.
        let end_of = |i: usize| starts.get(i + 1).map_or(text.len(), |&next| next - 1);
        let mut found = Vec::new();
        for (i, &start) in starts.iter().enumerate() {
            let mask = self
                .lengths
                .get(&text[start..end_of(i)])
                .copied()
                .unwrap_or(0);
            for n in 2..=MAX_WORDS.min(starts.len() - i) {
                if mask & (1 << n) != 0
                    && let Some(&slot) = self.by_text.get(&text[start..end_of(i + n - 1)])
                {
                    found.push(slot as usize);
                }
            }
        }
        found
    }

    /// The entries named in `text` (normalised), each with its longest phrase in words.
    pub fn named(&self, text: &str) -> HashMap<usize, usize> {
        let mut named: HashMap<usize, usize> = HashMap::new();
        for slot in self.find(text) {
            for &(entry, words, _) in &self.slots[slot] {
                let longest = named.entry(entry as usize).or_default();
                *longest = (*longest).max(words as usize);
            }
        }
        named
    }

    /// Whether any phrase is indexed.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }
}

/// Byte offsets where each word of a normalised text starts.
fn word_starts(text: &str) -> impl Iterator<Item = usize> + '_ {
    let bytes = text.as_bytes();
    (0..bytes.len()).filter(move |&i| bytes[i] != b' ' && (i == 0 || bytes[i - 1] == b' '))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(entry: usize, text: &str, is_title: bool) -> Candidate {
        Candidate {
            entry,
            text: text.into(),
            is_title,
        }
    }

    #[test]
    fn finds_whole_word_phrases_and_drops_common_ones() {
        let mut builder = PhraseBuilder::new([
            candidate(0, "families outside", true),
            candidate(1, "we are with you", false),
            candidate(1, "dumfries and galloway", false),
            candidate(2, "dumfries and galloway", false),
        ]);
        for (i, text) in [
            "families outside in dumfries and galloway",
            "we are with you in dumfries and galloway",
            "dumfries and galloway",
        ]
        .into_iter()
        .enumerate()
        {
            builder.count_in(i, text);
        }
        let index = builder.finish(1);
        let named = index.named("is we are with you open in dumfries and galloway");
        assert_eq!(named.get(&1), Some(&4));
        assert_eq!(named.len(), 1, "the common phrase names nobody: {named:?}");
        assert!(index.named("families outsider").is_empty());
        assert_eq!(index.named("families outside").get(&0), Some(&2));
    }
}
