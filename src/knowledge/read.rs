//! Reading one file of a knowledge folder, safely: whatever sits in the folder, reading it
//! can neither block nor exhaust memory, and every refusal is a [`Diagnostic`] naming the
//! file and the reason.
//!
//! - Only regular files are read. A named pipe, socket, device or folder with a knowledge
//!   file's name is reported, and its type is checked before it is opened (and again on the
//!   opened handle, which is opened non-blocking, so a file swapped for a pipe in between
//!   cannot block either).
//! - A symbolic link is followed only to a regular file inside the knowledge folder; a link
//!   that loops, dangles or leads outside is reported.
//! - A file over the size limit is reported with its size, from its metadata and again while
//!   reading (at most `limit + 1` bytes are ever read, so even a file that claims to be
//!   empty and never ends is cut short).
//! - Text must be UTF-8: UTF-16 (recognised by its byte order mark) and invalid UTF-8 are
//!   reported, the latter at the line and column of the first bad byte.

use super::diagnostics::{Diagnostic, Severity};
use crate::error::KnowledgeError;
use std::fs::{self, File, Metadata};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// The largest knowledge file read by default: 1 MiB, far beyond any real entry.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 1 << 20;

/// The environment variable that changes the size limit, in bytes.
pub const MAX_FILE_BYTES_VAR: &str = "SIGNPOST_MAX_FILE_BYTES";

/// How a knowledge folder is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadOptions {
    /// Files larger than this many bytes are rejected.
    pub max_file_bytes: u64,
}

impl Default for LoadOptions {
    fn default() -> LoadOptions {
        LoadOptions {
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
        }
    }
}

impl LoadOptions {
    /// The defaults, with the size limit from `SIGNPOST_MAX_FILE_BYTES` when it is set.
    pub fn from_env() -> Result<LoadOptions, KnowledgeError> {
        let mut options = LoadOptions::default();
        if let Some(value) = std::env::var_os(MAX_FILE_BYTES_VAR) {
            let value = value.to_string_lossy();
            options.max_file_bytes = value
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|&n| n > 0)
                .ok_or_else(|| KnowledgeError::Setting {
                    variable: MAX_FILE_BYTES_VAR,
                    value: value.chars().take(40).collect(),
                    expected: "a whole number of bytes above 0, e.g. 1048576",
                })?;
        }
        Ok(options)
    }
}

/// Reads the files of one knowledge folder under the rules above.
#[derive(Debug, Clone)]
pub(crate) struct FileReader {
    /// The folder, with every link resolved: links must lead inside it.
    root: PathBuf,
    max_bytes: u64,
}

impl FileReader {
    /// A reader for the folder `root`.
    pub fn new(root: &Path, options: &LoadOptions) -> FileReader {
        FileReader {
            root: fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf()),
            max_bytes: options.max_file_bytes,
        }
    }

    /// Whether anything at all (even a broken link) has this name: an optional file that is
    /// present but unreadable is reported, not silently skipped.
    pub fn present(&self, path: &Path) -> bool {
        path.symlink_metadata().is_ok()
    }

    /// The whole text of a knowledge file, or why it cannot be used.
    pub fn read(&self, path: &Path) -> Result<String, Diagnostic> {
        let refuse = |message: String| Diagnostic {
            path: path.to_path_buf(),
            line: 1,
            column: 1,
            severity: Severity::Error,
            message,
        };
        let link = path.symlink_metadata().map_err(|e| refuse(io_reason(&e)))?;
        // What to open: the file itself, or the regular file inside the folder a link leads to.
        let target = if link.file_type().is_symlink() {
            let target = fs::canonicalize(path).map_err(|e| refuse(link_reason(path, &e)))?;
            if !target.starts_with(&self.root) {
                return Err(refuse(format!(
                    "is a link to `{}`, outside the knowledge folder: only files inside it are read",
                    target.display()
                )));
            }
            target
        } else {
            path.to_path_buf()
        };
        let metadata = fs::metadata(&target).map_err(|e| refuse(io_reason(&e)))?;
        self.usable(&metadata).map_err(refuse)?;
        let file = open_without_blocking(&target).map_err(|e| refuse(io_reason(&e)))?;
        // The handle is what gets read: check it too, in case the name changed hands.
        let metadata = file.metadata().map_err(|e| refuse(io_reason(&e)))?;
        self.usable(&metadata).map_err(refuse)?;
        let bytes = read_at_most(file, self.max_bytes)
            .map_err(|e| refuse(io_reason(&e)))?
            .ok_or_else(|| refuse(self.too_large(None)))?;
        decode(bytes).map_err(|(line, column, message)| Diagnostic {
            line,
            column,
            ..refuse(message)
        })
    }

    /// Whether metadata describes a regular file within the size limit.
    fn usable(&self, metadata: &Metadata) -> Result<(), String> {
        if !metadata.is_file() {
            return Err(format!(
                "is {}, not a regular file: only regular files are read",
                describe_type(metadata)
            ));
        }
        if metadata.len() > self.max_bytes {
            return Err(self.too_large(Some(metadata.len())));
        }
        Ok(())
    }

    fn too_large(&self, size: Option<u64>) -> String {
        let size = match size {
            Some(size) => format!("is {size} bytes"),
            None => format!("is over {} bytes", self.max_bytes),
        };
        format!(
            "{size}, over the limit of {} bytes for a knowledge file: split it, or raise {MAX_FILE_BYTES_VAR}",
            self.max_bytes
        )
    }
}

/// Opens for reading without ever waiting: on a named pipe with no writer, a plain open
/// blocks for good.
fn open_without_blocking(path: &Path) -> io::Result<File> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    options.open(path)
}

/// Up to `limit` bytes of `reader`, or `None` when it holds more.
pub(crate) fn read_at_most(reader: impl Read, limit: u64) -> io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= limit).then_some(bytes))
}

/// The text of a file's bytes, or (line, column, why) it is not UTF-8.
pub(crate) fn decode(bytes: Vec<u8>) -> Result<String, (usize, usize, String)> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err((
            1,
            1,
            "is UTF-16 text (it starts with a UTF-16 byte order mark): save it as UTF-8".into(),
        ));
    }
    String::from_utf8(bytes).map_err(|err| {
        let bytes = err.as_bytes();
        let valid = &bytes[..err.utf8_error().valid_up_to()];
        // The prefix is valid UTF-8, so characters can be counted in it.
        let prefix = std::str::from_utf8(valid).unwrap_or_default();
        let line = prefix.matches('\n').count() + 1;
        let line_start = prefix.rfind('\n').map_or(0, |i| i + 1);
        let column = prefix[line_start..].chars().count() + 1;
        (
            line,
            column,
            format!(
                "is not valid UTF-8 (byte 0x{:02X} here): save it as UTF-8",
                bytes[valid.len()]
            ),
        )
    })
}

fn describe_type(metadata: &Metadata) -> &'static str {
    let kind = metadata.file_type();
    if kind.is_dir() {
        return "a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_char_device() {
            return "a character device";
        }
        if kind.is_block_device() {
            return "a block device";
        }
    }
    "not a file"
}

/// Why resolving a link failed.
fn link_reason(path: &Path, err: &io::Error) -> String {
    match fs::read_link(path) {
        Ok(to) if err.kind() == io::ErrorKind::NotFound => {
            format!("is a link to `{}`, which does not exist", to.display())
        }
        _ => io_reason(err),
    }
}

/// An I/O error in words an admin can act on.
fn io_reason(err: &io::Error) -> String {
    #[cfg(unix)]
    if err.raw_os_error() == Some(libc::ELOOP) {
        return "is a link that loops (it leads back to itself): point it at a file".into();
    }
    match err.kind() {
        io::ErrorKind::PermissionDenied => {
            "cannot be read: permission denied (check the file's owner and mode)".into()
        }
        io::ErrorKind::NotFound => "disappeared while it was being read".into(),
        _ => format!("cannot be read: {err}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endless_stream_is_cut_at_the_limit() {
        // `io::repeat` never ends, like /dev/zero or a /proc file that claims zero bytes.
        assert_eq!(read_at_most(io::repeat(0), 4096).unwrap(), None);
        assert_eq!(
            read_at_most(&b"12345"[..], 5).unwrap().as_deref(),
            Some(&b"12345"[..])
        );
        assert_eq!(read_at_most(&b"123456"[..], 5).unwrap(), None);
    }

    #[test]
    fn bad_bytes_are_placed_by_line_and_character() {
        let (line, column, message) = decode(b"+++\ntitl\xC3\xA9 \xFF\n".to_vec()).unwrap_err();
        assert_eq!((line, column), (2, 7), "{message}");
        assert!(
            message.contains("0xFF") && message.contains("UTF-8"),
            "{message}"
        );
        let (.., message) = decode(b"\xFF\xFE+\x00+\x00".to_vec()).unwrap_err();
        assert!(message.contains("UTF-16"), "{message}");
        assert_eq!(decode("\u{feff}+++".into()).unwrap(), "\u{feff}+++");
    }

    #[test]
    fn io_errors_say_why() {
        let denied = io::Error::from(io::ErrorKind::PermissionDenied);
        assert!(io_reason(&denied).contains("permission denied"));
        #[cfg(unix)]
        assert!(io_reason(&io::Error::from_raw_os_error(libc::ELOOP)).contains("loops"));
    }
}
