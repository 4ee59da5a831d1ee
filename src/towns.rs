//! The towns and villages of Dumfries and Galloway, found in what a person writes (common
//! misspellings included), so that a town's own office comes first on a card.
//!
//! A town changes only the order of the contacts within a card, never which entries rank.
//!
//! ```
//! use signpost::towns::Town;
//! assert_eq!(Town::find_in("im homeless in stranrear").map(Town::name), Some("Stranraer"));
//! assert_eq!(Town::find_in("help in Dumfries and Galloway"), None);
//! assert_eq!(Town::parse("castle douglas").map(Town::name), Some("Castle Douglas"));
//! ```

use crate::text::{edit_distance, normalise};
use serde::{Serialize, Serializer};
use std::fmt;
use std::sync::LazyLock;

/// A town of Dumfries and Galloway, by its usual name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Town(&'static str);

/// One place: its name, then other names and spellings people use, normalised.
struct Place {
    name: &'static str,
    also: &'static [&'static str],
}

const fn place(name: &'static str, also: &'static [&'static str]) -> Place {
    Place { name, also }
}

/// The region's towns and larger villages. Names that are also everyday words or common
/// names elsewhere (Collin, Parton, Borgue, Springfield, Holywood, Ae) are left out.
const PLACES: &[Place] = &[
    place("Dumfries", &[]),
    place("Stranraer", &[]),
    place("Annan", &[]),
    place("Castle Douglas", &[]),
    place("Newton Stewart", &[]),
    place("Lockerbie", &["lockerby"]),
    place("Kirkcudbright", &[]),
    place("Dalbeattie", &[]),
    place("Moffat", &[]),
    place("Gretna", &["gretna green"]),
    place("Langholm", &[]),
    place("Sanquhar", &[]),
    place("Thornhill", &[]),
    place("Wigtown", &[]),
    place("Whithorn", &["isle of whithorn"]),
    place("Lochmaben", &[]),
    place("Gatehouse of Fleet", &["gatehouse o fleet"]),
    place("Kirkconnel", &[]),
    place("Eastriggs", &[]),
    place("Glenluce", &[]),
    place("Portpatrick", &[]),
    place("Creetown", &[]),
    place("Ecclefechan", &[]),
    place("Canonbie", &[]),
    place("Dunscore", &[]),
    place("Port William", &[]),
    place("Drummore", &[]),
    place("Kirkcowan", &[]),
    place("Cairnryan", &[]),
    place("Kirkcolm", &[]),
    place("Leswalt", &[]),
    place("Sandhead", &[]),
    place("Garlieston", &[]),
    place("Kirkinner", &[]),
    place("Minnigaff", &[]),
    place("New Galloway", &[]),
    place(
        "Dalry",
        &["st johns town of dalry", "saint johns town of dalry"],
    ),
    place("Carsphairn", &[]),
    place("Moniaive", &[]),
    place("Penpont", &[]),
    place("Closeburn", &[]),
    place("Auldgirth", &[]),
    place("Kirkpatrick Fleming", &[]),
    place("Beattock", &[]),
    place("Johnstonebridge", &[]),
    place("Eaglesfield", &[]),
    place("Waterbeck", &[]),
    place("Kirtlebridge", &[]),
    place("Brydekirk", &[]),
    place("Carrutherstown", &[]),
    place("Clarencefield", &[]),
    place("Ruthwell", &[]),
    place("Cummertrees", &[]),
    place("Locharbriggs", &[]),
    place("Heathhall", &[]),
    place("New Abbey", &[]),
    place("Kirkbean", &[]),
    place("Southerness", &[]),
    place("Kippford", &[]),
    place("Rockcliffe", &[]),
    place("Auchencairn", &[]),
    place("Palnackie", &[]),
    place("Crossmichael", &[]),
    place("Laurieston", &[]),
    place("Twynholm", &[]),
    place("Springholm", &[]),
    place("Crocketford", &[]),
    place("Haugh of Urr", &[]),
    place("Kirkgunzeon", &[]),
    place("Wanlockhead", &[]),
    place("Tinwald", &[]),
];

/// Phrases that hold a town's name without meaning the town: the region, and the prison
/// (someone visiting HMP Dumfries may live anywhere).
const NOT_THE_TOWN: &[&str] = &[
    "dumfries and galloway",
    "dumfries n galloway",
    "dumfries galloway",
    "dumfries and gallowa",
    "hmp dumfries",
    "dumfries prison",
    "dumfries jail",
];

impl Town {
    /// The town's usual name, e.g. "Castle Douglas".
    pub fn name(self) -> &'static str {
        self.0
    }

    /// Every town signpost knows, in the order of the list (largest first, roughly).
    pub fn all() -> impl Iterator<Item = Town> {
        PLACES.iter().map(|p| Town(p.name))
    }

    /// The town a name means, as a whole: exact (any case, accents and punctuation
    /// ignored), another name for it, or a small misspelling ("stranrear"). `None` for a
    /// place signpost does not know.
    pub fn parse(name: &str) -> Option<Town> {
        let name = normalise(name);
        if name.is_empty() {
            return None;
        }
        let names = &*NAMES;
        names
            .iter()
            .find(|n| n.text == name)
            .or_else(|| names.iter().find(|n| close(&name, &n.text)))
            .map(|n| n.town)
    }

    /// The first town named in a message, if any: whole words, another name for it, or a
    /// small misspelling. The region's own name ("Dumfries and Galloway") and HMP Dumfries
    /// are not taken for the town of Dumfries.
    pub fn find_in(text: &str) -> Option<Town> {
        let mut normalised = format!(" {} ", normalise(text));
        for phrase in NOT_THE_TOWN {
            let padded = format!(" {phrase} ");
            while let Some(at) = normalised.find(&padded) {
                normalised.replace_range(at..at + padded.len(), " ");
            }
        }
        let words: Vec<&str> = normalised.split_whitespace().collect();
        let names = &*NAMES;
        let mut candidate = String::new();
        for start in 0..words.len() {
            let first = words[start].as_bytes()[0];
            // Longer names first (NAMES is sorted so), so "new galloway" is not read short.
            let mut built = 0;
            for name in names.iter().filter(|n| n.first == first) {
                if start + name.words > words.len() {
                    continue;
                }
                if built != name.words {
                    candidate.clear();
                    candidate.push_str(&words[start..start + name.words].join(" "));
                    built = name.words;
                }
                if candidate == name.text || close(&candidate, &name.text) {
                    return Some(name.town);
                }
            }
        }
        None
    }

    /// Whether a contact's `town` (as written in the knowledge folder) is this town.
    pub fn is(self, written: &str) -> bool {
        Town::parse(written) == Some(self)
    }
}

/// One way of writing a town, normalised, with its word count and first letter.
struct Name {
    text: String,
    town: Town,
    words: usize,
    first: u8,
}

/// Every name and other name of every place, longest (in words) first.
static NAMES: LazyLock<Vec<Name>> = LazyLock::new(|| {
    let mut names: Vec<Name> = PLACES
        .iter()
        .flat_map(|p| {
            std::iter::once(normalise(p.name))
                .chain(p.also.iter().map(|a| normalise(a)))
                .map(|text| Name {
                    words: text.split(' ').count(),
                    first: text.as_bytes()[0],
                    town: Town(p.name),
                    text,
                })
        })
        .collect();
    names.sort_by_key(|n| std::cmp::Reverse(n.words));
    names
});

/// A misspelling close enough to trust: none for names of five letters or fewer (Annan,
/// Dalry), a swapped or changed letter for six (Moffat, Gretna), one edit up to nine
/// letters (Stranraer, Lockerbie), two from ten (Kirkcudbright, Newton Stewart). The first
/// letter must match.
fn close(written: &str, name: &str) -> bool {
    if written.len() < 5 || written.as_bytes().first() != name.as_bytes().first() {
        return false;
    }
    let max = match name.len() {
        0..=5 => return false,
        6 if written.len() != name.len() => return false,
        6..=9 => 1,
        _ => 2,
    };
    edit_distance(written, name, max) <= max
}

impl fmt::Display for Town {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl Serialize for Town {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Option<&'static str> {
        Town::find_in(text).map(Town::name)
    }

    #[test]
    fn towns_are_found_in_messages() {
        assert_eq!(
            found("I'm homeless in Stranraer tonight"),
            Some("Stranraer")
        );
        assert_eq!(found("im homeless in stranrear"), Some("Stranraer"));
        assert_eq!(found("i stay in castle douglas"), Some("Castle Douglas"));
        assert_eq!(found("near Newton Stuart"), Some("Newton Stewart"));
        assert_eq!(found("KIRCUDBRIGHT housing"), Some("Kirkcudbright"));
        assert_eq!(found("from dumfreis"), Some("Dumfries"));
        assert_eq!(found("in lockerby"), Some("Lockerbie"));
        assert_eq!(found("we live in New Galloway"), Some("New Galloway"));
        assert_eq!(found("gatehouse of fleet"), Some("Gatehouse of Fleet"));
        assert_eq!(found("annan"), Some("Annan"));
    }

    #[test]
    fn other_words_and_places_are_not_towns() {
        assert_eq!(found("a stranger attacked me"), None);
        assert_eq!(found("help in Dumfries and Galloway"), None);
        assert_eq!(found("my son is in HMP Dumfries"), None);
        assert_eq!(
            found("my son is in HMP Dumfries, I live in Annan"),
            Some("Annan")
        );
        assert_eq!(found("I live in Glasgow"), None);
        assert_eq!(found("anna my daughter"), None);
        assert_eq!(found("my friend greta"), None);
        assert_eq!(found(""), None);
        assert_eq!(found("!!!"), None);
    }

    #[test]
    fn names_parse_whole() {
        assert_eq!(Town::parse("Stranraer").map(Town::name), Some("Stranraer"));
        assert_eq!(
            Town::parse(" gretna green ").map(Town::name),
            Some("Gretna")
        );
        assert_eq!(Town::parse("Edinburgh"), None);
        assert!(Town::parse("Kirkcudbright").unwrap().is("kirkcudbright"));
        assert!(!Town::parse("Annan").unwrap().is("Dumfries"));
        assert!(Town::all().count() > 50);
        // Every listed name is found as itself.
        for town in Town::all() {
            assert_eq!(Town::parse(town.name()), Some(town));
            assert_eq!(Town::find_in(&format!("i live in {town}")), Some(town));
        }
    }
}
