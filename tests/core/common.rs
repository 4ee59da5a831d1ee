use signpost::Assistant;
use std::path::PathBuf;
use std::sync::OnceLock;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures").join(name)
}

pub fn shipped_dir() -> PathBuf {
    root().join("knowledge")
}

/// The shipped knowledge, loaded once for all tests.
pub fn shipped() -> &'static Assistant {
    static SHIPPED: OnceLock<Assistant> = OnceLock::new();
    SHIPPED.get_or_init(|| {
        Assistant::load(&shipped_dir())
            .expect("the shipped knowledge folder loads")
            .0
    })
}

/// The small fixture folder, loaded once.
pub fn small() -> &'static Assistant {
    static SMALL: OnceLock<Assistant> = OnceLock::new();
    SMALL.get_or_init(|| {
        Assistant::load(&fixture("small"))
            .expect("the small fixture loads")
            .0
    })
}

/// The ids of the shown results, best first (weak matches are not shown).
pub fn shown_ids(reply: &signpost::Reply) -> Vec<&str> {
    reply
        .results
        .iter()
        .filter(|h| h.reason != "weak")
        .map(|h| h.id.as_str())
        .collect()
}
