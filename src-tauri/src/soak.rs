//! The load soak of issue 5 ("Load"): the app's UI-facing commands over a
//! database of a million conversations, called as the UI calls them —
//! JSON arguments through the mock runtime's IPC layer into the real
//! command functions, `AppState` and the store — with each command's
//! latency and this process's memory over a long run. The process is the
//! app's Rust side (commands, store, classifier, IPC) without the webview.
//!
//! Not part of CI: it needs a large database and takes minutes.
//! `scripts/soak.sh` runs it on a release build; environment:
//!
//! - `SOAK_DB`: the database (required; `buyerlens bench --store` makes one).
//!   Opened in place, never copied: no daily backup is taken (the state is
//!   built with `AppState::new`, not `AppState::open`), and a file whose
//!   schema is older than this build's is refused unless
//!   `SOAK_ALLOW_MIGRATION=1`, because migrating copies it aside first.
//!   The classify calls add rows with the agent `soak` (about one per 50
//!   calls), and the import adds its chats; nothing else is written.
//! - `SOAK_IMPORT`: chats in the import through `import_paths` (default
//!   20,000 synthetic chats from all over the last year; 0 skips it).
//! - `SOAK_CALLS`: calls in the memory run (default 10,000).
//! - `SOAK_RUNS`: calls per command in the latency run (default 30; a
//!   command stops early after `SOAK_BUDGET_S` seconds, default 20, with
//!   at least 3 calls).
//! - `SOAK_MAX_GROWTH_MIB`: how much the anonymous memory may grow from
//!   the first tenth of the memory run to its end (default 64).
//! - `SOAK_ONLY`: measure only the lines whose name contains this text
//!   (e.g. `count_history`); with `SOAK_CALLS=0` the memory run is skipped.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use buyerlens_core::store::{Store, SCHEMA_VERSION};
use serde_json::{json, Value};
use tauri::test::MockRuntime;
use tauri::{Manager, WebviewWindow};

use crate::tests::{invoke, mock_app};
use crate::AppState;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// `PRAGMA user_version` from the file header (bytes 60..64, big-endian),
/// read without opening the database.
fn header_user_version(path: &Path) -> std::io::Result<i64> {
    use std::io::Read as _;
    let mut header = [0u8; 64];
    std::fs::File::open(path)?.read_exact(&mut header)?;
    Ok(i64::from(u32::from_be_bytes([
        header[60], header[61], header[62], header[63],
    ])))
}

/// This process's memory from `/proc/self/status`, in KiB.
#[derive(Debug, Clone, Copy, Default)]
struct Memory {
    rss: u64,
    anon: u64,
    file: u64,
    peak: u64,
}

fn memory() -> Memory {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    Memory {
        rss: field("VmRSS:"),
        anon: field("RssAnon:"),
        file: field("RssFile:") + field("RssShmem:"),
        peak: field("VmHWM:"),
    }
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// Latencies of one command with one kind of arguments, in ms.
struct Figure {
    name: String,
    times: Vec<f64>,
    /// What the last call returned, in short (rows, a count …).
    result: String,
}

impl Figure {
    fn at(&self, q: f64) -> f64 {
        let mut sorted = self.times.clone();
        sorted.sort_by(f64::total_cmp);
        sorted[((sorted.len() - 1) as f64 * q).round() as usize]
    }

    fn line(&self) -> String {
        format!(
            "{:<58} {:>6} calls  median {:>9.2} ms  p95 {:>9.2} ms  max {:>9.2} ms  ({})",
            self.name,
            self.times.len(),
            self.at(0.5),
            self.at(0.95),
            self.at(1.0),
            self.result
        )
    }
}

/// Calls a command; a failed command fails the soak.
fn call(webview: &WebviewWindow<MockRuntime>, cmd: &str, args: Value) -> Value {
    invoke(webview, cmd, args.clone())
        .unwrap_or_else(|e| panic!("{cmd} {args} failed during the soak: {e}"))
}

/// What a call returned, in short.
fn summary(value: &Value) -> String {
    match value {
        Value::Array(items) => format!("{} items", items.len()),
        Value::Object(map) if map.contains_key("rows") => format!(
            "{} rows{}",
            map["rows"].as_array().map_or(0, Vec::len),
            if map["more"] == json!(true) {
                ", more"
            } else {
                ""
            }
        ),
        Value::Object(map) if map.contains_key("conversations") => {
            format!("{} conversations", map["conversations"])
        }
        Value::Object(map) if map.contains_key("conversationId") => {
            format!("stored as {}", map["conversationId"])
        }
        Value::Object(map) if map.contains_key("row") => {
            format!("conversation {}", map["row"]["id"])
        }
        Value::Object(map) if map.contains_key("messages") => {
            format!(
                "{} messages",
                map["messages"].as_array().map_or(0, Vec::len)
            )
        }
        other => {
            let text = other.to_string();
            text.chars().take(40).collect()
        }
    }
}

/// One kind of call in the memory run: the command and its arguments for call `i`.
type MixedCall<'a> = Box<dyn Fn(usize) -> (&'static str, Value) + 'a>;

/// A small deterministic generator (ids to open, nothing secret).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n.max(1)
    }
}

/// A 50-message Qianniu chat (25 from the buyer), as pasted; `n` makes
/// the buyer's nickname, so every paste is a new conversation (the store
/// keeps one copy of a chat pasted twice).
fn long_chat(n: usize) -> String {
    let buyer = [
        "这款连衣裙有M码吗",
        "能包邮吗？有优惠券吗",
        "会不会起球啊",
        "今天下单什么时候发货，急用",
        "好评返现吗",
    ];
    let shop = [
        "亲，有货的哦",
        "全店包邮，领券再减10元",
        "不会起球的亲",
        "下午四点前拍今天发",
        "收到满意给五星好评哦",
    ];
    let mut text = String::new();
    for i in 0..25 {
        let minute = i * 2;
        text.push_str(&format!(
            "tb_soak_{n} 2024-05-12 14:{minute:02}:01\n{}\n",
            buyer[i % buyer.len()]
        ));
        text.push_str(&format!(
            "言衣女装旗舰店:小雅 2024-05-12 14:{:02}:31\n{}\n",
            minute + 1,
            shop[i % shop.len()]
        ));
    }
    text
}

// The UI-facing commands on a million conversations: latency per command,
// and memory that stays bounded over a long run of calls. Fails when a
// command fails or the anonymous memory keeps growing.
#[test]
#[ignore = "needs a large database (SOAK_DB) and minutes: run scripts/soak.sh"]
fn soak_commands_on_a_large_database() {
    let db: PathBuf = std::env::var_os("SOAK_DB")
        .map(PathBuf::from)
        .expect("set SOAK_DB to a database (see scripts/soak.sh)");
    let version =
        header_user_version(&db).unwrap_or_else(|e| panic!("cannot read {}: {e}", db.display()));
    if version < SCHEMA_VERSION && std::env::var_os("SOAK_ALLOW_MIGRATION").is_none() {
        panic!(
            "{} has schema {version}, this build {SCHEMA_VERSION}: opening it would migrate \
             it and first copy it to backups/ beside it; set SOAK_ALLOW_MIGRATION=1 to allow that",
            db.display()
        );
    }
    let calls: usize = env_or("SOAK_CALLS", 10_000);
    let runs: usize = env_or("SOAK_RUNS", 30);
    let budget = Duration::from_secs_f64(env_or("SOAK_BUDGET_S", 20.0));
    let max_growth_mib: f64 = env_or("SOAK_MAX_GROWTH_MIB", 64.0);
    let only = std::env::var("SOAK_ONLY").unwrap_or_default();
    let wanted = |name: &str| name.contains(only.as_str());

    let before_open = memory();
    let started = Instant::now();
    let store = Store::open(&db).unwrap_or_else(|e| panic!("opening {}: {e}", db.display()));
    let open_ms = started.elapsed().as_secs_f64() * 1e3;
    // `new`, not `open`: `open` would start the day's backup, a full copy.
    let state = AppState::new(Ok(store), Some(db.clone())).expect("state over the database");
    let (app, webview) = mock_app(state);
    let info = call(&webview, "app_info", json!({}));
    let conversations = info["conversations"].as_u64().unwrap_or(0);
    println!(
        "soak: {} ({:.1} GB, schema {version}), {conversations} conversations; \
         Store::open {open_ms:.1} ms; load average {}",
        db.display(),
        std::fs::metadata(&db).map_or(0, |m| m.len()) as f64 / 1e9,
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );

    let today = chrono::Local::now().date_naive();
    let day = |back: i64| (today - chrono::Duration::days(back)).to_string();
    let month = json!({ "from": day(60), "to": day(30) });
    let with = |extra: Value| {
        let mut filter = month.clone();
        filter
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        filter
    };
    let week = json!({ "from": day(37), "to": day(31) });
    let export_dir =
        std::env::temp_dir().join(format!("buyerlens-soak-export-{}", std::process::id()));
    std::fs::create_dir_all(&export_dir).unwrap();
    let short_chat =
        |n: usize| format!("买家：能包邮吗？有优惠券吗 我是tb_soak_{n}\n客服：亲，包邮的哦");
    // a number per paste, different from one soak run to the next
    let first_paste = usize::try_from(conversations).unwrap_or(0) * 1000;
    let mut rng = Lcg(5);
    let id_range = conversations.max(1);

    // --- latency: each command with its kinds of arguments ---------------
    let measure = |name: &str, runs: usize, next: &mut dyn FnMut(usize) -> (String, Value)| {
        if !wanted(name) {
            return;
        }
        // one call to warm up, then timed calls
        let (cmd, args) = next(0);
        call(&webview, &cmd, args);
        let mut figure = Figure {
            name: name.to_string(),
            times: Vec::new(),
            result: String::new(),
        };
        let begun = Instant::now();
        for i in 1..=runs {
            let (cmd, args) = next(i);
            let t = Instant::now();
            let value = call(&webview, &cmd, args);
            figure.times.push(t.elapsed().as_secs_f64() * 1e3);
            figure.result = summary(&value);
            if i >= 3 && begun.elapsed() > budget {
                break;
            }
        }
        println!("{}", figure.line());
    };
    let page = |filter: Value| {
        move |_: usize| {
            (
                "list_history".to_string(),
                json!({ "filter": filter.clone(), "offset": 0, "limit": 200 }),
            )
        }
    };
    let cmd = |name: &'static str, args: Value| move |_: usize| (name.to_string(), args.clone());

    measure("app_info", runs, &mut cmd("app_info", json!({})));
    measure(
        "list_templates",
        runs,
        &mut cmd("list_templates", json!({})),
    );
    measure(
        "list_history: newest page of 200",
        runs,
        &mut page(json!({})),
    );
    measure(
        "list_history: page at offset 10,000",
        runs,
        &mut cmd(
            "list_history",
            json!({ "filter": {}, "offset": 10_000, "limit": 200 }),
        ),
    );
    if wanted("list_history: scrolling down, page after page of 200") {
        // Scrolling down: each page starts after the previous page's last
        // row, as the History list asks while the user scrolls.
        let mut figure = Figure {
            name: "list_history: scrolling down, page after page of 200".into(),
            times: Vec::new(),
            result: String::new(),
        };
        let mut after = Value::Null;
        let begun = Instant::now();
        for _ in 0..200 {
            let args = json!({ "filter": {}, "offset": 0, "limit": 200, "after": after });
            let t = Instant::now();
            let page = call(&webview, "list_history", args);
            figure.times.push(t.elapsed().as_secs_f64() * 1e3);
            let last = page["rows"].as_array().and_then(|r| r.last()).cloned();
            after = last.map_or(Value::Null, |row| json!([row["at"], row["id"]]));
            if begun.elapsed() > budget {
                break;
            }
        }
        figure.result = format!("{} rows deep", figure.times.len() * 200);
        println!("{}", figure.line());
    }
    measure(
        "list_history: motive 求安 + one month",
        runs,
        &mut page(with(json!({ "motive": "safety" }))),
    );
    measure(
        "list_history: agent + topic 退换货 + 非买家",
        runs,
        &mut page(json!({ "agent": "小雅", "topic": "returns", "intent": "non_buyer" })),
    );
    measure(
        "list_history: corrected only",
        runs,
        &mut page(json!({ "corrected": true })),
    );
    measure(
        "list_history: search rare nickname",
        runs,
        &mut page(json!({ "search": "tb_0123456" })),
    );
    measure(
        "list_history: search common word 运费险",
        runs,
        &mut page(json!({ "search": "运费险" })),
    );
    measure(
        "list_history: search 2 characters 代理",
        runs,
        &mut page(json!({ "search": "代理" })),
    );
    measure(
        "list_history: search 运费险 + 求廉 + one month",
        runs,
        &mut page(with(json!({ "search": "运费险", "motive": "bargain" }))),
    );
    for (name, filter) in [
        ("count_history: everything", json!({})),
        ("count_history: motive 求廉", json!({ "motive": "bargain" })),
        (
            "count_history: agent + one month",
            with(json!({ "agent": "阿杰" })),
        ),
        (
            "count_history: two labels (求廉 + 发货物流)",
            json!({ "motive": "bargain", "topic": "shipping" }),
        ),
        (
            "count_history: two labels + one month",
            with(json!({ "motive": "bargain", "topic": "shipping" })),
        ),
        (
            "count_history: search rare nickname",
            json!({ "search": "tb_0123456" }),
        ),
        (
            "count_history: search 运费险 + one month",
            with(json!({ "search": "运费险" })),
        ),
        (
            "count_history: search common word 运费险",
            json!({ "search": "运费险" }),
        ),
        (
            "count_history: search 2 characters 代理",
            json!({ "search": "代理" }),
        ),
    ] {
        measure(
            name,
            runs,
            &mut cmd("count_history", json!({ "filter": filter })),
        );
    }
    measure(
        "history_stats: everything",
        runs,
        &mut cmd("history_stats", json!({ "filter": {} })),
    );
    measure(
        "history_stats: one agent, one month",
        runs,
        &mut cmd(
            "history_stats",
            json!({ "filter": with(json!({ "agent": "阿杰" })) }),
        ),
    );
    measure("get_conversation: random ids", 200, &mut |_| {
        (
            "get_conversation".to_string(),
            json!({ "id": 1 + rng.below(id_range) }),
        )
    });
    measure(
        "classify_transcript: 50-message chat (stored)",
        runs,
        &mut |i| {
            (
                "classify_transcript".to_string(),
                json!({ "text": long_chat(first_paste + i), "agent": "soak" }),
            )
        },
    );
    measure(
        "classify_transcript: 2-line chat (stored)",
        runs,
        &mut |i| {
            (
                "classify_transcript".to_string(),
                json!({ "text": short_chat(first_paste + 500 + i), "agent": "soak" }),
            )
        },
    );
    for (name, filter, file, format) in [
        (
            "export_history: CSV, motive 求安 + one month",
            with(json!({ "motive": "safety" })),
            "month.csv",
            "csv",
        ),
        (
            "export_history: xlsx, motive 求安 + one month",
            with(json!({ "motive": "safety" })),
            "month.xlsx",
            "xlsx",
        ),
        (
            "export_history: CSV, one week (everything)",
            week.clone(),
            "week.csv",
            "csv",
        ),
        (
            "export_history: xlsx, one week (everything)",
            week.clone(),
            "week.xlsx",
            "xlsx",
        ),
    ] {
        let path = export_dir.join(file);
        measure(
            name,
            runs.min(5),
            &mut cmd(
                "export_history",
                json!({ "filter": filter, "path": path, "format": format }),
            ),
        );
        if let Ok(written) = std::fs::metadata(&path) {
            println!("{:<58} file {:.1} MB", "", written.len() as f64 / 1e6);
        }
    }
    std::fs::remove_dir_all(&export_dir).unwrap();

    // --- one command waiting behind another --------------------------------
    // Commands share one connection behind a mutex; counts have one of
    // their own. A page asked for while the slowest count runs (the
    // History screen asks for both at once when a filter changes).
    if wanted("list_history behind count_history") {
        let counting = webview.clone();
        let slow = std::thread::spawn(move || {
            let t = Instant::now();
            call(
                &counting,
                "count_history",
                json!({ "filter": { "search": "运费险" } }),
            );
            t.elapsed().as_secs_f64() * 1e3
        });
        std::thread::sleep(Duration::from_millis(100));
        let t = Instant::now();
        call(
            &webview,
            "list_history",
            json!({ "filter": {}, "offset": 0, "limit": 200 }),
        );
        let waited = t.elapsed().as_secs_f64() * 1e3;
        let count_ms = slow.join().expect("the count thread");
        println!(
            "{:<58} newest page {waited:.0} ms while a count of 运费险 ran ({count_ms:.0} ms)",
            "list_history behind count_history"
        );
    }

    // --- an import through the app ---------------------------------------
    // `import_paths` as the Import screen calls it, on a file of new chats
    // from all over the last year (synthetic Qianniu pastes; SOAK_IMPORT
    // of them, 0 to skip), with the newest history page asked for every
    // 200 ms while it runs (the import writes through its own connection).
    let import_count: usize = env_or("SOAK_IMPORT", 20_000);
    if import_count > 0 && wanted("import_paths") {
        use buyerlens_core::store::synthetic;
        let dir =
            std::env::temp_dir().join(format!("buyerlens-soak-import-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("backlog.jsonl");
        let now = chrono::Local::now().naive_local().and_utc().timestamp();
        let mut rng = synthetic::Rng::new(now as u64);
        let lines = synthetic::jsonl_within(&mut rng, 70_000_000, import_count, now, 365);
        std::fs::write(&file, lines).unwrap();
        let importing = webview.clone();
        let paths = json!({ "paths": [file] });
        let started = Instant::now();
        let import = std::thread::spawn(move || call(&importing, "import_paths", paths));
        let mut pages = Vec::new();
        while !import.is_finished() {
            let t = Instant::now();
            call(
                &webview,
                "list_history",
                json!({ "filter": {}, "offset": 0, "limit": 200 }),
            );
            pages.push(t.elapsed().as_secs_f64() * 1e3);
            std::thread::sleep(Duration::from_millis(200));
        }
        let summary = import.join().expect("the import thread");
        let seconds = started.elapsed().as_secs_f64();
        pages.sort_by(f64::total_cmp);
        let added = summary["conversationsAdded"].as_u64().unwrap_or(0);
        println!(
            "{:<58} {seconds:.1} s, {:.0}/s ({added} added); newest page meanwhile: \
             median {:.1} ms, max {:.1} ms ({} pages)",
            format!("import_paths: {import_count} chats of a year"),
            import_count as f64 / seconds,
            pages.get(pages.len() / 2).copied().unwrap_or(0.0),
            pages.last().copied().unwrap_or(0.0),
            pages.len()
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    // --- the import's own connection ---------------------------------------
    // `import_paths` opens a second connection with `Store::open` while the
    // app holds the database (so its -wal file exists).
    if wanted("Store::open while the app has the database open") {
        let t = Instant::now();
        let second = Store::open(&db).expect("a second connection");
        println!(
            "{:<58} {:.0} ms (what import_paths does before importing)",
            "Store::open while the app has the database open",
            t.elapsed().as_secs_f64() * 1e3
        );
        drop(second);
    }

    // --- memory: a long run of the interactive calls ----------------------
    // What an agent's day does, over and over: pages (new filters and
    // scrolling), conversations opened, counts, charts, searches,
    // templates, and now and then a paste.
    let mix: Vec<MixedCall<'_>> = vec![
        Box::new(|_| {
            (
                "list_history",
                json!({ "filter": {}, "offset": 0, "limit": 200 }),
            )
        }),
        Box::new(|i| {
            (
                "get_conversation",
                json!({ "id": 1 + (i as u64 * 7_919) % id_range }),
            )
        }),
        Box::new(|i| {
            let motives = ["bargain", "safety", "aesthetic", "speed", "habit"];
            (
                "list_history",
                json!({ "filter": with(json!({ "motive": motives[i % motives.len()] })),
                        "offset": 0, "limit": 200 }),
            )
        }),
        Box::new(|i| {
            (
                "list_history",
                json!({ "filter": {}, "offset": (i % 50) * 200, "limit": 200 }),
            )
        }),
        Box::new(|_| {
            (
                "count_history",
                json!({ "filter": with(json!({ "agent": "阿杰" })) }),
            )
        }),
        Box::new(|_| {
            (
                "history_stats",
                json!({ "filter": with(json!({ "agent": "阿杰" })) }),
            )
        }),
        Box::new(|i| {
            let words = ["tb_0123456", "运费险", "代理", "100654321"];
            (
                "list_history",
                json!({ "filter": { "search": words[i % words.len()] }, "offset": 0, "limit": 200 }),
            )
        }),
        Box::new(|_| ("list_templates", json!({}))),
        Box::new(|_| {
            (
                "count_history",
                json!({ "filter": { "motive": "bargain" } }),
            )
        }),
        Box::new(|_| ("app_info", json!({}))),
    ];
    let mut timings: Vec<Vec<f64>> = vec![Vec::new(); mix.len() + 1];
    let mut samples: Vec<(usize, Memory)> = vec![(0, memory())];
    let every = (calls / 10).max(1);
    let run_started = Instant::now();
    for i in 0..calls {
        // one paste in 50 calls
        let (slot, cmd, args) = if i % 50 == 49 {
            (
                mix.len(),
                "classify_transcript",
                json!({ "text": long_chat(first_paste + 600 + i), "agent": "soak" }),
            )
        } else {
            let slot = i % mix.len();
            let (cmd, args) = mix[slot](i);
            (slot, cmd, args)
        };
        let t = Instant::now();
        call(&webview, cmd, args);
        timings[slot].push(t.elapsed().as_secs_f64() * 1e3);
        if (i + 1) % every == 0 {
            samples.push((i + 1, memory()));
        }
    }
    let run_s = run_started.elapsed().as_secs_f64();
    for (slot, times) in timings.iter().enumerate().filter(|(_, t)| !t.is_empty()) {
        let (cmd, args) = match mix.get(slot) {
            Some(next) => next(slot),
            None => ("classify_transcript", json!("50-message chat")),
        };
        let figure = Figure {
            name: format!(
                "  memory run: {cmd} {}",
                args.get("filter").unwrap_or(&args)
            ),
            times: times.clone(),
            result: String::new(),
        };
        println!("{}", figure.line());
    }
    let all: Vec<f64> = timings.iter().flatten().copied().collect();
    let overall = Figure {
        name: format!("memory run: all {calls} calls"),
        times: all,
        result: format!("{run_s:.0} s in all"),
    };
    if calls > 0 {
        println!("{}", overall.line());
    }
    println!(
        "memory (MiB)      calls    VmRSS  RssAnon  RssFile    VmHWM   (before open: RSS {:.0})",
        mib(before_open.rss)
    );
    for (n, m) in &samples {
        println!(
            "                 {n:>6} {:>8.0} {:>8.0} {:>8.0} {:>8.0}",
            mib(m.rss),
            mib(m.anon),
            mib(m.file),
            mib(m.peak)
        );
    }
    let after_warm_up = samples[1.min(samples.len() - 1)].1;
    let last = samples[samples.len() - 1].1;
    let growth = mib(last.anon) - mib(after_warm_up.anon);
    println!(
        "anonymous memory from call {} to call {calls}: {growth:+.1} MiB \
         (allowed {max_growth_mib} MiB; SQLite's page cache may fill up to {} MiB a \
         connection); file-backed pages (SQLite's memory map) {:.0} MiB",
        samples[1.min(samples.len() - 1)].0,
        buyerlens_core::store::PAGE_CACHE_MIB,
        mib(last.file)
    );
    let after = call(&webview, "app_info", json!({}));
    println!(
        "conversations after the soak: {} (the classify calls and the import added {})",
        after["conversations"],
        after["conversations"].as_u64().unwrap_or(0) - conversations
    );
    // As the app does at exit: the next open then needs no full check.
    app.state::<AppState>().close();
    assert!(
        growth < max_growth_mib,
        "the app's anonymous memory must stay bounded over {calls} calls: it grew {growth:.1} MiB"
    );
}
