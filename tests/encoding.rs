//! Files in every encoding agents' exports come in classify the same,
//! and files that are not text are refused with exit code 2.

use crate::util::buyerlens;

const CHAT: &str = "买家：这件有货吗？能包邮吗\n客服：亲，有货，包邮的哦\n";

fn classify_json(bytes: &[u8]) -> serde_json::Value {
    let out = buyerlens(&["classify", "-"], bytes);
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("classify prints JSON")
}

fn utf16(text: &str, little: bool, bom: bool) -> Vec<u8> {
    let mut out = Vec::new();
    if bom {
        out.extend_from_slice(if little { b"\xFF\xFE" } else { b"\xFE\xFF" });
    }
    for unit in text.encode_utf16() {
        out.extend_from_slice(&if little {
            unit.to_le_bytes()
        } else {
            unit.to_be_bytes()
        });
    }
    out
}

// The same chat in UTF-8, UTF-8 BOM, UTF-16 LE/BE (BOM or not) and GBK
// gives the same messages.
#[test]
fn every_encoding_gives_the_same_messages() {
    let expected = classify_json(CHAT.as_bytes())["messages"].clone();
    assert_eq!(expected.as_array().map(Vec::len), Some(2));
    let mut bom8 = b"\xEF\xBB\xBF".to_vec();
    bom8.extend_from_slice(CHAT.as_bytes());
    let gbk = encoding_rs::GBK.encode(CHAT).0.into_owned();
    let gb18030 = encoding_rs::GB18030.encode(CHAT).0.into_owned();
    for (name, bytes) in [
        ("utf-8 bom", bom8),
        ("utf-16le bom", utf16(CHAT, true, true)),
        ("utf-16be bom", utf16(CHAT, false, true)),
        ("utf-16le", utf16(CHAT, true, false)),
        ("utf-16be", utf16(CHAT, false, false)),
        ("gbk", gbk),
        ("gb18030", gb18030),
    ] {
        assert_eq!(classify_json(&bytes)["messages"], expected, "{name}");
    }
}

// Images, archives and empty input are bad input: exit 2, one line on stderr.
#[test]
fn binary_and_empty_input_exit_2() {
    let cases: &[(&str, &[u8], &str)] = &[
        ("png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0", "PNG image"),
        ("zip", b"PK\x03\x04\x14\0\0\0\x08\0", "zip archive"),
        ("empty", b"", "empty"),
        ("whitespace", b"  \n\t\n", "empty"),
    ];
    for (name, bytes, says) in cases {
        let out = buyerlens(&["classify", "-"], bytes);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(stderr.contains(says), "{name}: {stderr}");
        assert_eq!(
            stderr.trim().lines().count(),
            1,
            "{name}: one line: {stderr}"
        );
        assert!(out.stdout.is_empty(), "{name}: nothing on stdout");
    }
}
