//! Trained models kept on disk, so a restart does not train again what it trained before:
//! the one cache of every use of [`TextClassifier`] (crisis triage, search's learned signal).
//!
//! A model is found by its use and a hash of everything that made it (the labelled lines, the
//! training settings, the library), in `SIGNPOST_CACHE_DIR`, else the platform's cache
//! folder, else the temporary folder: never inside the knowledge folder, which is watched.
//! Each use has its own file prefix (`safety-`, `search-`) and keeps its own newest few.
//! Files are written atomically (a temporary file renamed into place) and carry a checksum:
//! a corrupt or truncated file is ignored and the model trained again. Cache failures are
//! never errors: training is the fallback.

use crate::learn::{LearnError, TextClassifier, TrainingSettings};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Bumped whenever what goes into a model changes in a way the key does not show.
const FORMAT: &str = "signpost model 2; fasttext 0.8";

/// Models kept in the cache folder for each use; older ones are deleted.
const KEEP: usize = 8;

/// What a model is for: its cache files are named `<prefix>-<hash>.bin`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    /// Crisis triage's classifier (`safety-`).
    Safety,
    /// Search's learned signal (`search-`).
    Search,
    /// Search's reading of whether a message is on another subject (`scope-`).
    Scope,
}

impl Use {
    /// The file prefix of this use's models.
    pub fn prefix(self) -> &'static str {
        match self {
            Use::Safety => "safety",
            Use::Search => "search",
            Use::Scope => "scope",
        }
    }
}

/// The folder models are cached in, for a knowledge folder at `knowledge`.
pub fn folder(knowledge: &Path) -> PathBuf {
    let chosen = std::env::var_os("SIGNPOST_CACHE_DIR")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| dirs::cache_dir().map(|d| d.join("signpost")))
        .unwrap_or_else(|| std::env::temp_dir().join("signpost-cache"));
    if inside(&chosen, knowledge) {
        // A cache written into the watched folder would trigger a reload after every load.
        tracing::warn!(
            event = "cache_inside_knowledge",
            cache = %chosen.display(),
            "the model cache cannot live inside the knowledge folder; using the temporary folder"
        );
        return std::env::temp_dir().join("signpost-cache");
    }
    chosen
}

fn inside(path: &Path, root: &Path) -> bool {
    let absolute = |p: &Path| {
        p.canonicalize().unwrap_or_else(|_| {
            std::env::current_dir()
                .map(|cwd| cwd.join(p))
                .unwrap_or_else(|_| p.to_path_buf())
        })
    };
    // The cache folder may not exist yet: compare its nearest existing ancestor.
    let mut existing = path.to_path_buf();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.file_name(), existing.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name.to_os_string());
                existing = parent.to_path_buf();
            }
            _ => break,
        }
    }
    let mut full = absolute(&existing);
    full.extend(rest.iter().rev());
    full.starts_with(absolute(root))
}

/// The model for these lines and settings: read from the cache `folder` when a good copy is
/// there, else trained and written to it. With no folder, trained and kept nowhere.
pub fn train(
    purpose: Use,
    lines: &[(&str, &str)],
    settings: &TrainingSettings,
    folder: Option<&Path>,
) -> Result<TextClassifier, LearnError> {
    let Some(folder) = folder else {
        return TextClassifier::train(lines.iter().copied(), settings);
    };
    let path = folder.join(format!(
        "{}-{}.bin",
        purpose.prefix(),
        key(purpose, lines, settings)
    ));
    cached(purpose, &path, || {
        TextClassifier::train(lines.iter().copied(), settings)
    })
}

/// As [`train`], for a model whose lines cost much to work out: `inputs` is a hash of
/// everything that decides them, and `lines` is called only when no good copy is in the cache
/// `folder` (the crisis model's calm lines are the folder's questions that no safety rule
/// fires on, and running the rules over two thousand of them took two fifths of a start).
pub fn train_keyed(
    purpose: Use,
    inputs: &[u8],
    settings: &TrainingSettings,
    folder: &Path,
    lines: impl FnOnce() -> Vec<(String, String)>,
) -> Result<TextClassifier, LearnError> {
    let mut hash = hasher(purpose, settings);
    // Never the name of a model keyed by its lines.
    hash.update(b"\0inputs\0");
    hash.update(inputs);
    let path = folder.join(format!("{}-{}.bin", purpose.prefix(), name(hash)));
    cached(purpose, &path, || {
        let lines = lines();
        TextClassifier::train(
            lines.iter().map(|(l, t)| (l.as_str(), t.as_str())),
            settings,
        )
    })
}

/// The model at `path` when a good copy is there, else the one `train` makes, written there.
fn cached(
    purpose: Use,
    path: &Path,
    train: impl FnOnce() -> Result<TextClassifier, LearnError>,
) -> Result<TextClassifier, LearnError> {
    if let Some(model) = read(path) {
        return Ok(model);
    }
    let model = train()?;
    if let Err(err) = write(purpose, path, &model) {
        tracing::warn!(event = "cache_write_failed", path = %path.display(), error = %err);
    }
    Ok(model)
}

/// The hash naming the model of these lines and settings.
fn key(purpose: Use, lines: &[(&str, &str)], settings: &TrainingSettings) -> String {
    let mut hash = hasher(purpose, settings);
    hash_lines(&mut hash, lines.iter().copied());
    name(hash)
}

/// Adds labelled lines to a hash, each label and text marked off so no two lists of lines
/// hash alike.
pub fn hash_lines<'a>(hash: &mut Sha256, lines: impl Iterator<Item = (&'a str, &'a str)>) {
    for (label, text) in lines {
        hash.update([0]);
        hash.update(label);
        hash.update([1]);
        hash.update(text);
    }
}

/// A hash begun with what every model's name depends on: the file format, the use and the
/// training settings.
fn hasher(purpose: Use, settings: &TrainingSettings) -> Sha256 {
    let mut hash = Sha256::new();
    hash.update(FORMAT);
    hash.update([0]);
    hash.update(purpose.prefix());
    hash.update([0]);
    hash.update(settings.fingerprint());
    hash
}

/// The name a finished hash gives a model file.
fn name(hash: Sha256) -> String {
    hash.finalize()[..12]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn read(path: &Path) -> Option<TextClassifier> {
    let bytes = std::fs::read(path).ok()?;
    let (sum, body) = bytes.split_at_checked(32)?;
    if Sha256::digest(body).as_slice() != sum {
        tracing::warn!(event = "cache_corrupt", path = %path.display());
        return None;
    }
    match TextClassifier::from_bytes(body) {
        Ok(model) => Some(model),
        Err(err) => {
            tracing::warn!(event = "cache_unreadable", path = %path.display(), error = %err);
            None
        }
    }
}

fn write(
    purpose: Use,
    path: &Path,
    model: &TextClassifier,
) -> Result<(), Box<dyn std::error::Error>> {
    let folder = path.parent().ok_or("no parent folder")?;
    std::fs::create_dir_all(folder)?;
    let body = model.to_bytes()?;
    let mut file = tempfile::NamedTempFile::new_in(folder)?;
    use std::io::Write;
    file.write_all(&Sha256::digest(&body))?;
    file.write_all(&body)?;
    file.as_file().sync_all()?;
    file.persist(path)?;
    prune(purpose, folder);
    Ok(())
}

/// Deletes all but the newest few models of one use.
fn prune(purpose: Use, folder: &Path) {
    let prefix = format!("{}-", purpose.prefix());
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    let mut models: Vec<(std::time::SystemTime, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with(&prefix) && name.ends_with(".bin")
        })
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    models.sort_by_key(|m| std::cmp::Reverse(m.0));
    for (_, old) in models.into_iter().skip(KEEP) {
        let _ = std::fs::remove_file(old);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines() -> Vec<(&'static str, &'static str)> {
        [
            ("a", "one two three"),
            ("b", "four five six"),
            ("a", "one three"),
            ("b", "five six"),
        ]
        .repeat(3)
    }

    #[test]
    fn a_cached_model_is_read_back_and_a_corrupt_one_retrained() {
        let dir = tempfile::tempdir().unwrap();
        let settings = TrainingSettings::default();
        let first = train(Use::Safety, &lines(), &settings, Some(dir.path())).unwrap();
        let files: Vec<PathBuf> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(files.len(), 1, "{files:?}");
        let cached = read(&files[0]).expect("the cache reads back");
        assert_eq!(cached.predict("one two"), first.predict("one two"));

        // Flip a byte: ignored, retrained, rewritten.
        let mut bytes = std::fs::read(&files[0]).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 0xff;
        std::fs::write(&files[0], &bytes).unwrap();
        assert!(read(&files[0]).is_none());
        let again = train(Use::Safety, &lines(), &settings, Some(dir.path())).unwrap();
        assert_eq!(again.predict("one two"), first.predict("one two"));
        assert!(read(&files[0]).is_some());

        // Other settings, another file.
        let other = TrainingSettings {
            epochs: 3,
            ..settings
        };
        assert_ne!(
            key(Use::Safety, &lines(), &settings),
            key(Use::Safety, &lines(), &other)
        );
    }

    #[test]
    fn a_model_keyed_by_its_inputs_works_out_its_lines_only_when_not_cached() {
        let dir = tempfile::tempdir().unwrap();
        let settings = TrainingSettings::default();
        let owned = || -> Vec<(String, String)> {
            lines()
                .into_iter()
                .map(|(l, t)| (l.to_string(), t.to_string()))
                .collect()
        };
        let mut asked = 0;
        let first = train_keyed(Use::Safety, b"inputs", &settings, dir.path(), || {
            asked += 1;
            owned()
        })
        .unwrap();
        let again = train_keyed(Use::Safety, b"inputs", &settings, dir.path(), || {
            asked += 1;
            owned()
        })
        .unwrap();
        assert_eq!(asked, 1, "the second start read the cache");
        assert_eq!(again.predict("one two"), first.predict("one two"));
        // Other inputs: worked out and trained again, in a file of their own.
        train_keyed(Use::Safety, b"other inputs", &settings, dir.path(), || {
            asked += 1;
            owned()
        })
        .unwrap();
        assert_eq!(asked, 2);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[test]
    fn each_use_has_its_own_files_and_keeps_its_own_newest() {
        let dir = tempfile::tempdir().unwrap();
        let settings = TrainingSettings::default();
        train(Use::Safety, &lines(), &settings, Some(dir.path())).unwrap();
        train(Use::Search, &lines(), &settings, Some(dir.path())).unwrap();
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names.len(), 2, "{names:?}");
        assert!(names[0].starts_with("safety-") && names[1].starts_with("search-"));
        // Many search models prune search models only.
        for epochs in 1..=(KEEP as u32 + 2) {
            let other = TrainingSettings { epochs, ..settings };
            train(Use::Search, &lines(), &other, Some(dir.path())).unwrap();
        }
        let count = |prefix: &str| {
            std::fs::read_dir(dir.path())
                .unwrap()
                .filter(|e| {
                    e.as_ref()
                        .unwrap()
                        .file_name()
                        .to_string_lossy()
                        .starts_with(prefix)
                })
                .count()
        };
        assert_eq!(count("search-"), KEEP);
        assert_eq!(count("safety-"), 1);
    }

    #[test]
    fn the_cache_never_lives_in_the_knowledge_folder() {
        let knowledge = tempfile::tempdir().unwrap();
        assert!(inside(&knowledge.path().join("cache/x"), knowledge.path()));
        assert!(!inside(
            &std::env::temp_dir().join("elsewhere"),
            knowledge.path()
        ));
    }
}
