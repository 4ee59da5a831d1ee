//! A message cut into clauses, each weighted by whether it asks for something.
//!
//! People often tell the story first and ask last: "My brother has used for years, he's been
//! in and out of prison, mum is exhausted. Is there anyone who supports the family?". Every
//! word of the story is true, but the request says which help fits. Clauses that ask weigh
//! fully, the clause just before a request (which often names what "that" is) nearly so, and
//! the rest of the story less; a short message, or one that never asks, weighs every word
//! the same.

use crate::text::normalise;
use regex::Regex;
use std::sync::LazyLock;

/// The weight of a clause that only tells the story around a request.
pub(super) const STORY_WEIGHT: f32 = 0.45;
/// The weight of the clause just before a request.
pub(super) const CONTEXT_WEIGHT: f32 = 0.8;
/// Below this many words, a message is one request: every word weighs the same.
const SHORT_MESSAGE: usize = 20;
/// A request starting after this many words of a clause is cut off as a clause of its own.
const LONG_CLAUSE: usize = 6;

/// Phrases saying when something happened, removed before searching.
static WHEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(?:(?:last|this|next|on|at the|over the) (?:night|week|weekend|month|year|morning|afternoon|evening|monday|tuesday|wednesday|thursday|friday|saturday|sunday)|yesterday|today|tonight|tomorrow|(?:a|one|two|three|four|five|six|few|couple of|\d+) (?:hours?|days?|weeks?|months?|years?) ago)\b",
    )
    .expect("the WHEN pattern compiles")
});

/// A clause that asks: it opens with a question word or a request, in English or Scots.
static ASKS_AT_START: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:so |and |but |please |pls |plz |just |also |oh |ok )*(?:who|whos|wha|what|whats|whit|where|wheres|whaur|how|hoo|hows|when|whens|which|why|is there|are there|is it|is that|can|cn|could|do|does|dae|did|should|shall|will|would|am i|any ?one|any ?body|anywhere|any help|any advice|help|need|looking for|tell me|i need|we need|i want to know|i would like|id like|i wonder|wondering|advice)\b",
    )
    .expect("the ASKS_AT_START pattern compiles")
});

/// A request inside a clause: where a run-on message turns from the story to the question.
static ASKS_INSIDE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(?:is there|are there|who can|who do|who does|who should|who would|who helps|wha can|what happens|what do|what can|what should|what are|whit happens|whit dae|how do|how can|how long|how dae|where do|where can|whaur can|can i|can we|can you|can he|can she|can they|could i|do i|do we|does he|does she|should i|should we|will i|will he|will she|i need|we need|need help|need advice|need to know|want to know|looking for|any help|any advice|anyone who|anybody who|any support|is anyone)\b",
    )
    .expect("the ASKS_INSIDE pattern compiles")
});

/// One clause: normalised words, and how much they count.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Clause {
    /// Normalised, with the phrases saying when removed.
    pub text: String,
    /// 1 for a request or a short message; less for the story around a request.
    pub weight: f32,
    /// Whether it asks for something.
    pub asks: bool,
}

/// Cuts a message into weighted clauses. Linear in the length of the message.
pub(super) fn clauses(text: &str) -> Vec<Clause> {
    let mut out: Vec<Clause> = Vec::new();
    for piece in text.split(['.', '!', '?', ';', '\n', ',', '\u{2026}']) {
        let raw_question = text
            .get(piece_end(text, piece)..)
            .is_some_and(|rest| rest.starts_with('?'));
        let normalised = normalise(piece);
        let cleaned = WHEN.replace_all(&normalised, " ");
        let words: Vec<&str> = cleaned.split(' ').filter(|w| !w.is_empty()).collect();
        if words.is_empty() {
            continue;
        }
        // A run-on clause that turns into a request part way: cut it there.
        let joined = words.join(" ");
        let cut = (words.len() > LONG_CLAUSE)
            .then(|| ASKS_INSIDE.find_iter(&joined).map(|m| m.start()))
            .into_iter()
            .flatten()
            .find(|&at| joined[..at].split(' ').filter(|w| !w.is_empty()).count() >= LONG_CLAUSE);
        match cut {
            Some(at) => {
                push(&mut out, joined[..at].trim(), false);
                push(&mut out, joined[at..].trim(), raw_question);
            }
            None => push(&mut out, &joined, raw_question),
        }
    }
    weigh(&mut out);
    out
}

/// The first `max` words of a message as one clause: how messages were searched before
/// clauses were weighed, kept to measure the difference.
pub(super) fn first_words(text: &str, max: usize) -> Vec<Clause> {
    let normalised = normalise(text);
    let cleaned = WHEN.replace_all(&normalised, " ");
    let words: Vec<&str> = cleaned
        .split(' ')
        .filter(|w| !w.is_empty())
        .take(max)
        .collect();
    if words.is_empty() {
        return Vec::new();
    }
    vec![Clause {
        text: words.join(" "),
        weight: 1.0,
        asks: false,
    }]
}

fn push(out: &mut Vec<Clause>, text: &str, question_mark: bool) {
    if text.is_empty() {
        return;
    }
    out.push(Clause {
        asks: question_mark || ASKS_AT_START.is_match(text),
        text: text.to_string(),
        weight: 1.0,
    });
}

/// The byte offset just after `piece`, a slice of `text` produced by `split`.
fn piece_end(text: &str, piece: &str) -> usize {
    piece.as_ptr() as usize - text.as_ptr() as usize + piece.len()
}

/// Story clauses weigh less than requests, once a message is long enough to have both.
fn weigh(clauses: &mut [Clause]) {
    let words: usize = clauses.iter().map(|c| c.text.split(' ').count()).sum();
    let asking = clauses.iter().filter(|c| c.asks).count();
    if words < SHORT_MESSAGE || asking == 0 || asking == clauses.len() {
        return;
    }
    let asks: Vec<bool> = clauses.iter().map(|c| c.asks).collect();
    for (i, clause) in clauses.iter_mut().enumerate() {
        clause.weight = if asks[i] {
            1.0
        } else if asks.get(i + 1) == Some(&true) {
            CONTEXT_WEIGHT
        } else {
            STORY_WEIGHT
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weights(text: &str) -> Vec<(String, f32)> {
        clauses(text)
            .into_iter()
            .map(|c| (c.text, c.weight))
            .collect()
    }

    #[test]
    fn a_short_message_weighs_every_word_the_same() {
        assert_eq!(
            weights("my dad is in the jail, who can help"),
            [
                ("my dad is in the jail".to_string(), 1.0),
                ("who can help".to_string(), 1.0)
            ]
        );
    }

    #[test]
    fn the_request_after_a_story_weighs_most() {
        let w = weights(
            "My brother has been using for years. He has been in and out of prison. Mum is \
             exhausted. Is there anyone who supports the family?",
        );
        assert_eq!(w.len(), 4);
        assert_eq!(
            w[3],
            ("is there anyone who supports the family".into(), 1.0)
        );
        assert_eq!(w[2].1, CONTEXT_WEIGHT);
        assert_eq!(w[0].1, STORY_WEIGHT);
    }

    #[test]
    fn a_run_on_message_is_cut_where_it_asks() {
        let w = weights(
            "my sister has been drinking for years and lost her job and her flat is there \
             anyone for the family",
        );
        assert_eq!(w.len(), 2, "{w:?}");
        assert_eq!(w[1], ("is there anyone for the family".into(), 1.0));
        assert!(w[0].1 < 1.0);
    }

    #[test]
    fn when_phrases_are_dropped() {
        assert_eq!(
            weights("he was lifted last night")[0].0,
            "he was lifted".to_string()
        );
    }
}
