//! Synthetic chats and the naive baseline, for benchmarks and property
//! tests: deterministic, with no corpus needed.

use crate::lexicon::{Lexicon, Pattern};
use crate::model::Speaker;
use crate::normalize::normalize;
use crate::transcript::parse;

const BUYER_LINES: &[&str] = &[
    "在吗 这款还有货吗",
    "165 110斤穿什么码",
    "面料是纯棉的吗 会不会起球",
    "能便宜点吗 包邮吗",
    "今天能发货吗 急用",
    "是正品吗 有防伪码吗",
    "宝宝能用吗 有没有甲醛",
    "有新款吗 今年流行什么颜色",
    "你们家卖得最好的是哪款",
    "老顾客了 还是上次那个",
    "第一次在网上买 怎么付款啊",
    "不合适能退吗 有运费险吗",
    "发什么快递 几天能到",
    "这个颜色上身好看吗",
    "好的 我拍了 备注一下",
];

const SHOP_LINES: &[&str] = &[
    "亲，在的哦，有什么可以帮您",
    "亲，现货的，下单48小时内发货",
    "建议M码哦，版型正常",
    "亲，现在领券满199减20",
    "我们是品牌授权店，支持验证",
    "好的亲，已经给您备注上了",
];

/// A Qianniu-style chat of `messages` messages, alternating buyer and
/// shop, picked deterministically from `seed`.
pub fn synthetic_chat(messages: usize, seed: u64) -> String {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = |n: usize| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 33) as usize) % n
    };
    let mut out = String::with_capacity(messages * 64);
    for i in 0..messages {
        let minute = i % 60;
        if i % 2 == 0 {
            out.push_str(&format!("tb_buyer{seed} 2024-05-12 14:{minute:02}:21\n"));
            out.push_str(BUYER_LINES[next(BUYER_LINES.len())]);
        } else {
            out.push_str(&format!("小店旗舰店:小美 2024-05-12 14:{minute:02}:40\n"));
            out.push_str(SHOP_LINES[next(SHOP_LINES.len())]);
        }
        out.push('\n');
    }
    out
}

/// The obvious approach the classifier is measured against: parse the
/// same way, then search every cue with `str::contains` (and every regex
/// with `is_match`) in every buyer message. Returns how many
/// (cue, message) pairs matched.
pub fn naive_cue_count(lexicon: &Lexicon, regexes: &[regex::Regex], text: &str) -> usize {
    let transcript = parse(text);
    let mut count = 0;
    for message in &transcript.messages {
        if message.speaker != Speaker::Buyer || message.system {
            continue;
        }
        let normalized = normalize(&message.text);
        for cue in &lexicon.cues {
            if let Pattern::Literal(literal) = &cue.pattern {
                count += usize::from(normalized.text.contains(literal.as_str()));
            }
        }
        count += regexes
            .iter()
            .filter(|r| r.is_match(&normalized.text))
            .count();
    }
    count
}

/// The lexicon's regex cues compiled, for [`naive_cue_count`].
pub fn compile_regexes(lexicon: &Lexicon) -> Vec<regex::Regex> {
    lexicon
        .cues
        .iter()
        .filter_map(|c| match &c.pattern {
            Pattern::Regex(r) => regex::Regex::new(r).ok(),
            Pattern::Literal(_) => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    // The generator gives the requested number of parseable messages.
    #[test]
    fn synthetic_chat_parses_to_its_messages() {
        let chat = synthetic_chat(50, 7);
        let t = parse(&chat);
        assert_eq!(t.messages.len(), 50);
        assert_eq!(
            t.messages
                .iter()
                .filter(|m| m.speaker == Speaker::Buyer)
                .count(),
            25
        );
    }
}
