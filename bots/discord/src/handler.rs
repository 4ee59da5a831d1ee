//! Answers a [`Request`] from the live knowledge: the same for the gateway and the
//! interactions endpoint. Logs what happened (kinds, ids, counts, timings), never what was
//! asked.

use crate::commands::{Pressed, Request};
use crate::render::{self, Rendered};
use serenity::all::{AutocompleteChoice, CreateAutocompleteResponse, CreateInteractionResponse};
use signpost::assistant::conversation::FAILURE_TEXT;
use signpost::reply::Intent;
use signpost::{Action, Assistant, LiveKnowledge, Reply, Turn};
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
    /// Change the text and buttons of the message the pressed button is on, keeping its
    /// embeds (type 7).
    Amend(Rendered),
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
            Response::Amend(rendered) => {
                CreateInteractionResponse::UpdateMessage(rendered.amend_message())
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

    /// The answer when the real one failed or took too long: the core's failure reply, with
    /// the 24-hour lines (the same as on Telegram), privately; no choices for autocomplete.
    pub fn failure(live: &LiveKnowledge, autocomplete: bool) -> Response {
        if autocomplete {
            return Response::Choices(Vec::new());
        }
        let rendered = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            render::reply(&live.current().failure())
        }))
        .unwrap_or_else(|_| Rendered::text(FAILURE_TEXT));
        Response::Message {
            rendered,
            ephemeral: true,
        }
    }

    /// The rendered message, if this response carries one.
    pub fn rendered(&self) -> Option<&Rendered> {
        match self {
            Response::Message { rendered, .. }
            | Response::Update(rendered)
            | Response::Amend(rendered) => Some(rendered),
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
                concern = %reply.concern().join(","),
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
        // Counted as shown; the feedback pair only under private answers, where one person's
        // press can take it away and the thanks stays between them and the bot.
        let message = |mut reply: Reply, share: bool| {
            if share {
                reply.feedback.clear();
            }
            let rendered = render::reply(&reply);
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
                town,
                share,
            } => {
                let reply = self.live.answer_on(
                    assistant,
                    &Turn {
                        text: question,
                        audience: *audience,
                        stage: None,
                        town: *town,
                    },
                );
                message(assistant.for_practitioners(reply), *share)
            }
            Request::Lookup {
                kind,
                name,
                town,
                share,
            } => match assistant.look_up(*kind, name, *town) {
                Some(mut reply) => {
                    self.live.shown(assistant, &mut reply);
                    message(reply, *share)
                }
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
                Some(stage) => {
                    let mut reply = assistant.journey(*stage);
                    self.live.shown(assistant, &mut reply);
                    message(reply, *share)
                }
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
                    rendered: render::about(
                        &self.live.about_on(assistant, None),
                        self.live.generation(),
                    ),
                    ephemeral: true,
                },
                None,
            ),
            Request::Complete { kind, typed } => (
                Response::Choices(render::choices(&assistant.names(*kind, typed))),
                None,
            ),
            Request::CompleteTown { typed } => (Response::Choices(render::towns(typed)), None),
            Request::Press {
                payload,
                on_ephemeral,
                message: pressed,
            } => {
                // Stateless (any replica may take the press): no audience is known, and the
                // town only when the button carries it.
                let (payload, town) = render::press_town(payload);
                let mut reply = self.live.press_on(assistant, payload, None, town);
                if reply.intent == Intent::Feedback {
                    return (thank(&reply, *on_ephemeral, pressed), Some(reply));
                }
                if !*on_ephemeral {
                    reply.feedback.clear();
                }
                let rendered = render::reply(&reply);
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

/// The answer to a "Helpful" / "Not helpful" press. On a private answer the thanks goes into
/// the message itself and the pair comes off it, so it can be pressed once; on anything else
/// (an answer shared before the pair was left off shared answers) the thanks is a private
/// note.
fn thank(reply: &Reply, on_ephemeral: bool, pressed: &Pressed) -> Response {
    let thanks = reply.lead.trim();
    if !on_ephemeral {
        return Response::Message {
            rendered: Rendered::text(thanks),
            ephemeral: true,
        };
    }
    let content = match pressed.content.trim() {
        "" => format!("*{thanks}*"),
        text => format!("{text}\n\n*{thanks}*"),
    };
    let buttons = pressed
        .buttons
        .iter()
        .filter(|b| !matches!(Action::decode(&b.custom_id), Some(Action::Feedback(_))))
        .cloned()
        .collect();
    Response::Amend(
        Rendered {
            content: Some(content),
            buttons,
            ..Rendered::default()
        }
        .fit(),
    )
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
