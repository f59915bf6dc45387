//! Every transcript shape, parsed and compared with a reviewed golden file
//! (`tests/golden/<case>.<ext>` → `<case>.expected.json`).

use buyerlens_core::decode::decode_bytes;
use buyerlens_core::transcript::parse;

use crate::util::{assert_golden, golden};

fn check(file: &str) {
    let bytes = std::fs::read(golden(file)).expect("golden input exists");
    let text = decode_bytes(&bytes).expect("golden input is text").text;
    let transcript = parse(&text);
    let json = serde_json::to_string_pretty(&transcript).expect("transcript serialises") + "\n";
    let stem = file.rsplit_once('.').map_or(file, |(stem, _)| stem);
    assert_golden(&format!("{stem}.expected.json"), &json);
}

macro_rules! golden_cases {
    ($($name:ident => $file:literal),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                check($file);
            }
        )*
    };
}

golden_cases! {
    // Qianniu: name glued to the time, read receipts, an image line.
    qianniu_glued => "qianniu_glued.txt",
    // Qianniu: name and time on separate lines, a transfer, notices.
    qianniu_two_line => "qianniu_two_line.txt",
    // Role words with full-width colons, Traditional, a continuation line.
    plain_fullwidth => "plain_fullwidth.txt",
    // 我 against 卖家: 我 is the buyer.
    plain_me_buyer => "plain_me_buyer.txt",
    // WeChat copy: `name HH:MM` headers, shop told by its name.
    wechat_clock => "wechat_clock.txt",
    // WeChat export: `[time] name:` headers, text on the same line.
    wechat_bracket => "wechat_bracket.txt",
    // chatlog text: `name(id) MM-DD HH:MM:SS`, the user's own side as 我.
    chatlog_sjzar => "chatlog_sjzar.txt",
    // CSV export: quoted fields, doubled quotes, an embedded newline.
    csv_qianniu => "csv_qianniu.csv",
    // WeChatMsg CSV: IsSender flag, a media row.
    csv_wechatmsg => "csv_wechatmsg.csv",
    // JDDC tab-separated rows with the is-seller flag.
    jd_tsv => "jd_tsv.txt",
    // A JSON export with sender nicks and content objects.
    json_export => "json_export.json",
    // No structure: the buyer's words.
    buyer_only => "buyer_only.txt",
    // Word-segmented lines with no names: agent lines told by how they talk.
    segmented_unstructured => "segmented_unstructured.txt",
    // A stated buyer credit level.
    credit_header => "credit_header.txt",
}
