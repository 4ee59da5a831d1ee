//! The renderer against Discord's limits: a synthetic, absurdly large reply, and every reply
//! the shipped knowledge can produce for an entry, a stage, the menu and the crisis lines.

mod common;

use common::limits;
use common::*;
use serde_json::Value;
use serde_json::json;
use signpost::knowledge::{Contact, ContactKind};
use signpost::reply::Suggestion;
use signpost::{Action, Reply, Stage, Turn};
use signpost_discord::limits::{CONTENT, EMBED_TITLE, EMBED_TOTAL, EMBEDS, chars};
use signpost_discord::render::{self, Rendered};
use signpost_discord::{Request, Responder, Response};

fn check(rendered: &Rendered) -> Value {
    for response in [
        Response::Message {
            rendered: rendered.clone(),
            ephemeral: true,
        },
        Response::Update(rendered.clone()),
    ] {
        let json = serde_json::to_value(response.interaction_response()).unwrap();
        let problems = limits::validate(&json);
        assert!(problems.is_empty(), "{problems:#?}");
    }
    let edit = serde_json::to_value(rendered.edit()).unwrap();
    let problems = limits::validate(&edit);
    assert!(problems.is_empty(), "{problems:#?}");
    serde_json::to_value(
        Response::Message {
            rendered: rendered.clone(),
            ephemeral: true,
        }
        .interaction_response(),
    )
    .unwrap()
}

fn words(word: &str, n: usize) -> String {
    vec![word; n].join(" ")
}

fn huge(reply: &Reply) -> Reply {
    let mut reply = reply.clone();
    let template = reply.cards[0].clone();
    let mut card = template.clone();
    card.title = words("title", 200);
    card.summary = words("summary", 2000);
    card.body = Some(format!("## A heading\n\n{}", words("body", 20_000)));
    card.link = Some(format!("https://example.org/{}", "a".repeat(100)));
    card.contacts = (0..40)
        .map(|i| Contact {
            label: Some(words("label", 100)),
            hours: Some(words("hours", 400)),
            ..Contact::new(
                if i % 2 == 0 {
                    ContactKind::Phone
                } else {
                    ContactKind::Web
                },
                words("0800", 400),
            )
        })
        .collect();
    reply.cards = (0..15)
        .map(|i| {
            let mut c = card.clone();
            c.id = format!("huge-{i}");
            c
        })
        .collect();
    reply.lead = words("lead", 3000);
    reply.suggestions = (0..40)
        .map(|i| Suggestion {
            label: words("label", 50),
            action: if i % 10 == 0 {
                Action::Crisis
            } else {
                Action::Entry(format!("entry-{i}"))
            },
        })
        .collect();
    reply
}

#[test]
fn an_absurdly_large_answer_is_cut_to_fit() {
    let live = knowledge();
    let assistant = live.current();
    let base = assistant.answer(&Turn::new(
        "my partner has just gone to prison, how can I support the kids",
    ));
    let rendered = render::reply(&huge(&base));
    let json = check(&rendered);
    let data = &json["data"];
    assert_eq!(
        data["embeds"].as_array().unwrap().len(),
        rendered.embeds.len()
    );
    assert!(rendered.embeds.len() <= EMBEDS);
    let total: usize = rendered.embeds.iter().map(|e| e.chars()).sum();
    assert!(total <= EMBED_TOTAL, "{total}");
    // The text was cut on a word boundary, with an ellipsis.
    let content = rendered.content.as_deref().unwrap();
    assert!(chars(content) <= CONTENT);
    assert!(
        content.ends_with("lead…"),
        "{}",
        &content[content.len() - 20..]
    );
    let title = rendered.embeds[0].title.as_deref().unwrap();
    assert!(title.ends_with("title…") && chars(title) <= EMBED_TITLE);
    // Buttons: at most 25, five to a row, labels cut.
    assert!(rendered.buttons.len() <= 25);
    for row in data["components"].as_array().unwrap() {
        assert!(row["components"].as_array().unwrap().len() <= 5);
    }

    // The same with a safety notice: the notice stays first and whole enough to act on.
    let crisis = assistant.answer(&Turn::new("I want to kill myself"));
    let mut big = huge(&base);
    big.safety = crisis.safety.clone();
    if let Some(notice) = &mut big.safety {
        notice.messages.push(words("message", 5000));
    }
    let rendered = render::reply(&big);
    check(&rendered);
    let first = &rendered.embeds[0];
    assert_eq!(first.colour, render::SAFETY_COLOUR);
    let description = first.description.as_deref().unwrap();
    assert!(description.contains("999") && description.contains("116 123"));
}

#[test]
fn every_reply_the_shipped_knowledge_can_give_fits() {
    let live = knowledge();
    let assistant = live.current();
    let kb = assistant.knowledge();
    let mut replies: Vec<Reply> = kb.entries.iter().map(|e| assistant.entry(&e.id)).collect();
    replies.extend(Stage::ALL.iter().map(|s| assistant.journey(*s)));
    replies.extend(kb.menu.iter().map(|c| assistant.choose(&c.key)));
    replies.extend([
        assistant.crisis(),
        assistant.menu(),
        assistant.help(),
        assistant.welcome(),
        assistant.entry("no-such-entry"),
    ]);
    for entry in &kb.entries {
        for question in &entry.questions {
            replies.push(assistant.answer(&Turn::new(question)));
        }
    }
    for reply in &replies {
        let rendered = render::reply(reply);
        check(&rendered);
        // Every card and every suggestion made it, for replies of ordinary size.
        assert_eq!(
            rendered.embeds.iter().filter(|e| e.title.is_some()).count(),
            reply.cards.len() + usize::from(reply.safety.is_some()),
            "{:?}",
            reply.intent
        );
    }
}

#[test]
fn about_autocomplete_and_every_command_fit() {
    let responder = Responder::new(knowledge());
    let requests = [
        Request::About,
        Request::Crisis { share: false },
        Request::Complete {
            kind: signpost::Kind::Service,
            typed: String::new(),
        },
        Request::Complete {
            kind: signpost::Kind::Topic,
            typed: "a".into(),
        },
        Request::Lookup {
            kind: signpost::Kind::Service,
            name: "nothing like any service at all".into(),
            town: None,
            share: false,
        },
        Request::CompleteTown {
            typed: String::new(),
        },
        Request::Journey {
            stage: None,
            share: false,
        },
        Request::Press {
            payload: "nonsense".into(),
            on_ephemeral: false,
        },
        Request::Unknown,
    ];
    for request in &requests {
        let response = responder.respond(request);
        let json = serde_json::to_value(response.interaction_response()).unwrap();
        let problems = limits::validate(&json);
        assert!(problems.is_empty(), "{request:?}: {problems:#?}");
        if let Request::Complete { .. } = request {
            assert_eq!(json["type"], 8);
            assert!(!json["data"]["choices"].as_array().unwrap().is_empty());
        }
    }
}

#[test]
fn validator_finds_broken_limits() {
    let bad = json!({"type": 4, "data": {
        "content": "x".repeat(2001),
        "allowed_mentions": {"parse": ["everyone"]},
        "embeds": [{"title": "t".repeat(300)}],
    }});
    let problems = limits::validate(&bad);
    assert_eq!(problems.len(), 3, "{problems:?}");
    let good = json!({"type": 4, "data": {"content": "hi", "allowed_mentions": {"parse": []}}});
    assert!(limits::validate(&good).is_empty());
}
