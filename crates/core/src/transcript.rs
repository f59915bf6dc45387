//! Transcript parsing: work out a chat's shape, split it into messages and
//! tell the buyer's messages from the shop's.
//!
//! Shapes (tried in this order, each only when its structure is plain):
//! a JSON export, a CSV export with a header row, JD tab-separated rows,
//! header lines ending in a time (Qianniu/Wangwang and WeChat copies,
//! `[time] name:` exports), role-prefixed lines (`买家：…`), and finally
//! unstructured text, read as the buyer's words. Lines that fit no shape
//! are kept as message text; nothing here fails.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::LazyLock;

use regex::Regex;

use crate::model::{Format, Message, Speaker};

/// A parsed transcript.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Transcript {
    /// The recognised shape.
    pub format: Format,
    /// Messages in order, with speakers assigned.
    pub messages: Vec<Message>,
    /// The buyer's credit level when the text shows it (三心, 一钻, 皇冠).
    pub buyer_credit: Option<String>,
}

/// Parses a transcript of any supported shape. Never fails: text that
/// fits no shape is read as the buyer's words.
pub fn parse(text: &str) -> Transcript {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    // Every line is trimmed at the end here, once: below, `line.trim()`
    // is `line.trim_start()` and a blank line is an empty one.
    let lines = split_lines(text);
    let (format, raw) = parse_json(text)
        .map(|r| (Format::JsonExport, r))
        .or_else(|| parse_csv(text, &lines).map(|r| (Format::CsvExport, r)))
        .or_else(|| parse_jd_tsv(text, &lines).map(|r| (Format::JdTsv, r)))
        .or_else(|| parse_headed(&lines))
        .or_else(|| parse_prefixed(&lines).map(|r| (Format::PlainPrefixed, r)))
        .unwrap_or_else(|| (Format::BuyerOnly, parse_unstructured(&lines)));
    let messages = assign_speakers(raw);
    let buyer_credit = detect_credit(text, &lines);
    Transcript {
        format,
        messages,
        buyer_credit,
    }
}

/// A message before speakers are settled.
#[derive(Debug, Default)]
struct Raw<'a> {
    name: Option<String>,
    /// The speaker when the transcript says it outright (a role word, a flag).
    role: Option<Speaker>,
    time: Option<String>,
    /// Borrowed from the transcript where it can be: the text is built
    /// once, in [`Lines::text`] (a String per line, then a joined and a
    /// trimmed copy, were an eighth of parsing a Qianniu chat, measured).
    lines: Lines<'a>,
    /// A system line that fits no message (以下为新消息, a transfer).
    system: bool,
    /// `system` already tells whether the text is a system line.
    system_known: bool,
}

impl Raw<'_> {
    fn text(&self) -> String {
        self.lines.text()
    }
}

/// A message's lines (borrowed ones trimmed, owned ones as written). The
/// first is held inline: most messages have one,
/// and a Vec for it was an allocation a message (measured: ~3 % of parsing
/// a Qianniu chat).
#[derive(Debug, Default)]
struct Lines<'a> {
    /// None only when there are no lines.
    first: Option<Cow<'a, str>>,
    more: Vec<Cow<'a, str>>,
}

impl<'a> Lines<'a> {
    fn one(line: &'a str) -> Self {
        Lines {
            first: Some(Cow::Borrowed(line)),
            more: Vec::new(),
        }
    }

    fn push(&mut self, line: Cow<'a, str>) {
        if self.first.is_none() {
            self.first = Some(line);
        } else {
            self.more.push(line);
        }
    }

    fn pop(&mut self) -> Option<Cow<'a, str>> {
        self.more.pop().or_else(|| self.first.take())
    }

    fn is_empty(&self) -> bool {
        self.first.is_none()
    }

    /// The lines joined with `\n`, trimmed.
    fn text(&self) -> String {
        let Some(first) = &self.first else {
            return String::new();
        };
        if self.more.is_empty() {
            return match first {
                // Every borrowed line is trimmed when it is taken.
                Cow::Borrowed(line) => {
                    debug_assert_eq!(line.trim(), *line);
                    line.to_string()
                }
                Cow::Owned(line) => line.trim().to_string(),
            };
        }
        let len = first.len() + self.more.iter().map(|l| l.len() + 1).sum::<usize>();
        let mut joined = String::with_capacity(len);
        joined.push_str(first);
        for line in &self.more {
            joined.push('\n');
            joined.push_str(line);
        }
        let trimmed = joined.trim();
        if trimmed.len() == joined.len() {
            joined
        } else {
            trimmed.to_string()
        }
    }
}

impl<'a> FromIterator<Cow<'a, str>> for Lines<'a> {
    fn from_iter<I: IntoIterator<Item = Cow<'a, str>>>(iter: I) -> Self {
        let mut lines = Lines::default();
        for line in iter {
            lines.push(line);
        }
        lines
    }
}

/// `text.lines()`, each line trimmed at the end (which also takes the `\r`
/// of a `\r\n`). The newlines are found eight bytes at a time: the std
/// iterator's char searcher and memchr cost ~300 instructions a line of
/// ~35 bytes, a tenth of parsing a Qianniu chat (measured).
fn split_lines(text: &str) -> Vec<&str> {
    let mut lines = Vec::with_capacity(text.len() / 32 + 1);
    let bytes = text.as_bytes();
    let mut start = 0;
    while start < bytes.len() {
        let end = find_newline(&bytes[start..]).map_or(bytes.len(), |i| start + i);
        lines.push(trim_end_fast(&text[start..end]));
        start = end + 1;
    }
    lines
}

/// `s.trim_start()`, without decoding a first character that is printable
/// ASCII or opens a CJK ideograph (U+4000–U+9FFF holds no whitespace):
/// trimming lines that need none cost ~45 instructions a line (measured).
fn trim_start_fast(s: &str) -> &str {
    match s.as_bytes().first() {
        Some(0x21..=0x7E | 0xE4..=0xE9) => s,
        _ => s.trim_start(),
    }
}

/// `s.trim()`, by [`trim_start_fast`] and [`trim_end_fast`] (std's trim
/// was 9 % of parsing a JDDC chat, measured).
fn trim_fast(s: &str) -> &str {
    trim_end_fast(trim_start_fast(s))
}

/// `s.trim_end()`, likewise for a last character that is printable ASCII
/// or a CJK ideograph.
fn trim_end_fast(s: &str) -> &str {
    let b = s.as_bytes();
    match b.last() {
        Some(0x21..=0x7E) => s,
        Some(0x80..=0xBF) if b.len() >= 3 && (0xE4..=0xE9).contains(&b[b.len() - 3]) => s,
        _ => s.trim_end(),
    }
}

/// The first `\n` in `bytes`: a word at a time, then byte by byte.
fn find_newline(bytes: &[u8]) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let mut chunks = bytes.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut chunks {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word) ^ (LO * u64::from(b'\n'));
        // The lowest set bit marks the first zero byte (borrows only
        // make false marks above a true one).
        let zero = x.wrapping_sub(LO) & !x & HI;
        if zero != 0 {
            return Some(at + zero.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| b == b'\n')
        .map(|i| at + i)
}

/// An FxHash-like hasher, eight bytes a step, for the handful of speaker
/// names in a chat: SipHash was 4 % of parsing a Qianniu chat, a byte-wise
/// FNV still 2 % (measured); no untrusted party picks the keys.
#[derive(Default)]
struct NameHasher(u64);

impl NameHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for NameHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }
}

type NameMap<K, V> = HashMap<K, V, BuildHasherDefault<NameHasher>>;

// ---------------------------------------------------------------- headers

/// The time that ends a header line (`name time`, the name possibly glued
/// to the time), with the blanks before it. The leftmost match is the
/// shortest name; found with the regex's DFA alone, without captures, which
/// cost a quarter of parsing a chat.
static HEADER_TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"[ \t]*(?:(?:\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?|\d{1,2}[-/]\d{1,2})[ \t]+\d{1,2}:\d{2}(?::\d{2})?|\d{1,2}:\d{2}(?::\d{2})?)$",
    )
    .expect("valid header regex")
});

/// `[time] name:` optionally followed by the message.
static BRACKET_HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\[(?P<time>[^\]]*\d{1,2}:\d{2}(?::\d{2})?)\][ \t]*(?P<rest>.*)$")
        .expect("valid bracket header regex")
});

/// Normalises a time as written to `YYYY-MM-DDTHH:MM:SS` (or the parts
/// given): `[[YYYY-]M-D[日] ]H:MM[:SS]` with `-`, `/`, `.` or 年月日.
/// Anything else is kept as written (trimmed). Parsed by hand: it runs for
/// every message, and a regex with captures cost more than the rest of
/// the header.
fn normalize_time(time: &str) -> String {
    let time = time.trim();
    if is_plain_time(time) {
        return normalize_plain_time(time);
    }
    let Some(parts) = TimeParts::parse(time) else {
        return time.to_string();
    };
    let mut out = String::with_capacity(19);
    if let Some((month, day)) = parts.date {
        if let Some(year) = parts.year {
            out.push_str(year);
            out.push('-');
        }
        push_two_digits(&mut out, month);
        out.push('-');
        push_two_digits(&mut out, day);
        out.push('T');
    }
    push_two_digits(&mut out, parts.hour);
    out.push(':');
    push_two_digits(&mut out, parts.minute);
    if let Some(second) = parts.second {
        out.push(':');
        push_two_digits(&mut out, second);
    }
    out
}

/// A time in one of the usual shapes, ASCII digits written in full
/// (`YYYY-MM-DD HH:MM[:SS]`, `HH:MM[:SS]`): already normalised but for the
/// `T` (the reader below cost ~880 instructions a header, measured). See
/// [`normalize_plain_time`].
fn is_plain_time(time: &str) -> bool {
    let b = time.as_bytes();
    has_shape(b, b"9999-99-99 99:99:99")
        || has_shape(b, b"9999-99-99 99:99")
        || has_shape(b, b"99:99:99")
        || has_shape(b, b"99:99")
}

/// [`normalize_time`] of a time that [`is_plain_time`].
fn normalize_plain_time(time: &str) -> String {
    if time.len() < 16 {
        return time.to_string();
    }
    let mut out = String::with_capacity(time.len());
    out.push_str(&time[..10]);
    out.push('T');
    out.push_str(&time[11..]);
    out
}

/// Whether `text` is `shape`, where `9` stands for any ASCII digit.
#[inline(always)]
fn has_shape<const N: usize>(text: &[u8], shape: &[u8; N]) -> bool {
    text.len() == N && ends_with_shape(text, shape)
}

/// Whether `text` ends with `shape` (`9`: any ASCII digit). No branch on
/// the bytes: with a constant shape the check unrolls (a byte loop cost
/// ~190 instructions a header, measured).
#[inline(always)]
fn ends_with_shape<const N: usize>(text: &[u8], shape: &[u8; N]) -> bool {
    let Some(tail) = text.len().checked_sub(N).map(|at| &text[at..]) else {
        return false;
    };
    let mut ok = true;
    for (&t, &s) in tail.iter().zip(shape) {
        ok &= if s == b'9' {
            t.is_ascii_digit()
        } else {
            t == s
        };
    }
    ok
}

/// Where [`HEADER_TIME`] matches `line` (its start; it ends at the end),
/// and whether the time [`is_plain_time`]. The usual header
/// times are read by hand: the regex's reverse search cost ~690
/// instructions a header (measured), a seventh of parsing a Qianniu chat.
/// Anything else goes to the regex.
fn header_time_start(line: &str) -> Option<(usize, bool)> {
    let b = line.as_bytes();
    let len = b.len();
    let blanks_before = |end: usize| {
        b[..end]
            .iter()
            .rev()
            .take_while(|&&c| c == b' ' || c == b'\t')
            .count()
    };
    // Every match ends in `:\d\d`: without a colon third from the end
    // (in chars) there is none (and the regex is not even built).
    if line.chars().nth_back(2) != Some(':') {
        return None;
    }
    // `YYYY-MM-DD HH:MM[:SS]`: no match can start before the year but
    // for the blanks before it (the date's parts are fixed from the end).
    let dated = if ends_with_shape(b, b"9999-99-99 99:99:99") {
        Some(19)
    } else if ends_with_shape(b, b"9999-99-99 99:99") {
        Some(16)
    } else {
        None
    };
    if let Some(shape_len) = dated {
        let start = len - shape_len;
        return Some((start - blanks_before(start), true));
    }
    // `name HH:MM[:SS]`: when the name does not end in what ends a date
    // (a digit, 日), the match is the clock and the blanks before it.
    let clock_only = if ends_with_shape(b, b"99:99:99") {
        Some(8)
    } else if ends_with_shape(b, b"99:99") {
        Some(5)
    } else {
        None
    };
    if let Some(shape_len) = clock_only {
        let clock = len - shape_len;
        let blanks = blanks_before(clock);
        let plain_name_end = line[..clock - blanks].chars().next_back().is_some_and(|c| {
            c.is_ascii() && !c.is_ascii_digit()
                || ('\u{4E00}'..='\u{9FFF}').contains(&c) && c != '日'
        });
        if blanks > 0 && plain_name_end {
            return Some((clock - blanks, true));
        }
    }
    HEADER_TIME.find(line).map(|m| (m.start(), false))
}

/// `n` (below 100, as read from at most two digits) as two digits.
fn push_two_digits(out: &mut String, n: u32) {
    for digit in [n / 10 % 10, n % 10] {
        out.push(char::from_digit(digit, 10).unwrap_or('0'));
    }
}

/// The parts of a written time; see [`normalize_time`].
#[derive(Debug, PartialEq, Eq)]
struct TimeParts<'a> {
    year: Option<&'a str>,
    date: Option<(u32, u32)>,
    hour: u32,
    minute: u32,
    second: Option<u32>,
}

impl<'a> TimeParts<'a> {
    /// The whole of `text` as a time, trying (as a regex would) a date
    /// with a year, then a date without, then a clock alone.
    fn parse(text: &'a str) -> Option<TimeParts<'a>> {
        let dated = |with_year: bool| {
            let (year, rest) = if with_year {
                let (_, year, rest) = digits(text, 4, 4)?;
                (Some(year), rest.strip_prefix(['-', '/', '.', '年'])?)
            } else {
                (None, text)
            };
            let (month, _, rest) = digits(rest, 1, 2)?;
            let rest = rest.strip_prefix(['-', '/', '.', '月'])?;
            let (day, _, rest) = digits(rest, 1, 2)?;
            let rest = rest.strip_prefix('日').unwrap_or(rest);
            let clock = rest.trim_start_matches([' ', '\t']);
            if clock.len() == rest.len() {
                return None;
            }
            let (hour, minute, second) = parse_clock(clock)?;
            Some(TimeParts {
                year,
                date: Some((month, day)),
                hour,
                minute,
                second,
            })
        };
        dated(true).or_else(|| dated(false)).or_else(|| {
            let (hour, minute, second) = parse_clock(text)?;
            Some(TimeParts {
                year: None,
                date: None,
                hour,
                minute,
                second,
            })
        })
    }
}

/// `H:MM` or `H:MM:SS`, the whole of `text`.
fn parse_clock(text: &str) -> Option<(u32, u32, Option<u32>)> {
    let (hour, _, rest) = digits(text, 1, 2)?;
    let (minute, _, rest) = digits(rest.strip_prefix(':')?, 2, 2)?;
    if rest.is_empty() {
        return Some((hour, minute, None));
    }
    let (second, _, rest) = digits(rest.strip_prefix(':')?, 2, 2)?;
    rest.is_empty().then_some((hour, minute, Some(second)))
}

/// `min..=max` ASCII digits at the start of `text` (and no more): their
/// value, their text and the rest.
fn digits(text: &str, min: usize, max: usize) -> Option<(u32, &str, &str)> {
    let n = text
        .bytes()
        .take(max + 1)
        .take_while(u8::is_ascii_digit)
        .count();
    if n < min || n > max {
        return None;
    }
    let (number, rest) = text.split_at(n);
    Some((number.parse().ok()?, number, rest))
}

enum LineKind<'a> {
    /// A header: name (maybe empty: on the previous line) and time.
    Header {
        name: &'a str,
        time: &'a str,
        dated: bool,
        /// The time [`is_plain_time`].
        plain: bool,
    },
    /// `[time] name: text`.
    Bracket {
        name: &'a str,
        time: &'a str,
        rest: &'a str,
    },
    /// 已读 / 未读 / 发送中: read receipts, dropped.
    Status,
    /// Message text (trimmed).
    Content(&'a str),
}

fn classify_line(line: &str) -> LineKind<'_> {
    let trimmed = trim_start_fast(line);
    if matches!(trimmed, "已读" | "未读" | "发送中" | "发送失败") {
        return LineKind::Status;
    }
    if trimmed.starts_with('[') {
        if let Some(c) = BRACKET_HEADER.captures(trimmed) {
            let rest = c.name("rest").map_or("", |m| m.as_str());
            let (name, text) = split_bracket_rest(rest);
            if !name.is_empty() {
                let time = c.name("time").map_or("", |m| m.as_str());
                return LineKind::Bracket {
                    name,
                    time,
                    rest: text,
                };
            }
        }
    }
    // Cheap filter before the regex: a header ends in a digit.
    if trimmed.ends_with(|c: char| c.is_ascii_digit())
        && (trimmed.len() <= 80 || trimmed.chars().count() <= 80)
    {
        if let Some((start, plain)) = header_time_start(trimmed) {
            // (`trimmed` has no blank at its start.)
            let name = trim_end_fast(&trimmed[..start]);
            let time = trimmed[start..].trim_start_matches([' ', '\t']);
            let dated = time.len() > 4 && time.as_bytes()[..4].iter().all(u8::is_ascii_digit);
            if plausible_name(name) {
                return LineKind::Header {
                    name,
                    time,
                    dated,
                    plain,
                };
            }
        }
    }
    LineKind::Content(trimmed)
}

/// A sender name, not a sentence that happens to end in a time
/// (`明天 10:30 能到吗` is content).
fn plausible_name(name: &str) -> bool {
    (name.len() <= 40 || name.chars().count() <= 40) && !has_sentence_mark(name)
        || (name.contains(" --> ") || name.contains("-->"))
}

/// `name.contains(['，', '。', '？', '！', '?', '!', ',', ' '])` over the
/// bytes (，？！ are EF BC 8C/9F/81, 。 is E3 80 82): the char-set scan
/// cost ~200 instructions a header (measured).
fn has_sentence_mark(name: &str) -> bool {
    let b = name.as_bytes();
    (0..b.len()).any(|i| match b[i] {
        b'?' | b'!' | b',' | b' ' => true,
        0xEF => matches!(b.get(i + 1..i + 3), Some([0xBC, 0x8C | 0x9F | 0x81])),
        0xE3 => b.get(i + 1..i + 3) == Some(&[0x80, 0x82][..]),
        _ => false,
    })
}

fn split_bracket_rest(rest: &str) -> (&str, &str) {
    let rest = rest.trim();
    if let Some(name) = rest.strip_suffix([':', '：']) {
        return (name.trim(), "");
    }
    match rest.find([':', '：']) {
        Some(i) => {
            let sep = rest[i..].chars().next().map_or(1, char::len_utf8);
            (rest[..i].trim(), rest[i + sep..].trim())
        }
        None => (rest, ""),
    }
}

/// Qianniu/Wangwang and WeChat copies: messages under header lines.
fn parse_headed<'a>(lines: &[&'a str]) -> Option<(Format, Vec<Raw<'a>>)> {
    let kinds: Vec<LineKind> = lines.iter().map(|l| classify_line(l)).collect();
    let mut dated = 0;
    let mut clock_only = 0;
    let mut bracket = 0;
    for kind in &kinds {
        match kind {
            LineKind::Header { dated: true, .. } => dated += 1,
            LineKind::Header { dated: false, .. } => clock_only += 1,
            LineKind::Bracket { .. } => bracket += 1,
            _ => {}
        }
    }
    // Platform notices (当前用户来自…) may stand before the first header.
    let first = lines
        .iter()
        .position(|l| !l.is_empty() && !is_system_text(l))?;
    // The first line is a header, or a name whose time is on the next line.
    let starts_with_header = |k: &LineKind| !matches!(k, LineKind::Content(_) | LineKind::Status);
    let opens = starts_with_header(&kinds[first])
        || kinds
            .get(first + 1)
            .is_some_and(|k| matches!(k, LineKind::Header { name: "", .. }));
    let headers = dated + clock_only + bracket;
    if !opens || headers == 0 || (headers < 2 && lines.len() > 3) {
        return None;
    }
    let format = if bracket > 0 || (clock_only > dated) {
        Format::WechatPaste
    } else {
        Format::QianniuPaste
    };
    let mut out: Vec<Raw> = Vec::with_capacity(headers + 1);
    for (kind, &line) in kinds.into_iter().zip(lines) {
        match kind {
            LineKind::Status => {}
            LineKind::Header {
                name, time, plain, ..
            } => {
                let mut name = name.to_string();
                if name.is_empty() {
                    // Name on the line before the time: take it back from
                    // the message it was appended to.
                    if let Some(last) = out.last_mut() {
                        if let Some(prev) = last.lines.pop() {
                            name = prev.trim().to_string();
                        }
                        if last.lines.is_empty() && last.name.is_none() && !last.system {
                            out.pop();
                        }
                    }
                }
                if name.as_bytes().contains(&b'>') && name.contains("-->") {
                    out.push(Raw {
                        system: true,
                        lines: Lines::one(line.trim_start()),
                        ..Raw::default()
                    });
                    continue;
                }
                out.push(Raw {
                    name: (!name.is_empty()).then_some(name),
                    time: Some(if plain {
                        normalize_plain_time(time)
                    } else {
                        normalize_time(time)
                    }),
                    ..Raw::default()
                });
            }
            LineKind::Bracket { name, time, rest } => {
                let mut raw = Raw {
                    name: Some(name.to_string()),
                    time: Some(normalize_time(time)),
                    ..Raw::default()
                };
                if !rest.is_empty() {
                    raw.lines.push(Cow::Borrowed(rest));
                }
                out.push(raw);
            }
            LineKind::Content(trimmed) => push_content(&mut out, trimmed),
        }
    }
    Some((format, finish(out)))
}

/// Appends a content line to the current message; a system line that
/// stands between messages becomes its own system message.
/// (`trimmed` is one of the transcript's lines, trimmed.)
fn push_content<'a>(out: &mut Vec<Raw<'a>>, trimmed: &'a str) {
    if trimmed.is_empty() {
        return;
    }
    // The first line under a header is never a message of its own: the
    // system check (then made again on the whole message) is skipped.
    if out.last().is_none_or(|m| !m.lines.is_empty()) && is_system_trimmed(trimmed) {
        out.push(Raw {
            system: true,
            lines: Lines::one(trimmed),
            ..Raw::default()
        });
        return;
    }
    match out.last_mut() {
        Some(last) if !last.system => last.lines.push(Cow::Borrowed(trimmed)),
        _ => out.push(Raw {
            lines: Lines::one(trimmed),
            ..Raw::default()
        }),
    }
}

fn finish(raw: Vec<Raw<'_>>) -> Vec<Raw<'_>> {
    raw.into_iter()
        .filter(|r| !r.lines.is_empty() || r.name.is_some())
        .collect()
}

// ---------------------------------------------------------- role prefixes

/// Role words that name the buyer or the shop.
fn role_of(word: &str) -> Option<Speaker> {
    const BUYER: &[&str] = &[
        "买家",
        "顾客",
        "客户",
        "用户",
        "消费者",
        "买方",
        "客人",
        "访客",
    ];
    const SHOP: &[&str] = &[
        "客服",
        "卖家",
        "商家",
        "店家",
        "店主",
        "掌柜",
        "售前",
        "售后",
        "卖方",
        "店小二",
        "小二",
    ];
    // Role words may come in Traditional script (買家, 客服).
    let simplified = fast2s::convert(word.trim());
    let word = simplified.as_str();
    // 买家信用, 买家等级: profile fields, not a speaker.
    if word.contains("信用") || word.contains("信誉") || word.contains("等级") {
        return None;
    }
    if BUYER.contains(&word) {
        return Some(Speaker::Buyer);
    }
    if SHOP.contains(&word) {
        return Some(Speaker::Shop);
    }
    // 客服小美, 买家tb_123: a role word followed by a name.
    if SHOP.iter().any(|w| word.starts_with(w)) {
        return Some(Speaker::Shop);
    }
    if BUYER.iter().any(|w| word.starts_with(w)) {
        return Some(Speaker::Buyer);
    }
    None
}

/// A line's `who: rest` split, as the captures of the regex
/// `^[ \t]*(?P<who>[^:：\t]{1,24}?)[ \t]*[:：][ \t]*(?P<rest>.*)$` give it
/// (on a line without `\n`). By hand: the regex's captures were nearly
/// half of parsing a JDDC chat (measured: 113 k instructions a chat).
///
/// Nothing before the colon the regex takes may be a colon, so it is the
/// first; `who` is what stands between it and the blanks before and after.
fn split_prefix(line: &str) -> Option<(&str, &str)> {
    let b = line.as_bytes();
    let (colon, width) = (0..b.len()).find_map(|i| match b[i] {
        b':' => Some((i, 1)),
        // `：` is EF BC 9A.
        0xEF if b.get(i + 1..i + 3) == Some(&[0xBC, 0x9A][..]) => Some((i, 3)),
        _ => None,
    })?;
    let who = line[..colon].trim_matches([' ', '\t']);
    if who.is_empty() || who.contains('\t') || (who.len() > 24 && who.chars().count() > 24) {
        return None;
    }
    Some((who, line[colon + width..].trim_start_matches([' ', '\t'])))
}

/// A date at the start of a would-be speaker: a CSV row or a log line.
static DATE_START: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\d{4}[-/.年]\d{1,2}").expect("valid date regex"));

/// [`DATE_START`] matches `text`. A text opening with an ASCII non-digit
/// or a CJK ideograph (neither is `\d`) is answered without the regex.
fn starts_with_date(text: &str) -> bool {
    match text.chars().next() {
        None => false,
        Some(c) if c.is_ascii() && !c.is_ascii_digit() => false,
        Some('\u{4E00}'..='\u{9FFF}') => false,
        Some(_) => DATE_START.is_match(text),
    }
}

/// `买家：…` / `客服：…` lines, or `name: …` lines from a small cast.
fn parse_prefixed<'a>(lines: &[&'a str]) -> Option<Vec<Raw<'a>>> {
    // Each line's speaker, its text and its role word's side.
    type Hit<'a> = (&'a str, &'a str, Option<Speaker>);
    let mut prefixed: Vec<Option<Hit<'a>>> = Vec::with_capacity(lines.len());
    let mut role_lines = 0usize;
    // Lines and role word for each name (role_of, a Traditional-to-
    // Simplified conversion, was run four times a line: measured 38 k
    // instructions a JDDC chat).
    let mut name_counts: NameMap<&str, (usize, Option<Speaker>)> = NameMap::default();
    let mut nonempty = 0usize;
    for &line in lines {
        if line.is_empty() {
            prefixed.push(None);
            continue;
        }
        nonempty += 1;
        let hit = split_prefix(line).and_then(|(who, rest)| {
            let who = trim_fast(who);
            // URLs and times are not speakers.
            if who.is_empty()
                || who.ends_with("http")
                || who.ends_with("https")
                || who.chars().all(|c| c.is_ascii_digit())
                || starts_with_date(who)
            {
                return None;
            }
            Some((who, rest))
        });
        let hit = hit.map(|(who, rest)| {
            let entry = name_counts.entry(who).or_insert_with(|| (0, role_of(who)));
            entry.0 += 1;
            if entry.1.is_some() || who == "我" {
                role_lines += 1;
            }
            (who, rest, entry.1)
        });
        prefixed.push(hit);
    }
    if nonempty == 0 {
        return None;
    }
    let named_lines: usize = name_counts.values().map(|(n, _)| n).sum();
    let small_cast = name_counts.len() <= 4
        && named_lines * 10 >= nonempty * 6
        && name_counts.values().filter(|(n, _)| *n >= 2).count() >= 1
        && named_lines >= 2;
    let by_role = role_lines >= 1 && role_lines * 10 >= nonempty * 4;
    if !by_role && !small_cast {
        return None;
    }
    let has_role = |speaker: Speaker| name_counts.values().any(|(_, role)| *role == Some(speaker));
    // 我 is whoever the other side is not.
    let me = if has_role(Speaker::Shop) && !has_role(Speaker::Buyer) {
        Some(Speaker::Buyer)
    } else if has_role(Speaker::Buyer) {
        Some(Speaker::Shop)
    } else {
        None
    };
    let mut out: Vec<Raw> = Vec::new();
    for (hit, &line) in prefixed.into_iter().zip(lines) {
        match hit {
            // With role words in play, only role words start a message:
            // `备注：…` inside a message stays text.
            Some((who, rest, role)) if !by_role || role.is_some() || who == "我" => {
                let role = if who == "我" { me } else { role };
                let mut raw = Raw {
                    name: Some(who.to_string()),
                    role,
                    ..Raw::default()
                };
                let rest = trim_fast(rest);
                if !rest.is_empty() {
                    raw.lines.push(Cow::Borrowed(rest));
                }
                out.push(raw);
            }
            _ => push_content(&mut out, trim_start_fast(line)),
        }
    }
    Some(finish(out))
}

// ------------------------------------------------------------------- CSV

/// Column roles recognised in CSV headers (Qianniu, WeChatMsg/MemoTrace, JD).
#[derive(Default)]
struct Columns {
    time: Option<usize>,
    sender: Option<usize>,
    content: Option<usize>,
    role: Option<usize>,
    /// A flag column where a true value means the shop sent it.
    shop_flag: Option<usize>,
    kind: Option<usize>,
}

fn header_columns<'h>(header: impl Iterator<Item = &'h str>) -> Columns {
    let mut cols = Columns::default();
    for (i, field) in header.enumerate() {
        // Headers may come in Traditional script (時間,發送方,內容).
        let f = fast2s::convert(field.trim().trim_start_matches('\u{FEFF}')).to_lowercase();
        let f = f.as_str();
        match f {
            "时间" | "发送时间" | "消息时间" | "time" | "strtime" | "created" | "date"
            | "createtime"
                if cols.time.is_none() || f == "strtime" =>
            {
                cols.time = Some(i)
            }
            "发送方" | "发送人" | "发送者" | "发言人" | "昵称" | "sender" | "sender_nick"
            | "sendername" | "nickname" | "from" | "talker" | "用户名" => {
                cols.sender.get_or_insert(i);
            }
            "内容" | "消息内容" | "消息" | "聊天内容" | "content" | "strcontent" | "text"
            | "message" | "msg" => {
                cols.content.get_or_insert(i);
            }
            "角色" | "身份" | "role" | "发送方角色" => cols.role = Some(i),
            "issender" | "waitersend" | "is_seller" | "isseller" | "是否客服" | "isself" => {
                cols.shop_flag = Some(i)
            }
            "消息类型" | "type" | "类型" | "msgtype" => cols.kind = Some(i),
            _ => {}
        }
    }
    cols
}

fn parse_csv(text: &str, lines: &[&str]) -> Option<Vec<Raw<'static>>> {
    let first = lines.iter().find(|l| !l.is_empty())?;
    if !first.contains(',') {
        return None;
    }
    let mut records = CsvRecords::new(text.trim_start());
    let header = records.next()?;
    let cols = header_columns(header.iter().map(|f| f.as_ref()));
    let content = cols.content?;
    if cols.sender.is_none() && cols.role.is_none() && cols.shop_flag.is_none() {
        return None;
    }
    let mut out = Vec::new();
    // (An unbalanced quote runs to the end of the text, as in the csv
    // crate; the text is a str, so no record fails to read.)
    for record in records {
        let field = |i: Option<usize>| {
            i.and_then(|i| record.get(i))
                .map(|f| f.trim())
                .filter(|s| !s.is_empty())
        };
        let Some(body) = field(Some(content)) else {
            continue;
        };
        let role = field(cols.role).and_then(role_of).or_else(|| {
            field(cols.shop_flag).map(|f| {
                if is_truthy(f) {
                    Speaker::Shop
                } else {
                    Speaker::Buyer
                }
            })
        });
        let kind_is_media =
            field(cols.kind).is_some_and(|k| !matches!(k, "文本" | "text" | "1" | "0" | "文字"));
        out.push(Raw {
            name: field(cols.sender).map(str::to_string),
            role,
            time: field(cols.time).map(normalize_time),
            lines: body.lines().map(|l| Cow::Owned(l.to_string())).collect(),
            system: kind_is_media && is_system_text(body),
            system_known: false,
        });
    }
    (!out.is_empty()).then_some(out)
}

/// The records of a CSV text, read as the csv crate reads them with the
/// settings parse_csv used (`,`; `"` quotes a field, `""` inside one is a
/// quote; a record ends at `\r`, `\n` or `\r\n`; blank lines are skipped;
/// after a closing quote, and in a field that does not open with one, a
/// quote is text; an unclosed quote runs to the end; a BOM at the start is
/// dropped). Building a csv reader (its DFA) cost ~270 k instructions, a
/// quarter of parsing the dev corpus for its 32 CSV chats (measured); a
/// proptest holds this reader to the csv crate's.
struct CsvRecords<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> CsvRecords<'a> {
    fn new(text: &'a str) -> Self {
        CsvRecords {
            text: text.strip_prefix('\u{FEFF}').unwrap_or(text),
            pos: 0,
        }
    }

    /// The field at `pos`; `pos` is left on the byte that ends it (`,`,
    /// `\r`, `\n`) or at the end of the text.
    fn field(&mut self) -> Cow<'a, str> {
        let (text, b) = (self.text, self.text.as_bytes());
        let ends = |from: usize| {
            b[from..]
                .iter()
                .position(|&c| matches!(c, b',' | b'\r' | b'\n'))
                .map_or(b.len(), |i| from + i)
        };
        let start = self.pos;
        if b.get(start) != Some(&b'"') {
            self.pos = ends(start);
            return Cow::Borrowed(&text[start..self.pos]);
        }
        // Quoted: pieces between doubled quotes, up to the closing quote,
        // then text up to the field's end.
        let mut owned = String::new();
        let mut piece = start + 1;
        loop {
            let Some(quote) = b[piece..]
                .iter()
                .position(|&c| c == b'"')
                .map(|i| piece + i)
            else {
                self.pos = b.len();
                if owned.is_empty() {
                    return Cow::Borrowed(&text[piece..]);
                }
                owned.push_str(&text[piece..]);
                return Cow::Owned(owned);
            };
            if b.get(quote + 1) == Some(&b'"') {
                owned.push_str(&text[piece..=quote]);
                piece = quote + 2;
                continue;
            }
            self.pos = ends(quote + 1);
            if owned.is_empty() && self.pos == quote + 1 {
                return Cow::Borrowed(&text[piece..quote]);
            }
            owned.push_str(&text[piece..quote]);
            owned.push_str(&text[quote + 1..self.pos]);
            return Cow::Owned(owned);
        }
    }
}

impl<'a> Iterator for CsvRecords<'a> {
    type Item = Vec<Cow<'a, str>>;

    fn next(&mut self) -> Option<Self::Item> {
        let b = self.text.as_bytes();
        while matches!(b.get(self.pos), Some(b'\r' | b'\n')) {
            self.pos += 1;
        }
        if self.pos >= b.len() {
            return None;
        }
        let mut record = Vec::new();
        loop {
            record.push(self.field());
            match b.get(self.pos) {
                Some(b',') => self.pos += 1,
                // A record's end (a `\n` after a `\r` is skipped above).
                Some(_) => {
                    self.pos += 1;
                    return Some(record);
                }
                None => return Some(record),
            }
        }
    }
}

fn is_truthy(flag: &str) -> bool {
    matches!(
        flag.trim().to_lowercase().as_str(),
        "1" | "true" | "yes" | "是" | "y"
    )
}

// --------------------------------------------------------------- JD TSV

/// JDDC layout: session, customer, is-seller (0/1), transferred, repeated, SKU, text.
fn parse_jd_tsv<'a>(text: &str, lines: &[&'a str]) -> Option<Vec<Raw<'a>>> {
    // Without a tab no line fits (one pass of memchr; the per-line check
    // below was 2 % of parsing a Qianniu chat, measured).
    if !text.contains('\t') {
        return None;
    }
    // Seven or more tab-separated fields, the third a 0/1 shop flag. Counted
    // before anything is allocated: most transcripts are not this shape.
    let fits = |line: &str| {
        let mut fields = line.split('\t');
        let flag = fields.nth(2);
        fields.nth(3).is_some() && matches!(flag.map(str::trim), Some("0" | "1"))
    };
    let nonempty = lines.iter().filter(|l| !l.is_empty()).count();
    if nonempty == 0 {
        return None;
    }
    // At least 80 % must fit: stop at the first miss too many.
    let mut misses = 0;
    for line in lines.iter().filter(|l| !l.is_empty()) {
        if !fits(line) {
            misses += 1;
            if misses * 10 > nonempty * 2 {
                return None;
            }
        }
    }
    let out = lines
        .iter()
        .filter(|l| fits(l))
        .map(|l| {
            // The seventh field onwards is the text, tabs and all.
            let mut fields = l.splitn(7, '\t');
            let name = fields.nth(1).unwrap_or("").trim();
            let flag = fields.next().unwrap_or("").trim();
            let text = fields.nth(3).unwrap_or("").trim();
            Raw {
                name: Some(name.to_string()).filter(|s| !s.is_empty() && flag == "0"),
                role: Some(if flag == "1" {
                    Speaker::Shop
                } else {
                    Speaker::Buyer
                }),
                lines: Lines::one(text),
                ..Raw::default()
            }
        })
        .filter(|r| r.lines.first.as_ref().is_some_and(|l| !l.is_empty()))
        .collect::<Vec<_>>();
    (!out.is_empty()).then_some(out)
}

// ------------------------------------------------------------------ JSON

/// A JSON export: an array of messages, or an object holding one under
/// `messages` (also as a JSON string, as in Tmall brand dumps).
fn parse_json(text: &str) -> Option<Vec<Raw<'static>>> {
    let trimmed = text.trim();
    if !(trimmed.starts_with('[') || trimmed.starts_with('{')) {
        return None;
    }
    let value: serde_json::Value = serde_json::from_str(trimmed).ok()?;
    let list = match &value {
        serde_json::Value::Array(items) => items.clone(),
        serde_json::Value::Object(map) => match map.get("messages")? {
            serde_json::Value::Array(items) => items.clone(),
            serde_json::Value::String(s) => serde_json::from_str(s).ok()?,
            _ => return None,
        },
        _ => return None,
    };
    let str_of = |v: &serde_json::Value, keys: &[&str]| {
        keys.iter().find_map(|k| match v.get(k)? {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            serde_json::Value::Object(o) => {
                o.get("text").and_then(|t| t.as_str()).map(str::to_string)
            }
            _ => None,
        })
    };
    let mut out = Vec::new();
    for item in &list {
        let Some(body) = str_of(item, &["content", "text", "msg", "message", "StrContent"]) else {
            continue;
        };
        let flag = ["waiterSend", "isSelf", "IsSender", "is_seller", "isSeller"]
            .iter()
            .find_map(|k| item.get(k))
            .map(|f| match f {
                serde_json::Value::Bool(b) => *b,
                other => is_truthy(other.as_str().unwrap_or(&other.to_string())),
            });
        out.push(Raw {
            name: str_of(
                item,
                &[
                    "sender_nick",
                    "senderName",
                    "sender",
                    "NickName",
                    "from",
                    "talker",
                ],
            ),
            role: flag.map(|shop| if shop { Speaker::Shop } else { Speaker::Buyer }),
            time: str_of(item, &["time", "created", "StrTime", "createTime"])
                .map(|t| normalize_time(&t)),
            lines: body.lines().map(|l| Cow::Owned(l.to_string())).collect(),
            system: false,
            system_known: false,
        });
    }
    (!out.is_empty()).then_some(finish(out))
}

// ----------------------------------------------------------- no structure

/// Plain lines with no names: each line is a message, the buyer's unless
/// it plainly reads as the shop talking (为您, 客官, 本店 …).
fn parse_unstructured<'a>(lines: &[&'a str]) -> Vec<Raw<'a>> {
    let mut out = Vec::new();
    let several = lines.iter().filter(|l| !l.is_empty()).count() > 1;
    // One buffer for every line's compact form.
    let mut compact = String::new();
    for &line in lines {
        let trimmed = trim_start_fast(line);
        if trimmed.is_empty() {
            continue;
        }
        compact.clear();
        compact.extend(trimmed.chars().filter(|c| !c.is_whitespace()));
        let shop = STRONG_SHOP_TALK.is_match(&compact)
            || (SHOP_TALK.is_match(&compact) && !asks_question(&compact));
        let role = if several && shop {
            Speaker::Shop
        } else {
            Speaker::Buyer
        };
        out.push(Raw {
            role: Some(role),
            lines: Lines::one(trimmed),
            // The message's text is this line: checked once, here.
            system: is_system_trimmed(trimmed),
            system_known: true,
            ..Raw::default()
        });
    }
    out
}

/// Phrases only an agent uses, even in a question.
static STRONG_SHOP_TALK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"客官|亲亲|小店|本店|欢迎光临|有什么(可以|能)?(帮|为)您|很高兴为您|为您服务|请问有什么需要")
        .expect("valid strong shop-talk regex")
});

/// Phrases an agent uses and a buyer hardly does.
static SHOP_TALK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"为您|给您|帮您|客官|亲亲|小店|本店|欢迎光临|感谢您|谢谢您的|请稍等|我们这边|我们店|您的订单|已为您|亲[，,~～ ]*(您好|在的)|宝妈~|亲爱的顾客")
        .expect("valid shop-talk regex")
});

fn asks_question(text: &str) -> bool {
    text.contains(['?', '？', '吗', '么'])
}

// --------------------------------------------------------------- speakers

/// Shop-side names: a sub-account (`shop:agent`) or a shop word.
static SHOP_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[:：]|客服|旗舰店|专营店|专卖店|官方|店铺|小二|售后|售前|商城|自营|店$|店[-_ ]|服务助手|卖家")
        .expect("valid shop-name regex")
});

/// The side each name speaks for: a list searched in order while short (a
/// chat has a handful of names, and hashing one cost ~100 instructions a
/// message, measured), indexed past that.
#[derive(Default)]
struct NameSides<'a> {
    list: Vec<(&'a str, Speaker)>,
    /// Every name's place in `list`, once the list is long.
    index: NameMap<&'a str, usize>,
}

impl<'a> NameSides<'a> {
    const SHORT: usize = 16;

    fn position(&self, name: &str) -> Option<usize> {
        if self.list.len() <= Self::SHORT {
            self.list.iter().position(|&(n, _)| n == name)
        } else {
            self.index.get(name).copied()
        }
    }

    fn contains_key(&self, name: &str) -> bool {
        self.position(name).is_some()
    }

    fn get(&self, name: &str) -> Option<Speaker> {
        self.position(name).map(|i| self.list[i].1)
    }

    fn insert(&mut self, name: &'a str, side: Speaker) {
        if let Some(i) = self.position(name) {
            self.list[i].1 = side;
            return;
        }
        self.list.push((name, side));
        if self.list.len() > Self::SHORT {
            if self.index.is_empty() {
                self.index = self
                    .list
                    .iter()
                    .enumerate()
                    .map(|(i, &(n, _))| (n, i))
                    .collect();
            } else {
                self.index.insert(name, self.list.len() - 1);
            }
        }
    }

    fn any_shop(&self) -> bool {
        self.list.iter().any(|&(_, side)| side == Speaker::Shop)
    }
}

/// Settles each message's speaker from role words, names and, where
/// neither tells, from how each name talks.
fn assign_speakers(raw: Vec<Raw<'_>>) -> Vec<Message> {
    let mut name_side = NameSides::default();
    let mut unresolved: Vec<&str> = Vec::new();
    for r in &raw {
        let Some(name) = r.name.as_deref() else {
            continue;
        };
        if r.role.is_some() || name_side.contains_key(name) || unresolved.contains(&name) {
            continue;
        }
        if name == "我" {
            continue; // settled below, as the other side
        }
        let cleaned = fast2s::convert(name.trim_start_matches("cntaobao"));
        let cleaned = cleaned.as_str();
        if SHOP_NAME.is_match(cleaned) {
            name_side.insert(name, Speaker::Shop);
        } else if let Some(role) = role_of(cleaned) {
            name_side.insert(name, role);
        } else {
            unresolved.push(name);
        }
    }
    // 我 (chat exporters name the user's own side so) is whichever side
    // the other names are not.
    if raw
        .iter()
        .any(|r| r.name.as_deref() == Some("我") && r.role.is_none())
    {
        let others_shop = name_side.any_shop();
        name_side.insert(
            "我",
            if others_shop {
                Speaker::Buyer
            } else {
                Speaker::Shop
            },
        );
        if !others_shop {
            for name in unresolved.drain(..) {
                name_side.insert(name, Speaker::Buyer);
            }
        }
    }
    if !unresolved.is_empty() {
        let shop_known = name_side.any_shop() || raw.iter().any(|r| r.role == Some(Speaker::Shop));
        if shop_known
            || unresolved.len() == 1 && !raw.iter().any(|r| r.role == Some(Speaker::Buyer))
        {
            for name in unresolved {
                name_side.insert(name, Speaker::Buyer);
            }
        } else {
            // No name says which side it is: the one that talks most like
            // an agent is the shop; the first speaker breaks ties (buyers
            // open chats).
            let score = |name: &str| {
                let texts: Vec<String> = raw
                    .iter()
                    .filter(|r| r.name.as_deref() == Some(name))
                    .map(Raw::text)
                    .collect();
                let shop = texts
                    .iter()
                    .filter(|t| SHOP_TALK.is_match(t) || t.starts_with('亲'))
                    .count();
                let asks = texts.iter().filter(|t| asks_question(t)).count();
                (shop as f32 - asks as f32 * 0.5) / texts.len().max(1) as f32
            };
            let first = raw.iter().find_map(|r| r.name.as_deref());
            let mut best: Option<(&str, f32)> = None;
            for &name in &unresolved {
                let s = score(name) - if first == Some(name) { 0.01 } else { 0.0 };
                if best.as_ref().is_none_or(|(_, b)| s > *b) {
                    best = Some((name, s));
                }
            }
            let shop = best.map(|(n, _)| n);
            for name in unresolved {
                let side = if Some(name) == shop {
                    Speaker::Shop
                } else {
                    Speaker::Buyer
                };
                name_side.insert(name, side);
            }
        }
    }
    let speakers: Vec<Speaker> = raw
        .iter()
        .map(|r| {
            r.role
                .or_else(|| r.name.as_deref().and_then(|n| name_side.get(n)))
                .unwrap_or(Speaker::Unknown)
        })
        .collect();
    drop(name_side);
    raw.into_iter()
        .zip(speakers)
        .map(|(r, speaker)| {
            let text = r.text();
            // The text is trimmed already.
            let system = r.system || !r.system_known && is_system_trimmed(&text);
            Message {
                speaker,
                name: r.name,
                time: r.time,
                text,
                system,
            }
        })
        .collect()
}

// ----------------------------------------------------------- system lines

/// Whole-message system content: media placeholders, links, order cards,
/// platform notices.
static SYSTEM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:\[(?:图片|表情|动画表情|语音|视频|文件|位置|红包|转账|链接|商品链接|商品|订单|卡片|小程序|名片|emoji)[^\]]{0,60}\][ \t]*)+$|^https?://\S+$|以下为新消息|撤回了一条消息|^当前用户来自|^商品详情页|^由.{0,20}转交给|^原因[:：]【|^顾客通过点击|^\[订单编号[:：]|^#E-s\[|^系统(消息|提示)|^(买家)?(信用|信誉)(等级)?[:：]",
    )
    .expect("valid system regex")
});

/// True when a message is a system line, not something a person wrote.
pub fn is_system_text(text: &str) -> bool {
    is_system_trimmed(text.trim())
}

/// [`is_system_text`] of a trimmed text.
fn is_system_trimmed(text: &str) -> bool {
    // Every alternative of SYSTEM but two is anchored at the start: a text
    // opening with none of their first characters needs only the two
    // unanchored phrases looked for (the regex's prefilter cost ~300
    // instructions a call on short lines, 6 % of parsing a Qianniu chat,
    // measured). The literal alternatives are read here too: building
    // SYSTEM costs ~5 M instructions, which the ECD corpus paid for a dozen
    // texts opening with 买 (measured).
    let anchored = match text.chars().next() {
        Some('[') => return SYSTEM.is_match(text),
        // `由.{0,20}转交给`
        Some('由') => {
            let rest = &text['由'.len_utf8()..];
            let mut at = 0;
            let mut found = false;
            for _ in 0..=20 {
                found = rest[at..].starts_with("转交给");
                match rest[at..].chars().next() {
                    Some(c) if !found && c != '\n' => at += c.len_utf8(),
                    _ => break,
                }
            }
            found
        }
        Some('h') => text
            .strip_prefix("http://")
            .or_else(|| text.strip_prefix("https://"))
            .is_some_and(|rest| !rest.is_empty() && !rest.contains(char::is_whitespace)),
        Some('当') => text.starts_with("当前用户来自"),
        Some('商') => text.starts_with("商品详情页"),
        Some('原') => text.starts_with("原因:【") || text.starts_with("原因：【"),
        Some('顾') => text.starts_with("顾客通过点击"),
        Some('#') => text.starts_with("#E-s["),
        Some('系') => text.starts_with("系统消息") || text.starts_with("系统提示"),
        // `(买家)?(信用|信誉)(等级)?[:：]`
        Some('买' | '信') => {
            let rest = text.strip_prefix("买家").unwrap_or(text);
            rest.strip_prefix("信用")
                .or_else(|| rest.strip_prefix("信誉"))
                .map(|rest| rest.strip_prefix("等级").unwrap_or(rest))
                .is_some_and(|rest| rest.starts_with([':', '：']))
        }
        _ => false,
    };
    anchored || has_unanchored_system_phrase(text)
}

/// `text.contains("以下为新消息") || text.contains("撤回了一条消息")`, with
/// one search for the 消息 both end in (rare in a chat) instead of two:
/// `str::contains` cost ~250 instructions a phrase on a short line; byte
/// loops and memchr for a character cost more on long lines (measured).
fn has_unanchored_system_phrase(text: &str) -> bool {
    // (Shorter than the shorter phrase: neither fits.)
    text.len() >= "以下为新消息".len()
        && text.contains("消息")
        && (text.contains("以下为新消息") || text.contains("撤回了一条消息"))
}

// ----------------------------------------------------------------- credit

static CREDIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:信用|信誉|等级|级别)[^\n]{0,6}?(?P<n>[一二两三四五1-5])?\s*(?:颗|个)?\s*(?P<u>心|钻石|钻|皇冠|金冠|冠)|(?P<n2>[一二两三四五1-5])\s*(?:颗|个)?\s*(?P<u2>心|钻|皇冠|金冠)(?:买家|用户|信用|级|号)|(?P<u3>皇冠|金冠)(?:买家|用户|级)",
    )
    .expect("valid credit regex")
});

/// Finds a buyer credit level (三心, 一钻, 皇冠) stated in the text.
fn detect_credit(text: &str, lines: &[&str]) -> Option<String> {
    // Most chats name no 心, 钻 or 冠 at all: three memchr passes over the
    // text instead of a char-set scan of every line (measured: ...).
    if !['心', '钻', '冠'].iter().any(|&unit| text.contains(unit)) {
        return None;
    }
    for line in lines {
        if !line.contains(['心', '钻', '冠']) {
            continue;
        }
        if let Some(c) = CREDIT.captures(line) {
            let n = c.name("n").or_else(|| c.name("n2")).map(|m| m.as_str());
            let unit = c
                .name("u")
                .or_else(|| c.name("u2"))
                .or_else(|| c.name("u3"))
                .map_or("", |m| m.as_str());
            let unit = match unit {
                "钻石" => "钻",
                "冠" => "皇冠",
                u => u,
            };
            let n = n.map(|n| match n {
                "1" => "一",
                "2" | "两" => "二",
                "3" => "三",
                "4" => "四",
                "5" => "五",
                other => other,
            });
            return match (n, unit) {
                (Some(n), u) => Some(format!("{n}{u}")),
                (None, "心") => None,
                (None, u) => Some(u.to_string()),
            };
        }
    }
    None
}

/// Whether a credit level (as [`Transcript::buyer_credit`] gives it) is
/// three hearts or above: the seeds' rule of thumb for an experienced buyer.
pub fn credit_is_experienced(credit: &str) -> bool {
    if credit.ends_with('心') {
        credit.starts_with(['三', '四', '五'])
    } else {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The regexes the hand-written header and time readers replaced: they
    /// are the specification the readers are checked against.
    static OLD_HEADER: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"^(?P<name>.*?)[ \t]*(?P<time>(?:\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?|\d{1,2}[-/]\d{1,2})[ \t]+\d{1,2}:\d{2}(?::\d{2})?|\d{1,2}:\d{2}(?::\d{2})?)$",
        )
        .unwrap()
    });
    static OLD_TIME_PARTS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(?:(?:(\d{4})[-/.年])?(\d{1,2})[-/.月](\d{1,2})日?[ \t]+)?(\d{1,2}):(\d{2})(?::(\d{2}))?$")
            .unwrap()
    });

    fn old_normalize_time(time: &str) -> String {
        let Some(c) = OLD_TIME_PARTS.captures(time.trim()) else {
            return time.trim().to_string();
        };
        let num = |i: usize| c.get(i).map(|m| m.as_str().parse::<u32>().unwrap_or(0));
        let clock = match num(6) {
            Some(s) => format!(
                "{:02}:{:02}:{:02}",
                num(4).unwrap_or(0),
                num(5).unwrap_or(0),
                s
            ),
            None => format!("{:02}:{:02}", num(4).unwrap_or(0), num(5).unwrap_or(0)),
        };
        match (c.get(1), num(2), num(3)) {
            (Some(y), Some(m), Some(d)) => format!("{}-{m:02}-{d:02}T{clock}", y.as_str()),
            (None, Some(m), Some(d)) => format!("{m:02}-{d:02}T{clock}"),
            _ => clock,
        }
    }

    /// Header-like text: names, digits and every separator the readers know.
    fn header_text() -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop::sample::select(vec![
                "0", "1", "2", "5", "9", "12", "2024", ":", "-", "/", ".", " ", "\t", "年", "月",
                "日", "tb", "小雅", ":", "店", "，",
            ]),
            0..14,
        )
        .prop_map(|parts| parts.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        // The hand-written time reader says what the old regex said.
        #[test]
        fn time_reader_matches_the_regex(text in header_text()) {
            prop_assert_eq!(normalize_time(&text), old_normalize_time(&text));
        }

        // The header's name and time split where the old captures did.
        #[test]
        fn header_split_matches_the_regex(text in header_text()) {
            let old = OLD_HEADER
                .captures(&text)
                .map(|c| (c["name"].to_string(), c["time"].to_string()));
            let new = HEADER_TIME.find(&text).map(|m| {
                (
                    text[..m.start()].to_string(),
                    m.as_str().trim_start_matches([' ', '\t']).to_string(),
                )
            });
            prop_assert_eq!(new, old);
        }

        // The hand-read header times start where the regex's match does,
        // and a time called plain normalises as the reader says.
        #[test]
        fn header_time_start_matches_the_regex(
            text in prop_oneof![header_text(), plain_header()],
        ) {
            let found = header_time_start(&text);
            let old = HEADER_TIME.find(&text).map(|m| m.start());
            prop_assert_eq!(found.map(|(start, _)| start), old);
            if let Some((start, true)) = found {
                let time = text[start..].trim_start_matches([' ', '\t']);
                prop_assert_eq!(normalize_plain_time(time), old_normalize_time(time));
            }
        }

        // The plain-time shortcut says what the old regex said.
        #[test]
        fn plain_time_matches_the_regex(text in plain_time()) {
            prop_assert_eq!(normalize_time(&text), old_normalize_time(&text));
        }

        // The hand-written `who: rest` split is the old regex's captures.
        #[test]
        fn prefix_split_matches_the_regex(text in prefix_text()) {
            // An empty speaker is no speaker to the caller.
            let old = OLD_PREFIX
                .captures(&text)
                .map(|c| (c["who"].trim().to_string(), c["rest"].to_string()))
                .filter(|(who, _)| !who.is_empty());
            let new = split_prefix(&text)
                .map(|(who, rest)| (who.trim().to_string(), rest.to_string()))
                .filter(|(who, _)| !who.is_empty());
            prop_assert_eq!(new, old);
        }

        #[test]
        fn date_start_matches_the_regex(text in prefix_text()) {
            prop_assert_eq!(starts_with_date(&text), DATE_START.is_match(&text));
        }

        // The literal pre-check never changes the SYSTEM regex's answer.
        #[test]
        fn system_check_matches_the_regex(text in system_text()) {
            prop_assert_eq!(is_system_text(&text), SYSTEM.is_match(text.trim()));
        }

        // `由…转交给` within and past its 20 characters.
        #[test]
        fn transfer_check_matches_the_regex(
            len in 0..24usize,
            newline in prop::option::of(0..24usize),
            tail in prop::sample::select(vec!["转交给", "转交", "转交给小美", ""]),
        ) {
            let middle: String = (0..len)
                .map(|i| if Some(i) == newline { '\n' } else { ['a', '客', ' '][i % 3] })
                .collect();
            let text = format!("由{middle}{tail}");
            prop_assert_eq!(is_system_text(&text), SYSTEM.is_match(text.trim()));
        }

        #[test]
        fn sentence_marks_match_the_char_set(text in prefix_text()) {
            prop_assert_eq!(
                has_sentence_mark(&text),
                text.contains(['，', '。', '？', '！', '?', '!', ',', ' '])
            );
        }

        #[test]
        fn fast_trims_match_std(text in trim_text()) {
            prop_assert_eq!(trim_fast(&text), text.trim());
            prop_assert_eq!(trim_start_fast(&text), text.trim_start());
            prop_assert_eq!(trim_end_fast(&text), text.trim_end());
        }

        // The line splitter is `lines()` trimmed at the end.
        #[test]
        fn lines_match_std(text in lines_text()) {
            let old: Vec<&str> = text.lines().map(str::trim_end).collect();
            prop_assert_eq!(split_lines(&text), old);
        }

        // The CSV records are the csv crate's.
        #[test]
        fn csv_records_match_the_csv_crate(text in csv_text()) {
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(text.as_bytes());
            let old: Vec<Vec<String>> = reader
                .records()
                .map(|r| r.unwrap().iter().map(str::to_string).collect())
                .collect();
            let new: Vec<Vec<String>> = CsvRecords::new(&text)
                .map(|r| r.into_iter().map(Cow::into_owned).collect())
                .collect();
            prop_assert_eq!(new, old);
        }
    }

    /// The regexes hand-written code replaced, kept as its specification.
    static OLD_PREFIX: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^[ \t]*(?P<who>[^:：\t]{1,24}?)[ \t]*[:：][ \t]*(?P<rest>.*)$").unwrap()
    });

    fn concat_of(parts: Vec<&'static str>, max: usize) -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(parts), 0..max).prop_map(|p| p.concat())
    }

    /// A name, blanks, and a time in one of the plain shapes (or nearly).
    fn plain_header() -> impl Strategy<Value = String> {
        let name = concat_of(
            vec![
                "tb",
                "小雅",
                "1",
                "9",
                "日",
                "月",
                "-",
                ":",
                "：",
                "店",
                " ",
                "\t",
                "٣",
                "０",
                "a",
                ",",
                "2024年5月12日",
                "5-12",
                "2024-05-12",
                "12",
            ],
            4,
        );
        (name, plain_time()).prop_map(|(name, time)| name + &time)
    }

    /// Blanks and a time in one of the plain shapes (or nearly).
    fn plain_time() -> impl Strategy<Value = String> {
        let blanks = concat_of(vec![" ", "\t"], 3);
        let digit = prop::sample::select(vec!['0', '1', '2', '5', '9']);
        let shape = prop::sample::select(vec![
            "9999-99-99 99:99:99",
            "9999-99-99 99:99",
            "99:99:99",
            "99:99",
            "9:99",
            "99-99 99:99",
            "9999/99/99 99:99",
        ]);
        (blanks, shape, prop::collection::vec(digit, 19)).prop_map(|(blanks, shape, digits)| {
            let mut digits = digits.into_iter();
            let time: String = shape
                .chars()
                .map(|c| {
                    if c == '9' {
                        digits.next().unwrap_or('0')
                    } else {
                        c
                    }
                })
                .collect();
            blanks + &time
        })
    }

    /// Would-be `who: rest` lines.
    fn prefix_text() -> impl Strategy<Value = String> {
        concat_of(
            vec![
                " ",
                "\t",
                ":",
                "：",
                "买家",
                "客服",
                "a",
                "http",
                "2024",
                "-",
                "年",
                "1",
                "0",
                "小美小美小美小美",
                "\u{3000}",
                "，",
                "。",
                "？",
                "！",
                "?",
                "!",
                ",",
                "٣",
                "x y",
            ],
            12,
        )
    }

    /// Texts around the SYSTEM regex's alternatives.
    fn system_text() -> impl Strategy<Value = String> {
        concat_of(
            vec![
                "由于",
                "转交给",
                "小美小美小美小美",
                "http",
                "s",
                "://",
                "/",
                "原因:【",
                "买家信用：",
                "#E-s",
                "\u{2003}",
                "[图片]",
                "[表情]",
                "[",
                "]",
                "订单",
                "http://",
                "https://a.b",
                " ",
                "\t",
                "\n",
                "以下为新消息",
                "以下为新",
                "消息",
                "撤回了一条消息",
                "当前用户来自",
                "商品详情页",
                "由",
                "转交给",
                "原因",
                ":",
                "：",
                "【",
                "顾客通过点击",
                "[订单编号",
                "#E-s[",
                "系统消息",
                "系统提示",
                "买家",
                "信用",
                "信誉",
                "等级",
                "你好",
                "h",
                "\u{3000}",
            ],
            6,
        )
    }

    /// Blanks of every kind around ASCII, CJK and other text.
    fn trim_text() -> impl Strategy<Value = String> {
        concat_of(
            vec![
                " ", "\t", "\u{b}", "\u{1c}", "\u{85}", "\u{a0}", "\u{2003}", "\u{3000}",
                "\u{feff}", "a", "~", "\u{7f}", "买", "一", "龥", "々", "é", "😀", "\u{ac00}",
            ],
            6,
        )
    }

    fn lines_text() -> impl Strategy<Value = String> {
        concat_of(
            vec![
                "\n",
                "\r\n",
                "\r",
                " ",
                "\t",
                "a",
                "买家：在吗",
                "0123456789",
                "\u{3000}",
            ],
            24,
        )
    }

    /// CSV-ish text: quotes, separators, line ends, a BOM.
    fn csv_text() -> impl Strategy<Value = String> {
        concat_of(
            vec![
                ",", "\"", "\"\"", "\n", "\r", "\r\n", " ", "\t", "a", "内容", "#", "'", "\\",
                "\u{FEFF}",
            ],
            20,
        )
    }

    fn speakers(t: &Transcript) -> Vec<Speaker> {
        t.messages
            .iter()
            .filter(|m| !m.system)
            .map(|m| m.speaker)
            .collect()
    }

    use Speaker::{Buyer as B, Shop as S};

    // Qianniu: glued, spaced and two-line headers; read receipts dropped.
    #[test]
    fn qianniu_header_shapes() {
        let t = parse("tb_buyer2024-01-15 14:30:25\n在吗\n店铺名:小美\n2024-01-15 14:30:40\n亲，在的哦\n已读\ntb_buyer 2024-01-15 14:31:02\n有货吗\n以下为新消息");
        assert_eq!(t.format, Format::QianniuPaste);
        assert_eq!(speakers(&t), vec![B, S, B]);
        assert_eq!(t.messages[0].name.as_deref(), Some("tb_buyer"));
        assert_eq!(t.messages[1].text, "亲，在的哦");
        assert_eq!(t.messages[1].time.as_deref(), Some("2024-01-15T14:30:40"));
        assert!(
            t.messages.last().unwrap().system,
            "以下为新消息 is a system line"
        );
    }

    // Role-prefixed lines with full-width colons; 我 is the other side.
    #[test]
    fn prefixed_roles() {
        let t = parse("我：在吗 上次买的还有吗\n卖家：亲在的\n我：好 拍了");
        assert_eq!(t.format, Format::PlainPrefixed);
        assert_eq!(speakers(&t), vec![B, S, B]);
        let t = parse("顾客:这个能便宜点吗\n续一行\n客服：亲，不能哦");
        assert_eq!(speakers(&t), vec![B, S]);
        assert_eq!(t.messages[0].text, "这个能便宜点吗\n续一行");
    }

    // WeChat: clock-only headers and names with no role word.
    #[test]
    fn wechat_shapes() {
        let t =
            parse("七七妈 15:07\n你好 在吗\n贝贝乐母婴客服 15:07\n在的宝妈~\n七七妈 15:09\n透气吗");
        assert_eq!(t.format, Format::WechatPaste);
        assert_eq!(speakers(&t), vec![B, S, B]);
        let t = parse("[2025-05-29 10:48:45] Vivian_Z:\n你们支持一件代发吗\n[2025-05-29 10:50:01] 若兮女装-客服:\n您好\n[2025-05-29 10:51:00] Vivian_Z: 那招代理吗");
        assert_eq!(speakers(&t), vec![B, S, B]);
        assert_eq!(t.messages[2].text, "那招代理吗");
    }

    // CSV with a header row, quoted fields and embedded newlines.
    #[test]
    fn csv_export() {
        let t = parse("时间,发送方,接收方,内容\n2024-10-20 15:57:20,老周,山行户外:阿峰,\"防水吗,\n洗了会不会掉\"\n2024-10-20 15:58:23,山行户外:阿峰,老周,亲，防水的");
        assert_eq!(t.format, Format::CsvExport);
        assert_eq!(speakers(&t), vec![B, S]);
        assert_eq!(t.messages[0].text, "防水吗,\n洗了会不会掉");
    }

    // A CSV export with Traditional headers is still a CSV export, and a
    // dated row is never read as a speaker prefix.
    #[test]
    fn traditional_csv_header() {
        let t = parse("時間,發送方,接收方,內容\n2025-09-29 11:15:23,Jason_HK,清風旗艦店:小風,有冇貨\n2025-09-29 11:16:33,清風旗艦店:小風,Jason_HK,有");
        assert_eq!(t.format, Format::CsvExport);
        assert_eq!(speakers(&t), vec![B, S]);
        assert_eq!(t.messages[0].text, "有冇貨");
    }

    // Unstructured text is the buyer's; obvious agent lines are the shop's.
    #[test]
    fn unstructured() {
        let t = parse("亲 这个口红还有货吗 明天能发不");
        assert_eq!(t.format, Format::BuyerOnly);
        assert_eq!(speakers(&t), vec![B]);
        let t = parse("有货吗\n亲，已为您查询，有货的哦\n好的");
        assert_eq!(speakers(&t), vec![B, S, B]);
    }

    // A sentence ending in a time is content, not a header.
    #[test]
    fn time_in_sentence_is_content() {
        let t = parse("买家：明天下午 3:30 之前能到吗\n客服：可以的");
        assert_eq!(t.format, Format::PlainPrefixed);
        assert_eq!(t.messages[0].text, "明天下午 3:30 之前能到吗");
    }

    // The CSV reader on the cases that differ from a plain split.
    #[test]
    fn csv_records() {
        let records = |text| {
            CsvRecords::new(text)
                .map(|r| r.into_iter().map(Cow::into_owned).collect::<Vec<_>>())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            records("\u{FEFF}a,\"b\"\"c\"d,\r\n\r\n\"x\"\"\ny,"),
            vec![vec!["a", "b\"cd", ""], vec!["x\"\ny,"]]
        );
        assert_eq!(records("a\"b,c\n\n"), vec![vec!["a\"b", "c"]]);
    }

    // Credit levels are read when the text states them.
    #[test]
    fn credit_levels() {
        assert_eq!(
            parse("买家信用：三心\n买家：在吗").buyer_credit.as_deref(),
            Some("三心")
        );
        assert_eq!(parse("信誉等级 2钻").buyer_credit.as_deref(), Some("二钻"));
        assert_eq!(
            parse("我是皇冠买家了").buyer_credit.as_deref(),
            Some("皇冠")
        );
        assert_eq!(parse("买家：我一心一意想买").buyer_credit, None);
        assert!(credit_is_experienced("三心") && !credit_is_experienced("二心"));
    }
}
