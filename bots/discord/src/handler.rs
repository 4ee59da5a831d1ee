//! Answers a [`Request`] from the live knowledge: the same for the gateway and the
//! interactions endpoint. Logs what happened (kinds, ids, counts, timings), never what was
//! asked.

use crate::commands::Request;
use crate::render::{self, Rendered};
use serenity::all::{AutocompleteChoice, CreateAutocompleteResponse, CreateInteractionResponse};
use signpost::knowledge::{Entry, Kind, KnowledgeBase};
use signpost::text::normalise;
use signpost::{Assistant, LiveKnowledge, Reply, Turn};
use std::time::Instant;

/// What to send back.
#[derive(Debug, Clone, PartialEq)]
pub enum Response {
    /// Answer to a PING.
    Pong,
    /// A new message (type 4).
    Message {
        /// The message.
        rendered: Rendered,
        /// Only the person who asked sees it.
        ephemeral: bool,
    },
    /// Replace the message the pressed button is on (type 7).
    Update(Rendered),
    /// Autocomplete choices (type 8): (name shown, value sent back).
    Choices(Vec<(String, String)>),
}

impl Response {
    /// The interaction response: sent as the callback body in the gateway mode, returned as
    /// the HTTP response body in the endpoint mode.
    pub fn interaction_response(&self) -> CreateInteractionResponse {
        match self {
            Response::Pong => CreateInteractionResponse::Pong,
            Response::Message {
                rendered,
                ephemeral,
            } => CreateInteractionResponse::Message(rendered.new_message(*ephemeral)),
            Response::Update(rendered) => {
                CreateInteractionResponse::UpdateMessage(rendered.update_message())
            }
            Response::Choices(choices) => CreateInteractionResponse::Autocomplete(
                CreateAutocompleteResponse::new().set_choices(
                    choices
                        .iter()
                        .map(|(name, value)| AutocompleteChoice::new(name.clone(), value.clone()))
                        .collect(),
                ),
            ),
        }
    }

    /// The rendered message, if this response carries one.
    pub fn rendered(&self) -> Option<&Rendered> {
        match self {
            Response::Message { rendered, .. } | Response::Update(rendered) => Some(rendered),
            _ => None,
        }
    }
}

/// Answers requests from the knowledge that is live at that moment.
#[derive(Clone)]
pub struct Responder {
    live: LiveKnowledge,
}

impl Responder {
    /// A responder over live knowledge.
    pub fn new(live: LiveKnowledge) -> Responder {
        Responder { live }
    }

    /// The live knowledge.
    pub fn live(&self) -> &LiveKnowledge {
        &self.live
    }

    /// Answers one request, and logs its kind, the ids shown, counts and the time taken.
    pub fn respond(&self, request: &Request) -> Response {
        let started = Instant::now();
        let assistant = self.live.current();
        let (response, outcome) = self.answer(&assistant, request);
        let micros = started.elapsed().as_micros() as u64;
        match &outcome {
            Some(reply) => tracing::info!(
                event = "answered",
                command = request.label(),
                shared = request.shared(),
                results = %ids(reply),
                cards = reply.cards.len(),
                crisis = %reply.crisis().join(","),
                fallback = reply.fallback,
                micros,
            ),
            None => match &response {
                Response::Choices(choices) => tracing::debug!(
                    event = "completed",
                    command = request.label(),
                    choices = choices.len(),
                    micros,
                ),
                _ => tracing::info!(
                    event = "answered",
                    command = request.label(),
                    found = false,
                    micros,
                ),
            },
        }
        response
    }

    fn answer(&self, assistant: &Assistant, request: &Request) -> (Response, Option<Reply>) {
        let kb = assistant.knowledge();
        let message = |reply: Reply, share: bool| {
            let rendered = render::reply(&reply, kb);
            (
                Response::Message {
                    rendered,
                    ephemeral: !share,
                },
                Some(reply),
            )
        };
        match request {
            Request::Ping => (Response::Pong, None),
            Request::Ask {
                question,
                audience,
                share,
            } => {
                let reply = self.live.answer_on(
                    assistant,
                    &Turn {
                        text: question,
                        audience: *audience,
                        stage: None,
                    },
                );
                message(reply, *share)
            }
            Request::Lookup { kind, name, share } => match lookup(assistant, *kind, name) {
                Some(reply) => message(reply, *share),
                None => (
                    Response::Message {
                        rendered: Rendered::text(format!(
                            "I couldn't find a {} by that name. Start typing part of its name \
                            and pick it from the list, or describe what you need with /ask.",
                            kind.as_str()
                        )),
                        ephemeral: true,
                    },
                    None,
                ),
            },
            Request::Journey { stage, share } => match stage {
                Some(stage) => message(assistant.journey(*stage), *share),
                None => (
                    Response::Message {
                        rendered: Rendered::text("Please pick a stage from the list."),
                        ephemeral: true,
                    },
                    None,
                ),
            },
            Request::Crisis { share } => message(assistant.crisis(), *share),
            Request::About => (
                Response::Message {
                    rendered: render::about(assistant, self.live.generation()),
                    ephemeral: true,
                },
                None,
            ),
            Request::Complete { kind, typed } => (
                Response::Choices(render::choices(
                    suggest(kb, *kind, typed)
                        .into_iter()
                        .map(|e| (e.title.clone(), e.id.clone())),
                )),
                None,
            ),
            Request::Press {
                action,
                on_ephemeral,
            } => {
                let reply = match action {
                    Some(action) => assistant.act(action, None),
                    None => {
                        let mut reply = assistant.menu();
                        reply.lead = "That button is from an older answer. Please pick again \
                            or ask with /ask."
                            .into();
                        reply
                    }
                };
                let rendered = render::reply(&reply, kb);
                // On a private answer the press moves it on in place; on a shared one the
                // presser gets a private answer, so nobody changes what others see.
                let response = if *on_ephemeral {
                    Response::Update(rendered)
                } else {
                    Response::Message {
                        rendered,
                        ephemeral: true,
                    }
                };
                (response, Some(reply))
            }
            Request::Unknown => (
                Response::Message {
                    rendered: Rendered::text(
                        "Sorry, I don't know that command. Try /ask, /service, /topic, \
                        /journey, /crisis or /about.",
                    ),
                    ephemeral: true,
                },
                None,
            ),
        }
    }
}

fn ids(reply: &Reply) -> String {
    let mut ids: Vec<&str> = reply.results.iter().map(|h| h.id.as_str()).collect();
    for card in &reply.cards {
        if !ids.contains(&card.id.as_str()) {
            ids.push(&card.id);
        }
    }
    ids.truncate(10);
    ids.join(",")
}

/// `/service` or `/topic`: the entry picked from autocomplete (its id), or the one whose name
/// was typed in full, or the best match for the words typed. Free text goes through the
/// assistant, so words that signal a crisis still bring the safety notice.
fn lookup(assistant: &Assistant, kind: Kind, name: &str) -> Option<Reply> {
    let kb = assistant.knowledge();
    if let Some(entry) = kb.get(name.trim()).filter(|e| e.kind == kind) {
        return Some(assistant.entry(&entry.id));
    }
    let reply = assistant.answer(&Turn::new(name));
    if reply.safety.is_some() {
        return Some(reply);
    }
    if let Some(entry) = suggest(kb, kind, name).first() {
        return Some(assistant.entry(&entry.id));
    }
    reply
        .results
        .iter()
        .filter(|h| h.kind == kind)
        .find_map(|h| kb.get(&h.id))
        .map(|e| assistant.entry(&e.id))
}

/// Autocomplete: the entries of one kind whose title or id fits what has been typed, best
/// first (whole title, title start, a word's start, id, keywords), at most 25.
pub fn suggest<'a>(kb: &'a KnowledgeBase, kind: Kind, typed: &str) -> Vec<&'a Entry> {
    let query = normalise(typed);
    let words: Vec<&str> = query.split_whitespace().collect();
    let mut scored: Vec<(u8, &Entry)> = kb
        .entries
        .iter()
        .filter(|e| e.kind == kind)
        .filter_map(|e| {
            if query.is_empty() {
                return Some((0, e));
            }
            let title = normalise(&e.title);
            let id = e.id.replace('-', " ");
            let title_words: Vec<&str> = title.split_whitespace().collect();
            let score = if title == query || id == query {
                0
            } else if title.starts_with(&query) || id.starts_with(&query) {
                1
            } else if words
                .iter()
                .all(|w| title_words.iter().any(|t| t.starts_with(w)))
            {
                2
            } else if title.contains(&query) || id.contains(&query) {
                3
            } else if words.iter().all(|w| {
                e.keywords
                    .iter()
                    .any(|k| normalise(k).split_whitespace().any(|t| t.starts_with(w)))
            }) {
                4
            } else {
                return None;
            };
            Some((score, e))
        })
        .collect();
    scored.sort_by(|(a, x), (b, y)| a.cmp(b).then_with(|| x.title.cmp(&y.title)));
    scored
        .into_iter()
        .map(|(_, e)| e)
        .take(crate::limits::CHOICES)
        .collect()
}
