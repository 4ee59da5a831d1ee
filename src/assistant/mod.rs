//! One turn of conversation: safety triage, then small talk and commands, then search, then
//! the [`Reply`].

pub mod conversation;
pub mod feedback;
mod open_now;
mod shape;
mod smalltalk;

use crate::error::Error;
use crate::hours::{Clock, SystemClock};
use crate::knowledge::{Audience, Entry, Kind, KnowledgeBase, MenuChoice, Report, Stage};
use crate::reply::{Action, Card, ConcernNotice, Hit, Intent, Reply, SafetyNotice, Suggestion};
use crate::safety::{CrisisCategory, Verdict};
use crate::search::{Explanation, Features, Preferences, SearchIndex, SearchOutcome};
use crate::towns::Town;
use chrono::{DateTime, Utc};
use serde::Serialize;
use smalltalk::SmallTalk;
use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;
use std::time::SystemTime;

/// Most cards in an answer to a question.
pub const MAX_CARDS: usize = 3;
// Thresholds are in units of the search's `score_unit` (the weight of a word found in one
// entry), so they hold for a folder of any size.
/// Below this score the best match is too weak to offer; the fallback is honest instead.
const MIN_SCORE: f32 = 2.4;
/// The best match's score times the share of the message's words it holds must reach this:
/// a middling score on half the words of "tell me a joke" is a guess...
const MIN_SUPPORT: f32 = 1.9;
/// ...while a best match scoring this well is shown whatever else the message says.
const CONFIDENT_SCORE: f32 = 6.8;
/// Under a crisis, an entry the crisis's services point to goes first when it scores at least
/// this share of the best answer.
const RELATED_SHARE: f32 = 0.75;
/// A crisis that only the classifier found, in a message whose best match (not one of the
/// crisis's own lines) holds at least this share of it, is read as a question that may hide a
/// crisis: the notice keeps 999, its messages and its first line, and the answer's cards come
/// next, in place of the other lines (one press away, under "Emergency lines").
const CLEAR_QUESTION: f32 = 0.5;
/// From this probability that a message is on another subject, the fallback is given...
const OTHER_SUBJECT: f32 = 0.5;
/// ...unless the best match holds at least this share of the message and scores at least
/// [`CONFIDENT_SCORE`]: a weak match on all of "the weather in Dumfries tomorrow" holds it
/// by a place name.
const OTHER_SUBJECT_MAX_COVERAGE: f32 = 0.8;
/// Under this probability of another subject, words unknown to the folder do not make a
/// short message a guess.
const OTHER_SUBJECT_DOUBT: f32 = 0.1;
/// A result whose words score under this share of the best words' score is left off as noise.
const RELATIVE_CUT: f32 = 0.3;
/// A message with at least this many content words the folder knows is a story: its best
/// match need not cover much of it.
const STORY_KNOWN_WORDS: usize = 8;
/// Messages of at most this many content words can be judged to be on another subject.
const GUESS_MAX_WORDS: usize = 6;
/// How many results a search ranks.
const SEARCHED: usize = 10;
/// General lines offered when nothing fits, if the menu file names none.
const DEFAULT_GENERAL: &[&str] = &[
    "victim-support-scotland",
    "citizens-advice-dg",
    "samaritans",
];

/// The start of the welcome: what signpost is and is not.
const WELCOME: &str = "Hello. I'm signpost, an automated guide from the Dumfries and Galloway \
    Community Justice Partnership. I point you to help if you are affected by crime or the \
    justice system, and explain each step.\n\nI am not an emergency service, and no person \
    reads these messages. If you are in danger, call 999.";

/// Leads the first steps offered after a menu choice.
const FIRST_STEPS: &str = "Here are some first steps. Pick one, or tell me in your own words \
    what's happening.";

/// Most topics, then most services, shown for one stage of the journey.
const JOURNEY_TOPICS: usize = 3;
const JOURNEY_SERVICES: usize = 6;

/// What one message carries: the text and what the front end knows of the person.
#[derive(Debug, Clone, Copy, Default)]
pub struct Turn<'a> {
    /// The person's words, exactly as sent.
    pub text: &'a str,
    /// The audience they picked from the menu, if any.
    pub audience: Option<Audience>,
    /// The stage of the journey they picked, if any.
    pub stage: Option<Stage>,
    /// Their town, remembered from an earlier turn ([`Reply::town`]); a town named in this
    /// message wins.
    pub town: Option<Town>,
}

impl<'a> Turn<'a> {
    /// A turn with no menu choices.
    pub fn new(text: &'a str) -> Turn<'a> {
        Turn {
            text,
            ..Turn::default()
        }
    }
}

/// A loaded knowledge folder with its index: everything needed to answer. Cloning is cheap
/// (the knowledge and index are shared).
#[derive(Clone)]
pub struct Assistant {
    kb: Arc<KnowledgeBase>,
    index: Arc<SearchIndex>,
    loaded_at: SystemTime,
    clock: Arc<dyn Clock>,
    /// Steps of ranking in use: all on, except when measuring what each brings.
    features: Features,
    /// Every phone and text number in the folder, as digits (worked out once per folder, not
    /// per reply: a reply's cost must not grow with the folder).
    numbers: Arc<HashSet<String>>,
}

impl Assistant {
    /// Loads and indexes a knowledge folder.
    pub fn load(dir: &Path) -> Result<(Assistant, Report), Error> {
        let (kb, report) = KnowledgeBase::load(dir)?;
        Ok((Assistant::new(kb)?, report))
    }

    /// Indexes an already loaded knowledge base.
    pub fn new(kb: KnowledgeBase) -> Result<Assistant, Error> {
        let index = SearchIndex::build(&kb)?;
        let numbers = Arc::new(shape::known_numbers(&kb));
        Ok(Assistant {
            kb: Arc::new(kb),
            index: Arc::new(index),
            loaded_at: SystemTime::now(),
            clock: Arc::new(SystemClock),
            features: Features::default(),
            numbers,
        })
    }

    /// The same assistant reading the time from `clock` (the system clock by default): whether
    /// each line is open is worked out at the clock's time, read once per reply.
    pub fn with_clock(&self, clock: Arc<dyn Clock>) -> Assistant {
        Assistant {
            clock,
            ..self.clone()
        }
    }

    /// The time by this assistant's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The knowledge this assistant answers from.
    pub fn knowledge(&self) -> &KnowledgeBase {
        &self.kb
    }

    /// The full triage of a message: what each layer found, for explanations. [`Assistant::answer`]
    /// acts on the same verdict.
    pub fn triage(&self, text: &str) -> Verdict<'_> {
        self.kb.safety.assess(text)
    }

    /// When the folder was loaded.
    pub fn loaded_at(&self) -> SystemTime {
        self.loaded_at
    }

    /// Answers one message.
    pub fn answer(&self, turn: &Turn<'_>) -> Reply {
        let now = self.clock.now();
        let town = Town::find_in(turn.text).or(turn.town);
        let verdict = self.kb.safety.assess(turn.text);
        let safety = self.notice(&verdict.crisis(), now);
        let concern = if safety.is_none() {
            self.concern_notice(&verdict.concern())
        } else {
            None
        };
        let prefs = Preferences {
            audience: turn.audience,
            stage: turn.stage,
            features: self.features,
        };
        let mut asked_clearly = false;
        let mut reply = match (safety.is_some(), SmallTalk::classify(turn.text)) {
            (false, Some(SmallTalk::Greeting)) => self.greeting(),
            (false, Some(SmallTalk::Thanks)) => self.simple(
                Intent::Thanks,
                "You're welcome. If anything else comes up, just ask. In danger, call 999.",
            ),
            (false, Some(SmallTalk::Goodbye)) => self.simple(
                Intent::Goodbye,
                "Take care. You can come back any time. In danger, call 999.",
            ),
            (false, Some(SmallTalk::Help)) => self.help(),
            (false, Some(SmallTalk::Menu)) => self.menu(),
            _ => {
                let (reply, clearly) = self.search(turn.text, prefs, safety.as_ref(), now);
                asked_clearly = clearly;
                reply
            }
        };
        if let Some(mut notice) = safety {
            if asked_clearly && !verdict.by_rule() {
                notice.cards.truncate(1);
                notice.asked = true;
            }
            let mut results: Vec<Hit> = notice
                .cards
                .iter()
                .map(|c| Hit {
                    id: c.id.clone(),
                    kind: c.kind,
                    title: c.title.clone(),
                    score: reply.results.first().map_or(0.0, |h| h.score),
                    coverage: 1.0,
                    reason: "safety",
                })
                .collect();
            results.append(&mut reply.results);
            reply.results = results;
            if !reply.suggestions.iter().any(|s| s.action == Action::Crisis) {
                reply.suggestions.insert(0, Suggestion::crisis());
            }
            reply.safety = Some(notice);
        } else if let Some(concern) = concern {
            // The answer stays; front ends add the line and the Emergency lines button
            // (`Reply::buttons`).
            reply.concern = Some(concern);
        }
        reply.audience = turn.audience;
        self.finish(reply, now, town)
    }

    /// Carries out a button press.
    pub fn act(&self, action: &Action, audience: Option<Audience>) -> Reply {
        self.act_in(action, audience, None)
    }

    /// Carries out a button press for a person in `town` (remembered from an earlier turn),
    /// whose offices come first on the cards.
    pub fn act_in(&self, action: &Action, audience: Option<Audience>, town: Option<Town>) -> Reply {
        let mut reply = match action {
            Action::Entry(id) => self.entry(id),
            Action::Choose(key) => self.choose(key),
            Action::Journey(stage) => self.journey(*stage),
            Action::Menu => self.menu(),
            Action::Crisis => self.crisis(),
            Action::Help => self.help(),
            Action::Feedback(vote) => self.thanks(vote),
        };
        if !matches!(action, Action::Choose(_)) {
            reply.audience = audience;
        }
        self.finish(reply, self.clock.now(), town)
    }

    /// The welcome for a new conversation: what this is and is not, then the menu.
    pub fn welcome(&self) -> Reply {
        let mut reply = self.menu();
        reply.lead =
            format!("{WELCOME}\n\nWho are you asking for? Pick one, or type your question.");
        reply
    }

    /// What the assistant can do.
    pub fn help(&self) -> Reply {
        let mut reply = self.simple(
            Intent::Help,
            "I'm an automated signposting assistant, not a person. Type your question in your \
            own words, for example \"my son has been arrested\", \
            \"how do I visit someone in HMP Dumfries\" or \"can I get compensation\". I'll \
            suggest the services that fit and explain the step you're at.\n\nYou can also pick \
            who you are from the menu so the most relevant help comes first, or ask for the \
            emergency lines at any time. In danger, call 999.",
        );
        reply.suggestions = self.menu_buttons();
        reply.suggestions.push(Suggestion::crisis());
        reply
    }

    /// The "who are you" menu.
    pub fn menu(&self) -> Reply {
        let mut reply = self.simple(
            Intent::Menu,
            "Who are you asking for? Pick one, or just type your question.",
        );
        reply.suggestions = self.menu_buttons();
        reply
    }

    /// The menu's choices, for front ends that build their own buttons or deep links.
    pub fn menu_choices(&self) -> &[MenuChoice] {
        &self.kb.menu
    }

    fn menu_buttons(&self) -> Vec<Suggestion> {
        self.kb
            .menu
            .iter()
            .map(|c| Suggestion {
                label: c.label.clone(),
                action: Action::Choose(c.key.clone()),
            })
            .collect()
    }

    /// A menu choice: remembers the audience (the caller keeps it) and offers first steps.
    pub fn choose(&self, key: &str) -> Reply {
        let Some(choice) = self.kb.menu.iter().find(|c| c.key == key) else {
            return self.menu();
        };
        let mut reply = self.simple(Intent::Choice, FIRST_STEPS);
        reply.suggestions = choice
            .suggest
            .iter()
            .filter_map(|id| self.kb.get(id))
            .map(more_about)
            .collect();
        reply.suggestions.push(Suggestion::start_again());
        reply.audience = Some(choice.audience);
        reply
    }

    /// One entry in full, with its related entries as buttons.
    pub fn entry(&self, id: &str) -> Reply {
        let Some(entry) = self.kb.get(id) else {
            let mut reply = self.menu();
            reply.lead = "Sorry, I can't find that any more: the information may have been \
                updated. Please pick again or type your question."
                .into();
            return reply;
        };
        let mut reply = self.simple(Intent::Entry, "");
        reply.cards = vec![Card::full(entry)];
        reply.results = vec![hit(entry, 0.0, 1.0, "entry")];
        reply.suggestions = entry
            .see_also
            .iter()
            .filter_map(|id| self.kb.get(id))
            .take(4)
            .map(more_about)
            .collect();
        reply.suggestions.push(Suggestion::start_again());
        self.finish(reply, self.clock.now(), None)
    }

    /// The topics and services for one stage of the justice journey, the most central first:
    /// the stage's topics that the stage's other entries point to most, then the services
    /// those topics point to (the more of them, the earlier), then other services of the stage.
    pub fn journey(&self, stage: Stage) -> Reply {
        let entries = &self.kb.entries;
        let in_stage: Vec<&Entry> = entries
            .iter()
            .filter(|e| e.stages.contains(&stage))
            .collect();
        let pointed_to = |id: &str, from: &[&Entry]| {
            from.iter()
                .filter(|e| e.id != id && e.see_also.iter().any(|s| s == id))
                .count()
        };
        let mut topics: Vec<&Entry> = in_stage
            .iter()
            .copied()
            .filter(|e| e.kind == Kind::Topic)
            .collect();
        // The most pointed-to first; then the ones about fewer stages, which are more about
        // this one.
        topics.sort_by_key(|e| {
            (
                std::cmp::Reverse(pointed_to(&e.id, &in_stage)),
                e.stages.len(),
                e.id.clone(),
            )
        });
        topics.truncate(JOURNEY_TOPICS);
        // Services the topics point to: by how many of them do, then whether the service
        // works at this stage, then how early the most central topic names it.
        let first_mention = |id: &str| {
            topics
                .iter()
                .flat_map(|t| t.see_also.iter())
                .position(|s| s == id)
                .unwrap_or(usize::MAX)
        };
        let mut services: Vec<&Entry> = entries
            .iter()
            .filter(|e| e.kind == Kind::Service)
            .filter(|e| e.stages.contains(&stage) || first_mention(&e.id) != usize::MAX)
            .collect();
        services.sort_by_key(|e| {
            (
                std::cmp::Reverse(pointed_to(&e.id, &topics)),
                !e.stages.contains(&stage),
                first_mention(&e.id),
                e.stages.len(),
                e.id.clone(),
            )
        });
        services.truncate(JOURNEY_SERVICES);
        let mut reply = self.simple(
            Intent::Journey,
            &format!("{}: what it means and who can help.", stage.label()),
        );
        let shown: Vec<&Entry> = topics.iter().chain(&services).copied().collect();
        reply.cards = shown.iter().map(|e| Card::brief(e)).collect();
        reply.results = shown.iter().map(|e| hit(e, 0.0, 1.0, "journey")).collect();
        reply.suggestions = shown.iter().map(|e| more_about(e)).collect();
        reply.fallback = reply.cards.is_empty();
        self.finish(reply, self.clock.now(), None)
    }

    /// The emergency and 24-hour lines, at once.
    pub fn crisis(&self) -> Reply {
        let rules = &self.kb.safety;
        let mut seen = HashSet::new();
        let cards: Vec<Card> = rules
            .categories
            .iter()
            .flat_map(|c| c.show.iter())
            .filter(|id| seen.insert(id.as_str()))
            .filter_map(|id| self.kb.get(id))
            .map(Card::brief)
            .collect();
        let mut reply = self.simple(Intent::Crisis, "");
        reply.safety = Some(SafetyNotice {
            categories: Vec::new(),
            title: "Emergency and 24-hour lines".into(),
            messages: vec![rules.emergency.clone()],
            cards,
            asked: false,
        });
        reply.suggestions = vec![Suggestion::start_again()];
        self.finish(reply, self.clock.now(), None)
    }

    fn greeting(&self) -> Reply {
        let mut reply = self.menu();
        reply.intent = Intent::Greeting;
        reply.lead = "Hello. Tell me in your own words what's happening and I'll point you to \
            the right help, or pick who you are asking for. In danger, call 999."
            .into();
        reply
    }

    fn simple(&self, intent: Intent, lead: &str) -> Reply {
        Reply {
            intent,
            safety: None,
            concern: None,
            lead: lead.into(),
            cards: Vec::new(),
            suggestions: Vec::new(),
            fallback: false,
            results: Vec::new(),
            audience: None,
            feedback: Vec::new(),
            town: None,
            open_line: None,
        }
    }

    /// The safety notice for a message, if it is a crisis: what [`Assistant::answer`] puts
    /// first. For front ends that search only part of a long message but triage all of it.
    pub fn safety_notice(&self, text: &str) -> Option<SafetyNotice> {
        self.notice(&self.kb.safety.triage(text), self.clock.now())
    }

    /// The one-line concern for categories below the crisis threshold, most probable first.
    fn concern_notice(&self, categories: &[&CrisisCategory]) -> Option<ConcernNotice> {
        let first = categories.first()?;
        Some(ConcernNotice {
            categories: categories.iter().map(|c| c.id.clone()).collect(),
            message: first.concern.clone(),
        })
    }

    fn notice(&self, categories: &[&CrisisCategory], now: DateTime<Utc>) -> Option<SafetyNotice> {
        let safety = &self.kb.safety;
        let first = categories.first()?;
        let mut seen = HashSet::new();
        let cards = categories
            .iter()
            .flat_map(|c| c.show.iter())
            .filter(|id| seen.insert(id.as_str()))
            .filter_map(|id| self.kb.get(id))
            .take(MAX_CARDS)
            .map(Card::brief)
            .collect();
        let mut messages = vec![safety.emergency.clone()];
        messages.extend(categories.iter().map(|c| c.message.clone()));
        let mut notice = SafetyNotice {
            categories: categories.iter().map(|c| c.id.clone()).collect(),
            title: first.title.clone(),
            messages,
            cards,
            asked: false,
        };
        open_now::open_lines_first(&mut notice, now, None);
        Some(notice)
    }

    /// Turns steps of ranking on or off (all are on by default), to measure what each brings.
    pub fn set_search_features(&mut self, features: Features) {
        self.features = features;
    }

    /// What the search made of a message, for admins (`ask --json --explain`): for each
    /// result, what its score is made of, and why the answer was or was not the fallback.
    pub fn explain(&self, turn: &Turn<'_>) -> SearchExplanation {
        let prefs = Preferences {
            audience: turn.audience,
            stage: turn.stage,
            features: self.features,
        };
        let (outcome, explanations) = self.index.explain(turn.text, prefs, SEARCHED);
        SearchExplanation {
            decision: self.decide(&outcome).describe(),
            known_words: outcome.known_words,
            content_words: outcome.content_words,
            unknown_share: unknown_share(&outcome),
            known_share: share(outcome.known_weight, outcome.content_weight),
            about_share: share(outcome.about_weight, outcome.content_weight),
            other_subject: outcome.other_subject,
            nearest_line: outcome.nearest_line,
            results: outcome
                .hits
                .iter()
                .zip(explanations)
                .map(|(h, explanation)| ExplainedResult {
                    id: self.kb.entries[h.entry].id.clone(),
                    score: h.score,
                    coverage: h.coverage,
                    explanation,
                })
                .collect(),
        }
    }

    /// The entries these entries point to ("see also").
    pub(crate) fn pointed_to<'b>(&self, ids: impl Iterator<Item = &'b str>) -> HashSet<&str> {
        ids.filter_map(|id| self.kb.get(id))
            .flat_map(|e| e.see_also.iter().map(String::as_str))
            .collect()
    }

    /// Whether a search outcome is good enough to show, or the honest fallback is better.
    fn decide(&self, outcome: &SearchOutcome) -> Decision {
        let Some(best) = outcome.hits.first() else {
            return Decision::NothingFound;
        };
        if outcome.known_words == 0 {
            return Decision::NoKnownWord;
        }
        let unit = self.index.score_unit();
        let (top, coverage) = (best.score / unit, best.coverage);
        if top < MIN_SCORE {
            return Decision::TooWeak(top);
        }
        // A long message tells a story around its request: much of it is no entry's subject,
        // so how much of it the best match covers says little, and the words it knows do.
        let story = outcome.known_words >= STORY_KNOWN_WORDS;
        // The re-rankers may put first an entry that holds less of the message than one just
        // behind it ("they want a statement from me about the fight I saw": victim
        // statements first, being a witness holding all of it second): the support is the
        // best among the cards shown.
        let support = outcome
            .hits
            .iter()
            .take(MAX_CARDS)
            .map(|h| h.score / unit * h.coverage)
            .fold(0.0, f32::max);
        if !story && support < MIN_SUPPORT && top < CONFIDENT_SCORE {
            return Decision::TooLittleOfTheMessage(top, support);
        }
        // A short message with words this folder has never seen, whose best match rests on
        // one or two of its words: "order a pizza", "fix a flat tyre". The justice word in it
        // has another sense here, so a service would be a guess.
        let unknown = unknown_share(outcome);
        let matched = coverage * outcome.content_weight;
        let short = outcome.content_words <= GUESS_MAX_WORDS;
        // The classifier of other subjects, when the folder has one, reads the unknown words
        // better: a misspelling or slang it is sure belongs here ("wats throughcare", "cannae
        // afford a brief") is no other subject.
        let doubted = outcome
            .other_subject
            .is_none_or(|p| p >= OTHER_SUBJECT_DOUBT);
        if short
            && doubted
            && !outcome.named
            && ((matched <= 1.0 + f32::EPSILON && unknown >= 0.5)
                || (matched <= 2.0 + f32::EPSILON && unknown >= 0.25 && outcome.content_words <= 4))
        {
            return Decision::OtherSubject(unknown);
        }
        // The classifier learned from `other-subjects.txt` reads the words around the justice
        // word: "the charge of an electron", "prison break season 2". Not when the best match
        // holds nearly all of the message.
        if let Some(p) = outcome.other_subject
            && p >= OTHER_SUBJECT
            && (coverage < OTHER_SUBJECT_MAX_COVERAGE || top < CONFIDENT_SCORE)
        {
            return Decision::Elsewhere(p);
        }
        Decision::Answer(top, coverage)
    }

    /// The answer from the word search, with whether the message clearly asks about an entry
    /// that is not one of the crisis notice's lines (its best match holds at least
    /// [`CLEAR_QUESTION`] of it).
    fn search(
        &self,
        text: &str,
        prefs: Preferences,
        safety: Option<&SafetyNotice>,
        now: DateTime<Utc>,
    ) -> (Reply, bool) {
        let outcome = self.index.search(text, prefs, SEARCHED);
        let hits = &outcome.hits;
        let pinned: HashSet<&str> = safety
            .map(|s| s.cards.iter().map(|c| c.id.as_str()).collect())
            .unwrap_or_default();
        let asked_clearly = hits.first().is_some_and(|h| {
            h.coverage >= CLEAR_QUESTION && !pinned.contains(self.kb.entries[h.entry].id.as_str())
        });
        if !matches!(self.decide(&outcome), Decision::Answer(..)) {
            let mut reply = if safety.is_some() {
                // The safety notice already holds the right lines: no fallback to hide it.
                self.simple(Intent::Question, "Please reach out to one of these now.")
            } else {
                self.fallback()
            };
            // Listed for admins reading JSON, never shown as cards.
            reply.results = hits
                .iter()
                .take(MAX_CARDS)
                .map(|h| hit(&self.kb.entries[h.entry], h.score, h.coverage, "weak"))
                .collect();
            return (reply, false);
        }
        // Noise is judged on the words' evidence: the learned signals re-order the cards but
        // do not take one away ("how do i visit ma da in hmp dumfries" keeps visits under the
        // prison's own card).
        let best_words = hits.iter().map(|h| h.words).fold(0.0, f32::max);
        let shown: Vec<(&Entry, f32)> = hits
            .iter()
            .filter(|h| h.words >= best_words * RELATIVE_CUT)
            .map(|h| (&self.kb.entries[h.entry], h.score))
            .collect();
        let room = if safety.is_some() { 2 } else { MAX_CARDS };
        let mut candidates: Vec<(&Entry, f32)> = shown
            .iter()
            .filter(|(e, _)| !pinned.contains(e.id.as_str()))
            .copied()
            .collect();
        // Under a crisis, entries the crisis's own services point to ("see also") go first
        // when they score nearly as well as the best: they are about the same danger (staying
        // safe from domestic abuse, not Childline, when a partner threatens). One well behind
        // stays behind: when the danger was misread, what was asked comes first.
        if safety.is_some() {
            let related = self.pointed_to(pinned.iter().copied());
            let best = candidates.first().map_or(0.0, |(_, s)| *s);
            candidates.sort_by_key(|(e, s)| {
                !(related.contains(e.id.as_str()) && *s >= best * RELATED_SHARE)
            });
        }
        // At night and at weekends, a line open now goes before an equally relevant closed one.
        open_now::open_first(&mut candidates, room + 1, now);
        let cards: Vec<Card> = candidates
            .iter()
            .take(room)
            .map(|(e, _)| Card::brief(e))
            .collect();
        let lead = match (safety.is_some(), cards.first().map(|c| c.kind)) {
            (true, _) => "You might also find these useful.",
            (false, Some(Kind::Topic)) => "Here's what that means, and who can help:",
            _ => "These are the places most likely to help:",
        };
        let mut reply = self.simple(Intent::Question, lead);
        reply.results = hits
            .iter()
            .filter(|h| !pinned.contains(self.kb.entries[h.entry].id.as_str()))
            .map(|h| hit(&self.kb.entries[h.entry], h.score, h.coverage, "search"))
            .collect();
        reply.suggestions = cards
            .iter()
            .filter_map(|c| self.kb.get(&c.id))
            .map(more_about)
            .collect();
        reply.suggestions.push(Suggestion::start_again());
        reply.cards = cards;
        (reply, asked_clearly)
    }

    fn fallback(&self) -> Reply {
        let mut reply = self.simple(
            Intent::Question,
            "Sorry, I'm not sure I understood that, and I'd rather not guess. Try saying it \
            another way, for example \"my brother is in prison\", or pick who you are asking \
            for. These services can help with most things:",
        );
        reply.fallback = true;
        reply.cards = self.general_lines().into_iter().map(Card::brief).collect();
        reply.suggestions = self.menu_buttons();
        reply.suggestions.push(Suggestion::crisis());
        reply
    }

    fn general_lines(&self) -> Vec<&Entry> {
        let named: Vec<&str> = if self.kb.general.is_empty() {
            DEFAULT_GENERAL.to_vec()
        } else {
            self.kb.general.iter().map(String::as_str).collect()
        };
        named.into_iter().filter_map(|id| self.kb.get(id)).collect()
    }
}

/// Why an answer was shown or the fallback given, scores in units of the search's
/// `score_unit`.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Decision {
    NothingFound,
    NoKnownWord,
    TooWeak(f32),
    /// The best score, and the best score times coverage among the cards.
    TooLittleOfTheMessage(f32, f32),
    OtherSubject(f32),
    Elsewhere(f32),
    Answer(f32, f32),
}

impl Decision {
    fn describe(self) -> String {
        match self {
            Decision::NothingFound => "fallback: no entry matched".into(),
            Decision::NoKnownWord => "fallback: the folder knows none of the words".into(),
            Decision::TooWeak(top) => {
                format!("fallback: the best score {top:.2} units is under {MIN_SCORE}")
            }
            Decision::TooLittleOfTheMessage(top, support) => format!(
                "fallback: no result's score times its coverage reaches {MIN_SUPPORT} (the \
                 best, {support:.2}), and the best score {top:.2} units is under \
                 {CONFIDENT_SCORE}"
            ),
            Decision::OtherSubject(unknown) => format!(
                "fallback: {:.0}% of the words are unknown to the folder and the best match \
                 rests on one or two words",
                unknown * 100.0
            ),
            Decision::Elsewhere(p) => format!(
                "fallback: the classifier learned from other-subjects.txt puts the message on \
                 another subject with probability {p:.2}"
            ),
            Decision::Answer(top, coverage) => {
                format!("answer: best score {top:.2} units, coverage {coverage:.2}")
            }
        }
    }
}

/// The share of a message's content words (weighed by clause) that the folder does not know.
fn unknown_share(outcome: &SearchOutcome) -> f32 {
    if outcome.content_weight <= 0.0 {
        0.0
    } else {
        outcome.unknown_weight / outcome.content_weight
    }
}

/// `part / whole`, or 1 when the whole is nothing.
fn share(part: f32, whole: f32) -> f32 {
    if whole <= 0.0 { 1.0 } else { part / whole }
}

/// What [`Assistant::explain`] tells an admin about one message.
#[derive(Debug, Clone, Serialize)]
pub struct SearchExplanation {
    /// Whether the answer was shown or the fallback given, and why.
    pub decision: String,
    /// How many content words the folder knows (directly, by synonym or typo fix).
    pub known_words: usize,
    /// How many content words the message has.
    pub content_words: usize,
    /// The share of the content words (weighed by clause) the folder does not know.
    pub unknown_share: f32,
    /// The share of the content words (weighed by clause) the folder knows.
    pub known_share: f32,
    /// The share of the content words (weighed by clause) some entry names outside its body.
    pub about_share: f32,
    /// The probability that the message is on another subject, by the classifier learned
    /// from `other-subjects.txt` (none without it).
    pub other_subject: Option<f32>,
    /// How near the message is (cosine, 0 to 1) to the nearest example question, keyword
    /// line, title or summary of any candidate.
    pub nearest_line: Option<f32>,
    /// Every ranked result, best first, with its explanation.
    pub results: Vec<ExplainedResult>,
}

/// One ranked result and what its score is made of.
#[derive(Debug, Clone, Serialize)]
pub struct ExplainedResult {
    /// The entry id.
    pub id: String,
    /// Its final score.
    pub score: f32,
    /// The share of the message's words it holds.
    pub coverage: f32,
    /// The tree of what contributed, like Tantivy's `Explanation`.
    pub explanation: Explanation,
}

fn hit(entry: &Entry, score: f32, coverage: f32, reason: &'static str) -> Hit {
    Hit {
        id: entry.id.clone(),
        kind: entry.kind,
        title: entry.title.clone(),
        score,
        coverage,
        reason,
    }
}

fn more_about(entry: &Entry) -> Suggestion {
    Suggestion::entry(entry)
}
