//! BuyerLens desktop (买家画像): a thin Tauri 2 shell over `buyerlens-core`.
//! Commands live in [`commands`]; UI-only shapes in [`dto`].

pub mod commands;
pub mod dto;
pub mod error;
pub mod pin;
pub mod state;

use std::path::PathBuf;

use buyerlens_core::store::{Store, DB_FILE_NAME};
use tauri::{Emitter, Manager, Runtime};

pub use state::AppState;

/// mimalloc instead of the system allocator, as in the CLI. Set here, not
/// in `main.rs`, so that the shell's tests and the soak run on the
/// allocator the app ships with (the soak's figures for both allocators
/// are in BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// When `run()` began (start-up timing, see `commands::ui_ready`).
static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

/// Starts the app.
pub fn run() {
    STARTED.get_or_init(std::time::Instant::now);
    let app = with_commands(tauri::Builder::default())
        .plugin(tauri_plugin_clipboard_manager::init())
        .plugin(tauri_plugin_dialog::init())
        .setup(|app| {
            let path = database_path(app.handle());
            // A database that cannot be opened does not stop the app: the
            // agent can still classify, and every screen that needs the
            // store shows why it cannot (see AppState::store).
            if AppState::needs_check(&path) {
                // After an unexpected exit the whole file is checked first,
                // and an older schema is brought up to date (each up to a
                // minute or two for a big history): the window comes up at
                // once and says so while a thread does it.
                app.manage(AppState::open_checking(path)?);
                check_in_background(app.handle());
            } else {
                app.manage(AppState::open(path)?);
            }
            end_on_signals(app.handle());
            Ok(())
        })
        .build(tauri::generate_context!());
    match app {
        Ok(app) => app.run(|handle, event| {
            // The process ends right after this event without dropping the
            // state: close the database here (see AppState::close).
            if let tauri::RunEvent::Exit = event {
                if let Some(state) = handle.try_state::<AppState>() {
                    state.close();
                }
            }
        }),
        Err(error) => {
            eprintln!("buyerlens: cannot start: {error}");
            std::process::exit(1);
        }
    }
}

/// Event sent when the database check after an unexpected exit is over
/// (the UI then asks `app_info` again).
pub const STORE_CHECKED_EVENT: &str = "store-checked";

/// Runs [`AppState::finish_checking`] on a thread of its own, then tells
/// the UI. `BUYERLENS_TEST_CHECK_DELAY_MS` lengthens the check (tests of
/// the waiting screen; a small database is checked in milliseconds).
pub fn check_in_background<R: Runtime>(app: &tauri::AppHandle<R>) -> std::thread::JoinHandle<()> {
    let app = app.clone();
    std::thread::spawn(move || {
        if let Some(ms) = std::env::var("BUYERLENS_TEST_CHECK_DELAY_MS")
            .ok()
            .and_then(|v| v.parse().ok())
        {
            std::thread::sleep(std::time::Duration::from_millis(ms));
        }
        app.state::<AppState>().finish_checking();
        let _ = app.emit(STORE_CHECKED_EVENT, ());
    })
}

/// SIGTERM (logout, shutdown, `kill`) and SIGINT (Ctrl-C in a terminal)
/// end the app the way closing its window does, so `RunEvent::Exit` closes
/// the database (see `AppState::close`) instead of the process dying with
/// it open.
fn end_on_signals<R: Runtime>(app: &tauri::AppHandle<R>) {
    #[cfg(target_os = "linux")]
    for signal in [15 /* SIGTERM */, 2 /* SIGINT */] {
        let app = app.clone();
        glib::unix_signal_add(signal, move || {
            app.exit(0);
            glib::ControlFlow::Break
        });
    }
    #[cfg(not(target_os = "linux"))]
    let _ = app;
}

/// Registers every command. Only the last `invoke_handler` call counts, so
/// this is the one list; tests pass `tauri::test::mock_builder()`.
pub fn with_commands<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder.invoke_handler(tauri::generate_handler![
        commands::classify_transcript,
        commands::list_labels,
        commands::app_info,
        commands::restore_latest_backup,
        commands::record_template_use,
        commands::list_history,
        commands::get_conversation,
        commands::correct_labels,
        commands::history_stats,
        commands::count_history,
        commands::export_history,
        commands::eval_lexicon,
        commands::list_templates,
        commands::save_template,
        commands::delete_template,
        commands::preview_template,
        commands::get_lexicon,
        commands::try_lexicon,
        commands::save_lexicon,
        commands::reset_lexicon,
        commands::list_agents,
        commands::save_agents,
        commands::backup_database,
        commands::import_paths,
        commands::cancel_import,
        commands::ui_ready,
        commands::supervisor_status,
        commands::unlock_supervisor,
        commands::set_supervisor_pin,
        commands::export_templates,
        commands::import_templates,
    ])
}

/// `BUYERLENS_DB` (as for the CLI), else the platform's app-data directory,
/// where the CLI's default database is too.
fn database_path<R: Runtime>(app: &tauri::AppHandle<R>) -> PathBuf {
    if let Some(path) = std::env::var_os("BUYERLENS_DB").filter(|p| !p.is_empty()) {
        return PathBuf::from(path);
    }
    app.path()
        .app_data_dir()
        .map(|dir| dir.join(DB_FILE_NAME))
        .ok()
        .or_else(Store::default_path)
        .unwrap_or_else(|| PathBuf::from(DB_FILE_NAME))
}

#[cfg(test)]
mod soak;

/// The schema-3 database of the upgrade tests (shared with the CLI's).
#[cfg(test)]
#[path = "../../tests/fixtures/schema3.rs"]
mod schema3;

#[cfg(test)]
pub(crate) mod tests {
    use serde_json::{json, Value};
    use tauri::ipc::{CallbackFn, InvokeBody};
    use tauri::test::{get_ipc_response, mock_builder, INVOKE_KEY};
    use tauri::webview::InvokeRequest;
    use tauri::{Manager, WebviewWindow, WebviewWindowBuilder};

    use super::*;

    /// The app over `state` on the mock runtime, with the real context
    /// (so the real capabilities, the ACL, apply), and its main window.
    pub(crate) fn mock_app(
        state: AppState,
    ) -> (
        tauri::App<tauri::test::MockRuntime>,
        WebviewWindow<tauri::test::MockRuntime>,
    ) {
        let app = with_commands(mock_builder())
            .manage(state)
            .build(tauri::generate_context!())
            .unwrap();
        let webview = match app.get_webview_window("main") {
            Some(webview) => webview,
            None => WebviewWindowBuilder::new(&app, "main", Default::default())
                .build()
                .unwrap(),
        };
        (app, webview)
    }

    /// Calls a command as the UI does (JSON arguments with camelCase keys);
    /// `Err` holds the `{kind, message}` the UI would get.
    pub(crate) fn invoke(
        webview: &WebviewWindow<tauri::test::MockRuntime>,
        cmd: &str,
        args: Value,
    ) -> Result<Value, Value> {
        get_ipc_response(
            webview,
            InvokeRequest {
                cmd: cmd.into(),
                callback: CallbackFn(0),
                error: CallbackFn(1),
                // the page the webview shows is the local origin the capabilities apply to
                url: webview.url().unwrap(),
                body: InvokeBody::Json(args),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_string(),
            },
        )
        .map(|body| body.deserialize::<Value>().unwrap())
    }

    // The registered commands run against the real core and an in-memory
    // store, as the UI calls them (camelCase argument keys, {kind, message} errors).
    #[test]
    fn commands_run_on_the_mock_runtime() {
        let (_app, webview) = mock_app(AppState::in_memory().unwrap());

        let text = "买家：能包邮吗？有优惠券吗\n客服：亲，包邮的哦";
        let analysis = invoke(
            &webview,
            "classify_transcript",
            json!({ "text": text, "agent": "小雅" }),
        )
        .unwrap();
        let id = analysis["conversationId"]
            .as_i64()
            .expect("a pasted chat is saved to history");
        let motives: Vec<&str> = analysis["classification"]["motives"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["code"].as_str().unwrap())
            .collect();
        assert!(
            motives.contains(&"bargain"),
            "包邮/优惠券 mark a bargain hunter: {motives:?}"
        );
        let first = &analysis["templates"][0];
        assert!(
            first["id"].is_i64(),
            "the default pack offers replies: {analysis}"
        );

        invoke(
            &webview,
            "record_template_use",
            json!({ "templateId": first["id"], "conversationId": id }),
        )
        .unwrap();
        let templates = invoke(&webview, "list_templates", json!({})).unwrap();
        let used = templates
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"] == first["id"])
            .unwrap();
        assert_eq!(used["useCount"], 1, "copying a reply counts one use");

        let page = invoke(
            &webview,
            "list_history",
            json!({ "filter": {}, "offset": 0, "limit": 50 }),
        )
        .unwrap();
        assert_eq!(page["rows"][0]["id"], id);
        assert_eq!(page["rows"][0]["agent"], "小雅");
        let first = &page["rows"][0];
        let after =
            json!({ "filter": {}, "offset": 0, "limit": 50, "after": [first["at"], first["id"]] });
        let next = invoke(&webview, "list_history", after).unwrap();
        assert!(
            next["rows"]
                .as_array()
                .unwrap()
                .iter()
                .all(|r| r["id"] != id),
            "keyset paging starts after the given row"
        );

        let empty = invoke(
            &webview,
            "classify_transcript",
            json!({ "text": "   ", "agent": null }),
        )
        .unwrap_err();
        assert_eq!(empty["kind"], "empty_input");
        let missing = invoke(&webview, "get_conversation", json!({ "id": 999_999 })).unwrap_err();
        assert_eq!(missing["kind"], "not_found");

        // A template pack written out reads back in as updates, not copies.
        let pack = std::env::temp_dir().join(format!("buyerlens-pack-{}.toml", std::process::id()));
        let written = invoke(&webview, "export_templates", json!({ "path": pack })).unwrap();
        assert!(written.as_u64().unwrap() > 0);
        let outcome = invoke(&webview, "import_templates", json!({ "path": pack })).unwrap();
        std::fs::remove_file(&pack).unwrap();
        assert_eq!(
            outcome["added"], 0,
            "keys match the stored templates: {outcome}"
        );

        // The lexicon editor round-trips the active lexicon and tries phrases against it.
        let source = invoke(&webview, "get_lexicon", json!({})).unwrap();
        let matches = invoke(
            &webview,
            "try_lexicon",
            json!({ "source": source, "phrase": "这件衣服会起球吗，能便宜点吗" }),
        )
        .unwrap();
        let rules: Vec<&str> = matches
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["rule"].as_str().unwrap())
            .collect();
        assert!(
            !rules.is_empty(),
            "a bargain and quality question matches cues"
        );
        let broken = invoke(
            &webview,
            "try_lexicon",
            json!({ "source": "[[cue]]\nnot toml", "phrase": "包邮" }),
        )
        .unwrap_err();
        assert_eq!(broken["kind"], "lexicon", "{broken}");

        // A supervisor PIN guards template edits until it is entered.
        invoke(&webview, "set_supervisor_pin", json!({ "pin": "2468" })).unwrap();
        let template = json!({ "template": { "id": null, "title": "包邮说明", "body": "{买家}您好，全店包邮",
            "group": "", "tags": ["bargain"], "shortcut": null, "enabled": true } });
        assert_eq!(
            invoke(&webview, "save_template", template.clone()).unwrap_err()["kind"],
            "locked"
        );
        assert_eq!(
            invoke(&webview, "unlock_supervisor", json!({ "pin": "1357" })).unwrap_err()["kind"],
            "wrong_pin"
        );
        invoke(&webview, "unlock_supervisor", json!({ "pin": "2468" })).unwrap();
        assert!(invoke(&webview, "save_template", template)
            .unwrap()
            .is_i64());

        // Import: a GBK file is read, an image renamed .txt is reported and
        // skipped, and so is a file over the import limit the CLI shares.
        let dir =
            std::env::temp_dir().join(format!("buyerlens-desktop-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (gbk, _, _) =
            encoding_rs::GBK.encode("买家：这件羊毛衫有货吗？会起球吗\n客服：有货的亲，不起球");
        std::fs::write(dir.join("chat-gbk.txt"), gbk).unwrap();
        std::fs::write(
            dir.join("photo-renamed.txt"),
            [0x89, b'P', b'N', b'G', 0, 0, 0, 0x0d, 0xff, 0],
        )
        .unwrap();
        let limit = buyerlens_core::import::MAX_FILE_BYTES;
        std::fs::File::create(dir.join("huge.txt"))
            .unwrap()
            .set_len(limit + 1)
            .unwrap();
        let summary = invoke(&webview, "import_paths", json!({ "paths": [dir] })).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(summary["conversationsAdded"], 1, "{summary}");
        assert_eq!(
            summary["errors"].as_array().unwrap().len(),
            2,
            "the image and the huge file are reported: {summary}"
        );
        assert!(
            summary
                .to_string()
                .contains(&format!("limit of {limit} bytes")),
            "the app refuses files over the limit the CLI has: {summary}"
        );
        let found = invoke(
            &webview,
            "list_history",
            json!({ "filter": { "search": "羊毛衫" }, "offset": 0, "limit": 5 }),
        )
        .unwrap();
        assert_eq!(
            found["rows"].as_array().unwrap().len(),
            1,
            "the GBK chat is stored as text: {found}"
        );
    }

    // A database of an older schema is upgraded the same way, off the
    // start path: app_info says `upgrading` while it runs; then the history
    // is there, and the file before the upgrade is kept beside it.
    #[test]
    fn older_schema_is_upgraded_off_the_start_path() {
        let dir = std::env::temp_dir().join(format!("buyerlens-upgrade-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let db = dir.join(DB_FILE_NAME);
        crate::schema3::write_schema_3(&db);
        assert!(
            AppState::needs_check(&db),
            "an older schema takes long to open"
        );

        let (app, webview) = mock_app(AppState::open_checking(db.clone()).unwrap());
        let info = invoke(&webview, "app_info", json!({})).unwrap();
        assert_eq!(info["checking"], true, "{info}");
        assert_eq!(info["upgrading"], true, "{info}");

        check_in_background(app.handle()).join().unwrap();
        let info = invoke(&webview, "app_info", json!({})).unwrap();
        assert_eq!(info["checking"], false, "{info}");
        assert_eq!(info["upgrading"], false, "{info}");
        assert!(info["storeError"].is_null(), "{info}");
        let page = invoke(
            &webview,
            "list_history",
            json!({ "filter": { "motive": "bargain" }, "offset": 0, "limit": 5 }),
        )
        .unwrap();
        assert_eq!(page["rows"].as_array().unwrap().len(), 1, "{page}");
        assert!(
            dir.join("backups/buyerlens-before-migration-history-v3.sqlite")
                .exists(),
            "the file before the upgrade is kept"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    // After an unexpected exit (a -wal file is left) the app starts at
    // once with the database still to be checked: app_info says so, store
    // commands answer `checking`, classifying works. When the check on its
    // thread is over, the history is there; a damaged file leads to the
    // restore offer, as at a normal start.
    #[test]
    fn unclean_exit_is_checked_off_the_start_path() {
        use buyerlens_core::store::{synthetic, BackupLimits};
        for damaged in [false, true] {
            let dir = std::env::temp_dir()
                .join(format!("buyerlens-check-{damaged}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            let db = dir.join(DB_FILE_NAME);
            {
                let mut store = Store::open(&db).unwrap();
                synthetic::fill(&mut store, 0, 40, 50, 1_750_000_000, &mut |_| {}).unwrap();
                let limits = BackupLimits {
                    keep_free_bytes: 0,
                    ..BackupLimits::default()
                };
                store.backup_rolling(&limits, 1_750_000_000).unwrap();
            }
            if damaged {
                let mut bytes = std::fs::read(&db).unwrap();
                bytes[2 * 4096..].fill(0x5a);
                std::fs::write(&db, bytes).unwrap();
            }
            // What a crash leaves behind.
            std::fs::write(dir.join(format!("{DB_FILE_NAME}-wal")), b"").unwrap();
            assert!(
                AppState::needs_check(&db),
                "a -wal file means an unclean exit"
            );

            let (app, webview) = mock_app(AppState::open_checking(db.clone()).unwrap());
            let info = invoke(&webview, "app_info", json!({})).unwrap();
            assert_eq!(info["checking"], true, "{info}");
            assert!(
                info["storeError"].is_null() && info["restoreOffer"].is_null(),
                "{info}"
            );
            let waiting = invoke(
                &webview,
                "list_history",
                json!({ "filter": {}, "offset": 0, "limit": 5 }),
            )
            .unwrap_err();
            assert_eq!(waiting["kind"], "checking", "{waiting}");
            let analysis = invoke(
                &webview,
                "classify_transcript",
                json!({ "text": "买家：能便宜点吗" }),
            )
            .unwrap();
            assert!(analysis["classification"]["motives"].is_array());

            check_in_background(app.handle()).join().unwrap();
            let info = invoke(&webview, "app_info", json!({})).unwrap();
            assert_eq!(info["checking"], false, "{info}");
            if damaged {
                assert!(
                    info["storeError"].as_str().unwrap().contains("damaged"),
                    "{info}"
                );
                assert!(
                    info["restoreOffer"]["name"]
                        .as_str()
                        .unwrap()
                        .starts_with("buyerlens-auto-history-"),
                    "the newest backup is offered: {info}"
                );
            } else {
                assert!(info["storeError"].is_null(), "{info}");
                assert_eq!(info["conversations"], 40, "{info}");
                let page = invoke(
                    &webview,
                    "list_history",
                    json!({ "filter": {}, "offset": 0, "limit": 5 }),
                )
                .unwrap();
                assert_eq!(page["rows"].as_array().unwrap().len(), 5, "{page}");
            }
            app.state::<AppState>().close();
            let _ = std::fs::remove_dir_all(&dir);
        }
    }

    // A database that is damaged or from a newer BuyerLens: the app offers
    // the newest automatic backup by name and time, restores only the one
    // confirmed, keeps the old file beside it byte for byte, and the
    // history is back. A file that is not a BuyerLens database gets no offer.
    #[test]
    fn damaged_or_newer_database_offers_the_latest_backup() {
        use buyerlens_core::store::{synthetic, time::parse_local, BackupLimits};
        for kind in ["damaged", "newer", "foreign"] {
            let dir = std::env::temp_dir().join(format!(
                "buyerlens-restore-offer-{kind}-{}",
                std::process::id()
            ));
            let _ = std::fs::remove_dir_all(&dir);
            let db = dir.join(DB_FILE_NAME);
            {
                let mut store = Store::open(&db).unwrap();
                // A fuller file, so a scribble lands on table pages.
                synthetic::fill(&mut store, 0, 300, 100, state::local_now(), &mut |_| {}).unwrap();
                for taken in ["2026-11-19 09:00:00", "2026-11-20 09:30:00"] {
                    store
                        .backup_rolling(&BackupLimits::default(), parse_local(taken).unwrap())
                        .unwrap();
                }
            }
            let mut bytes = std::fs::read(&db).unwrap();
            match kind {
                "damaged" => bytes
                    .iter_mut()
                    .skip(3 * 4096)
                    .take(8 * 4096)
                    .for_each(|b| *b = 0x5A),
                "newer" => bytes[60..64].copy_from_slice(&99u32.to_be_bytes()),
                _ => bytes = "买家：包邮吗".repeat(1000).into_bytes(),
            }
            std::fs::write(&db, &bytes).unwrap();

            let (_app, webview) = mock_app(AppState::open(db.clone()).unwrap());
            let info = invoke(&webview, "app_info", json!({})).unwrap();
            let error = info["storeError"].as_str().unwrap_or_default().to_string();
            let says = match kind {
                "damaged" => "damaged",
                "newer" => "newer BuyerLens",
                _ => "not a BuyerLens database",
            };
            assert!(error.contains(says), "{kind}: {info}");
            let offered = |name: &str| json!({ "name": name });
            if kind == "foreign" {
                assert!(
                    info["restoreOffer"].is_null(),
                    "another program's file is not replaced: {info}"
                );
                let refused = invoke(
                    &webview,
                    "restore_latest_backup",
                    offered("buyerlens-auto-history-20261120-093000.sqlite"),
                )
                .unwrap_err();
                assert_eq!(refused["kind"], "bad_input", "{refused}");
                assert_eq!(std::fs::read(&db).unwrap(), bytes, "{kind}: untouched");
                let _ = std::fs::remove_dir_all(&dir);
                continue;
            }
            let offer = &info["restoreOffer"];
            assert_eq!(
                offer["name"], "buyerlens-auto-history-20261120-093000.sqlite",
                "{kind}: the newest automatic backup is offered: {info}"
            );
            assert_eq!(offer["taken"], "2026-11-20 09:30:00");
            assert_eq!(
                std::fs::read(&db).unwrap(),
                bytes,
                "{kind}: the file is untouched until the user confirms"
            );
            let older = invoke(
                &webview,
                "restore_latest_backup",
                offered("buyerlens-auto-history-20261119-090000.sqlite"),
            )
            .unwrap_err();
            assert_eq!(
                older["kind"], "bad_input",
                "{kind}: only the offered backup is restored: {older}"
            );
            assert_eq!(std::fs::read(&db).unwrap(), bytes);

            let restored = invoke(
                &webview,
                "restore_latest_backup",
                json!({ "name": offer["name"] }),
            )
            .unwrap();
            assert_eq!(restored["conversations"], 300, "{kind}: {restored}");
            let kept = restored["keptAs"].as_str().expect("the old file is kept");
            assert!(kept.contains(".before-restore-"), "{kept}");
            assert_eq!(
                std::fs::read(kept).unwrap(),
                bytes,
                "{kind}: the damaged file is kept as it was"
            );
            let info = invoke(&webview, "app_info", json!({})).unwrap();
            assert!(
                info["storeError"].is_null() && info["restoreOffer"].is_null(),
                "{kind}: {info}"
            );
            let page = invoke(
                &webview,
                "list_history",
                json!({ "filter": {}, "offset": 0, "limit": 50 }),
            )
            .unwrap();
            assert_eq!(page["rows"].as_array().unwrap().len(), 50, "{kind}");
            let again = invoke(
                &webview,
                "restore_latest_backup",
                json!({ "name": offer["name"] }),
            )
            .unwrap_err();
            assert_eq!(
                again["kind"], "bad_input",
                "{kind}: an open database is not replaced"
            );
            let _ = std::fs::remove_dir_all(&dir);
        }
    }

    // History counts and exports what the filter matches; the lexicon
    // editor's eval figures come from corrected history.
    #[test]
    fn history_export_count_and_lexicon_eval() {
        let (_app, webview) = mock_app(AppState::in_memory().unwrap());
        let chats = [
            "买家：能包邮吗？有优惠券吗\n客服：亲，包邮的哦",
            "买家：这件羊毛衫会起球吗\n客服：不会的亲",
            "买家：明天能发货吗，急用\n客服：今天就发",
        ];
        let mut ids = Vec::new();
        for text in chats {
            let analysis = invoke(
                &webview,
                "classify_transcript",
                json!({ "text": text, "agent": "小雅" }),
            )
            .unwrap();
            ids.push(analysis["conversationId"].as_i64().unwrap());
        }
        let count = |filter: Value| {
            invoke(&webview, "count_history", json!({ "filter": filter }))
                .unwrap()
                .as_u64()
                .unwrap()
        };
        let listed = |filter: Value| {
            invoke(
                &webview,
                "list_history",
                json!({ "filter": filter, "offset": 0, "limit": 1000 }),
            )
            .unwrap()["rows"]
                .as_array()
                .unwrap()
                .len() as u64
        };
        assert_eq!(count(json!({})), 3, "every stored chat is counted");
        assert_eq!(
            count(json!({ "search": "羊毛衫" })),
            1,
            "a search counts its rows"
        );
        for filter in [
            json!({ "motive": "bargain" }),
            json!({ "topic": "shipping" }),
            json!({ "motive": "bargain", "topic": "discount" }),
            json!({ "agent": "小雅", "intent": "shopper" }),
            json!({ "agent": "别人" }),
        ] {
            assert_eq!(
                count(filter.clone()),
                listed(filter.clone()),
                "the total is what the list pages through: {filter}"
            );
        }
        assert_eq!(count(json!({ "corrected": true })), 0);

        let dir = std::env::temp_dir().join(format!("buyerlens-export-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let csv = dir.join("history.csv");
        let rows = invoke(
            &webview,
            "export_history",
            json!({ "filter": {}, "path": csv, "format": "csv" }),
        )
        .unwrap();
        assert_eq!(rows, 3);
        let text = std::fs::read_to_string(&csv).unwrap();
        assert!(text.starts_with('\u{feff}'), "Excel needs the BOM");
        assert!(text.contains("羊毛衫"));
        let xlsx = dir.join("history.xlsx");
        let rows = invoke(
            &webview,
            "export_history",
            json!({ "filter": { "search": "羊毛衫" }, "path": xlsx, "format": "xlsx" }),
        )
        .unwrap();
        assert_eq!(rows, 1);
        assert_eq!(
            &std::fs::read(&xlsx).unwrap()[..2],
            b"PK",
            "an xlsx is a zip"
        );
        let bad = invoke(
            &webview,
            "export_history",
            json!({ "filter": {}, "path": dir.join("no/such/dir/x.csv"), "format": "csv" }),
        )
        .unwrap_err();
        assert_eq!(bad["kind"], "io", "{bad}");
        std::fs::remove_dir_all(&dir).unwrap();

        // The saved and an edited lexicon, measured on one corrected chat.
        let correction = json!({ "motives": ["bargain", "aesthetic"], "topics": ["shipping"],
            "experience": null, "intent": "shopper", "who": "主管", "note": null });
        invoke(
            &webview,
            "correct_labels",
            json!({ "id": ids[0], "correction": correction }),
        )
        .unwrap();
        assert_eq!(count(json!({ "corrected": true })), 1);
        let source = invoke(&webview, "get_lexicon", json!({})).unwrap();
        let figures = invoke(&webview, "eval_lexicon", json!({ "source": source })).unwrap();
        assert_eq!(figures["edited"]["conversations"], 1, "{figures}");
        assert_eq!(
            figures["edited"], figures["saved"],
            "the unedited lexicon measures as the saved one"
        );
        assert!(figures["saved"]["motives"].as_array().unwrap().len() >= 9);
        let broken = invoke(
            &webview,
            "eval_lexicon",
            json!({ "source": "[[cue]]\nnot toml" }),
        )
        .unwrap_err();
        assert_eq!(broken["kind"], "lexicon", "{broken}");
    }
}
