//! The bit of each label in `conversation.labels`, which the history-order
//! indexes carry so that a label filter tests bits as it walks them
//! (migration 0004, table `label_bit`).

use rusqlite::Transaction;

use super::sql;
use crate::error::Result;
use crate::Label;

/// The bit of `label`: fixed once stored (table `label_bit`). A label added
/// later takes the next free bit, in a migration that adds its row.
pub(crate) fn bit(label: Label) -> u32 {
    match label {
        Label::Practical => 0,
        Label::Aesthetic => 1,
        Label::Prestige => 2,
        Label::Bargain => 3,
        Label::Safety => 4,
        Label::Novelty => 5,
        Label::Speed => 6,
        Label::Conformity => 7,
        Label::Habit => 8,
        Label::Novice => 9,
        Label::Experienced => 10,
        Label::ExperienceUnknown => 11,
        Label::Shopper => 12,
        Label::InfoSeeker => 13,
        Label::NonBuyer => 14,
        Label::Stock => 15,
        Label::Size => 16,
        Label::Quality => 17,
        Label::Shipping => 18,
        Label::Discount => 19,
        Label::Returns => 20,
    }
}

/// The bits of `labels` together.
pub(crate) fn mask(labels: impl IntoIterator<Item = Label>) -> i64 {
    labels
        .into_iter()
        .fold(0, |bits, label| bits | 1_i64 << bit(label))
}

/// Sets a conversation's bits from its label rows, after they changed (a
/// correction, a classification run again).
pub(crate) fn refresh(tx: &Transaction<'_>, conversation_id: i64) -> Result<()> {
    tx.prepare_cached(
        "UPDATE conversation SET labels = (
             SELECT coalesce(sum(1 << b.bit), 0)
             FROM conversation_label l JOIN label_bit b ON b.code = l.code
             WHERE l.conversation_id = ?1)
         WHERE id = ?1",
    )
    .and_then(|mut stmt| stmt.execute([conversation_id]))
    .map_err(sql("set a conversation's labels"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::tests_support::classification;
    use crate::store::{Correction, HistoryFilter, NewConversation, Store};

    /// Conversations whose bits are not those of their label rows.
    fn out_of_step(store: &Store) -> i64 {
        store
            .conn
            .query_row(
                "SELECT count(*) FROM conversation c WHERE c.labels <> (
                     SELECT coalesce(sum(1 << b.bit), 0)
                     FROM conversation_label l JOIN label_bit b ON b.code = l.code
                     WHERE l.conversation_id = c.id)",
                [],
                |r| r.get(0),
            )
            .unwrap()
    }

    fn ids_with(store: &Store, labels: &[Label]) -> Vec<i64> {
        let filter = HistoryFilter {
            labels: labels.to_vec(),
            limit: 1000,
            ..Default::default()
        };
        let mut ids: Vec<i64> = store
            .history(&filter)
            .unwrap()
            .iter()
            .map(|r| r.id)
            .collect();
        ids.sort_unstable();
        ids
    }

    // The bits follow the label rows through a batch, a correction and a
    // classification run again (which keeps the corrected axis), and label
    // filters find conversations by them.
    #[test]
    fn bits_follow_every_write() {
        let mut store = Store::open_in_memory().unwrap();
        let items: Vec<_> = (0..6)
            .map(|i| {
                let mut conversation = NewConversation::pasted(format!("买家：包邮吗 {i}"));
                conversation.chat_at = Some(1_780_000_000 + i * 3_600);
                let motives: &[Label] = if i % 2 == 0 { &[Label::Bargain] } else { &[] };
                (
                    conversation,
                    classification(motives, Label::Novice, Label::Shopper, &[Label::Shipping]),
                )
            })
            .collect();
        let ids: Vec<i64> = store
            .record_batch(&items, "v1", 1)
            .unwrap()
            .recorded
            .iter()
            .map(|r| r.conversation_id)
            .collect();
        assert_eq!(out_of_step(&store), 0);
        assert_eq!(
            ids_with(&store, &[Label::Bargain]),
            [ids[0], ids[2], ids[4]]
        );

        let correction = Correction {
            motives: Some(vec![Label::Habit]),
            who: "组长".into(),
            ..Default::default()
        };
        store.correct(ids[0], &correction, 2).unwrap();
        assert_eq!(out_of_step(&store), 0);
        assert_eq!(ids_with(&store, &[Label::Bargain]), [ids[2], ids[4]]);
        assert_eq!(ids_with(&store, &[Label::Habit, Label::Shipping]), [ids[0]]);

        // Classified again by another lexicon: new intent and topics, the
        // corrected motives stay.
        let again = classification(&[Label::Safety], Label::Novice, Label::InfoSeeker, &[]);
        store.record(&items[0].0, &again, "v2", 3).unwrap();
        assert_eq!(out_of_step(&store), 0);
        assert_eq!(
            ids_with(&store, &[Label::Habit, Label::InfoSeeker]),
            [ids[0]]
        );
        assert!(ids_with(&store, &[Label::Safety]).is_empty());
        assert!(!ids_with(&store, &[Label::Shipping]).contains(&ids[0]));
    }

    // A schema-3 database's label rows become bits and rows by
    // conversation; corrected flags and filters survive the migration.
    #[test]
    fn schema_3_labels_migrate() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.sqlite");
        {
            let mut conn = rusqlite::Connection::open(&path).unwrap();
            crate::store::MIGRATIONS.to_version(&mut conn, 3).unwrap();
            conn.execute_batch(
                "INSERT INTO conversation (id, content_hash, text, source, agent, imported_at, at)
                 VALUES (1, x'01', '买家：包邮吗', 'paste', '小雅', 1, 1780000000),
                        (2, x'02', '买家：正品吗', 'paste', NULL, 1, 1780090000);
                 INSERT INTO conversation_label (code, at, conversation_id, axis, corrected, agent)
                 VALUES ('bargain', 1780000000, 1, 'motive', 0, '小雅'),
                        ('shipping', 1780000000, 1, 'topic', 0, '小雅'),
                        ('habit', 1780090000, 2, 'motive', 1, NULL),
                        ('shopper', 1780090000, 2, 'intent', 0, NULL);
                 INSERT INTO day_count (day, agent, code, n) VALUES
                        (20601, '小雅', '', 1), (20601, '小雅', 'bargain', 1),
                        (20601, '小雅', 'shipping', 1), (20602, '', '', 1),
                        (20602, '', 'habit', 1), (20602, '', 'shopper', 1);",
            )
            .unwrap();
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(
            store.schema_version().unwrap(),
            crate::store::SCHEMA_VERSION
        );
        assert_eq!(out_of_step(&store), 0);
        assert_eq!(ids_with(&store, &[Label::Bargain, Label::Shipping]), [1]);
        assert_eq!(ids_with(&store, &[Label::Habit]), [2]);
        let labels = store.effective_labels(&[2]).unwrap();
        assert_eq!(labels[&2].corrected, [crate::label::Axis::Motive]);
        store.check_integrity().unwrap();
    }

    // The bits the code writes are the ones the database's table names
    // (the migration's), one per label, none shared.
    #[test]
    fn bits_match_the_table_and_are_distinct() {
        let store = Store::open_in_memory().unwrap();
        let table: Vec<(String, u32)> = store
            .conn
            .prepare("SELECT code, bit FROM label_bit ORDER BY bit")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let mut code: Vec<(String, u32)> = Label::ALL
            .iter()
            .map(|&label| (label.code().to_string(), bit(label)))
            .collect();
        code.sort_by_key(|(_, bit)| *bit);
        assert_eq!(table, code);
        assert_eq!(
            mask(Label::ALL.iter().copied()).count_ones() as usize,
            Label::ALL.len()
        );
        assert!(Label::ALL.iter().all(|&label| bit(label) < 63));
    }
}
