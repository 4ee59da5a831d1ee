//! Crisis triage: each layer on its own, the concern tier, clause-scoped `unless`, hostile
//! text, long messages, a corpus edit going live, and a broken corpus reported with its line.

use crate::check::copy_dir;
use crate::common::{fixture, shipped};
use signpost::knowledge::{self, Severity};
use signpost::live::ReloadOutcome;
use signpost::safety::{Layer, Level};
use signpost::{Assistant, LiveKnowledge, Turn};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The fixture with both layers: three rules and a small corpus in `safety/`.
fn learned() -> &'static Assistant {
    static LEARNED: OnceLock<Assistant> = OnceLock::new();
    LEARNED.get_or_init(|| {
        Assistant::load(&fixture("learned"))
            .expect("the learned fixture loads")
            .0
    })
}

fn crisis(assistant: &Assistant, text: &str) -> Vec<String> {
    assistant.answer(&Turn::new(text)).crisis()
}

#[test]
fn a_rule_catches_what_the_classifier_never_learned() {
    // No corpus line says "kill myself": only the rule of safety.toml line 10 knows it.
    let verdict = learned().triage("I could kill myself");
    let finding = &verdict.findings[0];
    assert_eq!(finding.category, "suicide-self-harm");
    assert_eq!(finding.level, Level::Crisis);
    assert_eq!(verdict.findings.len(), 1, "{verdict:?}");
    assert!(
        matches!(&finding.layers[..], [Layer::Rule { source, .. }] if source.ends_with("safety.toml:10")),
        "{:?}",
        finding.layers
    );
}

#[test]
fn the_classifier_catches_what_no_rule_matches() {
    // No pattern says "packet" or "tablets"; the corpus does.
    let verdict = learned().triage("swallowed the whole packet of my tablets");
    let crisis: Vec<_> = verdict.crisis().iter().map(|c| c.id.clone()).collect();
    assert_eq!(crisis, ["overdose"]);
    let layers = &verdict.findings[0].layers;
    assert!(
        layers.iter().all(|l| matches!(l, Layer::Classifier { .. })),
        "{layers:?}"
    );
    // And the reply puts the overdose lines first.
    let reply = learned().answer(&Turn::new("swallowed the whole packet of my tablets"));
    assert_eq!(reply.results[0].reason, "safety");
    assert!(reply.concern.is_none());
}

#[test]
fn unless_cancels_only_in_its_own_clause() {
    // "years ago" is in another clause: the danger now still counts.
    assert_eq!(
        crisis(
            learned(),
            "it started years ago but he's outside the door now"
        ),
        ["immediate-danger"]
    );
    // In the same clause, the rule is cancelled (and the classifier alone is not sure).
    assert!(
        crisis(
            learned(),
            "it started years ago and he's outside the door now"
        )
        .is_empty()
    );
    // The shipped rules and classifier agree on the issue's own example.
    assert!(
        crisis(
            shipped(),
            "it started years ago but he's outside the door now"
        )
        .contains(&"immediate-danger".to_string())
    );
}

#[test]
fn a_concern_keeps_the_answer_and_adds_one_line_and_the_emergency_button() {
    let reply = learned().answer(&Turn::new("my tablets are late tonight"));
    assert!(reply.safety.is_none(), "not a crisis");
    let concern = reply.concern.as_ref().expect("a concern");
    assert_eq!(concern.categories[0], "overdose");
    // The category's own line from safety.toml.
    assert_eq!(
        concern.message,
        "Took too much? Call 111, or 999 if they are hard to wake."
    );
    assert!(
        reply
            .buttons()
            .iter()
            .any(|s| s.action == signpost::Action::Crisis)
    );
    assert!(!reply.lead.is_empty(), "the answer stays");

    // A crisis never comes with a concern.
    let reply = learned().answer(&Turn::new("I could kill myself"));
    assert!(reply.safety.is_some() && reply.concern.is_none());
}

#[test]
fn the_default_concern_line_names_999_and_samaritans() {
    let verdict = learned().triage("the purple van is back at the school gates");
    assert!(!verdict.is_crisis());
    let concern = verdict.concern();
    assert_eq!(concern[0].id, "immediate-danger");
    assert_eq!(concern[0].concern, signpost::safety::DEFAULT_CONCERN);
    assert!(signpost::safety::DEFAULT_CONCERN.contains("999"));
    assert!(signpost::safety::DEFAULT_CONCERN.contains("116 123"));
}

#[test]
fn a_concern_rule_adds_the_concern_line_and_no_crisis_notice() {
    // "want it to stop" is plausible, not decisive: safety.toml line 12 is a concern pattern.
    let text = "the dog next door barks all night and I want it to stop";
    let verdict = learned().triage(text);
    assert!(!verdict.is_crisis(), "{verdict:?}");
    let finding = verdict
        .findings
        .iter()
        .find(|f| f.category == "suicide-self-harm")
        .expect("a concern");
    assert_eq!(finding.level, Level::Concern);
    assert!(
        finding.layers.iter().any(|l| matches!(
            l,
            Layer::Rule { source, level: Level::Concern } if source.ends_with("safety.toml:12")
        )),
        "{:?}",
        finding.layers
    );
    // What `ask --json` shows admins.
    let json = serde_json::to_value(finding).unwrap();
    assert_eq!(json["level"], "concern");
    assert_eq!(json["layers"][0]["layer"], "rule");
    assert_eq!(json["layers"][0]["level"], "concern");
    // The person keeps the answer, with the one line and the emergency lines button.
    let reply = learned().answer(&Turn::new(text));
    assert!(reply.safety.is_none());
    assert_eq!(
        reply.concern.expect("a concern").categories,
        ["suicide-self-harm"]
    );
    // A crisis rule in the same message still makes it a crisis.
    let verdict = learned().triage("I want it all to stop, I could kill myself");
    assert_eq!(verdict.crisis()[0].id, "suicide-self-harm");
}

#[test]
fn concern_rules_are_checked_like_the_others() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("learned"), dir.path());
    let path = dir.path().join("safety.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let text = text
        .replace(
            r#"concern_examples = ["I want it all to stop"]"#,
            r#"concern_examples = ["I want it all to stop", "the weather is lovely"]"#,
        )
        .replace(
            r"concern_patterns = ['\bwant (it|this) (all )?to stop\b']",
            r"concern_patterns = ['\bwant (it|this) (all )?to stop\b', 'unclosed (group']",
        );
    std::fs::write(&path, &text).unwrap();
    let report = knowledge::check(dir.path()).unwrap();
    let at = |words: &str| {
        text.lines()
            .position(|l| l.contains(words))
            .map(|i| i + 1)
            .unwrap()
    };
    let found = |line: usize, words: &str| {
        report.diagnostics.iter().any(|d| {
            d.path.ends_with("safety.toml")
                && d.line == line
                && d.severity == Severity::Error
                && d.message.contains(words)
        })
    };
    let all: Vec<String> = report.diagnostics.iter().map(|d| d.to_string()).collect();
    assert!(found(at("unclosed (group"), "does not compile"), "{all:#?}");
    assert!(Assistant::load(dir.path()).is_err());
    // With the pattern fixed, the example that no rule catches is reported at its line.
    std::fs::write(&path, text.replace(", 'unclosed (group'", "")).unwrap();
    let report = knowledge::check(dir.path()).unwrap();
    let all: Vec<String> = report.diagnostics.iter().map(|d| d.to_string()).collect();
    assert!(
        report
            .diagnostics
            .iter()
            .any(|d| d.line == at("the weather is lovely")
                && d.severity == Severity::Error
                && d.message.contains("concern example is not caught")),
        "{all:#?}"
    );
}

#[test]
fn messages_from_outside_the_justice_system_are_never_a_crisis() {
    // Everyday messages that share no danger with the corpus but words with it (a weekend,
    // a morning, "won't turn on", "all over the floor"): none is a crisis.
    for text in [
        "will it be sunny in dumfries on sunday",
        "any chance of snow this weekend",
        "can I book a squash court for friday evening",
        "my tablet won't switch on",
        "the printer keeps jamming",
        "the bath overflowed and there's water all over the floor",
        "my goldfish isn't eating, what do I do",
        "what time does the leisure centre open on a saturday morning",
        "can you recommend a good curry in annan",
        "who won the darts last night",
        "how do I make scrambled eggs",
        "xyzzy plugh",
    ] {
        let verdict = shipped().triage(text);
        assert!(!verdict.is_crisis(), "{text:?}: {:?}", verdict.findings);
    }
}

#[test]
fn invisible_characters_and_look_alike_letters_hide_nothing() {
    for text in [
        "I want to k\u{200b}ill myself",
        "I want to k\u{180e}ill my\u{ad}self",
        "I want to \u{2060}kill\u{feff} myself",
        "I want to k\u{456}ll mys\u{435}lf",
        "I want to ｋｉｌｌ ｍｙｓｅｌｆ",
    ] {
        assert_eq!(crisis(shipped(), text), ["suicide-self-harm"], "{text:?}");
    }
}

#[test]
fn a_crisis_at_the_end_of_a_long_message_is_caught() {
    // Telegram's longest message: a question about visits, then the danger.
    let question = "I have a question about visiting my brother in prison and the forms. ";
    let mut text = question.repeat(4_032 / question.len() + 1);
    text.push_str("I want to kill myself");
    assert!(text.len() >= 4_032, "{}", text.len());
    assert_eq!(crisis(shipped(), &text), ["suicide-self-harm"]);

    // A classifier-only catch at the end of a long message (no rule knows these words).
    let mut text = question.repeat(60);
    text.push_str("I swallowed the whole packet of my tablets.");
    assert!(crisis(learned(), &text).contains(&"overdose".to_string()));
}

#[test]
fn a_huge_message_is_triaged_whole() {
    // 200,000 characters, the danger in the last sentence: the verdict still comes.
    let filler = "we talked about the bus times and the visit forms and the weather. ";
    let mut text = filler.repeat(200_000 / filler.len());
    text.push_str("He's outside my door now with a knife.");
    assert!(text.len() > 200_000);
    assert!(crisis(shipped(), &text).contains(&"immediate-danger".to_string()));
}

#[test]
fn idioms_and_the_past_stay_calm() {
    for text in [
        "my mum will kill me when she finds out I was lifted",
        "does self harm from when I was a teenager show up on a disclosure check",
        "I was on suicide watch last month but I'm doing fine now, when is my parole review",
        "my dad will murder me if I miss the bus to the visit",
        "I overdosed years ago and I'm in recovery now, can I volunteer",
    ] {
        let reply = shipped().answer(&Turn::new(text));
        assert!(reply.safety.is_none(), "{text:?} was flagged as a crisis");
    }
}

#[test]
fn a_broken_corpus_is_reported_with_its_lines() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("learned"), dir.path());
    let corpus = dir.path().join("safety");
    // A file named after no category.
    std::fs::write(corpus.join("overdoes.txt"), "took too much\n").unwrap();
    // Invalid UTF-8 on line 3, column 5.
    let bytes = b"# comment\nfine line\nabc \xff\xfe here\n".to_vec();
    // A file with bad bytes is not read further, so the over-long line goes elsewhere.
    let mut danger = std::fs::read_to_string(corpus.join("immediate-danger.txt")).unwrap();
    if !danger.ends_with('\n') {
        danger.push('\n');
    }
    let long_line = danger.lines().count() + 1;
    danger.push_str(&"x".repeat(1_200));
    danger.push('\n');
    std::fs::write(corpus.join("immediate-danger.txt"), danger).unwrap();
    let mut text = std::fs::read(corpus.join("suicide-self-harm.txt")).unwrap();
    text.extend_from_slice(b"\nhow do i visit my son in prison\n");
    std::fs::write(corpus.join("suicide-self-harm.txt"), text).unwrap();
    std::fs::write(corpus.join("overdose.txt"), bytes).unwrap();

    let report = knowledge::check(dir.path()).unwrap();
    let found = |file: &str, line: usize, severity: Severity, words: &str| {
        report.diagnostics.iter().any(|d| {
            d.path.ends_with(file)
                && d.line == line
                && d.severity == severity
                && d.message.contains(words)
        })
    };
    let all: Vec<String> = report.diagnostics.iter().map(|d| d.to_string()).collect();
    assert!(
        found(
            "safety/overdoes.txt",
            1,
            Severity::Error,
            "not a crisis category"
        ),
        "{all:#?}"
    );
    assert!(
        found("safety/overdose.txt", 3, Severity::Error, "UTF-8"),
        "{all:#?}"
    );
    assert!(
        report
            .diagnostics
            .iter()
            .any(|d| d.path.ends_with("safety/overdose.txt") && d.line == 3 && d.column == 5),
        "{all:#?}"
    );
    assert!(
        found(
            "safety/immediate-danger.txt",
            long_line,
            Severity::Warning,
            "1200 characters long"
        ),
        "{all:#?}"
    );
    // The same message as a crisis and as not a crisis: named with the other's place.
    assert!(
        report
            .diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error
                && d.path.ends_with("safety/suicide-self-harm.txt")
                && d.message.contains("not-crisis.txt:")),
        "{all:#?}"
    );
    // And the folder does not load.
    assert!(Assistant::load(dir.path()).is_err());
}

#[test]
fn a_corpus_line_added_while_running_changes_the_verdict() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("learned"), dir.path());
    let (live, _) = LiveKnowledge::watch(dir.path(), Duration::from_millis(300)).unwrap();
    let message = "the purple van is back at the school gates";
    assert!(live.answer(&Turn::new(message)).safety.is_none());

    let path = dir.path().join("safety/immediate-danger.txt");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str(
        "the man in the purple van is waiting at the gates for me\n\
         purple van outside again and he is watching me\n\
         a purple van keeps following me to the school gates\n\
         the purple van man is at the gates shouting for me\n",
    );
    std::fs::write(&path, text).unwrap();
    let start = Instant::now();
    while live.generation() < 2 {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the edit never went live: {:?}",
            live.last_outcome().map(|o| match o {
                ReloadOutcome::Loaded { .. } => "loaded".to_string(),
                ReloadOutcome::Rejected { message, .. } => message,
            })
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(
        live.answer(&Turn::new(message)).crisis(),
        ["immediate-danger"]
    );
}

#[test]
fn check_cross_validates_the_corpus() {
    let report = knowledge::check_and_cross_validate(&fixture("learned"), 5).unwrap();
    let cv = report.cross_validation.as_ref().expect("a corpus to check");
    assert_eq!(cv.folds, 5);
    let ids: Vec<&str> = cv.categories.iter().map(|c| c.category.as_str()).collect();
    assert_eq!(ids, ["suicide-self-harm", "immediate-danger", "overdose"]);
    assert_eq!(cv.categories[2].lines, 21, "20 corpus lines and 1 example");
    assert_eq!(cv.not_crisis.lines, 52, "50 corpus lines and 2 near misses");
    // Every line the held-out verdict got wrong is a warning at its line.
    assert!(
        cv.wrong
            .iter()
            .all(|d| d.severity == Severity::Warning && d.line > 0)
    );
    let missed: usize = cv.categories.iter().map(|c| c.lines - c.caught).sum();
    let wrong = missed + cv.not_crisis.false_alarms;
    assert_eq!(cv.wrong.len(), wrong);
    // The same folder always gives the same figures.
    let again = knowledge::check_and_cross_validate(&fixture("learned"), 5).unwrap();
    assert_eq!(
        again.cross_validation.unwrap().lines(),
        report.cross_validation.unwrap().lines()
    );
    // A folder without a corpus has nothing to cross-validate.
    let report = knowledge::check_and_cross_validate(&fixture("small"), 5).unwrap();
    assert!(report.cross_validation.is_none());
}

/// The learned fixture with `concern_threshold = 0.3` in its safety.toml replaced by
/// `replacement`: the errors `check` reports at that line (its first line), by message.
fn errors_where_the_threshold_was(replacement: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("learned"), dir.path());
    let path = dir.path().join("safety.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("concern_threshold = 0.3", replacement)).unwrap();
    let report = knowledge::check(dir.path()).unwrap();
    let line = text
        .lines()
        .position(|l| l.starts_with("concern_threshold"))
        .unwrap()
        + 1;
    let lines = replacement.lines().count();
    report
        .diagnostics
        .iter()
        .filter(|d| {
            d.path.ends_with("safety.toml")
                && (line..line + lines).contains(&d.line)
                && d.severity == Severity::Error
        })
        .map(|d| format!("{}: {}", d.line - line + 1, d.message))
        .collect()
}

#[test]
fn thresholds_out_of_order_are_reported_where_written() {
    let errors = errors_where_the_threshold_was("concern_threshold = 0.9");
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("1: ") && e.contains("above `crisis_threshold`")),
        "{errors:#?}"
    );
}

#[test]
fn what_is_over_is_a_concern_unless_a_rule_or_the_present_says_otherwise() {
    // The classifier reads an overdose in each; only the first two say it is over.
    for text in [
        "Years ago I took too many of my tablets and ended up in hospital, I'm doing much \
         better now. Will that show on a disclosure check?",
        "Back in 2019 I swallowed a whole box of paracetamol. I'm fine now. Can the council \
         see that?",
    ] {
        let verdict = shipped().triage(text);
        assert!(!verdict.is_crisis(), "{text:?}: {verdict:?}");
        let finding = verdict
            .findings
            .iter()
            .find(|f| f.category == "overdose")
            .unwrap_or_else(|| panic!("{text:?}: the classifier still sees it: {verdict:?}"));
        assert_eq!(finding.level, Level::Concern);
        assert!(
            finding
                .layers
                .iter()
                .any(|l| matches!(l, Layer::Classifier { settled: true, .. })),
            "{:?}",
            finding.layers
        );
        // The person still gets the concern line and the Emergency lines button.
        let reply = shipped().answer(&Turn::new(text));
        assert!(
            reply.safety.is_none() && reply.concern.is_some(),
            "{text:?}"
        );
    }
    // Something of the present outside the words about the past keeps it a crisis...
    let again = "Years ago I took an overdose and tonight I have taken all my tablets again";
    assert_eq!(crisis(shipped(), again), ["overdose"]);
    // ...and so does a rule, whatever the message says of the past.
    let rule = "It was years ago but I want to kill myself";
    assert_eq!(crisis(shipped(), rule), ["suicide-self-harm"]);
}

#[test]
fn a_broken_past_pattern_is_reported_where_written() {
    let errors = errors_where_the_threshold_was(
        "concern_threshold = 0.3\npast = ['\\byears ago\\b', '(unclosed']",
    );
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("2: ") && e.contains("does not compile")),
        "{errors:#?}"
    );
}

#[test]
fn one_parent_hitting_the_other_is_domestic_abuse_now_unless_it_is_over() {
    for text in [
        "im 15 and my da batters my maw most weekends",
        "my stepdad hits my mum when he's had a drink",
    ] {
        assert!(
            crisis(shipped(), text).contains(&"domestic-abuse-now".to_string()),
            "{text:?}"
        );
    }
    for text in [
        "my dad used to hit my mum years ago, can I still report it",
        "as a child I watched my dad beat my mum, is it normal to still have nightmares",
    ] {
        assert!(crisis(shipped(), text).is_empty(), "{text:?}");
    }
}

#[test]
fn a_danger_only_the_classifier_reads_into_a_clear_question_is_answered_under_the_lines() {
    // A question about a supervising worker leaving, which the classifier (no rule) reads
    // as a risk of suicide.
    let text =
        "The worker who supervises my order has left and I don't know who I'm meant to see now";
    let verdict = shipped().triage(text);
    assert!(
        verdict.is_crisis() && !verdict.by_rule(),
        "this test needs a message only the classifier takes for a crisis; pick another: \
         {verdict:?}"
    );
    let reply = shipped().answer(&Turn::new(text));
    let notice = reply.safety.as_ref().expect("still a crisis notice");
    assert!(notice.asked);
    // 999 and the right 24-hour line come first...
    assert!(notice.messages[0].contains("999"), "{:?}", notice.messages);
    assert!(notice.messages.iter().any(|m| m.contains("116 123")));
    assert_eq!(reply.results[0].reason, "safety");
    // ...then what was asked, on the cards and in the ranking.
    let asked = ["justice-social-work-dg", "community-payback-orders"];
    assert!(
        reply.cards.iter().any(|c| asked.contains(&c.id.as_str())),
        "{:?}",
        reply.cards
    );
    assert!(
        reply.results[1..3]
            .iter()
            .any(|h| asked.contains(&h.id.as_str())),
        "{:?}",
        reply.results
    );

    // Said in so many words, the same question keeps every line and only the lines
    // (Samaritans' advice for a message about suicide).
    let text = "I want to kill myself, the worker who supervises my order has left";
    assert!(shipped().triage(text).by_rule());
    let reply = shipped().answer(&Turn::new(text));
    let notice = reply.safety.as_ref().expect("a crisis notice");
    assert!(!notice.asked);
    assert!(
        reply.results[..3].iter().all(|h| h.reason == "safety"),
        "{:?}",
        reply.results
    );
    assert!(reply.cards.is_empty(), "{:?}", reply.cards);
}

/// On the shipped folder, `text` is a crisis of `category` because one of that category's
/// crisis rules fired, whatever the classifier makes of it.
fn assert_crisis_by_rule(text: &str, category: &str) {
    let verdict = shipped().triage(text);
    let finding = verdict
        .findings
        .iter()
        .find(|f| f.category == category)
        .unwrap_or_else(|| panic!("{text:?}: no `{category}` finding in {verdict:?}"));
    assert_eq!(finding.level, Level::Crisis, "{text:?}: {finding:?}");
    assert!(
        finding.layers.iter().any(|l| matches!(
            l,
            Layer::Rule {
                level: Level::Crisis,
                ..
            }
        )),
        "{text:?}: no `{category}` crisis rule fired: {finding:?}"
    );
}

#[test]
fn a_wish_to_die_said_in_passing_before_a_question_is_a_crisis() {
    // The classifier reads each of these as one sentence, mostly about the order, and misses
    // the danger; the rules read the words themselves.
    for text in [
        "I feel like ending it, how many hours of unpaid work are on a community payback order",
        "nobody would miss me, when is my community payback order finished",
    ] {
        assert_crisis_by_rule(text, "suicide-self-harm");
        assert_eq!(crisis(shipped(), text), ["suicide-self-harm"], "{text:?}");
    }
    // Told as over, it is not.
    assert!(
        crisis(
            shipped(),
            "back then I felt like nobody would miss me, these days I've got my kids back and a job"
        )
        .is_empty()
    );
}

#[test]
fn a_plan_made_ready_and_a_child_taken_into_a_car_are_crises_in_so_many_words() {
    for (text, category) in [
        ("I've been giving all my things away", "suicide-self-harm"),
        ("I've got enough pills saved up", "suicide-self-harm"),
        (
            "i'm at the end of my tether and the pills are right here",
            "suicide-self-harm",
        ),
        (
            "a man's trying to get my daughter into his car",
            "child-at-risk",
        ),
    ] {
        assert_crisis_by_rule(text, category);
    }
    // Wanting to disappear may be many things: the answer stays, with the concern line.
    let reply = shipped().answer(&Turn::new("I just want to disappear"));
    assert!(reply.safety.is_none());
    assert_eq!(reply.concern(), ["suicide-self-harm"]);
    // Calm uses of the same words are not crises.
    for text in [
        "can I give my things to the charity shop in Annan",
        "where do I get my tablets when I'm in prison",
        "my son got in the car and drove to the prison",
    ] {
        assert!(crisis(shipped(), text).is_empty(), "{text:?}");
    }
    // Enough tablets to last the weekend is no plan: no rule fires (the classifier still
    // reads the message on its own).
    let text = "will I have enough tablets to last if I'm kept in the cells over the weekend";
    assert!(!shipped().triage(text).by_rule(), "{text:?}");
}

#[test]
fn threats_to_children_abuse_at_night_a_fire_and_a_method_sought_are_crises_by_rule() {
    for (text, category) in [
        (
            "he said if i go to the polis he'll kill the kids",
            "immediate-danger",
        ),
        (
            "theres a fire in the close and we cant get out",
            "immediate-danger",
        ),
        ("my step dad comes into my room at night", "child-at-risk"),
        (
            "my daughter's 13 and a 30 year old man she met online wants to meet her tonight",
            "child-at-risk",
        ),
        ("i've been planning how I'd do it", "suicide-self-harm"),
        ("what's the most painless way to go", "suicide-self-harm"),
        (
            "a patient's partner is in the waiting room and she says he will kill her when they get home",
            "immediate-danger",
        ),
    ] {
        assert_crisis_by_rule(text, category);
    }
    // The same words about a game, a visit or the day are not.
    for text in [
        "how do you beat the boss who sets the building on fire in level 6",
        "the social worker wants to meet him next week about his order",
        "what's the easiest way to get to HMP Dumfries by bus",
    ] {
        assert!(crisis(shipped(), text).is_empty(), "{text:?}");
    }
}

#[test]
fn forced_marriage_a_hidden_tracker_a_threat_that_knows_where_you_are_and_waking_undressed_are_crises_by_rule()
 {
    for (text, category) in [
        (
            "my family are forcing me to marry a man I have never met",
            "domestic-abuse-now",
        ),
        (
            "they're sending her abroad in the holidays to get married and she's only 15",
            "domestic-abuse-now",
        ),
        (
            "i found a tracker under the back bumper of my car",
            "domestic-abuse-now",
        ),
        (
            "there was an airtag tucked inside the lining of my handbag",
            "domestic-abuse-now",
        ),
        (
            "text from a number I don't know: we know where you live, we're coming",
            "immediate-danger",
        ),
        (
            "his brother says he's coming round later to sort me out for talking to the police",
            "immediate-danger",
        ),
        (
            "woke up at a flat I didnt know with my knickers gone",
            "recent-sexual-assault",
        ),
        (
            "cant remember anything after the pub and my underwear was missing",
            "recent-sexual-assault",
        ),
    ] {
        assert_crisis_by_rule(text, category);
    }
    // The same words about a wedding, a lost tag, a visit or a training session are not.
    for text in [
        "can I take her to see him in prison so they can get married",
        "how do I put a tracker on my car in case it's stolen",
        "i found my lost airtag down the back of the sofa",
        "we know you're busy, we're coming to the visit on saturday",
        "teacher here: a pupil wrote about forced marriage in a story, what is the process",
    ] {
        assert!(!shipped().triage(text).by_rule(), "{text:?}");
    }
}
