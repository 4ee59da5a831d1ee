//! Claims the fact sheet must back, over a whole knowledge folder: a promise of
//! confidentiality, and a pointer to out-of-hours help. A frightened person acts on both, so
//! an entry may make them only where `../shared/facts/services.md` does (issue #11).
//!
//! What is checked is what a person is shown: titles, summaries, contact labels and hours,
//! bodies, and the crisis messages of `safety.toml`. Keywords and example questions are
//! search phrasings, not statements, and are left out.

use crate::check::copy_dir;
use crate::common::shipped_dir;
use signpost::KnowledgeBase;
use std::path::Path;

/// What the fact sheet lets the content say about confidentiality. A statement calling
/// something confidential passes only if it is about a service in this table that allows it;
/// a service missing from the table gets no promise at all. Add a row only with the sheet's
/// words in the comment above it.
const CONFIDENTIALITY: &[Confidentiality] = &[
    // B3: "Our support is free, confidential and open to everyone affected by crime."
    Confidentiality {
        service: "Victim Support Scotland",
        entry: Some("victim-support-scotland"),
        names: &["Victim Support", "0800 160 1985"],
        allows: Allows::Confidential,
    },
    // B4: for anyone aged 13 or over affected by sexual violence, "free and confidential".
    Confidentiality {
        service: "Rape Crisis Scotland",
        entry: Some("rape-crisis-scotland"),
        names: &["Rape Crisis", "08088 01 03 02"],
        allows: Allows::Confidential,
    },
    // B24: "Confidential, with listed exceptions".
    Confidentiality {
        service: "Samaritans",
        entry: Some("samaritans"),
        names: &["Samaritans", "116 123"],
        allows: Allows::WithExceptions,
    },
    // B15: Early Years Scotland's family service at HMP Dumfries gives "confidential advice".
    Confidentiality {
        service: "Early Years Scotland at HMP Dumfries",
        entry: None,
        names: &["Early Years Scotland"],
        allows: Allows::Confidential,
    },
    // B7: the helpline is free and 24/7; only "A confidential translation service is available."
    Confidentiality {
        service: "Scotland's Domestic Abuse and Forced Marriage Helpline",
        entry: Some("domestic-abuse-helpline"),
        names: &[
            "Domestic Abuse and Forced Marriage Helpline",
            "0800 027 1234",
            "sdafmh",
        ],
        allows: Allows::OnlyIn("confidential translation service"),
    },
    // B27: free, 24-hour, up to 19; the sheet makes no promise of confidentiality.
    Confidentiality {
        service: "Childline",
        entry: Some("childline"),
        names: &["Childline", "0800 1111"],
        allows: Allows::Nothing,
    },
    // B2: the charity "promises anonymity, not confidentiality".
    Confidentiality {
        service: "Crimestoppers",
        entry: Some("crimestoppers"),
        names: &["Crimestoppers", "0800 555 111"],
        allows: Allows::OnlyIn("anonymity, not confidentiality"),
    },
];

/// Out-of-hours help the fact sheet gives a line for. Text that points to out-of-hours help
/// about one of these must give its number in the same paragraph (or contact); text about
/// any other out-of-hours help must at least give a number or a web address to reach it.
const OUT_OF_HOURS: &[OutOfHours] = &[
    // A and B21: "Out of hours free number: 0303 333 3001 after 5pm and weekends".
    OutOfHours {
        help: "the council's homeless line",
        words: &["homeless", "housing"],
        number: "0303 333 3001",
    },
    // B22: "Out of hours, call NHS 24 on 111"; the Primary Care Centres take NHS 24 referrals only.
    OutOfHours {
        help: "NHS 24",
        words: &["NHS", "GP", "Primary Care", "doctor"],
        number: "111",
    },
];

/// One row of [`CONFIDENTIALITY`].
struct Confidentiality {
    /// The service, as the fact sheet names it.
    service: &'static str,
    /// The knowledge entry about it, whose own text needs no name to be about it.
    entry: Option<&'static str>,
    /// How a sentence names it: any one of these, case-insensitive.
    names: &'static [&'static str],
    allows: Allows,
}

/// What the fact sheet says about a service's confidentiality.
enum Allows {
    /// The sheet calls it confidential.
    Confidential,
    /// Confidential with exceptions: the same paragraph must mention them.
    WithExceptions,
    /// The word may appear only inside this phrase.
    OnlyIn(&'static str),
    /// No promise of confidentiality.
    Nothing,
}

/// One row of [`OUT_OF_HOURS`].
struct OutOfHours {
    help: &'static str,
    /// Words that say the text is about this help.
    words: &'static [&'static str],
    number: &'static str,
}

/// One piece of text a person is shown, with where it comes from.
struct Shown {
    /// `services/childline.md (body)`, `safety.toml (message of child-at-risk)`, ...
    place: String,
    /// The entry the text belongs to, if any.
    entry: Option<String>,
    text: String,
}

/// Everything a person can be shown from a knowledge folder, cut into paragraphs.
fn shown(kb: &KnowledgeBase) -> Vec<Shown> {
    let mut out = Vec::new();
    for e in &kb.entries {
        let file = format!("{}/{}.md", e.kind.folder(), e.id);
        let mut push = |what: &str, text: &str| {
            out.push(Shown {
                place: format!("{file} ({what})"),
                entry: Some(e.id.clone()),
                text: text.to_string(),
            })
        };
        push("title", &e.title);
        push("summary", &e.summary);
        for c in &e.contacts {
            // A contact is one unit: its value is how to reach what its label names.
            let text = [
                c.label.as_deref().unwrap_or(""),
                &c.value,
                c.hours.as_deref().unwrap_or(""),
            ]
            .join(" - ");
            push("contact", &text);
        }
        for paragraph in e.body.split("\n\n").filter(|p| !p.trim().is_empty()) {
            push("body", paragraph);
        }
    }
    out.push(Shown {
        place: "safety.toml (emergency)".into(),
        entry: None,
        text: kb.safety.emergency.clone(),
    });
    for c in &kb.safety.categories {
        for (what, text) in [("title", &c.title), ("message", &c.message)] {
            out.push(Shown {
                place: format!("safety.toml ({what} of {})", c.id),
                entry: None,
                text: text.clone(),
            });
        }
    }
    out
}

/// The sentences of a paragraph, with their byte ranges.
fn sentences(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        let ends = b == b'\n'
            || (matches!(b, b'.' | b'!' | b'?')
                && bytes.get(i + 1).is_none_or(|n| n.is_ascii_whitespace()));
        if ends {
            out.push((start, i + 1));
            start = i + 1;
        }
    }
    if start < text.len() {
        out.push((start, text.len()));
    }
    out
}

fn names(text: &str, row: &Confidentiality) -> bool {
    let text = text.to_ascii_lowercase();
    row.names
        .iter()
        .any(|n| text.contains(&n.to_ascii_lowercase()))
}

/// Every statement of confidentiality the sheet does not back, as `place: problem`.
fn unbacked_confidentiality(kb: &KnowledgeBase) -> Vec<String> {
    let mut problems = Vec::new();
    for unit in shown(kb) {
        // ASCII lowercasing keeps byte offsets, so ranges found in `lower` cut `unit.text`.
        let lower = unit.text.to_ascii_lowercase();
        for (at, _) in lower.match_indices("confidential") {
            let (s, e) = sentences(&lower)
                .into_iter()
                .find(|&(s, e)| s <= at && at < e)
                .expect("every byte is in a sentence");
            let sentence = &unit.text[s..e];
            // Who the sentence is about: the services it names; failing that, those its
            // paragraph names; failing that, the entry it belongs to.
            let mut about: Vec<&Confidentiality> = CONFIDENTIALITY
                .iter()
                .filter(|r| names(sentence, r))
                .collect();
            if about.is_empty() {
                about = CONFIDENTIALITY
                    .iter()
                    .filter(|r| names(&unit.text, r))
                    .collect();
            }
            if about.is_empty() {
                about = CONFIDENTIALITY
                    .iter()
                    .filter(|r| r.entry.is_some() && r.entry == unit.entry.as_deref())
                    .collect();
            }
            if about.is_empty() {
                problems.push(format!(
                    "{}: {:?} calls something confidential, but no service whose fact-sheet \
                     entry says so",
                    unit.place,
                    sentence.trim()
                ));
            }
            for row in about {
                let ok = match row.allows {
                    Allows::Confidential => true,
                    Allows::WithExceptions => lower.contains("exception"),
                    Allows::OnlyIn(phrase) => lower
                        .match_indices(phrase)
                        .any(|(p, _)| p <= at && at < p + phrase.len()),
                    Allows::Nothing => false,
                };
                if !ok {
                    let sheet = match row.allows {
                        Allows::Confidential => "confidential".to_string(),
                        Allows::WithExceptions => {
                            "confidential, with exceptions (name them nearby)".to_string()
                        }
                        Allows::OnlyIn(phrase) => format!("only {phrase:?}"),
                        Allows::Nothing => "nothing about confidentiality".to_string(),
                    };
                    problems.push(format!(
                        "{}: {:?} calls {} confidential; the fact sheet says {sheet}",
                        unit.place,
                        sentence.trim(),
                        row.service
                    ));
                }
            }
        }
    }
    problems
}

/// The phone numbers in a text, as digits: runs of digits joined by single spaces.
fn numbers(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_digit() {
            current.push(c);
        } else if c == ' '
            && !current.is_empty()
            && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit())
        {
            continue;
        } else if !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out.retain(|n| n.len() >= 3);
    out
}

/// Whether one of the words starts a word of the text, case-insensitive: "homeless" is found
/// in "homelessness", "NHS" is not found in "UNHSC".
fn has_words(text: &str, words: &[&str]) -> bool {
    let lower = text.to_ascii_lowercase();
    words.iter().any(|w| {
        let w = w.to_ascii_lowercase();
        lower.match_indices(&w).any(|(i, _)| {
            !lower[..i]
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric)
        })
    })
}

/// Every pointer to out-of-hours help that gives no way to reach it, as `place: problem`.
fn unreachable_out_of_hours(kb: &KnowledgeBase) -> Vec<String> {
    let mut problems = Vec::new();
    for unit in shown(kb) {
        let lower = unit.text.to_ascii_lowercase();
        if !(lower.contains("out of hours") || lower.contains("out-of-hours")) {
            continue;
        }
        let found = numbers(&unit.text);
        let known: Vec<&OutOfHours> = OUT_OF_HOURS
            .iter()
            .filter(|o| has_words(&unit.text, o.words))
            .collect();
        for o in &known {
            let wanted: String = o.number.chars().filter(char::is_ascii_digit).collect();
            if !found.contains(&wanted) {
                problems.push(format!(
                    "{}: points to out-of-hours help from {} without its number, {}: {:?}",
                    unit.place,
                    o.help,
                    o.number,
                    unit.text.trim()
                ));
            }
        }
        let web = lower.contains("http") || lower.contains("www.");
        if known.is_empty() && found.is_empty() && !web {
            problems.push(format!(
                "{}: points to out-of-hours help with no number or web address: {:?}",
                unit.place,
                unit.text.trim()
            ));
        }
    }
    problems
}

fn load(dir: &Path) -> KnowledgeBase {
    KnowledgeBase::load(dir)
        .unwrap_or_else(|e| panic!("{} loads: {e}", dir.display()))
        .0
}

#[test]
fn shipped_content_promises_confidentiality_only_where_the_fact_sheet_does() {
    let problems = unbacked_confidentiality(&load(&shipped_dir()));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn shipped_content_gives_a_way_to_reach_every_out_of_hours_line_it_mentions() {
    let problems = unreachable_out_of_hours(&load(&shipped_dir()));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_homeless_line_is_given_where_people_need_it() {
    let kb = load(&shipped_dir());
    for id in [
        "housing-options-dg",
        "release-from-prison",
        "staying-safe-domestic-abuse",
        "citizens-advice-dg",
        "turning-point-scotland",
    ] {
        let e = kb.get(id).unwrap_or_else(|| panic!("{id} is shipped"));
        let everywhere = format!(
            "{} {}",
            e.body,
            e.contacts
                .iter()
                .map(|c| c.value.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        );
        assert!(
            everywhere.contains("0303 333 3001"),
            "{id} sends homeless people to the council without its out-of-hours line"
        );
    }
    let housing = kb.get("housing-options-dg").unwrap();
    let line = housing
        .contacts
        .iter()
        .find(|c| c.value == "0303 333 3001")
        .expect("housing-options-dg lists the out-of-hours line as a contact");
    assert_eq!(line.hours.as_deref(), Some("After 5pm and at weekends"));
}

/// The shipped folder, copied to a temp dir with `edits` applied (file, old text, new text).
fn bad_copy(edits: &[(&str, &str, &str)]) -> (tempfile::TempDir, KnowledgeBase) {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&shipped_dir(), dir.path());
    for (file, old, new) in edits {
        let path = dir.path().join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(old), "{file} no longer holds {old:?}");
        std::fs::write(&path, text.replacen(old, new, 1)).unwrap();
    }
    let kb = load(dir.path());
    (dir, kb)
}

#[test]
fn confidentiality_the_sheet_does_not_give_is_caught() {
    let (_dir, kb) = bad_copy(&[
        // the audited wordings, put back
        (
            "services/childline.md",
            "If you want to know what Childline keeps private",
            "The support is confidential.\n\nIf you want to know what Childline keeps private",
        ),
        (
            "services/domestic-abuse-helpline.md",
            "summary = \"Free help 24/7",
            "summary = \"Free, confidential help 24/7",
        ),
        (
            "safety.toml",
            "answers free, 24 hours a day, on 0800 027 1234",
            "answers free and confidential, 24 hours a day, on 0800 027 1234",
        ),
        (
            "topics/youth-justice.md",
            "Childline is free, 24 hours a day",
            "Childline is free and confidential, 24 hours a day",
        ),
        // a service the table does not know
        (
            "services/families-outside.md",
            "Regional Family Support Coordinators",
            "Their support is confidential. Regional Family Support Coordinators",
        ),
        // a service with exceptions, promised without them
        (
            "services/samaritans.md",
            "There are a few exceptions, which are explained on the Samaritans website.",
            "",
        ),
    ]);
    let problems = unbacked_confidentiality(&kb).join("\n");
    for place in [
        "services/childline.md (body)",
        "services/domestic-abuse-helpline.md (summary)",
        "safety.toml (message of domestic-abuse-now)",
        "topics/youth-justice.md (body)",
        "services/families-outside.md (body)",
        "services/samaritans.md (body)",
    ] {
        assert!(
            problems.contains(place),
            "no problem reported for {place}:\n{problems}"
        );
    }
    assert_eq!(problems.lines().count(), 6, "{problems}");
}

#[test]
fn out_of_hours_help_without_a_way_to_reach_it_is_caught() {
    let (_dir, kb) = bad_copy(&[
        // the audited wording, put back
        (
            "services/housing-options-dg.md",
            "call the council's free out-of-hours homeless number, 0303 333 3001.\"",
            "the council has a free out-of-hours number: it is on the council's Housing \
             Options web page.\"",
        ),
        (
            "services/citizens-advice-dg.md",
            "service: after 5pm and at weekends, call its free out-of-hours homeless line on \
             0303 333 3001.",
            "service, which has an out-of-hours line.",
        ),
        // out-of-hours help the table does not know, with nothing to reach it by
        (
            "services/sacro.md",
            "Taking part is entirely voluntary.",
            "Taking part is entirely voluntary. Sacro has an out-of-hours service.",
        ),
    ]);
    let problems = unreachable_out_of_hours(&kb).join("\n");
    for place in [
        "services/housing-options-dg.md (summary)",
        "services/citizens-advice-dg.md (body)",
        "services/sacro.md (body)",
    ] {
        assert!(
            problems.contains(place),
            "no problem reported for {place}:\n{problems}"
        );
    }
    assert_eq!(problems.lines().count(), 3, "{problems}");
}

#[test]
fn numbers_and_sentences_are_cut_where_a_reader_would_cut_them() {
    assert_eq!(
        numbers("call 0303 333 3001 or 111, not 0800 1111."),
        ["03033333001", "111", "08001111"]
    );
    assert_eq!(numbers("aged 16 or 2024"), ["2024"]);
    let text = "Call 999. It is free! Visit nhsinform.scot or ask.\nNext";
    let cut: Vec<&str> = sentences(text).iter().map(|&(s, e)| &text[s..e]).collect();
    assert_eq!(
        cut,
        [
            "Call 999.",
            " It is free!",
            " Visit nhsinform.scot or ask.",
            "\n",
            "Next"
        ]
    );
}
