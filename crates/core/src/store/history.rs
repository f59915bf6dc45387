//! Conversations and their classifications: recording, history pages,
//! full-text search and the detail of one conversation.

use std::collections::HashMap;

use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, OptionalExtension, Transaction, TransactionBehavior};
use serde::{Serialize, Serializer};

use super::day_counts::DayCounts;
use super::label_bits;
use super::stored_results::{
    decode_result, encode_result, evidence_rules, number_rules_in, RuleNumbers,
};
use super::{sql, time, Store, StoreError};
use crate::error::{Error, Result};
use crate::label::{Axis, Label};
use crate::model::Classification;
use crate::store::corrections::CorrectionRecord;

/// A conversation to store, with what is known about where it came from.
///
/// Fields left `None` are filled from the classification where it can tell
/// them (buyer and shop nicknames, the time of the first message).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewConversation {
    /// The transcript as pasted or read from the file.
    pub text: String,
    /// `paste`, or the file it came from.
    pub source: String,
    /// Where in the source (a JSONL id, a row, a chat number).
    pub source_ref: Option<String>,
    /// The shop's agent (客服) who handled it.
    pub agent: Option<String>,
    /// The buyer's nickname.
    pub buyer: Option<String>,
    /// The shop.
    pub shop: Option<String>,
    /// When the chat happened (local seconds).
    pub chat_at: Option<i64>,
}

impl NewConversation {
    /// A conversation pasted by an agent.
    pub fn pasted(text: impl Into<String>) -> NewConversation {
        NewConversation {
            text: text.into(),
            source: "paste".into(),
            ..Default::default()
        }
    }

    /// A conversation read from `source`.
    pub fn from_source(text: impl Into<String>, source: impl Into<String>) -> NewConversation {
        NewConversation {
            text: text.into(),
            source: source.into(),
            ..Default::default()
        }
    }

    /// Fills unknown buyer, shop, agent and chat time from a classification:
    /// the buyer's nickname, the shop side's `shop:agent` sub-account name,
    /// and the first full date-time of a message.
    pub fn fill_from(&mut self, result: &Classification) {
        // Role words (买家：, 客服：) are not names.
        const ROLES: &[&str] = &[
            "买家", "顾客", "客户", "客服", "卖家", "店家", "商家", "我", "买方", "卖方",
        ];
        let named = |name: &&str| !ROLES.contains(&name.trim());
        if self.buyer.is_none() {
            self.buyer = result.buyer_name().filter(named).map(str::to_string);
        }
        if let Some(shop_side) = result.shop_name().filter(named) {
            let (shop, agent) = match shop_side.split_once([':', '：']) {
                Some((shop, agent)) => (Some(shop), Some(agent)),
                None => (None, Some(shop_side)),
            };
            if self.shop.is_none() {
                self.shop = shop.filter(|s| !s.is_empty()).map(str::to_string);
            }
            if self.agent.is_none() {
                self.agent = agent.filter(|s| !s.is_empty()).map(str::to_string);
            }
        }
        if self.chat_at.is_none() {
            self.chat_at = result
                .messages
                .iter()
                .filter_map(|m| m.time.as_deref())
                .find_map(time::parse_local);
        }
    }
}

/// What recording one conversation did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Recorded {
    /// The conversation's id (the existing one for a duplicate).
    pub conversation_id: i64,
    /// The new classification run, `None` when nothing new was stored.
    pub classification_id: Option<i64>,
    /// The same text was already stored.
    pub duplicate: bool,
}

/// A conversation made ready to be written: masked when masking is on,
/// named from its classification, hashed, and its result serialised and
/// compressed. Needs no database, so many can be prepared in parallel
/// while another batch is being written ([`Store::record_prepared`]).
#[derive(Debug, Clone)]
pub struct PreparedConversation {
    conversation: NewConversation,
    hash: [u8; 32],
    format: &'static str,
    /// Every label of the result with its score, motives first.
    scored: Vec<(Label, f32)>,
    /// The result as stored (see [`encode_result`]).
    result: Vec<u8>,
    /// What the full-text index holds for it (see [`search_text`]).
    search_text: String,
}

impl PreparedConversation {
    /// Prepares `conversation` and its classification for writing, masking
    /// personal data first when `mask` is on (the store's
    /// [`Store::masks_personal_data`]), with the evidence rules numbered
    /// in `rules` stored as their numbers ([`Store::number_rules`]).
    ///
    /// # Errors
    /// When the result cannot be serialised.
    pub fn new(
        conversation: &NewConversation,
        result: &Classification,
        mask: bool,
        rules: &RuleNumbers,
    ) -> Result<PreparedConversation> {
        let (conversation, result) = super::masking::for_storage(mask, conversation, result);
        let mut conversation = conversation.into_owned();
        conversation.fill_from(&result);
        // Each label once: the label rows are keyed by it.
        let mut scored: Vec<(Label, f32)> = Vec::new();
        for label in result.scores() {
            if !scored.iter().any(|(seen, _)| *seen == label.code) {
                scored.push((label.code, label.score));
            }
        }
        Ok(PreparedConversation {
            hash: content_hash(&conversation.text),
            format: result.format.code(),
            scored,
            result: encode_result(&result, rules)?,
            search_text: search_text(&conversation.text, &result),
            conversation,
        })
    }
}

/// The text the full-text index holds for a conversation: the names of
/// its speakers, once each, and what every message says — not the header
/// lines around them (`tb_123 2024-05-12 14:03:21`), which repeat a name
/// and a time for every message: in Qianniu-style exports they are half
/// to two thirds of the text, and indexing them was most of a write.
/// Times are searched with the date filters, not as words. When the
/// result's messages do not cover the text (a result not made from it,
/// CRLF line ends), the whole text is indexed.
pub(crate) fn search_text(text: &str, result: &Classification) -> String {
    if !messages_cover(text, result) {
        return format!("{text}\n");
    }
    let mut out = String::with_capacity(text.len());
    let mut names: Vec<&str> = Vec::new();
    for name in result.messages.iter().filter_map(|m| m.name.as_deref()) {
        if !name.is_empty() && !names.contains(&name) {
            names.push(name);
            out.push_str(name);
            out.push('\n');
        }
    }
    for message in &result.messages {
        out.push_str(&message.text);
        out.push('\n');
    }
    out
}

/// Whether the result's messages are the text's, in order, with at most
/// one line (a header with a name and a time) before each of them and
/// nothing after the last.
fn messages_cover(text: &str, result: &Classification) -> bool {
    let at_most_one_line = |gap: &str| gap.lines().filter(|l| !l.trim().is_empty()).count() <= 1;
    let mut at = 0;
    for message in &result.messages {
        let Some(found) = text[at..].find(message.text.as_str()) else {
            return false;
        };
        if !at_most_one_line(&text[at..at + found]) {
            return false;
        }
        at += found + message.text.len();
    }
    !result.messages.is_empty() && text[at..].trim().is_empty()
}

/// What recording a batch did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RecordOutcome {
    /// Conversations added.
    pub added: usize,
    /// Conversations already stored.
    pub duplicates: usize,
    /// One entry per input, in order.
    pub recorded: Vec<Recorded>,
}

/// The labels history shows: the latest classification with supervisors'
/// corrections applied.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EffectiveLabels {
    /// Motive codes.
    pub motives: Vec<Label>,
    /// Experience code.
    pub experience: Option<Label>,
    /// Intent code.
    pub intent: Option<Label>,
    /// Topic codes.
    pub topics: Vec<Label>,
    /// Axes a supervisor corrected.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub corrected: Vec<Axis>,
}

impl EffectiveLabels {
    /// The labels of a classification result.
    pub fn of(result: &Classification) -> EffectiveLabels {
        EffectiveLabels {
            motives: result.motives.iter().map(|m| m.code).collect(),
            experience: Some(result.experience.code),
            intent: Some(result.intent.code),
            topics: result.topics.iter().map(|t| t.code).collect(),
            corrected: Vec::new(),
        }
    }

    /// The codes of one axis.
    pub fn of_axis(&self, axis: Axis) -> Vec<Label> {
        match axis {
            Axis::Motive => self.motives.clone(),
            Axis::Experience => self.experience.into_iter().collect(),
            Axis::Intent => self.intent.into_iter().collect(),
            Axis::Topic => self.topics.clone(),
        }
    }

    fn push(&mut self, label: Label) {
        match label.axis() {
            Axis::Motive => self.motives.push(label),
            Axis::Experience => self.experience = Some(label),
            Axis::Intent => self.intent = Some(label),
            Axis::Topic => self.topics.push(label),
        }
    }

    fn sort(&mut self) {
        self.motives.sort();
        self.topics.sort();
        self.corrected.sort();
        self.corrected.dedup();
    }
}

/// Which conversations a history page shows. All filters combine with AND.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryFilter {
    /// From this time (local seconds, inclusive).
    pub from: Option<i64>,
    /// Up to this time (local seconds, inclusive).
    pub to: Option<i64>,
    /// Handled by this agent.
    pub agent: Option<String>,
    /// Every one of these labels holds (after corrections).
    pub labels: Vec<Label>,
    /// Only corrected (`Some(true)`) or only uncorrected (`Some(false)`).
    pub corrected: Option<bool>,
    /// Words that must all occur in the transcript (each at least two
    /// characters; matched as substrings, case-insensitively).
    pub search: Option<String>,
    /// Keyset paging: only rows older than this `(time, id)` — the last
    /// row of the previous page. Cheaper than `offset` deep into history.
    pub before: Option<(i64, i64)>,
    /// Page size.
    pub limit: u32,
    /// Rows to skip.
    pub offset: u64,
}

impl Default for HistoryFilter {
    fn default() -> HistoryFilter {
        HistoryFilter {
            from: None,
            to: None,
            agent: None,
            labels: Vec::new(),
            corrected: None,
            search: None,
            before: None,
            limit: 50,
            offset: 0,
        }
    }
}

pub(crate) fn serialize_local_time<S: Serializer>(
    seconds: &i64,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&time::format_local(*seconds))
}

/// One row of history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryRecord {
    /// Conversation id.
    pub id: i64,
    /// Time of the chat, or of the import when the chat shows none.
    #[serde(rename = "time", serialize_with = "serialize_local_time")]
    pub at: i64,
    /// Time of the import.
    #[serde(serialize_with = "serialize_local_time")]
    pub imported_at: i64,
    /// `paste` or a file path.
    pub source: String,
    /// Where in the source.
    pub source_ref: Option<String>,
    /// The agent.
    pub agent: Option<String>,
    /// The buyer's nickname.
    pub buyer: Option<String>,
    /// The shop.
    pub shop: Option<String>,
    /// The transcript shape.
    pub format: Option<String>,
    /// Lexicon version of the latest classification.
    pub lexicon_version: Option<String>,
    /// Labels after corrections.
    pub labels: EffectiveLabels,
    /// A supervisor corrected some label.
    pub corrected: bool,
    /// The transcript's first characters.
    pub preview: String,
}

/// Everything about one conversation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConversationDetail {
    /// The history row (labels after corrections).
    #[serde(flatten)]
    pub record: HistoryRecord,
    /// The full transcript.
    pub text: String,
    /// The latest classification as the classifier produced it.
    pub classification: Option<Classification>,
    /// The labels of that classification, before corrections.
    pub original_labels: EffectiveLabels,
    /// Corrections, oldest first.
    pub corrections: Vec<CorrectionRecord>,
    /// How many times it was classified.
    pub classification_runs: u32,
}

/// The [`content_hash`] a conversation with this text is stored under:
/// that of its masked text when masking is on (`mask`, the store's
/// [`Store::masks_personal_data`]), so the raw text of a chat with a phone
/// number in it finds the stored one.
pub fn stored_hash(text: &str, mask: bool) -> [u8; 32] {
    content_hash(&super::masking::stored_text(mask, text))
}

/// blake3 of the text with CRLF/CR line endings, trailing spaces on lines
/// and outer blank lines normalised away: the same chat read from a
/// Windows export or pasted again hashes the same.
pub fn content_hash(text: &str) -> [u8; 32] {
    let mut hasher = blake3::Hasher::new();
    let unified = text.replace("\r\n", "\n").replace('\r', "\n");
    for (i, line) in unified.trim().lines().enumerate() {
        if i > 0 {
            hasher.update(b"\n");
        }
        hasher.update(line.trim_end().as_bytes());
    }
    *hasher.finalize().as_bytes()
}

const RECORD_COLUMNS: &str = "c.id, c.at, c.imported_at, c.source, c.source_ref, c.agent, \
     c.buyer, c.shop, c.format, c.corrected, substr(c.text, 1, 80), \
     (SELECT lexicon_version FROM classification k WHERE k.conversation_id = c.id \
      ORDER BY k.id DESC LIMIT 1)";

fn record_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<HistoryRecord> {
    Ok(HistoryRecord {
        id: row.get(0)?,
        at: row.get(1)?,
        imported_at: row.get(2)?,
        source: row.get(3)?,
        source_ref: row.get(4)?,
        agent: row.get(5)?,
        buyer: row.get(6)?,
        shop: row.get(7)?,
        format: row.get(8)?,
        corrected: row.get(9)?,
        preview: row.get(10)?,
        lexicon_version: row.get(11)?,
        labels: EffectiveLabels::default(),
    })
}

/// Above this many matching conversations a search word is checked by
/// scanning history newest-first (a page fills quickly) rather than
/// collecting and sorting every match from the full-text index.
const SCAN_ABOVE_MATCHES: i64 = 20_000;

/// Where a history query switches from one way of finding rows to another
/// (tests move them to take each way).
#[derive(Debug, Clone, Copy)]
struct Thresholds {
    /// A search word in more conversations is matched by scanning.
    scan_above: i64,
    /// A label in at most this many conversations is found by its index.
    rare_label_rows: i64,
}

/// The thresholds of pages.
const PAGE: Thresholds = Thresholds {
    scan_above: SCAN_ABOVE_MATCHES,
    rare_label_rows: RARE_LABEL_ROWS,
};

/// The thresholds of counts: a count must see every match, and the
/// full-text index holds them far more compactly than the transcripts.
const COUNT: Thresholds = Thresholds {
    scan_above: i64::MAX,
    rare_label_rows: RARE_LABEL_ROWS,
};

/// A two-character word expands to at most this many trigrams.
const MAX_PREFIX_TERMS: usize = 200;

/// How one search word is matched.
#[derive(Debug, Clone, PartialEq)]
enum WordPlan {
    /// Through the trigram index: an FTS5 expression and the most
    /// conversations it can match.
    Index(String, i64),
    /// By `LIKE` on rows another index yields.
    Scan(String),
    /// The index shows no conversation has it.
    Nothing,
}

/// The words of a search; each must have at least two characters.
fn search_words(search: &str) -> Result<Vec<String>> {
    let words: Vec<String> = search.split_whitespace().map(str::to_lowercase).collect();
    if words.is_empty() {
        return Err(StoreError::Invalid("the search is empty".into()).into());
    }
    if let Some(short) = words.iter().find(|w| w.chars().count() < 2) {
        return Err(StoreError::Invalid(format!(
            "search word \"{short}\" is too short: search needs at least two characters"
        ))
        .into());
    }
    Ok(words)
}

fn quote_fts(term: &str) -> String {
    format!("\"{}\"", term.replace('"', "\"\""))
}

fn like_pattern(word: &str) -> String {
    let mut pattern = String::from("%");
    for c in word.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// What a history query is built for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    /// Rows of a page, newest first.
    Page,
    /// How many rows match.
    Count,
}

/// SQLite steps between two calls of a count's `stop` check.
const STOP_CHECK_STEPS: std::ffi::c_int = 1_000;

/// The FROM and WHERE of a history query, with their parameters
/// (`?1`, `?2` … in order).
#[derive(Debug)]
struct HistoryQuery {
    from_clause: String,
    /// Empty, or `WHERE …`.
    where_clause: String,
    /// The time and the id of a row, in the columns of the index walked.
    time_column: &'static str,
    id_column: &'static str,
    args: Vec<Value>,
}

impl HistoryQuery {
    /// Adds a parameter; returns its placeholder.
    fn arg(&mut self, value: Value) -> String {
        self.args.push(value);
        format!("?{}", self.args.len())
    }
}

/// Seconds per day: `day_count.day` is `at / 86400`.
const DAY: i64 = 86_400;

/// How the rows of a history page are found: the index walked in time
/// order (or the match set sorted), chosen by the smallest estimate.
#[derive(Debug, Clone, PartialEq)]
enum Driver {
    Everything,
    Agent,
    Corrected,
    Index(String),
    /// A rare label's conversations, through `conversation_label_code`.
    Label(Label),
}

/// A label with at most this many conversations in a filter's range is
/// fetched through its own index and sorted by time (a few ms); a commoner
/// one is tested on the time-ordered walk, which stops as soon as the page
/// is full (a page of 200 then reads at most a tenth of the range).
const RARE_LABEL_ROWS: i64 = 2_000;

impl Store {
    /// Stores one conversation and its classification, in one transaction.
    ///
    /// The same text stored again adds no conversation. It adds a new
    /// classification run only when `lexicon_version` differs from the
    /// latest run's (a re-classification with an edited lexicon); labels a
    /// supervisor corrected stay corrected.
    ///
    /// # Errors
    /// On a database error; nothing is written then.
    pub fn record(
        &mut self,
        conversation: &NewConversation,
        result: &Classification,
        lexicon_version: &str,
        now: i64,
    ) -> Result<Recorded> {
        let mask = self.masks_personal_data()?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql("begin a transaction"))?;
        defer_foreign_keys(&tx)?;
        let rules = number_rules_in(&tx, evidence_rules(result))?;
        let prepared = PreparedConversation::new(conversation, result, mask, &rules)?;
        let mut rows = LabelRows::default();
        let recorded = record_in(&tx, &prepared, lexicon_version, now, &mut rows)?;
        rows.write(&tx)?;
        if !recorded.duplicate {
            index_text(&tx, [(recorded.conversation_id, &prepared)])?;
        }
        tx.commit().map_err(sql("commit the conversation"))?;
        Ok(recorded)
    }

    /// Stores many conversations in one transaction: either all of them
    /// are written or none.
    ///
    /// # Errors
    /// On a database error; nothing of the batch is written then.
    pub fn record_batch(
        &mut self,
        items: &[(NewConversation, Classification)],
        lexicon_version: &str,
        now: i64,
    ) -> Result<RecordOutcome> {
        let mask = self.masks_personal_data()?;
        // Numbered in a transaction of their own: a number no result names
        // is harmless, should the batch fail.
        let rules =
            self.number_rules(items.iter().flat_map(|(_, result)| evidence_rules(result)))?;
        let prepared = items
            .iter()
            .map(|(conversation, result)| {
                PreparedConversation::new(conversation, result, mask, &rules)
            })
            .collect::<Result<Vec<_>>>()?;
        self.record_prepared(&prepared, lexicon_version, now)
    }

    /// Stores conversations made ready by [`PreparedConversation::new`] in
    /// one transaction, as [`Store::record_batch`] does. Preparing is most
    /// of a write's work and needs no database, so a bulk import prepares
    /// the next batch on other threads while this one is written.
    ///
    /// # Errors
    /// On a database error; nothing of the batch is written then.
    pub fn record_prepared(
        &mut self,
        items: &[PreparedConversation],
        lexicon_version: &str,
        now: i64,
    ) -> Result<RecordOutcome> {
        // IMMEDIATE: take the write lock now rather than fail to upgrade
        // a read transaction half-way through the batch.
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql("begin a transaction"))?;
        defer_foreign_keys(&tx)?;
        let mut outcome = RecordOutcome::default();
        let mut rows = LabelRows::default();
        let mut added = Vec::new();
        for prepared in items {
            let recorded = record_in(&tx, prepared, lexicon_version, now, &mut rows)?;
            if recorded.duplicate {
                outcome.duplicates += 1;
            } else {
                outcome.added += 1;
                added.push((recorded.conversation_id, prepared));
            }
            outcome.recorded.push(recorded);
        }
        rows.write(&tx)?;
        index_text(&tx, added)?;
        tx.commit().map_err(sql("commit the batch"))?;
        Ok(outcome)
    }

    /// Whether a conversation with this text is stored; its id if so.
    ///
    /// # Errors
    /// On a database error.
    pub fn find_by_text(&self, text: &str) -> Result<Option<i64>> {
        self.find_by_hash(&stored_hash(text, self.masks_personal_data()?))
    }

    /// The id of the conversation with this [`content_hash`].
    ///
    /// # Errors
    /// On a database error.
    pub fn find_by_hash(&self, hash: &[u8; 32]) -> Result<Option<i64>> {
        self.conn
            .prepare_cached("SELECT id FROM conversation WHERE content_hash = ?1")
            .and_then(|mut stmt| stmt.query_row([&hash[..]], |r| r.get(0)).optional())
            .map_err(sql("look up a conversation by hash"))
    }

    /// How many conversations are stored.
    ///
    /// # Errors
    /// On a database error.
    pub fn conversation_count(&self) -> Result<u64> {
        self.conn
            .query_row(
                "SELECT coalesce(sum(n), 0) FROM day_count WHERE code = ''",
                [],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| u64::try_from(n).unwrap_or(0))
            .map_err(sql("count conversations"))
    }

    /// One page of history, newest first, labels after corrections.
    ///
    /// The filter that matches fewest conversations (estimated from the
    /// report counts and the full-text vocabulary) picks the index the
    /// query walks, so a page stays fast with a million conversations
    /// whatever the combination. A large `offset` costs time proportional
    /// to it; `before` pages without that cost.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for a search with a one-character word;
    /// database errors.
    pub fn history(&self, filter: &HistoryFilter) -> Result<Vec<HistoryRecord>> {
        self.history_page(filter, PAGE)
    }

    /// [`Store::history`] with the given thresholds.
    fn history_page(
        &self,
        filter: &HistoryFilter,
        thresholds: Thresholds,
    ) -> Result<Vec<HistoryRecord>> {
        let Some(mut query) = self.history_query(filter, Purpose::Page, thresholds)? else {
            return Ok(Vec::new());
        };
        let limit = query.arg(Value::Integer(i64::from(filter.limit)));
        let offset = query.arg(Value::Integer(
            i64::try_from(filter.offset).unwrap_or(i64::MAX),
        ));
        let HistoryQuery {
            from_clause,
            where_clause,
            time_column,
            id_column,
            args,
        } = query;
        let sql_text = format!(
            "SELECT {RECORD_COLUMNS} FROM {from_clause} {where_clause} \
             ORDER BY {time_column} DESC, {id_column} DESC LIMIT {limit} OFFSET {offset}"
        );
        let mut records = self
            .conn
            .prepare_cached(&sql_text)
            .and_then(|mut stmt| {
                stmt.query_map(params_from_iter(args), record_from_row)?
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(sql("read a history page"))?;
        self.attach_labels(&mut records)?;
        Ok(records)
    }

    /// How many conversations [`Store::history`] would list for `filter`
    /// over all its pages (`limit`, `offset` and `before` are ignored),
    /// counted in one query with the same conditions.
    ///
    /// # Cost
    /// Every match is counted, so this takes time proportional to the
    /// matches of the most selective filter, or for label filters to the
    /// conversations in the days the labels have (their bits are tested in
    /// the time-ordered index; a label in at most 2,000 conversations is
    /// counted through its own index): at 1.5 million conversations, 31 ms
    /// for a word in 560,000 of them, 38 ms for a label, 70 ms for two
    /// common labels, 0.7 s for a common word within a month (see
    /// BENCHMARKS.md).
    /// Search words go through the full-text index here even when they are
    /// common (a page scans the newest rows instead, which fills a page
    /// quickly but would read every transcript to count). See
    /// [`Store::count_history_unless`] to stop it early.
    ///
    /// # Errors
    /// As [`Store::history`].
    pub fn count_history(&self, filter: &HistoryFilter) -> Result<u64> {
        self.count_with(filter, COUNT)
    }

    /// [`Store::count_history`] with the given thresholds.
    fn count_with(&self, filter: &HistoryFilter, thresholds: Thresholds) -> Result<u64> {
        let Some(query) = self.history_query(filter, Purpose::Count, thresholds)? else {
            return Ok(0);
        };
        let sql_text = format!(
            "SELECT count(*) FROM {} {}",
            query.from_clause, query.where_clause
        );
        let count: i64 = self
            .conn
            .prepare_cached(&sql_text)
            .and_then(|mut stmt| stmt.query_row(params_from_iter(query.args), |r| r.get(0)))
            .map_err(sql("count history"))?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    /// [`Store::count_history`], stopped with [`StoreError::Interrupted`]
    /// as soon as `stop` returns `true`. SQLite asks `stop` every few
    /// thousand steps of the query (well under a millisecond apart), so a
    /// count that is no longer wanted gives the connection back at once.
    ///
    /// # Errors
    /// [`StoreError::Interrupted`] when stopped; otherwise as
    /// [`Store::history`].
    pub fn count_history_unless(
        &self,
        filter: &HistoryFilter,
        mut stop: impl FnMut() -> bool + Send + 'static,
    ) -> Result<u64> {
        if stop() {
            return Err(StoreError::Interrupted.into());
        }
        self.conn
            .progress_handler(STOP_CHECK_STEPS, Some(stop))
            .map_err(sql("watch a count"))?;
        let counted = self.count_history(filter);
        self.conn
            .progress_handler(0, None::<fn() -> bool>)
            .map_err(sql("watch a count"))?;
        // Stopped in any of its queries (the plan's reads too).
        counted.map_err(|e| match e {
            Error::Store(StoreError::Sql { source, .. })
                if source.sqlite_error_code()
                    == Some(rusqlite::ErrorCode::OperationInterrupted) =>
            {
                StoreError::Interrupted.into()
            }
            e => e,
        })
    }

    /// The FROM and WHERE clauses that select the conversations `filter`
    /// matches, for a page or for a count; `None` when the full-text
    /// vocabulary shows that nothing can match. A search word in more than
    /// `thresholds.scan_above` conversations is matched by `LIKE` on the
    /// rows another filter yields, not through the index.
    ///
    /// The filter that matches fewest conversations (estimated from the
    /// report counts and the vocabulary) picks the index the query walks.
    fn history_query(
        &self,
        filter: &HistoryFilter,
        purpose: Purpose,
        thresholds: Thresholds,
    ) -> Result<Option<HistoryQuery>> {
        let mut index_words: Vec<(String, i64)> = Vec::new();
        let mut scan_words: Vec<String> = Vec::new();
        if let Some(search) = filter.search.as_deref().filter(|s| !s.trim().is_empty()) {
            for word in search_words(search)? {
                match self.plan_word(&word, thresholds.scan_above)? {
                    WordPlan::Index(expression, estimate) => {
                        index_words.push((expression, estimate))
                    }
                    WordPlan::Scan(pattern) => scan_words.push(pattern),
                    WordPlan::Nothing => return Ok(None),
                }
            }
        }
        let match_expression = (!index_words.is_empty()).then(|| {
            index_words
                .iter()
                .map(|(e, _)| e.as_str())
                .collect::<Vec<_>>()
                .join(" AND ")
        });

        // A label filter tests the bits the time-ordered indexes carry as
        // they are walked; the days each label has (from the report counts)
        // narrow the walk, and a label with none in range matches nothing.
        let mut from = filter.from;
        let mut to = filter.to;
        for &label in &filter.labels {
            let Some((first_day, last_day)) = self.label_days(label, filter)? else {
                return Ok(None);
            };
            // Days are `at / 86400` truncated toward zero: exact bounds for
            // times after 1970, no narrowing before.
            if first_day > 0 {
                from = Some(from.map_or(first_day * DAY, |f| f.max(first_day * DAY)));
            }
            if last_day >= 0 {
                let end = last_day * DAY + DAY - 1;
                to = Some(to.map_or(end, |t| t.min(end)));
            }
        }
        let labels = label_bits::mask(filter.labels.iter().copied());

        // Pick the driver with the smallest estimate.
        let mut driver = (Driver::Everything, self.estimate(None, filter)?);
        if filter.agent.is_some() {
            let estimate = self.estimate(Some(""), filter)?;
            if estimate < driver.1 {
                driver = (Driver::Agent, estimate);
            }
        }
        if filter.corrected == Some(true) {
            let estimate: i64 = self
                .conn
                .prepare_cached("SELECT count(*) FROM conversation WHERE corrected = 1")
                .and_then(|mut stmt| stmt.query_row([], |r| r.get(0)))
                .map_err(sql("count corrected conversations"))?;
            if estimate < driver.1 {
                driver = (Driver::Corrected, estimate);
            }
        }
        if let Some(expression) = &match_expression {
            let estimate = index_words.iter().map(|(_, n)| *n).min().unwrap_or(0);
            if estimate <= driver.1 {
                driver = (Driver::Index(expression.clone()), estimate);
            }
        }
        for &label in &filter.labels {
            let estimate = self.estimate(Some(label.code()), filter)?;
            if estimate <= thresholds.rare_label_rows && estimate < driver.1 {
                driver = (Driver::Label(label), estimate);
            }
        }

        let mut query = HistoryQuery {
            from_clause: String::new(),
            where_clause: String::new(),
            time_column: "c.at",
            id_column: "c.id",
            args: Vec::new(),
        };
        let mut conditions: Vec<String> = Vec::new();
        // Whether a condition reads `conversation c`. A count over the
        // full-text index needs no row of it otherwise, and looking every
        // match up in that (large) table was most of a count's time.
        let reads_conversation = purpose == Purpose::Page
            || filter.agent.is_some()
            || filter.corrected.is_some()
            || labels != 0
            || from.is_some()
            || to.is_some()
            || !scan_words.is_empty();
        // (FROM without `conversation c`, the join that adds it)
        let (driver_from, join) = match &driver.0 {
            Driver::Agent => {
                query.from_clause = "conversation c INDEXED BY conversation_agent_at".into();
                (None, "")
            }
            Driver::Corrected => {
                query.from_clause = "conversation c INDEXED BY conversation_corrected_at".into();
                (None, "")
            }
            Driver::Index(expression) => {
                let p = query.arg(Value::Text(expression.clone()));
                if purpose == Purpose::Count && !reads_conversation {
                    query.id_column = "m.id";
                }
                (
                    Some(format!(
                        "(SELECT rowid AS id FROM conversation_fts \
                         WHERE conversation_fts MATCH {p}) m"
                    )),
                    "CROSS JOIN conversation c ON c.id = m.id",
                )
            }
            Driver::Label(label) => {
                let p = query.arg(Value::Text(label.code().into()));
                (
                    Some(format!(
                        "(SELECT conversation_id AS id FROM conversation_label \
                         INDEXED BY conversation_label_code WHERE code = {p}) m"
                    )),
                    "CROSS JOIN conversation c ON c.id = m.id",
                )
            }
            Driver::Everything => {
                query.from_clause = "conversation c".into();
                (None, "")
            }
        };
        if let Some(from) = driver_from {
            query.from_clause = if reads_conversation {
                format!("{from} {join}")
            } else {
                from
            };
        }
        let (time_column, id_column) = (query.time_column, query.id_column);
        if let Some(from) = from {
            let p = query.arg(Value::Integer(from));
            conditions.push(format!("{time_column} >= {p}"));
        }
        if let Some(to) = to {
            let p = query.arg(Value::Integer(to));
            conditions.push(format!("{time_column} <= {p}"));
        }
        if let (Some((at, id)), Purpose::Page) = (filter.before, purpose) {
            let p_at = query.arg(Value::Integer(at));
            let p_id = query.arg(Value::Integer(id));
            conditions.push(format!("({time_column}, {id_column}) < ({p_at}, {p_id})"));
        }
        if labels != 0 {
            let p = query.arg(Value::Integer(labels));
            conditions.push(format!("c.labels & {p} = {p}"));
        }
        if let Some(agent) = &filter.agent {
            let p = query.arg(Value::Text(agent.clone()));
            conditions.push(format!("c.agent = {p}"));
        }
        match filter.corrected {
            Some(true) => conditions.push("c.corrected = 1".into()),
            Some(false) => conditions.push("c.corrected = 0".into()),
            None => {}
        }
        if let Some(expression) = &match_expression {
            if !matches!(driver.0, Driver::Index(_)) {
                let p = query.arg(Value::Text(expression.clone()));
                conditions.push(format!(
                    "{id_column} IN (SELECT rowid FROM conversation_fts \
                     WHERE conversation_fts MATCH {p})"
                ));
            }
        }
        for pattern in scan_words {
            let p = query.arg(Value::Text(pattern));
            conditions.push(format!("c.text LIKE {p} ESCAPE '\\'"));
        }
        if !conditions.is_empty() {
            query.where_clause = format!("WHERE {}", conditions.join(" AND "));
        }
        Ok(Some(query))
    }

    /// The first and last day (`at / 86400`) with conversations carrying
    /// `label` within the filter's days and agent, from the report counts;
    /// `None` when there are none.
    fn label_days(&self, label: Label, filter: &HistoryFilter) -> Result<Option<(i64, i64)>> {
        let mut query =
            String::from("SELECT min(day), max(day) FROM day_count WHERE code = ?1 AND n > 0");
        let mut args = vec![Value::Text(label.code().to_string())];
        if let Some(from) = filter.from {
            args.push(Value::Integer(from.div_euclid(DAY)));
            query += &format!(" AND day >= ?{}", args.len());
        }
        if let Some(to) = filter.to {
            args.push(Value::Integer(to.div_euclid(DAY)));
            query += &format!(" AND day <= ?{}", args.len());
        }
        if let Some(agent) = &filter.agent {
            args.push(Value::Text(agent.clone()));
            query += &format!(" AND agent = ?{}", args.len());
        }
        let (first, last): (Option<i64>, Option<i64>) = self
            .conn
            .prepare_cached(&query)
            .and_then(|mut stmt| {
                stmt.query_row(params_from_iter(args), |r| Ok((r.get(0)?, r.get(1)?)))
            })
            .map_err(sql("find a label's days"))?;
        Ok(first.zip(last))
    }

    /// Conversations carrying `code` (`""`: all conversations) within the
    /// filter's days and agent, from the report counts.
    fn estimate(&self, code: Option<&str>, filter: &HistoryFilter) -> Result<i64> {
        let mut query = String::from("SELECT coalesce(sum(n), 0) FROM day_count WHERE code = ?1");
        let mut args = vec![Value::Text(code.unwrap_or("").to_string())];
        if let Some(from) = filter.from {
            args.push(Value::Integer(from.div_euclid(86_400)));
            query += &format!(" AND day >= ?{}", args.len());
        }
        if let Some(to) = filter.to {
            args.push(Value::Integer(to.div_euclid(86_400)));
            query += &format!(" AND day <= ?{}", args.len());
        }
        if let Some(agent) = &filter.agent {
            args.push(Value::Text(agent.clone()));
            query += &format!(" AND agent = ?{}", args.len());
        }
        self.conn
            .prepare_cached(&query)
            .and_then(|mut stmt| stmt.query_row(params_from_iter(args), |r| r.get(0)))
            .map_err(sql("estimate a filter"))
    }

    /// Decides how to match one search word, from the trigram vocabulary:
    /// through the index unless it is in more than `scan_above`
    /// conversations.
    fn plan_word(&self, word: &str, scan_above: i64) -> Result<WordPlan> {
        let chars: Vec<char> = word.chars().collect();
        if chars.len() == 2 {
            // No two-character terms in a trigram index: every trigram that
            // starts with the word (the indexed text ends in a newline, so a
            // word at the very end has one too).
            let mut stmt = self
                .conn
                .prepare_cached(
                    "SELECT term, doc FROM conversation_fts_vocab WHERE term >= ?1 AND term < ?2",
                )
                .map_err(sql("read the search vocabulary"))?;
            let terms = stmt
                .query_map([word.to_string(), format!("{word}\u{10FFFF}")], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
                })
                .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
                .map_err(sql("read the search vocabulary"))?;
            let docs: i64 = terms.iter().map(|(_, d)| d).sum();
            return Ok(if terms.is_empty() {
                WordPlan::Nothing
            } else if terms.len() > MAX_PREFIX_TERMS || docs > scan_above {
                WordPlan::Scan(like_pattern(word))
            } else {
                let any = terms
                    .iter()
                    .map(|(t, _)| quote_fts(t))
                    .collect::<Vec<_>>()
                    .join(" OR ");
                WordPlan::Index(format!("({any})"), docs)
            });
        }
        let mut stmt = self
            .conn
            .prepare_cached("SELECT doc FROM conversation_fts_vocab WHERE term = ?1")
            .map_err(sql("read the search vocabulary"))?;
        let mut fewest = i64::MAX;
        for window in chars.windows(3) {
            let trigram: String = window.iter().collect();
            let docs: Option<i64> = stmt
                .query_row([&trigram], |r| r.get(0))
                .optional()
                .map_err(sql("read the search vocabulary"))?;
            match docs {
                None => return Ok(WordPlan::Nothing),
                Some(docs) => fewest = fewest.min(docs),
            }
        }
        Ok(if fewest > scan_above {
            WordPlan::Scan(like_pattern(word))
        } else {
            WordPlan::Index(quote_fts(word), fewest)
        })
    }

    /// Everything stored about one conversation.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown id; database errors.
    pub fn conversation(&self, id: i64) -> Result<ConversationDetail> {
        let query = format!("SELECT {RECORD_COLUMNS}, c.text FROM conversation c WHERE c.id = ?1");
        let found = self
            .conn
            .query_row(&query, [id], |row| {
                Ok((record_from_row(row)?, row.get::<_, String>(12)?))
            })
            .optional()
            .map_err(sql("read a conversation"))?;
        let (record, text) = found.ok_or(StoreError::NotFound {
            what: "conversation",
            id,
        })?;
        let mut records = vec![record];
        self.attach_labels(&mut records)?;
        let record = records.remove(0);
        let latest: Option<(i64, Value)> = self
            .conn
            .query_row(
                "SELECT id, result FROM classification WHERE conversation_id = ?1
                 ORDER BY id DESC LIMIT 1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(sql("read the latest classification"))?;
        let runs: u32 = self
            .conn
            .query_row(
                "SELECT count(*) FROM classification WHERE conversation_id = ?1",
                [id],
                |r| r.get(0),
            )
            .map_err(sql("count classifications"))?;
        let mut original_labels = EffectiveLabels::default();
        let mut classification = None;
        if let Some((classification_id, stored)) = latest {
            let mut stmt = self
                .conn
                .prepare_cached(
                    "SELECT code FROM classification_label WHERE classification_id = ?1",
                )
                .map_err(sql("read classification labels"))?;
            let codes = stmt
                .query_map([classification_id], |r| r.get::<_, String>(0))
                .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
                .map_err(sql("read classification labels"))?;
            for label in codes.iter().filter_map(|c| Label::from_code(c)) {
                original_labels.push(label);
            }
            original_labels.sort();
            // A result written by an older build may not parse; the labels
            // above still show what it said.
            classification = decode_result(&self.conn, stored)?;
        }
        let corrections = self.corrections(id)?;
        Ok(ConversationDetail {
            record,
            text,
            classification,
            original_labels,
            corrections,
            classification_runs: runs,
        })
    }

    /// The effective labels of some conversations.
    pub(crate) fn effective_labels(&self, ids: &[i64]) -> Result<HashMap<i64, EffectiveLabels>> {
        let mut out: HashMap<i64, EffectiveLabels> = HashMap::new();
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT code, corrected FROM conversation_label WHERE conversation_id = ?1",
            )
            .map_err(sql("read labels"))?;
        for &id in ids {
            let rows = stmt
                .query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, bool>(1)?)))
                .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
                .map_err(sql("read labels"))?;
            let labels = out.entry(id).or_default();
            for (code, corrected) in rows {
                if let Some(label) = Label::from_code(&code) {
                    labels.push(label);
                    if corrected {
                        labels.corrected.push(label.axis());
                    }
                }
            }
            labels.sort();
        }
        Ok(out)
    }

    fn attach_labels(&self, records: &mut [HistoryRecord]) -> Result<()> {
        let ids: Vec<i64> = records.iter().map(|r| r.id).collect();
        let mut labels = self.effective_labels(&ids)?;
        for record in records {
            record.labels = labels.remove(&record.id).unwrap_or_default();
        }
        Ok(())
    }
}

/// Adds new conversations to the full-text index, after every other
/// write of the transaction and in id order: FTS5 flushes its pending
/// terms whenever a statement writes another table in between (measured:
/// indexing each row beside its insert was five times slower).
fn index_text<'a>(
    tx: &Transaction<'_>,
    added: impl IntoIterator<Item = (i64, &'a PreparedConversation)>,
) -> Result<()> {
    let mut stmt = tx
        .prepare_cached("INSERT INTO conversation_fts (rowid, text) VALUES (?1, ?2)")
        .map_err(sql("index conversations for search"))?;
    for (id, prepared) in added {
        stmt.execute(params![id, text(&prepared.search_text)])
            .map_err(sql("index conversations for search"))?;
    }
    Ok(())
}

/// Checks foreign keys at the commit instead of after every statement.
/// Immediate checks (and insert triggers) make SQLite journal every
/// statement so it can undo it alone; writes that can fail only as a
/// whole don't need that, and a violation still fails the commit.
fn defer_foreign_keys(tx: &Transaction<'_>) -> Result<()> {
    tx.pragma_update(None, "defer_foreign_keys", true)
        .map_err(sql("defer foreign key checks"))
}

/// The label rows of a batch, written after its conversations: a few
/// multi-row statements in key order instead of two single-row inserts
/// per label (measured: a third of the label rows' cost, and pages of the
/// label index are visited in order).
#[derive(Default)]
struct LabelRows {
    /// Conversations added, per day and agent.
    counts: DayCounts,
    /// `classification_label`: classification id, label, score.
    original: Vec<(i64, Label, f32)>,
    /// `conversation_label`: label, time, conversation id, agent.
    effective: Vec<(Label, i64, i64, Option<String>)>,
    /// Stored conversations classified again: their label bits follow
    /// their new rows.
    reclassified: Vec<i64>,
}

/// Rows per multi-row `INSERT` (4-5 values each, far below SQLite's
/// limit of bound parameters).
const ROWS_PER_INSERT: usize = 128;

impl LabelRows {
    /// Inserts the rows and adds the batch's conversations (`counts`) and
    /// effective labels to the day counts, inside `tx`.
    fn write(mut self, tx: &Transaction<'_>) -> Result<()> {
        use rusqlite::types::ToSqlOutput;
        let mut counts = std::mem::take(&mut self.counts);
        for chunk in self.original.chunks(ROWS_PER_INSERT) {
            let statement = multi_row_insert(
                "INSERT INTO classification_label (classification_id, code, axis, score)",
                "(?, ?, ?, ?)",
                chunk.len(),
            );
            let values = chunk.iter().flat_map(|&(classification_id, label, score)| {
                [
                    ToSqlOutput::from(classification_id),
                    text(label.code()),
                    text(label.axis().code()),
                    ToSqlOutput::from(f64::from(score)),
                ]
            });
            tx.prepare_cached(&statement)
                .and_then(|mut stmt| stmt.execute(params_from_iter(values)))
                .map_err(sql("insert classification labels"))?;
        }
        // In key order: new conversations append to the table.
        self.effective
            .sort_unstable_by(|a, b| (a.2, a.0.code()).cmp(&(b.2, b.0.code())));
        for chunk in self.effective.chunks(ROWS_PER_INSERT) {
            let statement = multi_row_insert(
                "INSERT INTO conversation_label (conversation_id, code, axis, corrected)",
                "(?, ?, ?, 0)",
                chunk.len(),
            );
            for (label, at, _, agent) in chunk {
                counts.add(*at, agent.as_deref(), label.code());
            }
            let values = chunk.iter().flat_map(|(label, _, conversation_id, _)| {
                [
                    ToSqlOutput::from(*conversation_id),
                    text(label.code()),
                    text(label.axis().code()),
                ]
            });
            tx.prepare_cached(&statement)
                .and_then(|mut stmt| stmt.execute(params_from_iter(values)))
                .map_err(sql("insert labels"))?;
        }
        for conversation_id in self.reclassified {
            label_bits::refresh(tx, conversation_id)?;
        }
        counts.write(tx)
    }
}

/// A text parameter bound without copying.
fn text(s: &str) -> rusqlite::types::ToSqlOutput<'_> {
    rusqlite::types::ToSqlOutput::Borrowed(rusqlite::types::ValueRef::Text(s.as_bytes()))
}

/// `head VALUES row, row, …` with `rows` copies of `row`.
fn multi_row_insert(head: &str, row: &str, rows: usize) -> String {
    let mut sql = String::with_capacity(head.len() + 8 + rows * (row.len() + 2));
    sql.push_str(head);
    sql.push_str(" VALUES ");
    for i in 0..rows {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(row);
    }
    sql
}

/// Records one prepared conversation inside an open transaction; its
/// label rows and counts are added to `rows`, written by
/// [`LabelRows::write`] before the commit.
fn record_in(
    tx: &Transaction<'_>,
    prepared: &PreparedConversation,
    lexicon_version: &str,
    now: i64,
    rows: &mut LabelRows,
) -> Result<Recorded> {
    let conversation = &prepared.conversation;
    let hash = prepared.hash;
    let at = conversation.chat_at.unwrap_or(now);
    // `changes()` and `last_insert_rowid()` instead of `RETURNING`, which
    // SQLite answers through a temporary table (measured: a sixth of a
    // row's insert cost).
    let inserted = tx
        .prepare_cached(
            "INSERT INTO conversation (content_hash, text, source, source_ref, agent, buyer, shop,
                 format, chat_at, imported_at, at, labels)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
             ON CONFLICT (content_hash) DO NOTHING",
        )
        .and_then(|mut stmt| {
            stmt.execute(params![
                &hash[..],
                conversation.text,
                conversation.source,
                conversation.source_ref,
                conversation.agent,
                conversation.buyer,
                conversation.shop,
                prepared.format,
                conversation.chat_at,
                now,
                at,
                // A new conversation's labels are all the classifier's.
                label_bits::mask(prepared.scored.iter().map(|&(label, _)| label)),
            ])
        })
        .map_err(sql("insert a conversation"))?;
    let (conversation_id, duplicate, at, agent) = if inserted == 1 {
        rows.counts.add(at, conversation.agent.as_deref(), "");
        (
            tx.last_insert_rowid(),
            false,
            at,
            conversation.agent.clone(),
        )
    } else {
        let (id, at, agent, latest_version): (i64, i64, Option<String>, Option<String>) = tx
            .prepare_cached(
                "SELECT c.id, c.at, c.agent, (SELECT lexicon_version FROM classification k
                     WHERE k.conversation_id = c.id ORDER BY k.id DESC LIMIT 1)
                 FROM conversation c WHERE c.content_hash = ?1",
            )
            .and_then(|mut stmt| {
                stmt.query_row([&hash[..]], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })
            })
            .map_err(sql("read a stored conversation"))?;
        if latest_version.as_deref() == Some(lexicon_version) {
            return Ok(Recorded {
                conversation_id: id,
                classification_id: None,
                duplicate: true,
            });
        }
        (id, true, at, agent)
    };
    tx.prepare_cached(
        "INSERT INTO classification (conversation_id, lexicon_version, classified_at, result)
         VALUES (?1, ?2, ?3, ?4)",
    )
    .and_then(|mut stmt| {
        stmt.execute(params![
            conversation_id,
            lexicon_version,
            now,
            prepared.result
        ])
    })
    .map_err(sql("insert a classification"))?;
    let classification_id = tx.last_insert_rowid();
    rows.original.extend(
        prepared
            .scored
            .iter()
            .map(|&(label, score)| (classification_id, label, score)),
    );
    // Effective labels: on a re-classification, axes a supervisor
    // corrected keep their corrected labels; the others are replaced.
    let corrected_axes: Vec<String> = if duplicate {
        let mut stmt = tx
            .prepare_cached("SELECT DISTINCT axis FROM correction WHERE conversation_id = ?1")
            .map_err(sql("read corrected axes"))?;
        let axes = stmt
            .query_map([conversation_id], |r| r.get(0))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<String>>>())
            .map_err(sql("read corrected axes"))?;
        tx.prepare_cached(
            "DELETE FROM conversation_label WHERE conversation_id = ?1 AND corrected = 0",
        )
        .and_then(|mut stmt| stmt.execute([conversation_id]))
        .map_err(sql("replace labels"))?;
        rows.reclassified.push(conversation_id);
        axes
    } else {
        Vec::new()
    };
    // Labels are distinct (PreparedConversation::new), and the rows left
    // for this conversation are of corrected axes, which are skipped: no
    // row can collide.
    rows.effective.extend(
        prepared
            .scored
            .iter()
            .filter(|(label, _)| !corrected_axes.iter().any(|a| a == label.axis().code()))
            .map(|&(label, _)| (label, at, conversation_id, agent.clone())),
    );
    Ok(Recorded {
        conversation_id,
        classification_id: Some(classification_id),
        duplicate,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::tests_support::classification;

    fn search_ids(store: &Store, words: &str) -> Vec<i64> {
        let filter = HistoryFilter {
            search: Some(words.into()),
            ..HistoryFilter::default()
        };
        store
            .history(&filter)
            .unwrap()
            .iter()
            .map(|r| r.id)
            .collect()
    }

    // The search index holds what was said and who said it, not the time
    // of every header line; a result that does not come from the text
    // gets the whole text indexed.
    #[test]
    fn search_index_holds_messages_and_names() {
        let mut store = Store::open_in_memory().unwrap();
        let classifier = crate::Classifier::new(&crate::Lexicon::default_lexicon()).unwrap();
        let text = "lulu_0725 2024-09-16 19:01:31\n这件卫衣起球吗\n\
                    言衣女装旗舰店:小雅 2024-09-16 19:02:05\n亲，不起球的哦";
        let result = classifier.classify(text).unwrap();
        let id = store
            .record(&NewConversation::pasted(text), &result, "v1", 1)
            .unwrap()
            .conversation_id;
        for found in ["卫衣起球", "不起球的", "lulu_0725", "小雅", "言衣女装"] {
            assert_eq!(search_ids(&store, found), vec![id], "{found}");
        }
        for not_indexed in ["19:01:31", "2024-09-16"] {
            assert!(search_ids(&store, not_indexed).is_empty(), "{not_indexed}");
        }

        // The helper's result has one message, 在吗, which is in this text
        // but does not cover it.
        let unrelated = classification(&[Label::Bargain], Label::Novice, Label::Shopper, &[]);
        let other = store
            .record(
                &NewConversation::pasted("买家：在吗\n买家：能包邮吗 08:30"),
                &unrelated,
                "v1",
                1,
            )
            .unwrap()
            .conversation_id;
        assert_eq!(search_ids(&store, "能包邮"), vec![other]);
        assert_eq!(search_ids(&store, "08:30"), vec![other]);
    }

    // A batch's label rows go in with multi-row statements of
    // ROWS_PER_INSERT rows: every row and count arrives, across chunks.
    #[test]
    fn label_rows_of_a_large_batch_all_written() {
        let mut store = Store::open_in_memory().unwrap();
        let motives = [Label::Bargain, Label::Safety, Label::Speed];
        let topics = [Label::Shipping, Label::Stock];
        let result = classification(&motives, Label::Novice, Label::Shopper, &topics);
        let conversations = 100;
        let items: Vec<(NewConversation, Classification)> = (0..conversations)
            .map(|i| {
                let mut conversation = NewConversation::pasted(format!("买家：第{i}个 在吗"));
                conversation.chat_at = Some(1_700_000_000 + i * 86_400);
                (conversation, result.clone())
            })
            .collect();
        let outcome = store.record_batch(&items, "v1", 1).unwrap();
        assert_eq!(outcome.added, 100);
        let labels_per_conversation = 7;
        let rows = |table: &str| -> i64 {
            store
                .conn
                .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
                .unwrap()
        };
        assert!(100 * labels_per_conversation > ROWS_PER_INSERT as i64 * 2);
        assert_eq!(rows("classification_label"), 100 * labels_per_conversation);
        assert_eq!(rows("conversation_label"), 100 * labels_per_conversation);
        assert_eq!(
            rows("day_count WHERE code = 'bargain'"),
            100,
            "one day per conversation"
        );
        let filter = HistoryFilter {
            labels: vec![Label::Safety, Label::Stock],
            limit: 500,
            ..HistoryFilter::default()
        };
        assert_eq!(store.history(&filter).unwrap().len(), 100);
    }

    // A result listing a label twice stores it once.
    #[test]
    fn repeated_label_stored_once() {
        let mut store = Store::open_in_memory().unwrap();
        let result = classification(
            &[Label::Bargain, Label::Bargain],
            Label::Novice,
            Label::Shopper,
            &[],
        );
        let id = store
            .record(&NewConversation::pasted("买家：包邮吗"), &result, "v1", 1)
            .unwrap()
            .conversation_id;
        let labels = store.effective_labels(&[id]).unwrap().remove(&id).unwrap();
        assert_eq!(labels.of_axis(Axis::Motive), vec![Label::Bargain]);
    }

    // Line endings and outer blank lines do not change a conversation's identity.
    #[test]
    fn content_hash_ignores_line_endings() {
        assert_eq!(
            content_hash("买家：在吗\r\n客服：在的  \r\n"),
            content_hash("\n买家：在吗\n客服：在的")
        );
        assert_ne!(content_hash("买家：在吗"), content_hash("买家：在吗？"));
    }

    // Words of one character are refused; LIKE metacharacters are escaped.
    #[test]
    fn search_words_checked() {
        assert_eq!(
            search_words("运费险  包邮").unwrap(),
            vec!["运费险", "包邮"]
        );
        assert!(search_words("亲").is_err());
        assert!(search_words("   ").is_err());
        assert_eq!(like_pattern("5%_a"), "%5\\%\\_a%");
        assert_eq!(quote_fts("a\"b"), "\"a\"\"b\"");
    }

    /// A small store of varied conversations: labels, agents, days,
    /// words (common ones in most, rare ones in a few) and corrections.
    fn varied_store(conversations: i64) -> Store {
        let mut store = Store::open_in_memory().unwrap();
        let motives = [Label::Bargain, Label::Safety, Label::Speed];
        let topics = [Label::Shipping, Label::Returns];
        let agents = [Some("小雅"), Some("阿杰"), None];
        let words = ["运费险", "包邮", "代理", "ABC-42"];
        for i in 0..conversations {
            let mut text = format!("买家：第{i}号 在吗\n");
            for (w, word) in words.iter().enumerate() {
                // 运费险 in 2 of 3, 包邮 in 1 of 3, 代理 in 1 of 7, ABC-42 in 1 of 30
                let every = [1, 3, 7, 30][w];
                if i % every == 0 || (w == 0 && i % 3 == 1) {
                    text.push_str(&format!("买家：{word}吗\n"));
                }
            }
            let result = classification(
                &[motives[(i % 3) as usize], motives[(i % 5 % 3) as usize]],
                Label::Novice,
                Label::Shopper,
                &topics[..(i % 3) as usize],
            );
            let mut conversation = NewConversation::pasted(text);
            conversation.agent = agents[(i % 3) as usize].map(str::to_string);
            conversation.chat_at = Some(1_750_000_000 + i * 40_000);
            let id = store
                .record(&conversation, &result, "v1", 1)
                .unwrap()
                .conversation_id;
            if i % 8 == 0 {
                let correction = crate::store::Correction {
                    motives: Some(vec![Label::Habit]),
                    who: "组长".into(),
                    ..Default::default()
                };
                store.correct(id, &correction, 2).unwrap();
            }
        }
        store
    }

    // Label and agent filters list exactly the conversations that have
    // them, newest first, whichever of them drives the query (a label rarer
    // than the agent walks the label rows and checks their agent).
    #[test]
    fn label_and_agent_filters_list_exactly_their_conversations() {
        let store = varied_store(90);
        let everything = store
            .history(&HistoryFilter {
                limit: 10_000,
                ..Default::default()
            })
            .unwrap();
        let has = |record: &HistoryRecord, label: Label| {
            let labels = &record.labels;
            labels.motives.contains(&label)
                || labels.topics.contains(&label)
                || labels.experience == Some(label)
                || labels.intent == Some(label)
        };
        let mut found = 0;
        for agent in ["小雅", "阿杰"] {
            for labels in [
                vec![Label::Shipping],
                vec![Label::Returns],
                vec![Label::Habit],
                vec![Label::Safety],
                vec![Label::Bargain, Label::Shipping],
            ] {
                let filter = HistoryFilter {
                    agent: Some(agent.into()),
                    labels: labels.clone(),
                    limit: 10_000,
                    ..Default::default()
                };
                let listed: Vec<i64> = store
                    .history(&filter)
                    .unwrap()
                    .iter()
                    .map(|r| r.id)
                    .collect();
                let expected: Vec<i64> = everything
                    .iter()
                    .filter(|r| r.agent.as_deref() == Some(agent))
                    .filter(|r| labels.iter().all(|&label| has(r, label)))
                    .map(|r| r.id)
                    .collect();
                found += usize::from(!expected.is_empty());
                assert_eq!(listed, expected, "{agent} {labels:?}");
                assert_eq!(
                    store.count_history(&filter).unwrap(),
                    expected.len() as u64,
                    "{agent} {labels:?}"
                );
            }
        }
        assert!(found >= 5, "the store has few of these: {found}");
    }

    // A count equals the rows every page of history holds together, for
    // search words through the index and through LIKE scans, labels
    // (corrected ones too), agent, dates and corrected; limit, offset and
    // `before` do not change it.
    #[test]
    fn count_history_equals_the_rows_of_history() {
        let store = varied_store(90);
        let day = 86_400;
        let filters: Vec<HistoryFilter> = [
            (None, None, None, vec![], None),
            (Some("运费险"), None, None, vec![], None),
            (Some("包邮 运费险"), None, None, vec![], None),
            (
                Some("代理"),
                Some(1_750_000_000 + 5 * day),
                None,
                vec![],
                None,
            ),
            (Some("abc-42"), None, None, vec![], None),
            (Some("没有的词"), None, None, vec![], None),
            (Some("包邮"), None, Some("小雅"), vec![Label::Bargain], None),
            (
                None,
                None,
                None,
                vec![Label::Bargain, Label::Shipping],
                None,
            ),
            (None, None, Some("阿杰"), vec![Label::Returns], None),
            (None, None, None, vec![Label::Habit], None),
            (None, None, None, vec![], Some(true)),
            (None, None, None, vec![], Some(false)),
            (Some("运费险"), None, None, vec![Label::Safety], Some(false)),
            (
                None,
                Some(1_750_000_000 + 10 * day),
                Some("小雅"),
                vec![],
                None,
            ),
        ]
        .into_iter()
        .map(|(search, from, agent, labels, corrected)| HistoryFilter {
            search: search.map(str::to_string),
            from,
            to: from.map(|from| from + 12 * day),
            agent: agent.map(str::to_string),
            labels,
            corrected,
            limit: 7,
            offset: 3,
            before: Some((1_750_000_000 + 80 * 40_000, 0)),
        })
        .collect();
        let mut nonzero = 0;
        for filter in &filters {
            let every = HistoryFilter {
                limit: 10_000,
                offset: 0,
                before: None,
                ..filter.clone()
            };
            let listed = store.history(&every).unwrap().len() as u64;
            // The same rows found by LIKE scans instead of the index.
            let scan = Thresholds {
                scan_above: 0,
                ..PAGE
            };
            let scanned = store.history_page(&every, scan).unwrap().len() as u64;
            // The same rows, in the same order, whether labels are found
            // through their own index or tested on the time-ordered walk.
            let ids = |filter: &HistoryFilter, thresholds| -> Vec<i64> {
                let page = store.history_page(filter, thresholds).unwrap();
                page.iter().map(|r| r.id).collect()
            };
            let by_label = Thresholds {
                rare_label_rows: i64::MAX,
                ..PAGE
            };
            let walked = Thresholds {
                rare_label_rows: 0,
                ..PAGE
            };
            for filter in [filter, &every] {
                assert_eq!(ids(filter, by_label), ids(filter, walked), "{filter:?}");
            }
            assert_eq!(
                store
                    .count_with(
                        filter,
                        Thresholds {
                            rare_label_rows: i64::MAX,
                            ..COUNT
                        }
                    )
                    .unwrap(),
                store
                    .count_with(
                        filter,
                        Thresholds {
                            rare_label_rows: 0,
                            ..COUNT
                        }
                    )
                    .unwrap(),
                "{filter:?}"
            );
            assert_eq!(
                listed, scanned,
                "index and scan find the same rows: {filter:?}"
            );
            let counted = store.count_history(filter).unwrap();
            assert_eq!(
                counted, listed,
                "a count must equal the rows history lists: {filter:?}"
            );
            nonzero += usize::from(counted > 0);
        }
        assert!(nonzero >= filters.len() - 2, "the filters match something");
    }

    // A count stops when asked to, with `Interrupted`, and the connection
    // counts normally afterwards.
    #[test]
    fn count_history_stops_when_asked() {
        // enough rows for the query to take many steps
        let store = varied_store(600);
        let filter = HistoryFilter {
            labels: vec![Label::Bargain, Label::Shipping],
            corrected: Some(false),
            ..Default::default()
        };
        let stopped = store.count_history_unless(&filter, || true);
        assert!(
            matches!(stopped, Err(Error::Store(StoreError::Interrupted))),
            "{stopped:?}"
        );
        let polls = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
        let seen = std::sync::Arc::clone(&polls);
        let stopped = store.count_history_unless(&filter, move || {
            // true from the second check on: stopped inside the query
            seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst) > 0
        });
        assert!(
            matches!(stopped, Err(Error::Store(StoreError::Interrupted))),
            "stopped inside the query: {stopped:?} after {} checks",
            polls.load(std::sync::atomic::Ordering::SeqCst)
        );
        let all = store.count_history(&filter).unwrap();
        assert_eq!(store.count_history_unless(&filter, || false).unwrap(), all);
    }

    #[test]
    fn fill_from_splits_sub_account() {
        let c = crate::store::tests_support::classification_with_names();
        let mut conv = NewConversation::pasted("x");
        conv.fill_from(&c);
        assert_eq!(conv.buyer.as_deref(), Some("lulu_0725"));
        assert_eq!(conv.shop.as_deref(), Some("言衣女装旗舰店"));
        assert_eq!(conv.agent.as_deref(), Some("小雅"));
        assert_eq!(conv.chat_at, time::parse_local("2024-09-16 19:01:31"));
    }
}
