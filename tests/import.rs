//! Import through the core and the CLI: files and folders, de-duplication,
//! broken files, cancellation, and a real process killed mid-import.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use buyerlens_core::import::{import_paths, ImportOptions, ProblemKind};
use buyerlens_core::store::synthetic;
use buyerlens_core::{Classifier, Lexicon, Store};

use crate::util::{buyerlens, describe};

const NOW: i64 = 1_750_000_000;

fn classifier() -> Classifier {
    Classifier::new(&Lexicon::default_lexicon()).unwrap()
}

/// Writes `count` distinct synthetic chats as JSONL.
fn write_jsonl(path: &Path, first: usize, count: usize) {
    let mut rng = synthetic::Rng::new(first as u64);
    let mut out = String::new();
    for i in first..first + count {
        let (conversation, _) = synthetic::conversation(&mut rng, i, NOW);
        out.push_str(&serde_json::json!({"id": i, "text": conversation.text}).to_string());
        out.push('\n');
    }
    std::fs::write(path, out).unwrap();
}

// A folder of mixed files imports; bad files are reported, the rest go on; a re-run adds nothing.
#[test]
fn folder_import_reports_and_deduplicates() {
    let dir = tempfile::tempdir().unwrap();
    let chats = dir.path().join("chats");
    std::fs::create_dir(&chats).unwrap();
    write_jsonl(&chats.join("a.jsonl"), 0, 30);
    std::fs::write(
        chats.join("b.txt"),
        "买家：有货吗\n客服：有的\n\n\n买家：包邮吗 能便宜点吗\n客服：包邮的\n-----\n买家：怎么付款\n",
    )
    .unwrap();
    let (gbk, _, _) = encoding_rs::GBK.encode("时间,发送方,接收方,内容\n2024-05-01 10:00:00,tb_a,店:小雅,这个安全吗\n2024-05-01 10:01:00,店:小雅,tb_a,安全的\n");
    std::fs::write(chats.join("c.csv"), gbk).unwrap();
    std::fs::write(chats.join("d.csv"), "id,text\n1,\"买家：在吗\n").unwrap();
    std::fs::write(chats.join("e.xlsx"), b"PK\x03\x04 not really a workbook").unwrap();
    std::fs::write(chats.join("skip.png"), b"\x89PNG").unwrap();
    std::fs::write(chats.join("f.txt"), b"").unwrap();
    std::fs::write(chats.join("g.txt"), " \n\t\n\u{3000}\n").unwrap();
    // A chat whose last character is cut off half-way.
    let mut cut = "买家：这件毛衣起球吗\n客服：不起球\n买家：好"
        .as_bytes()
        .to_vec();
    cut.pop();
    std::fs::write(chats.join("h.txt"), cut).unwrap();
    std::fs::write(
        chats.join("i.jsonl"),
        "{oops\n{\"id\": 1, \"text\": \"买家：这双鞋偏码吗\\n客服：正码\"}\n",
    )
    .unwrap();
    let mut store = Store::open_in_memory().unwrap();
    let cancel = AtomicBool::new(false);
    let mut calls = 0;
    let summary = import_paths(
        &mut store,
        &classifier(),
        std::slice::from_ref(&chats),
        &ImportOptions {
            batch_size: Some(7),
            ..Default::default()
        },
        NOW,
        &cancel,
        &mut |_| calls += 1,
    )
    .unwrap();
    assert_eq!(
        summary.conversations_added,
        30 + 3 + 1 + 1 + 1,
        "{summary:?}"
    );
    assert_eq!(
        summary.files, 9,
        "nine supported files were read (two broken, two without a chat)"
    );
    assert_eq!(summary.errors.len(), 6, "{:?}", summary.errors);
    let said = |file: &str, kind: ProblemKind, words: &str| {
        summary
            .errors
            .iter()
            .any(|e| e.path.ends_with(file) && e.kind == kind && e.message.contains(words))
    };
    assert!(said("d.csv", ProblemKind::Broken, "line 2"));
    assert!(said(
        "e.xlsx",
        ProblemKind::Broken,
        "not a readable spreadsheet"
    ));
    assert!(said("f.txt", ProblemKind::NoChat, "no chat in this file"));
    assert!(said("g.txt", ProblemKind::NoChat, "no chat in this file"));
    assert!(said("i.jsonl", ProblemKind::Skipped, "line 1"));
    assert!(
        said("h.txt", ProblemKind::Damaged, "not valid UTF-8"),
        "the chat is stored, with a warning"
    );
    for e in &summary.errors {
        // The app shows the file beside the message.
        assert!(!e.message.contains(&e.path), "the file named twice: {e:?}");
    }
    assert!(calls > 5, "progress is reported as the import goes");
    let again = import_paths(
        &mut store,
        &classifier(),
        &[chats],
        &ImportOptions::default(),
        NOW,
        &cancel,
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(again.conversations_added, 0, "a re-run adds nothing");
    assert_eq!(again.duplicates, 36);
}

// A chat repeated in the same batch, in the batch being written beside it
// and in an earlier one is stored once and counted a duplicate each other
// time, in a file and in memory; a re-run finds them all stored.
#[test]
fn repeats_across_batches_are_stored_once() {
    let dir = tempfile::tempdir().unwrap();
    let once = dir.path().join("once.jsonl");
    write_jsonl(&once, 500, 30);
    let lines: Vec<String> = std::fs::read_to_string(&once)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    // 30 chats, then each again: 7 a batch puts repeats in the same, the
    // next and later batches.
    let mut repeated = lines.clone();
    repeated.extend(lines.iter().step_by(2).cloned());
    repeated.extend(lines.iter().skip(1).step_by(2).rev().cloned());
    let file = dir.path().join("repeated.jsonl");
    std::fs::write(&file, repeated.join("\n") + "\n").unwrap();
    let options = ImportOptions {
        batch_size: Some(7),
        ..Default::default()
    };
    let cancel = AtomicBool::new(false);
    for mut store in [
        Store::open(dir.path().join("history.sqlite")).unwrap(),
        Store::open_in_memory().unwrap(),
    ] {
        let run = |store: &mut Store| {
            import_paths(
                store,
                &classifier(),
                std::slice::from_ref(&file),
                &options,
                NOW,
                &cancel,
                &mut |_| {},
            )
            .unwrap()
        };
        let first = run(&mut store);
        assert_eq!(
            (first.conversations_added, first.duplicates),
            (30, 30),
            "{first:?}"
        );
        assert_eq!(store.conversation_count().unwrap(), 30);
        let again = run(&mut store);
        assert_eq!((again.conversations_added, again.duplicates), (0, 60));
    }
}

// What an import stores reads back as the classifier's own result, its
// evidence naming the rules in full (they are stored by number).
#[test]
fn imported_results_read_back_whole() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("chats.jsonl");
    write_jsonl(&file, 900, 12);
    let mut store = Store::open_in_memory().unwrap();
    store.set_masks_personal_data(false).unwrap();
    let classifier = classifier();
    let summary = import_paths(
        &mut store,
        &classifier,
        &[file],
        &ImportOptions::default(),
        NOW,
        &AtomicBool::new(false),
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(summary.conversations_added, 12, "{summary:?}");
    let filter = buyerlens_core::store::HistoryFilter {
        limit: 50,
        ..Default::default()
    };
    let mut evidence = 0;
    for record in store.history(&filter).unwrap() {
        let detail = store.conversation(record.id).unwrap();
        let stored = detail.classification.expect("a result");
        let fresh = classifier.classify(&detail.text).unwrap();
        evidence += fresh.scores().map(|s| s.evidence.len()).sum::<usize>();
        assert_eq!(stored, fresh, "conversation {}", record.id);
    }
    assert!(evidence > 12, "the chats give evidence ({evidence})");
}

// Cancelling stops before the next batch and keeps the committed ones.
#[test]
fn cancel_keeps_committed_batches() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("many.jsonl");
    write_jsonl(&file, 100, 50);
    let mut store = Store::open_in_memory().unwrap();
    let cancel = AtomicBool::new(false);
    let summary = import_paths(
        &mut store,
        &classifier(),
        &[file],
        &ImportOptions {
            batch_size: Some(10),
            ..Default::default()
        },
        NOW,
        &cancel,
        &mut |p| {
            if p.conversations_added >= 20 {
                cancel.store(true, Ordering::Relaxed);
            }
        },
    )
    .unwrap();
    assert!(summary.cancelled);
    assert_eq!(summary.conversations_added, 20);
    assert_eq!(
        store.conversation_count().unwrap(),
        20,
        "exactly the committed batches remain"
    );
}

/// Starts `buyerlens import --json --batch <batch>` of `total` generated
/// chats in a child process and returns once `at_least` conversations are
/// committed (the child still running).
#[cfg(unix)]
fn import_running_past(
    dir: &Path,
    total: usize,
    batch: usize,
    at_least: u64,
) -> (std::process::Child, std::path::PathBuf, std::path::PathBuf) {
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    let file = dir.join("big.jsonl");
    write_jsonl(&file, 1000, total);
    let db = dir.join("history.sqlite");
    let mut child = Command::new(env!("CARGO_BIN_EXE_buyerlens"))
        .args(["import", "--json", "--batch", &batch.to_string(), "--db"])
        .arg(&db)
        .arg(&file)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        std::thread::sleep(Duration::from_millis(50));
        let committed = Store::open(&db)
            .ok()
            .and_then(|s| s.conversation_count().ok())
            .unwrap_or(0);
        if committed >= at_least {
            return (child, db, file);
        }
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "the import never committed {at_least} conversations"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "the import finished before it could be stopped"
        );
    }
}

// Ctrl-C (SIGINT) stops an import after the batch being written: the
// summary says cancelled, exactly the committed batches are stored, the
// exit code is 130.
#[cfg(unix)]
#[test]
fn ctrl_c_cancels_an_import_keeping_whole_batches() {
    let dir = tempfile::tempdir().unwrap();
    let (total, batch) = (3000, 100);
    let (child, db, _) = import_running_past(dir.path(), total, batch, batch as u64);
    let sent = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(130), "{}", describe(&output));
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(summary["cancelled"], true);
    assert!(String::from_utf8_lossy(&output.stderr).contains("import cancelled"));
    let store = Store::open(&db).unwrap();
    store.check_integrity().unwrap();
    let kept = store.conversation_count().unwrap();
    assert_eq!(summary["conversations_added"].as_u64(), Some(kept));
    assert!(kept < total as u64, "cancelled mid-way: {kept} of {total}");
    assert_eq!(kept % batch as u64, 0, "only whole batches: {kept}");
}

// A real import process killed with SIGKILL leaves a sound database holding
// whole batches, and a re-run completes it without duplicates.
#[cfg(unix)]
#[test]
fn sigkill_mid_import_loses_nothing_committed() {
    let dir = tempfile::tempdir().unwrap();
    let (total, batch) = (3000, 100);
    // Wait until some batches are committed, then kill without warning.
    let (mut child, db, file) = import_running_past(dir.path(), total, batch, 2 * batch as u64);
    child.kill().unwrap(); // SIGKILL on unix
    child.wait().unwrap();

    let store = Store::open(&db).expect("the database opens after a crash");
    store
        .check_integrity()
        .expect("integrity_check passes after SIGKILL");
    let kept = store.conversation_count().unwrap() as usize;
    assert!(
        kept > 0 && kept < total,
        "killed mid-way: {kept} of {total}"
    );
    assert_eq!(kept % batch, 0, "only whole batches are committed: {kept}");
    // Every stored conversation has its classification and labels.
    let detail = store.conversation(kept as i64).unwrap();
    assert!(detail.classification.is_some() && detail.record.labels.intent.is_some());
    drop(store);

    let output = buyerlens(
        &[
            "import",
            "--json",
            "--db",
            db.to_str().unwrap(),
            file.to_str().unwrap(),
        ],
        b"",
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(summary["duplicates"].as_u64().unwrap() as usize, kept);
    assert_eq!(
        summary["conversations_added"].as_u64().unwrap() as usize,
        total - kept
    );
    let store = Store::open(&db).unwrap();
    assert_eq!(
        store.conversation_count().unwrap() as usize,
        total,
        "no duplicates after the re-run"
    );
    store.check_integrity().unwrap();
}

// Small files share transactions: a folder of one-chat files is written
// in batches across files, every file is counted once its chats are
// stored, and progress only moves forward.
#[test]
fn small_files_share_batches() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..25 {
        std::fs::write(
            dir.path().join(format!("chat{i:02}.txt")),
            format!("买家：第{i}件有货吗 包邮吗\n客服：有的亲"),
        )
        .unwrap();
    }
    let mut store = Store::open_in_memory().unwrap();
    let mut seen = Vec::new();
    let summary = import_paths(
        &mut store,
        &classifier(),
        &[dir.path().to_path_buf()],
        &ImportOptions {
            batch_size: Some(10),
            ..Default::default()
        },
        NOW,
        &AtomicBool::new(false),
        &mut |p| seen.push((p.files_done, p.conversations_added)),
    )
    .unwrap();
    assert_eq!(
        (summary.files, summary.conversations_added),
        (25, 25),
        "{summary:?}"
    );
    assert!(summary.errors.is_empty(), "{:?}", summary.errors);
    assert_eq!(store.conversation_count().unwrap(), 25);
    let added: Vec<usize> = seen.iter().map(|&(_, added)| added).collect();
    assert!(added.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
    assert!(seen.windows(2).all(|w| w[0].0 <= w[1].0), "{seen:?}");
    let mut steps = added.clone();
    steps.dedup();
    assert_eq!(
        steps,
        [0, 10, 20, 25],
        "one transaction per 10 chats: {seen:?}"
    );
    assert_eq!(seen.last(), Some(&(25, 25)));
}
