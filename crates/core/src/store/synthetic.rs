//! Synthetic conversations for benchmarks and soak tests: realistic
//! Qianniu-style transcripts with labels drawn at plausible rates, made
//! fast and deterministically (a seeded generator, no classifier), so a
//! million rows can be written through the real write path in minutes.

use crate::label::Label;
use crate::model::{Classification, Format, LabelScore, Message, Speaker};
use crate::store::NewConversation;

/// A small deterministic generator (SplitMix64).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const BUYER_LINES: &[&str] = &[
    "在吗 这款还有货吗",
    "这个什么时候能发货呀",
    "165 110斤穿什么码",
    "能便宜点吗 别家比你们便宜",
    "有优惠券吗 送什么赠品",
    "面料是纯棉的吗 会不会起球",
    "和图片一样吗 有没有色差",
    "不合适可以退吗 有运费险吗",
    "发什么快递 几天能到",
    "这个安全吗 宝宝能用吗",
    "是正品吗 支持专柜验货吗",
    "今年新款吗 有没有最新的",
    "急用 今天能发吗",
    "卖得好吗 大家都买哪个颜色",
    "还是之前那款 我是老顾客了",
    "怎么付款 支付宝怎么用",
    "怎么确认收货啊 第一次网上买",
    "好的 那我拍了",
    "颜色好看吗 显瘦吗",
    "质量怎么样 耐用吗",
    "可以包邮吗",
    "先了解一下 以后再买",
    "你们招代理吗 一件代发吗",
    "收到了 有点小 想换大一码",
    "物流怎么一直不动",
];

const SHOP_LINES: &[&str] = &[
    "亲在的呢，有什么可以帮您的吗",
    "有现货的亲，拍下当天发货",
    "亲，建议选M码哦，版型正常",
    "亲，店铺首页可以领券，下单自动抵扣",
    "亲是纯棉面料，不起球的",
    "实物拍摄的哦亲，不同屏幕会有轻微色差",
    "支持七天无理由退换，下单送运费险",
    "默认中通，一般2-4天到",
    "亲，我们有质检报告，母婴级材料",
    "品牌授权店铺，保证正品",
    "好的亲，马上给您备注加急",
    "这是我们的爆款，月销几千件",
    "感谢老顾客支持，给您申请了专属券",
    "亲，提交订单后用支付宝付款就可以",
    "收到货后在订单里点确认收货就好啦",
];

const AGENTS: &[&str] = &[
    "小雅", "阿杰", "小美", "晓晓", "大伟", "小林", "若若", "阿豪", "小七", "甜甜", "橙子", "小鹿",
];

const SHOPS: &[&str] = &[
    "言衣女装旗舰店",
    "果壳数码专营店",
    "好妈妈母婴店",
    "悦家家居馆",
];

fn scored(code: Label, score: f32) -> LabelScore {
    LabelScore {
        code,
        label: code.zh().to_string(),
        score,
        evidence: Vec::new(),
    }
}

/// Conversation number `index` of a synthetic set: a transcript of 6–12
/// messages over a year of days and a dozen agents, with labels.
pub fn conversation(
    rng: &mut Rng,
    index: usize,
    base_time: i64,
) -> (NewConversation, Classification) {
    conversation_within(rng, index, base_time, 365)
}

/// `count` chats of [`conversation_within`] (indexes from `first`) as an
/// import file's JSONL lines, `{"id", "text"}` each: what the store
/// benchmark and the soak import.
pub fn jsonl_within(
    rng: &mut Rng,
    first: usize,
    count: usize,
    base_time: i64,
    days: usize,
) -> String {
    let mut lines = String::new();
    for i in 0..count {
        let (conversation, _) = conversation_within(rng, first + i, base_time, days);
        lines.push_str(&serde_json::json!({ "id": i, "text": conversation.text }).to_string());
        lines.push('\n');
    }
    lines
}

/// As [`conversation`], held on one of the `days` days up to `base_time`:
/// a week for the chats a shop exports and imports as it goes, a year for
/// a backlog.
pub fn conversation_within(
    rng: &mut Rng,
    index: usize,
    base_time: i64,
    days: usize,
) -> (NewConversation, Classification) {
    let day = rng.below(days) as i64;
    let mut at = base_time - day * 86_400 + rng.below(12 * 3600) as i64 + 9 * 3600;
    let buyer = format!("tb_{index:07}{}", rng.below(100));
    let shop = rng.pick(SHOPS);
    let agent = rng.pick(AGENTS);
    let mut text = String::new();
    let mut messages = Vec::new();
    for turn in 0..(3 + rng.below(4)) {
        for (speaker, name, line) in [
            (
                Speaker::Buyer,
                buyer.clone(),
                rng.pick(BUYER_LINES).to_string(),
            ),
            (
                Speaker::Shop,
                format!("{shop}:{agent}"),
                rng.pick(SHOP_LINES).to_string(),
            ),
        ] {
            let time = crate::store::time::format_local(at);
            text.push_str(&format!("{name} {time}\n{line}\n"));
            messages.push(Message {
                speaker,
                name: Some(name),
                time: Some(time.replace(' ', "T")),
                text: line,
                system: false,
            });
            at += 20 + rng.below(120) as i64;
        }
        if turn == 0 && rng.chance(0.3) {
            text.push_str(&format!("订单号 {}\n", 100_000_000 + index));
        }
    }
    let motives: Vec<LabelScore> = Label::of_axis(crate::label::Axis::Motive)
        .filter(|_| rng.chance(0.18))
        .map(|l| scored(l, 0.6))
        .collect();
    let topics: Vec<LabelScore> = Label::of_axis(crate::label::Axis::Topic)
        .filter(|_| rng.chance(0.3))
        .map(|l| scored(l, 0.7))
        .collect();
    let experience = [Label::Novice, Label::Experienced, Label::ExperienceUnknown][rng.below(3)];
    let intent = match rng.below(20) {
        0 => Label::NonBuyer,
        1..=3 => Label::InfoSeeker,
        _ => Label::Shopper,
    };
    let classification = Classification {
        format: Format::QianniuPaste,
        messages,
        motives,
        experience: scored(experience, 0.7),
        intent: scored(intent, 0.8),
        topics,
        buyer_credit: None,
    };
    let conversation = NewConversation {
        text,
        source: "synthetic".into(),
        source_ref: Some(index.to_string()),
        agent: Some(agent.to_string()),
        buyer: Some(buyer),
        shop: Some(shop.to_string()),
        chat_at: None,
    };
    (conversation, classification)
}

/// Adds `count` synthetic conversations (numbered from `first`) through
/// the real write path, `batch` per transaction; `progress` gets the
/// number written so far after every batch.
///
/// # Errors
/// On a database error.
pub fn fill(
    store: &mut crate::store::Store,
    first: usize,
    count: usize,
    batch: usize,
    now: i64,
    progress: &mut dyn FnMut(usize),
) -> crate::Result<()> {
    let mut rng = Rng::new(0x5EED ^ first as u64);
    let mut written = 0;
    while written < count {
        let size = batch.max(1).min(count - written);
        let items: Vec<_> = (0..size)
            .map(|i| conversation(&mut rng, first + written + i, now))
            .collect();
        store.record_batch(&items, "synthetic-1", now)?;
        written += size;
        progress(written);
    }
    Ok(())
}
