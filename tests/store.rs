//! The store through its public API: recording, de-duplication, history
//! filters and search, corrections, reports, templates, lexicon versions,
//! and the safety of the user's file (foreign, corrupt, newer, backup).

use buyerlens_core::store::{
    Correction, HistoryFilter, NewConversation, StatsFilter, StoreError, TemplateDraft,
    SCHEMA_VERSION,
};
use buyerlens_core::suggest::{self, FillContext};
use buyerlens_core::{Classifier, Error, Label, Lexicon, Store};

const NOW: i64 = 1_750_000_000;

fn classifier() -> Classifier {
    Classifier::new(&Lexicon::default_lexicon()).expect("the default lexicon compiles")
}

/// Stores `text` as pasted, classified by the default lexicon.
fn record(store: &mut Store, text: &str) -> i64 {
    let c = classifier();
    let result = c.classify(text).expect("classifies");
    store
        .record(
            &NewConversation::pasted(text),
            &result,
            c.lexicon_version(),
            NOW,
        )
        .expect("records")
        .conversation_id
}

const BARGAIN: &str = "买家：这条裙子能便宜点吗 有优惠券吗 包邮吗\n客服：亲可以领券哦";
const SAFETY: &str = "买家：这个奶瓶安全吗 宝宝能用吗 有质检报告吗\n客服：有的亲";
const AGENCY: &str = "买家：你们招代理吗 一件代发吗\n客服：您好，暂不招代理";

// The same chat stored twice is one conversation; a new lexicon version adds a run.
#[test]
fn same_text_is_stored_once() {
    let mut store = Store::open_in_memory().unwrap();
    let c = classifier();
    let result = c.classify(BARGAIN).unwrap();
    let first = store
        .record(&NewConversation::pasted(BARGAIN), &result, "v1", NOW)
        .unwrap();
    let again = store
        .record(
            &NewConversation::pasted(format!("{BARGAIN}\r\n")),
            &result,
            "v1",
            NOW + 5,
        )
        .unwrap();
    assert!(
        !first.duplicate && again.duplicate,
        "re-pasting the same chat must add nothing"
    );
    assert_eq!(again.conversation_id, first.conversation_id);
    assert_eq!(again.classification_id, None);
    let rerun = store
        .record(&NewConversation::pasted(BARGAIN), &result, "v2", NOW + 9)
        .unwrap();
    assert!(
        rerun.classification_id.is_some(),
        "a new lexicon version is a new run"
    );
    assert_eq!(store.conversation_count().unwrap(), 1);
    assert_eq!(
        store
            .conversation(first.conversation_id)
            .unwrap()
            .classification_runs,
        2
    );
}

// Labels are queryable rows: history filters by label, agent and time.
#[test]
fn history_filters_by_label_and_agent() {
    let mut store = Store::open_in_memory().unwrap();
    let bargain = record(&mut store, BARGAIN);
    let safety = record(&mut store, SAFETY);
    let agency = record(&mut store, AGENCY);
    let ids = |filter: HistoryFilter| -> Vec<i64> {
        store
            .history(&filter)
            .unwrap()
            .iter()
            .map(|r| r.id)
            .collect()
    };
    assert_eq!(
        ids(HistoryFilter::default()),
        vec![agency, safety, bargain],
        "newest first"
    );
    assert_eq!(
        ids(HistoryFilter {
            labels: vec![Label::Bargain],
            ..Default::default()
        }),
        vec![bargain]
    );
    assert_eq!(
        ids(HistoryFilter {
            labels: vec![Label::Safety],
            ..Default::default()
        }),
        vec![safety]
    );
    assert_eq!(
        ids(HistoryFilter {
            labels: vec![Label::NonBuyer],
            ..Default::default()
        }),
        vec![agency]
    );
    assert!(ids(HistoryFilter {
        labels: vec![Label::Bargain, Label::Safety],
        ..Default::default()
    })
    .is_empty());
    assert!(ids(HistoryFilter {
        agent: Some("小雅".into()),
        ..Default::default()
    })
    .is_empty());
    assert!(ids(HistoryFilter {
        to: Some(NOW - 1),
        ..Default::default()
    })
    .is_empty());
    assert_eq!(
        ids(HistoryFilter {
            limit: 1,
            offset: 1,
            ..Default::default()
        }),
        vec![safety]
    );
    let page = store
        .history(&HistoryFilter {
            limit: 2,
            ..Default::default()
        })
        .unwrap();
    let last = page.last().unwrap();
    assert_eq!(
        ids(HistoryFilter {
            before: Some((last.at, last.id)),
            ..Default::default()
        }),
        vec![bargain],
        "keyset paging continues after the last row"
    );
}

// Full-text search finds Chinese words of two and more characters, anywhere.
#[test]
fn search_finds_chinese_words() {
    let mut store = Store::open_in_memory().unwrap();
    let bargain = record(&mut store, BARGAIN);
    let safety = record(&mut store, SAFETY);
    let agency = record(&mut store, AGENCY);
    let search = |words: &str| -> Vec<i64> {
        let filter = HistoryFilter {
            search: Some(words.into()),
            ..Default::default()
        };
        store
            .history(&filter)
            .unwrap()
            .iter()
            .map(|r| r.id)
            .collect()
    };
    assert_eq!(search("质检报告"), vec![safety]);
    assert_eq!(search("一件代发"), vec![agency]);
    assert_eq!(
        search("包邮"),
        vec![bargain],
        "two-character words are found"
    );
    assert_eq!(search("领券哦"), vec![bargain]);
    assert_eq!(
        search("代理"),
        vec![agency],
        "a two-character word at the very end is found"
    );
    assert_eq!(search("安全 宝宝"), vec![safety], "all words must occur");
    assert!(search("安全 代理").is_empty());
    assert!(search("不存在的词").is_empty());
    let short = store.history(&HistoryFilter {
        search: Some("亲".into()),
        ..Default::default()
    });
    assert!(
        matches!(short, Err(Error::Store(StoreError::Invalid(_)))),
        "one character is refused"
    );
}

// A correction changes what history shows and filters on; the original run stays.
#[test]
fn corrections_override_and_keep_the_original() {
    let mut store = Store::open_in_memory().unwrap();
    let id = record(&mut store, BARGAIN);
    let correction = Correction {
        motives: Some(vec![Label::Practical]),
        intent: Some(Label::InfoSeeker),
        who: "王主管".into(),
        note: Some("只是问问".into()),
        ..Default::default()
    };
    let records = store.correct(id, &correction, NOW + 60).unwrap();
    assert_eq!(records.len(), 2);
    assert!(records[0].old.contains(&Label::Bargain));
    let detail = store.conversation(id).unwrap();
    assert_eq!(detail.record.labels.motives, vec![Label::Practical]);
    assert_eq!(detail.record.labels.intent, Some(Label::InfoSeeker));
    assert!(
        detail.original_labels.motives.contains(&Label::Bargain),
        "the original must stay"
    );
    assert_eq!(detail.corrections.len(), 2);
    assert_eq!(detail.corrections[0].who, "王主管");
    let corrected = HistoryFilter {
        corrected: Some(true),
        ..Default::default()
    };
    assert_eq!(store.history(&corrected).unwrap().len(), 1);
    let practical = HistoryFilter {
        labels: vec![Label::Practical],
        ..Default::default()
    };
    assert_eq!(store.history(&practical).unwrap().len(), 1);
    let bargain = HistoryFilter {
        labels: vec![Label::Bargain],
        ..Default::default()
    };
    assert!(store.history(&bargain).unwrap().is_empty());
    // Re-classifying with a new lexicon keeps the corrected axes.
    let result = classifier().classify(BARGAIN).unwrap();
    store
        .record(&NewConversation::pasted(BARGAIN), &result, "v9", NOW + 99)
        .unwrap();
    let after = store.conversation(id).unwrap();
    assert_eq!(
        after.record.labels.motives,
        vec![Label::Practical],
        "corrections survive re-runs"
    );
    let examples = store.reviewed_examples().unwrap();
    assert_eq!(examples.len(), 1);
    assert_eq!(examples[0].labels.intent, "info_seeker");
    // A label of the wrong axis and an unknown conversation are refused.
    let wrong = Correction {
        motives: Some(vec![Label::Novice]),
        who: "x".into(),
        ..Default::default()
    };
    assert!(store.correct(id, &wrong, NOW).is_err());
    let nobody = Correction {
        intent: Some(Label::Shopper),
        who: "x".into(),
        ..Default::default()
    };
    assert!(matches!(
        store.correct(999, &nobody, NOW),
        Err(Error::Store(StoreError::NotFound { .. }))
    ));
}

// Reports count conversations per label, agent and day, corrections included.
#[test]
fn stats_count_labels_agents_and_days() {
    let mut store = Store::open_in_memory().unwrap();
    let c = classifier();
    for (text, agent, day) in [
        (BARGAIN, "小雅", 0),
        (SAFETY, "小雅", 1),
        (AGENCY, "阿杰", 1),
    ] {
        let mut conversation = NewConversation::pasted(text);
        conversation.agent = Some(agent.into());
        conversation.chat_at = Some(NOW + day * 86_400);
        store
            .record(&conversation, &c.classify(text).unwrap(), "v", NOW)
            .unwrap();
    }
    let stats = store.stats(&StatsFilter::default()).unwrap();
    assert_eq!(stats.conversations, 3);
    let count = |stats: &buyerlens_core::store::Stats, label: Label| {
        stats.labels.iter().find(|l| l.code == label).unwrap().count
    };
    assert_eq!(count(&stats, Label::Bargain), 1);
    assert_eq!(count(&stats, Label::NonBuyer), 1);
    assert_eq!(stats.agents[0].agent, "小雅");
    assert_eq!(stats.agents[0].conversations, 2);
    assert_eq!(stats.days.len(), 2);
    assert_eq!(stats.days.iter().map(|d| d.conversations).sum::<u64>(), 3);
    let one_day = store
        .stats(&StatsFilter {
            from: Some(NOW + 86_400),
            to: Some(NOW + 86_400),
            agent: None,
        })
        .unwrap();
    assert_eq!(one_day.conversations, 2);
    let id = store
        .history(&HistoryFilter::default())
        .unwrap()
        .last()
        .unwrap()
        .id;
    let correction = Correction {
        motives: Some(vec![]),
        who: "x".into(),
        ..Default::default()
    };
    store.correct(id, &correction, NOW).unwrap();
    let after = store.stats(&StatsFilter::default()).unwrap();
    assert_eq!(
        count(&after, Label::Bargain),
        0,
        "counts follow corrections"
    );
    assert_eq!(after.corrected, 1);
}

// The default pack is large, valid and covers every motive, topic and buyer kind.
#[test]
fn default_templates_cover_the_taxonomy() {
    let mut store = Store::open_in_memory().unwrap();
    let installed = store
        .install_default_templates(NOW)
        .unwrap()
        .expect("first install");
    assert!(
        installed.added >= 60,
        "at least 60 templates, got {}",
        installed.added
    );
    assert_eq!(
        store.install_default_templates(NOW).unwrap(),
        None,
        "installed once only"
    );
    let templates = store.templates(false).unwrap();
    for &label in Label::ALL {
        if label == Label::ExperienceUnknown {
            continue;
        }
        assert!(
            templates.iter().any(|t| t.tags.contains(&label)),
            "no template answers {}",
            label.code()
        );
    }
    for t in &templates {
        assert!(suggest::check_placeholders(&t.body).is_ok(), "{}", t.title);
    }
}

// Suggestions answer the buyer's question first, fill placeholders, and vary.
#[test]
fn suggestions_fit_the_buyer() {
    let mut store = Store::open_in_memory().unwrap();
    store.install_default_templates(NOW).unwrap();
    let templates = store.templates(false).unwrap();
    let c = classifier();
    let result = c
        .classify("买家：这条碎花连衣裙什么时候发货 急用 今天能发吗")
        .unwrap();
    let context = FillContext::from_classification(&result);
    let picks = suggest::suggest(&templates, &result, &context, 5);
    assert_eq!(picks.len(), 5);
    let tagged = |id: i64, label: Label| {
        templates
            .iter()
            .find(|t| t.id == id)
            .unwrap()
            .tags
            .contains(&label)
    };
    assert!(
        tagged(picks[0].id, Label::Shipping),
        "the shipping question is answered first"
    );
    assert!(
        picks.iter().all(|p| !p.text.contains('{')),
        "placeholders are filled"
    );
    let agency = c.classify(AGENCY).unwrap();
    let picks = suggest::suggest(&templates, &agency, &FillContext::default(), 3);
    assert!(
        tagged(picks[0].id, Label::NonBuyer),
        "a non-buyer gets a quick polite reply"
    );
    let novice_only = templates
        .iter()
        .filter(|t| t.tags == vec![Label::Novice])
        .count();
    assert!(novice_only > 0);
    let experienced = c
        .classify("买家：拍下了 改价 备注了 有运费险吧 三心买家")
        .unwrap();
    if experienced.experience.code == Label::Experienced {
        let picks = suggest::suggest(&templates, &experienced, &FillContext::default(), 8);
        assert!(
            picks.iter().all(|p| !tagged(p.id, Label::Novice)),
            "novice guidance is not offered to an experienced buyer"
        );
    }
}

// Templates are edited, validated, counted when used, and round-trip as a pack.
#[test]
fn templates_edit_use_and_round_trip() {
    let mut store = Store::open_in_memory().unwrap();
    let draft = TemplateDraft {
        key: Some("my-coupon".into()),
        title: "领券".into(),
        body: "{买家}您好，首页领券更划算".into(),
        tags: vec![Label::Bargain],
        group: "优惠".into(),
        shortcut: Some("/q".into()),
        enabled: true,
    };
    let id = store.add_template(&draft, NOW).unwrap();
    let bad = TemplateDraft {
        body: "{订单号}已发".into(),
        ..draft.clone()
    };
    let err = store.add_template(&bad, NOW).unwrap_err().to_string();
    assert!(
        err.contains("{订单号}"),
        "an unknown placeholder is named: {err}"
    );
    let conversation = record(&mut store, BARGAIN);
    store
        .record_template_use(id, Some(conversation), NOW + 1)
        .unwrap();
    store.record_template_use(id, None, NOW + 2).unwrap();
    let used = store.template(id).unwrap();
    assert_eq!(used.use_count, 2);
    assert_eq!(used.last_used_at, Some(NOW + 2));
    assert_eq!(
        store.template_uses(conversation).unwrap(),
        vec![(id, NOW + 1)]
    );
    let edited = TemplateDraft {
        title: "领券下单".into(),
        ..draft.clone()
    };
    store.update_template(id, &edited, NOW + 3).unwrap();
    assert_eq!(
        store.template(id).unwrap().use_count,
        2,
        "editing keeps the counts"
    );
    let pack =
        buyerlens_core::store::pack_to_toml(&[TemplateDraft::from(&store.template(id).unwrap())]);
    let parsed = buyerlens_core::store::parse_pack(&pack).unwrap();
    assert_eq!(parsed[0], edited);
    let outcome = store.import_templates(&parsed, NOW + 4).unwrap();
    assert_eq!(
        (outcome.added, outcome.updated),
        (0, 1),
        "a known key updates"
    );
    store.delete_template(id).unwrap();
    assert!(store.template(id).is_err());
}

// Lexicon versions: saved only when valid, in force until reset.
#[test]
fn lexicon_versions_and_reset() {
    let mut store = Store::open_in_memory().unwrap();
    let default = Lexicon::default_lexicon();
    assert_eq!(store.active_lexicon().unwrap().version, default.version);
    let mut edited = default.clone();
    edited.version = "shop-edit-1".into();
    store
        .save_lexicon(&edited.to_toml(), Some("加了词"), NOW)
        .unwrap();
    assert_eq!(store.active_lexicon().unwrap().version, "shop-edit-1");
    assert!(store.save_lexicon("this is not toml [", None, NOW).is_err());
    assert_eq!(
        store.active_lexicon().unwrap().version,
        "shop-edit-1",
        "a bad file changes nothing"
    );
    store.reset_lexicon().unwrap();
    assert_eq!(store.active_lexicon().unwrap().version, default.version);
    assert_eq!(
        store.lexicon_versions().unwrap().len(),
        1,
        "versions are kept after a reset"
    );
}

// A file that is not ours, is damaged, or is newer is refused and left byte-for-byte alone.
#[test]
fn foreign_corrupt_and_newer_files_are_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let text_file = dir.path().join("notes.sqlite");
    std::fs::write(&text_file, "这不是数据库".repeat(500)).unwrap();
    let before = std::fs::read(&text_file).unwrap();
    let err = Store::open(&text_file).unwrap_err();
    assert!(
        matches!(err, Error::Store(StoreError::Foreign { .. })),
        "{err}"
    );
    assert_eq!(
        std::fs::read(&text_file).unwrap(),
        before,
        "a foreign file must not be touched"
    );

    // An SQLite file with tables that BuyerLens did not mark as its own.
    let other_app = dir.path().join("other.sqlite");
    drop(Store::open(&other_app).unwrap());
    set_header(&other_app, APPLICATION_ID_OFFSET, 0);
    let before = std::fs::read(&other_app).unwrap();
    let err = Store::open(&other_app).unwrap_err();
    assert!(
        matches!(err, Error::Store(StoreError::Foreign { .. })),
        "{err}"
    );
    assert_eq!(std::fs::read(&other_app).unwrap(), before);

    let newer = dir.path().join("newer.sqlite");
    {
        let mut store = Store::open(&newer).unwrap();
        store.set_setting("x", "y").unwrap();
    }
    set_header(&newer, USER_VERSION_OFFSET, (SCHEMA_VERSION + 1) as u32);
    let before = std::fs::read(&newer).unwrap();
    let err = Store::open(&newer).unwrap_err();
    assert!(
        matches!(err, Error::Store(StoreError::NewerSchema { .. })),
        "{err}"
    );
    assert!(err.to_string().contains("update BuyerLens"));
    assert_eq!(std::fs::read(&newer).unwrap(), before);

    let damaged = dir.path().join("damaged.sqlite");
    {
        let mut store = Store::open(&damaged).unwrap();
        let c = classifier();
        let items: Vec<_> = (0..200)
            .map(|i| {
                let text = format!("买家：第{i}次问 有货吗 包邮吗 这款质量怎么样");
                let result = c.classify(&text).unwrap();
                (NewConversation::pasted(text), result)
            })
            .collect();
        store
            .record_batch(&items, c.lexicon_version(), NOW)
            .unwrap();
    }
    let mut bytes = std::fs::read(&damaged).unwrap();
    // Scribble over pages past the header and schema.
    for b in bytes.iter_mut().skip(3 * 4096).take(8 * 4096) {
        *b = 0x5A;
    }
    std::fs::write(&damaged, &bytes).unwrap();
    let err = Store::open(&damaged).unwrap_err();
    assert!(
        matches!(err, Error::Store(StoreError::Corrupt { .. })),
        "{err}"
    );
    assert_eq!(
        std::fs::read(&damaged).unwrap(),
        bytes,
        "a damaged file must not be touched"
    );
}

/// Offsets of header fields in the SQLite file format.
const USER_VERSION_OFFSET: usize = 60;
const APPLICATION_ID_OFFSET: usize = 68;

/// Rewrites a 4-byte header field of a closed database file.
fn set_header(path: &std::path::Path, offset: usize, value: u32) {
    let mut bytes = std::fs::read(path).unwrap();
    bytes[offset..offset + 4].copy_from_slice(&value.to_be_bytes());
    std::fs::write(path, bytes).unwrap();
}

// A backup restores the data; the replaced file is kept aside, not deleted.
#[test]
fn backup_and_restore_keep_everything() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("history.sqlite");
    let backup = dir.path().join("backup.sqlite");
    {
        let mut store = Store::open(&db).unwrap();
        record(&mut store, BARGAIN);
        store.backup_to(&backup).unwrap();
        record(&mut store, SAFETY);
    }
    let kept = Store::restore(&db, &backup, NOW)
        .unwrap()
        .expect("the old file is kept");
    let restored = Store::open(&db).unwrap();
    assert_eq!(restored.conversation_count().unwrap(), 1);
    restored.check_integrity().unwrap();
    let old = Store::open(&kept).unwrap();
    assert_eq!(
        old.conversation_count().unwrap(),
        2,
        "the replaced database is intact"
    );
    // A broken backup is refused before anything is moved.
    let broken = dir.path().join("broken.sqlite");
    std::fs::write(&broken, b"not a backup").unwrap();
    assert!(Store::restore(&db, &broken, NOW + 1).is_err());
    assert_eq!(Store::open(&db).unwrap().conversation_count().unwrap(), 1);
    // Rolling automatic backups keep the newest few.
    let limits = buyerlens_core::store::BackupLimits {
        keep: 2,
        ..Default::default()
    };
    for i in 0..4 {
        restored.backup_rolling(&limits, NOW + i).unwrap();
    }
    assert_eq!(
        buyerlens_core::store::automatic_backups(&db).unwrap().len(),
        2
    );
}

// Exports open in Excel/WPS: a BOM'd CSV with a header and one row per conversation.
#[test]
fn export_writes_csv_and_xlsx() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_in_memory().unwrap();
    record(&mut store, BARGAIN);
    record(&mut store, SAFETY);
    let csv = dir.path().join("r.csv");
    assert_eq!(
        store.export_csv(&HistoryFilter::default(), &csv).unwrap(),
        2
    );
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(
        text.starts_with('\u{feff}'),
        "Excel needs the BOM to read UTF-8"
    );
    assert_eq!(text.lines().count(), 3);
    assert!(text.contains("求廉") && text.contains("求安"));
    let xlsx = dir.path().join("r.xlsx");
    let filter = HistoryFilter {
        labels: vec![Label::Safety],
        ..Default::default()
    };
    assert_eq!(store.export_xlsx(&filter, &xlsx).unwrap(), 1);
    assert!(
        std::fs::read(&xlsx).unwrap().starts_with(b"PK"),
        "an xlsx is a zip"
    );
}

// The CLI opening a database of an older version says that it upgrades it
// and where the copy of the old file goes, then works on it; the next
// command says nothing of the kind.
#[test]
fn cli_says_it_upgrades_an_older_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("history.sqlite");
    crate::schema3::write_schema_3(&db);
    let db_arg = db.to_str().unwrap();
    let first = crate::util::buyerlens(
        &["history", "--db", db_arg, "--motive", "bargain", "--json"],
        b"",
    );
    assert!(first.status.success(), "{}", crate::util::describe(&first));
    let said = String::from_utf8_lossy(&first.stderr);
    assert!(said.contains("upgrading the database"), "{said}");
    assert!(said.contains("backups"), "{said}");
    let rows: serde_json::Value = serde_json::from_slice(&first.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 1, "{rows}");
    assert!(dir
        .path()
        .join("backups/buyerlens-before-migration-history-v3.sqlite")
        .exists());

    let again = crate::util::buyerlens(&["stats", "--db", db_arg, "--json"], b"");
    assert!(again.status.success(), "{}", crate::util::describe(&again));
    assert!(!String::from_utf8_lossy(&again.stderr).contains("upgrading"));
}
