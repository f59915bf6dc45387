//! Faults, with the real CLI: SIGKILL in the middle of template and
//! lexicon saves, two processes writing one database at once, a full disk
//! during import, and a damaged or newer database file (with the restore
//! from the latest automatic backup it offers). The SIGKILL during an
//! import is in `tests/import.rs`.
#![cfg(unix)]

use std::io::Read as _;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use buyerlens_core::Store;

use crate::util::{buyerlens_env, describe};

const BIN: &str = env!("CARGO_BIN_EXE_buyerlens");

/// A shell loop running `buyerlens` `rounds` times with `args` (where `$i`
/// is the round), appending each run's stdout to `log`, in its own process
/// group so that one `kill -9` reaches the loop and the run in flight.
fn spawn_loop(db: &Path, args: &str, rounds: usize, log: &Path) -> Child {
    let script = format!(
        "i=0; while [ $i -lt {rounds} ]; do i=$((i+1)); \"{BIN}\" --db \"{db}\" {args} >> \"{log}\" 2>/dev/null || exit 3; done",
        db = db.display(),
        log = log.display()
    );
    Command::new("sh")
        .arg("-c")
        .arg(script)
        .env_remove("BUYERLENS_PIN")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .expect("sh runs")
}

/// Lines written to `log` so far.
fn lines(log: &Path) -> Vec<String> {
    let mut text = String::new();
    if let Ok(mut f) = std::fs::File::open(log) {
        let _ = f.read_to_string(&mut text);
    }
    // A line is complete only with its newline.
    let complete = text.rfind('\n').map_or("", |end| &text[..end]);
    complete.lines().map(str::to_string).collect()
}

/// Waits (polling, no time assertions) until `log` has `n` lines, then
/// kills the loop's whole process group with SIGKILL.
fn kill_after(mut child: Child, log: &Path, n: usize) {
    loop {
        if lines(log).len() >= n {
            break;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the save loop ended before it could be killed: {status}");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let group = format!("-{}", child.id());
    let killed = Command::new("kill")
        .args(["-9", "--", &group])
        .status()
        .unwrap();
    assert!(killed.success(), "kill -9 {group}");
    let _ = child.wait();
}

fn setup_db(dir: &Path) -> PathBuf {
    let db = dir.join("history.sqlite");
    let chat = dir.join("chat.txt");
    std::fs::write(&chat, "买家：能便宜点吗 包邮吗\n客服：亲，可以领券哦\n").unwrap();
    let out = buyerlens_env(
        &[
            "--db",
            db.to_str().unwrap(),
            "import",
            chat.to_str().unwrap(),
        ],
        &[],
        b"",
    );
    assert!(out.status.success(), "{}", describe(&out));
    db
}

// SIGKILL while templates are being saved: the database passes
// integrity_check, every template whose save was reported is there, whole
// (title, body and both tags), and nothing half-written is.
#[test]
fn sigkill_during_template_saves() {
    let dir = tempfile::tempdir().unwrap();
    let db = setup_db(dir.path());
    let log = dir.path().join("ids.log");
    let child = spawn_loop(
        &db,
        "templates add --title \"t$i\" --body \"body $i\" --tags bargain,shipping",
        500,
        &log,
    );
    kill_after(child, &log, 6);
    let reported: Vec<i64> = lines(&log)
        .iter()
        .map(|l| l.trim().parse().unwrap())
        .collect();

    let store = Store::open(&db).expect("the database opens after SIGKILL");
    store
        .check_integrity()
        .expect("integrity_check passes after SIGKILL");
    let templates = store.templates(true).unwrap();
    let ours: Vec<_> = templates
        .iter()
        .filter(|t| t.title.starts_with('t'))
        .collect();
    for id in &reported {
        assert!(
            ours.iter().any(|t| t.id == *id),
            "template {id} was reported saved and must be there"
        );
    }
    assert!(
        ours.len() <= reported.len() + 1,
        "at most the save in flight may have committed unreported"
    );
    for t in &ours {
        let i = &t.title[1..];
        assert_eq!(t.body, format!("body {i}"), "a whole template: {t:?}");
        assert_eq!(t.tags.len(), 2, "both tags or none: {t:?}");
    }
    // And the app's and CLI's next run works.
    drop(store);
    let out = buyerlens_env(
        &["--db", db.to_str().unwrap(), "templates", "list"],
        &[],
        b"",
    );
    assert!(out.status.success(), "{}", describe(&out));
}

// SIGKILL while lexicon versions are being saved: integrity_check passes,
// every reported version is stored, exactly one is in force, and it loads.
#[test]
fn sigkill_during_lexicon_saves() {
    let dir = tempfile::tempdir().unwrap();
    let db = setup_db(dir.path());
    let lexicon = dir.path().join("lexicon.toml");
    std::fs::write(&lexicon, buyerlens_core::lexicon::DEFAULT_LEXICON).unwrap();
    let log = dir.path().join("saved.log");
    let child = spawn_loop(
        &db,
        &format!("lexicon import \"{}\" --note \"n$i\"", lexicon.display()),
        500,
        &log,
    );
    kill_after(child, &log, 3);
    let reported = lines(&log).len();

    let store = Store::open(&db).expect("the database opens after SIGKILL");
    store
        .check_integrity()
        .expect("integrity_check passes after SIGKILL");
    let versions = store.lexicon_versions().unwrap();
    assert!(
        versions.len() >= reported && versions.len() <= reported + 1,
        "{} stored, {reported} reported",
        versions.len()
    );
    let active = store
        .active_lexicon_version()
        .unwrap()
        .expect("one lexicon in force");
    assert_eq!(
        active.source,
        buyerlens_core::lexicon::DEFAULT_LEXICON,
        "whole, not cut"
    );
    buyerlens_core::Classifier::new(&store.active_lexicon().unwrap()).expect("it compiles");
}

// An import and, at the same time, template adds and corrections from other
// processes on the same database: all finish, none reports "database is
// locked", and everything each wrote is there.
#[test]
fn two_processes_write_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = setup_db(dir.path());
    let dbs = db.to_str().unwrap().to_string();
    let file = dir.path().join("many.jsonl");
    let mut rng = buyerlens_core::store::synthetic::Rng::new(7);
    let mut jsonl = String::new();
    for i in 0..600 {
        let (c, _) = buyerlens_core::store::synthetic::conversation(&mut rng, i, 1_750_000_000);
        jsonl.push_str(&serde_json::json!({"id": i, "text": c.text}).to_string());
        jsonl.push('\n');
    }
    std::fs::write(&file, jsonl).unwrap();
    let import = Command::new(BIN)
        .args([
            "--db",
            &dbs,
            "import",
            "--batch",
            "20",
            file.to_str().unwrap(),
        ])
        .env_remove("BUYERLENS_PIN")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut others = Vec::new();
    for i in 0..8 {
        let title = format!("并发{i}");
        others.push(buyerlens_env(
            &[
                "--db",
                &dbs,
                "templates",
                "add",
                "--title",
                &title,
                "--body",
                "亲",
            ],
            &[],
            b"",
        ));
        let motive = if i % 2 == 0 { "bargain" } else { "safety" };
        others.push(buyerlens_env(
            &["--db", &dbs, "correct", "1", "--motives", motive],
            &[],
            b"",
        ));
    }
    let import = import.wait_with_output().unwrap();
    for out in others.iter().chain([&import]) {
        assert!(out.status.success(), "{}", describe(out));
        let all = describe(out);
        assert!(!all.contains("locked") && !all.contains("busy"), "{all}");
    }
    let store = Store::open(&db).unwrap();
    assert_eq!(store.conversation_count().unwrap(), 601);
    let titles: Vec<String> = store
        .templates(true)
        .unwrap()
        .into_iter()
        .map(|t| t.title)
        .collect();
    for i in 0..8 {
        assert!(titles.contains(&format!("并发{i}")));
    }
    store.check_integrity().unwrap();
}

/// 3,000 distinct chats as JSONL.
fn write_many(path: &Path, n: usize) {
    let mut rng = buyerlens_core::store::synthetic::Rng::new(11);
    let mut jsonl = String::new();
    for i in 0..n {
        let (c, _) =
            buyerlens_core::store::synthetic::conversation(&mut rng, 10_000 + i, 1_750_000_000);
        jsonl.push_str(&serde_json::json!({"id": i, "text": c.text}).to_string());
        jsonl.push('\n');
    }
    std::fs::write(path, jsonl).unwrap();
}

/// Checks a database after a failed import: sound, holding what it held
/// before plus whole batches only.
fn assert_intact_after_full(db: &Path, before: u64, batch: u64) {
    let store = Store::open(db).expect("the database opens after the disk filled");
    store.check_integrity().expect("integrity_check passes");
    let after = store.conversation_count().unwrap();
    assert!(after >= before, "nothing stored before was lost");
    assert_eq!(
        (after - before) % batch,
        0,
        "only whole batches: {before} → {after}"
    );
    let newest = store.history(&Default::default()).unwrap();
    let detail = store.conversation(newest[0].id).unwrap();
    assert!(
        detail.classification.is_some(),
        "the last stored chat is whole"
    );
}

// The database cannot grow (a size cap standing in for a full disk): the
// import stops with a clear "disk is full" message and exit 1, and the
// database is sound with every earlier batch.
#[test]
fn disk_full_during_import_size_capped() {
    let dir = tempfile::tempdir().unwrap();
    let db = setup_db(dir.path());
    let pages = std::fs::metadata(&db).unwrap().len() / 4096;
    let file = dir.path().join("many.jsonl");
    write_many(&file, 1500);
    let cap = (pages + 40).to_string();
    let out = buyerlens_env(
        &[
            "--db",
            db.to_str().unwrap(),
            "import",
            "--batch",
            "50",
            file.to_str().unwrap(),
        ],
        &[("BUYERLENS_TEST_MAX_PAGES", &cap)],
        b"",
    );
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let message = String::from_utf8_lossy(&out.stderr);
    assert!(
        message.contains("the disk is full") && message.contains("intact"),
        "{message}"
    );
    assert_intact_after_full(&db, 1, 50);
}

// The same on a real full filesystem: a 3 MiB tmpfs mounted for the test.
// Needs root and a working `mount` (not in every container); otherwise the
// test says why it skipped.
#[test]
fn disk_full_during_import_tmpfs() {
    let dir = tempfile::tempdir().unwrap();
    let mnt = dir.path().join("small");
    std::fs::create_dir(&mnt).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=3m", "tmpfs"])
        .arg(&mnt)
        .output();
    match mounted {
        Ok(o) if o.status.success() => {}
        Ok(o) => {
            eprintln!(
                "SKIPPED disk_full_during_import_tmpfs: mount failed (needs root and mount \
                 rights): {}",
                String::from_utf8_lossy(&o.stderr).trim()
            );
            return;
        }
        Err(e) => {
            eprintln!("SKIPPED disk_full_during_import_tmpfs: no mount command: {e}");
            return;
        }
    }
    struct Unmount(PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = Command::new("umount").arg(&self.0).status();
        }
    }
    let _guard = Unmount(mnt.clone());
    let db = setup_db(&mnt);
    // Room to free afterwards, as a user would, before checking the file.
    let filler = mnt.join("filler");
    std::fs::write(&filler, vec![0u8; 512 << 10]).unwrap();
    let file = dir.path().join("many.jsonl");
    write_many(&file, 6000);
    let out = buyerlens_env(
        &[
            "--db",
            db.to_str().unwrap(),
            "import",
            "--batch",
            "50",
            file.to_str().unwrap(),
        ],
        &[],
        b"",
    );
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let message = String::from_utf8_lossy(&out.stderr);
    assert!(message.contains("the disk is full"), "{message}");
    std::fs::remove_file(&filler).unwrap();
    let _ = std::fs::remove_dir_all(mnt.join("backups"));
    assert_intact_after_full(&db, 1, 50);
}

fn sha(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

// Commands that only read take no automatic backup (for a history of
// millions of chats it is a minute's copy before their answer); the first
// command of the day that may write takes one.
#[test]
fn only_commands_that_may_write_take_the_daily_backup() {
    let dir = tempfile::tempdir().unwrap();
    let db = setup_db(dir.path());
    let dbs = db.to_str().unwrap().to_string();
    let backups =
        || std::fs::read_dir(dir.path().join("backups")).map_or(0, |entries| entries.count());
    let csv = dir.path().join("report.csv");
    let copy = dir.path().join("copy.sqlite");
    for args in [
        vec!["history"],
        vec!["stats"],
        vec!["export", "--csv", csv.to_str().unwrap()],
        vec!["backup", copy.to_str().unwrap()],
    ] {
        let mut all = vec!["--db", &dbs];
        all.extend(&args);
        let out = buyerlens_env(&all, &[], b"");
        assert!(out.status.success(), "{args:?}: {}", describe(&out));
        assert_eq!(backups(), 0, "{args:?} only reads");
    }
    let chat = dir.path().join("chat.txt");
    let out = buyerlens_env(&["--db", &dbs, "import", chat.to_str().unwrap()], &[], b"");
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(backups(), 1, "an import may write");
}

// A damaged database and one from a newer BuyerLens: a clear message, the
// file left byte for byte as it was, and the latest automatic backup
// offered; `restore --latest` brings the data back and keeps the bad file.
#[test]
fn damaged_or_newer_file_offers_the_latest_backup() {
    for kind in ["damaged", "newer"] {
        let dir = tempfile::tempdir().unwrap();
        let db = setup_db(dir.path());
        let dbs = db.to_str().unwrap().to_string();
        // A fuller file, so a scribble lands on table pages.
        let file = dir.path().join("many.jsonl");
        write_many(&file, 300);
        let out = buyerlens_env(&["--db", &dbs, "import", file.to_str().unwrap()], &[], b"");
        assert!(out.status.success(), "{}", describe(&out));
        let backups: Vec<_> = std::fs::read_dir(dir.path().join("backups"))
            .expect("an automatic backup beside the database")
            .collect();
        assert_eq!(backups.len(), 1, "one automatic backup a day");

        let mut bytes = std::fs::read(&db).unwrap();
        if kind == "damaged" {
            for b in bytes.iter_mut().skip(3 * 4096).take(8 * 4096) {
                *b = 0x5A;
            }
        } else {
            bytes[60..64].copy_from_slice(&99u32.to_be_bytes());
        }
        std::fs::write(&db, &bytes).unwrap();
        let out = buyerlens_env(&["--db", &dbs, "history"], &[], b"");
        assert_eq!(out.status.code(), Some(2), "{kind}: {}", describe(&out));
        let message = String::from_utf8_lossy(&out.stderr);
        let says = if kind == "damaged" {
            "damaged"
        } else {
            "newer BuyerLens"
        };
        assert!(message.contains(says), "{message}");
        assert!(
            message.contains("buyerlens restore --latest") && message.contains("buyerlens-auto-"),
            "the latest automatic backup is offered: {message}"
        );
        assert_eq!(sha(&db), bytes, "{kind}: the file must not be overwritten");

        let restored = buyerlens_env(&["--db", &dbs, "restore", "--latest"], &[], b"");
        assert!(restored.status.success(), "{}", describe(&restored));
        assert!(String::from_utf8_lossy(&restored.stderr).contains("kept as"));
        let store = Store::open(&db).unwrap();
        store.check_integrity().unwrap();
        assert!(
            store.conversation_count().unwrap() >= 1,
            "the backup's data is back"
        );
        let kept: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().contains("before-restore"))
            .collect();
        assert!(!kept.is_empty(), "the bad file is kept aside");
    }
}
