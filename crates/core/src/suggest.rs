//! Reply suggestions: rank the shop's templates (话术) for a classified
//! buyer and fill their placeholders from the conversation.
//!
//! # Scoring
//!
//! A template's tags are label codes. Its score is the sum, over the tags
//! the buyer's classification holds, of that label's score times a weight
//! per axis: topic 3 (answer the question the buyer asked first), motive 2,
//! experience 1, intent 0.5. Then:
//! - a template tagged for experience or intent applies only when the
//!   buyer's label is one of those tags (novice guidance is not sent to an
//!   experienced buyer, a no-thanks reply not to a shopper);
//! - a template tagged with motives or topics needs at least one of them
//!   to hold;
//! - for a non-buyer, templates not tagged `non_buyer` count a third;
//! - untagged templates are generic fallbacks with a small fixed score;
//! - agents' use counts nudge the score up (logarithmically);
//! - picks are greedy, and each template whose strongest matching label was
//!   already the strongest of k picks counts `0.5^k`: no five templates for
//!   the same motive.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

use crate::label::{Axis, Label};
use crate::model::{Classification, Speaker};
use crate::store::Template;

/// The placeholders a template body may use.
pub const PLACEHOLDERS: &[&str] = &["买家", "客服", "店铺", "商品"];

static PLACEHOLDER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\{([^{}\s]{1,16})\}").expect("placeholder pattern"));

/// Checks that a body only uses known placeholders.
///
/// # Errors
/// A message naming the first unknown placeholder.
pub fn check_placeholders(body: &str) -> Result<(), String> {
    for capture in PLACEHOLDER.captures_iter(body) {
        let name = &capture[1];
        if !PLACEHOLDERS.contains(&name) {
            return Err(format!(
                "unknown placeholder {{{name}}}: use {}",
                PLACEHOLDERS
                    .iter()
                    .map(|p| format!("{{{p}}}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            ));
        }
    }
    Ok(())
}

/// What fills the placeholders.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FillContext {
    /// `{买家}`: the buyer's nickname (default 亲).
    pub buyer: Option<String>,
    /// `{客服}`: the agent's name (default 客服).
    pub agent: Option<String>,
    /// `{店铺}`: the shop (default 小店).
    pub shop: Option<String>,
    /// `{商品}`: the item (default 宝贝).
    pub item: Option<String>,
}

impl FillContext {
    /// What the conversation tells: the buyer's nickname, the shop side's
    /// `shop:agent` name, and the item the buyer points at (这款/这条…).
    pub fn from_classification(result: &Classification) -> FillContext {
        let (shop, agent) = match result.shop_name() {
            Some(name) => match name.split_once([':', '：']) {
                Some((shop, agent)) => (Some(shop.to_string()), Some(agent.to_string())),
                None => (None, Some(name.to_string())),
            },
            None => (None, None),
        };
        FillContext {
            buyer: result.buyer_name().map(str::to_string),
            agent: agent.filter(|a| !a.is_empty()),
            shop: shop.filter(|s| !s.is_empty()),
            item: item_of(result),
        }
    }
}

static ITEM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:这|那)(?:个|款|件|条|双|套|只|台|瓶|盒|支|把|顶|副|本|张|块|袋|罐|包)([\p{Han}A-Za-z0-9]{2,10}?)(?:是|有|还|吗|呢|的|能|可|多|怎|会|要|适|穿|用|[，,。？?！!~～\s]|$)",
    )
    .expect("item pattern")
});

/// Words that follow 这款/这个 but are not an item.
const NOT_ITEMS: &[&str] = &[
    "好看", "颜色", "质量", "尺码", "多少", "怎么", "什么", "可以", "还有", "有货", "现货", "价格",
    "价钱", "东西", "宝贝", "商品", "链接", "产品", "衣服", "码数", "型号", "活动", "优惠", "快递",
    "问题", "时候", "样子", "款式", "面料", "材质", "大小", "尺寸", "效果", "味道",
];

/// The item the buyer points at ("这条碎花连衣裙" → 碎花连衣裙), if any.
pub fn item_of(result: &Classification) -> Option<String> {
    result
        .messages
        .iter()
        .filter(|m| m.speaker == Speaker::Buyer && !m.system)
        .flat_map(|m| {
            ITEM.captures_iter(&m.text)
                .map(|c| c[1].to_string())
                .collect::<Vec<_>>()
        })
        .find(|item| !NOT_ITEMS.contains(&item.as_str()))
}

/// Fills a body's placeholders; unknown ones are left as written.
pub fn fill(body: &str, context: &FillContext) -> String {
    PLACEHOLDER
        .replace_all(body, |c: &regex::Captures<'_>| {
            let value = match &c[1] {
                "买家" => context.buyer.as_deref().unwrap_or("亲"),
                "客服" => context.agent.as_deref().unwrap_or("客服"),
                "店铺" => context.shop.as_deref().unwrap_or("小店"),
                "商品" => context.item.as_deref().unwrap_or("宝贝"),
                _ => return c[0].to_string(),
            };
            value.to_string()
        })
        .into_owned()
}

/// A ranked, filled reply.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    /// Template id.
    pub id: i64,
    /// Template title.
    pub title: String,
    /// The reply, placeholders filled.
    pub text: String,
    /// Why it fits, for the agent (Chinese).
    pub why: String,
    /// The ranking score.
    #[serde(skip)]
    pub score: f32,
}

fn axis_weight(axis: Axis) -> f32 {
    match axis {
        Axis::Topic => 3.0,
        Axis::Motive => 2.0,
        Axis::Experience => 1.0,
        Axis::Intent => 0.5,
    }
}

const GENERIC_SCORE: f32 = 0.1;

struct Candidate<'a> {
    template: &'a Template,
    score: f32,
    strongest: Option<Label>,
    matched: Vec<Label>,
}

fn evaluate<'a>(
    template: &'a Template,
    held: &HashMap<Label, f32>,
    intent: Label,
) -> Option<Candidate<'a>> {
    let mut score = 0.0;
    let mut strongest: Option<(Label, f32)> = None;
    let mut matched = Vec::new();
    for axis in [Axis::Experience, Axis::Intent] {
        let tags: Vec<Label> = template
            .tags
            .iter()
            .copied()
            .filter(|t| t.axis() == axis)
            .collect();
        if !tags.is_empty() && !tags.iter().any(|t| held.contains_key(t)) {
            return None;
        }
    }
    let wants_content = template
        .tags
        .iter()
        .any(|t| matches!(t.axis(), Axis::Motive | Axis::Topic));
    let mut content_match = false;
    for &tag in &template.tags {
        if let Some(&label_score) = held.get(&tag) {
            let contribution = axis_weight(tag.axis()) * label_score.max(0.05);
            score += contribution;
            matched.push(tag);
            if matches!(tag.axis(), Axis::Motive | Axis::Topic) {
                content_match = true;
            }
            if strongest.is_none_or(|(_, s)| contribution > s) {
                strongest = Some((tag, contribution));
            }
        }
    }
    if wants_content && !content_match {
        return None;
    }
    if template.tags.is_empty() {
        score = GENERIC_SCORE;
    }
    if intent == Label::NonBuyer && !template.tags.contains(&Label::NonBuyer) {
        score /= 3.0;
    }
    score += 0.15 * (1.0 + template.use_count as f32).ln();
    Some(Candidate {
        template,
        score,
        strongest: strongest.map(|(l, _)| l),
        matched,
    })
}

fn why(matched: &[Label]) -> String {
    let mut parts = Vec::new();
    let topics: Vec<&str> = matched
        .iter()
        .filter(|l| l.axis() == Axis::Topic)
        .map(|l| l.zh())
        .collect();
    if !topics.is_empty() {
        parts.push(format!("买家问了{}", topics.join("、")));
    }
    let motives: Vec<&str> = matched
        .iter()
        .filter(|l| l.axis() == Axis::Motive)
        .map(|l| l.zh())
        .collect();
    if !motives.is_empty() {
        parts.push(format!("动机{}", motives.join("、")));
    }
    for label in matched
        .iter()
        .filter(|l| matches!(l.axis(), Axis::Experience | Axis::Intent))
    {
        parts.push(label.zh().to_string());
    }
    if parts.is_empty() {
        "通用回复".to_string()
    } else {
        parts.join("；")
    }
}

/// The `n` best enabled templates for a classified buyer, filled from
/// `context`. See the [module docs](self) for the scoring.
pub fn suggest(
    templates: &[Template],
    result: &Classification,
    context: &FillContext,
    n: usize,
) -> Vec<Suggestion> {
    let mut held: HashMap<Label, f32> = HashMap::new();
    for label in result.motives.iter().chain(result.topics.iter()) {
        held.insert(label.code, label.score);
    }
    held.insert(result.experience.code, result.experience.score);
    held.insert(result.intent.code, result.intent.score);
    let mut candidates: Vec<Candidate<'_>> = templates
        .iter()
        .filter(|t| t.enabled)
        .filter_map(|t| evaluate(t, &held, result.intent.code))
        .collect();
    let mut picked_strongest: HashMap<Label, i32> = HashMap::new();
    let mut out = Vec::new();
    while out.len() < n && !candidates.is_empty() {
        let adjusted = |c: &Candidate<'_>| {
            let k = c
                .strongest
                .and_then(|l| picked_strongest.get(&l))
                .copied()
                .unwrap_or(0);
            c.score * 0.5f32.powi(k)
        };
        let best = candidates
            .iter()
            .enumerate()
            .max_by(|(ia, a), (ib, b)| {
                adjusted(a).total_cmp(&adjusted(b)).then(ib.cmp(ia)) // ties: earlier template
            })
            .map(|(i, _)| i)
            .expect("candidates is not empty");
        let chosen = candidates.swap_remove(best);
        let score = adjusted(&chosen);
        if let Some(label) = chosen.strongest {
            *picked_strongest.entry(label).or_default() += 1;
        }
        out.push(Suggestion {
            id: chosen.template.id,
            title: chosen.template.title.clone(),
            text: fill(&chosen.template.body, context),
            why: why(&chosen.matched),
            score,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // Unknown placeholders are named; known ones pass.
    #[test]
    fn placeholders_checked() {
        assert!(check_placeholders("{买家}您好，{客服}为您服务").is_ok());
        let err = check_placeholders("{买家}您好 {订单号}").unwrap_err();
        assert!(err.contains("{订单号}"), "{err}");
        assert!(check_placeholders("亲 {^_^} 在的").is_err());
        assert!(
            check_placeholders("{ 不是占位符 }").is_ok(),
            "braces around spaces are text"
        );
    }

    // Missing values fall back to words that read naturally.
    #[test]
    fn fill_uses_fallbacks() {
        let context = FillContext {
            buyer: Some("lulu".into()),
            ..Default::default()
        };
        assert_eq!(
            fill("{买家}您好，这款{商品}{店铺}有现货", &context),
            "lulu您好，这款宝贝小店有现货"
        );
    }
}
