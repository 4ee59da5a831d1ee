//! Standard input, line by line, whatever bytes it holds: one [`Line`] per `\n`-terminated
//! line (and one for a last line without `\n`), so a batch can answer every line in order.

use std::io::{self, BufRead};

/// The longest line read as a question (1 MiB); a longer one is skipped unread, without ever
/// being held in memory whole.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// One line of input.
#[derive(Debug, PartialEq, Eq)]
pub enum Line {
    /// Its text, without the line ending (`\n` or `\r\n`); bytes that are not UTF-8 are
    /// read as U+FFFD, the replacement character.
    Text(String),
    /// It was longer than the limit: this many bytes.
    TooLong(u64),
}

/// The lines of `reader`, each at most `max` bytes.
pub struct Lines<R> {
    reader: R,
    max: usize,
    done: bool,
}

impl<R: BufRead> Lines<R> {
    /// Lines of at most [`MAX_LINE_BYTES`].
    pub fn new(reader: R) -> Lines<R> {
        Lines::with_max(reader, MAX_LINE_BYTES)
    }

    /// Lines of at most `max` bytes.
    pub fn with_max(reader: R, max: usize) -> Lines<R> {
        Lines {
            reader,
            max,
            done: false,
        }
    }
}

impl<R: BufRead> Iterator for Lines<R> {
    type Item = io::Result<Line>;

    fn next(&mut self) -> Option<io::Result<Line>> {
        if self.done {
            return None;
        }
        let mut kept = Vec::new();
        let mut len: u64 = 0;
        let mut started = false;
        loop {
            let available = match self.reader.fill_buf() {
                Ok(bytes) => bytes,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                Err(err) => return Some(Err(err)),
            };
            if available.is_empty() {
                self.done = true;
                if !started {
                    return None;
                }
                break;
            }
            started = true;
            let (part, used, ended) = match available.iter().position(|&b| b == b'\n') {
                Some(i) => (&available[..i], i + 1, true),
                None => (available, available.len(), false),
            };
            len += part.len() as u64;
            if len <= self.max as u64 {
                kept.extend_from_slice(part);
            } else {
                kept = Vec::new();
            }
            self.reader.consume(used);
            if ended {
                break;
            }
        }
        if len > self.max as u64 {
            return Some(Ok(Line::TooLong(len)));
        }
        if kept.last() == Some(&b'\r') {
            kept.pop();
        }
        Some(Ok(Line::Text(String::from_utf8_lossy(&kept).into_owned())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8], max: usize) -> Vec<Line> {
        // A tiny buffer, so lines cross many refills.
        let reader = io::BufReader::with_capacity(3, input);
        Lines::with_max(reader, max).map(Result::unwrap).collect()
    }

    fn text(s: &str) -> Line {
        Line::Text(s.into())
    }

    #[test]
    fn every_line_is_one_item_whatever_its_bytes() {
        assert_eq!(
            lines(b"bail\n\xff\xfe bail\n\n\r\nlast", 100),
            [
                text("bail"),
                text("\u{fffd}\u{fffd} bail"),
                text(""),
                text(""),
                text("last")
            ]
        );
        assert_eq!(lines(b"", 100), []);
        assert_eq!(lines(b"\n", 100), [text("")]);
        assert_eq!(lines(b"a\0b\n", 100), [text("a\0b")]);
    }

    #[test]
    fn a_line_over_the_limit_is_skipped_and_the_rest_still_read() {
        let mut input = b"first\n".to_vec();
        input.extend(std::iter::repeat_n(b'x', 50));
        input.extend(b"\nafter\n12345678\n");
        assert_eq!(
            lines(&input, 8),
            [
                text("first"),
                Line::TooLong(50),
                text("after"),
                text("12345678")
            ]
        );
    }
}
