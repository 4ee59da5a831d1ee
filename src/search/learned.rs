//! A second signal learned from the entries' own example questions, keywords and titles.

use super::{Parts, Scored, SearchIndex};
use crate::knowledge::KnowledgeBase;

/// The classifier (not trained yet).
pub(super) struct Learned;

impl Learned {
    /// Trains on the folder's entries.
    pub fn train(_kb: &KnowledgeBase, _index: &SearchIndex) -> Option<Learned> {
        None
    }

    /// Re-ranks the word search's candidates.
    pub fn rerank(&self, _text: &str, _scored: &mut [(Scored, Parts)]) {}
}
