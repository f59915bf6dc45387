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
    let mut may_convert = false;
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
            may_convert = may_convert || is_traditional(mapped);
            text.push(mapped);
            origin.resize(text.len(), index as u32);
            debug_assert!(text.len() > before);
        }
    }
    if may_convert {
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

/// The CJK block in which fast2s converts characters (its table's keys
/// run from U+4E1F to U+9F9C).
const CJK: std::ops::RangeInclusive<u32> = 0x4E00..=0x9FFF;

/// Characters fast2s converts only next to certain others (藉口 → 借口,
/// 看著 → 看着): alone they convert to themselves.
const CONVERTED_IN_CONTEXT: &[char] = &['藉', '著', '苧', '闔', '鍾', '讎', '畫'];

/// One bit per character of [`CJK`]: set when fast2s may convert it.
///
/// Measured: fast2s looks every character up in up to three hash maps;
/// for Simplified chats (nearly all of them) that was a sixth of scoring a
/// message, for no change. A message with none of these characters is
/// left as it is; one with any is converted by fast2s as before.
static TRADITIONAL: std::sync::LazyLock<Vec<u64>> = std::sync::LazyLock::new(|| {
    let mut bits = vec![0u64; (CJK.end() - CJK.start() + 1).div_ceil(64) as usize];
    let mut one = String::with_capacity(4);
    for code in CJK {
        let Some(c) = char::from_u32(code) else {
            continue;
        };
        one.clear();
        one.push(c);
        if fast2s::convert(&one) != one || CONVERTED_IN_CONTEXT.contains(&c) {
            let i = (code - CJK.start()) as usize;
            bits[i / 64] |= 1 << (i % 64);
        }
    }
    bits
});

/// Whether fast2s may convert `c` (a Traditional character).
fn is_traditional(c: char) -> bool {
    let code = c as u32;
    CJK.contains(&code) && {
        let i = (code - CJK.start()) as usize;
        TRADITIONAL[i / 64] & (1 << (i % 64)) != 0
    }
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

    // Characters fast2s converts only next to others still convert: the
    // table that lets Simplified text skip fast2s knows them.
    #[test]
    fn context_conversions_still_happen() {
        for word in ["藉口", "看著", "苧麻", "闔家", "鍾書", "校讎", "計畫"] {
            assert_eq!(normalize(word).text, fast2s::convert(word), "{word}");
        }
        assert_eq!(normalize("看著").text, "看着");
        assert_eq!(normalize("這個 還有貨嗎").text, "这个 还有货吗");
    }

    mod traditional_table {
        use super::*;
        use proptest::prelude::*;

        // Characters of the CJK block, Traditional ones (and the
        // context-converted ones) often.
        fn cjk_text() -> impl Strategy<Value = String> {
            let any_cjk = (*CJK.start()..=*CJK.end()).prop_filter_map("a char", char::from_u32);
            let traditional = prop::sample::select(
                "這還貨嗎運費險買賣藉口看著苧麻闔家鍾書校讎計畫答覆乾隆瞭望兒寬甚夥"
                    .chars()
                    .collect::<Vec<_>>(),
            );
            prop::collection::vec(prop_oneof![any_cjk, traditional, Just('口')], 0..12)
                .prop_map(|chars| chars.into_iter().collect())
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(4000))]
            // Skipping fast2s when no character is in the table never
            // changes a result: whatever fast2s would change has one.
            #[test]
            fn fast2s_changes_only_texts_the_table_flags(text in cjk_text()) {
                if !text.chars().any(is_traditional) {
                    prop_assert_eq!(fast2s::convert(&text), text);
                }
            }
        }
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
