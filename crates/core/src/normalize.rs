//! Text normalisation for matching, with a map back to the original.
//!
//! Cues are matched against a normalised copy of each message:
//! Traditional → Simplified, full-width → half-width, ASCII lower case,
//! invisible marks (zero-width, bidi controls, combining marks, variation
//! selectors) removed. Whitespace depends on how the message uses it: in
//! word-segmented text (`我 想 问 一下 包 邮 吗`, as in JDDC/ECD exports)
//! it separates words and is removed, so `包 邮` matches `包邮`; in
//! ordinary chat (`拍了 改吧`) a space is the writer's comma, so a run of
//! whitespace becomes one `' '`, a clause break that negation and regex
//! gaps do not reach across (`我不急 包邮吗` asks for free shipping).
//! Next to ASCII text (`iphone 15`, `M 能穿吗`) whitespace is removed.
//! Every byte of the normalised text maps back to the index (in Unicode
//! scalar values) of the original character it came from, so evidence
//! points at what the agent pasted.

/// A normalised copy of a text and its map back to the original.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Normalized {
    /// The normalised text.
    pub text: String,
    /// For each byte of `text`, the char index in the original text;
    /// one extra entry at the end holds the original's char count.
    origin: Vec<u32>,
}

impl Normalized {
    /// The original char range `[start, end)` for the normalised byte range.
    ///
    /// `end` is exclusive and must be a char boundary of `text`.
    pub fn original_range(&self, start: usize, end: usize) -> (usize, usize) {
        let first = self.origin[start] as usize;
        // The last normalised byte's origin char, plus one: excludes any
        // removed characters (spaces) that followed the match.
        let last = if end > start {
            self.origin[end - 1] as usize + 1
        } else {
            first
        };
        (first, last)
    }
}

/// Normalises `original` for matching. See the module doc for what changes.
pub fn normalize(original: &str) -> Normalized {
    let mut text = String::with_capacity(original.len());
    let mut origin = Vec::with_capacity(original.len() + 1);
    let mut char_count = 0u32;
    let spaces_separate_words = is_word_segmented(original);
    // Index of the first whitespace char of a run not yet written.
    let mut pending_space: Option<u32> = None;
    for (index, c) in original.chars().enumerate() {
        char_count = index as u32 + 1;
        if c.is_whitespace() {
            pending_space.get_or_insert(index as u32);
            continue;
        }
        if let Some(mapped) = fold_char(c) {
            if let Some(space_at) = pending_space.take() {
                // Next to ASCII (`iphone 15`, `M 能穿吗`) a space is not
                // punctuation but part of how Latin text is written.
                let between_wide =
                    text.chars().next_back().is_some_and(|p| !p.is_ascii()) && !mapped.is_ascii();
                if !spaces_separate_words && between_wide {
                    text.push(' ');
                    origin.push(space_at);
                }
            }
            let before = text.len();
            text.push(mapped);
            origin.resize(text.len(), index as u32);
            debug_assert!(text.len() > before);
        }
    }
    if text.bytes().any(|b| b >= 0xE0) {
        // fast2s converts only 3-byte characters, each to a 3-byte
        // character, so byte offsets (and so `origin`) stay valid.
        let converted = fast2s::convert(&text);
        debug_assert_eq!(converted.len(), text.len());
        if converted.len() == text.len() {
            text = converted;
        }
    }
    origin.push(char_count);
    Normalized { text, origin }
}

/// Whether spaces in `text` separate words rather than clauses: at least
/// two whitespace runs between non-ASCII characters, and on average fewer
/// than 2.5 such characters per run (Chinese words are one to three
/// characters; chat clauses are longer).
fn is_word_segmented(text: &str) -> bool {
    let mut runs = 0usize;
    let mut wide = 0usize;
    let mut in_space = false;
    let mut previous_wide = false;
    for c in text.chars() {
        if c.is_whitespace() {
            in_space = true;
            continue;
        }
        let is_wide = !c.is_ascii();
        if in_space && previous_wide && is_wide {
            runs += 1;
        }
        in_space = false;
        previous_wide = is_wide;
        wide += usize::from(is_wide);
    }
    runs >= 2 && (wide as f32) / ((runs + 1) as f32) < 2.5
}

/// Folds one character for matching; `None` drops it.
#[inline]
fn fold_char(c: char) -> Option<char> {
    match c {
        'A'..='Z' => Some(c.to_ascii_lowercase()),
        // ASCII fast path: keep everything but whitespace and controls.
        '\0'..='\x7f' => (!c.is_ascii_whitespace() && !c.is_ascii_control()).then_some(c),
        // Full-width ASCII forms → ASCII.
        '\u{FF01}'..='\u{FF5E}' => {
            let ascii = char::from_u32(c as u32 - 0xFEE0)?;
            Some(ascii.to_ascii_lowercase())
        }
        '\u{3000}' => None,
        '\u{3002}' | '\u{FF61}' => Some('.'),
        '\u{3001}' => Some(','),
        // Invisible: zero-width, bidi controls, BOM, combining marks,
        // variation selectors.
        '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2069}'
        | '\u{FEFF}'
        | '\u{0300}'..='\u{036F}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{FE00}'..='\u{FE0F}'
        | '\u{E0100}'..='\u{E01EF}' => None,
        c if c.is_whitespace() || c.is_control() => None,
        c => Some(c),
    }
}

/// True when `c` ends a clause: the unit a negation reaches across.
#[inline]
pub(crate) fn is_clause_break(c: char) -> bool {
    matches!(
        c,
        ',' | '.'
            | '!'
            | '?'
            | ';'
            | '~'
            | ' '
            | '\n'
            | '…'
            | '，'
            | '。'
            | '！'
            | '？'
            | '；'
            | '～'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    // Traditional, full-width and spaced text all fold to one matchable form.
    #[test]
    fn folds_script_width_case_and_space() {
        assert_eq!(
            normalize("我 想 问 下 包 邮嗎？ＯＫ").text,
            "我想问下包邮吗?ok"
        );
        assert_eq!(normalize("運費險").text, "运费险");
        assert_eq!(normalize("包\u{200B}邮\u{202E}").text, "包邮");
    }

    // In ordinary chat a space is a clause break, kept as one ' '.
    #[test]
    fn spaces_between_clauses_stay_breaks() {
        assert_eq!(normalize("拍了  改吧").text, "拍了 改吧");
        assert_eq!(normalize("我不急 包邮吗").text, "我不急 包邮吗");
        assert_eq!(normalize("iphone 15 还有吗").text, "iphone15还有吗");
        assert_eq!(normalize("M 能穿吗 我 170").text, "m能穿吗 我170");
        assert_eq!(normalize("  你好\t").text, "你好");
        assert!(is_clause_break(' '));
    }

    // Offsets map back to original chars, skipping removed spaces.
    #[test]
    fn maps_back_to_original_chars() {
        let original = "亲 能 包 邮吗";
        let n = normalize(original);
        let start = n.text.find("包邮").unwrap();
        let (s, e) = n.original_range(start, start + "包邮".len());
        let matched: String = original.chars().skip(s).take(e - s).collect();
        assert_eq!(matched, "包 邮");
        assert_eq!((s, e), (4, 7));
    }
}
