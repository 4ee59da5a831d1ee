//! The best-scoring documents of a query, by visiting every match.
//!
//! Tantivy's [`tantivy::collector::TopDocs`] skips blocks of postings that cannot reach its
//! top k (Block-WAND). That pays on large indexes and short queries; a chat message is the
//! opposite: up to [`super::MAX_QUERY_TERMS`] terms, each looked for in several fields, over
//! a folder of a few thousand entries, where keeping the skipping bounds up to date costs
//! more than scoring every match. This collector asks for plain scoring (Tantivy's union of
//! term scorers, a block of documents at a time) and keeps the best k.

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

/// The `limit` best `(score, document)` pairs, best first; ties go to the lower document.
pub(super) struct Best {
    pub(super) limit: usize,
}

pub(super) struct BestInSegment {
    segment: SegmentOrdinal,
    found: Vec<(Score, DocId)>,
}

impl Collector for Best {
    type Fruit = Vec<(Score, DocAddress)>;
    type Child = BestInSegment;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        _reader: &SegmentReader,
    ) -> tantivy::Result<BestInSegment> {
        Ok(BestInSegment {
            segment,
            found: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(
        &self,
        segments: Vec<Vec<(Score, DocAddress)>>,
    ) -> tantivy::Result<Vec<(Score, DocAddress)>> {
        let mut all: Vec<(Score, DocAddress)> = segments.into_iter().flatten().collect();
        best_first(&mut all, self.limit, |(score, doc)| {
            (*score, doc.segment_ord, doc.doc_id)
        });
        Ok(all)
    }
}

impl SegmentCollector for BestInSegment {
    type Fruit = Vec<(Score, DocAddress)>;

    fn collect(&mut self, doc: DocId, score: Score) {
        self.found.push((score, doc));
    }

    fn harvest(mut self) -> Vec<(Score, DocAddress)> {
        // Every segment keeps all it found until the merge: the limit is applied there.
        let segment = self.segment;
        self.found
            .drain(..)
            .map(|(score, doc)| (score, DocAddress::new(segment, doc)))
            .collect()
    }
}

/// Keeps the `limit` best of `items` (highest score, then lowest segment and document), best
/// first.
fn best_first<T>(items: &mut Vec<T>, limit: usize, key: impl Fn(&T) -> (Score, u32, DocId)) {
    let order = |a: &T, b: &T| {
        let (sa, ga, da) = key(a);
        let (sb, gb, db) = key(b);
        sb.total_cmp(&sa).then(ga.cmp(&gb)).then(da.cmp(&db))
    };
    if items.len() > limit && limit > 0 {
        items.select_nth_unstable_by(limit - 1, order);
        items.truncate(limit);
    } else if limit == 0 {
        items.clear();
    }
    items.sort_unstable_by(order);
}
