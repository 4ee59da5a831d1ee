//! Greetings, thanks, goodbyes, help and "start again", recognised without a search.

use crate::text::normalise;

/// A message that is only small talk or a request for the menu or help.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SmallTalk {
    Greeting,
    Thanks,
    Goodbye,
    Help,
    Menu,
}

/// For each kind: the words that mark it (at least one must appear) and the words that may
/// surround them. A message made only of such words is small talk; any other word makes it
/// a question ("help my son was arrested" is searched).
const KINDS: &[(SmallTalk, &[&str], &[&str])] = &[
    (
        SmallTalk::Greeting,
        &[
            "hi",
            "hello",
            "hiya",
            "hey",
            "heya",
            "hullo",
            "howdy",
            "yo",
            "morning",
            "afternoon",
            "evening",
            "alright",
            "hallo",
        ],
        &[
            "good", "there", "signpost", "bot", "all", "how", "are", "you", "u", "doing", "ok",
            "okay",
        ],
    ),
    (
        SmallTalk::Thanks,
        &[
            "thanks",
            "thank",
            "cheers",
            "ta",
            "thx",
            "ty",
            "appreciated",
            "thankyou",
        ],
        &[
            "you",
            "u",
            "so",
            "very",
            "much",
            "a",
            "lot",
            "many",
            "ok",
            "okay",
            "great",
            "brilliant",
            "lovely",
            "that",
            "thats",
            "was",
            "is",
            "helpful",
            "really",
            "for",
            "the",
            "help",
            "info",
            "pal",
            "mate",
            "again",
        ],
    ),
    (
        SmallTalk::Goodbye,
        &["bye", "goodbye", "cya", "ttyl"],
        &[
            "ok", "okay", "for", "now", "thanks", "see", "you", "ya", "later", "night", "good",
        ],
    ),
    (
        SmallTalk::Help,
        &["help", "commands", "instructions"],
        &[
            "what", "can", "you", "u", "do", "how", "does", "this", "work", "is", "it", "please",
            "i", "need", "show", "me", "the", "list", "of", "options",
        ],
    ),
    (
        SmallTalk::Menu,
        &["menu", "restart", "start", "over", "again"],
        &[
            "main",
            "go",
            "back",
            "to",
            "the",
            "show",
            "me",
            "please",
            "let",
            "lets",
            "can",
            "i",
            "from",
            "beginning",
        ],
    ),
];

impl SmallTalk {
    pub fn classify(text: &str) -> Option<SmallTalk> {
        let normalised = normalise(text);
        let words: Vec<&str> = normalised.split(' ').filter(|w| !w.is_empty()).collect();
        if words.is_empty() || words.len() > 8 {
            return None;
        }
        // "what can you do" asks for help without the word; "are you a real person" is
        // answered by the help too, which says it is not.
        if matches!(
            normalised.as_str(),
            "what can you do"
                | "what do you do"
                | "how does this work"
                | "what is this"
                | "who are you"
                | "whats your name"
                | "what is your name"
                | "are you a bot"
                | "are you a robot"
                | "are you real"
                | "are you a real person"
                | "are you human"
                | "is this a real person"
                | "is this a bot"
                | "am i talking to a real person"
                | "am i talking to a bot"
        ) {
            return Some(SmallTalk::Help);
        }
        KINDS.iter().find_map(|(kind, marks, around)| {
            let marked = words.iter().any(|w| marks.contains(w));
            let only_small_talk = words
                .iter()
                .all(|w| marks.contains(w) || around.contains(w));
            (marked && only_small_talk).then_some(*kind)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_small_talk() {
        for (text, kind) in [
            ("Hi there!", SmallTalk::Greeting),
            ("good morning", SmallTalk::Greeting),
            ("thanks so much, that was helpful", SmallTalk::Thanks),
            ("cheers pal", SmallTalk::Thanks),
            ("help", SmallTalk::Help),
            ("what can you do?", SmallTalk::Help),
            ("Are you a real person?", SmallTalk::Help),
            ("what's your name", SmallTalk::Help),
            ("start again", SmallTalk::Menu),
            ("bye for now", SmallTalk::Goodbye),
        ] {
            assert_eq!(SmallTalk::classify(text), Some(kind), "{text:?}");
        }
    }

    #[test]
    fn questions_are_not_small_talk() {
        assert_eq!(SmallTalk::classify("help my son was arrested"), None);
        assert_eq!(SmallTalk::classify("hi my dad is in prison"), None);
        assert_eq!(SmallTalk::classify("you"), None);
        assert_eq!(SmallTalk::classify(""), None);
    }
}
