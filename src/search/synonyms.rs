//! Synonym groups found in a message with a few hash look-ups a word, however long it is.

use std::collections::HashMap;

/// Where a synonym phrase was found: its first word, its length in words, its group and the
/// member of the group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Found {
    pub start: usize,
    pub len: usize,
    pub group: usize,
    pub member: usize,
}

/// Every member of every group, by its normalised text.
#[derive(Default)]
pub(super) struct SynonymIndex {
    by_phrase: HashMap<String, Vec<(u32, u16)>>,
    /// For each first word, a bit for each phrase length (in words) starting with it.
    lengths: HashMap<String, u32>,
}

/// Phrases longer than this (in words) are not looked for.
const MAX_WORDS: usize = 16;

impl SynonymIndex {
    /// Indexes the groups' members, each as its analysed (stemmed) terms.
    pub fn new(groups: &[Vec<(String, Vec<String>)>]) -> SynonymIndex {
        let mut index = SynonymIndex::default();
        for (g, group) in groups.iter().enumerate() {
            for (m, (_, terms)) in group.iter().enumerate() {
                let words: Vec<&str> = terms.iter().map(String::as_str).collect();
                if words.is_empty() || words.len() > MAX_WORDS {
                    continue;
                }
                *index.lengths.entry(words[0].to_string()).or_default() |= 1 << words.len();
                index
                    .by_phrase
                    .entry(words.join(" "))
                    .or_default()
                    .push((g as u32, m as u16));
            }
        }
        index
    }

    /// The members found in a run of analysed words, as whole words.
    pub fn find(&self, words: &[&str]) -> Vec<Found> {
        let mut found = Vec::new();
        let mut phrase = String::new();
        for start in 0..words.len() {
            let Some(&mask) = self.lengths.get(words[start]) else {
                continue;
            };
            phrase.clear();
            for len in 1..=MAX_WORDS.min(words.len() - start) {
                if len > 1 {
                    phrase.push(' ');
                }
                phrase.push_str(words[start + len - 1]);
                if mask & (1 << len) == 0 {
                    continue;
                }
                if let Some(owners) = self.by_phrase.get(&phrase) {
                    found.extend(owners.iter().map(|&(group, member)| Found {
                        start,
                        len,
                        group: group as usize,
                        member: member as usize,
                    }));
                }
                if mask >> (len + 1) == 0 {
                    break;
                }
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_single_words_and_phrases_as_whole_words() {
        let member = |text: &str| {
            (
                text.to_string(),
                text.split(' ').map(str::to_string).collect::<Vec<_>>(),
            )
        };
        let groups = vec![
            vec![member("prison"), member("the jail"), member("jail")],
            vec![member("arrested"), member("got lifted")],
        ];
        let index = SynonymIndex::new(&groups);
        let words = ["he", "got", "lifted", "and", "is", "in", "the", "jail"];
        let found = index.find(&words);
        let spans: Vec<(usize, usize, usize)> =
            found.iter().map(|f| (f.start, f.len, f.group)).collect();
        assert_eq!(spans, [(1, 2, 1), (6, 2, 0), (7, 1, 0)]);
        assert!(index.find(&["jailer"]).is_empty());
    }
}
