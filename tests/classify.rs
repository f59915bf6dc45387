//! The shipped lexicon and classifier on the taxonomy's own cues
//! (TAXONOMY.md), phrased as buyers phrase them: each typical cue must
//! yield its label, and the taxonomy's counter-examples must not.

use buyerlens_core::{Classifier, Label, Lexicon};

/// Built once and shared by every case.
static CLASSIFIER: std::sync::LazyLock<Classifier> = std::sync::LazyLock::new(|| {
    Classifier::new(&Lexicon::default_lexicon()).expect("default lexicon compiles")
});

fn classifier() -> &'static Classifier {
    &CLASSIFIER
}

fn labels_of(text: &str) -> Vec<Label> {
    classifier()
        .classify(text)
        .expect("classifies")
        .labels()
        .collect()
}

macro_rules! holds {
    ($($name:ident: $text:literal => $label:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                let labels = labels_of(concat!("买家：", $text, "\n客服：亲，在的哦"));
                assert!(labels.contains(&Label::$label), "{:?} should show {:?}, got {:?}", $text, Label::$label, labels);
            }
        )*
    };
}

macro_rules! lacks {
    ($($name:ident: $text:literal => $label:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                let labels = labels_of(concat!("买家：", $text, "\n客服：亲，在的哦"));
                assert!(!labels.contains(&Label::$label), "{:?} must not show {:?}, got {:?}", $text, Label::$label, labels);
            }
        )*
    };
}

holds! {
    practical_durable: "这个质量好吗 耐用吗" => Practical,
    aesthetic_looks: "这个颜色好看吗 显瘦吗" => Aesthetic,
    prestige_genuine: "是正品吗 专柜有吗" => Prestige,
    bargain_cheaper: "能便宜点吗 包邮吗" => Bargain,
    safety_baby: "宝宝能用吗 有没有甲醛" => Safety,
    novelty_new: "有今年的新款吗" => Novelty,
    speed_today: "今天能发吗 急用" => Speed,
    conformity_bestseller: "大家都买哪个 哪款卖得好" => Conformity,
    habit_repeat: "老顾客了 还是上次买的那款" => Habit,
    novice_pay: "第一次网上买 怎么付款啊" => Novice,
    experienced_jargon: "拍下了帮我改价 有运费险吧" => Experienced,
    info_seeker_browse: "我就随便看看 先了解一下 以后再买" => InfoSeeker,
    non_buyer_agency: "你们招代理吗 一件代发怎么合作" => NonBuyer,
    non_buyer_competitor: "你们进货渠道是哪 厂家在哪" => NonBuyer,
    stock_q: "还有货吗" => Stock,
    size_q: "身高165穿什么码" => Size,
    quality_q: "什么材质的 有色差吗" => Quality,
    shipping_q: "什么时候发货 发什么快递" => Shipping,
    discount_q: "有优惠券吗" => Discount,
    returns_q: "不合适能退货吗" => Returns,
    traditional_bargain: "能便宜點嗎 包郵嗎" => Bargain,
    // 材质/描述 covers what the item is made of and what it can do.
    quality_real_material: "是足金的吗 有证书吗" => Quality,
    quality_spec: "这个书架每层承重多少" => Quality,
    quality_ingredients: "有没有酒精和香精" => Quality,
    practical_material_question: "这双皮鞋是真皮的吗" => Practical,
    practical_load: "负重15公斤顶得住吗" => Practical,
    practical_wore_out: "才戴了几天就发黑了" => Practical,
    // A repeat buyer and a merchant with an online shop know the platform.
    experienced_repeat_buyer: "老样子 两罐 老地址 拍了" => Experienced,
    experienced_own_shop: "我在拼多多有个店 你们支持一件代发吗" => Experienced,
    negation_stops_at_space: "我不急 包邮吗" => Bargain,
    stock_variant: "38的黑色现在有吗" => Stock,
    shipping_deadline: "16号之前必须到 能保证吗" => Shipping,
    shipping_how_delivered: "这么大的东西是怎么送的" => Shipping,
    shipping_consolidated: "寄香港可以用集運嗎" => Shipping,
}

lacks! {
    price_dismissed: "价格无所谓 质量好就行" => Bargain,
    shipping_dismissed: "不在乎包不包邮" => Bargain,
    gift_dismissed: "不用送东西" => Bargain,
    not_in_a_hurry: "不急 慢慢发" => Speed,
    plain_delivery_question: "几天到" => Speed,
    address_is_not_safety: "地址是安全路3号" => Safety,
    out_of_stock_is_not_breakage: "会不会又断货啊" => Practical,
    already_used_up_is_not_durable: "旧的已经用完了" => Practical,
    sunscreen_name_is_not_a_feature: "这个防晒霜小孩能用吗" => Practical,
    shop_in_town_is_not_online: "我在县城开了个手机店 招加盟吗" => Experienced,
}

// A seller's pitch is not the buyer's motive.
#[test]
fn seller_words_are_not_evidence() {
    let labels = labels_of("买家：在吗\n客服：亲，我们包邮，还送赠品，正品保障，今天就能发");
    for label in [Label::Bargain, Label::Prestige, Label::Speed] {
        assert!(
            !labels.contains(&label),
            "shop words gave {label:?}: {labels:?}"
        );
    }
}

// The course deck's example: safety, then a discount and a gift → 求安 + 求廉.
#[test]
fn several_motives_at_once() {
    let labels = labels_of("买家：这个电磁炉安全吗\n客服：安全的\n买家：能打折吗 送点什么");
    assert!(
        labels.contains(&Label::Safety) && labels.contains(&Label::Bargain),
        "{labels:?}"
    );
}
