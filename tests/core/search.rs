use crate::common::{shown_ids, small};
use signpost::reply::{Action, Intent};
use signpost::{Audience, Turn};

fn first(text: &str) -> String {
    let reply = small().answer(&Turn::new(text));
    shown_ids(&reply)
        .first()
        .map(|s| s.to_string())
        .unwrap_or_else(|| panic!("no result for {text:?}: {reply:#?}"))
}

#[test]
fn plain_question_ranks_the_right_entry_first() {
    assert_eq!(
        first("my partner has gone to prison, who can help"),
        "prison-families-line"
    );
    assert_eq!(first("what are standard bail conditions"), "bail-explained");
    assert_eq!(first("someone broke into my house"), "crime-victims-help");
}

#[test]
fn colloquial_words_reach_entries_through_synonyms() {
    // "jail" appears in no entry: only the synonym group links it to "prison".
    assert_eq!(first("ma partner's in the jail"), "prison-families-line");
    // "brief" means a solicitor here.
    assert_eq!(first("I need a brief"), "legal-advice-line");
    assert_eq!(
        first("he got huckled, who gives legal advice"),
        "legal-advice-line"
    );
}

#[test]
fn misspelled_words_still_find_their_entry() {
    assert_eq!(first("bial condtions"), "bail-explained");
    assert_eq!(first("prision visits"), "prison-families-line");
    assert_eq!(first("solicter for court"), "legal-advice-line");
}

#[test]
fn exact_words_outrank_typo_corrections() {
    let exact = small().answer(&Turn::new("bail conditions"));
    let typo = small().answer(&Turn::new("bial condtions"));
    assert_eq!(exact.results[0].id, typo.results[0].id);
    assert!(exact.results[0].score > typo.results[0].score);
}

#[test]
fn chosen_audience_changes_the_order() {
    let ask = |audience| {
        let reply = small().answer(&Turn {
            text: "who can come with me to court",
            audience: Some(audience),
            ..Turn::default()
        });
        shown_ids(&reply)[0].to_string()
    };
    assert_eq!(ask(Audience::Families), "family-court-day");
    assert_eq!(ask(Audience::Victims), "victim-court-day");
    // A boost, not a filter: the other entry is still offered.
    let reply = small().answer(&Turn {
        text: "who can come with me to court",
        audience: Some(Audience::Families),
        ..Turn::default()
    });
    assert!(shown_ids(&reply).contains(&"victim-court-day"));
}

#[test]
fn crisis_puts_the_safety_notice_and_its_lines_first() {
    let reply = small().answer(&Turn::new("I want to kill myself"));
    let notice = reply.safety.as_ref().expect("a crisis is flagged");
    assert_eq!(notice.categories, ["suicide-self-harm"]);
    assert!(notice.messages[0].contains("999"));
    assert_eq!(notice.cards[0].id, "crime-victims-help");
    assert_eq!(reply.results[0].reason, "safety");
    assert_eq!(reply.crisis(), ["suicide-self-harm"]);
}

#[test]
fn mentions_of_crime_without_danger_are_not_crises() {
    for text in [
        "he was convicted of assault",
        "suicide prevention training",
        "what happens at court",
    ] {
        let reply = small().answer(&Turn::new(text));
        assert!(reply.safety.is_none(), "{text:?} was flagged");
    }
}

#[test]
fn nonsense_gets_an_honest_fallback_with_the_menu() {
    for text in ["xqzv blorf", "tell me a joke", "!!!"] {
        let reply = small().answer(&Turn::new(text));
        assert!(reply.fallback, "{text:?} was answered: {reply:#?}");
        assert!(shown_ids(&reply).is_empty());
        assert!(
            reply
                .suggestions
                .iter()
                .any(|s| matches!(s.action, Action::Choose(_)))
        );
    }
}

#[test]
fn greetings_thanks_and_help_need_no_search() {
    assert_eq!(small().answer(&Turn::new("hiya")).intent, Intent::Greeting);
    assert_eq!(
        small().answer(&Turn::new("cheers, thanks")).intent,
        Intent::Thanks
    );
    assert_eq!(small().answer(&Turn::new("help")).intent, Intent::Help);
    // Asked whether a person is reading, the help says plainly that it is not.
    let reply = small().answer(&Turn::new("am I talking to a real person?"));
    assert_eq!(reply.intent, Intent::Help);
    assert!(reply.lead.contains("not a person"), "{}", reply.lead);
    // A greeting with a question is a question.
    let reply = small().answer(&Turn::new("hello, my partner has gone to prison"));
    assert_eq!(reply.intent, Intent::Question);
    assert_eq!(shown_ids(&reply)[0], "prison-families-line");
}

#[test]
fn cards_carry_contacts_and_buttons_open_entries() {
    let reply = small().answer(&Turn::new("my partner has gone to prison"));
    let card = &reply.cards[0];
    assert_eq!(card.title, "Prison Families Line");
    assert_eq!(card.contacts[0].value, "0800 000 0001");
    assert_eq!(
        card.contacts[0].hours.as_deref(),
        Some("Monday to Friday, 9am to 5pm")
    );
    let more = reply
        .suggestions
        .iter()
        .find(|s| s.action == Action::Entry("prison-families-line".into()))
        .expect("a button for the entry");
    let payload = more.action.encode();
    assert!(payload.len() <= 64);
    let shown = small().act(&Action::decode(&payload).unwrap(), None);
    assert_eq!(shown.intent, Intent::Entry);
    assert!(shown.cards[0].body.as_deref().unwrap().contains("helpline"));
}

#[test]
fn journey_lists_topics_then_services_for_a_stage() {
    let reply = small().journey(signpost::Stage::Release);
    let ids: Vec<&str> = reply.cards.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["release-explained", "prison-families-line"]);
}

#[test]
fn unknown_button_payloads_are_refused() {
    for payload in ["", "e:", "x:y", "j:moon", "menu:extra"] {
        assert_eq!(Action::decode(payload), None, "{payload:?}");
    }
}
