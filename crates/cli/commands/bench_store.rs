//! `buyerlens bench --store`: the store's figures with a large database —
//! history pages, full-text search, reports, open time, and import speed.
//!
//! The database (`--db`, else `buyerlens-bench-store.sqlite` in the temp
//! directory) is filled once with synthetic conversations through the
//! real write path and reused by later runs.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use anyhow::Context;
use buyerlens_core::import::{self, ImportOptions};
use buyerlens_core::store::{synthetic, Correction, HistoryFilter, StatsFilter};
use buyerlens_core::{Label, Store};
use serde::Serialize;

use crate::{db, input};

#[derive(Debug, Serialize)]
struct Figure {
    name: String,
    median_ms: f64,
    p95_ms: f64,
    rows: usize,
}

#[derive(Debug, Serialize)]
struct Figures {
    conversations: u64,
    db_bytes: u64,
    generated: usize,
    generate_per_s: Option<f64>,
    open_ms: f64,
    queries: Vec<Figure>,
    import_conversations: usize,
    import_per_s: f64,
    /// A year's backlog into the large database.
    import_into_large_per_s: f64,
    /// A week of new chats into the large database.
    import_recent_into_large_per_s: f64,
}

/// Times `work` `runs` times (after one warm-up); median and p95 in ms.
fn measure(
    name: &str,
    runs: usize,
    mut work: impl FnMut() -> anyhow::Result<usize>,
) -> anyhow::Result<Figure> {
    let rows = work()?;
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        work()?;
        times.push(start.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    Ok(Figure {
        name: name.into(),
        median_ms: at(0.5),
        p95_ms: at(0.95),
        rows,
    })
}

pub fn run(
    rows: usize,
    db_flag: Option<&Path>,
    json: bool,
    lexicon: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    let path: PathBuf = db_flag
        .map(Path::to_path_buf)
        .unwrap_or_else(|| std::env::temp_dir().join("buyerlens-bench-store.sqlite"));
    let now = db::now();
    let mut store = Store::open(&path).with_context(|| format!("opening {}", path.display()))?;
    let have = usize::try_from(store.conversation_count()?).unwrap_or(0);
    let mut generate_per_s = None;
    let mut generated = 0;
    if have < rows {
        generated = rows - have;
        eprintln!(
            "generating {generated} conversations in {} …",
            path.display()
        );
        let start = Instant::now();
        synthetic::fill(&mut store, have, generated, 10_000, now, &mut |done| {
            if done % 100_000 == 0 {
                eprintln!("  {done}");
            }
        })?;
        generate_per_s = Some(generated as f64 / start.elapsed().as_secs_f64());
        // Some corrections, so the --corrected filter has something to find.
        let mut rng = synthetic::Rng::new(7);
        for _ in 0..2000 {
            let id = 1 + rng.below(rows) as i64;
            let correction = Correction {
                motives: Some(vec![Label::Bargain]),
                who: "bench".into(),
                ..Default::default()
            };
            store.correct(id, &correction, now)?;
        }
    }
    drop(store);

    let start = Instant::now();
    let store = Store::open(&path)?;
    let open_ms = start.elapsed().as_secs_f64() * 1e3;
    let conversations = store.conversation_count()?;
    let runs = 15;
    let mut queries = Vec::new();
    let page = |filter: HistoryFilter| {
        let store = &store;
        move || -> anyhow::Result<usize> { Ok(store.history(&filter)?.len()) }
    };
    let month = (now - 60 * 86_400, now - 30 * 86_400);
    queries.push(measure(
        "history: newest page",
        runs,
        page(HistoryFilter::default()),
    )?);
    queries.push(measure(
        "history: motive 求安 + one month",
        runs,
        page(HistoryFilter {
            labels: vec![Label::Safety],
            from: Some(month.0),
            to: Some(month.1),
            ..Default::default()
        }),
    )?);
    queries.push(measure(
        "history: agent + topic 退换货 + non_buyer",
        runs,
        page(HistoryFilter {
            agent: Some("小雅".into()),
            labels: vec![Label::Returns, Label::NonBuyer],
            ..Default::default()
        }),
    )?);
    queries.push(measure(
        "history: corrected",
        runs,
        page(HistoryFilter {
            corrected: Some(true),
            ..Default::default()
        }),
    )?);
    queries.push(measure(
        "history: page at offset 10000",
        runs,
        page(HistoryFilter {
            offset: 10_000,
            ..Default::default()
        }),
    )?);
    queries.push(measure(
        "search: rare nickname",
        runs,
        page(HistoryFilter {
            search: Some("tb_0123456".into()),
            ..Default::default()
        }),
    )?);
    queries.push(measure(
        "search: rare order number",
        runs,
        page(HistoryFilter {
            search: Some("100654321".into()),
            ..Default::default()
        }),
    )?);
    queries.push(measure(
        "search: common 3 chars 运费险",
        runs,
        page(HistoryFilter {
            search: Some("运费险".into()),
            ..Default::default()
        }),
    )?);
    queries.push(measure(
        "search: 2 chars 代理",
        runs,
        page(HistoryFilter {
            search: Some("代理".into()),
            ..Default::default()
        }),
    )?);
    queries.push(measure(
        "search: 运费险 + motive 求廉 + one month",
        runs,
        page(HistoryFilter {
            search: Some("运费险".into()),
            labels: vec![Label::Bargain],
            from: Some(month.0),
            to: Some(month.1),
            ..Default::default()
        }),
    )?);
    queries.push(measure("stats: everything", runs, || {
        Ok(store.stats(&StatsFilter::default())?.labels.len())
    })?);
    queries.push(measure("stats: one agent, one month", runs, || {
        let filter = StatsFilter {
            from: Some(month.0),
            to: Some(month.1),
            agent: Some("阿杰".into()),
        };
        Ok(store.stats(&filter)?.days.len())
    })?);
    queries.push(measure("conversation detail", runs, || {
        Ok(store.conversation(conversations as i64 / 2)?.text.len())
    })?);
    drop(store);

    // Import: real files through decode, split, classify and store. Two
    // sets: a year's backlog (days spread over the whole large database,
    // so its time-ordered indexes take inserts everywhere) and a week of
    // new chats (what a shop imports as it goes: inserts near the end).
    let import_count = 20_000;
    let dir = std::env::temp_dir().join(format!("buyerlens-bench-import-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let mut rng = synthetic::Rng::new(now as u64);
    let mut write_chats = |name: &str, first: usize, days: usize| -> anyhow::Result<PathBuf> {
        let file = dir.join(name);
        std::fs::write(
            &file,
            synthetic::jsonl_within(&mut rng, first, import_count, now, days),
        )?;
        Ok(file)
    };
    let backlog = write_chats("backlog.jsonl", 50_000_000, 365)?;
    let recent = write_chats("recent.jsonl", 60_000_000, 7)?;
    let classifier = input::classifier(lexicon)?;
    let cancel = AtomicBool::new(false);
    // Conversations (new or already stored) per second into `store`.
    let import_rate = |store: &mut Store, file: &Path| -> anyhow::Result<(usize, f64)> {
        let start = Instant::now();
        let summary = import::import_paths(
            store,
            &classifier,
            std::slice::from_ref(&file.to_path_buf()),
            &ImportOptions::default(),
            now,
            &cancel,
            &mut |_| {},
        )?;
        let seen = summary.conversations_added + summary.duplicates;
        Ok((
            summary.conversations_added,
            seen as f64 / start.elapsed().as_secs_f64(),
        ))
    };
    let mut fresh_store = Store::open(dir.join("fresh.sqlite"))?;
    let (import_conversations, import_per_s) = import_rate(&mut fresh_store, &backlog)?;
    drop(fresh_store);
    let mut large = Store::open(&path)?;
    let (_, import_into_large_per_s) = import_rate(&mut large, &backlog)?;
    let (_, import_recent_into_large_per_s) = import_rate(&mut large, &recent)?;
    drop(large);
    let _ = std::fs::remove_dir_all(&dir);

    let figures = Figures {
        conversations,
        db_bytes: std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0),
        generated,
        generate_per_s,
        open_ms,
        queries,
        import_conversations,
        import_per_s,
        import_into_large_per_s,
        import_recent_into_large_per_s,
    };
    if json {
        writeln!(
            std::io::stdout(),
            "{}",
            serde_json::to_string_pretty(&figures)?
        )?;
    } else {
        writeln!(
            std::io::stdout(),
            "store: {} conversations, {:.1} GB at {}",
            figures.conversations,
            figures.db_bytes as f64 / 1e9,
            path.display()
        )?;
        if let Some(rate) = figures.generate_per_s {
            writeln!(
                std::io::stdout(),
                "generated {} conversations at {rate:.0}/s",
                figures.generated
            )?;
        }
        writeln!(
            std::io::stdout(),
            "open (with checks): {:.1} ms",
            figures.open_ms
        )?;
        for q in &figures.queries {
            writeln!(
                std::io::stdout(),
                "{:<42} median {:>8.2} ms   p95 {:>8.2} ms   ({} rows)",
                q.name,
                q.median_ms,
                q.p95_ms,
                q.rows
            )?;
        }
        writeln!(
            std::io::stdout(),
            "import: {} conversations at {:.0}/s (fresh db); into the large db: \
             a year's backlog {:.0}/s, a week of new chats {:.0}/s",
            figures.import_conversations,
            figures.import_per_s,
            figures.import_into_large_per_s,
            figures.import_recent_into_large_per_s
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
