//! What a word reads as, worked out once per distinct word: training a classifier at load
//! prepares thousands of lines that share most of their words.

use super::SearchIndex;
use std::collections::HashMap;
use tantivy::tokenizer::TextAnalyzer;

/// How one word is read, from the index and its analyzer.
pub(super) type Read<T> = fn(&SearchIndex, &mut TextAnalyzer, &str) -> T;

/// Each distinct word's reading, kept while many lines are prepared.
pub(super) struct WordMemo<'a, T> {
    pub(super) index: &'a SearchIndex,
    analyzer: TextAnalyzer,
    read: Read<T>,
    words: HashMap<String, T>,
}

impl<'a, T> WordMemo<'a, T> {
    pub(super) fn new(index: &'a SearchIndex, read: Read<T>) -> WordMemo<'a, T> {
        WordMemo {
            index,
            analyzer: index.analyzer.clone(),
            read,
            words: HashMap::new(),
        }
    }

    /// Reads the word if it was not read before.
    pub(super) fn learn(&mut self, word: &str) {
        if !self.words.contains_key(word) {
            let reading = (self.read)(self.index, &mut self.analyzer, word);
            self.words.insert(word.to_string(), reading);
        }
    }

    /// The reading of a word passed to [`WordMemo::learn`] before.
    pub(super) fn get(&self, word: &str) -> &T {
        &self.words[word]
    }
}
