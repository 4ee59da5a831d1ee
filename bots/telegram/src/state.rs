//! What the bot remembers about a chat, in memory only: the audience picked from the menu,
//! the town the person named (so its offices come first), the flood-limit window and the
//! messages already rated with "Helpful" / "Not helpful". Nothing is written to disk, and a
//! chat idle for longer than the expiry is forgotten.

use signpost::{Audience, Town};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use teloxide::types::ChatId;

/// How many messages a chat may send in a window before the bot pauses for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FloodLimit {
    /// Messages (and button presses) answered per window.
    pub max: u32,
    /// The window.
    pub window: Duration,
}

impl Default for FloodLimit {
    fn default() -> Self {
        FloodLimit {
            max: 20,
            window: Duration::from_secs(60),
        }
    }
}

/// What to do with an incoming message under the flood limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// Answer it.
    Pass,
    /// The limit was just reached: say so once, gently.
    Warn,
    /// Still over the limit: stay silent until the window passes.
    Silent,
}

#[derive(Debug, Clone)]
struct ChatState {
    audience: Option<Audience>,
    town: Option<Town>,
    last_seen: Instant,
    window_start: Instant,
    count: u32,
    warned: bool,
    /// Bot messages whose feedback pair was pressed, newest last (a few at most).
    rated: Vec<i32>,
}

/// How many rated messages a chat remembers (older ones have lost their buttons long since).
const RATED_KEPT: usize = 16;

impl ChatState {
    fn new(now: Instant) -> ChatState {
        ChatState {
            audience: None,
            town: None,
            last_seen: now,
            window_start: now,
            count: 0,
            warned: false,
            rated: Vec::new(),
        }
    }
}

/// Per-chat state, shared by all handlers.
#[derive(Debug)]
pub struct ChatStore {
    chats: Mutex<HashMap<ChatId, ChatState>>,
    idle: Duration,
    flood: FloodLimit,
    capacity: usize,
}

/// Above this many remembered chats the least recently seen are forgotten first.
pub const DEFAULT_CAPACITY: usize = 100_000;

impl ChatStore {
    /// A store that forgets a chat after `idle` without messages.
    pub fn new(idle: Duration, flood: FloodLimit) -> ChatStore {
        ChatStore::with_capacity(idle, flood, DEFAULT_CAPACITY)
    }

    /// As [`ChatStore::new`], remembering at most `capacity` chats.
    pub fn with_capacity(idle: Duration, flood: FloodLimit, capacity: usize) -> ChatStore {
        ChatStore {
            chats: Mutex::new(HashMap::new()),
            idle,
            flood,
            capacity: capacity.max(1),
        }
    }

    fn with_chat<T>(&self, chat: ChatId, now: Instant, f: impl FnOnce(&mut ChatState) -> T) -> T {
        let mut chats = self.chats.lock().unwrap_or_else(|e| e.into_inner());
        if !chats.contains_key(&chat) && chats.len() >= self.capacity {
            evict(&mut chats, now, self.idle, self.capacity);
        }
        let state = chats.entry(chat).or_insert_with(|| ChatState::new(now));
        if now.saturating_duration_since(state.last_seen) >= self.idle {
            *state = ChatState::new(now);
        }
        f(state)
    }

    /// Counts one incoming message or button press against the flood limit.
    pub fn admit(&self, chat: ChatId, now: Instant) -> Gate {
        let flood = self.flood;
        self.with_chat(chat, now, |state| {
            state.last_seen = now;
            if now.saturating_duration_since(state.window_start) >= flood.window {
                state.window_start = now;
                state.count = 0;
                state.warned = false;
            }
            state.count = state.count.saturating_add(1);
            if state.count <= flood.max {
                Gate::Pass
            } else if !state.warned {
                state.warned = true;
                Gate::Warn
            } else {
                Gate::Silent
            }
        })
    }

    /// The audience this chat picked, unless it has been idle past the expiry.
    pub fn audience(&self, chat: ChatId, now: Instant) -> Option<Audience> {
        let chats = self.chats.lock().unwrap_or_else(|e| e.into_inner());
        chats
            .get(&chat)
            .filter(|s| now.saturating_duration_since(s.last_seen) < self.idle)
            .and_then(|s| s.audience)
    }

    /// Remembers (or, with `None`, forgets) the audience for a chat.
    pub fn set_audience(&self, chat: ChatId, audience: Option<Audience>, now: Instant) {
        self.with_chat(chat, now, |state| {
            state.audience = audience;
            state.last_seen = now;
        });
    }

    /// True the first time the feedback pair under bot message `message` is pressed, false
    /// after that (a second tap before the buttons went): each answer is rated once.
    pub fn first_rating(&self, chat: ChatId, message: i32, now: Instant) -> bool {
        self.with_chat(chat, now, |state| {
            state.last_seen = now;
            if state.rated.contains(&message) {
                return false;
            }
            if state.rated.len() >= RATED_KEPT {
                state.rated.remove(0);
            }
            state.rated.push(message);
            true
        })
    }

    /// The town this chat named, unless it has been idle past the expiry.
    pub fn town(&self, chat: ChatId, now: Instant) -> Option<Town> {
        let chats = self.chats.lock().unwrap_or_else(|e| e.into_inner());
        chats
            .get(&chat)
            .filter(|s| now.saturating_duration_since(s.last_seen) < self.idle)
            .and_then(|s| s.town)
    }

    /// Remembers (or, with `None`, forgets) the town for a chat.
    pub fn set_town(&self, chat: ChatId, town: Option<Town>, now: Instant) {
        self.with_chat(chat, now, |state| {
            state.town = town;
            state.last_seen = now;
        });
    }

    /// Forgets every chat idle past the expiry; returns how many were forgotten.
    pub fn sweep(&self, now: Instant) -> usize {
        let mut chats = self.chats.lock().unwrap_or_else(|e| e.into_inner());
        let before = chats.len();
        let idle = self.idle;
        chats.retain(|_, s| now.saturating_duration_since(s.last_seen) < idle);
        before - chats.len()
    }

    /// How many chats are remembered.
    pub fn len(&self) -> usize {
        self.chats.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// True when no chat is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The idle expiry.
    pub fn idle(&self) -> Duration {
        self.idle
    }
}

fn evict(chats: &mut HashMap<ChatId, ChatState>, now: Instant, idle: Duration, capacity: usize) {
    chats.retain(|_, s| now.saturating_duration_since(s.last_seen) < idle);
    if chats.len() >= capacity {
        // Still full: forget the least recently seen tenth.
        let mut seen: Vec<(Instant, ChatId)> =
            chats.iter().map(|(id, s)| (s.last_seen, *id)).collect();
        seen.sort();
        for (_, id) in seen.iter().take((capacity / 10).max(1)) {
            chats.remove(id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHAT: ChatId = ChatId(42);

    fn store() -> ChatStore {
        ChatStore::new(
            Duration::from_secs(3600),
            FloodLimit {
                max: 3,
                window: Duration::from_secs(60),
            },
        )
    }

    #[test]
    fn each_message_is_rated_once() {
        let store = store();
        let t0 = Instant::now();
        assert!(store.first_rating(CHAT, 7, t0));
        assert!(!store.first_rating(CHAT, 7, t0));
        assert!(store.first_rating(CHAT, 8, t0));
        assert!(store.first_rating(ChatId(43), 7, t0));
    }

    #[test]
    fn flood_limit_warns_once_then_silent_then_resets() {
        let store = store();
        let t0 = Instant::now();
        let gates: Vec<Gate> = (0..6)
            .map(|i| store.admit(CHAT, t0 + Duration::from_secs(i)))
            .collect();
        assert_eq!(
            gates,
            [
                Gate::Pass,
                Gate::Pass,
                Gate::Pass,
                Gate::Warn,
                Gate::Silent,
                Gate::Silent
            ]
        );
        // Another chat is unaffected.
        assert_eq!(store.admit(ChatId(7), t0), Gate::Pass);
        // Once the window passes, answers resume.
        assert_eq!(store.admit(CHAT, t0 + Duration::from_secs(61)), Gate::Pass);
    }

    #[test]
    fn town_is_remembered_and_expires_when_idle() {
        let store = ChatStore::new(Duration::from_secs(60), FloodLimit::default());
        let t0 = Instant::now();
        let stranraer = Town::parse("Stranraer");
        store.set_town(CHAT, stranraer, t0);
        assert_eq!(store.town(CHAT, t0 + Duration::from_secs(10)), stranraer);
        assert_eq!(store.town(ChatId(99), t0), None, "per chat");
        assert_eq!(store.town(CHAT, t0 + Duration::from_secs(120)), None);
    }

    #[test]
    fn audience_is_remembered_and_expires_when_idle() {
        let store = store();
        let t0 = Instant::now();
        store.set_audience(CHAT, Some(Audience::Families), t0);
        assert_eq!(
            store.audience(CHAT, t0 + Duration::from_secs(10)),
            Some(Audience::Families)
        );
        store.set_audience(CHAT, Some(Audience::Victims), t0 + Duration::from_secs(20));
        assert_eq!(
            store.audience(CHAT, t0 + Duration::from_secs(30)),
            Some(Audience::Victims)
        );
        let later = t0 + Duration::from_secs(20 + 3600);
        assert_eq!(store.audience(CHAT, later), None);
        assert_eq!(store.sweep(later), 1);
        assert!(store.is_empty());
    }

    #[test]
    fn capacity_forgets_the_least_recently_seen() {
        let store = ChatStore::with_capacity(Duration::from_secs(3600), FloodLimit::default(), 10);
        let t0 = Instant::now();
        for i in 0..25 {
            store.admit(ChatId(i), t0 + Duration::from_millis(i as u64));
        }
        assert!(store.len() <= 10);
        // The newest is still there.
        store.set_audience(
            ChatId(24),
            Some(Audience::Families),
            t0 + Duration::from_millis(30),
        );
        assert_eq!(
            store.audience(ChatId(24), t0 + Duration::from_millis(31)),
            Some(Audience::Families)
        );
    }
}
