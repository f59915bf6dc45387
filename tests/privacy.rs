//! Personal data through the real CLI: `import` masks phone, ID-card and
//! bank-card numbers and addresses before anything reaches the database
//! file, evidence offsets still point at the same characters, and
//! `--no-mask` / `settings mask off` store them as they are.

use crate::util::{buyerlens_env, contains_bytes, db_bytes, describe};

const PHONE: &str = "13812345678";
const ID_CARD: &str = "11010519491231002X";
const BANK_CARD: &str = "6222021234567890128";
const ORDER: &str = "2345678901234567890";

fn chat() -> String {
    format!(
        "买家：在吗，能便宜点吗？包邮吗\n客服：亲，包邮的哦\n\
         买家：我电话{PHONE}，身份证{ID_CARD}，卡号{BANK_CARD}\n\
         买家：寄到阳光小区3栋2单元501室，订单号{ORDER}，身高175/80A，5号能到吗\n"
    )
}

fn import(db: &std::path::Path, file: &std::path::Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["--db", db.to_str().unwrap(), "import", "--json"];
    args.extend_from_slice(extra);
    args.push(file.to_str().unwrap());
    buyerlens_env(&args, &[], b"")
}

// The database file (and its WAL) never holds the raw phone, ID-card or
// bank-card number after `buyerlens import`; order numbers and sizes stay.
#[test]
fn import_never_writes_raw_personal_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let (db, file) = (dir.path().join("h.sqlite"), dir.path().join("chat.txt"));
    std::fs::write(&file, chat()).unwrap();
    let out = import(&db, &file, &[]);
    assert!(out.status.success(), "{}", describe(&out));
    let bytes = db_bytes(&db);
    for raw in [PHONE, ID_CARD, BANK_CARD, "501室"] {
        assert!(
            !contains_bytes(&bytes, raw.as_bytes()),
            "the database file must not contain {raw}"
        );
    }
    let history = buyerlens_env(
        &["--db", db.to_str().unwrap(), "history", "--json"],
        &[],
        b"",
    );
    let shown = String::from_utf8_lossy(&history.stdout);
    assert!(shown.contains("***********"), "{}", describe(&history));

    // The stored result's evidence still points at the stored text.
    let store = buyerlens_core::Store::open(&db).unwrap();
    let id = store
        .history(&Default::default())
        .unwrap()
        .first()
        .unwrap()
        .id;
    let detail = store.conversation(id).unwrap();
    assert!(detail.text.contains(ORDER), "order numbers are not masked");
    assert!(detail.text.contains("175/80A") && detail.text.contains("5号"));
    assert_eq!(
        detail.text.chars().count(),
        chat().trim().chars().count(),
        "masking keeps the length in characters"
    );
    let result = detail.classification.expect("a stored classification");
    let mut checked = 0;
    for score in result.scores() {
        for e in &score.evidence {
            assert_eq!(
                result.quoted(e).as_deref(),
                Some(e.text.as_str()),
                "evidence offsets point at the stored text"
            );
            checked += 1;
        }
    }
    assert!(checked > 0, "the chat has evidence to check");
}

// `--no-mask` and `settings mask off` store the numbers as they are;
// masking is on again by default for the next import.
#[test]
fn masking_can_be_turned_off() {
    let dir = tempfile::tempdir().unwrap();
    let (db, file) = (dir.path().join("h.sqlite"), dir.path().join("chat.txt"));
    std::fs::write(&file, chat()).unwrap();
    let out = import(&db, &file, &["--no-mask"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(contains_bytes(&db_bytes(&db), PHONE.as_bytes()));

    let dbs = db.to_str().unwrap();
    let shown = buyerlens_env(&["--db", dbs, "settings"], &[], b"");
    assert_eq!(String::from_utf8_lossy(&shown.stdout).trim(), "mask on");
    let off = buyerlens_env(&["--db", dbs, "settings", "mask", "off"], &[], b"");
    assert!(off.status.success(), "{}", describe(&off));
    assert_eq!(String::from_utf8_lossy(&off.stdout).trim(), "mask off");
    let bad = buyerlens_env(&["--db", dbs, "settings", "mask", "maybe"], &[], b"");
    assert_eq!(bad.status.code(), Some(2), "{}", describe(&bad));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("\"maybe\""));
}
