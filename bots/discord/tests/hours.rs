//! Open now, and near me, as Discord shows it: each line's status at an injected time (a
//! Saturday night, a weekday morning, the night the clocks change), the 24-hour line named
//! when nothing shown is open, and `/service` with a town.

mod common;

use common::knowledge_dir;
use serde_json::Value;
use signpost::{FixedClock, Kind, LiveKnowledge, Town};
use signpost_discord::{Request, Responder};
use std::sync::Arc;

const FAMILY: &str = "my son is in prison, how can our family get support";

fn responder_at(time: &str) -> Responder {
    let (live, _) = LiveKnowledge::load(&knowledge_dir()).expect("the shipped knowledge loads");
    live.set_clock(Arc::new(FixedClock::at(time).expect("a time")));
    Responder::new(live)
}

fn json(responder: &Responder, request: &Request) -> Value {
    serde_json::to_value(responder.respond(request).interaction_response()).unwrap()
}

fn ask(question: &str) -> Request {
    Request::Ask {
        question: question.into(),
        audience: None,
        town: None,
        share: false,
    }
}

/// Every line of the message and of every embed's description and fields: the lead, each
/// card's contact lines, notices.
fn lines(json: &Value) -> Vec<String> {
    let content = json["data"]["content"].as_str();
    let descriptions = json["data"]["embeds"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["description"].as_str());
    let fields = json["data"]["embeds"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|e| e["fields"].as_array().into_iter().flatten())
        .filter_map(|f| f["value"].as_str());
    content
        .into_iter()
        .chain(descriptions)
        .chain(fields)
        .flat_map(|d| d.lines().map(str::to_string).collect::<Vec<_>>())
        .collect()
}

/// The first line that mentions `needle`.
fn line_with(lines: &[String], needle: &str) -> String {
    lines
        .iter()
        .find(|l| l.contains(needle))
        .cloned()
        .unwrap_or_else(|| panic!("no line with {needle:?} in {lines:#?}"))
}

/// The contact lines ("Call ...") in order.
fn calls(lines: &[String]) -> Vec<&String> {
    lines.iter().filter(|l| l.starts_with("Call ")).collect()
}

#[test]
fn each_line_says_whether_it_is_open_at_the_time_of_the_answer() {
    // The lead gives the helpline and says whether it is open; the card's other lines say so
    // each.
    let answer = |time: &str| lines(&json(&responder_at(time), &ask(FAMILY)));
    let night = answer("2026-03-28T23:00:00Z");
    assert!(
        line_with(&night, "Freephone helpline:").contains("closed now, opens Monday at 9am"),
        "{night:#?}"
    );
    assert!(line_with(&night, "60777").ends_with("🔴 Closed now: opens Monday at 9am"));
    let morning = answer("2026-03-30T09:00:00Z");
    assert!(line_with(&morning, "Freephone helpline:").contains("open now, until 5pm"));
    assert!(line_with(&morning, "60777").ends_with("🟢 Open now, until 5pm"));
    for time in ["2026-03-29T00:30:00Z", "2026-03-29T01:30:00Z"] {
        assert!(
            line_with(&answer(time), "60777").ends_with("🔴 Closed now: opens tomorrow at 9am"),
            "{time}"
        );
    }
    // A crisis the night the clocks go forward: a 24-hour line on a card says so.
    let crisis = lines(&json(
        &responder_at("2026-03-29T01:30:00Z"),
        &ask("I can't go on any more, I want to kill myself"),
    ));
    assert!(
        line_with(&crisis, "0800 83 85 87").contains("🟢 Open now, until tomorrow at 6am"),
        "{crisis:#?}"
    );
    assert!(line_with(&crisis, "116 123").contains("any time"));
}

#[test]
fn when_nothing_shown_is_open_the_24_hour_line_is_named() {
    let night = json(
        &responder_at("2026-03-28T23:00:00Z"),
        &ask("what does home detention curfew mean"),
    );
    let text = night.to_string();
    assert!(
        text.contains(
            "None of these lines is open right now. Samaritans is open 24 hours: call 116 123."
        ),
        "{text}"
    );
    let morning = json(
        &responder_at("2026-03-30T09:00:00Z"),
        &ask("what does home detention curfew mean"),
    );
    assert!(!morning.to_string().contains("None of these lines"));
}

#[test]
fn service_with_a_town_puts_that_towns_office_first() {
    let responder = responder_at("2026-03-30T09:00:00Z");
    let service = |town: Option<Town>| {
        let answer = json(
            &responder,
            &Request::Lookup {
                kind: Kind::Service,
                name: "housing-options-dg".into(),
                town,
                share: false,
            },
        );
        lines(&answer)
    };
    let plain = service(None);
    assert!(calls(&plain)[0].contains("0303 333 3001"), "{plain:#?}");
    let stranraer = service(Town::parse("Stranraer"));
    let first = calls(&stranraer)[0];
    assert!(first.contains("01776 888312"), "{stranraer:#?}");
    assert!(first.ends_with("🟢 Open now, until 5pm"), "{first}");
    // /ask takes a town too.
    let asked = lines(&json(
        &responder,
        &Request::Ask {
            question: "I have nowhere to stay tonight".into(),
            audience: None,
            town: Town::parse("Annan"),
            share: false,
        },
    ));
    assert!(calls(&asked)[0].contains("01461 207019"), "{asked:#?}");
}

#[test]
fn a_button_after_an_answer_for_a_town_keeps_the_town() {
    // The bot keeps no state: the "More about" button carries the town of the answer.
    let responder = responder_at("2026-03-30T09:00:00Z");
    let asked = json(
        &responder,
        &Request::Ask {
            question: "I have nowhere to stay tonight".into(),
            audience: None,
            town: Town::parse("Stranraer"),
            share: false,
        },
    );
    let ids: Vec<String> = asked["data"]["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().into_iter().flatten())
        .filter_map(|b| b["custom_id"].as_str().map(String::from))
        .collect();
    let more = ids
        .iter()
        .find(|id| id.starts_with("e:housing-options-dg"))
        .unwrap_or_else(|| panic!("a button for the housing service: {ids:?}"));
    assert_eq!(more, "e:housing-options-dg~Stranraer");
    let press = |custom_id: &str| {
        lines(&json(
            &responder,
            &Request::Press {
                payload: custom_id.into(),
                on_ephemeral: true,
                message: Default::default(),
            },
        ))
    };
    let pressed = press(more);
    assert!(calls(&pressed)[0].contains("01776 888312"), "{pressed:#?}");
    // Without the town, the out-of-hours line comes first as usual; a town nobody knows
    // changes nothing.
    let plain = press("e:housing-options-dg");
    assert!(!calls(&plain)[0].contains("01776 888312"), "{plain:#?}");
    assert_eq!(press("e:housing-options-dg~Atlantis"), plain);
}

#[test]
fn the_town_option_autocompletes_misspellings_included() {
    let responder = responder_at("2026-03-30T09:00:00Z");
    let choices = |typed: &str| {
        let answer = json(
            &responder,
            &Request::CompleteTown {
                typed: typed.into(),
            },
        );
        answer["data"]["choices"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| c["value"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(choices("stran"), ["Stranraer"]);
    assert_eq!(choices("stranrear"), ["Stranraer"]);
    assert_eq!(choices("castle")[0], "Castle Douglas");
    assert_eq!(choices("").len(), 25, "Discord's limit");
    assert!(choices("glasgow").is_empty());
}
