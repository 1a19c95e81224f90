//! The line protocol on the UART, version 1. One line per message, readable in a terminal
//! emulator and parsable by a machine:
//!
//! ```text
//! EP1 <TAB> <type> <TAB> field <TAB> field ... <TAB> *XXXX <LF>
//! ```
//!
//! `XXXX` is the CRC-16/CCITT-FALSE (hex, upper case) of every byte before the `<TAB>*`, so a
//! reader can tell a damaged line. Types:
//!
//! | type | fields |
//! |---|---|
//! | `H` header, once at start | `protocol=1`, `firmware=<version>`, `model=<file>`, `classes=<n>` |
//! | `C` classification, per frame | `<sequence>`, `<timestamp ms>`, `<latency ms>`, then up to k `<index>:<score>:<label>` best first |
//! | `S` status, at an interval | `fps=`, `captured=`, `frames=`, `dropped=`, `uart_dropped=`, `errors=`, `camera=ok|lost`, `paused=0|1`, `age_ms=` (mean age of a frame when segment 0 began on it, since the last S line) |
//! | `R` reply to a command | the answer |
//! | `E` error | what was wrong |
//!
//! Commands a host may send, one per line, at most [`MAX_COMMAND`] bytes: `status`, `version`,
//! `pause`, `resume`, `help`. Tabs and line breaks inside labels are written as spaces.

use std::fmt::Write as _;

/// The protocol version written in every line's prefix.
pub const VERSION: u32 = 1;
/// Longest line written, checksum included.
pub const MAX_LINE: usize = 512;
/// Longest command accepted.
pub const MAX_COMMAND: usize = 64;

/// One protocol line, formatted without a heap allocation.
pub type Line = heapless::String<MAX_LINE>;

/// CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF).
pub fn crc16(data: &[u8]) -> u16 {
    let mut crc = 0xFFFFu16;
    for &b in data {
        crc ^= (b as u16) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
        }
    }
    crc
}

/// Starts a line of `kind`.
fn start(kind: char) -> Line {
    let mut line = Line::new();
    let _ = write!(line, "EP{VERSION}\t{kind}");
    line
}

/// Appends `\t<field>`, with tabs and line breaks as spaces; false when the line is full.
fn field(line: &mut Line, text: &str) -> bool {
    // Keep room for the checksum suffix ("\t*XXXX\n": 7 bytes).
    if line.len() + 1 + text.len() + 7 > MAX_LINE {
        return false;
    }
    let _ = line.push('\t');
    for c in text.chars() {
        let _ = line.push(if c == '\t' || c == '\n' || c == '\r' {
            ' '
        } else {
            c
        });
    }
    true
}

/// Appends a formatted field; false when the line is full.
fn fieldf(line: &mut Line, args: std::fmt::Arguments) -> bool {
    let mut tmp: heapless::String<128> = heapless::String::new();
    let _ = tmp.write_fmt(args);
    field(line, &tmp)
}

/// Closes a line with its checksum and newline.
fn finish(mut line: Line) -> Line {
    let crc = crc16(line.as_bytes());
    let _ = writeln!(line, "\t*{crc:04X}");
    line
}

/// The header line.
pub fn header(firmware: &str, model: &str, classes: usize) -> Line {
    let mut l = start('H');
    fieldf(&mut l, format_args!("protocol={VERSION}"));
    fieldf(&mut l, format_args!("firmware={firmware}"));
    fieldf(&mut l, format_args!("model={model}"));
    fieldf(&mut l, format_args!("classes={classes}"));
    finish(l)
}

/// A classification line; `top` is (index, score, label), best first.
pub fn classification<'a>(
    sequence: u64,
    timestamp_ms: u64,
    latency_ms: f64,
    top: impl IntoIterator<Item = (usize, f32, &'a str)>,
) -> Line {
    let mut l = start('C');
    fieldf(&mut l, format_args!("{sequence}"));
    fieldf(&mut l, format_args!("{timestamp_ms}"));
    fieldf(&mut l, format_args!("{latency_ms:.1}"));
    for (index, score, label) in top {
        if !fieldf(&mut l, format_args!("{index}:{score:.3}:{label}")) {
            break;
        }
    }
    finish(l)
}

/// What a status line reports.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Status {
    /// Frames per second classified.
    pub fps: f64,
    /// Frames taken from the source.
    pub captured: u64,
    /// Frames classified.
    pub frames: u64,
    /// Frames dropped before classification.
    pub dropped: u64,
    /// Lines the UART dropped.
    pub uart_dropped: u64,
    /// Errors counted.
    pub errors: u64,
    /// Whether the camera is streaming.
    pub camera_ok: bool,
    /// Whether output is paused by a command.
    pub paused: bool,
    /// Mean age of a frame (since capture) when segment 0 began on it, in milliseconds.
    pub age_ms: f64,
}

/// A status line.
pub fn status(s: &Status) -> Line {
    let mut l = start('S');
    fieldf(&mut l, format_args!("fps={:.1}", s.fps));
    fieldf(&mut l, format_args!("captured={}", s.captured));
    fieldf(&mut l, format_args!("frames={}", s.frames));
    fieldf(&mut l, format_args!("dropped={}", s.dropped));
    fieldf(&mut l, format_args!("uart_dropped={}", s.uart_dropped));
    fieldf(&mut l, format_args!("errors={}", s.errors));
    field(
        &mut l,
        if s.camera_ok {
            "camera=ok"
        } else {
            "camera=lost"
        },
    );
    field(&mut l, if s.paused { "paused=1" } else { "paused=0" });
    fieldf(&mut l, format_args!("age_ms={:.1}", s.age_ms));
    finish(l)
}

/// A reply (`R`) or error (`E`) line.
pub fn message(error: bool, text: &str) -> Line {
    let mut l = start(if error { 'E' } else { 'R' });
    field(&mut l, text);
    finish(l)
}

/// The reply to a host's command; `pause` and `resume` also change `status.paused`.
pub fn answer(command: Result<Command, CommandError>, status: &mut Status) -> Line {
    match command {
        Ok(Command::Status) => self::status(status),
        Ok(Command::Version) => message(
            false,
            concat!("edgepipe ", env!("CARGO_PKG_VERSION"), " protocol 1"),
        ),
        Ok(Command::Pause) => {
            status.paused = true;
            message(false, "paused")
        }
        Ok(Command::Resume) => {
            status.paused = false;
            message(false, "resumed")
        }
        Ok(Command::Help) => message(false, "commands: status version pause resume help"),
        Err(e) => message(true, &e.to_string()),
    }
}

/// Why a received line is not a valid protocol line.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LineError {
    /// No `\t*XXXX` suffix.
    #[error("no checksum")]
    NoChecksum,
    /// The checksum does not match.
    #[error("checksum mismatch: line says {said:04X}, content gives {computed:04X}")]
    Checksum {
        /// In the line.
        said: u16,
        /// Computed.
        computed: u16,
    },
    /// Not `EP<version>`.
    #[error("not an EP1 line")]
    Prefix,
}

/// Checks a received line (without its newline) and returns its fields after the prefix:
/// the type first.
pub fn parse(line: &str) -> Result<Vec<&str>, LineError> {
    let (body, crc) = line.rsplit_once("\t*").ok_or(LineError::NoChecksum)?;
    let said = u16::from_str_radix(crc.trim_end(), 16).map_err(|_| LineError::NoChecksum)?;
    let computed = crc16(body.as_bytes());
    if said != computed {
        return Err(LineError::Checksum { said, computed });
    }
    let mut fields = body.split('\t');
    if fields.next() != Some("EP1") {
        return Err(LineError::Prefix);
    }
    Ok(fields.collect())
}

/// A command from the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// Send a status line now.
    Status,
    /// Send the firmware and protocol versions.
    Version,
    /// Stop sending classification lines (status and replies go on).
    Pause,
    /// Send them again.
    Resume,
    /// List the commands.
    Help,
}

/// Why a command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    /// Longer than [`MAX_COMMAND`].
    #[error("command too long ({0} bytes, at most {MAX_COMMAND})")]
    TooLong(usize),
    /// Not a known command.
    #[error("unknown command '{0}' (try help)")]
    Unknown(heapless::String<MAX_COMMAND>),
    /// Not text.
    #[error("command is not UTF-8 text")]
    NotText,
}

/// Parses one received command line (without its newline).
pub fn parse_command(line: &[u8]) -> Result<Command, CommandError> {
    if line.len() > MAX_COMMAND {
        return Err(CommandError::TooLong(line.len()));
    }
    let text = std::str::from_utf8(line)
        .map_err(|_| CommandError::NotText)?
        .trim();
    match text.to_ascii_lowercase().as_str() {
        "status" => Ok(Command::Status),
        "version" => Ok(Command::Version),
        "pause" => Ok(Command::Pause),
        "resume" => Ok(Command::Resume),
        "help" | "?" => Ok(Command::Help),
        _ => {
            let mut shown = heapless::String::new();
            for c in text.chars() {
                if shown.push(if c.is_control() { '?' } else { c }).is_err() {
                    break;
                }
            }
            Err(CommandError::Unknown(shown))
        }
    }
}

/// Splits a byte stream into command lines with a hard length limit, without allocating:
/// bytes of an overlong line are discarded up to its newline, which yields `TooLong`.
#[derive(Debug, Default)]
pub struct CommandReader {
    buf: heapless::Vec<u8, MAX_COMMAND>,
    overflow: usize,
}

impl CommandReader {
    /// Feeds received bytes; calls `on_line` with each complete line's parse result.
    pub fn feed(&mut self, bytes: &[u8], mut on_line: impl FnMut(Result<Command, CommandError>)) {
        for &b in bytes {
            match b {
                b'\n' | b'\r' => {
                    if self.overflow > 0 {
                        on_line(Err(CommandError::TooLong(self.overflow)));
                    } else if !self.buf.is_empty() {
                        on_line(parse_command(&self.buf));
                    }
                    self.buf.clear();
                    self.overflow = 0;
                }
                _ if self.overflow > 0 => self.overflow += 1,
                _ => {
                    if self.buf.push(b).is_err() {
                        self.overflow = self.buf.len() + 1;
                        self.buf.clear();
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn lines_carry_a_checksum_that_detects_damage() {
        let line = classification(
            7,
            1234,
            12.34,
            [
                (285usize, 0.77f32, "Egyptian cat"),
                (281, 0.1, "tabby\tcat"),
            ],
        );
        assert!(line.ends_with('\n'));
        let text = line.trim_end();
        let fields = parse(text).unwrap();
        assert_eq!(
            fields,
            vec![
                "C",
                "7",
                "1234",
                "12.3",
                "285:0.770:Egyptian cat",
                "281:0.100:tabby cat"
            ]
        );
        let damaged = text.replacen("Egyptian", "Egyptiam", 1);
        assert!(matches!(parse(&damaged), Err(LineError::Checksum { .. })));
        assert_eq!(
            crc16(b"123456789"),
            0x29B1,
            "the CRC-16/CCITT-FALSE check value"
        );
        let h = header("0.1.0", "m.tflite", 1001);
        assert_eq!(
            parse(h.trim_end()).unwrap(),
            vec![
                "H",
                "protocol=1",
                "firmware=0.1.0",
                "model=m.tflite",
                "classes=1001"
            ]
        );
    }

    #[test]
    fn long_lines_are_cut_at_a_field_not_overflowed() {
        let label = "x".repeat(200);
        let line = classification(1, 2, 3.0, (0..10).map(|i| (i, 0.5, label.as_str())));
        assert!(line.len() <= MAX_LINE);
        assert!(parse(line.trim_end()).is_ok());
    }

    #[test]
    fn commands_and_their_errors() {
        assert_eq!(parse_command(b"status"), Ok(Command::Status));
        assert_eq!(parse_command(b" PAUSE "), Ok(Command::Pause));
        assert!(matches!(parse_command(b"reboot"), Err(CommandError::Unknown(s)) if s == "reboot"));
        let mut got = Vec::new();
        let mut r = CommandReader::default();
        let long = vec![b'a'; 100];
        r.feed(b"version\nsta", |c| got.push(c));
        r.feed(b"tus\r\n", |c| got.push(c));
        r.feed(&long, |c| got.push(c));
        r.feed(b"\nresume\n", |c| got.push(c));
        assert_eq!(
            got,
            vec![
                Ok(Command::Version),
                Ok(Command::Status),
                Err(CommandError::TooLong(100)),
                Ok(Command::Resume)
            ]
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]
        /// Any bytes: the reader never panics, and every result is a command or a clear error.
        #[test]
        fn the_command_reader_takes_any_bytes(chunks in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..200), 0..8)) {
            let mut r = CommandReader::default();
            for c in &chunks {
                r.feed(c, |res| {
                    if let Err(CommandError::TooLong(n)) = res {
                        assert!(n > MAX_COMMAND);
                    }
                });
            }
        }

        /// Any label text: the line stays valid and within the limit.
        #[test]
        fn any_label_makes_a_valid_line(label in ".{0,300}", score in 0.0f32..1.0) {
            let line = classification(1, 2, 3.0, [(5, score, label.as_str())]);
            prop_assert!(line.len() <= MAX_LINE);
            prop_assert!(parse(line.trim_end()).is_ok());
        }
    }
}
