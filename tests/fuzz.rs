//! Fuzz properties for the transcript parser, the importers (txt, csv,
//! tsv, jsonl, json and xlsx bytes) and the lexicon loader: whatever the
//! bytes, they return a value or an error — never a panic, a hang or an
//! evidence offset outside its message — and masking never changes a
//! text's length.
//!
//! Why proptest and not `cargo fuzz`: cargo-fuzz (libFuzzer) needs a
//! nightly toolchain and `-Z sanitizer` flags, and this project builds with
//! the stable toolchain only (CI and the shop laptops' build machine have
//! no nightly). proptest runs on stable inside the ordinary test binary,
//! shrinks a failure to a minimal input and writes it to
//! `tests/fuzz.proptest-regressions` (commit it: proptest replays it first
//! on every run). Its generators are structure-aware (pieces of real pastes,
//! CSV and TOML syntax, mutated real xlsx files), which reaches deeper than
//! byte-level mutation would without a corpus.
//!
//! In CI each property runs 32 cases (fast, debug build); `scripts/fuzz.sh`
//! runs them in a release build with many cases (`PROPTEST_CASES`) within
//! a wall-clock bound (`FUZZ_SECONDS`). A crashing input found there is
//! kept twice: in the regressions file, and as a named case in
//! [`regressions`] below.

use std::sync::LazyLock;

use buyerlens_core::decode::decode_bytes;
use buyerlens_core::{Classifier, Lexicon};
use proptest::prelude::*;

static CLASSIFIER: LazyLock<Classifier> =
    LazyLock::new(|| Classifier::new(&Lexicon::default_lexicon()).expect("default lexicon"));

/// `PROPTEST_CASES` when set (scripts/fuzz.sh), else a CI-sized run.
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(32);
    ProptestConfig {
        cases,
        // Each case is its own input; shrinking a failure stays bounded.
        max_shrink_iters: 2_000,
        ..ProptestConfig::default()
    }
}

/// Pieces of pastes, exports and encodings that parsers trip over.
fn piece() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(b"\xe4\xb9\xb0\xe5\xae\xb6\xef\xbc\x9a".to_vec()), // 买家：
        Just("客服：".as_bytes().to_vec()),
        Just("tb_1 2024-05-12 14:03:21\n".as_bytes().to_vec()),
        Just("[2024-05-12 14:03:21] 阿梅:".as_bytes().to_vec()),
        Just("时间,发送方,接收方,内容\n".as_bytes().to_vec()),
        Just(b"\"".to_vec()),
        Just(b",".to_vec()),
        Just(b"\t".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"{\"id\": 1, \"text\": \"".to_vec()),
        Just(b"\"}\n".to_vec()),
        Just(b"\xEF\xBB\xBF".to_vec()),
        Just(b"\xFF\xFE".to_vec()),
        Just(b"PK\x03\x04".to_vec()),
        Just(b"\xE4\xB8".to_vec()),         // a cut UTF-8 sequence
        Just(b"\xB0\xFC\xD3\xCA".to_vec()), // 包邮 in GBK
        Just(
            "包邮吗 能不能便宜点 不急 13812345678 中山路8号"
                .as_bytes()
                .to_vec()
        ),
        Just("\u{202E}\u{200B}\u{0301}👍🏻\u{7}".as_bytes().to_vec()),
        proptest::collection::vec(any::<u8>(), 0..16),
        "\\PC{0,12}".prop_map(String::into_bytes),
    ]
}

fn pieces(max: usize) -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(piece(), 0..max).prop_map(|p| p.concat())
}

/// A real xlsx file (a history export), to mutate.
static XLSX: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let dir = tempfile::tempdir().unwrap();
    let mut store = buyerlens_core::Store::open_in_memory().unwrap();
    let result = CLASSIFIER.classify("买家：包邮吗\n客服：包邮").unwrap();
    store
        .record(
            &buyerlens_core::store::NewConversation::pasted("买家：包邮吗\n客服：包邮"),
            &result,
            "v",
            1,
        )
        .unwrap();
    let path = dir.path().join("a.xlsx");
    store.export_xlsx(&Default::default(), &path).unwrap();
    std::fs::read(path).unwrap()
});

/// Reads `bytes` as a file with `extension` through the importer.
fn import_bytes(extension: &str, bytes: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("f.{extension}"));
    std::fs::write(&path, bytes).unwrap();
    if let Ok(read) = buyerlens_core::import::read_file(&path, 1 << 20) {
        for conversation in read.conversations.iter().take(8) {
            let _ = CLASSIFIER.classify(&conversation.text);
        }
    }
}

/// Every evidence of a result lies inside its message and quotes it.
fn check_evidence(result: &buyerlens_core::Classification) {
    for score in result.scores() {
        for e in &score.evidence {
            let message = &result.messages[e.message].text;
            assert!(e.start <= e.end && e.end <= message.chars().count());
            assert_eq!(result.quoted(e).as_deref(), Some(e.text.as_str()));
        }
    }
}

proptest! {
    #![proptest_config(config())]

    // The transcript parser and classifier: any bytes that decode give a
    // result whose evidence quotes its messages, or a clear error.
    #[test]
    fn parser_never_panics(bytes in pieces(24)) {
        if let Ok(decoded) = decode_bytes(&bytes) {
            if let Ok(result) = CLASSIFIER.classify(&decoded.text) {
                check_evidence(&result);
            }
        }
    }

    // The text importers (txt, csv, tsv, jsonl, json) on any bytes.
    #[test]
    fn text_importers_never_panic(
        bytes in pieces(24),
        extension in prop_oneof![Just("txt"), Just("csv"), Just("tsv"), Just("jsonl"), Just("json")],
    ) {
        import_bytes(extension, &bytes);
    }

    // The spreadsheet importer on a real xlsx with bytes flipped, cut off
    // or spliced in.
    #[test]
    fn xlsx_importer_never_panics(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
        cut in any::<prop::sample::Index>(),
        do_cut in any::<bool>(),
    ) {
        let mut bytes = XLSX.clone();
        for (at, value) in flips {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        if do_cut {
            bytes.truncate(cut.index(bytes.len()));
        }
        import_bytes("xlsx", &bytes);
    }

    // The lexicon loader: TOML made of lexicon syntax and noise loads or
    // names its problem; what loads compiles and classifies.
    #[test]
    fn lexicon_loader_never_panics(parts in proptest::collection::vec(prop_oneof![
        Just("version = \"f\"\n".to_string()),
        Just("[labels.bargain]\n".to_string()),
        Just("[labels.shipping]\n".to_string()),
        Just("[labels.nope]\n".to_string()),
        Just("[mask]\n".to_string()),
        Just("[negation]\nbefore = [\"不\"]\nafter = []\nwindow = 4\n".to_string()),
        Just("cues = [".to_string()),
        Just("]\n".to_string()),
        Just("{ cue = \"包邮\", means = \"m\" },".to_string()),
        Just("{ regex = \"便宜(点\", means = \"m\" },".to_string()),
        Just("{ regex = \"(a*)*b{0,1000}\", means = \"m\" },".to_string()),
        Just("{ regex = \"\", means = \"m\" },".to_string()),
        Just("{ cue = \"\", means = \"m\" },".to_string()),
        Just("{ cue = \"x\", weight = -1 },".to_string()),
        Just("{ cue = \"x\", weight = 1e308 },".to_string()),
        Just("{ cue = \"x\", id = \"d\" },{ cue = \"y\", id = \"d\" },".to_string()),
        "\\PC{0,10}",
    ], 0..16)) {
        if let Ok(lexicon) = Lexicon::from_toml(&parts.concat()) {
            if let Ok(classifier) = Classifier::new(&lexicon) {
                if let Ok(result) = classifier.classify("买家：包邮吗 能便宜点吗 xab\n客服：亲") {
                    check_evidence(&result);
                }
            }
        }
    }

    // Masking keeps the length in scalar values, is idempotent, and
    // leaves text without digits or address words alone.
    #[test]
    fn masking_keeps_length(bytes in pieces(24)) {
        let text = String::from_utf8_lossy(&bytes);
        let once = buyerlens_core::privacy::mask(&text);
        prop_assert_eq!(once.chars().count(), text.chars().count());
        let twice = buyerlens_core::privacy::mask(&once).into_owned();
        prop_assert_eq!(&twice, &*once);
    }
}

/// Edge inputs pinned by name; a crashing input found by
/// `scripts/fuzz.sh` is added here too.
mod regressions {
    // An xlsx cut off inside its central directory is a clear error.
    #[test]
    fn truncated_xlsx() {
        let bytes = super::XLSX[..super::XLSX.len() / 2].to_vec();
        super::import_bytes("xlsx", &bytes);
    }

    // A CSV of one lone quote and a JSONL line of a lone brace.
    #[test]
    fn lone_quote_and_brace() {
        super::import_bytes("csv", b"\"");
        super::import_bytes("jsonl", b"{\n");
        super::import_bytes("tsv", b"\t\"\n\"");
    }
}
