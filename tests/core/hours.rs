//! Open now, and near me: status lines at an injected time (a Saturday night, a weekday
//! morning, the nights the clocks change), open lines first at night, the 24-hour line named
//! when nothing shown is open, and the person's town's offices first.

use crate::check::copy_dir;
use crate::common::{fixture, shipped, shipped_dir};
use signpost::hours::{Clock, FixedClock};
use signpost::knowledge::{self, Contact, Severity};
use signpost::reply::{Action, Card, Reply};
use signpost::search::Features;
use signpost::towns::Town;
use signpost::{Assistant, LiveKnowledge, Turn};
use std::process::Command;
use std::sync::{Arc, OnceLock};

/// Saturday 28 March 2026, 11pm GMT: the clocks go forward to BST at 1am.
const SATURDAY_NIGHT: &str = "2026-03-28T23:00:00Z";
/// Monday 30 March 2026, 10am BST.
const WEEKDAY_MORNING: &str = "2026-03-30T09:00:00Z";
/// Sunday 29 March 2026: 00:30 GMT, and an hour later by the world's clock, 02:30 BST.
const SPRING_BEFORE: &str = "2026-03-29T00:30:00Z";
const SPRING_AFTER: &str = "2026-03-29T01:30:00Z";
/// Sunday 25 October 2026: 01:30 BST, then 01:30 again, in GMT.
const AUTUMN_FIRST: &str = "2026-10-25T00:30:00Z";
const AUTUMN_SECOND: &str = "2026-10-25T01:30:00Z";

const FAMILY: &str = "my son is in prison, how can our family get support";

fn at(assistant: &Assistant, time: &str) -> Assistant {
    assistant.with_clock(Arc::new(FixedClock::at(time).unwrap()))
}

fn hours_fixture() -> &'static Assistant {
    static HOURS: OnceLock<Assistant> = OnceLock::new();
    HOURS.get_or_init(|| {
        Assistant::load(&fixture("hours"))
            .expect("the hours fixture loads")
            .0
    })
}

fn card<'a>(reply: &'a Reply, id: &str) -> &'a Card {
    reply
        .cards
        .iter()
        .chain(reply.safety.iter().flat_map(|s| s.cards.iter()))
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no card {id} in {:?}", card_ids(reply)))
}

fn card_ids(reply: &Reply) -> Vec<&str> {
    reply.cards.iter().map(|c| c.id.as_str()).collect()
}

fn contact<'a>(card: &'a Card, value: &str) -> &'a Contact {
    card.contacts
        .iter()
        .find(|c| c.value == value)
        .unwrap_or_else(|| panic!("no contact {value} on {}", card.id))
}

/// The card of an entry shown in full at `time`: every line, each with its status (an answer
/// shows a few lines per card, and says the rest on the entry's button).
fn full(assistant: &Assistant, time: &str, id: &str) -> Card {
    at(assistant, time).entry(id).cards.remove(0)
}

/// (open now, status line, next change) of one contact.
fn status(c: &Contact) -> (bool, &str, Option<String>) {
    let s = c.status.as_ref().expect("a line with hours has a status");
    (s.open_now, s.label.as_str(), s.next_change_text())
}

#[test]
fn status_lines_on_a_saturday_night_a_weekday_morning_and_the_nights_the_clocks_change() {
    let helpline =
        |time: &str| contact(&full(shipped(), time, "families-outside"), "0800 254 0088").clone();
    // In an answer, the lead (the card's own summary) gives the helpline, and says whether
    // it is open.
    let reply = at(shipped(), SATURDAY_NIGHT).answer(&Turn::new(FAMILY));
    assert_eq!(card_ids(&reply)[0], "families-outside");
    assert!(
        reply
            .lead
            .ends_with("\nFreephone helpline: closed now, opens Monday at 9am."),
        "{}",
        reply.lead
    );
    let c = helpline(SATURDAY_NIGHT);
    assert_eq!(
        status(&c),
        (
            false,
            "Closed now: opens Monday at 9am",
            Some("2026-03-30T09:00:00+01:00".into())
        ),
        "Monday's 9am is in summer time, after the clocks go forward"
    );
    let c = helpline(WEEKDAY_MORNING);
    assert_eq!(
        status(&c),
        (
            true,
            "Open now, until 5pm",
            Some("2026-03-30T17:00:00+01:00".into())
        )
    );
    for time in [SPRING_BEFORE, SPRING_AFTER] {
        assert_eq!(
            status(&helpline(time)),
            (
                false,
                "Closed now: opens tomorrow at 9am",
                Some("2026-03-30T09:00:00+01:00".into())
            ),
            "at {time}"
        );
    }
    for time in [AUTUMN_FIRST, AUTUMN_SECOND] {
        assert_eq!(
            status(&helpline(time)),
            (
                false,
                "Closed now: opens tomorrow at 9am",
                Some("2026-10-26T09:00:00+00:00".into())
            ),
            "at {time}: back on GMT by Monday"
        );
    }
    // The lines of a crisis notice, the night the clocks go forward.
    let samaritans = full(shipped(), SPRING_AFTER, "samaritans");
    assert_eq!(
        status(contact(&samaritans, "116 123")),
        (true, "Open now, 24 hours", None)
    );
    let reply = at(shipped(), SPRING_AFTER).answer(&Turn::new("I want to kill myself"));
    let breathing = contact(card(&reply, "breathing-space"), "0800 83 85 87");
    assert_eq!(
        status(breathing),
        (
            true,
            "Open now, until tomorrow at 6am",
            Some("2026-03-30T06:00:00+01:00".into())
        )
    );
}

#[test]
fn the_out_of_hours_homeless_line_is_open_when_the_offices_are_closed() {
    let housing = |time: &str| full(shipped(), time, "housing-options-dg");
    // The answer's lead gives the out-of-hours line, and says it is open at night.
    let reply =
        at(shipped(), SATURDAY_NIGHT).answer(&Turn::new("I'm homeless and have nowhere to sleep"));
    assert!(
        reply
            .lead
            .ends_with("\nOut-of-hours homeless line (free): open now, until Monday at 9am."),
        "{}",
        reply.lead
    );
    let night = housing(SATURDAY_NIGHT);
    assert_eq!(
        status(contact(&night, "0303 333 3001")).1,
        "Open now, until Monday at 9am"
    );
    assert!(!contact(&night, "01387 260783").open_now());
    let morning = housing(WEEKDAY_MORNING);
    assert_eq!(
        status(contact(&morning, "0303 333 3001")).1,
        "Closed now: opens today at 5pm"
    );
    assert_eq!(
        status(contact(&morning, "01776 888312")).1,
        "Open now, until 5pm"
    );
    // The With You line, back where people need it: every day, 9am to 9pm.
    let services = full(shipped(), SATURDAY_NIGHT, "drug-alcohol-services-dg");
    let with_you = contact(&services, "0808 801 0609");
    assert_eq!(
        status(with_you),
        (
            false,
            "Closed now: opens tomorrow at 9am",
            Some("2026-03-29T09:00:00+01:00".into())
        )
    );
}

#[test]
fn an_open_line_comes_first_at_night_among_equally_relevant_cards() {
    // Two lines written to be equally relevant by their words. The nearest-line step would
    // part them on how rare "worries" is in this five-entry folder, so it is off here: this
    // is about what is open, not about ranking.
    let ask = |time: &str, text: &str| {
        let mut assistant = at(hours_fixture(), time);
        assistant.set_search_features(Features::without("lines").unwrap());
        assistant.answer(&Turn::new(text))
    };
    let day = ask(WEEKDAY_MORNING, "i am in debt");
    // Equally relevant: the two lines score within a fifth of each other, the daytime line
    // a little higher.
    let (a, b) = (&day.results[0], &day.results[1]);
    assert_eq!(a.id, "money-advice-line");
    assert_eq!(b.id, "money-night-line");
    assert!(b.score >= 0.8 * a.score, "{} vs {}", a.score, b.score);
    assert_eq!(card_ids(&day), ["money-advice-line", "money-night-line"]);
    for time in [SATURDAY_NIGHT, SPRING_AFTER, "2026-03-31T22:30:00+01:00"] {
        let night = ask(time, "i am in debt");
        assert_eq!(
            card_ids(&night),
            ["money-night-line", "money-advice-line"],
            "at {time}, the line open now goes first"
        );
        // Relevance is still measured as it was: the results keep their order.
        assert_eq!(night.results[0].id, "money-advice-line");
    }
    // A much better match stays first at night, closed or not.
    let clear = ask(SATURDAY_NIGHT, "help with debt");
    assert!(clear.results[1].score < 0.8 * clear.results[0].score);
    assert_eq!(card_ids(&clear)[0], "money-advice-line");
}

#[test]
fn when_no_line_shown_is_open_a_24_hour_line_is_named() {
    let ask = |time: &str| {
        at(hours_fixture(), time).answer(&Turn::new("i need help with my council tenancy"))
    };
    let night = ask(SATURDAY_NIGHT);
    assert_eq!(card_ids(&night), ["housing-office"]);
    let open = night.open_line.as_ref().expect("a 24-hour line is named");
    assert_eq!(open.id, "listening-line");
    assert_eq!(
        open.message,
        "None of these lines is open right now. Listening Line is open 24 hours: call 0800 000 0301."
    );
    assert!(open.contact.open_now());
    assert_eq!(ask(WEEKDAY_MORNING).open_line, None);
    // On the shipped folder, at night, Families Outside is closed and Samaritans is named.
    let reply =
        at(shipped(), SATURDAY_NIGHT).answer(&Turn::new("what does home detention curfew mean"));
    let open = reply.open_line.expect("a 24-hour line is named");
    assert_eq!(open.id, "samaritans");
    assert!(open.message.contains("116 123"), "{}", open.message);
}

#[test]
fn a_crisis_notice_shows_its_lines_open_now_first() {
    let notice_ids = |assistant: &Assistant, time: &str, text: &str| {
        at(assistant, time)
            .answer(&Turn::new(text))
            .safety
            .expect("a crisis")
            .cards
            .iter()
            .map(|c| c.id.clone())
            .collect::<Vec<_>>()
    };
    // Both open on a weekday morning: the order the admin wrote.
    assert_eq!(
        notice_ids(hours_fixture(), WEEKDAY_MORNING, "I want to kill myself"),
        ["money-advice-line", "listening-line"]
    );
    // At night the 24-hour line goes first.
    assert_eq!(
        notice_ids(hours_fixture(), SATURDAY_NIGHT, "I want to kill myself"),
        ["listening-line", "money-advice-line"]
    );
    // Shipped: the notice's message gives the 24-hour self-referral line first and says Rape
    // Crisis Scotland's line is an evening one; a line the message gives is not repeated on a
    // card, and the entry in full says whether it is open.
    let raped = "I was raped last night";
    let reply = at(shipped(), WEEKDAY_MORNING).answer(&Turn::new(raped));
    let said = reply.safety.as_ref().unwrap().messages.join(" ");
    let (any_time, evening) = (
        said.find("0800 148 88 88").unwrap(),
        said.find("08088 01 03 02").unwrap(),
    );
    assert!(any_time < evening, "{said}");
    assert!(said.contains("every evening"), "{said}");
    assert!(
        !notice_ids(shipped(), WEEKDAY_MORNING, raped).contains(&"rape-crisis-scotland".into())
    );
    assert_eq!(
        status(contact(
            &full(shipped(), WEEKDAY_MORNING, "rape-crisis-scotland"),
            "08088 01 03 02"
        ))
        .1,
        "Closed now: opens today at 6pm"
    );
}

fn first_phone(card: &Card) -> &str {
    card.contacts
        .iter()
        .find(|c| c.kind == knowledge::ContactKind::Phone)
        .map(|c| c.value.as_str())
        .unwrap()
}

#[test]
fn a_message_naming_stranraer_shows_the_stranraer_office_first() {
    for text in [
        "I'm homeless in Stranraer and have nowhere to sleep",
        "im homeless in stranrear and have nowhere to sleep",
    ] {
        let reply = shipped().answer(&Turn::new(text));
        assert_eq!(reply.town.map(Town::name), Some("Stranraer"), "{text}");
        let housing = card(&reply, "housing-options-dg");
        assert_eq!(first_phone(housing), "01776 888312", "{text}");
        // The entry in full, for the same person, gives the Stranraer office's address next.
        let entry = shipped().act_in(
            &Action::Entry("housing-options-dg".into()),
            None,
            reply.town,
        );
        assert_eq!(
            entry.cards[0].contacts[1].town.as_deref(),
            Some("Stranraer"),
            "its address next"
        );
    }
    // Apex has offices in Dumfries and Stranraer too (its summary names both; its entry in
    // full lists the person's town first).
    for (town, phone) in [("Stranraer", "01776 700973"), ("Dumfries", "01387 256310")] {
        let text = format!("I live in {town} and need help finding a job with a conviction");
        let reply = shipped().answer(&Turn::new(&text));
        assert!(card_ids(&reply).contains(&"apex-scotland"), "{text}");
        let entry = shipped().act_in(&Action::Entry("apex-scotland".into()), None, reply.town);
        assert_eq!(first_phone(&entry.cards[0]), phone, "{text}");
    }
}

#[test]
fn a_remembered_town_orders_offices_but_never_changes_what_ranks() {
    let text = "I have nowhere to stay tonight";
    let plain = shipped().answer(&Turn::new(text));
    let remembered = shipped().answer(&Turn {
        text,
        town: Town::parse("Kirkcudbright"),
        ..Turn::default()
    });
    assert_eq!(plain.results, remembered.results);
    assert_eq!(card_ids(&plain), card_ids(&remembered));
    assert_eq!(plain.town, None);
    assert_eq!(remembered.town.map(Town::name), Some("Kirkcudbright"));
    assert_eq!(
        first_phone(card(&remembered, "housing-options-dg")),
        "01557 332234"
    );
    // A town named now wins over the one remembered.
    let moved = shipped().answer(&Turn {
        text: "I have nowhere to stay tonight in Annan",
        town: Town::parse("Kirkcudbright"),
        ..Turn::default()
    });
    assert_eq!(moved.town.map(Town::name), Some("Annan"));
    assert_eq!(
        first_phone(card(&moved, "housing-options-dg")),
        "01461 207019"
    );
    // A button pressed later keeps the town.
    let entry = shipped().act_in(
        &Action::Entry("housing-options-dg".into()),
        None,
        Town::parse("Stranraer"),
    );
    assert_eq!(first_phone(&entry.cards[0]), "01776 888312");
}

#[test]
fn an_unknown_town_changes_nothing() {
    let plain = shipped().answer(&Turn::new("I'm homeless and have nowhere to sleep"));
    let elsewhere = shipped().answer(&Turn::new(
        "I'm homeless in Carlisle and have nowhere to sleep",
    ));
    assert_eq!(elsewhere.town, None);
    assert_eq!(card_ids(&plain), card_ids(&elsewhere));
    assert_eq!(
        card(&plain, "housing-options-dg").contacts,
        card(&elsewhere, "housing-options-dg").contacts
    );
    // A known town with no office on a card leaves that card as it was.
    let moffat = shipped().answer(&Turn {
        text: "I'm homeless and have nowhere to sleep",
        town: Town::parse("Moffat"),
        ..Turn::default()
    });
    assert_eq!(
        card(&plain, "housing-options-dg").contacts,
        card(&moffat, "housing-options-dg").contacts
    );
}

fn signpost_at(time: &str, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_signpost"))
        .env_remove("SIGNPOST_KNOWLEDGE")
        .env("COLUMNS", "400")
        .args(["ask", "--knowledge"])
        .arg(shipped_dir())
        .args(["--at", time])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_terminal_shows_each_line_open_or_closed() {
    let night = signpost_at(SATURDAY_NIGHT, &[FAMILY]);
    assert!(
        night.contains("Freephone helpline: closed now, opens Monday at 9am."),
        "{night}"
    );
    assert!(
        night.contains(
            "Text FAMOUT and your message to 60777 (Monday to Friday, 9am to 5pm). Closed now: \
             opens Monday at 9am."
        ),
        "{night}"
    );
    let morning = signpost_at(WEEKDAY_MORNING, &[FAMILY]);
    assert!(
        morning.contains("(Monday to Friday, 9am to 5pm). Open now, until 5pm."),
        "{morning}"
    );
    let spring = signpost_at("2026-03-29 00:30", &[FAMILY]);
    assert!(
        spring.contains("Closed now: opens tomorrow at 9am."),
        "{spring}"
    );
    let curfew = signpost_at(SATURDAY_NIGHT, &["what does home detention curfew mean"]);
    assert!(
        curfew.contains(
            "None of these lines is open right now. Samaritans is open 24 hours: call 116 123."
        ),
        "{curfew}"
    );
    let stranraer = signpost_at(
        WEEKDAY_MORNING,
        &["--town", "stranraer", "I have nowhere to stay tonight"],
    );
    let first_phone = stranraer
        .lines()
        .find(|l| l.trim_start().starts_with("Call 0"))
        .unwrap();
    assert!(first_phone.contains("01776 888312"), "{stranraer}");
}

#[test]
fn ask_json_gives_open_now_and_next_change_per_contact() {
    let out = signpost_at(SATURDAY_NIGHT, &["--json", FAMILY]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let cards = json["reply"]["cards"].as_array().unwrap();
    let families = cards
        .iter()
        .find(|c| c["id"] == "families-outside")
        .unwrap();
    // The lead gives the helpline; the card's first line is the text line.
    let phone = &families["contacts"][0];
    assert_eq!(phone["value"], "60777");
    assert_eq!(phone["open_now"], false);
    assert_eq!(phone["next_change"], "2026-03-30T09:00:00+01:00");
    assert_eq!(phone["status"], "Closed now: opens Monday at 9am");
    assert_eq!(phone["opening_hours"], "Mo-Fr 09:00-17:00");
    let named = signpost_at(SATURDAY_NIGHT, &["--json", "Families Outside"]);
    let json: serde_json::Value = serde_json::from_str(&named).unwrap();
    assert!(
        json["reply"]["lead"]
            .as_str()
            .unwrap()
            .ends_with("Freephone helpline: closed now, opens Monday at 9am."),
        "{json}"
    );
    let entry = full(shipped(), SATURDAY_NIGHT, "families-outside");
    let web = entry
        .contacts
        .iter()
        .find(|c| c.kind == knowledge::ContactKind::Web)
        .unwrap();
    assert!(web.status.is_none(), "no hours, no status: {web:?}");
}

#[test]
fn the_chat_remembers_the_town() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_signpost"))
        .env_remove("SIGNPOST_KNOWLEDGE")
        .env("COLUMNS", "400")
        .args(["chat", "--no-watch", "--knowledge"])
        .arg(shipped_dir())
        .args(["--at", WEEKDAY_MORNING])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"hello, I live in Stranraer\nI have nowhere to stay tonight\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let answer = text.split("nowhere to stay").last().unwrap_or(&text);
    let first_phone = text
        .lines()
        .skip_while(|l| !l.contains("Housing Options"))
        .find(|l| l.trim_start().starts_with("Call 0"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(first_phone.contains("01776 888312"), "{answer}");
    assert!(first_phone.contains("Open now, until 5pm"), "{first_phone}");
}

#[test]
fn check_reports_hours_that_do_not_parse_where_they_are() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("small"), dir.path());
    let path = dir.path().join("services/prison-families-line.md");
    let text = std::fs::read_to_string(&path).unwrap().replace(
        "opening_hours = \"Mo-Fr 09:00-17:00\"\n",
        "opening_hours = \"Mo-Fr 9-17\"\ntown = \"Stranrar\"\n",
    );
    std::fs::write(&path, &text).unwrap();
    let line = text
        .lines()
        .position(|l| l.starts_with("opening_hours"))
        .unwrap()
        + 1;
    let report = knowledge::check(dir.path()).unwrap();
    let shown: Vec<String> = report.diagnostics.iter().map(|d| d.to_string()).collect();
    // `opening_hours = "` is 17 characters: the value starts at column 18, `9-17` at 24.
    let error = report
        .diagnostics
        .iter()
        .find(|d| d.severity == Severity::Error)
        .unwrap_or_else(|| panic!("{shown:#?}"));
    assert_eq!(
        (error.path.as_path(), error.line, error.column),
        (path.as_path(), line, 24)
    );
    assert!(error.message.contains("at `9-17`"), "{}", error.message);
    assert!(
        shown.iter().any(|d| d.contains(&format!(
            ":{}:8: warning: `town` = \"Stranrar\": write it \"Stranraer\"",
            line + 1
        ))),
        "{shown:#?}"
    );
    assert!(
        Assistant::load(dir.path()).is_err(),
        "an error stops the load"
    );

    // A line with hours in words only is a warning, at the hours.
    std::fs::write(&path, text.replace("opening_hours = \"Mo-Fr 9-17\"\n", "")).unwrap();
    let report = knowledge::check(dir.path()).unwrap();
    assert!(
        report
            .diagnostics
            .iter()
            .any(|d| d.severity == Severity::Warning
                && d.path.ends_with("prison-families-line.md")
                && d.message.contains("has `hours` but no `opening_hours`")),
        "{:#?}",
        report.diagnostics
    );
}

#[test]
fn live_knowledge_keeps_the_clock_it_is_given_across_reloads() {
    let (live, _) = LiveKnowledge::load(&fixture("hours")).unwrap();
    let clock = FixedClock::at(SATURDAY_NIGHT).unwrap();
    live.set_clock(Arc::new(clock));
    assert_eq!(live.current().now(), clock.now());
    let ids = |live: &LiveKnowledge| {
        card_ids(&live.answer(&Turn::new("i am in debt")))
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&live)[0], "money-night-line");
    live.reload_now();
    assert_eq!(live.current().now(), clock.now());
    assert_eq!(ids(&live)[0], "money-night-line");
}
