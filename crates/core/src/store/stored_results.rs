//! How a classification result is stored in `classification.result`: its
//! JSON as an LZ4 block (schema 3 on), with each evidence rule that has a
//! number in `evidence_rule` given as that number instead of its text
//! (schema 5 on: the rule texts were more than half of a compressed result).

use std::collections::HashMap;

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};
use serde::Serialize;

use super::{sql, Store, StoreError};
use crate::error::{Error, Result};
use crate::label::Label;
use crate::model::{Classification, Evidence, Format, LabelScore, Message};

/// A stored result larger than this is taken for damage, not decompressed.
const MAX_STORED_RESULT_BYTES: usize = 64 << 20;

/// A result as stored: the model's JSON, but for the rules.
#[derive(Serialize)]
struct StoredResult<'a> {
    format: Format,
    messages: &'a [Message],
    motives: Vec<StoredLabel<'a>>,
    experience: StoredLabel<'a>,
    intent: StoredLabel<'a>,
    topics: Vec<StoredLabel<'a>>,
    buyer_credit: &'a Option<String>,
}

#[derive(Serialize)]
struct StoredLabel<'a> {
    code: Label,
    label: &'a str,
    score: f32,
    evidence: Vec<StoredEvidence<'a>>,
}

#[derive(Serialize)]
struct StoredEvidence<'a> {
    message: usize,
    start: usize,
    end: usize,
    text: &'a str,
    rule: StoredRule<'a>,
}

/// A rule by its number, or its text when it has none.
#[derive(Serialize)]
#[serde(untagged)]
enum StoredRule<'a> {
    Number(i64),
    Text(&'a str),
}

impl<'a> StoredResult<'a> {
    // The model's structs are taken apart field by field, so that a field
    // added to them does not compile until it is stored here too.
    fn new(result: &'a Classification, rules: &RuleNumbers) -> StoredResult<'a> {
        let Classification {
            format,
            messages,
            motives,
            experience,
            intent,
            topics,
            buyer_credit,
        } = result;
        let label = |score: &'a LabelScore| {
            let LabelScore {
                code,
                label,
                score,
                evidence,
            } = score;
            StoredLabel {
                code: *code,
                label,
                score: *score,
                evidence: evidence
                    .iter()
                    .map(|evidence| {
                        let Evidence {
                            message,
                            start,
                            end,
                            text,
                            rule,
                        } = evidence;
                        StoredEvidence {
                            message: *message,
                            start: *start,
                            end: *end,
                            text,
                            rule: rules
                                .number(rule)
                                .map_or(StoredRule::Text(rule), StoredRule::Number),
                        }
                    })
                    .collect(),
            }
        };
        StoredResult {
            format: *format,
            messages,
            motives: motives.iter().map(label).collect(),
            experience: label(experience),
            intent: label(intent),
            topics: topics.iter().map(label).collect(),
            buyer_credit,
        }
    }
}

/// The rule of every evidence in `result`.
pub(crate) fn evidence_rules(result: &Classification) -> impl Iterator<Item = &str> {
    result
        .scores()
        .flat_map(|score| score.evidence.iter().map(|e| e.rule.as_str()))
}

/// The bytes `classification.result` holds for `result`: an LZ4 block with
/// its length prepended (see `migrations/0003_faster_writes.sql`) of its
/// JSON, rules by number where `rules` has one. LZ4 over zstd: a similar
/// ratio on these small documents (2.1 vs 2.6, measured on 2,000 results),
/// three times faster, and pure Rust.
pub(crate) fn encode_result(result: &Classification, rules: &RuleNumbers) -> Result<Vec<u8>> {
    let json = serde_json::to_vec(&StoredResult::new(result, rules))
        .map_err(|e| Error::Store(StoreError::Invalid(format!("cannot store the result: {e}"))))?;
    Ok(lz4_flex::compress_prepend_size(&json))
}

/// Reads a stored result: an LZ4 BLOB (schema 3 on) or JSON TEXT (rows
/// written before), its rule numbers (schema 5 on) back to their texts.
/// `None` when it does not decode — a result written by an older build may
/// not parse; the label rows still say what it said.
///
/// # Errors
/// On a database error while reading the rules.
pub(crate) fn decode_result(conn: &Connection, stored: Value) -> Result<Option<Classification>> {
    let Some(json) = stored_result_json(stored) else {
        return Ok(None);
    };
    let Ok(mut result) = serde_json::from_slice::<serde_json::Value>(&json) else {
        return Ok(None);
    };
    let mut numbers = Vec::new();
    for_each_rule(&mut result, &mut |rule| numbers.extend(rule.as_i64()));
    if !numbers.is_empty() {
        let Some(texts) = rule_texts(conn, numbers)? else {
            return Ok(None);
        };
        for_each_rule(&mut result, &mut |rule| {
            if let Some(text) = rule.as_i64().and_then(|n| texts.get(&n)) {
                *rule = serde_json::Value::String(text.clone());
            }
        });
    }
    Ok(serde_json::from_value(result).ok())
}

/// Calls `f` with the `rule` of every evidence in a result's JSON.
fn for_each_rule(value: &mut serde_json::Value, f: &mut dyn FnMut(&mut serde_json::Value)) {
    match value {
        serde_json::Value::Object(fields) => {
            if let Some(serde_json::Value::Array(evidence)) = fields.get_mut("evidence") {
                for rule in evidence.iter_mut().filter_map(|e| e.get_mut("rule")) {
                    f(rule);
                }
            }
            for field in fields.values_mut() {
                for_each_rule(field, f);
            }
        }
        serde_json::Value::Array(items) => {
            for item in items {
                for_each_rule(item, f);
            }
        }
        _ => {}
    }
}

/// The JSON of a stored result as it is stored (rules by number),
/// decompressed when it is a BLOB.
pub(crate) fn stored_result_json(stored: Value) -> Option<Vec<u8>> {
    match stored {
        Value::Text(json) => Some(json.into_bytes()),
        Value::Blob(block) => {
            let claimed = block.get(..4)?;
            let claimed = u32::from_le_bytes(claimed.try_into().ok()?) as usize;
            if claimed > MAX_STORED_RESULT_BYTES {
                return None;
            }
            lz4_flex::decompress_size_prepended(&block).ok()
        }
        _ => None,
    }
}

/// The numbers of evidence rules, for writing results
/// ([`crate::store::PreparedConversation::new`]). A rule without a number
/// is stored as its text.
#[derive(Debug, Clone, Default)]
pub struct RuleNumbers {
    numbers: HashMap<String, i64>,
}

impl RuleNumbers {
    /// The number of `rule`, when it has one.
    pub(crate) fn number(&self, rule: &str) -> Option<i64> {
        self.numbers.get(rule).copied()
    }

    /// How many rules have a number here.
    pub fn len(&self) -> usize {
        self.numbers.len()
    }

    /// Whether no rule has a number here.
    pub fn is_empty(&self) -> bool {
        self.numbers.is_empty()
    }
}

impl Store {
    /// Numbers `rules` (a classifier's [`crate::Classifier::rule_ids`]),
    /// adding those not numbered yet, in one transaction.
    ///
    /// # Errors
    /// On a database error; nothing is added then.
    pub fn number_rules<'a>(
        &mut self,
        rules: impl IntoIterator<Item = &'a str>,
    ) -> Result<RuleNumbers> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql("begin a transaction"))?;
        let numbers = number_rules_in(&tx, rules)?;
        tx.commit().map_err(sql("commit the rule numbers"))?;
        Ok(numbers)
    }
}

/// [`Store::number_rules`] inside the caller's transaction.
pub(crate) fn number_rules_in<'a>(
    conn: &Connection,
    rules: impl IntoIterator<Item = &'a str>,
) -> Result<RuleNumbers> {
    let mut insert = conn
        .prepare_cached("INSERT OR IGNORE INTO evidence_rule (rule) VALUES (?1)")
        .map_err(sql("number a rule"))?;
    let mut select = conn
        .prepare_cached("SELECT id FROM evidence_rule WHERE rule = ?1")
        .map_err(sql("number a rule"))?;
    let mut numbers = RuleNumbers::default();
    for rule in rules {
        if numbers.numbers.contains_key(rule) {
            continue;
        }
        insert.execute([rule]).map_err(sql("number a rule"))?;
        let number: i64 = select
            .query_row([rule], |r| r.get(0))
            .map_err(sql("number a rule"))?;
        numbers.numbers.insert(rule.to_owned(), number);
    }
    Ok(numbers)
}

/// The texts of numbered rules; `None` when a number is not in the table
/// (a damaged result).
pub(crate) fn rule_texts(
    conn: &Connection,
    numbers: impl IntoIterator<Item = i64>,
) -> Result<Option<HashMap<i64, String>>> {
    let mut select = conn
        .prepare_cached("SELECT rule FROM evidence_rule WHERE id = ?1")
        .map_err(sql("read a rule"))?;
    let mut texts = HashMap::new();
    for number in numbers {
        if texts.contains_key(&number) {
            continue;
        }
        let text: Option<String> = select
            .query_row([number], |r| r.get(0))
            .optional()
            .map_err(sql("read a rule"))?;
        let Some(text) = text else {
            return Ok(None);
        };
        texts.insert(number, text);
    }
    Ok(Some(texts))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::NewConversation;
    use crate::Classifier;

    const CHAT: &str = "lulu_0725 2024-09-16 19:01:31\n这条碎花连衣裙能便宜点吗 包邮吗\n\
                        言衣女装旗舰店:小雅 2024-09-16 19:02:05\n亲，可以领券哦\n\
                        lulu_0725 2024-09-16 19:02:31\n是正品吗 明天能发货吗";

    /// A store holding `CHAT` as the default lexicon classifies it.
    fn stored_chat() -> (Store, i64, Classification) {
        let classifier = Classifier::new(&crate::Lexicon::default_lexicon()).unwrap();
        let result = classifier.classify(CHAT).unwrap();
        let mut store = Store::open_in_memory().unwrap();
        let id = store
            .record(&NewConversation::pasted(CHAT), &result, "v1", 1)
            .unwrap()
            .conversation_id;
        (store, id, result)
    }

    fn stored_bytes(store: &Store) -> Value {
        store
            .conn
            .query_row("SELECT result FROM classification", [], |r| r.get(0))
            .unwrap()
    }

    // A result is stored compressed, its rules as numbers; it reads back
    // whole, with the rule texts.
    #[test]
    fn rules_are_stored_by_number_and_read_back_whole() {
        let (store, id, result) = stored_chat();
        let rules: Vec<&str> = evidence_rules(&result).collect();
        assert!(rules.len() >= 4, "the chat gives evidence: {rules:?}");
        let stored = stored_bytes(&store);
        let Value::Blob(block) = &stored else {
            panic!("a BLOB: {stored:?}")
        };
        let json = stored_result_json(stored.clone()).unwrap();
        let json = String::from_utf8(json).unwrap();
        for rule in &rules {
            assert!(!json.contains(rule), "{rule} is stored as a number: {json}");
        }
        let unnumbered = encode_result(&result, &RuleNumbers::default()).unwrap();
        assert!(
            block.len() < unnumbered.len(),
            "numbers are smaller ({} vs {} bytes)",
            block.len(),
            unnumbered.len()
        );
        assert_eq!(store.conversation(id).unwrap().classification, Some(result));
    }

    // Results written before rules had numbers (JSON text up to schema 2,
    // LZ4 with rule texts in schemas 3 and 4) still read; so does a rule
    // without a number beside numbered ones.
    #[test]
    fn results_with_rule_texts_still_read() {
        let (mut store, id, result) = stored_chat();
        let set_result = |store: &Store, stored: Value| {
            store
                .conn
                .execute("UPDATE classification SET result = ?1", [stored])
                .unwrap();
        };

        let json = serde_json::to_string(&result).unwrap();
        set_result(&store, Value::Text(json));
        assert_eq!(
            store.conversation(id).unwrap().classification.as_ref(),
            Some(&result)
        );

        let texts = encode_result(&result, &RuleNumbers::default()).unwrap();
        set_result(&store, Value::Blob(texts));
        assert_eq!(
            store.conversation(id).unwrap().classification.as_ref(),
            Some(&result)
        );

        let first_rule = evidence_rules(&result).next().unwrap();
        let some = store.number_rules([first_rule]).unwrap();
        assert_eq!(some.len(), 1);
        let mixed = encode_result(&result, &some).unwrap();
        let json = String::from_utf8(stored_result_json(Value::Blob(mixed.clone())).unwrap());
        assert!(!json.unwrap().contains(first_rule));
        set_result(&store, Value::Blob(mixed));
        assert_eq!(store.conversation(id).unwrap().classification, Some(result));
    }

    // Damage shows as no result, not as an error or a huge allocation: a
    // block that claims 4 GiB, or a rule number the table does not hold.
    #[test]
    fn damaged_results_read_as_none() {
        let (store, id, _) = stored_chat();
        assert!(store.conversation(id).unwrap().classification.is_some());

        store
            .conn
            .execute(
                "DELETE FROM evidence_rule WHERE id = (SELECT max(id) FROM evidence_rule)",
                [],
            )
            .unwrap();
        assert_eq!(store.conversation(id).unwrap().classification, None);

        let claims_4_gib = [0xff, 0xff, 0xff, 0xff, 1, 2, 3];
        store
            .conn
            .execute("UPDATE classification SET result = ?1", [&claims_4_gib[..]])
            .unwrap();
        assert_eq!(store.conversation(id).unwrap().classification, None);
    }

    // A rule keeps its number; a rule not seen before gets a new one.
    #[test]
    fn rule_numbers_are_stable() {
        let mut store = Store::open_in_memory().unwrap();
        let first = store.number_rules(["a/x", "b/y", "a/x"]).unwrap();
        assert_eq!(first.len(), 2);
        let again = store.number_rules(["b/y", "c/z", "a/x"]).unwrap();
        assert_eq!(again.number("a/x"), first.number("a/x"));
        assert_eq!(again.number("b/y"), first.number("b/y"));
        let new = again.number("c/z").unwrap();
        assert!(new != first.number("a/x").unwrap() && new != first.number("b/y").unwrap());
        assert_eq!(again.number("d/w"), None);
    }
}
