//! The Tantivy index, built in RAM from the entries, and the one place that turns chat text
//! into a query.
//!
//! Chat text is never handed to Tantivy's query parser: it is cut into clauses (a request
//! weighs more than the story around it), normalised, cut into words, stemmed, stripped of
//! filler words, widened with synonyms and typo corrections, and turned into a weighted union
//! of term queries over the entry fields. Tantivy's candidates are then re-ranked: entries
//! named word for word, the audience and stage chosen, how much of the message each entry
//! covers, a learned signal from the entries' example questions, and room in the first three
//! for a second need the first cards leave out. [`SearchIndex::explain`] says, per result,
//! what each step contributed.

mod collect;
mod learned;
mod memo;
mod message;
mod phrases;
mod scope;
mod synonyms;
mod vocabulary;

use crate::error::IndexError;
use crate::knowledge::{Audience, Entry, KnowledgeBase, Stage};
use crate::text::normalise;
use learned::Learned;
use message::Clause;
use phrases::{Candidate, PhraseBuilder, PhraseIndex};
use scope::Scope;
use std::collections::HashMap;
use synonyms::SynonymIndex;
use tantivy::directory::RamDirectory;
use tantivy::indexer::SingleSegmentIndexWriter;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    TextAnalyzer, TokenizerManager, WhitespaceTokenizer,
};
use tantivy::{DocAddress, Index, IndexReader, TantivyDocument, Term};
use vocabulary::{NUMBER_WORDS, PLACE_WORDS, STOPWORDS, Vocabulary};

pub use tantivy::query::Explanation;

const TOKENIZER: &str = "signpost";

/// How many words of a message were searched before clauses were weighed (kept for
/// measuring the clause weighting off).
const OLD_MAX_QUERY_WORDS: usize = 40;
/// The most distinct terms one query looks for: the most telling ones, so a very long message
/// costs no more to search than a long one.
const MAX_QUERY_TERMS: usize = 64;
/// The memory Tantivy's writer sizes its first term table by: it grows as needed, and a
/// larger start only costs memory (at 10,000 entries 15 MB peaked 3.5 MiB higher, no faster).
const WRITER_MEMORY: usize = 3_000_000;
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
/// Bits kept per term in [`SearchIndex::entry_terms`]: one per field.
const FIELD_BITS: u32 = 5;
/// The fields (as bits) where a match says what an entry is about: all but the body.
const ABOUT_FIELDS: u32 = 0b01111;
/// Term ids fit in the bits above the field bits.
const MAX_TERM_ID: u32 = (1 << (32 - FIELD_BITS)) - 1;

/// A word in more than this share of the entries is too common to look for as part of a
/// synonym phrase the person did not write.
const COMMON_SHARE: f32 = 0.2;
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
/// A second need: words (by importance) the first two results leave out must make up at
/// least this share of the message for the third place to go to them...
const SECOND_NEED_SHARE: f32 = 0.25;
/// ...and the entry that covers them must score at least this share of the best...
const SECOND_NEED_SCORE: f32 = 0.3;
/// ...and this share of the entry whose place it takes.
const SECOND_NEED_DISPLACED: f32 = 0.6;

/// What the person told the front end about themselves: boosts, never filters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Preferences {
    /// The audience picked from the menu.
    pub audience: Option<Audience>,
    /// The stage of the journey picked from the menu.
    pub stage: Option<Stage>,
    /// The steps of ranking in use (all on by default; off only to measure what each brings).
    pub features: Features,
}

/// The steps of ranking that can be turned off, to measure what each one brings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Features {
    /// Weigh a request above the story around it (off: the first 40 words, all equal).
    pub clauses: bool,
    /// Keep the third place for a second need the first two results leave out.
    pub second_need: bool,
    /// Re-rank with the classifier learned from the entries' example questions.
    pub learned: bool,
    /// Re-rank by how near the message is to each entry's nearest own line.
    pub lines: bool,
    /// Read whether a message is on another subject, with the classifier learned from
    /// `other-subjects.txt` against the entries' own lines.
    pub scope: bool,
}

impl Default for Features {
    fn default() -> Features {
        Features {
            clauses: true,
            second_need: true,
            learned: true,
            lines: true,
            scope: true,
        }
    }
}

impl Features {
    /// Every step on, less those named (`clauses`, `second-need`, `learned`, `lines`,
    /// `scope`), for measuring. Unknown names are returned as the error.
    pub fn without(names: &str) -> Result<Features, String> {
        let mut features = Features::default();
        for name in names.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            match name {
                "clauses" => features.clauses = false,
                "second-need" => features.second_need = false,
                "learned" => features.learned = false,
                "lines" => features.lines = false,
                "scope" => features.scope = false,
                other => return Err(other.to_string()),
            }
        }
        Ok(features)
    }
}

/// One scored entry, by its position in [`KnowledgeBase::entries`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scored {
    /// Index into the knowledge base's entries.
    pub entry: usize,
    /// Higher is better.
    pub score: f32,
    /// The share of the message's content words the entry holds (0 to 1), each word weighed
    /// by its clause.
    pub coverage: f32,
    /// The score from the words alone (with the boosts for a name, the audience or stage and
    /// the coverage), before the learned signals re-ordered the candidates: how much evidence
    /// the words give, for telling a result from noise.
    pub words: f32,
}

/// What the search made of a message, for ranking decisions and the fallback.
#[derive(Debug, Clone, Default)]
pub struct SearchOutcome {
    /// Best first.
    pub hits: Vec<Scored>,
    /// How many content words the knowledge folder knows (directly, by synonym or by typo).
    pub known_words: usize,
    /// How many content words (neither filler nor a place) the message has.
    pub content_words: usize,
    /// The content words the folder does not know at all, weighed by their clauses: words
    /// from another subject ("electron", "tyre") that make a match on one justice word
    /// ("charge", "flat") a guess.
    pub unknown_weight: f32,
    /// The content words, weighed by their clauses.
    pub content_weight: f32,
    /// The content words the folder knows (directly, by synonym or by typo), weighed by
    /// their clauses.
    pub known_weight: f32,
    /// The content words some entry names outside its body (in a title, example question,
    /// keyword or summary), weighed by their clauses: the words of this subject.
    pub about_weight: f32,
    /// Whether an entry's title or keyword phrase is in the message word for word.
    pub named: bool,
    /// The probability, by the classifier learned from `other-subjects.txt`, that the message
    /// is on another subject (`None` with no such file, or with the step off).
    pub other_subject: Option<f32>,
    /// How near (cosine, 0 to 1) the message is to the nearest own line of any candidate
    /// (`None` when that step is off or the folder has no classifier).
    pub nearest_line: Option<f32>,
}

/// The in-memory index over one knowledge snapshot.
pub struct SearchIndex {
    reader: IndexReader,
    fields: Vec<(Field, f32)>,
    analyzer: TextAnalyzer,
    vocabulary: Vocabulary,
    /// Synonym groups as analysed terms: for each group, its members' term lists.
    synonyms: Vec<Vec<(String, Vec<String>)>>,
    synonym_index: SynonymIndex,
    entry_meta: Vec<(Vec<Audience>, Vec<Stage>)>,
    /// For each entry, every term it holds: `id << FIELD_BITS | fields`, sorted.
    entry_terms: Vec<Vec<u32>>,
    /// How many entries hold each term, by id.
    term_entries: Vec<u32>,
    /// Whether some entry holds the term outside its body (where entries say what they are
    /// about), by id: words only ever found in bodies are everyday words.
    term_about: Vec<bool>,
    /// The fields (as bits, in [`FIELDS`] order) whose postings hold the term, by id.
    term_fields: Vec<u8>,
    /// Titles and keyword phrases of two or more words, found verbatim in messages.
    phrases: PhraseIndex,
    /// The classifier learned from the entries' example questions, keywords and titles.
    learned: Option<Learned>,
    /// The classifier of this folder's subject against others.
    scope: Option<Scope>,
}

fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::English))
        .build()
}

/// How a term came into the query.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Via {
    /// A word of the message.
    Written,
    /// The correction of a misspelt word (the word's index in the needs).
    Typo(usize),
    /// A member of a synonym group found in the message (group, member found).
    Synonym(usize, usize),
}

/// One term looked for, with how strongly and why.
#[derive(Debug, Clone, Copy)]
struct Looked {
    weight: f32,
    /// Found only through a synonym: looked for where entries name things.
    synonym_only: bool,
    via: Via,
}

/// One content word of the message.
#[derive(Debug, Clone)]
struct Need {
    word: String,
    /// Its clause's weight.
    weight: f32,
    /// The ids of the terms standing for it (itself, typo fixes, synonyms).
    ids: Vec<u32>,
    /// `weight` times the inverse document frequency of its most specific term: how much
    /// it says about which entry fits.
    importance: f32,
}

/// The factors of one result's score, for [`SearchIndex::explain`].
#[derive(Debug, Clone, Copy)]
struct Parts {
    doc: Option<DocAddress>,
    raw: f32,
    named_floor: bool,
    phrase: f32,
    preference: f32,
    coverage: f32,
    learned: f32,
    lines: f32,
    second_need: bool,
}

/// Everything one search worked out, kept for explaining it.
struct Run {
    outcome: SearchOutcome,
    parts: Vec<Parts>,
    needs: Vec<Need>,
    clauses: Vec<Clause>,
    looked: Vec<(String, Looked)>,
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
        // The documents are given already analysed, as their terms joined by spaces: each
        // distinct word is analysed once, here, instead of again in Tantivy's writer.
        let tokenizers = TokenizerManager::default();
        tokenizers.register(
            TOKENIZER,
            TextAnalyzer::builder(WhitespaceTokenizer::default()).build(),
        );
        // One segment, written in this thread as the entries are read: no queue of documents
        // waiting for a writer thread (at 10,000 entries the queue held the whole folder's
        // text), no merge, and each document's id is its entry's position.
        let mut writer: SingleSegmentIndexWriter = Index::builder()
            .schema(builder.build())
            .tokenizers(tokenizers)
            .single_segment_index_writer(RamDirectory::create(), WRITER_MEMORY)?;

        // One pass: each field is normalised once, each distinct word stemmed once, and every
        // term given an id, for the typo vocabulary and the per-entry term sets.
        let mut analyzer = analyzer();
        let mut terms = Terms::default();
        let mut written: HashMap<String, u32> = HashMap::new();
        let mut entry_terms: Vec<Vec<u32>> = Vec::with_capacity(kb.entries.len());
        let mut term_entries: Vec<u32> = Vec::new();
        let mut term_about: Vec<bool> = Vec::new();
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
        for (i, entry) in kb.entries.iter().enumerate() {
            let mut doc = TantivyDocument::default();
            let mut ids: Vec<u32> = Vec::new();
            let mut whole = String::new();
            for (f, ((field, _), value)) in fields.iter().zip(field_texts(entry)).enumerate() {
                let value = normalise(&value);
                let mut analysed = String::new();
                for word in value.split(' ').filter(|w| !w.is_empty()) {
                    let word = terms.of_word(word, &mut analyzer);
                    if let Some(id) = word.id {
                        ids.push(id << FIELD_BITS | 1 << f);
                    }
                    if !word.terms.is_empty() {
                        analysed.push_str(&word.terms);
                        analysed.push(' ');
                    }
                }
                whole.push_str(&value);
                whole.push(' ');
                doc.add_text(*field, analysed);
            }
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
            // One element per term, its field bits joined.
            ids.sort_unstable();
            let mut merged: Vec<u32> = Vec::with_capacity(ids.len());
            for packed in ids {
                match merged.last_mut() {
                    Some(last) if *last >> FIELD_BITS == packed >> FIELD_BITS => *last |= packed,
                    _ => merged.push(packed),
                }
            }
            merged.shrink_to_fit();
            for packed in &merged {
                let id = (packed >> FIELD_BITS) as usize;
                if term_entries.len() <= id {
                    term_entries.resize(id + 1, 0);
                    term_about.resize(id + 1, false);
                }
                term_entries[id] += 1;
                term_about[id] |= packed & ABOUT_FIELDS != 0;
            }
            entry_terms.push(merged);
            phrases.count_in(i, &whole);
        }
        term_entries.resize(terms.by_term.len(), 0);
        term_about.resize(terms.by_term.len(), false);
        let by_word = terms.by_word;
        let vocabulary = Vocabulary::new(terms.by_term, written, |word| {
            by_word.get(word).and_then(|a| a.id)
        });
        drop(by_word);
        let phrases = phrases.finish((kb.entries.len() / 20).max(3));
        // Last, when the words counted above are freed: writing the segment out holds it
        // twice for a moment (in the writer and in the directory).
        let reader = writer.finalize()?.reader()?;
        let term_fields = fields_holding(&reader, &fields, &vocabulary, term_entries.len())?;
        let synonyms: Vec<Vec<(String, Vec<String>)>> = kb
            .synonyms
            .iter()
            .map(|group| {
                group
                    .iter()
                    .map(|member| (member.clone(), analyse(&mut analyzer, member)))
                    .collect()
            })
            .collect();
        let synonym_index = SynonymIndex::new(&synonyms);
        let mut index = SearchIndex {
            reader,
            fields,
            analyzer,
            vocabulary,
            synonyms,
            synonym_index,
            entry_meta: kb
                .entries
                .iter()
                .map(|e| (e.audiences.clone(), e.stages.clone()))
                .collect(),
            entry_terms,
            term_entries,
            term_about,
            term_fields,
            phrases,
            learned: None,
            scope: None,
        };
        index.learned = Learned::train(kb, &index);
        index.scope = Scope::train(kb, &index);
        Ok(index)
    }

    /// Ranks the entries for a message. Never fails: anything the index cannot use is ignored.
    pub fn search(&self, text: &str, prefs: Preferences, limit: usize) -> SearchOutcome {
        self.run(text, prefs, limit).outcome
    }

    /// Ranks the entries for a message as [`SearchIndex::search`] does, and says for each
    /// result what its score is made of: each term in each field (with the synonym or typo
    /// correction that brought it in), the entry named word for word, the audience and stage
    /// boosts, the coverage of the message, the learned signal, and a move to third place
    /// for a second need. Slower: for admins, never for answering.
    pub fn explain(
        &self,
        text: &str,
        prefs: Preferences,
        limit: usize,
    ) -> (SearchOutcome, Vec<Explanation>) {
        let run = self.run(text, prefs, limit);
        let searcher = self.reader.searcher();
        let explanations = run
            .outcome
            .hits
            .iter()
            .zip(&run.parts)
            .map(|(hit, parts)| self.explain_hit(&run, hit, parts, &searcher))
            .collect();
        (run.outcome, explanations)
    }

    fn run(&self, text: &str, prefs: Preferences, limit: usize) -> Run {
        let clauses = if prefs.features.clauses {
            message::clauses(text)
        } else {
            message::first_words(text, OLD_MAX_QUERY_WORDS)
        };
        let mut analyzer = self.analyzer.clone();
        // term -> why it is looked for; the strongest reason wins.
        let mut looked: HashMap<String, Looked> = HashMap::new();
        let look = |looked: &mut HashMap<String, Looked>, term: &str, l: Looked| {
            let slot = looked.entry(term.to_string()).or_insert(Looked {
                weight: 0.0,
                synonym_only: true,
                via: l.via,
            });
            if l.weight > slot.weight {
                slot.weight = l.weight;
                slot.via = l.via;
            }
            slot.synonym_only &= l.synonym_only;
        };
        let n = self.entry_meta.len().max(1) as f32;
        let mut needs: Vec<Need> = Vec::new();
        let mut content_words = 0;
        let mut unknown_weight = 0.0;
        let mut content_weight = 0.0;
        for clause in &clauses {
            let words: Vec<&str> = clause.text.split(' ').filter(|w| !w.is_empty()).collect();
            // Each word as the index has it: synonyms are matched on these too, so "laddies"
            // finds "laddie" and "sentenced" finds "sentence".
            let stems: Vec<String> = words
                .iter()
                .map(|w| {
                    analyse(&mut analyzer, w)
                        .into_iter()
                        .next()
                        .unwrap_or_default()
                })
                .collect();
            let mut of_word = vec![None; words.len()];
            for (position, word) in words.iter().enumerate() {
                if STOPWORDS.contains(word) {
                    continue;
                }
                let place = PLACE_WORDS.contains(word);
                let mut ids = Vec::new();
                let term = &stems[position];
                if !term.is_empty() {
                    if let Some(id) = self.vocabulary.id(term) {
                        let weight = if place { PLACE_WEIGHT } else { 1.0 };
                        look(
                            &mut looked,
                            term,
                            Looked {
                                weight: weight * clause.weight,
                                synonym_only: false,
                                via: Via::Written,
                            },
                        );
                        ids.push(id);
                    } else {
                        for fix in self.vocabulary.corrections(word) {
                            look(
                                &mut looked,
                                &fix,
                                Looked {
                                    weight: TYPO_WEIGHT * clause.weight,
                                    synonym_only: false,
                                    via: Via::Typo(needs.len()),
                                },
                            );
                            ids.extend(self.vocabulary.id(&fix));
                        }
                    }
                }
                // Where someone is says nothing about what they need: not part of coverage;
                // nor does a number in words ("in by seven", "seven months"), even one an
                // example question happens to use.
                let number = NUMBER_WORDS.contains(word);
                if !place && !number {
                    of_word[position] = Some(needs.len());
                    needs.push(Need {
                        word: word.to_string(),
                        weight: clause.weight,
                        ids,
                        importance: 0.0,
                    });
                }
            }
            // Synonyms, found as whole words within the clause.
            let stems: Vec<&str> = stems.iter().map(String::as_str).collect();
            let found = self.synonym_index.find(&stems);
            let mut groups: Vec<usize> = found.iter().map(|f| f.group).collect();
            groups.sort_unstable();
            groups.dedup();
            for group in groups {
                let members = &self.synonyms[group];
                let present: Vec<usize> = found
                    .iter()
                    .filter(|f| f.group == group)
                    .map(|f| f.member)
                    .collect();
                let mut group_ids = Vec::new();
                for (m, (_, terms)) in members.iter().enumerate() {
                    let written = present.contains(&m);
                    let share = SYNONYM_WEIGHT / (terms.len().max(1) as f32).sqrt();
                    let weight = if written { 1.0 } else { share };
                    for term in terms {
                        if STOPWORDS.contains(&term.as_str()) {
                            continue;
                        }
                        let Some(id) = self.vocabulary.id(term) else {
                            continue;
                        };
                        // A common word of a phrase the person did not write ("get" and "out"
                        // of "getting out of prison") says little and costs much to look for.
                        if !written
                            && terms.len() > 1
                            && self.term_entries[id as usize] as f32 > COMMON_SHARE * n
                        {
                            continue;
                        }
                        look(
                            &mut looked,
                            term,
                            Looked {
                                weight: weight * clause.weight,
                                synonym_only: !written,
                                via: if written {
                                    Via::Written
                                } else {
                                    Via::Synonym(group, present[0])
                                },
                            },
                        );
                        group_ids.push(id);
                    }
                }
                // Each content word of a phrase found here is also covered by the whole group.
                for f in found.iter().filter(|f| f.group == group) {
                    for n in of_word[f.start..f.start + f.len].iter().flatten() {
                        needs[*n].ids.extend(group_ids.iter().copied());
                    }
                }
            }
        }
        let mut known_words = 0;
        let mut known_weight = 0.0;
        let mut about_weight = 0.0;
        for need in &mut needs {
            need.ids.sort_unstable();
            need.ids.dedup();
            content_words += 1;
            content_weight += need.weight;
            let idf = need
                .ids
                .iter()
                .map(|&id| idf(n, self.term_entries.get(id as usize).copied().unwrap_or(0)))
                .fold(0.0, f32::max);
            need.importance = need.weight * idf;
            if need.ids.is_empty() {
                // A number or a two-letter word says little about the subject.
                if need.word.len() >= 3 && !need.word.bytes().any(|b| b.is_ascii_digit()) {
                    unknown_weight += need.weight;
                }
            } else {
                known_words += 1;
                known_weight += need.weight;
                if need.ids.iter().any(|&id| self.term_about[id as usize]) {
                    about_weight += need.weight;
                }
            }
        }
        let mut run = Run {
            outcome: SearchOutcome {
                hits: Vec::new(),
                known_words,
                content_words,
                unknown_weight,
                content_weight,
                known_weight,
                about_weight,
                named: false,
                other_subject: match &self.scope {
                    Some(scope) if prefs.features.scope => Some(scope.other(self, text)),
                    _ => None,
                },
                nearest_line: None,
            },
            parts: Vec::new(),
            needs,
            clauses,
            looked: Vec::new(),
        };
        if looked.is_empty() && self.phrases.is_empty() {
            return run;
        }

        // The most telling terms, then sorted, so the same message always builds the same
        // query and ties break the same way.
        let mut looked: Vec<(String, Looked)> = looked.into_iter().collect();
        if looked.len() > MAX_QUERY_TERMS {
            let telling = |(term, l): &(String, Looked)| {
                let df = self
                    .vocabulary
                    .id(term)
                    .and_then(|id| self.term_entries.get(id as usize).copied())
                    .unwrap_or(0);
                l.weight * idf(n, df)
            };
            looked.sort_by(|a, b| telling(b).total_cmp(&telling(a)).then(a.0.cmp(&b.0)));
            looked.truncate(MAX_QUERY_TERMS);
        }
        looked.sort_by(|a, b| a.0.cmp(&b.0));
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (term, l) in &looked {
            // A term is looked for only in the fields that hold it: a clause that matches
            // nothing adds nothing to any score, and costs a weight and a dictionary look-up.
            let holding = self
                .vocabulary
                .id(term)
                .map_or(u8::MAX, |id| self.term_fields[id as usize]);
            for (f, (field, boost)) in self.fields_for(l).iter().enumerate() {
                if holding & 1 << f == 0 {
                    continue;
                }
                let query = TermQuery::new(
                    Term::from_field_text(*field, term),
                    IndexRecordOption::WithFreqs,
                );
                clauses.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(query), boost * l.weight)),
                ));
            }
        }
        // Entries named verbatim: the longest phrase of each, in words.
        let mut named: HashMap<usize, usize> = HashMap::new();
        for clause in &run.clauses {
            for (entry, words) in self.phrases.named(&clause.text) {
                let longest = named.entry(entry).or_default();
                *longest = (*longest).max(words);
            }
        }
        if !named.is_empty() {
            // A service named outright is known even when every word of it is filler.
            run.outcome.known_words = run.outcome.known_words.max(1);
            run.outcome.named = true;
        }
        let query = BooleanQuery::new(clauses);
        let searcher = self.reader.searcher();
        let Ok(top) = searcher.search(&query, &collect::Best { limit: CANDIDATES }) else {
            return run;
        };
        // One segment, its documents in the entries' order.
        let mut raw: Vec<(usize, f32, Option<DocAddress>)> = top
            .into_iter()
            .map(|(score, addr)| (addr.doc_id as usize, score, Some(addr)))
            .collect();
        // An entry named only by filler words ("We Are With You") still gets a chance.
        let min_named = MIN_NAMED_SCORE * self.score_unit();
        let floor = raw.first().map_or(min_named, |r| r.1 * 0.5).max(min_named);
        let mut floored: Vec<usize> = Vec::new();
        for entry in named.keys() {
            match raw.iter_mut().find(|(e, _, _)| e == entry) {
                Some((_, score, _)) => {
                    if *score < floor {
                        floored.push(*entry);
                    }
                    *score = score.max(floor);
                }
                None => {
                    floored.push(*entry);
                    raw.push((*entry, floor, None));
                }
            }
        }
        let mut scored: Vec<(Scored, Parts)> = raw
            .into_iter()
            .map(|(entry, score, doc)| {
                let coverage = self.coverage(entry, &run.needs);
                let phrase = named
                    .get(&entry)
                    .map_or(1.0, |w| 1.0 + PHRASE_BOOST * (*w).min(3) as f32);
                let preference = self.preference_boost(entry, prefs);
                let coordination = 1.0 - COORDINATION + COORDINATION * coverage;
                (
                    Scored {
                        entry,
                        score: score * phrase * preference * coordination,
                        coverage,
                        words: score * phrase * preference * coordination,
                    },
                    Parts {
                        doc,
                        raw: score,
                        named_floor: floored.contains(&entry),
                        phrase,
                        preference,
                        coverage: coordination,
                        learned: 1.0,
                        lines: 1.0,
                        second_need: false,
                    },
                )
            })
            .collect();
        if let Some(learned) = &self.learned
            && (prefs.features.learned || prefs.features.lines)
        {
            // Read once for both signals.
            let prepared = learned::prepare(self, text);
            if prefs.features.learned {
                learned.rerank(&prepared, &mut scored);
            }
            if prefs.features.lines {
                run.outcome.nearest_line = Some(learned.rerank_lines(&prepared, &mut scored));
            }
        }
        scored.sort_by(|a, b| {
            b.0.score
                .total_cmp(&a.0.score)
                .then(a.0.entry.cmp(&b.0.entry))
        });
        if prefs.features.second_need {
            self.second_need(&mut scored, &run.needs);
        }
        scored.truncate(limit);
        let (hits, parts) = scored.into_iter().unzip();
        run.outcome.hits = hits;
        run.parts = parts;
        run.looked = looked;
        run
    }

    /// Where a term is looked for: a word the person did not write, only meant (a synonym),
    /// is looked for only where entries name things, for a small share of the score.
    fn fields_for(&self, looked: &Looked) -> &[(Field, f32)] {
        if looked.synonym_only {
            &self.fields[..NAMING_FIELDS]
        } else {
            &self.fields[..]
        }
    }

    /// When the first two results leave out words that make up a real part of the message
    /// (a second need: "he's in prison *and we can't pay the rent*"), the best entry for
    /// those words takes third place, if it scores well enough to be shown at all.
    fn second_need(&self, scored: &mut [(Scored, Parts)], needs: &[Need]) {
        if scored.len() < 4 || needs.len() < 2 {
            return;
        }
        let total: f32 = needs.iter().map(|n| n.importance).sum();
        if total <= 0.0 {
            return;
        }
        let left_out: Vec<usize> = (0..needs.len())
            .filter(|&i| {
                !scored[..2]
                    .iter()
                    .any(|(s, _)| self.covers_about(s.entry, &needs[i]))
            })
            .collect();
        let gain = |entry: usize| -> f32 {
            left_out
                .iter()
                .filter(|&&i| self.covers_about(entry, &needs[i]))
                .map(|&i| needs[i].importance)
                .sum()
        };
        let missing: f32 = left_out.iter().map(|&i| needs[i].importance).sum();
        if missing < SECOND_NEED_SHARE * total || gain(scored[2].0.entry) >= 0.5 * missing {
            return;
        }
        let floor =
            (scored[0].0.score * SECOND_NEED_SCORE).max(scored[2].0.score * SECOND_NEED_DISPLACED);
        let best = scored[3..]
            .iter()
            .enumerate()
            .filter(|(_, (s, _))| s.score >= floor)
            .map(|(i, (s, _))| (i + 3, gain(s.entry), s.score))
            .filter(|&(_, g, _)| g >= 0.5 * missing)
            .max_by(|a, b| (a.1 * a.2).total_cmp(&(b.1 * b.2)).then(b.0.cmp(&a.0)));
        if let Some((at, _, _)) = best {
            scored[2..=at].rotate_right(1);
            scored[2].1.second_need = true;
        }
    }

    /// Whether an entry holds one of the terms standing for a word outside its body.
    fn covers_about(&self, entry: usize, need: &Need) -> bool {
        let terms = &self.entry_terms[entry];
        need.ids
            .iter()
            .any(|&id| field_bits(terms, id).is_some_and(|bits| bits & ABOUT_FIELDS != 0))
    }

    /// The BM25 weight of a word found in one entry only. Scores grow with the size of the
    /// folder; thresholds expressed in this unit mean the same in a folder of 7 or 7,000.
    pub fn score_unit(&self) -> f32 {
        let n = self.entry_meta.len().max(1) as f32;
        (1.0 + (n - 0.5) / 1.5).ln()
    }

    /// The share of the message's content words that an entry holds in some form, each word
    /// weighed by its clause.
    fn coverage(&self, entry: usize, needs: &[Need]) -> f32 {
        let total: f32 = needs.iter().map(|n| n.weight).sum();
        if total <= 0.0 {
            // Nothing but names and places: nothing left to cover.
            return 1.0;
        }
        let terms = &self.entry_terms[entry];
        let covered: f32 = needs
            .iter()
            .filter(|n| n.ids.iter().any(|&id| field_bits(terms, id).is_some()))
            .map(|n| n.weight)
            .sum();
        covered / total
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

    /// The explanation of one result.
    fn explain_hit(
        &self,
        run: &Run,
        hit: &Scored,
        parts: &Parts,
        searcher: &tantivy::Searcher,
    ) -> Explanation {
        let mut root = Explanation::new_with_string("score".into(), hit.score);
        let mut words = Explanation::new_with_string(
            "word search: BM25 of each term in each field, times the field's weight and the \
             term's weight"
                .into(),
            parts.raw,
        );
        if let Some(doc) = parts.doc {
            let mut found_parts = Vec::new();
            for (term, looked) in &run.looked {
                for ((field, boost), (name, _)) in self.fields_for(looked).iter().zip(FIELDS) {
                    let query = BoostQuery::new(
                        Box::new(TermQuery::new(
                            Term::from_field_text(*field, term),
                            IndexRecordOption::WithFreqs,
                        )),
                        boost * looked.weight,
                    );
                    let Ok(found) = query.explain(searcher, doc) else {
                        continue;
                    };
                    let mut part = Explanation::new_with_string(
                        format!("\"{term}\" in {name}{}", self.describe_via(run, looked)),
                        found.value(),
                    );
                    part.add_context(format!(
                        "field weight {boost}, term weight {:.2}",
                        looked.weight
                    ));
                    found_parts.push(part);
                }
            }
            // The biggest contributions first.
            found_parts.sort_by(|a, b| b.value().total_cmp(&a.value()));
            for part in found_parts {
                words.add_detail(part);
            }
        }
        if parts.named_floor {
            words.add_context(
                "raised to the floor for an entry named word for word in the message".into(),
            );
        }
        root.add_detail(words);
        let factor = |root: &mut Explanation, name: String, value: f32| {
            if value != 1.0 {
                root.add_detail(Explanation::new_with_string(name, value));
            }
        };
        factor(
            &mut root,
            "named word for word: its title or a keyword phrase is in the message".into(),
            parts.phrase,
        );
        factor(
            &mut root,
            "fits the audience or stage chosen".into(),
            parts.preference,
        );
        root.add_detail(Explanation::new_with_string(
            format!(
                "coverage: holds {:.0}% of the message's words (weighed by clause)",
                hit.coverage * 100.0
            ),
            parts.coverage,
        ));
        factor(
            &mut root,
            "learned: the classifier trained on the entries' example questions".into(),
            parts.learned,
        );
        factor(
            &mut root,
            "lines: how near the message is to the entry's nearest example question, keyword \
            line, title or summary"
                .into(),
            parts.lines,
        );
        if parts.second_need {
            let mut moved = Explanation::new_with_string(
                "moved to third place: it covers a second need the first two results leave out"
                    .into(),
                1.0,
            );
            moved.add_context("order only; the score is unchanged".into());
            root.add_detail(moved);
        }
        if run.clauses.len() > 1 {
            let mut clauses =
                Explanation::new_with_string("the message's clauses and their weights".into(), 1.0);
            for clause in &run.clauses {
                clauses.add_detail(Explanation::new_with_string(
                    format!(
                        "{}{}",
                        if clause.asks { "asks: " } else { "tells: " },
                        clause.text
                    ),
                    clause.weight,
                ));
            }
            root.add_detail(clauses);
        }
        root
    }

    fn describe_via(&self, run: &Run, looked: &Looked) -> String {
        match looked.via {
            Via::Written => String::new(),
            Via::Typo(need) => run
                .needs
                .get(need)
                .map(|n| format!(" (typo fix for \"{}\")", n.word))
                .unwrap_or_default(),
            Via::Synonym(group, member) => self
                .synonyms
                .get(group)
                .and_then(|g| g.get(member))
                .map(|(phrase, _)| format!(" (synonym of \"{phrase}\")"))
                .unwrap_or_default(),
        }
    }
}

/// The inverse document frequency of a term held by `df` of `n` entries, as BM25 has it.
fn idf(n: f32, df: u32) -> f32 {
    if df == 0 {
        return 0.0;
    }
    let df = df as f32;
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
}

/// For each term id below `terms`, the fields (as bits, in [`FIELDS`] order) whose postings
/// hold it, read from the index's term dictionaries.
fn fields_holding(
    reader: &IndexReader,
    fields: &[(Field, f32)],
    vocabulary: &Vocabulary,
    terms: usize,
) -> Result<Vec<u8>, IndexError> {
    let mut holding = vec![0u8; terms];
    let searcher = reader.searcher();
    for segment in searcher.segment_readers() {
        for (f, (field, _)) in fields.iter().enumerate() {
            let inverted = segment.inverted_index(*field)?;
            let mut stream = inverted
                .terms()
                .stream()
                .map_err(tantivy::TantivyError::from)?;
            while stream.advance() {
                let id = std::str::from_utf8(stream.key())
                    .ok()
                    .and_then(|term| vocabulary.id(term));
                if let Some(id) = id {
                    holding[id as usize] |= 1 << f;
                }
            }
        }
    }
    Ok(holding)
}

/// The field bits of a term in an entry's packed term list, if it holds the term.
fn field_bits(terms: &[u32], id: u32) -> Option<u32> {
    terms
        .binary_search_by(|packed| (packed >> FIELD_BITS).cmp(&id))
        .ok()
        .map(|i| terms[i] & ((1 << FIELD_BITS) - 1))
}

/// Terms by id, and the terms of each written word, filled while indexing.
#[derive(Default)]
struct Terms {
    by_term: HashMap<String, u32>,
    by_word: HashMap<String, Analysed>,
}

/// What the analyzer makes of one normalised word.
struct Analysed {
    /// The id of its first term: `None` for a word the analyzer drops.
    id: Option<u32>,
    /// Every term it indexes as, joined by spaces (terms never hold whitespace).
    terms: String,
}

impl Terms {
    /// What a normalised word indexes as (as the analyzer makes it), analysed once per word.
    fn of_word(&mut self, word: &str, analyzer: &mut TextAnalyzer) -> &Analysed {
        if !self.by_word.contains_key(word) {
            let terms = analyse(analyzer, word);
            let id = terms.first().and_then(|term| {
                let next = self.by_term.len() as u32;
                if next > MAX_TERM_ID && !self.by_term.contains_key(term) {
                    // Never reached by a real folder (over a hundred million distinct terms).
                    return None;
                }
                Some(*self.by_term.entry(term.clone()).or_insert(next))
            });
            let terms = terms.join(" ");
            self.by_word
                .insert(word.to_string(), Analysed { id, terms });
        }
        &self.by_word[word]
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
