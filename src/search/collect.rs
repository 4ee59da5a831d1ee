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
        best_first(&mut all, self.limit);
        Ok(all)
    }
}

impl SegmentCollector for BestInSegment {
    type Fruit = Vec<(Score, DocAddress)>;

    fn collect(&mut self, doc: DocId, score: Score) {
        self.found.push((score, doc));
    }

    fn harvest(self) -> Vec<(Score, DocAddress)> {
        // Every segment keeps all it found until the merge: the limit is applied there.
        let segment = self.segment;
        self.found
            .into_iter()
            .map(|(score, doc)| (score, DocAddress::new(segment, doc)))
            .collect()
    }
}

/// Keeps the `limit` best of `items` (highest score, then lowest segment and document), best
/// first.
fn best_first(items: &mut Vec<(Score, DocAddress)>, limit: usize) {
    let order =
        |a: &(Score, DocAddress), b: &(Score, DocAddress)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
    if limit == 0 {
        items.clear();
    } else if items.len() > limit {
        items.select_nth_unstable_by(limit - 1, order);
        items.truncate(limit);
    }
    items.sort_unstable_by(order);
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::TopDocs;
    use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
    use tantivy::schema::{IndexRecordOption, Schema, TEXT};
    use tantivy::{Index, IndexWriter, TantivyDocument, Term};

    /// The same best documents, in the same order, as Tantivy's own top-k collector (which
    /// skips blocks that cannot make the top): only the way there differs.
    #[test]
    fn finds_the_same_best_documents_as_tantivys_top_docs() {
        let mut schema = Schema::builder();
        let title = schema.add_text_field("title", TEXT);
        let body = schema.add_text_field("body", TEXT);
        let index = Index::create_in_ram(schema.build());
        let words = [
            "prison", "bail", "court", "visit", "family", "money", "housing", "drugs", "help",
            "release", "witness", "victim",
        ];
        let mut writer: IndexWriter = index.writer(15_000_000).unwrap();
        // Two segments, and documents with many words in common: ties and near ties.
        for segment in 0..2 {
            for i in 0..600usize {
                let mut doc = TantivyDocument::default();
                let pick = |k: usize| words[(i * (k + 3) + segment + k * k) % words.len()];
                doc.add_text(title, format!("{} {}", pick(1), pick(2)));
                let text: Vec<&str> = (0..(i % 9) + 1).map(pick).collect();
                doc.add_text(body, text.join(" "));
                writer.add_document(doc).unwrap();
            }
            writer.commit().unwrap();
        }
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 2);
        for (n, limit) in [
            (1usize, 1usize),
            (2, 5),
            (4, 30),
            (7, 30),
            (12, 100),
            (3, 2_000),
        ] {
            let clauses: Vec<(Occur, Box<dyn Query>)> = words
                .iter()
                .take(n)
                .enumerate()
                .flat_map(|(k, w)| {
                    [(title, 2.5), (body, 0.6)].map(|(field, boost)| {
                        let term = TermQuery::new(
                            Term::from_field_text(field, w),
                            IndexRecordOption::WithFreqs,
                        );
                        let query: Box<dyn Query> =
                            Box::new(BoostQuery::new(Box::new(term), boost / (k + 1) as f32));
                        (Occur::Should, query)
                    })
                })
                .collect();
            let query = BooleanQuery::new(clauses);
            let ours = searcher.search(&query, &Best { limit }).unwrap();
            let theirs = searcher
                .search(&query, &TopDocs::with_limit(limit).order_by_score())
                .unwrap();
            assert_eq!(ours.len(), theirs.len(), "{n} words, limit {limit}");
            assert!(!ours.is_empty());
            for (a, b) in ours.iter().zip(&theirs) {
                // Equal scores may list their documents in another order; the scores at each
                // place are the same.
                assert!(
                    (a.0 - b.0).abs() < 1e-5,
                    "{n} words, limit {limit}: {a:?} {b:?}"
                );
            }
            assert!(ours.windows(2).all(|w| w[0].0 >= w[1].0), "best first");
            let mut sorted = ours.clone();
            sorted.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            assert_eq!(ours, sorted, "ties go to the lower document");
        }
        // Nothing asked for: nothing kept.
        let query = TermQuery::new(
            Term::from_field_text(body, "prison"),
            IndexRecordOption::WithFreqs,
        );
        assert!(
            searcher
                .search(&query, &Best { limit: 0 })
                .unwrap()
                .is_empty()
        );
    }
}
