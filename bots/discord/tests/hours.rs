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

/// Every embed field as (name, value).
fn fields(json: &Value) -> Vec<(String, String)> {
    json["data"]["embeds"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|e| e["fields"].as_array().into_iter().flatten())
        .map(|f| {
            (
                f["name"].as_str().unwrap_or_default().to_string(),
                f["value"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no field {name:?} in {fields:#?}"))
}

#[test]
fn each_line_says_whether_it_is_open_at_the_time_of_the_answer() {
    let helpline = |time: &str| {
        let answer = json(&responder_at(time), &ask(FAMILY));
        field(&fields(&answer), "Freephone helpline").to_string()
    };
    assert!(helpline("2026-03-28T23:00:00Z").ends_with("🔴 Closed now: opens Monday at 9am"));
    assert!(helpline("2026-03-30T09:00:00Z").ends_with("🟢 Open now, until 5pm"));
    for time in ["2026-03-29T00:30:00Z", "2026-03-29T01:30:00Z"] {
        assert!(
            helpline(time).ends_with("🔴 Closed now: opens tomorrow at 9am"),
            "{time}"
        );
    }
    // A crisis the night the clocks go forward: its 24-hour lines say so.
    let crisis = json(
        &responder_at("2026-03-29T01:30:00Z"),
        &ask("I can't go on any more, I want to kill myself"),
    );
    let crisis = fields(&crisis);
    assert!(
        field(&crisis, "Breathing Space").contains("🟢 Open now, until tomorrow at 6am"),
        "{crisis:#?}"
    );
    assert!(field(&crisis, "Samaritans").contains("🟢 Open now, 24 hours"));
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
        fields(&answer)
    };
    let plain = service(None);
    assert_eq!(plain[0].0, "Out-of-hours homeless line (free)");
    let stranraer = service(Town::parse("Stranraer"));
    assert_eq!(stranraer[0].0, "Stranraer office");
    assert!(stranraer[0].1.contains("01776 888312"));
    assert!(stranraer[0].1.ends_with("🟢 Open now, until 5pm"));
    // /ask takes a town too.
    let asked = json(
        &responder,
        &Request::Ask {
            question: "I have nowhere to stay tonight".into(),
            audience: None,
            town: Town::parse("Annan"),
            share: false,
        },
    );
    assert_eq!(fields(&asked)[0].0, "Annan office");
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
