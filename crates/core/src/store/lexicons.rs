//! Lexicon versions edited by a supervisor. The shipped lexicon in
//! `assets/` is the default and the reset point: with no active stored
//! version, the default is in force.

use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use super::{sql, Store, StoreError};
use crate::error::Result;
use crate::lexicon::Lexicon;

/// A lexicon version kept in the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredLexicon {
    /// Row id.
    pub id: i64,
    /// The lexicon's own `version`.
    pub version: String,
    /// The TOML source.
    #[serde(skip)]
    pub source: String,
    /// Why it was saved.
    pub note: Option<String>,
    /// When (local seconds).
    pub created_at: i64,
    /// Whether it is the one in force.
    pub active: bool,
}

fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<StoredLexicon> {
    Ok(StoredLexicon {
        id: row.get(0)?,
        version: row.get(1)?,
        source: row.get(2)?,
        note: row.get(3)?,
        created_at: row.get(4)?,
        active: row.get(5)?,
    })
}

const COLUMNS: &str = "id, version, source, note, created_at, active";

impl Store {
    /// The lexicon in force: the active stored version, or the shipped
    /// default when none is active.
    ///
    /// # Errors
    /// A stored source that no longer validates (it was validated when
    /// saved, so only a newer lexicon format can cause this).
    pub fn active_lexicon(&self) -> Result<Lexicon> {
        match self.active_lexicon_version()? {
            Some(stored) => Lexicon::from_toml(&stored.source),
            None => Ok(Lexicon::default_lexicon()),
        }
    }

    /// The active stored version, `None` when the default is in force.
    ///
    /// # Errors
    /// On a database error.
    pub fn active_lexicon_version(&self) -> Result<Option<StoredLexicon>> {
        let query = format!("SELECT {COLUMNS} FROM lexicon_version WHERE active = 1");
        self.conn
            .query_row(&query, [], from_row)
            .optional()
            .map_err(sql("read the lexicon"))
    }

    /// Every stored version, newest first.
    ///
    /// # Errors
    /// On a database error.
    pub fn lexicon_versions(&self) -> Result<Vec<StoredLexicon>> {
        let query = format!("SELECT {COLUMNS} FROM lexicon_version ORDER BY id DESC");
        self.conn
            .prepare(&query)
            .and_then(|mut stmt| stmt.query_map([], from_row)?.collect())
            .map_err(sql("read lexicon versions"))
    }

    /// Validates a lexicon source, stores it as a new version and makes it
    /// the one in force. Returns the parsed lexicon.
    ///
    /// # Errors
    /// The lexicon's validation error (naming the entry); nothing is stored then.
    pub fn save_lexicon(&mut self, source: &str, note: Option<&str>, now: i64) -> Result<Lexicon> {
        let lexicon = Lexicon::from_toml(source)?;
        if lexicon.version.trim().is_empty() {
            return Err(StoreError::Invalid("the lexicon needs a version".into()).into());
        }
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(sql("begin a transaction"))?;
        tx.execute("UPDATE lexicon_version SET active = 0 WHERE active = 1", [])
            .map_err(sql("deactivate the lexicon"))?;
        tx.execute(
            "INSERT INTO lexicon_version (version, source, note, created_at, active)
             VALUES (?1, ?2, ?3, ?4, 1)",
            params![lexicon.version, source, note, now],
        )
        .map_err(sql("store the lexicon"))?;
        tx.commit().map_err(sql("commit the lexicon"))?;
        Ok(lexicon)
    }

    /// Goes back to the shipped default lexicon; stored versions are kept.
    ///
    /// # Errors
    /// On a database error.
    pub fn reset_lexicon(&mut self) -> Result<()> {
        self.conn
            .execute("UPDATE lexicon_version SET active = 0 WHERE active = 1", [])
            .map_err(sql("reset the lexicon"))?;
        Ok(())
    }
}
