//! Replies shaped for a phone: the action first, each line once, a few lines per card, a
//! crisis reply that stays on the crisis, short labels, `/journey` by centrality, deep links
//! straight to first steps, and the practitioner fallback.

use crate::common::{root, shipped};
use signpost::assistant::conversation::PRACTITIONER_FALLBACK;
use signpost::knowledge::MAX_SHORT_TITLE;
use signpost::reply::{Action, ContactKind, Intent, Kind};
use signpost::{Audience, Reply, Stage, Turn};
use std::collections::HashMap;

/// What makes two contacts the same to a reader: the digits of a number, or the address.
fn same(kind: ContactKind, value: &str) -> String {
    match kind {
        ContactKind::Phone | ContactKind::Text => {
            value.chars().filter(char::is_ascii_digit).collect()
        }
        _ => value
            .trim()
            .trim_end_matches('/')
            .to_lowercase()
            .replace("https://", "")
            .replace("http://", "")
            .replace("www.", ""),
    }
}

/// Every contact line a reply shows, as (entry, key).
fn lines(reply: &Reply) -> Vec<(String, String)> {
    reply
        .safety
        .iter()
        .flat_map(|s| &s.cards)
        .chain(&reply.cards)
        .flat_map(|c| {
            c.contacts
                .iter()
                .map(|x| (c.id.clone(), same(x.kind, &x.value)))
        })
        .collect()
}

fn questions() -> Vec<String> {
    let mut all = Vec::new();
    for set in ["../shared/eval/dev.toml", "tests/eval/extra.toml"] {
        let cases = signpost::eval::read_cases(&root().join(set)).unwrap();
        all.extend(cases.into_iter().map(|c| c.q));
    }
    all
}

#[test]
fn answers_lead_with_the_best_matchs_first_step_and_give_each_line_once() {
    // A weekday morning, so that no closed line is moved below an open one and the best
    // match is the first card.
    let assistant = &shipped().with_clock(std::sync::Arc::new(
        signpost::FixedClock::at("2026-03-30T09:00:00Z").unwrap(),
    ));
    let kb = assistant.knowledge();
    let mut problems = Vec::new();
    for q in questions() {
        let reply = assistant.message(&Turn::new(&q));
        let mut seen = HashMap::new();
        for (entry, key) in lines(&reply) {
            if let Some(first) = seen.insert(key.clone(), entry.clone()) {
                problems.push(format!("{q}: {key} on {first} and again on {entry}"));
            }
        }
        let cards = reply
            .safety
            .iter()
            .flat_map(|s| &s.cards)
            .chain(&reply.cards);
        for card in cards {
            if card.contacts.iter().any(|c| c.kind == ContactKind::Address) {
                problems.push(format!("{q}: {} shows a postal address", card.id));
            }
            // Whatever a card leaves out is one press away. (The fallback's general lines say
            // their number in their summary, and it offers the menu instead.)
            if !reply.fallback
                && !reply
                    .buttons()
                    .iter()
                    .any(|b| b.action == Action::Entry(card.id.clone()))
            {
                problems.push(format!("{q}: {} has no button", card.id));
            }
        }
        if reply.cards.len() > 3 {
            problems.push(format!("{q}: {} cards", reply.cards.len()));
        }
        if reply.safety.is_none() && !reply.fallback {
            let best = kb.get(&reply.results[0].id).unwrap();
            // The lead is the summary, then at most a line saying whether a line it gives is
            // open ("Freephone helpline: open now, until 5pm.").
            let status = reply.lead.strip_prefix(&best.summary);
            if !status.is_some_and(|rest| {
                rest.is_empty()
                    || (rest.starts_with('\n')
                        && (rest.contains(": open now") || rest.contains(": closed now")))
            }) {
                problems.push(format!("{q}: leads with {:?}", reply.lead));
            }
            if reply.cards.iter().any(|c| c.summary == best.summary) {
                problems.push(format!("{q}: says its lead twice"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_suicide_reply_is_the_lines_and_nothing_else() {
    let reply = shipped().message(&Turn::new("I can't go on any more, I want to kill myself"));
    let notice = reply.safety.as_ref().unwrap();
    let said = notice.messages.join(" ");
    for line in ["999", "116 123", "85258"] {
        assert_eq!(said.matches(line).count(), 1, "{line} once in {said}");
    }
    assert!(
        !said.contains("55 "),
        "the silent call is for danger and abuse: {said}"
    );
    assert!(reply.cards.is_empty(), "no search card: {:?}", reply.cards);
    assert!(reply.lead.is_empty(), "{}", reply.lead);
    // The lines' services are one press away, and nothing else is offered.
    let ids: Vec<String> = reply.buttons().iter().map(|b| b.action.encode()).collect();
    assert_eq!(ids[0], "crisis");
    assert!(ids.contains(&"e:samaritans".to_string()), "{ids:?}");
    assert!(
        ids.iter()
            .all(|id| !id.starts_with("e:") || notice_ids(&reply).contains(&id[2..].to_string()))
    );
    // What was found is unchanged by the shape: evaluation still sees every result.
    assert!(reply.results.iter().any(|h| h.reason == "search"));
}

fn notice_ids(reply: &Reply) -> Vec<String> {
    let rules = &shipped().knowledge().safety;
    reply
        .crisis()
        .iter()
        .flat_map(|c| {
            rules
                .categories
                .iter()
                .find(|r| &r.id == c)
                .unwrap()
                .show
                .clone()
        })
        .collect()
}

#[test]
fn the_emergency_lines_give_each_number_once_and_the_silent_call_only_where_it_belongs() {
    let reply = shipped().crisis();
    let mut seen = HashMap::new();
    for (entry, key) in lines(&reply) {
        assert!(seen.insert(key.clone(), entry).is_none(), "{key} twice");
    }
    let rules = &shipped().knowledge().safety;
    assert!(!rules.emergency.contains("55"), "{}", rules.emergency);
    for category in &rules.categories {
        // 999 is the emergency line's, which always comes first.
        assert!(!category.message.contains("999"), "{}", category.id);
        let silent = category.message.contains("dial 55");
        let belongs = ["immediate-danger", "domestic-abuse-now"].contains(&category.id.as_str());
        assert_eq!(silent, belongs, "{}: {}", category.id, category.message);
    }
}

#[test]
fn every_button_label_fits_a_phone() {
    for entry in &shipped().knowledge().entries {
        let label = entry.label();
        assert!(
            label.chars().count() <= MAX_SHORT_TITLE,
            "{}: {label}",
            entry.id
        );
        let button = signpost::Suggestion::entry(entry);
        assert_eq!(button.label, label);
    }
}

#[test]
fn a_journey_starts_with_its_central_topics_then_the_services_they_point_to() {
    let reply = shipped().journey(Stage::Release);
    let ids: Vec<&str> = reply.results.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids[0], "release-from-prison", "{ids:?}");
    let first_service = reply
        .results
        .iter()
        .position(|h| h.kind == Kind::Service)
        .unwrap();
    assert!(
        reply.results[first_service..]
            .iter()
            .all(|h| h.kind == Kind::Service),
        "topics first: {ids:?}"
    );
    for wanted in [
        "throughcare",
        "justice-social-work-dg",
        "new-routes",
        "victim-notification-scheme",
    ] {
        assert!(ids.contains(&wanted), "{wanted} in {ids:?}");
    }
    // Every entry shown has its button.
    assert_eq!(reply.suggestions.len(), ids.len());
}

#[test]
fn a_deep_link_goes_straight_to_the_first_steps() {
    let assistant = shipped();
    let replies = assistant.start("family");
    assert_eq!(replies.len(), 1);
    let reply = &replies[0];
    assert_eq!(reply.intent, Intent::Choice);
    assert_eq!(reply.audience, Some(Audience::Families));
    assert!(
        reply.lead.contains("not an emergency service"),
        "{}",
        reply.lead
    );
    assert!(
        !reply.lead.contains("who you are asking for"),
        "{}",
        reply.lead
    );
    assert!(!reply.lead.contains("Thank you"), "{}", reply.lead);
    let choice = assistant
        .menu_choices()
        .iter()
        .find(|c| c.key == "family")
        .unwrap();
    let offered: Vec<String> = reply
        .suggestions
        .iter()
        .map(|s| s.action.encode())
        .collect();
    for id in &choice.suggest {
        assert!(offered.contains(&format!("e:{id}")), "{id} in {offered:?}");
    }
    // Anything else is the plain welcome, which asks.
    let plain = assistant.start("nonsense");
    assert!(plain[0].lead.contains("Who are you asking for?"));
    assert_eq!(plain[0].audience, None);
}

#[test]
fn practitioners_get_the_stages_not_the_public_menu_when_nothing_fits() {
    let assistant = shipped();
    let public = assistant.message(&Turn::new("what is the best recipe for banana bread"));
    assert!(public.fallback);
    let cards = public.cards.clone();
    let reply = assistant.for_practitioners(public);
    assert_eq!(reply.lead, PRACTITIONER_FALLBACK);
    assert_eq!(reply.cards, cards, "the general lines stay");
    assert!(
        reply
            .suggestions
            .iter()
            .all(|s| matches!(s.action, Action::Journey(_) | Action::Crisis)),
        "{:?}",
        reply.suggestions
    );
    assert_eq!(
        reply
            .suggestions
            .iter()
            .filter(|s| matches!(s.action, Action::Journey(_)))
            .count(),
        Stage::ALL.len()
    );
    // An answer that found something is left as it is.
    let answer = assistant.message(&Turn::new("how do I visit someone in prison"));
    assert_eq!(assistant.for_practitioners(answer.clone()), answer);
}
