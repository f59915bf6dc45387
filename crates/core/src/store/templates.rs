//! Reply templates (话术): the pack format, editing and recorded uses.

use rusqlite::{params, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};

use super::{sql, Store, StoreError};
use crate::error::{Error, Result};
use crate::label::Label;

/// The default template pack shipped in `assets/templates.toml`.
pub const DEFAULT_TEMPLATES: &str = include_str!("../../../../assets/templates.toml");

/// Setting that records that the default pack was installed once, so a
/// supervisor's deletions are not undone on the next start.
const DEFAULT_INSTALLED: &str = "templates.default_installed";

/// A stored template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    /// Template id.
    pub id: i64,
    /// Stable id from a pack (`bargain-coupon`), if it came from one.
    pub key: Option<String>,
    /// Short title.
    pub title: String,
    /// The reply, with placeholders `{买家}` `{客服}` `{店铺}` `{商品}`.
    pub body: String,
    /// Label codes it answers.
    pub tags: Vec<Label>,
    /// Group shown in the template list.
    pub group: String,
    /// Typing shortcut (e.g. `/yh`).
    pub shortcut: Option<String>,
    /// Whether it is suggested.
    pub enabled: bool,
    /// How often agents used it.
    pub use_count: u32,
    /// When it was last used (local seconds).
    pub last_used_at: Option<i64>,
    /// Created (local seconds).
    pub created_at: i64,
    /// Last edited (local seconds).
    pub updated_at: i64,
}

/// A template as written in a pack file or an editor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateDraft {
    /// Stable id; importing a pack again updates the template with this key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Short title.
    pub title: String,
    /// The reply text with placeholders.
    pub body: String,
    /// Label codes it answers.
    #[serde(default)]
    pub tags: Vec<Label>,
    /// Group.
    #[serde(default)]
    pub group: String,
    /// Typing shortcut.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shortcut: Option<String>,
    /// Whether it is suggested.
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
}

fn enabled_by_default() -> bool {
    true
}

impl From<&Template> for TemplateDraft {
    fn from(t: &Template) -> TemplateDraft {
        TemplateDraft {
            key: t.key.clone(),
            title: t.title.clone(),
            body: t.body.clone(),
            tags: t.tags.clone(),
            group: t.group.clone(),
            shortcut: t.shortcut.clone(),
            enabled: t.enabled,
        }
    }
}

impl TemplateDraft {
    /// Checks a draft: a title, a body, and only known placeholders.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] naming the template and the problem.
    pub fn validate(&self) -> Result<()> {
        let name = self.key.as_deref().unwrap_or(&self.title);
        let invalid = |what: String| {
            Error::Store(StoreError::Invalid(format!("template \"{name}\": {what}")))
        };
        if self.title.trim().is_empty() {
            return Err(invalid("the title is empty".into()));
        }
        if self.body.trim().is_empty() {
            return Err(invalid("the body is empty".into()));
        }
        crate::suggest::check_placeholders(&self.body).map_err(invalid)
    }
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Pack {
    #[serde(default, rename = "template")]
    templates: Vec<TemplateDraft>,
}

/// Reads a template pack (TOML: `[[template]]` tables with `key`, `title`,
/// `body`, `tags`, `group`, `shortcut`, `enabled`).
///
/// # Errors
/// [`StoreError::Invalid`] naming the line or the template at fault.
pub fn parse_pack(source: &str) -> Result<Vec<TemplateDraft>> {
    let pack: Pack = toml::from_str(source)
        .map_err(|e| StoreError::Invalid(format!("template pack: {}", e.to_string().trim())))?;
    let mut keys = std::collections::HashSet::new();
    for draft in &pack.templates {
        draft.validate()?;
        if let Some(key) = &draft.key {
            if !keys.insert(key.as_str()) {
                return Err(StoreError::Invalid(format!(
                    "template pack: the key \"{key}\" is used twice"
                ))
                .into());
            }
        }
    }
    Ok(pack.templates)
}

/// Writes templates as a pack that [`parse_pack`] reads back.
pub fn pack_to_toml(templates: &[TemplateDraft]) -> String {
    let pack = Pack {
        templates: templates.to_vec(),
    };
    toml::to_string_pretty(&pack).unwrap_or_default()
}

/// What importing a pack did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TemplatePackOutcome {
    /// New templates.
    pub added: usize,
    /// Templates updated by key.
    pub updated: usize,
}

const TEMPLATE_COLUMNS: &str = "id, key, title, body, grp, shortcut, enabled, use_count, \
     last_used_at, created_at, updated_at";

fn template_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Template> {
    Ok(Template {
        id: row.get(0)?,
        key: row.get(1)?,
        title: row.get(2)?,
        body: row.get(3)?,
        group: row.get(4)?,
        shortcut: row.get(5)?,
        enabled: row.get(6)?,
        use_count: row.get(7)?,
        last_used_at: row.get(8)?,
        created_at: row.get(9)?,
        updated_at: row.get(10)?,
        tags: Vec::new(),
    })
}

fn write_tags(tx: &Transaction<'_>, id: i64, tags: &[Label]) -> Result<()> {
    tx.execute("DELETE FROM template_tag WHERE template_id = ?1", [id])
        .map_err(sql("replace template tags"))?;
    let mut stmt = tx
        .prepare_cached("INSERT OR IGNORE INTO template_tag (template_id, code) VALUES (?1, ?2)")
        .map_err(sql("insert template tags"))?;
    for tag in tags {
        stmt.execute(params![id, tag.code()])
            .map_err(sql("insert template tags"))?;
    }
    Ok(())
}

fn insert(tx: &Transaction<'_>, draft: &TemplateDraft, now: i64) -> Result<i64> {
    let id: i64 = tx
        .query_row(
            "INSERT INTO template (key, title, body, grp, shortcut, enabled, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) RETURNING id",
            params![draft.key, draft.title, draft.body, draft.group, draft.shortcut, draft.enabled, now],
            |r| r.get(0),
        )
        .map_err(sql("insert a template"))?;
    write_tags(tx, id, &draft.tags)?;
    Ok(id)
}

fn update(tx: &Transaction<'_>, id: i64, draft: &TemplateDraft, now: i64) -> Result<()> {
    let changed = tx
        .execute(
            "UPDATE template SET key = ?2, title = ?3, body = ?4, grp = ?5, shortcut = ?6,
                 enabled = ?7, updated_at = ?8 WHERE id = ?1",
            params![
                id,
                draft.key,
                draft.title,
                draft.body,
                draft.group,
                draft.shortcut,
                draft.enabled,
                now
            ],
        )
        .map_err(sql("update a template"))?;
    if changed == 0 {
        return Err(StoreError::NotFound {
            what: "template",
            id,
        }
        .into());
    }
    write_tags(tx, id, &draft.tags)
}

impl Store {
    /// All templates (or only the enabled ones), by group and title.
    ///
    /// # Errors
    /// On a database error.
    pub fn templates(&self, include_disabled: bool) -> Result<Vec<Template>> {
        let query = format!(
            "SELECT {TEMPLATE_COLUMNS} FROM template {} ORDER BY grp, id",
            if include_disabled {
                ""
            } else {
                "WHERE enabled = 1"
            }
        );
        let mut templates = self
            .conn
            .prepare_cached(&query)
            .and_then(|mut stmt| {
                stmt.query_map([], template_from_row)?
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(sql("read templates"))?;
        let mut stmt = self
            .conn
            .prepare_cached("SELECT template_id, code FROM template_tag")
            .map_err(sql("read template tags"))?;
        let tags = stmt
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(sql("read template tags"))?;
        let mut by_id: std::collections::HashMap<i64, Vec<Label>> = Default::default();
        for (id, code) in tags {
            if let Some(label) = Label::from_code(&code) {
                by_id.entry(id).or_default().push(label);
            }
        }
        for t in &mut templates {
            t.tags = by_id.remove(&t.id).unwrap_or_default();
            t.tags.sort();
        }
        Ok(templates)
    }

    /// One template.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown id.
    pub fn template(&self, id: i64) -> Result<Template> {
        let query = format!("SELECT {TEMPLATE_COLUMNS} FROM template WHERE id = ?1");
        let mut template = self
            .conn
            .query_row(&query, [id], template_from_row)
            .optional()
            .map_err(sql("read a template"))?
            .ok_or(StoreError::NotFound {
                what: "template",
                id,
            })?;
        let mut stmt = self
            .conn
            .prepare_cached("SELECT code FROM template_tag WHERE template_id = ?1")
            .map_err(sql("read template tags"))?;
        let codes = stmt
            .query_map([id], |r| r.get::<_, String>(0))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(sql("read template tags"))?;
        template.tags = codes.iter().filter_map(|c| Label::from_code(c)).collect();
        template.tags.sort();
        Ok(template)
    }

    /// Adds a template; returns its id.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for a bad draft or a key already in use.
    pub fn add_template(&mut self, draft: &TemplateDraft, now: i64) -> Result<i64> {
        draft.validate()?;
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(sql("begin a transaction"))?;
        if let Some(key) = &draft.key {
            let taken: Option<i64> = tx
                .query_row("SELECT id FROM template WHERE key = ?1", [key], |r| {
                    r.get(0)
                })
                .optional()
                .map_err(sql("look up a template key"))?;
            if let Some(other) = taken {
                return Err(StoreError::Invalid(format!(
                    "template key \"{key}\" is already used by template {other}"
                ))
                .into());
            }
        }
        let id = insert(&tx, draft, now)?;
        tx.commit().map_err(sql("commit the template"))?;
        Ok(id)
    }

    /// Replaces a template's fields (its uses and counts stay).
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Invalid`].
    pub fn update_template(&mut self, id: i64, draft: &TemplateDraft, now: i64) -> Result<()> {
        draft.validate()?;
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(sql("begin a transaction"))?;
        update(&tx, id, draft, now)?;
        tx.commit().map_err(sql("commit the template"))?;
        Ok(())
    }

    /// Deletes a template and its recorded uses.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown id.
    pub fn delete_template(&mut self, id: i64) -> Result<()> {
        let deleted = self
            .conn
            .execute("DELETE FROM template WHERE id = ?1", [id])
            .map_err(sql("delete a template"))?;
        if deleted == 0 {
            return Err(StoreError::NotFound {
                what: "template",
                id,
            }
            .into());
        }
        Ok(())
    }

    /// Imports templates in one transaction: a draft whose key is stored
    /// updates that template, the others are added.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for a bad draft; nothing is written then.
    pub fn import_templates(
        &mut self,
        drafts: &[TemplateDraft],
        now: i64,
    ) -> Result<TemplatePackOutcome> {
        for draft in drafts {
            draft.validate()?;
        }
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(sql("begin a transaction"))?;
        let mut outcome = TemplatePackOutcome::default();
        for draft in drafts {
            let existing: Option<i64> = match &draft.key {
                Some(key) => tx
                    .query_row("SELECT id FROM template WHERE key = ?1", [key], |r| {
                        r.get(0)
                    })
                    .optional()
                    .map_err(sql("look up a template key"))?,
                None => None,
            };
            match existing {
                Some(id) => {
                    update(&tx, id, draft, now)?;
                    outcome.updated += 1;
                }
                None => {
                    insert(&tx, draft, now)?;
                    outcome.added += 1;
                }
            }
        }
        tx.commit().map_err(sql("commit the templates"))?;
        Ok(outcome)
    }

    /// Installs the default pack the first time a database is used; later
    /// calls do nothing (so deleted defaults stay deleted). Returns what
    /// was installed, `None` when it had been done before.
    ///
    /// # Errors
    /// On a database error.
    pub fn install_default_templates(&mut self, now: i64) -> Result<Option<TemplatePackOutcome>> {
        if self.setting(DEFAULT_INSTALLED)?.is_some() {
            return Ok(None);
        }
        let drafts = parse_pack(DEFAULT_TEMPLATES)?;
        let outcome = self.import_templates(&drafts, now)?;
        self.set_setting(DEFAULT_INSTALLED, "1")?;
        Ok(Some(outcome))
    }

    /// Records that an agent used a template (for a conversation, when
    /// known): one more use, and the time of the last one.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown template.
    pub fn record_template_use(
        &mut self,
        template_id: i64,
        conversation_id: Option<i64>,
        now: i64,
    ) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(sql("begin a transaction"))?;
        let changed = tx
            .execute(
                "UPDATE template SET use_count = use_count + 1, last_used_at = ?2 WHERE id = ?1",
                params![template_id, now],
            )
            .map_err(sql("count a template use"))?;
        if changed == 0 {
            return Err(StoreError::NotFound {
                what: "template",
                id: template_id,
            }
            .into());
        }
        tx.execute(
            "INSERT INTO template_use (template_id, conversation_id, at) VALUES (?1, ?2, ?3)",
            params![template_id, conversation_id, now],
        )
        .map_err(sql("record a template use"))?;
        tx.commit().map_err(sql("commit the template use"))?;
        Ok(())
    }

    /// The templates used for a conversation, oldest first: `(template id, time)`.
    ///
    /// # Errors
    /// On a database error.
    pub fn template_uses(&self, conversation_id: i64) -> Result<Vec<(i64, i64)>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT template_id, at FROM template_use WHERE conversation_id = ?1 ORDER BY id",
            )
            .map_err(sql("read template uses"))?;
        stmt.query_map([conversation_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(sql("read template uses"))
    }
}
