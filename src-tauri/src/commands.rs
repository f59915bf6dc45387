//! The commands the UI calls. Each takes the state, calls the core and maps
//! the error; none holds SQL or matching logic. All are `async` so that
//! none runs on the main (UI) thread.

use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use buyerlens_core::eval;
use buyerlens_core::import::{self, ImportOptions};
use buyerlens_core::store::{
    pack_to_toml, parse_pack, NewConversation, TemplateDraft, TemplatePackOutcome,
};
use buyerlens_core::suggest::{self, FillContext};
use buyerlens_core::{Classifier, Lexicon};
use tauri::{AppHandle, Emitter, Runtime, State};

use crate::dto::{
    Analysis, AppInfo, BackupDto, ConversationDto, CorrectionDto, EvalDto, ExportFormat,
    HistoryFilterDto, HistoryPage, HistoryRow, ImportProgressDto, ImportSummaryDto, LabelInfo,
    LexiconEvalDto, LexiconMatch, RestoredDto, StatsDto, SupervisorStatus, TemplateDto,
    TemplateEdit,
};
use crate::error::{CommandError, CommandResult};
use crate::pin::{self, require_supervisor};
use crate::state::{local_now, AppState};

/// How many replies the Analyze screen offers.
const SUGGESTIONS: usize = 5;
/// The most rows one history page may ask for.
const MAX_PAGE: u32 = 1000;
/// The settings key of the agents' names (a JSON array).
const AGENTS_SETTING: &str = "desktop.agents";

/// Classifies a pasted chat, stores it in history and ranks replies.
/// Without a store (it failed to open) the classification still comes back.
#[tauri::command(async)]
pub fn classify_transcript(
    state: State<'_, AppState>,
    text: String,
    agent: Option<String>,
) -> CommandResult<Analysis> {
    let started = Instant::now();
    let classifier = state.classifier()?;
    let classification = classifier.classify(&text)?;
    let agent = agent.filter(|a| !a.trim().is_empty());
    let mut analysis = Analysis {
        conversation_id: None,
        classification,
        templates: Vec::new(),
        elapsed_ms: 0.0,
    };
    if let Ok(mut store) = state.store() {
        let mut conversation = NewConversation::pasted(text);
        conversation.agent = agent.clone();
        conversation.fill_from(&analysis.classification);
        let recorded = store.record(
            &conversation,
            &analysis.classification,
            classifier.lexicon_version(),
            local_now(),
        )?;
        analysis.conversation_id = Some(recorded.conversation_id);
        let mut context = FillContext::from_classification(&analysis.classification);
        if agent.is_some() {
            context.agent = agent;
        }
        let templates = store.templates(false)?;
        analysis.templates =
            suggest::suggest(&templates, &analysis.classification, &context, SUGGESTIONS);
    }
    analysis.elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    Ok(analysis)
}

/// Every label of the taxonomy, for menus and names.
#[tauri::command(async)]
pub fn list_labels() -> Vec<LabelInfo> {
    LabelInfo::all()
}

/// Version, database location and health (`checking` while the database
/// is checked after an unexpected exit or upgraded, `upgrading` for the
/// latter).
#[tauri::command(async)]
pub fn app_info(state: State<'_, AppState>) -> CommandResult<AppInfo> {
    let conversations = state
        .store()
        .ok()
        .map(|s| s.conversation_count())
        .transpose()?;
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION"),
        db_path: state.db_path.as_ref().map(|p| p.display().to_string()),
        store_error: state.store_error()?,
        lexicon_version: state.classifier()?.lexicon_version().to_string(),
        conversations,
        restore_offer: state.restore_offer()?.as_deref().map(BackupDto::of),
        checking: state.is_checking(),
        upgrading: state.is_upgrading(),
    })
}

/// When the database is damaged or newer than this build: replaces it with
/// the newest automatic backup, `name` being the one the user confirmed
/// (see [`AppState::restore_latest_backup`]; the current file is kept
/// beside it, never deleted), and opens it.
#[tauri::command(async)]
pub fn restore_latest_backup(
    state: State<'_, AppState>,
    name: String,
) -> CommandResult<RestoredDto> {
    let (backup, kept) = state.restore_latest_backup(&name)?;
    Ok(RestoredDto {
        backup: BackupDto::of(&backup),
        kept_as: kept.map(|p| p.display().to_string()),
        conversations: state.store()?.conversation_count()?,
    })
}

/// Records that a reply was copied for a conversation.
#[tauri::command(async)]
pub fn record_template_use(
    state: State<'_, AppState>,
    template_id: i64,
    conversation_id: Option<i64>,
) -> CommandResult<()> {
    Ok(state
        .store()?
        .record_template_use(template_id, conversation_id, local_now())?)
}

/// One page of history, newest first: after the row `after` (`[at, id]`
/// of the previous page's last row; cheap however deep) or at `offset`.
#[tauri::command(async)]
pub fn list_history(
    state: State<'_, AppState>,
    filter: HistoryFilterDto,
    offset: u64,
    limit: u32,
    after: Option<(i64, i64)>,
) -> CommandResult<HistoryPage> {
    let limit = limit.clamp(1, MAX_PAGE);
    // One row more than asked tells whether another page follows.
    let mut core_filter = filter.to_core(if after.is_some() { 0 } else { offset }, limit + 1)?;
    core_filter.before = after;
    let records = state.store()?.history(&core_filter)?;
    let more = records.len() > limit as usize;
    Ok(HistoryPage {
        rows: records
            .iter()
            .take(limit as usize)
            .map(HistoryRow::from)
            .collect(),
        more,
    })
}

/// One conversation with its latest classification.
#[tauri::command(async)]
pub fn get_conversation(state: State<'_, AppState>, id: i64) -> CommandResult<ConversationDto> {
    Ok(ConversationDto::from(&state.store()?.conversation(id)?))
}

/// A supervisor's correction of a conversation's labels.
#[tauri::command(async)]
pub fn correct_labels(
    state: State<'_, AppState>,
    id: i64,
    correction: CorrectionDto,
) -> CommandResult<usize> {
    require_supervisor(&state)?;
    let records = state
        .store()?
        .correct(id, &correction.to_core()?, local_now())?;
    Ok(records.len())
}

/// How many history rows the filter matches (the list pages through them).
/// Dates, agent and at most one label are read off the report counts, so
/// that costs the same with a million conversations; a search or several
/// labels are counted by the core in one query, on a connection of their
/// own, and a newer count stops an older one (see
/// [`AppState::count_history`]).
#[tauri::command(async)]
pub fn count_history(state: State<'_, AppState>, filter: HistoryFilterDto) -> CommandResult<u64> {
    let core_filter = filter.to_core(0, MAX_PAGE)?;
    if core_filter.search.is_none() && core_filter.labels.len() <= 1 {
        let stats = state.store()?.stats(&filter.to_stats()?)?;
        match (core_filter.labels.first(), core_filter.corrected) {
            (None, None) => return Ok(stats.conversations),
            (None, Some(_)) => return Ok(stats.corrected),
            (Some(label), None) => {
                return Ok(stats
                    .labels
                    .iter()
                    .find(|l| l.code == *label)
                    .map_or(0, |l| l.count))
            }
            (Some(_), Some(_)) => {}
        }
    }
    state.count_history(&core_filter)
}

/// Writes the filtered history to a CSV or xlsx file (what the core's
/// export writes); returns the number of rows.
#[tauri::command(async)]
pub fn export_history(
    state: State<'_, AppState>,
    filter: HistoryFilterDto,
    path: PathBuf,
    format: ExportFormat,
) -> CommandResult<usize> {
    let core_filter = filter.to_core(0, MAX_PAGE)?;
    let store = state.store()?;
    Ok(match format {
        ExportFormat::Csv => store.export_csv(&core_filter, &path)?,
        ExportFormat::Xlsx => store.export_xlsx(&core_filter, &path)?,
    })
}

/// Counts for the History charts.
#[tauri::command(async)]
pub fn history_stats(
    state: State<'_, AppState>,
    filter: HistoryFilterDto,
) -> CommandResult<StatsDto> {
    Ok(StatsDto::from(state.store()?.stats(&filter.to_stats()?)?))
}

/// All templates, disabled ones too.
#[tauri::command(async)]
pub fn list_templates(state: State<'_, AppState>) -> CommandResult<Vec<TemplateDto>> {
    Ok(state
        .store()?
        .templates(true)?
        .iter()
        .map(TemplateDto::from)
        .collect())
}

/// Adds (`id: null`) or updates a template; returns its id.
#[tauri::command(async)]
pub fn save_template(state: State<'_, AppState>, template: TemplateEdit) -> CommandResult<i64> {
    require_supervisor(&state)?;
    let mut store = state.store()?;
    match template.id {
        None => Ok(store.add_template(&template.to_draft(None), local_now())?),
        Some(id) => {
            let key = store.template(id)?.key;
            store.update_template(id, &template.to_draft(key), local_now())?;
            Ok(id)
        }
    }
}

#[tauri::command(async)]
pub fn delete_template(state: State<'_, AppState>, id: i64) -> CommandResult<()> {
    require_supervisor(&state)?;
    Ok(state.store()?.delete_template(id)?)
}

/// A template body with its placeholders filled with sample values;
/// an unknown placeholder is an error.
#[tauri::command(async)]
pub fn preview_template(body: String, agent: Option<String>) -> CommandResult<String> {
    suggest::check_placeholders(&body).map_err(CommandError::BadInput)?;
    let context = FillContext {
        buyer: Some("小美".into()),
        agent,
        shop: None,
        item: Some("碎花连衣裙".into()),
    };
    Ok(suggest::fill(&body, &context))
}

/// The active lexicon as TOML.
#[tauri::command(async)]
pub fn get_lexicon(state: State<'_, AppState>) -> CommandResult<String> {
    let store = state.store()?;
    Ok(match store.active_lexicon_version()? {
        Some(stored) => stored.source,
        None => Lexicon::default_lexicon().to_toml(),
    })
}

/// Classifies a phrase with an edited (unsaved) lexicon: which cues match.
#[tauri::command(async)]
pub fn try_lexicon(
    state: State<'_, AppState>,
    source: String,
    phrase: String,
) -> CommandResult<Vec<LexiconMatch>> {
    let c = trial_classifier(&state, &source)?.classify(&phrase)?;
    Ok(c.scores()
        .flat_map(|s| {
            s.evidence.iter().map(|e| LexiconMatch {
                label: s.label.clone(),
                rule: e.rule.clone(),
                text: e.text.clone(),
            })
        })
        .collect())
}

/// The eval figures (as `buyerlens eval --from-history`) of an edited,
/// unsaved lexicon and of the saved one, against the conversations
/// supervisors corrected.
#[tauri::command(async)]
pub fn eval_lexicon(state: State<'_, AppState>, source: String) -> CommandResult<LexiconEvalDto> {
    let examples = state.store()?.reviewed_examples()?;
    let edited = trial_classifier(&state, &source)?;
    let saved = state.classifier()?;
    let figures = |classifier: &Classifier| {
        let predictions: Vec<_> = examples
            .iter()
            .map(|e| {
                // as the CLI: a transcript that does not parse as a chat is read as plain text
                classifier.classify(&e.text).unwrap_or_else(|_| {
                    classifier.classify_transcript(buyerlens_core::transcript::parse(&e.text))
                })
            })
            .collect();
        EvalDto::from(eval::evaluate(&examples, &predictions))
    };
    Ok(LexiconEvalDto {
        edited: figures(&edited),
        saved: figures(&saved),
    })
}

/// The classifier of a lexicon being edited, compiled once per text.
fn trial_classifier(state: &AppState, source: &str) -> CommandResult<Classifier> {
    // Typing a phrase must not recompile an unchanged lexicon each time.
    let key = {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        source.hash(&mut hasher);
        hasher.finish()
    };
    let cached = state
        .trial
        .lock()?
        .as_ref()
        .filter(|(k, _)| *k == key)
        .map(|(_, c)| c.clone());
    Ok(match cached {
        Some(classifier) => classifier,
        None => {
            let classifier = Classifier::new(&Lexicon::from_toml(source)?)?;
            *state.trial.lock()? = Some((key, classifier.clone()));
            classifier
        }
    })
}

/// Validates and saves an edited lexicon, then swaps in its classifier.
#[tauri::command(async)]
pub fn save_lexicon(state: State<'_, AppState>, source: String) -> CommandResult<String> {
    require_supervisor(&state)?;
    let lexicon = state.store()?.save_lexicon(&source, None, local_now())?;
    let classifier = Classifier::new(&lexicon)?;
    let version = classifier.lexicon_version().to_string();
    state.set_classifier(classifier)?;
    Ok(version)
}

/// Back to the shipped lexicon; returns its TOML.
#[tauri::command(async)]
pub fn reset_lexicon(state: State<'_, AppState>) -> CommandResult<String> {
    require_supervisor(&state)?;
    state.store()?.reset_lexicon()?;
    let lexicon = Lexicon::default_lexicon();
    state.set_classifier(Classifier::new(&lexicon)?)?;
    Ok(lexicon.to_toml())
}

/// The agents' names (kept in the store, so backups carry them).
#[tauri::command(async)]
pub fn list_agents(state: State<'_, AppState>) -> CommandResult<Vec<String>> {
    let stored = state.store()?.setting(AGENTS_SETTING)?;
    Ok(stored
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default())
}

#[tauri::command(async)]
pub fn save_agents(state: State<'_, AppState>, agents: Vec<String>) -> CommandResult<Vec<String>> {
    let mut clean: Vec<String> = Vec::new();
    for name in agents.iter().map(|a| a.trim()).filter(|a| !a.is_empty()) {
        if !clean.iter().any(|c| c == name) {
            clean.push(name.to_string());
        }
    }
    let json = serde_json::to_string(&clean).map_err(|e| CommandError::BadInput(e.to_string()))?;
    state.store()?.set_setting(AGENTS_SETTING, &json)?;
    Ok(clean)
}

/// Copies the whole database to a file the user chose.
#[tauri::command(async)]
pub fn backup_database(state: State<'_, AppState>, path: PathBuf) -> CommandResult<()> {
    Ok(state.store()?.backup_to(path)?)
}

/// At most this many progress events a second reach the UI.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// Imports files and folders (txt, csv, jsonl, xlsx; any encoding), sending
/// `import-progress` events; `cancel_import` stops it between batches.
///
/// The import writes through its own connection to the database file, so
/// the Analyze screen keeps working while it runs (WAL lets one connection
/// read while another writes; writes wait their turn via busy_timeout).
#[tauri::command(async)]
pub fn import_paths<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    paths: Vec<PathBuf>,
) -> CommandResult<ImportSummaryDto> {
    if paths.is_empty() {
        return Err(CommandError::BadInput(
            "choose at least one file or folder".into(),
        ));
    }
    if state.import_running.swap(true, Ordering::SeqCst) {
        return Err(CommandError::BadInput(
            "an import is already running".into(),
        ));
    }
    state.import_cancel.store(false, Ordering::SeqCst);
    let result = run_import(&app, &state, &paths);
    state.import_running.store(false, Ordering::SeqCst);
    result
}

fn run_import<R: Runtime>(
    app: &AppHandle<R>,
    state: &AppState,
    paths: &[PathBuf],
) -> CommandResult<ImportSummaryDto> {
    let classifier = state.classifier()?;
    let mut last = Instant::now() - PROGRESS_EVERY;
    let mut progress = |p: &import::ImportProgress| {
        let finished = p.files_done == p.files_total;
        if finished || last.elapsed() >= PROGRESS_EVERY {
            last = Instant::now();
            // A closed window has no listener: nothing to tell then.
            let _ = app.emit("import-progress", ImportProgressDto::from(p));
        }
    };
    let options = ImportOptions::default();
    let summary = match &state.db_path {
        Some(_) => {
            // A connection of its own, so pages and pastes go on meanwhile;
            // the file was checked when the app opened it.
            let mut store = state.store()?.another_connection()?;
            import::import_paths(
                &mut store,
                &classifier,
                paths,
                &options,
                local_now(),
                &state.import_cancel,
                &mut progress,
            )?
        }
        // An in-memory store (tests) has no second connection.
        None => import::import_paths(
            &mut *state.store()?,
            &classifier,
            paths,
            &options,
            local_now(),
            &state.import_cancel,
            &mut progress,
        )?,
    };
    Ok(ImportSummaryDto::from(summary))
}

/// Called by the UI once its first screen is painted and takes input. With
/// `BUYERLENS_STARTUP_LOG` set, prints when that was (wall clock, so a
/// script that noted when it spawned the app can tell the cold start) and
/// how long after `run()` began.
#[tauri::command(async)]
pub fn ui_ready() {
    if std::env::var_os("BUYERLENS_STARTUP_LOG").is_some() {
        let unix_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        let since_run = crate::STARTED.get().map_or(0, |t| t.elapsed().as_millis());
        eprintln!("buyerlens: interactive at unix_ms={unix_ms} since_run_ms={since_run}");
    }
}

/// Asks the running import to stop before its next batch.
#[tauri::command(async)]
pub fn cancel_import(state: State<'_, AppState>) {
    state.import_cancel.store(true, Ordering::SeqCst);
}

/// Whether a supervisor PIN is set, and whether it is unlocked now.
#[tauri::command(async)]
pub fn supervisor_status(state: State<'_, AppState>) -> CommandResult<SupervisorStatus> {
    let pin_set = pin::stored(&*state.store()?)?.is_some();
    Ok(SupervisorStatus {
        pin_set,
        unlocked: !pin_set || require_supervisor(&state).is_ok(),
    })
}

/// Unlocks supervisor actions for a while with the PIN.
#[tauri::command(async)]
pub fn unlock_supervisor(state: State<'_, AppState>, pin: String) -> CommandResult<()> {
    // Wrong PINs are counted in the database and lock out (the core's limit).
    pin::unlock(&state, &pin, local_now())
}

/// Sets (or with `null` removes) the supervisor PIN; needs the old one.
#[tauri::command(async)]
pub fn set_supervisor_pin(state: State<'_, AppState>, pin: Option<String>) -> CommandResult<()> {
    require_supervisor(&state)?;
    let mut store = state.store()?;
    match pin {
        Some(pin) => store.set_setting(pin::PIN_SETTING, &pin::hash(&pin)?)?,
        None => store.set_setting(pin::PIN_SETTING, "")?,
    }
    Ok(())
}

/// Writes every template to a pack file (TOML) another shop can import.
#[tauri::command(async)]
pub fn export_templates(state: State<'_, AppState>, path: PathBuf) -> CommandResult<usize> {
    let drafts: Vec<TemplateDraft> = state
        .store()?
        .templates(true)?
        .iter()
        .map(TemplateDraft::from)
        .collect();
    std::fs::write(&path, pack_to_toml(&drafts)).map_err(|source| CommandError::Write {
        path: path.display().to_string(),
        source,
    })?;
    Ok(drafts.len())
}

/// Imports a pack file: templates with a known key are updated, the others added.
#[tauri::command(async)]
pub fn import_templates(
    state: State<'_, AppState>,
    path: PathBuf,
) -> CommandResult<TemplatePackOutcome> {
    require_supervisor(&state)?;
    let source = std::fs::read_to_string(&path).map_err(|source| buyerlens_core::Error::Io {
        path: path.clone(),
        source,
    })?;
    let drafts = parse_pack(&source)?;
    Ok(state.store()?.import_templates(&drafts, local_now())?)
}

#[cfg(test)]
mod tests {
    use super::*;

    // The app's count is the core's count of what history lists, on a
    // second connection when the database is a file, and a count
    // overtaken by a newer one stops with `Cancelled`.
    #[test]
    fn counts_match_history_and_stop_when_overtaken() {
        let dir = std::env::temp_dir().join(format!(
            "buyerlens-count-{}-{}",
            std::process::id(),
            local_now()
        ));
        for state in [
            AppState::in_memory().unwrap(),
            AppState::open(dir.join("h.sqlite")).unwrap(),
        ] {
            buyerlens_core::store::synthetic::fill(
                &mut state.store().unwrap(),
                0,
                300,
                50,
                local_now(),
                &mut |_| {},
            )
            .unwrap();
            for labels in [
                vec![],
                vec![buyerlens_core::Label::Bargain],
                vec![
                    buyerlens_core::Label::Bargain,
                    buyerlens_core::Label::Shipping,
                ],
            ] {
                let filter = buyerlens_core::store::HistoryFilter {
                    labels: labels.clone(),
                    ..Default::default()
                };
                let walked = state
                    .store()
                    .unwrap()
                    .for_each_record(&filter, &mut |_| Ok(()))
                    .unwrap() as u64;
                assert!(walked > 4, "{walked} rows for {labels:?}");
                assert_eq!(state.count_history(&filter).unwrap(), walked, "{labels:?}");
            }
            // A newer count begins while one runs: the older stops.
            std::thread::scope(|s| {
                let older = s.spawn(|| {
                    let mut outcomes = Vec::new();
                    for _ in 0..200 {
                        outcomes.push(state.count_history(&Default::default()));
                    }
                    outcomes
                });
                for _ in 0..200 {
                    let _ = state.count_history(&Default::default());
                }
                for outcome in older.join().unwrap() {
                    assert!(
                        matches!(outcome, Ok(_) | Err(CommandError::Cancelled)),
                        "an overtaken count is cancelled, never an error: {outcome:?}"
                    );
                }
            });
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
