//! Masking personal data before a conversation is stored.
//!
//! Buyers paste phone numbers, ID-card numbers, bank-card numbers and
//! delivery addresses into chats. The store writes none of them: with the
//! `privacy.mask` setting on (the default), [`mask`] replaces them with
//! `*` **character for character** — one `*` per Unicode scalar value
//! replaced — so every evidence `start`/`end` of a classification (counted
//! in scalar values) still points at the same place in the stored text.
//! Classification runs on the original text; only what is written is
//! masked.
//!
//! What is masked:
//! - mainland mobile numbers `1[3-9]x xxxx xxxx`, with spaces or dashes
//!   between the groups and an optional `+86`/`86` prefix, and landlines
//!   written with an area code and a dash (`0571-88886666`);
//! - 18-digit resident ID numbers (last character a digit or `X`) whose
//!   birth date is a real date and whose check character is right;
//! - bank-card numbers of 16 to 19 digits (optionally in groups of four)
//!   that start like a card (UnionPay `62`, Visa `4`, Mastercard `5`, `3`)
//!   and pass the Luhn check;
//! - the numbers of a street address (`中山路123号`, `88弄`), and of a
//!   building, unit and room (`3栋2单元501室`, `阳光小区12号楼`).
//!
//! What is not masked: order and waybill numbers (a number right after
//! `订单`, `单号`, `运单`, `快递` is left alone, and long numbers that fail
//! the ID or card checks are not personal data), prices, sizes
//! (`175/80A`), dates and times (`5号发货`, `2024-05-12 14:03:21`),
//! quantities, and the names of roads and estates themselves.
//!
//! Digits may be ASCII or full-width (`１３８…`).

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

use crate::model::Classification;

/// The character that replaces each masked character.
pub const MASK_CHAR: char = '*';

/// The numbers of an address: after a road word and before 号, or before
/// a building / unit / room word, or after one.
static ADDRESS: LazyLock<Regex> = LazyLock::new(|| {
    // House numbers may be Chinese numerals (中山路一百二十号); building,
    // unit and room numbers are digits (三室一厅 is a flat's layout).
    const HOUSE: &str = r"[0-9０-９一二三四五六七八九十百千零〇两]+(?:[\-－][0-9０-９]+)?";
    const UNIT: &str = r"[0-9０-９]+(?:[\-－][0-9０-９]+)?";
    Regex::new(&format!(
        r"(?:路|街|大道|大街|巷|弄|胡同|村)\s*(?P<house>{HOUSE})\s*(?:号|弄)|(?P<unit>{UNIT})\s*(?:栋|幢|号楼|单元|室|号房)|(?:栋|幢|号楼|单元|小区|花园|公寓|家园|大厦)\s*(?P<after>{UNIT})"
    ))
    .expect("a valid pattern")
});

/// Words that say the number after them is an order or waybill number.
const ORDER_WORDS: &[&str] = &[
    "订单", "单号", "运单", "快递", "物流", "编号", "order", "Order", "ORDER", "工单", "退款",
];

/// Masks personal data in `text`, one `*` per replaced character. Returns
/// the text unchanged (borrowed) when there is nothing to mask.
///
/// # Cost
/// One scan with each of two precompiled regexes; text without digits or
/// address words is returned without allocating.
pub fn mask(text: &str) -> Cow<'_, str> {
    let spans = personal_spans(text);
    if spans.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (start, end) in spans {
        if start < last {
            // Overlapping spans: mask the rest of this one.
            if end <= last {
                continue;
            }
            out.extend(text[last..end].chars().map(mask_char));
        } else {
            out.push_str(&text[last..start]);
            out.extend(text[start..end].chars().map(mask_char));
        }
        last = end;
    }
    out.push_str(&text[last..]);
    Cow::Owned(out)
}

/// Separators inside a masked number stay as they are, so the text keeps
/// its shape (`138 **** ****` reads as a masked phone number).
fn mask_char(c: char) -> char {
    if matches!(c, ' ' | '-' | '－' | '+') {
        c
    } else {
        MASK_CHAR
    }
}

/// The byte spans of personal data in `text`, sorted by start.
pub fn personal_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    if !text.bytes().any(|b| b.is_ascii_digit()) && !text.contains(is_fullwidth_digit) {
        // Addresses may use Chinese numerals; look for them only with an
        // address word around.
        if !text.contains(['号', '栋', '幢', '单', '室', '弄', '户']) {
            return spans;
        }
    }
    for (start, end) in numbers(text) {
        if let Some(span) = classify_number(text, start, end) {
            spans.push(span);
        } else if text[start..end].contains(' ') {
            // `尺码38 13812345678`: the parts between spaces on their own.
            let mut at = start;
            for part in text[start..end].split(' ') {
                if !part.is_empty() {
                    if let Some(span) = classify_number(text, at, at + part.len()) {
                        spans.push(span);
                    }
                }
                at += part.len() + 1;
            }
        }
    }
    for caps in ADDRESS.captures_iter(text) {
        for name in ["house", "unit", "after"] {
            if let Some(m) = caps.name(name) {
                spans.push((m.start(), m.end()));
            }
        }
    }
    spans.sort_unstable();
    spans
}

/// The candidates for personal numbers, as byte spans: runs of digits
/// with optional single spaces or dashes between them, an optional `+` in
/// front and an `X` at the end (ID cards) — what the regex
/// `\+?[0-9０-９](?:[ \-－]?[0-9０-９])*[xXｘＸ]?` finds. Which of them are
/// personal data is decided in [`classify_number`].
///
/// Hand-written instead of that regex: chats are full of short numbers
/// (every header line has a date and a time), and starting a regex search
/// for each cost more than the rest of masking (measured with callgrind
/// on 20,000 synthetic chats: masking went from 151,000 to 67,000
/// instructions a chat, the same spans found).
fn numbers(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let is_separator = |c: char| matches!(c, ' ' | '-' | '－');
    let mut chars = text.char_indices().peekable();
    std::iter::from_fn(move || {
        let start = loop {
            let (at, c) = chars.next()?;
            if digit_value(c).is_some() {
                break at;
            }
            if c == '+'
                && chars
                    .peek()
                    .is_some_and(|&(_, next)| digit_value(next).is_some())
            {
                chars.next();
                break at;
            }
        };
        // After a digit: more digits, each after at most one separator.
        let mut end;
        loop {
            // `chars` stands just after a digit.
            end = chars.peek().map_or(text.len(), |&(at, _)| at);
            let rest = &text[end..];
            let mut ahead = rest.chars();
            match ahead.next() {
                Some(c) if digit_value(c).is_some() => {
                    chars.next();
                }
                Some(c) if is_separator(c) && ahead.next().and_then(digit_value).is_some() => {
                    chars.next();
                    chars.next();
                }
                _ => break,
            }
        }
        if let Some(&(at, c)) = chars.peek() {
            if matches!(c, 'x' | 'X' | 'ｘ' | 'Ｘ') {
                chars.next();
                end = at + c.len_utf8();
            }
        }
        Some((start, end))
    })
}

fn is_fullwidth_digit(c: char) -> bool {
    ('０'..='９').contains(&c)
}

fn digit_value(c: char) -> Option<u32> {
    match c {
        '0'..='9' => Some(c as u32 - '0' as u32),
        '０'..='９' => Some(c as u32 - '０' as u32),
        _ => None,
    }
}

/// The most digits any kind of personal number has (a bank card).
const MAX_DIGITS: usize = 19;

/// Whether the number at `start..end` is personal data; the span to mask.
/// The shape of the digits is checked first, the words around them only
/// for a number shaped like personal data: chats are full of numbers
/// (dates, times, prices, sizes) that are none.
fn classify_number(text: &str, start: usize, end: usize) -> Option<(usize, usize)> {
    let candidate = &text[start..end];
    let mut digits = [0_u32; MAX_DIGITS];
    let mut count = 0;
    let mut seps = 0;
    for c in candidate.chars() {
        if let Some(d) = digit_value(c) {
            if count < MAX_DIGITS {
                digits[count] = d;
            }
            count += 1;
        } else if matches!(c, ' ' | '-' | '－') {
            seps += 1;
        }
    }
    // Every kind below has 8 to 19 digits; most numbers stop here.
    if !(8..=MAX_DIGITS).contains(&count) {
        return None;
    }
    let digits = &digits[..count];
    if !shaped_like_personal(candidate, digits, seps) {
        return None;
    }
    // A number glued to Latin letters is a code (SKU, model), not a phone.
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    if before.is_some_and(|c| c.is_ascii_alphabetic() || c == '/' || c == '.')
        || after.is_some_and(|c| c.is_ascii_alphabetic() || c == '/' || c == '.')
    {
        return None;
    }
    if is_order_context(&text[..start]) {
        return None;
    }
    Some((start, end))
}

/// Whether a number with these `digits` and `seps` separators is written
/// like a phone, ID-card or bank-card number.
fn shaped_like_personal(candidate: &str, digits: &[u32], seps: usize) -> bool {
    let x_end = candidate.ends_with(['x', 'X', 'ｘ', 'Ｘ']);
    let plus = candidate.starts_with('+');

    // Mobile: 11 digits 1[3-9]…, optionally after (+)86.
    let mobile = |d: &[u32]| d.len() == 11 && d[0] == 1 && (3..=9).contains(&d[1]);
    if !x_end {
        if mobile(digits) && (seps == 0 || grouped_like_phone(candidate)) {
            return true;
        }
        if digits.len() == 13 && digits[0] == 8 && digits[1] == 6 && mobile(&digits[2..]) {
            return true;
        }
        // +86 then the rest, handled above; other international numbers.
        if plus && !mobile(digits) && digits.len() <= 15 {
            return true;
        }
        // Landline: 0 + 2-3 digit area code, a dash, 7-8 digits.
        if seps == 1 {
            if let Some((area, local)) = candidate.split_once(['-', '－']) {
                let area_digits = area.chars().filter(|c| digit_value(*c).is_some()).count();
                let local_digits = local.chars().filter(|c| digit_value(*c).is_some()).count();
                if area.chars().find_map(digit_value) == Some(0)
                    && (3..=4).contains(&area_digits)
                    && (7..=8).contains(&local_digits)
                {
                    return true;
                }
            }
        }
    }
    // ID card: 17 digits + digit or X, real birth date, right check char.
    if seps == 0 && !plus {
        let id_len = digits.len() + usize::from(x_end);
        if id_len == 18 && is_id_number(digits, x_end) {
            return true;
        }
    }
    // Bank card: 16-19 digits, no separators or groups of four.
    if !x_end && !plus && (16..=19).contains(&digits.len()) {
        let grouped = seps == 0 || grouped_by_four(candidate);
        let starts_like_card = matches!(digits[0], 3..=6) || (digits[0] == 9 && digits[1] == 5);
        if grouped && starts_like_card && luhn(digits) {
            return true;
        }
    }
    false
}

/// `138 1234 5678` / `138-1234-5678` / `+86 138 …`: groups of 3-4-4.
fn grouped_like_phone(candidate: &str) -> bool {
    let groups: Vec<usize> = candidate
        .split([' ', '-', '－'])
        .map(|g| g.chars().filter(|c| digit_value(*c).is_some()).count())
        .collect();
    groups.ends_with(&[3, 4, 4]) || groups == [3, 8] || groups == [7, 4]
}

/// `6222 0212 3456 7890 123`: groups of four, the last one shorter.
fn grouped_by_four(candidate: &str) -> bool {
    let groups: Vec<usize> = candidate
        .split([' ', '-', '－'])
        .map(|g| g.chars().count())
        .collect();
    groups.len() >= 4
        && groups[..groups.len() - 1].iter().all(|&n| n == 4)
        && (1..=4).contains(&groups[groups.len() - 1])
}

/// Whether an order or waybill word stands right before a number (at most
/// a colon, `号` or a few spaces between).
fn is_order_context(before: &str) -> bool {
    let trimmed = before.trim_end_matches([' ', ':', '：', '是', '为', '#', '号', '\t']);
    ORDER_WORDS.iter().any(|w| trimmed.ends_with(w))
}

/// GB 11643: area code digit, a real birth date, ISO 7064 mod 11-2 check.
fn is_id_number(digits: &[u32], x_end: bool) -> bool {
    if digits.len() != 17 + usize::from(!x_end) || !(1..=9).contains(&digits[0]) {
        return false;
    }
    let number = |range: std::ops::Range<usize>| digits[range].iter().fold(0, |n, d| n * 10 + d);
    let (year, month, day) = (number(6..10), number(10..12), number(12..14));
    if !(1900..=2099).contains(&year) || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return false;
    }
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = digits[..17].iter().zip(WEIGHTS).map(|(d, w)| d * w).sum();
    const CHECK: [u32; 11] = [1, 0, 10, 9, 8, 7, 6, 5, 4, 3, 2];
    let expected = CHECK[(sum % 11) as usize];
    if x_end {
        expected == 10
    } else {
        expected == digits[17]
    }
}

/// The Luhn check of card numbers.
fn luhn(digits: &[u32]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 {
                    doubled - 9
                } else {
                    doubled
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Masks a classification for storage: message texts and names, and each
/// evidence's text (re-read from the masked message at the same offsets,
/// which masking keeps). `None` when nothing needed masking.
pub fn mask_classification(result: &Classification) -> Option<Classification> {
    // Each message is masked once; the result is copied only if one changed.
    let masked_parts: Vec<(Option<String>, Option<String>)> = result
        .messages
        .iter()
        .map(|m| {
            let text = match mask(&m.text) {
                Cow::Owned(text) => Some(text),
                Cow::Borrowed(_) => None,
            };
            let name = match m.name.as_deref().map(mask) {
                Some(Cow::Owned(name)) => Some(name),
                _ => None,
            };
            (text, name)
        })
        .collect();
    if masked_parts
        .iter()
        .all(|(text, name)| text.is_none() && name.is_none())
    {
        return None;
    }
    let mut masked = result.clone();
    for (message, (text, name)) in masked.messages.iter_mut().zip(masked_parts) {
        if let Some(text) = text {
            message.text = text;
        }
        if let Some(name) = name {
            message.name = Some(name);
        }
    }
    let messages = &masked.messages;
    let fix = |score: &mut crate::model::LabelScore| {
        for evidence in &mut score.evidence {
            if let Some(message) = messages.get(evidence.message) {
                let text: String = message
                    .text
                    .chars()
                    .skip(evidence.start)
                    .take(evidence.end.saturating_sub(evidence.start))
                    .collect();
                if text.chars().count() == evidence.text.chars().count() {
                    evidence.text = text;
                } else {
                    evidence.text = mask(&evidence.text).into_owned();
                }
            }
        }
    };
    let mut motives = std::mem::take(&mut masked.motives);
    let mut topics = std::mem::take(&mut masked.topics);
    let mut experience = masked.experience.clone();
    let mut intent = masked.intent.clone();
    motives.iter_mut().for_each(fix);
    topics.iter_mut().for_each(fix);
    fix(&mut experience);
    fix(&mut intent);
    masked.motives = motives;
    masked.topics = topics;
    masked.experience = experience;
    masked.intent = intent;
    Some(masked)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(text: &str) -> String {
        mask(text).into_owned()
    }

    // Personal data is masked one `*` per character, and the length in
    // scalar values never changes.
    #[test]
    fn masks_personal_data() {
        let cases: &[(&str, &str)] = &[
            ("电话13812345678谢谢", "电话***********谢谢"),
            ("手机 138 1234 5678", "手机 *** **** ****"),
            ("打138-1234-5678", "打***-****-****"),
            ("+86 13812345678", "+** ***********"),
            ("+8613812345678", "+*************"),
            ("8613812345678", "*************"),
            ("座机0571-88886666", "座机****-********"),
            ("身份证11010519491231002X", "身份证******************"),
            (
                "身份证号440301199001011234呢",
                "身份证号******************呢",
            ),
            ("卡号6222021234567890128", "卡号*******************"),
            ("6222 0212 3456 7890 128", "**** **** **** **** ***"),
            ("4111111111111111", "****************"),
            ("寄到中山路123号", "寄到中山路***号"),
            ("上海市长宁区愚园路88弄", "上海市长宁区愚园路**弄"),
            ("阳光小区3栋2单元501室", "阳光小区*栋*单元***室"),
            ("幸福花园12号楼1503", "幸福花园**号楼****"),
            ("１３８１２３４５６７８", "***********"),
            ("尺码38 13812345678", "尺码38 ***********"),
            ("中山路一百二十号", "中山路****号"),
        ];
        for (input, expected) in cases {
            let out = masked(input);
            assert_eq!(&out, expected, "masking {input:?}");
            assert_eq!(
                out.chars().count(),
                input.chars().count(),
                "masking must keep the length in scalar values: {input:?}"
            );
        }
    }

    // Order numbers, prices, sizes, dates, times and quantities are not
    // personal data and stay as they are.
    #[test]
    fn leaves_other_numbers_alone() {
        let cases: &[&str] = &[
            "订单号：2345678901234567890 什么时候发货",
            "订单 3456789012345678 到哪了",
            "运单号SF1234567890123",
            "快递单号 773012345678901",
            "2345678901234567890",
            "123456789012345678",
            "这件199元，满300减40，到手159.9",
            "身高175/80A穿什么码，体重65kg",
            "2024-05-12 14:03:21 买家：在吗",
            "5号发货吗？12月3号能到吗",
            "买2件，3个颜色各1",
            "19:30 之前下单",
            "型号 A1234567890B",
            "20240512",
            "130斤穿L还是XL",
            "1234",
            "尺码 38 39 40 41 42",
        ];
        for input in cases {
            assert_eq!(masked(input), *input, "must not be masked: {input:?}");
            assert!(matches!(mask(input), Cow::Borrowed(_)));
        }
    }

    // Masking a classification keeps every evidence pointing at the same
    // characters: the offsets do not change and the text at them is the
    // (masked) message text there.
    #[test]
    fn evidence_offsets_survive_masking() {
        let classifier = crate::Classifier::new(&crate::Lexicon::default_lexicon()).unwrap();
        let text = "买家：我电话13812345678，能便宜点吗？包邮吗\n客服：亲，包邮的哦";
        let result = classifier.classify(text).unwrap();
        let masked = mask_classification(&result).expect("a phone number to mask");
        assert!(!serde_json::to_string(&masked)
            .unwrap()
            .contains("13812345678"));
        let all = |c: &Classification| {
            c.scores()
                .flat_map(|s| s.evidence.clone())
                .collect::<Vec<_>>()
        };
        let (before, after) = (all(&result), all(&masked));
        assert!(!before.is_empty(), "the chat has evidence");
        for (b, a) in before.iter().zip(&after) {
            assert_eq!((b.message, b.start, b.end), (a.message, a.start, a.end));
            let at = masked.quoted(a).unwrap_or_default();
            assert_eq!(
                at, a.text,
                "evidence text is the stored text at its offsets"
            );
            assert_eq!(a.text, b.text, "cues are not personal data");
        }
        for (m, o) in masked.messages.iter().zip(&result.messages) {
            assert_eq!(m.text.chars().count(), o.text.chars().count());
        }
    }

    mod scanner {
        use super::super::*;
        use proptest::prelude::*;

        /// Text made of digits, separators, `+`, `X` and other characters.
        fn numbery_text() -> impl Strategy<Value = String> {
            prop::collection::vec(
                prop::sample::select(vec![
                    "0", "1", "7", "9", "０", "８", " ", "  ", "-", "－", "+", "x", "X", "ｘ",
                    "Ｘ", "号", "a", ":", "\n", "手机", "1381234",
                ]),
                0..24,
            )
            .prop_map(|parts| parts.concat())
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(4000))]

            // The hand-written scanner finds what the regex it replaced finds.
            #[test]
            fn numbers_match_the_regex(text in numbery_text()) {
                let regex = regex::Regex::new(
                    r"\+?[0-9０-９](?:[ \-－]?[0-9０-９])*[xXｘＸ]?",
                ).unwrap();
                let expected: Vec<(usize, usize)> =
                    regex.find_iter(&text).map(|m| (m.start(), m.end())).collect();
                prop_assert_eq!(numbers(&text).collect::<Vec<_>>(), expected);
            }
        }
    }
}
