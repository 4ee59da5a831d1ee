//! The Tantivy index, built in RAM from the entries, and the one place that turns chat text
//! into a query.
//!
//! Chat text is never handed to Tantivy's query parser: it is normalised, cut into words,
//! stemmed, stripped of filler words, widened with synonyms and typo corrections, and turned
//! into a weighted union of term queries over the entry fields.

mod phrases;
mod vocabulary;

use crate::error::IndexError;
use crate::knowledge::{Audience, Entry, KnowledgeBase, Stage};
use crate::text::{contains_phrase, normalise};
use phrases::{Candidate, PhraseBuilder, PhraseIndex};
use std::collections::HashMap;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    TextAnalyzer,
};
use tantivy::{Index, IndexReader, IndexWriter, TantivyDocument, Term};
use vocabulary::{PLACE_WORDS, STOPWORDS, Vocabulary};

const TOKENIZER: &str = "signpost";

/// Phrases saying when something happened, removed before searching.
static WHEN: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(
        r"\b(?:(?:last|this|next|on|at the|over the) (?:night|week|weekend|month|year|morning|afternoon|evening|monday|tuesday|wednesday|thursday|friday|saturday|sunday)|yesterday|today|tonight|tomorrow|(?:a|one|two|three|four|five|six|few|couple of|\d+) (?:hours?|days?|weeks?|months?|years?) ago)\b",
    )
    .expect("the WHEN pattern compiles")
});
/// How many words of a message are searched: enough for any real question.
const MAX_QUERY_WORDS: usize = 40;
/// How many candidates are re-ranked after Tantivy scores them.
const CANDIDATES: usize = 30;

/// Weights of each field. Example questions and keywords are what people actually type.
/// The first [`NAMING_FIELDS`] are where entries name things.
const FIELDS: &[(&str, f32)] = &[
    ("title", 2.5),
    ("questions", 2.0),
    ("keywords", 2.0),
    ("summary", 1.2),
    ("body", 0.6),
];
const NAMING_FIELDS: usize = 3;

/// How much a word found only through a synonym or a typo correction counts.
const SYNONYM_WEIGHT: f32 = 0.7;
const TYPO_WEIGHT: f32 = 0.6;
/// Place names say where, not what: most entries serve the whole region.
const PLACE_WEIGHT: f32 = 0.35;
/// Multipliers for entries that fit the audience or stage the person chose.
const AUDIENCE_BOOST: f32 = 1.35;
const STAGE_BOOST: f32 = 1.25;
/// How much covering more of the message's words counts: a score is scaled between
/// `1 - COORDINATION` (no word covered) and 1 (every word covered).
const COORDINATION: f32 = 0.5;
/// Extra weight, per word up to three, for an entry whose title or keyword phrase the
/// message contains word for word.
const PHRASE_BOOST: f32 = 0.25;
/// The score, in [`SearchIndex::score_unit`]s, an entry named word for word starts from when
/// no word of it was searchable.
const MIN_NAMED_SCORE: f32 = 2.7;

/// What the person told the front end about themselves: boosts, never filters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Preferences {
    /// The audience picked from the menu.
    pub audience: Option<Audience>,
    /// The stage of the journey picked from the menu.
    pub stage: Option<Stage>,
}

/// One scored entry, by its position in [`KnowledgeBase::entries`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scored {
    /// Index into the knowledge base's entries.
    pub entry: usize,
    /// Higher is better.
    pub score: f32,
    /// The share of the message's content words the entry holds (0 to 1).
    pub coverage: f32,
}

/// What the search made of a message, for ranking decisions and the fallback.
#[derive(Debug, Clone, Default)]
pub struct SearchOutcome {
    /// Best first.
    pub hits: Vec<Scored>,
    /// How many of them the knowledge folder knows (directly, by synonym or by typo).
    pub known_words: usize,
}

/// The in-memory index over one knowledge snapshot.
pub struct SearchIndex {
    reader: IndexReader,
    fields: Vec<(Field, f32)>,
    analyzer: TextAnalyzer,
    vocabulary: Vocabulary,
    /// Synonym groups as analysed terms: for each group, its members' term lists.
    synonyms: Vec<Vec<(String, Vec<String>)>>,
    entry_meta: Vec<(Vec<Audience>, Vec<Stage>)>,
    /// For each entry, the sorted ids (in `vocabulary`) of every term it holds.
    entry_terms: Vec<Vec<u32>>,
    /// Titles and keyword phrases of two or more words, found verbatim in messages.
    phrases: PhraseIndex,
}

fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::English))
        .build()
}

impl SearchIndex {
    /// Builds the index in RAM from every entry of the knowledge base.
    pub fn build(kb: &KnowledgeBase) -> Result<SearchIndex, IndexError> {
        let mut builder = Schema::builder();
        let text = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(TOKENIZER)
                .set_index_option(IndexRecordOption::WithFreqs),
        );
        let fields: Vec<(Field, f32)> = FIELDS
            .iter()
            .map(|(name, boost)| (builder.add_text_field(name, text.clone()), *boost))
            .collect();
        let ord = builder.add_u64_field("ord", NumericOptions::default().set_fast());
        let index = Index::create_in_ram(builder.build());
        index.tokenizers().register(TOKENIZER, analyzer());

        // One pass: each field is normalised once, each distinct word stemmed once, and every
        // term given an id, for the typo vocabulary and the per-entry term sets.
        let mut analyzer = analyzer();
        let mut terms = Terms::default();
        let mut written: HashMap<String, u32> = HashMap::new();
        let mut entry_terms: Vec<Vec<u32>> = Vec::with_capacity(kb.entries.len());
        let candidates = kb.entries.iter().enumerate().flat_map(|(i, entry)| {
            // "Families Outside" and "Apex Scotland (jobs)" are named by their first part too.
            let short_title = normalise(entry.title.split(['(', ':', '-']).next().unwrap_or(""));
            [(normalise(&entry.title), true), (short_title, true)]
                .into_iter()
                .chain(entry.keywords.iter().map(|k| (normalise(k), false)))
                .map(move |(text, is_title)| Candidate {
                    entry: i,
                    text,
                    is_title,
                })
        });
        let mut phrases = PhraseBuilder::new(candidates);
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000)?;
        for (i, entry) in kb.entries.iter().enumerate() {
            let mut doc = TantivyDocument::default();
            let mut ids = Vec::new();
            let mut whole = String::new();
            for ((field, _), value) in fields.iter().zip(field_texts(entry)) {
                let value = normalise(&value);
                for word in value.split(' ').filter(|w| !w.is_empty()) {
                    if let Some(id) = terms.of_word(word, &mut analyzer) {
                        ids.push(id);
                    }
                }
                whole.push_str(&value);
                whole.push(' ');
                doc.add_text(*field, value);
            }
            doc.add_u64(ord, i as u64);
            writer.add_document(doc)?;
            let mut words: Vec<&str> = whole
                .split(' ')
                .filter(|w| w.len() >= 3 && !w.bytes().any(|b| b.is_ascii_digit()))
                .collect();
            words.sort_unstable();
            words.dedup();
            for word in words {
                *written.entry(word.to_string()).or_default() += 1;
            }
            ids.sort_unstable();
            ids.dedup();
            entry_terms.push(ids);
            phrases.count_in(i, &whole);
        }
        writer.commit()?;
        // One segment answers faster than several; the writer's small memory budget (kept
        // small for peak memory) may have flushed a few along the way.
        let segments = index.searchable_segment_ids()?;
        if segments.len() > 1 {
            writer.merge(&segments).wait()?;
        }
        writer.wait_merging_threads()?;
        let reader = index.reader()?;
        let vocabulary = Vocabulary::new(terms.by_term, written, &terms.by_word);
        let phrases = phrases.finish((kb.entries.len() / 20).max(3));
        let synonyms = kb
            .synonyms
            .iter()
            .map(|group| {
                group
                    .iter()
                    .map(|member| (member.clone(), analyse(&mut analyzer, member)))
                    .collect()
            })
            .collect();
        Ok(SearchIndex {
            reader,
            fields,
            analyzer,
            vocabulary,
            synonyms,
            entry_meta: kb
                .entries
                .iter()
                .map(|e| (e.audiences.clone(), e.stages.clone()))
                .collect(),
            entry_terms,
            phrases,
        })
    }

    /// Ranks the entries for a message. Never fails: anything the index cannot use is ignored.
    pub fn search(&self, text: &str, prefs: Preferences, limit: usize) -> SearchOutcome {
        // When something happened matters to the safety rules, which read the raw text, but
        // says nothing about which service fits: "last night" must not pull up entries whose
        // examples happen to say it.
        let normalised = WHEN.replace_all(&normalise(text), " ").into_owned();
        let mut analyzer = self.analyzer.clone();
        let words: Vec<&str> = normalised
            .split(' ')
            .filter(|w| !w.is_empty())
            .take(MAX_QUERY_WORDS)
            .collect();
        let head = words.join(" ");

        // term -> weight; the strongest reason to look for a term wins.
        let mut weights: HashMap<String, (f32, bool)> = HashMap::new();
        // term -> (weight, found only through a synonym).
        let add =
            |weights: &mut HashMap<String, (f32, bool)>, term: &str, weight: f32, synonym: bool| {
                let slot = weights.entry(term.to_string()).or_insert((0.0, true));
                slot.0 = slot.0.max(weight);
                slot.1 &= synonym;
            };
        // For each content word, the terms that stand for it (itself, typo fixes, synonyms).
        let mut word_terms: Vec<Vec<String>> = Vec::new();
        let mut known_words = 0;
        for word in &words {
            if STOPWORDS.contains(word) {
                continue;
            }
            let mut stands_for = Vec::new();
            let place = PLACE_WORDS.contains(word);
            if let Some(term) = analyse(&mut analyzer, word).into_iter().next() {
                if self.vocabulary.contains(&term) {
                    let weight = if place { PLACE_WEIGHT } else { 1.0 };
                    add(&mut weights, &term, weight, false);
                    stands_for.push(term);
                } else {
                    for fix in self.vocabulary.corrections(word) {
                        add(&mut weights, &fix, TYPO_WEIGHT, false);
                        stands_for.push(fix);
                    }
                }
            }
            // Where someone is says nothing about what they need: not part of coverage.
            if !place {
                word_terms.push(stands_for);
            }
        }
        let content: Vec<&str> = words
            .iter()
            .copied()
            .filter(|w| !STOPWORDS.contains(w) && !PLACE_WORDS.contains(w))
            .collect();
        for group in &self.synonyms {
            let present: Vec<&str> = group
                .iter()
                .filter(|(phrase, _)| contains_phrase(&head, phrase))
                .map(|(phrase, _)| phrase.as_str())
                .collect();
            if present.is_empty() {
                continue;
            }
            let mut group_terms = Vec::new();
            for (phrase, terms) in group {
                let share = SYNONYM_WEIGHT / (terms.len().max(1) as f32).sqrt();
                let weight = if present.contains(&phrase.as_str()) {
                    1.0
                } else {
                    share
                };
                for term in terms {
                    if !STOPWORDS.contains(&term.as_str()) && self.vocabulary.contains(term) {
                        add(
                            &mut weights,
                            term,
                            weight,
                            !present.contains(&phrase.as_str()),
                        );
                        group_terms.push(term.clone());
                    }
                }
            }
            // Each content word of a phrase found here is also covered by the whole group.
            for (i, word) in content.iter().enumerate() {
                if present.iter().any(|p| p.split(' ').any(|w| w == *word)) {
                    word_terms[i].extend(group_terms.iter().cloned());
                }
            }
        }
        let word_ids: Vec<Vec<u32>> = word_terms
            .iter()
            .map(|terms| terms.iter().filter_map(|t| self.vocabulary.id(t)).collect())
            .collect();
        for ids in &word_ids {
            known_words += usize::from(!ids.is_empty());
        }
        if weights.is_empty() && self.phrases.is_empty() {
            return SearchOutcome {
                hits: Vec::new(),
                known_words,
            };
        }

        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        // Sorted, so the same message always builds the same query and ties break the same way.
        let mut weights: Vec<(String, (f32, bool))> = weights.into_iter().collect();
        weights.sort_by(|a, b| a.0.cmp(&b.0));
        for (term, (weight, synonym)) in &weights {
            // A word the person did not write, only meant (a synonym), is looked for only where
            // entries name things: fewer clauses, for a small share of the score.
            let fields = if *synonym {
                &self.fields[..NAMING_FIELDS]
            } else {
                &self.fields[..]
            };
            for (field, boost) in fields {
                let query = TermQuery::new(
                    Term::from_field_text(*field, term),
                    IndexRecordOption::WithFreqs,
                );
                clauses.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(query), boost * weight)),
                ));
            }
        }
        // Entries named verbatim: the longest phrase of each, in words.
        let named = self.phrases.named(&head);
        if !named.is_empty() {
            // A service named outright is known even when every word of it is filler.
            known_words = known_words.max(1);
        }
        let query = BooleanQuery::new(clauses);
        let searcher = self.reader.searcher();
        let Ok(top) = searcher.search(&query, &TopDocs::with_limit(CANDIDATES).order_by_score())
        else {
            return SearchOutcome::default();
        };
        let mut raw: Vec<(usize, f32)> = top
            .into_iter()
            .filter_map(|(score, addr)| {
                let segment = searcher.segment_reader(addr.segment_ord);
                let ords = segment.fast_fields().u64("ord").ok()?;
                Some((ords.first(addr.doc_id)? as usize, score))
            })
            .collect();
        // An entry named only by filler words ("We Are With You") still gets a chance.
        let min_named = MIN_NAMED_SCORE * self.score_unit();
        let floor = raw.first().map_or(min_named, |r| r.1 * 0.5).max(min_named);
        for entry in named.keys() {
            match raw.iter_mut().find(|(e, _)| e == entry) {
                Some((_, score)) => *score = score.max(floor),
                None => raw.push((*entry, floor)),
            }
        }
        let mut hits: Vec<Scored> = raw
            .into_iter()
            .map(|(entry, score)| {
                let coverage = self.coverage(entry, &word_ids);
                let phrase = named
                    .get(&entry)
                    .map_or(1.0, |w| 1.0 + PHRASE_BOOST * (*w).min(3) as f32);
                Scored {
                    entry,
                    score: score
                        * phrase
                        * self.preference_boost(entry, prefs)
                        * (1.0 - COORDINATION + COORDINATION * coverage),
                    coverage,
                }
            })
            .collect();
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.entry.cmp(&b.entry)));
        hits.truncate(limit);
        SearchOutcome { hits, known_words }
    }

    /// The BM25 weight of a word found in one entry only. Scores grow with the size of the
    /// folder; thresholds expressed in this unit mean the same in a folder of 7 or 7,000.
    pub fn score_unit(&self) -> f32 {
        let n = self.entry_meta.len().max(1) as f32;
        (1.0 + (n - 0.5) / 1.5).ln()
    }

    /// The share of the message's content words that an entry holds in some form.
    fn coverage(&self, entry: usize, word_ids: &[Vec<u32>]) -> f32 {
        if word_ids.is_empty() {
            // Nothing but names and places: nothing left to cover.
            return 1.0;
        }
        let terms = &self.entry_terms[entry];
        let covered = word_ids
            .iter()
            .filter(|ids| ids.iter().any(|id| terms.binary_search(id).is_ok()))
            .count();
        covered as f32 / word_ids.len() as f32
    }

    fn preference_boost(&self, entry: usize, prefs: Preferences) -> f32 {
        let (audiences, stages) = &self.entry_meta[entry];
        let mut boost = 1.0;
        if let Some(chosen) = prefs.audience {
            let fits = audiences.iter().any(|a| {
                *a == chosen
                    || (chosen == Audience::Victims && *a == Audience::Witnesses)
                    || (chosen == Audience::Witnesses && *a == Audience::Victims)
            });
            if fits {
                boost *= AUDIENCE_BOOST;
            } else if audiences.contains(&Audience::Everyone) {
                boost *= 1.0 + (AUDIENCE_BOOST - 1.0) / 2.0;
            }
        }
        if let Some(stage) = prefs.stage
            && stages.contains(&stage)
        {
            boost *= STAGE_BOOST;
        }
        boost
    }
}

/// Terms by id, and the term of each written word, filled while indexing.
#[derive(Default)]
struct Terms {
    by_term: HashMap<String, u32>,
    by_word: HashMap<String, Option<u32>>,
}

impl Terms {
    /// The id of the term a normalised word indexes as (as Tantivy's analyzer makes it), or
    /// `None` for a word the analyzer drops.
    fn of_word(&mut self, word: &str, analyzer: &mut TextAnalyzer) -> Option<u32> {
        if let Some(id) = self.by_word.get(word) {
            return *id;
        }
        let id = analyse(analyzer, word).into_iter().next().map(|term| {
            let next = self.by_term.len() as u32;
            *self.by_term.entry(term).or_insert(next)
        });
        self.by_word.insert(word.to_string(), id);
        id
    }
}

/// The text of each field of [`FIELDS`], in order.
fn field_texts(entry: &Entry) -> [String; 5] {
    [
        entry.title.clone(),
        entry.questions.join(" \n "),
        entry.keywords.join(" \n "),
        entry.summary.clone(),
        entry.body.clone(),
    ]
}

/// The analysed (lowercased, folded, stemmed) terms of a text.
fn analyse(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while let Some(token) = stream.next() {
        out.push(token.text.clone());
    }
    out
}
