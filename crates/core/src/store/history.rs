//! Conversations and their classifications: recording, history pages,
//! full-text search and the detail of one conversation.

use std::collections::HashMap;

use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, OptionalExtension, Transaction};
use serde::{Serialize, Serializer};

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
        if self.buyer.is_none() {
            self.buyer = result.buyer_name().map(str::to_string);
        }
        if let Some(shop_side) = result.shop_name() {
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

/// Turns what a user typed into an FTS5 query for the trigram index.
fn fts_query(search: &str) -> Result<String> {
    let mut parts = Vec::new();
    for word in search.split_whitespace() {
        let quoted = format!("\"{}\"", word.replace('"', "\"\""));
        match word.chars().count() {
            0 => {}
            1 => {
                return Err(StoreError::Invalid(format!(
                    "search word \"{word}\" is too short: search needs at least two characters"
                ))
                .into())
            }
            // A trigram index holds no 2-character terms: ask for every
            // trigram that starts with them.
            2 => parts.push(format!("{quoted} *")),
            _ => parts.push(quoted),
        }
    }
    if parts.is_empty() {
        return Err(StoreError::Invalid("the search is empty".into()).into());
    }
    Ok(parts.join(" AND "))
}

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
        let tx = self
            .conn
            .transaction()
            .map_err(sql("begin a transaction"))?;
        let recorded = record_in(&tx, conversation, result, lexicon_version, now)?;
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
        let tx = self
            .conn
            .transaction()
            .map_err(sql("begin a transaction"))?;
        let mut outcome = RecordOutcome::default();
        for (conversation, result) in items {
            let recorded = record_in(&tx, conversation, result, lexicon_version, now)?;
            if recorded.duplicate {
                outcome.duplicates += 1;
            } else {
                outcome.added += 1;
            }
            outcome.recorded.push(recorded);
        }
        tx.commit().map_err(sql("commit the batch"))?;
        Ok(outcome)
    }

    /// Whether a conversation with this text is stored; its id if so.
    ///
    /// # Errors
    /// On a database error.
    pub fn find_by_text(&self, text: &str) -> Result<Option<i64>> {
        self.find_by_hash(&content_hash(text))
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
    /// Label filters walk the label index in time order and a search uses
    /// the trigram full-text index, so a page stays fast with a million
    /// conversations. A large `offset` costs time proportional to it.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for a search with a one-character word;
    /// database errors.
    pub fn history(&self, filter: &HistoryFilter) -> Result<Vec<HistoryRecord>> {
        let mut args: Vec<Value> = Vec::new();
        let mut conditions: Vec<String> = Vec::new();
        // Drive the query from the first label filter's index when there is
        // one: its (code, at, id) key gives the rows already in order.
        let (from_clause, time_column, order) = match filter.labels.first() {
            Some(first) => {
                args.push(Value::Text(first.code().into()));
                conditions.push(format!("l0.code = ?{}", args.len()));
                (
                    "conversation_label l0 JOIN conversation c ON c.id = l0.conversation_id",
                    "l0.at",
                    "l0.at DESC, l0.conversation_id DESC",
                )
            }
            None => ("conversation c", "c.at", "c.at DESC, c.id DESC"),
        };
        if let Some(from) = filter.from {
            args.push(Value::Integer(from));
            conditions.push(format!("{time_column} >= ?{}", args.len()));
        }
        if let Some(to) = filter.to {
            args.push(Value::Integer(to));
            conditions.push(format!("{time_column} <= ?{}", args.len()));
        }
        for label in filter.labels.iter().skip(1) {
            args.push(Value::Text(label.code().into()));
            conditions.push(format!(
                "EXISTS (SELECT 1 FROM conversation_label l WHERE l.conversation_id = c.id \
                 AND l.code = ?{})",
                args.len()
            ));
        }
        if let Some(agent) = &filter.agent {
            args.push(Value::Text(agent.clone()));
            conditions.push(format!("c.agent = ?{}", args.len()));
        }
        match filter.corrected {
            Some(true) => conditions.push("c.corrected = 1".into()),
            Some(false) => conditions.push("c.corrected = 0".into()),
            None => {}
        }
        if let Some(search) = filter.search.as_deref().filter(|s| !s.trim().is_empty()) {
            args.push(Value::Text(fts_query(search)?));
            conditions.push(format!(
                "c.id IN (SELECT rowid FROM conversation_fts WHERE conversation_fts MATCH ?{})",
                args.len()
            ));
        }
        let where_clause = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        args.push(Value::Integer(i64::from(filter.limit)));
        let limit = args.len();
        args.push(Value::Integer(
            i64::try_from(filter.offset).unwrap_or(i64::MAX),
        ));
        let offset = args.len();
        let query = format!(
            "SELECT {RECORD_COLUMNS} FROM {from_clause} {where_clause} \
             ORDER BY {order} LIMIT ?{limit} OFFSET ?{offset}"
        );
        let mut records = self
            .conn
            .prepare_cached(&query)
            .and_then(|mut stmt| {
                stmt.query_map(params_from_iter(args), record_from_row)?
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(sql("read a history page"))?;
        self.attach_labels(&mut records)?;
        Ok(records)
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
        let latest: Option<(i64, String)> = self
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
        if let Some((classification_id, json)) = latest {
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
            classification = serde_json::from_str(&json).ok();
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

/// Records one conversation inside an open transaction.
fn record_in(
    tx: &Transaction<'_>,
    conversation: &NewConversation,
    result: &Classification,
    lexicon_version: &str,
    now: i64,
) -> Result<Recorded> {
    let mut conversation = conversation.clone();
    conversation.fill_from(result);
    let hash = content_hash(&conversation.text);
    let at = conversation.chat_at.unwrap_or(now);
    let inserted: Option<i64> = tx
        .prepare_cached(
            "INSERT INTO conversation (content_hash, text, source, source_ref, agent, buyer, shop,
                 format, chat_at, imported_at, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
             ON CONFLICT (content_hash) DO NOTHING
             RETURNING id",
        )
        .and_then(|mut stmt| {
            stmt.query_row(
                params![
                    &hash[..],
                    conversation.text,
                    conversation.source,
                    conversation.source_ref,
                    conversation.agent,
                    conversation.buyer,
                    conversation.shop,
                    result.format.code(),
                    conversation.chat_at,
                    now,
                    at,
                ],
                |r| r.get(0),
            )
            .optional()
        })
        .map_err(sql("insert a conversation"))?;
    let (conversation_id, duplicate, at) = match inserted {
        Some(id) => (id, false, at),
        None => {
            let (id, at, latest_version): (i64, i64, Option<String>) = tx
                .prepare_cached(
                    "SELECT c.id, c.at, (SELECT lexicon_version FROM classification k
                         WHERE k.conversation_id = c.id ORDER BY k.id DESC LIMIT 1)
                     FROM conversation c WHERE c.content_hash = ?1",
                )
                .and_then(|mut stmt| {
                    stmt.query_row([&hash[..]], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                })
                .map_err(sql("read a stored conversation"))?;
            if latest_version.as_deref() == Some(lexicon_version) {
                return Ok(Recorded {
                    conversation_id: id,
                    classification_id: None,
                    duplicate: true,
                });
            }
            (id, true, at)
        }
    };
    let json = serde_json::to_string(result)
        .map_err(|e| Error::Store(StoreError::Invalid(format!("cannot store the result: {e}"))))?;
    let classification_id: i64 = tx
        .prepare_cached(
            "INSERT INTO classification (conversation_id, lexicon_version, classified_at, result)
             VALUES (?1, ?2, ?3, ?4) RETURNING id",
        )
        .and_then(|mut stmt| {
            stmt.query_row(params![conversation_id, lexicon_version, now, json], |r| {
                r.get(0)
            })
        })
        .map_err(sql("insert a classification"))?;
    let scored = result
        .motives
        .iter()
        .chain([&result.experience, &result.intent])
        .chain(result.topics.iter());
    {
        let mut stmt = tx
            .prepare_cached(
                "INSERT OR IGNORE INTO classification_label (classification_id, code, axis, score)
                 VALUES (?1, ?2, ?3, ?4)",
            )
            .map_err(sql("insert classification labels"))?;
        for label in scored {
            stmt.execute(params![
                classification_id,
                label.code.code(),
                label.code.axis().code(),
                f64::from(label.score)
            ])
            .map_err(sql("insert classification labels"))?;
        }
    }
    // Effective labels: on a re-classification, axes a supervisor
    // corrected keep their corrected labels.
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
        axes
    } else {
        Vec::new()
    };
    let mut stmt = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO conversation_label (code, at, conversation_id, axis, corrected)
             VALUES (?1, ?2, ?3, ?4, 0)",
        )
        .map_err(sql("insert labels"))?;
    for label in result.labels() {
        let axis = label.axis().code();
        if corrected_axes.iter().any(|a| a == axis) {
            continue;
        }
        stmt.execute(params![label.code(), at, conversation_id, axis])
            .map_err(sql("insert labels"))?;
    }
    Ok(Recorded {
        conversation_id,
        classification_id: Some(classification_id),
        duplicate,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // Line endings and outer blank lines do not change a conversation's identity.
    #[test]
    fn content_hash_ignores_line_endings() {
        assert_eq!(
            content_hash("买家：在吗\r\n客服：在的  \r\n"),
            content_hash("\n买家：在吗\n客服：在的")
        );
        assert_ne!(content_hash("买家：在吗"), content_hash("买家：在吗？"));
    }

    // Two-character words become trigram prefix queries; one character is refused.
    #[test]
    fn fts_query_shapes() {
        assert_eq!(fts_query("包邮").unwrap(), "\"包邮\" *");
        assert_eq!(
            fts_query("运费险 包邮").unwrap(),
            "\"运费险\" AND \"包邮\" *"
        );
        assert_eq!(fts_query("a\"b").unwrap(), "\"a\"\"b\"");
        assert!(fts_query("亲").is_err());
        assert!(fts_query("   ").is_err());
    }

    // Buyer, shop, agent and chat time come from the transcript when not given.
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
