//! Supervisors' corrections of labels. The original classification stays;
//! history shows the corrected labels.

use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use super::day_counts::DayCounts;
use super::history::EffectiveLabels;
use super::label_bits;
use super::{sql, Store, StoreError};
use crate::error::Result;
use crate::label::{Axis, Label};

/// A supervisor's override of one or more axes of a conversation. Axes left
/// `None` are not touched.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Correction {
    /// The motives that really hold (may be empty).
    pub motives: Option<Vec<Label>>,
    /// The buyer's real experience.
    pub experience: Option<Label>,
    /// The buyer's real intent.
    pub intent: Option<Label>,
    /// The topics the buyer really asked about (may be empty).
    pub topics: Option<Vec<Label>>,
    /// Who corrected.
    pub who: String,
    /// Why.
    pub note: Option<String>,
}

impl Correction {
    fn axes(&self) -> Vec<(Axis, Vec<Label>)> {
        let mut axes = Vec::new();
        if let Some(m) = &self.motives {
            axes.push((Axis::Motive, m.clone()));
        }
        if let Some(e) = self.experience {
            axes.push((Axis::Experience, vec![e]));
        }
        if let Some(i) = self.intent {
            axes.push((Axis::Intent, vec![i]));
        }
        if let Some(t) = &self.topics {
            axes.push((Axis::Topic, t.clone()));
        }
        axes
    }
}

/// One stored correction of one axis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CorrectionRecord {
    /// Correction id.
    pub id: i64,
    /// The conversation.
    pub conversation_id: i64,
    /// The corrected axis.
    pub axis: Axis,
    /// The labels before.
    pub old: Vec<Label>,
    /// The labels after.
    pub new: Vec<Label>,
    /// Who corrected.
    pub who: String,
    /// Why.
    pub note: Option<String>,
    /// When (local time).
    #[serde(serialize_with = "super::history::serialize_local_time")]
    pub at: i64,
}

fn codes(labels: &[Label]) -> String {
    labels
        .iter()
        .map(|l| l.code())
        .collect::<Vec<_>>()
        .join(",")
}

fn parse_codes(axis: Axis, text: &str) -> Vec<Label> {
    text.split(',')
        .filter_map(|c| Label::from_axis_code(axis, c))
        .collect()
}

fn parse_axis(code: &str) -> Option<Axis> {
    [Axis::Motive, Axis::Experience, Axis::Intent, Axis::Topic]
        .into_iter()
        .find(|a| a.code() == code)
}

impl Store {
    /// Records a correction: for every axis given, the old and new labels,
    /// who, when and why. The labels history shows and filters on become
    /// the corrected ones; the classification itself is kept as it was.
    /// An axis whose labels do not change is not recorded.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown conversation;
    /// [`StoreError::Invalid`] for a label of the wrong axis, an empty
    /// correction or no `who`. Nothing is written on error.
    pub fn correct(
        &mut self,
        conversation_id: i64,
        correction: &Correction,
        now: i64,
    ) -> Result<Vec<CorrectionRecord>> {
        let axes = correction.axes();
        if axes.is_empty() {
            return Err(StoreError::Invalid(
                "the correction changes nothing: give motives, experience, intent or topics".into(),
            )
            .into());
        }
        if correction.who.trim().is_empty() {
            return Err(
                StoreError::Invalid("say who corrects (a supervisor's name)".into()).into(),
            );
        }
        for (axis, labels) in &axes {
            if let Some(wrong) = labels.iter().find(|l| l.axis() != *axis) {
                return Err(StoreError::Invalid(format!(
                    "\"{}\" is not a {} label",
                    wrong.code(),
                    axis.code()
                ))
                .into());
            }
        }
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(sql("begin a transaction"))?;
        let (at, agent): (i64, Option<String>) = tx
            .query_row(
                "SELECT at, agent FROM conversation WHERE id = ?1",
                [conversation_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(sql("read a conversation"))?
            .ok_or(StoreError::NotFound {
                what: "conversation",
                id: conversation_id,
            })?;
        let mut records = Vec::new();
        let mut counts = DayCounts::default();
        for (axis, mut new) in axes {
            new.sort();
            new.dedup();
            let mut old: Vec<Label> = {
                let mut stmt = tx
                    .prepare_cached(
                        "SELECT code FROM conversation_label
                         WHERE conversation_id = ?1 AND axis = ?2",
                    )
                    .map_err(sql("read labels"))?;
                let rows = stmt
                    .query_map(params![conversation_id, axis.code()], |r| {
                        r.get::<_, String>(0)
                    })
                    .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
                    .map_err(sql("read labels"))?;
                rows.iter().filter_map(|c| Label::from_code(c)).collect()
            };
            old.sort();
            if old == new {
                continue;
            }
            let id: i64 = tx
                .query_row(
                    "INSERT INTO correction (conversation_id, axis, old_value, new_value, who, note, at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
                    params![
                        conversation_id,
                        axis.code(),
                        codes(&old),
                        codes(&new),
                        correction.who,
                        correction.note,
                        now
                    ],
                    |r| r.get(0),
                )
                .map_err(sql("insert a correction"))?;
            tx.execute(
                "DELETE FROM conversation_label WHERE conversation_id = ?1 AND axis = ?2",
                params![conversation_id, axis.code()],
            )
            .map_err(sql("replace labels"))?;
            for label in &new {
                tx.execute(
                    "INSERT INTO conversation_label (conversation_id, code, axis, corrected)
                     VALUES (?1, ?2, ?3, 1)",
                    params![conversation_id, label.code(), axis.code()],
                )
                .map_err(sql("insert labels"))?;
                counts.add(at, agent.as_deref(), label.code());
            }
            records.push(CorrectionRecord {
                id,
                conversation_id,
                axis,
                old,
                new,
                who: correction.who.clone(),
                note: correction.note.clone(),
                at: now,
            });
        }
        counts.write(&tx)?;
        if !records.is_empty() {
            label_bits::refresh(&tx, conversation_id)?;
            tx.execute(
                "UPDATE conversation SET corrected = 1 WHERE id = ?1",
                [conversation_id],
            )
            .map_err(sql("mark a conversation corrected"))?;
        }
        tx.commit().map_err(sql("commit the correction"))?;
        Ok(records)
    }

    /// The corrections of one conversation, oldest first.
    ///
    /// # Errors
    /// On a database error.
    pub fn corrections(&self, conversation_id: i64) -> Result<Vec<CorrectionRecord>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, axis, old_value, new_value, who, note, at FROM correction
                 WHERE conversation_id = ?1 ORDER BY id",
            )
            .map_err(sql("read corrections"))?;
        let rows = stmt
            .query_map([conversation_id], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, i64>(6)?,
                ))
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(sql("read corrections"))?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, axis, old, new, who, note, at)| {
                let axis = parse_axis(&axis)?;
                Some(CorrectionRecord {
                    id,
                    conversation_id,
                    axis,
                    old: parse_codes(axis, &old),
                    new: parse_codes(axis, &new),
                    who,
                    note,
                    at,
                })
            })
            .collect())
    }

    /// The conversations a supervisor corrected, with their labels after
    /// correction: the reviewed set `eval --from-history` measures a
    /// lexicon against. Axes the supervisor left alone count as confirmed.
    ///
    /// # Errors
    /// On a database error.
    pub fn corrected_conversations(&self) -> Result<Vec<(i64, String, EffectiveLabels)>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, text FROM conversation INDEXED BY conversation_corrected_at
                 WHERE corrected = 1 ORDER BY at, id",
            )
            .map_err(sql("read corrected conversations"))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(sql("read corrected conversations"))?;
        let ids: Vec<i64> = rows.iter().map(|(id, _)| *id).collect();
        let mut labels = self.effective_labels(&ids)?;
        Ok(rows
            .into_iter()
            .map(|(id, text)| {
                let l = labels.remove(&id).unwrap_or_default();
                (id, text, l)
            })
            .collect())
    }
}

impl Store {
    /// The corrected conversations as labeled examples (their labels after
    /// correction are the gold labels), for measuring a lexicon against
    /// what supervisors reviewed.
    ///
    /// # Errors
    /// On a database error.
    pub fn reviewed_examples(&self) -> Result<Vec<crate::eval::Example>> {
        let codes = |labels: &[Label]| labels.iter().map(|l| l.code().to_string()).collect();
        Ok(self
            .corrected_conversations()?
            .into_iter()
            .map(|(id, text, labels)| crate::eval::Example {
                id: id.to_string(),
                format: "history".into(),
                text,
                labels: crate::eval::GoldLabels {
                    motives: codes(&labels.motives),
                    experience: labels
                        .experience
                        .map_or("unknown", |l| l.code())
                        .to_string(),
                    intent: labels.intent.map_or("shopper", |l| l.code()).to_string(),
                    topics: codes(&labels.topics),
                },
            })
            .collect())
    }
}
