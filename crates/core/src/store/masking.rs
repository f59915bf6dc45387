//! The masking setting: whether personal data is masked before a
//! conversation is written (see [`crate::privacy`]). On by default.

use std::borrow::Cow;

use super::{NewConversation, Store};
use crate::error::Result;
use crate::model::Classification;
use crate::privacy;

/// The settings key: `off` turns masking off; anything else (or nothing)
/// keeps it on.
pub const MASK_SETTING: &str = "privacy.mask";

impl Store {
    /// Whether conversations are masked before they are written: this
    /// connection's override if any, else the stored setting (on unless it
    /// says `off`).
    ///
    /// # Errors
    /// On a database error.
    pub fn masks_personal_data(&self) -> Result<bool> {
        if let Some(on) = self.mask_override {
            return Ok(on);
        }
        Ok(self.setting(MASK_SETTING)?.as_deref() != Some("off"))
    }

    /// Turns masking on or off for every later write, by anyone.
    ///
    /// # Errors
    /// On a database error.
    pub fn set_masks_personal_data(&mut self, on: bool) -> Result<()> {
        self.set_setting(MASK_SETTING, if on { "on" } else { "off" })
    }

    /// Test-only: caps the database file at `pages` pages
    /// (`PRAGMA max_page_count`), so a test can run out of space the way a
    /// full disk does, without a full disk.
    ///
    /// # Errors
    /// On a database error.
    #[doc(hidden)]
    pub fn limit_pages_for_tests(&mut self, pages: i64) -> Result<()> {
        self.conn
            .pragma_update(None, "max_page_count", pages)
            .map_err(super::sql("set max_page_count"))
    }

    /// Overrides the setting for this connection only (`None` follows the
    /// setting again); used by `buyerlens import --no-mask`.
    pub fn override_masking(&mut self, on: Option<bool>) {
        self.mask_override = on;
    }
}

/// A conversation's text as it is written: masked when `mask` is on.
pub(crate) fn stored_text(mask: bool, text: &str) -> Cow<'_, str> {
    if mask {
        privacy::mask(text)
    } else {
        Cow::Borrowed(text)
    }
}

/// What is written for a conversation: the text, its names and the
/// classification's messages and evidence masked when `mask` is on.
/// Borrowed when nothing changes.
pub(crate) fn for_storage<'a>(
    mask: bool,
    conversation: &'a NewConversation,
    result: &'a Classification,
) -> (Cow<'a, NewConversation>, Cow<'a, Classification>) {
    if !mask {
        return (Cow::Borrowed(conversation), Cow::Borrowed(result));
    }
    let masked = |s: &Option<String>| match s.as_deref().map(privacy::mask) {
        Some(Cow::Owned(m)) => Some(Some(m)),
        _ => None,
    };
    let text = stored_text(mask, &conversation.text);
    let (agent, buyer, shop) = (
        masked(&conversation.agent),
        masked(&conversation.buyer),
        masked(&conversation.shop),
    );
    let conversation =
        if matches!(text, Cow::Borrowed(_)) && agent.is_none() && buyer.is_none() && shop.is_none()
        {
            Cow::Borrowed(conversation)
        } else {
            let mut owned = conversation.clone();
            owned.text = text.into_owned();
            owned.agent = agent.unwrap_or(owned.agent);
            owned.buyer = buyer.unwrap_or(owned.buyer);
            owned.shop = shop.unwrap_or(owned.shop);
            Cow::Owned(owned)
        };
    let result = match privacy::mask_classification(result) {
        Some(masked) => Cow::Owned(masked),
        None => Cow::Borrowed(result),
    };
    (conversation, result)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::tests_support::classification;
    use crate::Label;

    // Masking is on by default, follows the setting, and the connection's
    // override wins over the setting.
    #[test]
    fn setting_and_override() {
        let mut store = Store::open_in_memory().unwrap();
        assert!(store.masks_personal_data().unwrap(), "on by default");
        store.set_masks_personal_data(false).unwrap();
        assert!(!store.masks_personal_data().unwrap());
        store.override_masking(Some(true));
        assert!(store.masks_personal_data().unwrap());
        store.override_masking(None);
        store.set_masks_personal_data(true).unwrap();
        store.override_masking(Some(false));
        assert!(!store.masks_personal_data().unwrap());
    }

    // A recorded conversation holds no raw phone number anywhere in the
    // database (text, result JSON, names, full-text index) when masking is
    // on, and keeps it when off.
    #[test]
    fn recorded_text_is_masked() {
        let mut store = Store::open_in_memory().unwrap();
        let mut result = classification(&[], Label::Novice, Label::Shopper, &[]);
        result.messages[0].text = "在吗 我手机13812345678".into();
        result.messages[0].name = Some("tb_13912345678".into());
        let conversation = NewConversation::pasted("买家：在吗 我手机13812345678");
        store.record(&conversation, &result, "v1", 1).unwrap();
        let stored = dump(&store);
        assert!(
            !stored.contains("13812345678") && !stored.contains("13912345678"),
            "a masked store must not hold the raw number: {stored}"
        );
        assert!(stored.contains("在吗 我手机***********"));

        store.set_masks_personal_data(false).unwrap();
        let conversation = NewConversation::pasted("买家：电话13712345678");
        store.record(&conversation, &result, "v1", 2).unwrap();
        assert!(dump(&store).contains("13712345678"), "masking off keeps it");
    }

    /// Every text value of every table, one per line (results decompressed).
    fn dump(store: &Store) -> String {
        let mut out = String::new();
        let mut stmt = store
            .conn
            .prepare(
                "SELECT text || ' ' || coalesce(buyer,'') || ' ' || coalesce(agent,'') FROM conversation",
            )
            .unwrap();
        for row in stmt.query_map([], |r| r.get::<_, String>(0)).unwrap() {
            out.push_str(&row.unwrap());
            out.push('\n');
        }
        let mut stmt = store
            .conn
            .prepare("SELECT result FROM classification")
            .unwrap();
        for row in stmt.query_map([], |r| r.get(0)).unwrap() {
            let json =
                crate::store::stored_results::stored_result_json(row.unwrap()).expect("a result");
            out.push_str(&String::from_utf8(json).unwrap());
            out.push('\n');
        }
        out
    }
}
