//! Synthetic knowledge folders of any size, for benchmarks.
//!
//! [`generate`] reads a real knowledge folder and writes a folder of `entries` entries: the
//! real entries unchanged (the crisis rules and the menu name them), then variations of them
//! until the count is reached. A variation keeps its original's kind, audiences, stages,
//! contacts and dates, and varies everything a search sees: a made-up name and a place in
//! the title, a subset of the keywords and example questions (some reworded for the place),
//! and the body's paragraphs in a new order with a paragraph about the place, so bodies keep
//! a similar length. The made-up names grow the vocabulary with the folder, as real
//! services would. Ids stay unique and kebab-case, `see_also` names only entries that exist,
//! and `synonyms.toml`, `safety.toml`, `menu.toml`, `other-subjects.txt` and the crisis
//! corpus `safety/` are copied: the result passes `signpost check` with no errors. The same arguments always give the same folder.

use crate::error::KnowledgeError;
use crate::knowledge::{Contact, Entry, Kind, KnowledgeBase};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

/// The files copied as they are from the source folder, when present.
const COPIED: &[&str] = &[
    "synonyms.toml",
    "safety.toml",
    "menu.toml",
    crate::knowledge::OTHER_SUBJECTS_FILE,
];

/// Towns and villages of the region, for titles, questions and bodies.
const PLACES: &[&str] = &[
    "Annan",
    "Castle Douglas",
    "Dalbeattie",
    "Gatehouse of Fleet",
    "Kirkcudbright",
    "Langholm",
    "Lockerbie",
    "Moffat",
    "Newton Stewart",
    "Sanquhar",
    "Stranraer",
    "Thornhill",
    "Wigtown",
    "Dumfries",
    "Kirkconnel",
    "Gretna",
    "Ecclefechan",
    "Creetown",
    "Whithorn",
    "Glenluce",
    "Portpatrick",
    "Lochmaben",
    "Canonbie",
    "Moniaive",
    "Penpont",
    "New Galloway",
    "Dalry",
    "Eastriggs",
    "Carsphairn",
    "Drummore",
    "Port William",
    "Auchencairn",
    "Kippford",
    "Closeburn",
    "Wanlockhead",
    "Lochside",
    "Heathhall",
    "Locharbriggs",
    "Cargenbridge",
    "Kirkbean",
];

/// What a local variation is, in its title and place paragraph.
const DESCRIPTORS: &[&str] = &[
    "drop-in", "outreach", "project", "hub", "team", "group", "clinic", "service", "link",
    "network",
];

/// Syllables of the made-up names ("Kelmora", "Brandusk").
const SYLLABLES: &[&str] = &[
    "kel", "mor", "a", "bran", "dusk", "tor", "lin", "ar", "ven", "cal", "dor", "is", "glen", "ru",
    "mach", "ea", "fin", "lay", "ros", "sk", "ith", "bal", "nor", "ach", "vie", "dal", "wen",
    "ton", "ber", "ock",
];

/// Ways a question is reworded for a place.
const QUESTION_FORMS: &[&str] = &[
    "{q}",
    "{q} in {place}",
    "{q}, i live near {place}",
    "{place}: {q}",
    "is there anyone in {place} who can help, {q}",
];

/// Why a synthetic folder could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SynthError {
    /// The source folder could not be loaded.
    #[error(transparent)]
    Source(#[from] KnowledgeError),
    /// Fewer entries were asked for than the source holds: its entries are all kept, since
    /// the crisis rules and the menu name them.
    #[error(
        "asked for {requested} entries, but the source folder alone has {shipped}: ask for at least {shipped}"
    )]
    TooFew {
        /// The number asked for.
        requested: usize,
        /// The number of entries in the source folder.
        shipped: usize,
    },
    /// The output folder exists and is not empty.
    #[error("`{0}` is not empty: give a new or empty folder")]
    NotEmpty(PathBuf),
    /// A file could not be read or written.
    #[error("could not write `{path}`")]
    Io {
        /// The file or folder at fault.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
}

/// What [`generate`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Synthesis {
    /// Entries written in all.
    pub entries: usize,
    /// Of which services.
    pub services: usize,
    /// Of which topics.
    pub topics: usize,
    /// Of which copied unchanged from the source folder.
    pub copied: usize,
}

/// Writes a knowledge folder of `entries` entries to `out` by varying the entries of the
/// valid folder `source` (see the module documentation). `out` must be new or empty.
pub fn generate(source: &Path, entries: usize, out: &Path) -> Result<Synthesis, SynthError> {
    let (kb, _report) = KnowledgeBase::load(source)?;
    let shipped = kb.entries.len();
    if entries < shipped {
        return Err(SynthError::TooFew {
            requested: entries,
            shipped,
        });
    }
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| SynthError::Io { path, source }
    };
    if out.exists() {
        let mut listing = fs::read_dir(out).map_err(io(out))?;
        if listing.next().is_some() {
            return Err(SynthError::NotEmpty(out.to_path_buf()));
        }
    }
    for kind in [Kind::Service, Kind::Topic] {
        let folder = out.join(kind.folder());
        fs::create_dir_all(&folder).map_err(io(&folder))?;
    }
    for name in COPIED {
        let from = source.join(name);
        if from.is_file() {
            let to = out.join(name);
            fs::copy(&from, &to).map_err(io(&to))?;
        }
    }
    // The crisis corpus, so the classifier trains on the synthetic folder as on the real one.
    let corpus = source.join(crate::safety::CORPUS_FOLDER);
    if corpus.is_dir() {
        let to = out.join(crate::safety::CORPUS_FOLDER);
        fs::create_dir_all(&to).map_err(io(&to))?;
        for file in fs::read_dir(&corpus).map_err(io(&corpus))? {
            let from = file.map_err(io(&corpus))?.path();
            if from.is_file() {
                let target = to.join(from.file_name().unwrap_or_default());
                fs::copy(&from, &target).map_err(io(&target))?;
            }
        }
    }

    let mut written = Synthesis {
        entries: 0,
        services: 0,
        topics: 0,
        copied: 0,
    };
    let count = |entry: &Entry, written: &mut Synthesis| {
        written.entries += 1;
        match entry.kind {
            Kind::Service => written.services += 1,
            Kind::Topic => written.topics += 1,
        }
    };
    for entry in &kb.entries {
        let name = format!("{}/{}.md", entry.kind.folder(), entry.id);
        let to = out.join(&name);
        fs::copy(source.join(&name), &to).map_err(io(&to))?;
        count(entry, &mut written);
        written.copied += 1;
    }
    // Variation k of the synthetic entries is built on real entry k % shipped; its
    // `see_also` may name the variation before it on the same entry, written already.
    let mut ids: Vec<String> = Vec::with_capacity(entries - shipped);
    for k in 0..entries - shipped {
        let base = &kb.entries[k % shipped];
        let mut rng = Rng::new(0x5157_9057 ^ (k as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let previous = k.checked_sub(shipped).map(|i| ids[i].as_str());
        let (id, text) = vary(base, k / shipped, previous, &mut rng);
        let to = out.join(base.kind.folder()).join(format!("{id}.md"));
        fs::write(&to, text).map_err(io(&to))?;
        count(base, &mut written);
        ids.push(id);
    }
    Ok(written)
}

/// One variation of `base`: its id and the text of its file.
fn vary(base: &Entry, round: usize, previous: Option<&str>, rng: &mut Rng) -> (String, String) {
    let place = *rng.pick(PLACES);
    let descriptor = *rng.pick(DESCRIPTORS);
    let name = made_up_name(rng);
    let id = format!("{}-{}-{}", base.id, slug(place), round + 1);
    let title = format!("{name} {} ({place} {descriptor})", base.title);
    let summary = format!("{} Local {descriptor} in {place}.", base.summary);

    let mut keywords: Vec<String> = rng
        .subset(&base.keywords, 0.7)
        .into_iter()
        .cloned()
        .collect();
    keywords.push(name.clone());
    keywords.push(place.to_lowercase());
    keywords.push(format!("{} {descriptor}", place.to_lowercase()));

    let mut questions: Vec<String> = rng
        .subset(&base.questions, 0.6)
        .into_iter()
        .map(|q| {
            rng.pick(QUESTION_FORMS)
                .replace("{q}", q)
                .replace("{place}", place)
        })
        .collect();
    questions.push(format!(
        "is there a {} {descriptor} near {place}",
        name.to_lowercase()
    ));

    let mut see_also = base.see_also.clone();
    see_also.extend(previous.map(str::to_string));

    let mut paragraphs: Vec<&str> = base.body.split("\n\n").collect();
    if paragraphs.len() > 2 {
        let rest = &mut paragraphs[1..];
        rng.shuffle(rest);
    }
    let mut body = paragraphs.join("\n\n");
    write!(
        body,
        "\n\n**{name} in {place}.** The {place} {descriptor} of {} works from {place} and the \
         villages around it. Use the contacts above and say you live near {place}.",
        base.title
    )
    .expect("writing to a String cannot fail");

    let mut text = String::with_capacity(base.body.len() + 2048);
    text.push_str("+++\n");
    line(&mut text, "title", &toml_string(&title));
    line(&mut text, "summary", &toml_string(&summary));
    line(&mut text, "audiences", &toml_array(&base.audiences));
    if !base.stages.is_empty() {
        line(&mut text, "stages", &toml_array(&base.stages));
    }
    line(&mut text, "keywords", &toml_array(&keywords));
    line(&mut text, "questions", &toml_array(&questions));
    if let Some(area) = &base.area {
        line(&mut text, "area", &toml_string(area));
    }
    line(&mut text, "reviewed", &base.reviewed.to_string());
    line(&mut text, "source", &toml_string(&base.source));
    if !see_also.is_empty() {
        line(&mut text, "see_also", &toml_array(&see_also));
    }
    for contact in &base.contacts {
        contact_table(&mut text, contact);
    }
    text.push_str("+++\n");
    text.push_str(&body);
    text.push('\n');
    (id, text)
}

fn contact_table(text: &mut String, contact: &Contact) {
    text.push_str("\n[[contacts]]\n");
    line(text, "kind", &toml_string(contact.kind.as_str()));
    line(text, "value", &toml_string(&contact.value));
    if let Some(label) = &contact.label {
        line(text, "label", &toml_string(label));
    }
    if let Some(hours) = &contact.hours {
        line(text, "hours", &toml_string(hours));
    }
    if let Some(hours) = &contact.opening_hours {
        line(text, "opening_hours", &toml_string(hours.as_str()));
    }
    if let Some(town) = &contact.town {
        line(text, "town", &toml_string(town));
    }
}

fn line(text: &mut String, key: &str, value: &str) {
    text.push_str(key);
    text.push_str(" = ");
    text.push_str(value);
    text.push('\n');
}

/// A TOML basic string.
fn toml_string(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for ch in value.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                write!(out, "\\u{:04X}", c as u32).expect("writing to a String cannot fail")
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn toml_array<T: std::fmt::Display>(values: &[T]) -> String {
    let items: Vec<String> = values.iter().map(|v| toml_string(&v.to_string())).collect();
    format!("[{}]", items.join(", "))
}

/// "Castle Douglas" -> "castle-douglas".
fn slug(text: &str) -> String {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect::<Vec<_>>()
        .join("-")
}

/// A pronounceable made-up name of two or three syllables, capitalised.
fn made_up_name(rng: &mut Rng) -> String {
    let syllables = 2 + rng.below(2);
    let mut name: String = (0..syllables).map(|_| *rng.pick(SYLLABLES)).collect();
    if let Some(first) = name.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    name
}

/// A small deterministic generator (SplitMix64): the same seed, the same folder.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }

    /// About `share` of the items, at least one when there are any, in their order.
    fn subset<'a, T>(&mut self, items: &'a [T], share: f64) -> Vec<&'a T> {
        let threshold = (share * 1_000.0) as usize;
        let mut kept: Vec<&T> = items
            .iter()
            .filter(|_| self.below(1_000) < threshold)
            .collect();
        if kept.is_empty()
            && let Some(first) = items.first()
        {
            kept.push(first);
        }
        kept
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Assistant, Turn, knowledge};

    fn shipped() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge")
    }

    #[test]
    fn small_synthetic_folder_checks_clean_and_answers() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("kb");
        let written = generate(&shipped(), 200, &out).unwrap();
        assert_eq!(written.entries, 200);
        assert_eq!(written.services + written.topics, 200);

        let report = knowledge::check(&out).unwrap();
        let errors: Vec<String> = report
            .diagnostics
            .iter()
            .filter(|d| d.severity == knowledge::Severity::Error)
            .map(|d| d.to_string())
            .collect();
        assert!(errors.is_empty(), "{}", errors.join("\n"));
        assert_eq!(report.entries, 200);

        let (assistant, _) = Assistant::load(&out).unwrap();
        let ids: std::collections::HashSet<&str> = assistant
            .knowledge()
            .entries
            .iter()
            .map(|e| e.id.as_str())
            .collect();
        assert_eq!(ids.len(), 200, "ids are unique");
        let reply = assistant.answer(&Turn::new("how do i visit my husband in prison"));
        assert!(!reply.fallback, "{reply:?}");
        assert!(!reply.cards.is_empty());
    }

    #[test]
    fn same_arguments_same_folder() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        generate(&shipped(), 130, &a).unwrap();
        generate(&shipped(), 130, &b).unwrap();
        for kind in ["services", "topics"] {
            let mut names: Vec<_> = fs::read_dir(a.join(kind))
                .unwrap()
                .map(|e| e.unwrap().file_name())
                .collect();
            names.sort();
            for name in names {
                let left = fs::read_to_string(a.join(kind).join(&name)).unwrap();
                let right = fs::read_to_string(b.join(kind).join(&name)).unwrap();
                assert_eq!(left, right, "{name:?}");
            }
        }
    }

    #[test]
    fn refuses_too_few_and_a_full_folder() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            generate(&shipped(), 3, &dir.path().join("x")),
            Err(SynthError::TooFew { .. })
        ));
        fs::write(dir.path().join("keep.txt"), "x").unwrap();
        assert!(matches!(
            generate(&shipped(), 100, dir.path()),
            Err(SynthError::NotEmpty(_))
        ));
    }

    #[test]
    fn strings_are_escaped() {
        assert_eq!(toml_string(r#"a "b" \c"#), r#""a \"b\" \\c""#);
        assert_eq!(slug("Gatehouse of Fleet"), "gatehouse-of-fleet");
    }
}
