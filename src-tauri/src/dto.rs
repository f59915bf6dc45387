//! Shapes that exist only for the UI (camelCase JSON), converted from core
//! types at the boundary. Core types (`Classification` and its parts) go
//! through as they are.

use std::collections::BTreeMap;
use std::path::Path;

use buyerlens_core::eval::Report;
use buyerlens_core::import::{ImportProblem, ImportProgress, ImportSummary};
use buyerlens_core::label::{Axis, Label};
use buyerlens_core::store::{
    time, ConversationDetail, Correction, EffectiveLabels, HistoryFilter, HistoryRecord, Stats,
    StatsFilter, Template, TemplateDraft,
};
use buyerlens_core::suggest::Suggestion;
use buyerlens_core::Classification;
use serde::{Deserialize, Serialize};

use crate::error::{CommandError, CommandResult};

/// One analysis as the Analyze screen shows it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Analysis {
    /// The stored conversation; `None` when the store is unavailable.
    pub conversation_id: Option<i64>,
    pub classification: Classification,
    pub templates: Vec<Suggestion>,
    /// Time spent classifying and storing, in milliseconds.
    pub elapsed_ms: f64,
}

/// A label of the taxonomy.
#[derive(Debug, Serialize)]
pub struct LabelInfo {
    pub code: &'static str,
    pub zh: &'static str,
    pub axis: &'static str,
}

impl LabelInfo {
    pub fn all() -> Vec<LabelInfo> {
        Label::ALL
            .iter()
            .map(|l| LabelInfo {
                code: l.code(),
                zh: l.zh(),
                axis: l.axis().code(),
            })
            .collect()
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    pub version: &'static str,
    pub db_path: Option<String>,
    pub store_error: Option<String>,
    pub lexicon_version: String,
    pub conversations: Option<u64>,
    /// The newest automatic backup, offered when the database is damaged
    /// or newer than this build.
    pub restore_offer: Option<BackupDto>,
    /// The database is being checked after an unexpected exit: the UI
    /// waits (asking again) before it uses the history.
    pub checking: bool,
    /// What the check does is bring an older schema up to date.
    pub upgrading: bool,
}

/// An automatic backup as the restore offer names it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BackupDto {
    /// The file name (`buyerlens-auto-<database>-YYYYMMDD-HHMMSS.sqlite`,
    /// or `buyerlens-auto-YYYYMMDD-HHMMSS.sqlite` before backups were per
    /// database).
    pub name: String,
    pub path: String,
    /// When it was taken (local time, `YYYY-MM-DD HH:MM:SS`, from the
    /// name); `None` when the name carries no time.
    pub taken: Option<String>,
    pub bytes: u64,
}

impl BackupDto {
    pub fn of(path: &Path) -> BackupDto {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let taken = buyerlens_core::store::automatic_backup_stamp(path)
            .and_then(|stamp| chrono::NaiveDateTime::parse_from_str(stamp, "%Y%m%d-%H%M%S").ok())
            .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string());
        BackupDto {
            name,
            path: path.display().to_string(),
            taken,
            bytes: std::fs::metadata(path).map_or(0, |m| m.len()),
        }
    }
}

/// What a restore did.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RestoredDto {
    /// The backup now in use.
    pub backup: BackupDto,
    /// Where the damaged (or newer) file was kept; `None` if there was none.
    pub kept_as: Option<String>,
    pub conversations: u64,
}

/// History filters as the UI sends them: dates as `YYYY-MM-DD`, labels by code.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HistoryFilterDto {
    pub from: Option<String>,
    pub to: Option<String>,
    pub agent: Option<String>,
    pub motive: Option<String>,
    pub experience: Option<String>,
    pub intent: Option<String>,
    pub topic: Option<String>,
    pub corrected: Option<bool>,
    pub search: Option<String>,
}

fn label(axis: Axis, code: &Option<String>) -> CommandResult<Option<Label>> {
    match code.as_deref().filter(|c| !c.is_empty()) {
        None => Ok(None),
        Some(code) => Label::from_axis_code(axis, code).map(Some).ok_or_else(|| {
            CommandError::BadInput(format!("unknown {} label {code:?}", axis.code()))
        }),
    }
}

fn day(text: &Option<String>, end_of_day: bool) -> CommandResult<Option<i64>> {
    match text.as_deref().filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => time::parse_local(t)
            .map(|s| Some(if end_of_day { s + 86_399 } else { s }))
            .ok_or_else(|| CommandError::BadInput(format!("not a date: {t:?}"))),
    }
}

impl HistoryFilterDto {
    pub fn to_core(&self, offset: u64, limit: u32) -> CommandResult<HistoryFilter> {
        let labels = [
            label(Axis::Motive, &self.motive)?,
            label(Axis::Experience, &self.experience)?,
            label(Axis::Intent, &self.intent)?,
            label(Axis::Topic, &self.topic)?,
        ];
        Ok(HistoryFilter {
            from: day(&self.from, false)?,
            to: day(&self.to, true)?,
            agent: self.agent.clone().filter(|a| !a.trim().is_empty()),
            labels: labels.into_iter().flatten().collect(),
            corrected: self.corrected.filter(|&c| c),
            search: self.search.clone().filter(|s| !s.trim().is_empty()),
            limit,
            offset,
            ..HistoryFilter::default()
        })
    }

    pub fn to_stats(&self) -> CommandResult<StatsFilter> {
        Ok(StatsFilter {
            from: day(&self.from, false)?,
            to: day(&self.to, true)?,
            agent: self.agent.clone().filter(|a| !a.trim().is_empty()),
        })
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryRow {
    pub id: i64,
    /// The row's time in the store's unit (local seconds), for keyset paging.
    pub at: i64,
    /// `YYYY-MM-DD HH:MM:SS`, local.
    pub time: String,
    pub agent: Option<String>,
    pub buyer: Option<String>,
    pub motives: Vec<Label>,
    pub experience: Option<Label>,
    pub intent: Option<Label>,
    pub topics: Vec<Label>,
    pub corrected: bool,
    pub preview: String,
}

impl From<&HistoryRecord> for HistoryRow {
    fn from(r: &HistoryRecord) -> HistoryRow {
        let EffectiveLabels {
            motives,
            experience,
            intent,
            topics,
            ..
        } = r.labels.clone();
        HistoryRow {
            id: r.id,
            at: r.at,
            time: time::format_local(r.at),
            agent: r.agent.clone(),
            buyer: r.buyer.clone(),
            motives,
            experience,
            intent,
            topics,
            corrected: r.corrected,
            preview: r.preview.clone(),
        }
    }
}

/// A page of history. The store has no filtered count, so `more` says
/// whether rows follow this page.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryPage {
    pub rows: Vec<HistoryRow>,
    pub more: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConversationDto {
    pub row: HistoryRow,
    pub classification: Option<Classification>,
    pub original: EffectiveLabels,
    pub corrections: usize,
}

impl From<&ConversationDetail> for ConversationDto {
    fn from(d: &ConversationDetail) -> ConversationDto {
        ConversationDto {
            row: HistoryRow::from(&d.record),
            classification: d.classification.clone(),
            original: d.original_labels.clone(),
            corrections: d.corrections.len(),
        }
    }
}

/// A correction as the form sends it (label codes).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CorrectionDto {
    pub motives: Option<Vec<String>>,
    pub experience: Option<String>,
    pub intent: Option<String>,
    pub topics: Option<Vec<String>>,
    pub who: String,
    pub note: Option<String>,
}

fn labels(axis: Axis, codes: &Option<Vec<String>>) -> CommandResult<Option<Vec<Label>>> {
    codes
        .as_ref()
        .map(|codes| {
            codes
                .iter()
                .map(|c| label(axis, &Some(c.clone())).map(|l| l.expect("non-empty")))
                .collect()
        })
        .transpose()
}

impl CorrectionDto {
    pub fn to_core(&self) -> CommandResult<Correction> {
        Ok(Correction {
            motives: labels(Axis::Motive, &self.motives)?,
            experience: label(Axis::Experience, &self.experience)?,
            intent: label(Axis::Intent, &self.intent)?,
            topics: labels(Axis::Topic, &self.topics)?,
            who: self.who.clone(),
            note: self.note.clone().filter(|n| !n.trim().is_empty()),
        })
    }
}

/// Report figures for the charts.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatsDto {
    pub conversations: u64,
    pub corrected: u64,
    /// Count per label code.
    pub labels: BTreeMap<&'static str, u64>,
    pub per_day: Vec<(String, u64)>,
    pub per_agent: Vec<AgentStats>,
}

#[derive(Debug, Serialize)]
pub struct AgentStats {
    pub agent: String,
    pub conversations: u64,
    pub labels: BTreeMap<&'static str, u64>,
}

impl From<Stats> for StatsDto {
    fn from(s: Stats) -> StatsDto {
        StatsDto {
            conversations: s.conversations,
            corrected: s.corrected,
            labels: s.labels.iter().map(|l| (l.code.code(), l.count)).collect(),
            per_day: s
                .days
                .into_iter()
                .map(|d| (d.period, d.conversations))
                .collect(),
            per_agent: s
                .agents
                .into_iter()
                .map(|a| AgentStats {
                    agent: a.agent,
                    conversations: a.conversations,
                    labels: a.labels,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TemplateDto {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub group: String,
    pub tags: Vec<Label>,
    pub shortcut: Option<String>,
    pub enabled: bool,
    pub use_count: u32,
}

impl From<&Template> for TemplateDto {
    fn from(t: &Template) -> TemplateDto {
        TemplateDto {
            id: t.id,
            title: t.title.clone(),
            body: t.body.clone(),
            group: t.group.clone(),
            tags: t.tags.clone(),
            shortcut: t.shortcut.clone(),
            enabled: t.enabled,
            use_count: t.use_count,
        }
    }
}

/// A template from the editor; `id: None` adds one.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TemplateEdit {
    pub id: Option<i64>,
    pub title: String,
    pub body: String,
    pub group: String,
    pub tags: Vec<Label>,
    pub shortcut: Option<String>,
    pub enabled: bool,
}

impl TemplateEdit {
    /// The draft, keeping the stored template's pack key when editing.
    pub fn to_draft(&self, key: Option<String>) -> TemplateDraft {
        TemplateDraft {
            key,
            title: self.title.trim().to_string(),
            body: self.body.clone(),
            tags: self.tags.clone(),
            group: self.group.trim().to_string(),
            shortcut: self.shortcut.clone().filter(|s| !s.trim().is_empty()),
            enabled: self.enabled,
        }
    }
}

/// One cue that matched in the lexicon tester.
#[derive(Debug, Serialize)]
pub struct LexiconMatch {
    pub label: String,
    pub rule: String,
    pub text: String,
}

/// Import progress, sent as the `import-progress` event.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportProgressDto {
    pub files_done: usize,
    pub files_total: usize,
    pub conversations: usize,
    pub duplicates: usize,
    pub current_file: Option<String>,
}

impl From<&ImportProgress> for ImportProgressDto {
    fn from(p: &ImportProgress) -> ImportProgressDto {
        ImportProgressDto {
            files_done: p.files_done,
            files_total: p.files_total,
            conversations: p.conversations_added,
            duplicates: p.duplicates,
            current_file: p.current.as_ref().map(|c| c.display().to_string()),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportSummaryDto {
    pub files: usize,
    pub conversations_added: usize,
    pub duplicates: usize,
    pub errors: Vec<ImportProblem>,
    pub cancelled: bool,
}

impl From<ImportSummary> for ImportSummaryDto {
    fn from(s: ImportSummary) -> ImportSummaryDto {
        ImportSummaryDto {
            files: s.files,
            conversations_added: s.conversations_added,
            duplicates: s.duplicates,
            errors: s.errors,
            cancelled: s.cancelled,
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SupervisorStatus {
    pub pin_set: bool,
    pub unlocked: bool,
}

/// What `export_history` writes.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// UTF-8 CSV with a BOM (Excel and WPS show the Chinese).
    Csv,
    /// An xlsx workbook with a sheet of counts.
    Xlsx,
}

/// One label's figures in an evaluation.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LabelEvalDto {
    pub code: String,
    /// Conversations a supervisor gave the label (true positives + misses).
    pub support: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

/// The headline figures of an evaluation against corrected history.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EvalDto {
    pub conversations: usize,
    pub motives_micro_f1: f64,
    pub motives_macro_f1: f64,
    pub topics_micro_f1: f64,
    pub experience_accuracy: f64,
    pub intent_accuracy: f64,
    /// Per motive, in taxonomy order.
    pub motives: Vec<LabelEvalDto>,
    /// Conversations with at least one label wrong.
    pub missed_conversations: usize,
}

impl From<Report> for EvalDto {
    fn from(r: Report) -> EvalDto {
        let missed: std::collections::BTreeSet<&str> =
            r.misses.iter().map(|m| m.id.as_str()).collect();
        EvalDto {
            conversations: r.conversations,
            motives_micro_f1: r.motives.micro_f1,
            motives_macro_f1: r.motives.macro_f1,
            topics_micro_f1: r.topics.micro_f1,
            experience_accuracy: r.experience.accuracy,
            intent_accuracy: r.intent.accuracy,
            motives: r
                .motives
                .labels
                .iter()
                .map(|l| LabelEvalDto {
                    code: l.code.clone(),
                    support: l.tp + l.fn_,
                    precision: l.precision,
                    recall: l.recall,
                    f1: l.f1,
                })
                .collect(),
            missed_conversations: missed.len(),
        }
    }
}

/// The edited lexicon's figures beside the saved one's.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LexiconEvalDto {
    pub edited: EvalDto,
    pub saved: EvalDto,
}
