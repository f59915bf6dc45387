//! The report counts in `day_count`: conversations (code `''`) and labels
//! per local day and agent, which reports over a million conversations
//! read instead of the rows.
//!
//! Inserts are counted here, by the code that writes conversations and
//! labels, with one upsert per day, agent and code for a whole batch.
//! Insert triggers did this before schema 3; they made SQLite keep a
//! statement journal for every insert, about a fifth of an import's
//! writing. Deletions, which are rare, are still counted by triggers.

use std::collections::BTreeMap;

use rusqlite::{params, Transaction};

use super::sql;
use crate::error::Result;

/// Seconds per day: `day_count.day` is local seconds / 86400.
const DAY: i64 = 86_400;

/// Counts to add to `day_count` when the transaction writes its rows,
/// in key order: upserts in index order touch each page once.
#[derive(Debug, Default)]
pub(crate) struct DayCounts(BTreeMap<(i64, String, &'static str), i64>);

impl DayCounts {
    /// One more conversation (`code` `""`) or label at local time `at`.
    pub(crate) fn add(&mut self, at: i64, agent: Option<&str>, code: &'static str) {
        // Integer division truncating toward zero, as SQLite's `at / 86400`.
        let key = (at / DAY, agent.unwrap_or_default().to_string(), code);
        *self.0.entry(key).or_default() += 1;
    }

    /// Adds the counts inside `tx`.
    pub(crate) fn write(self, tx: &Transaction<'_>) -> Result<()> {
        let mut stmt = tx
            .prepare_cached(
                "INSERT INTO day_count (day, agent, code, n) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (day, agent, code) DO UPDATE SET n = n + excluded.n",
            )
            .map_err(sql("count conversations per day"))?;
        for ((day, agent, code), n) in self.0 {
            stmt.execute(params![day, agent, code, n])
                .map_err(sql("count conversations per day"))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::store::tests_support::classification;
    use crate::store::{Correction, NewConversation, Store};
    use crate::Label;

    /// `day_count` as the rows say it should be: conversations and effective
    /// labels per day and agent.
    fn recount(store: &Store) -> Vec<(i64, String, String, i64)> {
        store
            .conn
            .prepare(
                "SELECT at / 86400, coalesce(agent, ''), '', count(*) FROM conversation GROUP BY 1, 2
                 UNION ALL
                 SELECT c.at / 86400, coalesce(c.agent, ''), l.code, count(*)
                 FROM conversation_label l JOIN conversation c ON c.id = l.conversation_id
                 GROUP BY 1, 2, 3
                 ORDER BY 1, 2, 3",
            )
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    fn kept(store: &Store) -> Vec<(i64, String, String, i64)> {
        store
            .conn
            .prepare("SELECT day, agent, code, n FROM day_count WHERE n <> 0 ORDER BY 1, 2, 3")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    // The counts the store adds itself match the rows after a batch over
    // several days and agents, a single paste, a re-classification with
    // another lexicon, a correction and a deletion.
    #[test]
    fn counts_follow_every_write() {
        let mut store = Store::open_in_memory().unwrap();
        let day = 86_400;
        let items: Vec<_> = (0..12)
            .map(|i| {
                let mut conversation = NewConversation::pasted(format!("买家：包邮吗 {i}"));
                conversation.agent = (i % 3 != 0).then(|| format!("agent{}", i % 3));
                conversation.chat_at = Some(20_000 * day + (i % 4) * day + 60);
                let motives: &[Label] = if i % 2 == 0 { &[Label::Bargain] } else { &[] };
                (
                    conversation,
                    classification(motives, Label::Novice, Label::Shopper, &[Label::Shipping]),
                )
            })
            .collect();
        store.record_batch(&items, "v1", 30_000 * day).unwrap();
        assert_eq!(kept(&store), recount(&store));
        assert_eq!(store.conversation_count().unwrap(), 12);

        let pasted = classification(&[Label::Safety], Label::Experienced, Label::Shopper, &[]);
        store
            .record(
                &NewConversation::pasted("买家：正品吗"),
                &pasted,
                "v1",
                30_000 * day,
            )
            .unwrap();
        // The same text again with another lexicon: labels replaced.
        let again = classification(&[], Label::Experienced, Label::InfoSeeker, &[Label::Stock]);
        store
            .record_batch(&[(items[0].0.clone(), again)], "v2", 30_001 * day)
            .unwrap();
        assert_eq!(kept(&store), recount(&store));

        let correction = Correction {
            motives: Some(vec![Label::Practical, Label::Novelty]),
            intent: Some(Label::NonBuyer),
            who: "主管".into(),
            ..Default::default()
        };
        store.correct(2, &correction, 30_002 * day).unwrap();
        assert_eq!(kept(&store), recount(&store));

        store
            .conn
            .execute("DELETE FROM conversation WHERE id = 3", [])
            .unwrap();
        assert_eq!(kept(&store), recount(&store));
        assert_eq!(store.conversation_count().unwrap(), 12);
    }
}
