//! Bytes to text: the encodings agents' files really come in.
//!
//! UTF-8 (with or without BOM), UTF-16 LE/BE (with BOM, or without when
//! the byte pattern makes it plain), and GB18030/GBK (Windows exports),
//! detected with chardetng. Files that are not text are refused with a
//! reason that names what they look like.

use encoding_rs::{Encoding, GB18030, UTF_16BE, UTF_16LE, UTF_8};

use crate::error::{Error, Result};

/// The text and the encoding it was read in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The decoded text, without BOM.
    pub text: String,
    /// The encoding's name (`UTF-8`, `UTF-16LE`, `gb18030` …).
    pub encoding: &'static str,
    /// Whether malformed sequences were replaced with U+FFFD.
    pub lossy: bool,
}

impl Decoded {
    /// What to tell the user when bytes were replaced: the text was read,
    /// but the file is cut off or damaged.
    pub fn lossy_warning(&self) -> Option<String> {
        self.lossy.then(|| {
            format!(
                "some bytes are not valid {} (a cut-off or damaged file) and were replaced \
                 with U+FFFD",
                self.encoding
            )
        })
    }
}

/// File signatures of common non-text formats, for a clear refusal.
const SIGNATURES: &[(&[u8], &str)] = &[
    (b"\x89PNG", "a PNG image"),
    (b"\xFF\xD8\xFF", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (
        b"PK\x03\x04",
        "a zip archive (xlsx/docx are zip: import them as spreadsheets)",
    ),
    (b"\x1F\x8B", "a gzip archive"),
    (b"7z\xBC\xAF", "a 7-zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"\x7FELF", "a program"),
    (b"MZ", "a Windows program"),
    (b"SQLite format 3", "an SQLite database"),
    (b"\xD0\xCF\x11\xE0", "an old Office document (xls/doc)"),
    (b"RIFF", "a media file"),
];

/// Decodes `bytes` into text, detecting the encoding.
///
/// # Errors
/// [`Error::Binary`] when the bytes are not text in a supported encoding.
pub fn decode_bytes(bytes: &[u8]) -> Result<Decoded> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return Ok(decode_with(UTF_8, rest));
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return Ok(decode_with(UTF_16LE, rest));
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return Ok(decode_with(UTF_16BE, rest));
    }
    for (signature, what) in SIGNATURES {
        if bytes.starts_with(signature) {
            return Err(Error::Binary {
                reason: format!("it looks like {what}"),
            });
        }
    }
    if let Some(utf16) = sniff_utf16(bytes) {
        return Ok(decode_with(utf16, bytes));
    }
    if bytes.contains(&0) {
        return Err(Error::Binary {
            reason: "it contains NUL bytes".into(),
        });
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => return check_text(text.to_string(), "UTF-8", false),
        // Valid UTF-8 cut off mid-character at the end (a truncated file):
        // keep it as UTF-8 rather than mis-detecting a legacy encoding.
        Err(e) if e.error_len().is_none() => {
            let text = String::from_utf8_lossy(bytes).into_owned();
            return check_text(text, "UTF-8", true);
        }
        Err(_) => {}
    }
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(bytes, true);
    let guessed = detector.guess(Some(b"cn"), false);
    // Chinese shop exports that are not UTF-8 are GBK; GB18030 is its
    // superset and decodes it exactly, so prefer it when chardetng agrees
    // it is a Chinese legacy encoding.
    let encoding = if guessed == encoding_rs::GBK {
        GB18030
    } else {
        guessed
    };
    let decoded = decode_with(encoding, bytes);
    check_text(decoded.text, decoded.encoding, decoded.lossy)
}

fn decode_with(encoding: &'static Encoding, bytes: &[u8]) -> Decoded {
    let (text, lossy) = encoding.decode_without_bom_handling(bytes);
    Decoded {
        text: text.into_owned(),
        encoding: encoding.name(),
        lossy,
    }
}

/// UTF-16 without BOM: ASCII-heavy text has a NUL in every other byte;
/// CJK-only text has none, but then every code unit is a CJK or common
/// punctuation character.
fn sniff_utf16(bytes: &[u8]) -> Option<&'static Encoding> {
    if bytes.len() < 4 || !bytes.len().is_multiple_of(2) {
        return None;
    }
    let pairs = bytes.len() / 2;
    let even_zero = bytes.iter().step_by(2).filter(|&&b| b == 0).count();
    let odd_zero = bytes.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
    if odd_zero * 4 >= pairs && even_zero * 20 < pairs {
        return Some(UTF_16LE);
    }
    if even_zero * 4 >= pairs && odd_zero * 20 < pairs {
        return Some(UTF_16BE);
    }
    if std::str::from_utf8(bytes).is_ok() {
        return None;
    }
    for encoding in [UTF_16LE, UTF_16BE] {
        let units = bytes.chunks_exact(2).map(|p| {
            if encoding == UTF_16LE {
                u16::from_le_bytes([p[0], p[1]])
            } else {
                u16::from_be_bytes([p[0], p[1]])
            }
        });
        let textual = units
            .clone()
            .filter(|&u| is_likely_chinese_text_unit(u))
            .count();
        if textual * 100 >= pairs * 97 {
            return Some(encoding);
        }
    }
    None
}

fn is_likely_chinese_text_unit(unit: u16) -> bool {
    matches!(unit,
        0x0009 | 0x000A | 0x000D | 0x0020..=0x007E
        | 0x3000..=0x303F      // CJK punctuation
        | 0x4E00..=0x9FFF      // CJK unified ideographs
        | 0xFF00..=0xFFEF) // full-width forms
}

/// Refuses decoded text that is mostly control characters or
/// replacement characters: it was binary, or in no encoding we know.
fn check_text(text: String, encoding: &'static str, lossy: bool) -> Result<Decoded> {
    let mut total = 0usize;
    let mut bad = 0usize;
    for c in text.chars().take(65_536) {
        total += 1;
        if c == '\u{FFFD}' || (c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\x0C')) {
            bad += 1;
        }
    }
    if total > 0 && bad * 10 > total {
        return Err(Error::Binary {
            reason: format!("{bad} of its first {total} characters are not readable text"),
        });
    }
    Ok(Decoded {
        text,
        encoding,
        lossy,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHAT: &str = "买家：这件有货吗？能包邮吗\n客服：亲，有的哦";

    fn utf16(text: &str, little: bool) -> Vec<u8> {
        text.encode_utf16()
            .flat_map(|u| {
                if little {
                    u.to_le_bytes()
                } else {
                    u.to_be_bytes()
                }
            })
            .collect()
    }

    // Every supported encoding decodes to the same text.
    #[test]
    fn decodes_every_supported_encoding() {
        let mut bom8 = b"\xEF\xBB\xBF".to_vec();
        bom8.extend_from_slice(CHAT.as_bytes());
        let mut le = b"\xFF\xFE".to_vec();
        le.extend(utf16(CHAT, true));
        let mut be = b"\xFE\xFF".to_vec();
        be.extend(utf16(CHAT, false));
        let (gbk, _, _) = encoding_rs::GBK.encode(CHAT);
        let cases: Vec<(&str, Vec<u8>)> = vec![
            ("utf-8", CHAT.as_bytes().to_vec()),
            ("utf-8 bom", bom8),
            ("utf-16le bom", le),
            ("utf-16be bom", be),
            ("utf-16le no bom", utf16(CHAT, true)),
            ("utf-16be no bom", utf16(CHAT, false)),
            ("gbk", gbk.into_owned()),
        ];
        for (name, bytes) in cases {
            let decoded = decode_bytes(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(decoded.text, CHAT, "{name} decoded as {}", decoded.encoding);
        }
    }

    // Images, archives and random bytes are refused with a reason.
    #[test]
    fn refuses_binary() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        assert!(decode_bytes(png)
            .unwrap_err()
            .to_string()
            .contains("PNG image"));
        let zip = b"PK\x03\x04\x14\0\0\0";
        assert!(decode_bytes(zip).unwrap_err().to_string().contains("zip"));
        let noise: Vec<u8> = (0..4096u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
            .collect();
        assert!(matches!(decode_bytes(&noise), Err(Error::Binary { .. })));
    }

    // A UTF-8 file cut mid-character stays UTF-8, marked lossy.
    #[test]
    fn truncated_utf8_stays_utf8() {
        let bytes = CHAT.as_bytes();
        let cut = &bytes[..bytes.len() - 1];
        let decoded = decode_bytes(cut).unwrap();
        assert_eq!(decoded.encoding, "UTF-8");
        assert!(decoded.lossy);
        assert!(decoded.text.starts_with("买家：这件有货吗"));
    }
}
