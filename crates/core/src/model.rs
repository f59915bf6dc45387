//! The result of classifying one transcript: the stable JSON shape that
//! the CLI prints, the store keeps and the desktop app shows.

use serde::{Deserialize, Serialize};

use crate::label::Label;

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Speaker {
    /// The buyer: only these messages carry evidence.
    Buyer,
    /// The shop's agent (客服) or an automatic reply.
    Shop,
    /// Could not be told.
    Unknown,
}

/// The shape a transcript was recognised as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Copied from the Qianniu/Wangwang window: `nick YYYY-MM-DD HH:MM:SS` headers.
    QianniuPaste,
    /// Each line starts with a role word: `买家：…`, `客服：…`.
    PlainPrefixed,
    /// WeChat copy or export: `name HH:MM` or `[date time] name:` headers.
    WechatPaste,
    /// A CSV export with a header row (时间,发送方,接收方,内容 or WeChat/JD columns).
    CsvExport,
    /// Tab-separated JDDC-style rows: session, customer, is-seller flag, ..., text.
    JdTsv,
    /// A JSON export: an array of message objects.
    JsonExport,
    /// Lines with no speaker structure: read as the buyer's words.
    BuyerOnly,
}

impl Format {
    /// The code used in JSON.
    pub fn code(self) -> &'static str {
        match self {
            Format::QianniuPaste => "qianniu_paste",
            Format::PlainPrefixed => "plain_prefixed",
            Format::WechatPaste => "wechat_paste",
            Format::CsvExport => "csv_export",
            Format::JdTsv => "jd_tsv",
            Format::JsonExport => "json_export",
            Format::BuyerOnly => "buyer_only",
        }
    }
}

/// One message of a transcript.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// Who wrote it.
    pub speaker: Speaker,
    /// The sender's nickname as written, when the transcript gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The time as written in the transcript, normalised to
    /// `YYYY-MM-DDTHH:MM:SS` (or `HH:MM` when only that is given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    /// The message text exactly as pasted (lines joined with `\n`).
    pub text: String,
    /// A system line (`[图片]`, a link, an order card, 以下为新消息):
    /// kept for display but never evidence.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub system: bool,
}

/// Where a label's support was found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// Index into [`Classification::messages`].
    pub message: usize,
    /// Start, in Unicode scalar values, into that message's original text.
    pub start: usize,
    /// End (exclusive), in Unicode scalar values.
    pub end: usize,
    /// The matched original text (`messages[message].text[start..end]` in chars).
    pub text: String,
    /// The lexicon rule id that matched, e.g. `bargain/包邮`.
    pub rule: String,
}

/// A label with its score and the evidence behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelScore {
    /// The label's code (`bargain`).
    pub code: Label,
    /// The label users see (`求廉`).
    pub label: String,
    /// Confidence in 0..=1.
    pub score: f32,
    /// The buyer words that support it.
    pub evidence: Vec<Evidence>,
}

/// Who the buyer is, as told by one transcript.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Classification {
    /// The recognised transcript shape.
    pub format: Format,
    /// The parsed messages, in order.
    pub messages: Vec<Message>,
    /// Motives that hold, best first.
    pub motives: Vec<LabelScore>,
    /// Novice, experienced or unknown.
    pub experience: LabelScore,
    /// Shopper, info-seeker or non-buyer.
    pub intent: LabelScore,
    /// Routine questions the buyer asked, best first.
    pub topics: Vec<LabelScore>,
    /// The buyer's credit level when the text shows it (三心, 一钻, 皇冠 …).
    pub buyer_credit: Option<String>,
}

impl Classification {
    /// The codes of all labels that hold: motives, experience, intent, topics.
    pub fn labels(&self) -> impl Iterator<Item = Label> + '_ {
        self.scores().map(|s| s.code)
    }

    /// All labels that hold with their scores and evidence, in the order
    /// of [`Classification::labels`].
    pub fn scores(&self) -> impl Iterator<Item = &LabelScore> + '_ {
        self.motives
            .iter()
            .chain([&self.experience, &self.intent])
            .chain(&self.topics)
    }

    /// The text at an evidence's offsets (characters of its message's text
    /// as pasted), which is what its `text` says; `None` when the offsets
    /// lie outside the message.
    pub fn quoted(&self, evidence: &Evidence) -> Option<String> {
        let message = &self.messages.get(evidence.message)?.text;
        let length = evidence.end.checked_sub(evidence.start)?;
        (evidence.end <= message.chars().count())
            .then(|| message.chars().skip(evidence.start).take(length).collect())
    }

    /// The buyer's nickname, when a buyer message carries one.
    pub fn buyer_name(&self) -> Option<&str> {
        self.messages
            .iter()
            .find(|m| m.speaker == Speaker::Buyer && m.name.is_some())
            .and_then(|m| m.name.as_deref())
    }

    /// The shop-side name of the first shop message (`shop:agent` as written).
    pub fn shop_name(&self) -> Option<&str> {
        self.messages
            .iter()
            .find(|m| m.speaker == Speaker::Shop && m.name.is_some())
            .and_then(|m| m.name.as_deref())
    }
}
