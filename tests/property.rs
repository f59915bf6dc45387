//! Property tests: no input makes the parser or the classifier panic,
//! and every piece of evidence points at buyer text it quotes exactly.

use buyerlens_core::decode::decode_bytes;
use buyerlens_core::{Classifier, Lexicon, Speaker};
use proptest::prelude::*;

/// Built once: compiling the lexicon per case would dominate the run.
static CLASSIFIER: std::sync::LazyLock<Classifier> = std::sync::LazyLock::new(|| {
    Classifier::new(&Lexicon::default_lexicon()).expect("default lexicon compiles")
});

fn classifier() -> &'static Classifier {
    &CLASSIFIER
}

/// Pieces real pastes are made of, to build adversarial transcripts from.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("买家：".to_string()),
        Just("客服：".to_string()),
        Just("店铺:小美 2024-01-15 14:30:25\n".to_string()),
        Just("tb_123 2024-01-15 14:30:25\n".to_string()),
        Just("2024-1-5 9:03:07\n".to_string()),
        Just("[2025-05-29 10:48:45] 阿梅:".to_string()),
        Just("阿梅 21:15\n".to_string()),
        Just("时间,发送方,接收方,内容\n".to_string()),
        Just("\"".to_string()),
        Just(",".to_string()),
        Just("\t0\t".to_string()),
        Just("已读\n".to_string()),
        Just("[图片]".to_string()),
        Just("不急 包邮吗 能不能便宜点 安全吗 第一次 加盟".to_string()),
        Just("親，運費險".to_string()),
        Just("\u{202E}\u{200B}\u{0301}👍🏻".to_string()),
        Just("<img src=x onerror=alert(1)>".to_string()),
        Just("\n".to_string()),
        Just("：".to_string()),
        "\\PC{0,12}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    // Any mix of real-paste pieces parses and classifies without a panic;
    // evidence offsets are in range, quote the original, and are buyer's.
    #[test]
    fn classify_never_panics_and_evidence_is_exact(pieces in prop::collection::vec(piece(), 0..24)) {
        let text: String = pieces.concat();
        let classifier = classifier();
        match classifier.classify(&text) {
            Err(buyerlens_core::Error::EmptyInput) => prop_assert!(text.trim().is_empty()),
            Err(e) => prop_assert!(false, "unexpected error {e}"),
            Ok(result) => {
                let has_buyer = result.messages.iter().any(|m| m.speaker == Speaker::Buyer);
                for label in result.scores() {
                    for e in &label.evidence {
                        let message = &result.messages[e.message];
                        prop_assert!(message.speaker == Speaker::Buyer || (!has_buyer && message.speaker == Speaker::Unknown));
                        prop_assert!(!message.system);
                        prop_assert!(e.start < e.end && e.end <= message.text.chars().count());
                        prop_assert_eq!(result.quoted(e), Some(e.text.clone()));
                    }
                }
            }
        }
    }

    // Arbitrary bytes either decode to text or are refused; never a panic.
    #[test]
    fn decode_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        if let Ok(decoded) = decode_bytes(&bytes) {
            let _ = classifier().classify(&decoded.text);
        }
    }

    // Lexicon loading rejects or accepts any text without a panic.
    #[test]
    fn lexicon_loader_never_panics(source in "\\PC{0,200}", cue in "\\PC{0,10}") {
        let _ = Lexicon::from_toml(&source);
        let doc = format!("[labels.bargain]\ncues = [{{ regex = {:?} }}, {{ cue = {:?} }}]\n", cue, cue);
        if let Ok(lexicon) = Lexicon::from_toml(&doc) {
            prop_assert!(Classifier::new(&lexicon).is_ok());
        }
    }
}
