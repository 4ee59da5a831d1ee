//! Reads and validates a knowledge folder into typed entries.
//!
//! ```text
//! knowledge/
//!   services/<id>.md   organisations to contact
//!   topics/<id>.md     plain-English explainers
//!   synonyms.toml      words that mean the same thing here
//!   safety.toml        crisis rules
//!   safety/*.txt       (optional) the crisis corpus the classifier learns from
//!   menu.toml          (optional) the "who are you" menu and its suggestions
//! ```

pub mod diagnostics;
mod model;
pub(crate) mod read;

pub use diagnostics::{Diagnostic, Report, Severity};
pub use model::{Audience, Contact, ContactKind, Date, Entry, Kind, MAX_SHORT_TITLE, Stage};
pub use read::{DEFAULT_MAX_FILE_BYTES, LoadOptions, MAX_FILE_BYTES_VAR};

use crate::error::KnowledgeError;
use crate::safety::Safety;
use crate::text::normalise;
use diagnostics::SourceFile;
use model::FrontMatter;
use read::FileReader;
use serde::Deserialize;
use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The longest id allowed: a button's payload (Telegram allows 64 bytes) carries it.
pub const MAX_ID_LEN: usize = 60;

/// Days after `reviewed` when an entry is reported as due for review.
pub const REVIEW_AFTER_DAYS: i64 = 365;

/// A choice on the "who are you" menu.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MenuChoice {
    /// Short stable key for buttons and deep links, e.g. `families`.
    pub key: String,
    /// What the person sees, e.g. "A family member or friend".
    pub label: String,
    /// The audience whose entries are boosted after this choice.
    pub audience: Audience,
    /// Entry ids to offer next.
    #[serde(default)]
    pub suggest: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MenuFile {
    #[serde(default)]
    general: Vec<String>,
    #[serde(rename = "choice")]
    choices: Vec<MenuChoice>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SynonymsFile {
    groups: Vec<Vec<String>>,
}

/// A whole, valid knowledge folder.
#[derive(Debug, Clone)]
pub struct KnowledgeBase {
    /// The folder it was read from.
    pub root: PathBuf,
    /// Services then topics, each sorted by id.
    pub entries: Vec<Entry>,
    /// Groups of normalised words and phrases that mean the same thing.
    pub synonyms: Vec<Vec<String>>,
    /// Crisis triage: the rules and the classifier learned from the corpus.
    pub safety: Safety,
    /// The "who are you" menu.
    pub menu: Vec<MenuChoice>,
    /// Entries offered when a question can't be answered with confidence.
    pub general: Vec<String>,
    /// Messages on other subjects (`other-subjects.txt`), normalised: what the search learns
    /// the fallback from.
    pub other_subjects: Vec<String>,
    by_id: HashMap<String, usize>,
}

impl KnowledgeBase {
    /// Reads the folder; any error in it fails the load with the full report. The size limit
    /// on files comes from `SIGNPOST_MAX_FILE_BYTES` when it is set.
    pub fn load(dir: &Path) -> Result<(KnowledgeBase, Report), KnowledgeError> {
        KnowledgeBase::load_with(dir, &LoadOptions::from_env()?)
    }

    /// As [`KnowledgeBase::load`], with these options.
    pub fn load_with(
        dir: &Path,
        options: &LoadOptions,
    ) -> Result<(KnowledgeBase, Report), KnowledgeError> {
        let (kb, report) = read_folder(dir, options)?;
        match kb {
            Some(kb) if !report.has_errors() => Ok((kb, report)),
            _ => Err(KnowledgeError::Invalid {
                path: dir.to_path_buf(),
                report: Box::new(report),
            }),
        }
    }

    /// The entry with this id.
    pub fn get(&self, id: &str) -> Option<&Entry> {
        self.by_id.get(id).map(|&i| &self.entries[i])
    }

    /// The newest `reviewed` date in the folder.
    pub fn last_reviewed(&self) -> Option<Date> {
        self.entries.iter().map(|e| e.reviewed).max()
    }

    /// Every entry by review date, oldest first (then by id), each with whether it is due
    /// for review on `today` (last reviewed over [`REVIEW_AFTER_DAYS`] days before).
    pub fn by_review_date(&self, today: Date) -> Vec<(&Entry, bool)> {
        let mut entries: Vec<&Entry> = self.entries.iter().collect();
        entries.sort_by(|a, b| a.reviewed.cmp(&b.reviewed).then_with(|| a.id.cmp(&b.id)));
        entries
            .into_iter()
            .map(|e| {
                (
                    e,
                    today.to_days() - e.reviewed.to_days() > REVIEW_AFTER_DAYS,
                )
            })
            .collect()
    }
}

/// Checks a folder and reports every problem, without needing it to be valid.
pub fn check(dir: &Path) -> Result<Report, KnowledgeError> {
    check_with(dir, &LoadOptions::from_env()?)
}

/// As [`check`], with these options.
pub fn check_with(dir: &Path, options: &LoadOptions) -> Result<Report, KnowledgeError> {
    read_folder(dir, options).map(|(_, report)| report)
}

/// As [`check`], and when the folder is valid and has a crisis corpus, cross-validates the
/// classifier with `folds` folds: the figures go in the report, and each corpus line the
/// held-out verdict gets wrong is a warning. What `signpost check` runs.
pub fn check_and_cross_validate(dir: &Path, folds: usize) -> Result<Report, KnowledgeError> {
    let (kb, mut report) = read_folder(dir, &LoadOptions::from_env()?)?;
    if let Some(kb) = kb.filter(|_| !report.has_errors())
        && let Some(cv) = kb.safety.cross_validate(folds)
    {
        report.diagnostics.extend(cv.wrong.iter().cloned());
        report
            .diagnostics
            .sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
        report.cross_validation = Some(cv);
    }
    Ok(report)
}

fn read_folder(
    dir: &Path,
    options: &LoadOptions,
) -> Result<(Option<KnowledgeBase>, Report), KnowledgeError> {
    if !dir.is_dir() {
        return Err(KnowledgeError::NotAFolder(dir.to_path_buf()));
    }
    let reader = FileReader::new(dir, options);
    let mut problems = Vec::new();
    let mut entries = Vec::new();
    let mut report = Report::default();
    let mut first_seen: HashMap<String, PathBuf> = HashMap::new();
    let mut see_also_refs = Vec::new();
    let today = Date::today();

    for kind in [Kind::Service, Kind::Topic] {
        let folder = dir.join(kind.folder());
        if !folder.is_dir() {
            problems.push(Diagnostic {
                path: folder.clone(),
                line: 1,
                column: 1,
                severity: Severity::Error,
                message: format!("missing folder `{}/`", kind.folder()),
            });
            continue;
        }
        let listing = match fs::read_dir(&folder) {
            Ok(listing) => listing,
            Err(err) => {
                problems.push(Diagnostic {
                    path: folder.clone(),
                    line: 1,
                    column: 1,
                    severity: Severity::Error,
                    message: format!("the folder cannot be listed: {err}"),
                });
                continue;
            }
        };
        // Hidden files are editors' (an Emacs lock `.#name.md` is a dangling link).
        let mut paths: Vec<PathBuf> = listing
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "md"))
            .filter(|p| {
                p.file_name()
                    .is_none_or(|n| !n.as_encoded_bytes().starts_with(b"."))
            })
            .collect();
        paths.sort();
        for path in paths {
            let text = reader
                .read(&path)
                .map_err(|unreadable| problems.push(unreadable))
                .ok();
            report.entries += 1;
            match kind {
                Kind::Service => report.services += 1,
                Kind::Topic => report.topics += 1,
            }
            let file = SourceFile::new(&path, text.as_deref().unwrap_or(""));
            let id = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            if id.len() > MAX_ID_LEN {
                problems.push(file.error(
                    0,
                    format!("id `{id}` is {} characters long; keep ids to {MAX_ID_LEN} so buttons can carry them", id.len()),
                ));
            }
            if !is_kebab_id(&id) {
                problems.push(file.error(
                    0,
                    format!(
                        "id `{id}` (the file name) must be lowercase words joined by `-`, e.g. `families-outside`"
                    ),
                ));
            }
            if let Some(first) = first_seen.get(&id) {
                problems.push(file.error(
                    0,
                    format!("duplicate id `{id}`: also used by {}", first.display()),
                ));
            } else {
                first_seen.insert(id.clone(), path.clone());
            }
            if text.is_none() {
                continue;
            }
            if let Some((entry, refs)) = parse_entry(&file, id, kind, today, &mut problems) {
                // Positions now, so the file's text need not be kept until every id is known.
                let placed: Vec<(String, usize, usize)> = refs
                    .into_iter()
                    .map(|(target, offset)| {
                        let (line, column) = file.position(offset);
                        (target, line, column)
                    })
                    .collect();
                if !placed.is_empty() {
                    see_also_refs.push((path.clone(), placed));
                }
                entries.push(entry);
            }
        }
    }

    // Grown by doubling: up to half of it unused, for as long as the folder is loaded.
    entries.shrink_to_fit();
    let ids: HashSet<String> = first_seen.keys().cloned().collect();
    for (path, refs) in &see_also_refs {
        for (target, line, column) in refs {
            if !ids.contains(target) {
                problems.push(Diagnostic {
                    path: path.clone(),
                    line: *line,
                    column: *column,
                    severity: Severity::Error,
                    message: format!("`see_also` names `{target}`, which is not an entry"),
                });
            }
        }
    }

    let synonyms = read_synonyms(&reader, &dir.join("synonyms.toml"), &mut problems);
    let other_subjects =
        read_other_subjects(&reader, &dir.join(OTHER_SUBJECTS_FILE), &mut problems);
    let safety = Safety::load(dir, &reader, &ids, &entries, &other_subjects, &mut problems)?;
    let (menu, general) = read_menu(&reader, &dir.join("menu.toml"), &ids, &mut problems);

    problems.sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
    report.diagnostics = problems;
    let kb = safety.map(|safety| {
        entries.sort_by(|a, b| (a.kind as u8, &a.id).cmp(&(b.kind as u8, &b.id)));
        let by_id = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id.clone(), i))
            .collect();
        KnowledgeBase {
            root: dir.to_path_buf(),
            entries,
            synonyms,
            safety,
            menu,
            general,
            other_subjects,
            by_id,
        }
    });
    Ok((kb, report))
}

/// The optional file of messages on other subjects, one a line, in the folder's root.
pub const OTHER_SUBJECTS_FILE: &str = "other-subjects.txt";

/// The messages of `other-subjects.txt`, normalised, with a warning for each line that is too
/// long, has no words or repeats another; none when the file is missing.
fn read_other_subjects(
    reader: &FileReader,
    path: &Path,
    problems: &mut Vec<Diagnostic>,
) -> Vec<String> {
    if !path.exists() {
        return Vec::new();
    }
    let text = match reader.read(path) {
        Ok(text) => text,
        Err(unreadable) => {
            problems.push(unreadable);
            return Vec::new();
        }
    };
    let mut lines = Vec::new();
    crate::safety::corpus::read_lines(path, &text, "other", &mut lines, problems);
    crate::safety::corpus::dedup(lines, problems)
        .into_iter()
        .map(|l| l.text)
        .collect()
}

fn is_kebab_id(id: &str) -> bool {
    !id.is_empty()
        && id.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// Splits `+++` front matter from the body: (TOML start, TOML end, body start) as byte offsets.
fn split_front_matter(text: &str) -> Result<(usize, usize, usize), &'static str> {
    let text_no_bom = text.strip_prefix('\u{feff}').unwrap_or(text);
    let bom = text.len() - text_no_bom.len();
    let mut lines = text_no_bom.split_inclusive('\n');
    let first = lines.next().unwrap_or("");
    if first.trim_end() != "+++" {
        return Err(
            "no front matter: the file must begin with a line `+++`, then TOML, then a line `+++`",
        );
    }
    let toml_start = bom + first.len();
    let mut offset = toml_start;
    for line in lines {
        if line.trim_end() == "+++" {
            return Ok((toml_start, offset, offset + line.len()));
        }
        offset += line.len();
    }
    Err("front matter is never closed: add a line `+++` after the TOML")
}

type SeeAlsoRefs = Vec<(String, usize)>;

fn parse_entry(
    file: &SourceFile<'_>,
    id: String,
    kind: Kind,
    today: Date,
    problems: &mut Vec<Diagnostic>,
) -> Option<(Entry, SeeAlsoRefs)> {
    let (start, end, body_start) = match split_front_matter(file.text) {
        Ok(parts) => parts,
        Err(message) => {
            problems.push(file.error(0, message));
            return None;
        }
    };
    let fm: FrontMatter = match toml::from_str(&file.text[start..end]) {
        Ok(fm) => fm,
        Err(err) => {
            problems.push(file.toml_error(start, &err));
            return None;
        }
    };
    let body = file.text[body_start..].trim().to_string();
    if body.is_empty() {
        problems.push(file.error(
            body_start,
            "empty body: write what this is, who it is for and how to get in touch",
        ));
    }
    for (field, value) in [("title", fm.title.get_ref()), ("summary", &fm.summary)] {
        if value.trim().is_empty() {
            problems.push(file.error(start, format!("`{field}` is empty")));
        }
    }
    check_short_title(file, start, &fm, problems);
    if fm.audiences.is_empty() {
        problems.push(file.error(start, "`audiences` is empty: say who this is for"));
    }
    let reviewed_offset = start + fm.reviewed.span().start;
    let reviewed = {
        let dt = fm.reviewed.into_inner();
        match (dt.date, dt.time) {
            (Some(d), None) => Date {
                year: d.year,
                month: d.month,
                day: d.day,
            },
            _ => {
                problems.push(file.error(
                    reviewed_offset,
                    "`reviewed` must be a plain date such as 2026-11-22",
                ));
                return None;
            }
        }
    };
    let age = today.to_days() - reviewed.to_days();
    if age > REVIEW_AFTER_DAYS {
        problems.push(file.warning(
            reviewed_offset,
            format!("`reviewed` is {reviewed}, over 12 months ago: check the contact details and update it"),
        ));
    }
    if fm.questions.is_empty() {
        problems.push(file.warning(
            start,
            "no `questions`: example phrasings are the strongest ranking signal",
        ));
    }
    if kind == Kind::Service && fm.contacts.is_empty() {
        problems.push(file.warning(start, "service has no `[[contacts]]`: say how to reach it"));
    }
    let refs = fm
        .see_also
        .iter()
        .map(|s| (s.get_ref().clone(), start + s.span().start))
        .collect();
    let entry = Entry {
        id,
        kind,
        title: fm.title.into_inner(),
        short_title: fm.short_title.map(|s| s.into_inner().trim().to_string()),
        summary: fm.summary,
        audiences: fm.audiences,
        stages: fm.stages,
        keywords: fm.keywords,
        questions: fm.questions,
        area: fm.area,
        reviewed,
        source: fm.source,
        see_also: fm.see_also.into_iter().map(|s| s.into_inner()).collect(),
        contacts: model::read_contacts(fm.contacts, file, start, problems),
        body,
    };
    Some((entry, refs))
}

/// A button shows about [`MAX_SHORT_TITLE`] characters whole: a longer title needs a
/// `short_title` (a warning), and a `short_title` must fit (an error).
fn check_short_title(
    file: &SourceFile<'_>,
    start: usize,
    fm: &FrontMatter,
    problems: &mut Vec<Diagnostic>,
) {
    let title = fm.title.get_ref().trim();
    match &fm.short_title {
        Some(short) => {
            let at = start + short.span().start;
            let length = short.get_ref().trim().chars().count();
            if length == 0 {
                problems.push(file.error(
                    at,
                    "`short_title` is empty: give a label of a few words, or leave it out",
                ));
            } else if length > MAX_SHORT_TITLE {
                problems.push(file.error(
                    at,
                    format!(
                        "`short_title` is {length} characters long; keep it to {MAX_SHORT_TITLE} so a button shows it whole"
                    ),
                ));
            }
        }
        None if title.chars().count() > MAX_SHORT_TITLE => {
            problems.push(file.warning(
                start + fm.title.span().start,
                format!(
                    "`title` is {} characters long, so buttons cut it off: add a `short_title` of at most {MAX_SHORT_TITLE} characters",
                    title.chars().count()
                ),
            ));
        }
        None => {}
    }
}

/// The text of an optional file: `None` when it is absent, or unreadable (and reported).
fn read_optional(
    reader: &FileReader,
    path: &Path,
    problems: &mut Vec<Diagnostic>,
) -> Option<String> {
    if !reader.present(path) {
        return None;
    }
    reader
        .read(path)
        .map_err(|unreadable| problems.push(unreadable))
        .ok()
}

fn read_synonyms(
    reader: &FileReader,
    path: &Path,
    problems: &mut Vec<Diagnostic>,
) -> Vec<Vec<String>> {
    let Some(text) = read_optional(reader, path, problems) else {
        return Vec::new();
    };
    let file = SourceFile::new(path, &text);
    match toml::from_str::<SynonymsFile>(&text) {
        Ok(raw) => raw
            .groups
            .into_iter()
            .map(|g| {
                g.iter()
                    .map(|w| normalise(w))
                    .filter(|w| !w.is_empty())
                    .collect::<Vec<_>>()
            })
            .filter(|g| g.len() > 1)
            .collect(),
        Err(err) => {
            problems.push(file.toml_error(0, &err));
            Vec::new()
        }
    }
}

type Menu = (Vec<MenuChoice>, Vec<String>);

fn read_menu(
    reader: &FileReader,
    path: &Path,
    ids: &HashSet<String>,
    problems: &mut Vec<Diagnostic>,
) -> Menu {
    let Some(text) = read_optional(reader, path, problems) else {
        return (default_menu(), Vec::new());
    };
    let file = SourceFile::new(path, &text);
    match toml::from_str::<MenuFile>(&text) {
        Ok(raw) => {
            let named = raw
                .choices
                .iter()
                .flat_map(|c| c.suggest.iter())
                .chain(&raw.general);
            let mut quoted: Option<HashMap<&str, usize>> = None;
            for id in named {
                if !ids.contains(id) {
                    // Where each quoted string first appears, found in one pass when needed.
                    let quoted = quoted.get_or_insert_with(|| first_quoted(&text));
                    let offset = quoted.get(id.as_str()).copied().unwrap_or(0);
                    problems.push(
                        file.error(offset, format!("menu names `{id}`, which is not an entry")),
                    );
                }
            }
            (raw.choices, raw.general)
        }
        Err(err) => {
            problems.push(file.toml_error(0, &err));
            (default_menu(), Vec::new())
        }
    }
}

/// Where each short `"quoted"` string first appears (its opening quote), in one pass: ids
/// are at most [`MAX_ID_LEN`] bytes, so longer strings are not needed.
fn first_quoted(text: &str) -> HashMap<&str, usize> {
    let mut found = HashMap::new();
    let bytes = text.as_bytes();
    for (open, _) in text.match_indices('"') {
        let window = &bytes[open + 1..bytes.len().min(open + 2 + MAX_ID_LEN)];
        if let Some(len) = window.iter().position(|&b| b == b'"') {
            found.entry(&text[open + 1..open + 1 + len]).or_insert(open);
        }
    }
    found
}

/// The menu used when a folder has no `menu.toml`.
pub fn default_menu() -> Vec<MenuChoice> {
    [
        ("victim", "I've been affected by a crime", Audience::Victims),
        (
            "family",
            "A family member or friend is involved",
            Audience::Families,
        ),
        (
            "convicted",
            "I've been arrested, charged or convicted",
            Audience::PeopleWithConvictions,
        ),
        (
            "practitioner",
            "I work with people in the justice system",
            Audience::Practitioners,
        ),
    ]
    .into_iter()
    .map(|(key, label, audience)| MenuChoice {
        key: key.into(),
        label: label.into(),
        audience,
        suggest: Vec::new(),
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kebab_ids() {
        assert!(is_kebab_id("families-outside"));
        assert!(is_kebab_id("nhs-24"));
        assert!(!is_kebab_id("Families_Outside"));
        assert!(!is_kebab_id("double--dash"));
        assert!(!is_kebab_id(""));
    }

    #[test]
    fn front_matter_split() {
        let text = "+++\ntitle = \"x\"\n+++\nbody\n";
        let (s, e, b) = split_front_matter(text).unwrap();
        assert_eq!(&text[s..e], "title = \"x\"\n");
        assert_eq!(&text[b..], "body\n");
        assert!(split_front_matter("title = 1").is_err());
        assert!(split_front_matter("+++\ntitle = 1\n").is_err());
    }

    #[test]
    fn dates_round_trip() {
        let d = Date {
            year: 2026,
            month: 11,
            day: 22,
        };
        assert_eq!(Date::from_days(d.to_days()), d);
        assert_eq!(Date::from_days(0).to_string(), "1970-01-01");
        assert_eq!(Date::parse_iso("2026-11-22"), Some(d));
        assert_eq!(d.plus_days(10).to_string(), "2026-12-02");
        for bad in [
            "2026-02-30",
            "2026-13-01",
            "2026-1-01",
            "26-01-01",
            "2026-01-01x",
            "",
        ] {
            assert_eq!(Date::parse_iso(bad), None, "{bad}");
        }
    }
}
