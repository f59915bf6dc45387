//! Import: files and folders of transcripts → stored, classified
//! conversations.
//!
//! Supported files:
//! - `.txt` (any encoding [`decode`](crate::decode) reads): one or many
//!   chats, split at separator lines (`-----`, `=== 会话 2 ===`) and at
//!   two or more blank lines in a row;
//! - `.jsonl`: one object per line with `text` and optional `id`, `agent`,
//!   `buyer`, `shop`, `time`; a bad line is reported, the others go on;
//! - `.csv` / `.tsv` and `.xlsx` / `.xls` / `.ods` (every sheet): either a
//!   chat per row (a `text`/`对话`/`聊天记录` column), or a message per
//!   row (`时间,发送方,接收方,内容` …) grouped into chats by a session column
//!   or by the buyer's name;
//! - `.json`: one chat export.
//!
//! Conversations are classified in parallel and written in batches, one
//! transaction each: a crash or a cancel keeps every committed batch, and a
//! re-run skips what is stored (content hashes) without classifying it again.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock};

use rayon::prelude::*;
use regex::Regex;
use serde::Serialize;

use crate::classify::Classifier;
use crate::decode::decode_bytes;
use crate::error::{Error, Result};
use crate::store::{
    stored_hash, time, NewConversation, PreparedConversation, RecordOutcome, RuleNumbers, Store,
    IMPORT_WAL_CHECKPOINT_PAGES, WAL_CHECKPOINT_PAGES,
};

/// File extensions the importer reads.
pub const EXTENSIONS: &[&str] = &["txt", "jsonl", "json", "csv", "tsv", "xlsx", "xls", "ods"];

/// One conversation read from a file, before classification.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawConversation {
    /// The transcript.
    pub text: String,
    /// Where in the file (`id`, `line 3`, `row 7`, `chat 2`).
    pub source_ref: Option<String>,
    /// The agent, when the file says.
    pub agent: Option<String>,
    /// The buyer, when the file says.
    pub buyer: Option<String>,
    /// The shop, when the file says.
    pub shop: Option<String>,
    /// The chat's time (local seconds), when the file says.
    pub time: Option<i64>,
}

/// What a file held.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileConversations {
    /// The conversations, in file order.
    pub conversations: Vec<RawConversation>,
    /// Problems with parts of the file (a bad JSONL line), which were skipped.
    pub problems: Vec<String>,
    /// Set when some bytes were not valid in the file's encoding and were
    /// replaced (a cut-off or damaged file): what to tell the user.
    pub damaged: Option<String>,
}

/// The largest file an import reads, by default, in the CLI (`import
/// --max-file-mib` changes it) and in the app alike: 100 MiB, about
/// 200,000 chats. A file is read and decoded whole in memory (a GBK file
/// twice over), so a larger one could take gigabytes on a shop laptop;
/// it is refused by its size before anything is read (split it).
pub const MAX_FILE_BYTES: u64 = 100 << 20;

/// Conversations per transaction by default. Larger transactions write
/// each index page and full-text segment fewer times (measured with
/// callgrind on 20,000 synthetic chats: 5,000 a batch took 8% fewer
/// instructions to write than 1,000, FTS5 merges most), but the first
/// batch is prepared and the last one written with nothing beside it, so
/// an import of a few thousand chats wants several batches. 2,000 was as
/// fast as 5,000 for 20,000 chats (5.0-5.3 s against 5.0-5.7 s) and 15%
/// faster than 1,000; a batch is a fraction of a second, so cancelling
/// stays quick.
pub const DEFAULT_BATCH_SIZE: usize = 2000;

/// The largest automatic batch, for a store of a million conversations
/// or more.
///
/// When the store is large, most of what a batch writes is index pages
/// shared by the whole batch (the daily counts, the full-text segments)
/// or hit at random by each row (content hashes, and the times of a
/// backlog spread over the year); a larger batch writes each of them once
/// for more conversations. Measured at 1.26 million stored (schema 3),
/// importing 20,000 chats from all over a year (BENCHMARKS.md): 2,000 a
/// batch 6.3-6.4 s, 5,000 4.9-5.0 s, 10,000 4.3-4.6 s.
pub const LARGE_STORE_BATCH_SIZE: usize = 10_000;

/// Conversations per transaction when the import does not say: one per
/// hundred stored, between [`DEFAULT_BATCH_SIZE`] and
/// [`LARGE_STORE_BATCH_SIZE`]. The first batch of an import is never larger
/// than [`DEFAULT_BATCH_SIZE`], so that writing starts soon and the next
/// batch is classified beside it.
pub fn automatic_batch_size(stored: u64, first: bool) -> usize {
    if first {
        return DEFAULT_BATCH_SIZE;
    }
    let per_hundred = usize::try_from(stored / 100).unwrap_or(usize::MAX);
    per_hundred.clamp(DEFAULT_BATCH_SIZE, LARGE_STORE_BATCH_SIZE)
}

/// A batch closes once its transcripts hold this many bytes, whatever
/// `batch_size` says: two batches are in memory at once (one written, one
/// prepared), and long chats would otherwise make them large.
pub const MAX_BATCH_BYTES: usize = 32 << 20;

/// Import settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportOptions {
    /// Conversations per transaction (fewer when their text passes
    /// [`MAX_BATCH_BYTES`]); `None`: [`automatic_batch_size`].
    pub batch_size: Option<usize>,
    /// Files larger than this are refused.
    pub max_file_bytes: u64,
}

impl Default for ImportOptions {
    fn default() -> ImportOptions {
        ImportOptions {
            batch_size: None,
            max_file_bytes: MAX_FILE_BYTES,
        }
    }
}

/// Where an import stands; passed to the progress callback after every
/// batch and every file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportProgress {
    /// Files finished.
    pub files_done: usize,
    /// Files found.
    pub files_total: usize,
    /// The file being read.
    pub current: Option<PathBuf>,
    /// Conversations stored so far.
    pub conversations_added: usize,
    /// Conversations skipped as already stored.
    pub duplicates: usize,
}

/// A file or conversation that could not be imported, or was imported
/// with a warning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportProblem {
    /// The file.
    pub path: String,
    /// What kind of problem it is, for the app to say in its language.
    pub kind: ProblemKind,
    /// What went wrong (with the line or row when known).
    pub message: String,
}

/// The kinds of [`ImportProblem`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// The file is over the size limit; nothing of it was imported.
    TooLarge,
    /// The file is not text (an image, an archive); nothing was imported.
    NotText,
    /// The file or folder could not be read (missing, no permission).
    Unreadable,
    /// The file's structure is broken (a CSV's quotes, a spreadsheet that
    /// is not one); nothing of it was imported.
    Broken,
    /// One line, row or chat of the file was skipped; the rest was imported.
    Skipped,
    /// The file holds no chat.
    NoChat,
    /// Some bytes of the file were damaged and replaced; its chats were
    /// imported.
    Damaged,
}

impl ImportProblem {
    /// The problem `error` makes for the file at `path` as a whole; the
    /// message does not repeat the path, which the summary shows beside it.
    fn of_file(path: String, error: Error) -> ImportProblem {
        let (kind, message) = match error {
            Error::TooLarge { .. } => (ProblemKind::TooLarge, error.to_string()),
            Error::Binary { .. } => (ProblemKind::NotText, error.to_string()),
            Error::Io { source, .. } => {
                (ProblemKind::Unreadable, format!("cannot read it: {source}"))
            }
            Error::EmptyInput => (ProblemKind::NoChat, error.to_string()),
            Error::BadFile { message, .. } => (ProblemKind::Broken, message),
            other => (ProblemKind::Broken, other.to_string()),
        };
        ImportProblem {
            path,
            kind,
            message,
        }
    }
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    /// Files processed (including those skipped as unreadable).
    pub files: usize,
    /// Conversations stored.
    pub conversations_added: usize,
    /// Conversations already stored (skipped).
    pub duplicates: usize,
    /// Files and conversations skipped, and why.
    pub errors: Vec<ImportProblem>,
    /// The import was cancelled; committed batches are kept.
    pub cancelled: bool,
}

/// The supported files under `paths` (folders are walked recursively,
/// in name order); explicitly named files are kept whatever their extension.
///
/// # Errors
/// [`Error::Io`] for a path that does not exist or a folder that cannot be read.
pub fn collect_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        if meta.is_dir() {
            walk(path, &mut files)?;
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            walk(&path, files)?;
        } else if extension(&path).is_some_and(|e| EXTENSIONS.contains(&e.as_str())) {
            files.push(path);
        }
    }
    Ok(())
}

fn extension(path: &Path) -> Option<String> {
    path.extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
}

/// Reads the conversations of one file.
///
/// # Errors
/// [`Error::Io`], [`Error::TooLarge`], [`Error::Binary`] or
/// [`Error::BadFile`] when the file as a whole cannot be read.
pub fn read_file(path: &Path, max_bytes: u64) -> Result<FileConversations> {
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > max_bytes {
        return Err(Error::TooLarge {
            size,
            limit: max_bytes,
        });
    }
    let bad = |message: String| Error::BadFile {
        path: path.to_path_buf(),
        message,
    };
    match extension(path).as_deref() {
        Some("xlsx" | "xls" | "ods" | "xlsm" | "xlsb") => read_spreadsheet(path).map_err(bad),
        ext => {
            let bytes = std::fs::read(path).map_err(io)?;
            let decoded = decode_bytes(&bytes)?;
            let warning = decoded.lossy_warning();
            let text = decoded.text;
            let mut read = match ext {
                Some("jsonl") => Ok(read_jsonl(&text)),
                Some("csv") => read_delimited(&text, b',').map_err(bad),
                Some("tsv") => read_delimited(&text, b'\t').map_err(bad),
                Some("json") => Ok(FileConversations {
                    conversations: vec![RawConversation {
                        text,
                        ..Default::default()
                    }],
                    problems: Vec::new(),
                    damaged: None,
                }),
                _ => Ok(FileConversations {
                    conversations: split_conversations(&text)
                        .into_iter()
                        .enumerate()
                        .map(|(i, text)| RawConversation {
                            text,
                            source_ref: Some(format!("chat {}", i + 1)),
                            ..Default::default()
                        })
                        .collect(),
                    problems: Vec::new(),
                    damaged: None,
                }),
            }?;
            // Read anyway (the rest of the file is good), but say so.
            read.damaged = warning;
            Ok(read)
        }
    }
}

static SEPARATOR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:-{3,}|={3,}|\*{3,}|_{3,}|#{3,}|~{3,}|—{2,}).*$").expect("separator pattern")
});

/// Splits a text holding several chats: at separator lines (three or more
/// `-` `=` `*` `_` `#` `~`, or `——`, optionally with a title) and at runs
/// of two or more blank lines. Empty parts are dropped.
pub fn split_conversations(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    let mut blanks = 0;
    let flush = |current: &mut Vec<&str>, parts: &mut Vec<String>| {
        let joined = current.join("\n");
        let trimmed = joined.trim();
        if !trimmed.is_empty() {
            parts.push(trimmed.to_string());
        }
        current.clear();
    };
    for line in text.lines() {
        if SEPARATOR.is_match(line) {
            flush(&mut current, &mut parts);
            blanks = 0;
            continue;
        }
        if line.trim().is_empty() {
            blanks += 1;
            if blanks == 2 {
                flush(&mut current, &mut parts);
            }
            current.push(line);
            continue;
        }
        blanks = 0;
        current.push(line);
    }
    flush(&mut current, &mut parts);
    parts
}

fn json_string(value: Option<&serde_json::Value>) -> Option<String> {
    match value? {
        serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn read_jsonl(text: &str) -> FileConversations {
    let mut out = FileConversations::default();
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        if line.trim().is_empty() {
            continue;
        }
        let value: serde_json::Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(e) => {
                out.problems.push(format!("line {number}: not JSON ({e})"));
                continue;
            }
        };
        let Some(text) = value.get("text").and_then(|t| t.as_str()) else {
            out.problems
                .push(format!("line {number}: no \"text\" string"));
            continue;
        };
        out.conversations.push(RawConversation {
            text: text.to_string(),
            source_ref: Some(
                json_string(value.get("id")).unwrap_or_else(|| format!("line {number}")),
            ),
            agent: json_string(value.get("agent")),
            buyer: json_string(value.get("buyer")),
            shop: json_string(value.get("shop")),
            time: json_string(value.get("time")).and_then(|t| time::parse_local(&t)),
        });
    }
    out
}

fn read_delimited(text: &str, delimiter: u8) -> std::result::Result<FileConversations, String> {
    // Quotes in valid CSV come in pairs; the csv crate would read an
    // unclosed quote silently to the end of the file.
    if let Some(line) = unclosed_quote_line(text) {
        return Err(format!(
            "line {line}: a quoted field is never closed (unbalanced quotes)"
        ));
    }
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let record = record.map_err(|e| format!("row {}: {e}", index + 1))?;
        rows.push(record.iter().map(str::to_string).collect::<Vec<_>>());
    }
    Ok(from_table(&rows, delimiter))
}

/// The line where a quote opens that nothing closes, if any.
fn unclosed_quote_line(text: &str) -> Option<usize> {
    let mut open_at = None;
    for (index, line) in text.lines().enumerate() {
        let odd = line.matches('"').count() % 2 == 1;
        open_at = match (open_at, odd) {
            (None, true) => Some(index + 1),
            (Some(_), true) => None,
            (state, false) => state,
        };
    }
    open_at
}

fn read_spreadsheet(path: &Path) -> std::result::Result<FileConversations, String> {
    use calamine::Reader;
    let mut workbook = calamine::open_workbook_auto(path)
        .map_err(|e| format!("not a readable spreadsheet: {e}"))?;
    let mut out = FileConversations::default();
    for name in workbook.sheet_names() {
        let range = workbook
            .worksheet_range(&name)
            .map_err(|e| format!("sheet \"{name}\": {e}"))?;
        let rows: Vec<Vec<String>> = range
            .rows()
            .map(|row| row.iter().map(|cell| cell.to_string()).collect())
            .collect();
        let sheet = from_table(&rows, b',');
        for mut conversation in sheet.conversations {
            conversation.source_ref = Some(
                format!("{name} {}", conversation.source_ref.unwrap_or_default())
                    .trim()
                    .into(),
            );
            out.conversations.push(conversation);
        }
        out.problems.extend(
            sheet
                .problems
                .into_iter()
                .map(|p| format!("sheet \"{name}\": {p}")),
        );
    }
    Ok(out)
}

fn find_column(header: &[String], names: &[&str]) -> Option<usize> {
    header.iter().position(|h| {
        let h = h.trim().trim_start_matches('\u{feff}').to_lowercase();
        names.iter().any(|n| h == *n)
    })
}

const TEXT_COLUMNS: &[&str] = &[
    "text",
    "transcript",
    "conversation",
    "chat",
    "对话",
    "聊天记录",
    "对话内容",
    "会话内容",
];
const SESSION_COLUMNS: &[&str] = &[
    "session",
    "session_id",
    "sessionid",
    "conversation_id",
    "会话",
    "会话id",
    "对话id",
    "会话编号",
];
const PARTY_COLUMNS: &[&str] = &[
    "发送方",
    "接收方",
    "发送人",
    "接收人",
    "sender",
    "receiver",
    "talker",
    "talkerid",
    "昵称",
];

/// A table (first row = header) → conversations: a chat per row when there
/// is a transcript column, otherwise a message per row grouped into chats.
fn from_table(rows: &[Vec<String>], delimiter: u8) -> FileConversations {
    let mut out = FileConversations::default();
    let Some((header, body)) = rows.split_first() else {
        return out;
    };
    let body: Vec<(usize, &Vec<String>)> = body
        .iter()
        .enumerate()
        .filter(|(_, row)| row.iter().any(|c| !c.trim().is_empty()))
        .map(|(i, row)| (i + 2, row))
        .collect();
    let cell = |row: &Vec<String>, column: Option<usize>| {
        column
            .and_then(|c| row.get(c))
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    if let Some(text_column) = find_column(header, TEXT_COLUMNS) {
        let id = find_column(header, &["id", "编号", "会话id", "对话id"]);
        let agent = find_column(header, &["agent", "客服", "客服账号", "客服昵称"]);
        let buyer = find_column(header, &["buyer", "买家", "顾客", "买家昵称", "客户"]);
        let shop = find_column(header, &["shop", "店铺", "店铺名"]);
        let when = find_column(header, &["time", "时间", "日期", "date", "开始时间"]);
        for (number, row) in body {
            let Some(text) = cell(row, Some(text_column)) else {
                out.problems
                    .push(format!("row {number}: the transcript cell is empty"));
                continue;
            };
            out.conversations.push(RawConversation {
                text,
                source_ref: Some(cell(row, id).unwrap_or_else(|| format!("row {number}"))),
                agent: cell(row, agent),
                buyer: cell(row, buyer),
                shop: cell(row, shop),
                time: cell(row, when).and_then(|t| time::parse_local(&t)),
            });
        }
        return out;
    }
    // A message per row: group rows into chats, keep the header so the
    // transcript parser sees a CSV export.
    let session = find_column(header, SESSION_COLUMNS);
    let parties: Vec<usize> = header
        .iter()
        .enumerate()
        .filter(|(_, h)| PARTY_COLUMNS.contains(&h.trim().to_lowercase().as_str()))
        .map(|(i, _)| i)
        .collect();
    let key_of = |row: &Vec<String>| -> String {
        if let Some(s) = cell(row, session) {
            return s;
        }
        // The buyer's side of a message: the party without a shop
        // sub-account (`shop:agent`).
        parties
            .iter()
            .filter_map(|&c| cell(row, Some(c)))
            .find(|name| !name.contains(':') && !name.contains('：'))
            .unwrap_or_default()
    };
    let mut order: Vec<String> = Vec::new();
    let mut groups: HashMap<String, Vec<&Vec<String>>> = HashMap::new();
    for (_, row) in &body {
        let key = if session.is_some() || !parties.is_empty() {
            key_of(row)
        } else {
            String::new()
        };
        if !groups.contains_key(&key) {
            order.push(key.clone());
        }
        groups.entry(key).or_default().push(row);
    }
    for (index, key) in order.iter().enumerate() {
        let mut writer = csv::WriterBuilder::new()
            .delimiter(delimiter)
            .from_writer(Vec::new());
        let mut ok = writer.write_record(header).is_ok();
        for row in &groups[key] {
            ok &= writer.write_record(row.iter()).is_ok();
        }
        let text = writer
            .into_inner()
            .ok()
            .and_then(|b| String::from_utf8(b).ok());
        match text {
            Some(text) if ok => out.conversations.push(RawConversation {
                text,
                source_ref: Some(if key.is_empty() {
                    format!("chat {}", index + 1)
                } else {
                    key.clone()
                }),
                ..Default::default()
            }),
            _ => out
                .problems
                .push(format!("chat {}: cannot be re-assembled", index + 1)),
        }
    }
    out
}

/// Imports files and folders: each conversation is classified and stored,
/// `options.batch_size` per transaction (a batch may span small files). A
/// file that cannot be read is reported in the summary and skipped; the
/// others go on.
///
/// The work is pipelined: while one batch is written (SQLite has one
/// writer), the next is classified and prepared on the other cores.
/// Masking follows the store's setting as it is when the import starts.
///
/// `progress` is called when a file is started and after every written
/// batch. Setting `cancel` stops the import before the next batch is
/// written; committed batches are kept, the batch prepared but not yet
/// written is dropped (a re-run adds it).
///
/// # Errors
/// Only a database failure stops the import with an error (every batch
/// committed before it is kept); file problems are in the summary.
pub fn import_paths(
    store: &mut Store,
    classifier: &Classifier,
    paths: &[PathBuf],
    options: &ImportOptions,
    now: i64,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(&ImportProgress),
) -> Result<ImportSummary> {
    store.set_wal_checkpoint_pages(IMPORT_WAL_CHECKPOINT_PAGES)?;
    let imported = import_files(store, classifier, paths, options, now, cancel, progress);
    let restored = store.set_wal_checkpoint_pages(WAL_CHECKPOINT_PAGES);
    let summary = imported?;
    restored?;
    Ok(summary)
}

/// [`import_paths`] once the store is set up for a long run of batches.
fn import_files(
    store: &mut Store,
    classifier: &Classifier,
    paths: &[PathBuf],
    options: &ImportOptions,
    now: i64,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(&ImportProgress),
) -> Result<ImportSummary> {
    let mut summary = ImportSummary::default();
    let mut state = ImportProgress::default();
    let mut files = Vec::new();
    for path in paths {
        match collect_files(std::slice::from_ref(path)) {
            Ok(found) => files.extend(found),
            Err(e) => summary
                .errors
                .push(ImportProblem::of_file(path.display().to_string(), e)),
        }
    }
    state.files_total = files.len();
    progress(&state);
    let mask = store.masks_personal_data()?;
    let rules = store.number_rules(classifier.rule_ids())?;
    let mut pipeline = Pipeline {
        store,
        classifier,
        mask,
        rules,
        now,
        filling: Batch::default(),
        ready: None,
    };
    let stored_before = pipeline.store.conversation_count()?;
    let batch_size = |summary: &ImportSummary, first: bool| match options.batch_size {
        Some(size) => size.max(1),
        None => automatic_batch_size(stored_before + summary.conversations_added as u64, first),
    };
    let mut batches_closed = 0_usize;
    'files: for path in &files {
        if cancel.load(Ordering::Relaxed) {
            summary.cancelled = true;
            break;
        }
        state.current = Some(path.clone());
        progress(&state);
        let display = path.display().to_string();
        let read = match read_file(path, options.max_file_bytes) {
            Ok(read) => read,
            Err(e) => {
                summary.errors.push(ImportProblem::of_file(display, e));
                summary.files += 1;
                state.files_done += 1;
                continue;
            }
        };
        let problems_before = summary.errors.len();
        summary
            .errors
            .extend(read.problems.into_iter().map(|message| ImportProblem {
                path: display.clone(),
                kind: ProblemKind::Skipped,
                message,
            }));
        summary
            .errors
            .extend(read.damaged.map(|message| ImportProblem {
                path: display.clone(),
                kind: ProblemKind::Damaged,
                message,
            }));
        let count = read.conversations.len();
        if count == 0 {
            // Said once: a file whose every line was bad has its rows already.
            if summary.errors.len() == problems_before {
                summary.errors.push(ImportProblem {
                    path: display,
                    kind: ProblemKind::NoChat,
                    message: "no chat in this file: it is empty, or holds only blank lines or \
                              column headers"
                        .into(),
                });
            }
            summary.files += 1;
            state.files_done += 1;
            continue;
        }
        let source: Arc<str> = display.into();
        for (i, raw) in read.conversations.into_iter().enumerate() {
            pipeline.filling.bytes += raw.text.len();
            pipeline.filling.items.push((Arc::clone(&source), raw));
            if i + 1 == count {
                pipeline.filling.files_finished += 1;
            }
            if pipeline.filling.items.len() >= batch_size(&summary, batches_closed == 0)
                || pipeline.filling.bytes >= MAX_BATCH_BYTES
            {
                batches_closed += 1;
                if cancel.load(Ordering::Relaxed) {
                    summary.cancelled = true;
                    break 'files;
                }
                if let Some(written) = pipeline.step()? {
                    written.count_into(&mut summary, &mut state);
                    progress(&state);
                }
            }
        }
    }
    if !summary.cancelled {
        // The batch being filled, then the last prepared one.
        for _ in 0..2 {
            if let Some(written) = pipeline.step()? {
                written.count_into(&mut summary, &mut state);
                progress(&state);
            }
        }
    }
    Ok(summary)
}

/// Conversations gathered for one transaction.
#[derive(Default)]
struct Batch {
    /// Each conversation with the file it came from.
    items: Vec<(Arc<str>, RawConversation)>,
    /// Files whose last conversation is in this batch: done once it is written.
    files_finished: usize,
    /// The length of the transcripts gathered.
    bytes: usize,
}

/// A batch classified and prepared, waiting for its turn to be written.
struct ReadyBatch {
    prepared: Vec<PreparedConversation>,
    /// Skipped before classifying: already stored or repeated in the batch.
    duplicates: usize,
    /// Conversations the classifier refused.
    problems: Vec<ImportProblem>,
    files_finished: usize,
}

/// What writing one batch did.
struct WrittenBatch {
    ready: ReadyBatch,
    outcome: RecordOutcome,
}

impl WrittenBatch {
    fn count_into(self, summary: &mut ImportSummary, state: &mut ImportProgress) {
        summary.conversations_added += self.outcome.added;
        summary.duplicates += self.ready.duplicates + self.outcome.duplicates;
        summary.errors.extend(self.ready.problems);
        summary.files += self.ready.files_finished;
        state.files_done += self.ready.files_finished;
        state.conversations_added = summary.conversations_added;
        state.duplicates = summary.duplicates;
    }
}

/// Two batches in flight: one being written, the next being prepared.
struct Pipeline<'a> {
    store: &'a mut Store,
    classifier: &'a Classifier,
    mask: bool,
    /// The classifier's rules by number, for storing results.
    rules: RuleNumbers,
    now: i64,
    filling: Batch,
    ready: Option<ReadyBatch>,
}

impl Pipeline<'_> {
    /// Writes the prepared batch while the filled one is classified and
    /// prepared on the other threads; returns what was written, if any.
    fn step(&mut self) -> Result<Option<WrittenBatch>> {
        let batch = std::mem::take(&mut self.filling);
        let (fresh, duplicates) = skip_known(self.store, self.mask, batch)?;
        let previous = self.ready.take();
        let (classifier, mask, rules) = (self.classifier, self.mask, &self.rules);
        let version = classifier.lexicon_version();
        let now = self.now;
        let store = &mut *self.store;
        let (next, written) = rayon::join(
            || prepare(classifier, mask, rules, fresh, duplicates),
            || {
                previous
                    .map(|ready| {
                        let outcome = store.record_prepared(&ready.prepared, version, now)?;
                        Ok(WrittenBatch { ready, outcome })
                    })
                    .transpose()
            },
        );
        let nothing = next.prepared.is_empty()
            && next.problems.is_empty()
            && next.duplicates == 0
            && next.files_finished == 0;
        if !nothing {
            self.ready = Some(next);
        }
        written
    }
}

/// Drops what is stored or repeated in the batch, so it is not classified
/// again; returns the rest and how many were dropped. A chat is looked up
/// by [`stored_hash`] (the raw text's hash would miss every stored chat
/// that had personal data in it, and each would be classified again on
/// every re-import).
fn skip_known(store: &Store, mask: bool, batch: Batch) -> Result<(Batch, usize)> {
    // Masking is 3 µs a Qianniu-style chat and hashing 1.5 µs (measured on
    // 10,000): spread over the cores, as nothing else runs meanwhile.
    let hashes: Vec<[u8; 32]> = batch
        .items
        .par_iter()
        .map(|(_, raw)| stored_hash(&raw.text, mask))
        .collect();
    let mut seen = std::collections::HashSet::new();
    let mut duplicates = 0;
    let mut fresh = Batch {
        items: Vec::with_capacity(batch.items.len()),
        files_finished: batch.files_finished,
        bytes: batch.bytes,
    };
    for ((source, raw), hash) in batch.items.into_iter().zip(hashes) {
        if !seen.insert(hash) || store.find_by_hash(&hash)?.is_some() {
            duplicates += 1;
        } else {
            fresh.items.push((source, raw));
        }
    }
    Ok((fresh, duplicates))
}

/// Classifies and prepares a batch for writing, in parallel.
fn prepare(
    classifier: &Classifier,
    mask: bool,
    rules: &RuleNumbers,
    batch: Batch,
    duplicates: usize,
) -> ReadyBatch {
    let results: Vec<std::result::Result<PreparedConversation, ImportProblem>> = batch
        .items
        .into_par_iter()
        .map(|(source, raw)| {
            let problem = |e: Error| ImportProblem {
                path: source.to_string(),
                kind: ProblemKind::Skipped,
                message: format!(
                    "{}: {e}",
                    raw.source_ref.as_deref().unwrap_or("conversation")
                ),
            };
            let result = classifier.classify(&raw.text).map_err(problem)?;
            let conversation = NewConversation {
                source: source.to_string(),
                source_ref: raw.source_ref.clone(),
                agent: raw.agent,
                buyer: raw.buyer,
                shop: raw.shop,
                chat_at: raw.time,
                text: raw.text,
            };
            PreparedConversation::new(&conversation, &result, mask, rules).map_err(problem)
        })
        .collect();
    let mut ready = ReadyBatch {
        prepared: Vec::with_capacity(results.len()),
        duplicates,
        problems: Vec::new(),
        files_finished: batch.files_finished,
    };
    for result in results {
        match result {
            Ok(prepared) => ready.prepared.push(prepared),
            Err(problem) => ready.problems.push(problem),
        }
    }
    ready
}

#[cfg(test)]
mod tests {
    use super::*;

    // Automatic batches follow the store's size; the first stays small.
    // With masking on, a stored chat that had personal data in it is found
    // again by its text as pasted, so a re-import does not classify it
    // again; looked up by the raw text's hash, it was missed.
    #[test]
    fn stored_chats_are_found_by_their_masked_text() {
        let classifier = Classifier::new(&crate::Lexicon::default_lexicon()).unwrap();
        let text = "买家：寄到北京市朝阳区建国路88号，电话13812345678\n客服：好的";
        let mut store = Store::open_in_memory().unwrap();
        assert!(store.masks_personal_data().unwrap());
        let result = classifier.classify(text).unwrap();
        store
            .record(&NewConversation::pasted(text), &result, "v1", 1)
            .unwrap();
        assert_ne!(
            crate::privacy::mask(text),
            text,
            "the chat has personal data"
        );
        let batch = || Batch {
            items: vec![(
                Arc::from("chats.txt"),
                RawConversation {
                    text: text.into(),
                    ..RawConversation::default()
                },
            )],
            files_finished: 1,
            bytes: text.len(),
        };
        let (fresh, duplicates) = skip_known(&store, true, batch()).unwrap();
        assert_eq!((fresh.items.len(), duplicates), (0, 1));
        let (fresh, duplicates) = skip_known(&store, false, batch()).unwrap();
        assert_eq!((fresh.items.len(), duplicates), (1, 0));
    }

    #[test]
    fn automatic_batches_grow_with_the_store() {
        assert_eq!(automatic_batch_size(0, false), DEFAULT_BATCH_SIZE);
        assert_eq!(automatic_batch_size(150_000, false), DEFAULT_BATCH_SIZE);
        assert_eq!(automatic_batch_size(500_000, false), 5_000);
        assert_eq!(
            automatic_batch_size(1_000_000, false),
            LARGE_STORE_BATCH_SIZE
        );
        assert_eq!(
            automatic_batch_size(50_000_000, false),
            LARGE_STORE_BATCH_SIZE
        );
        // The first batch starts the pipeline whatever the store holds.
        assert_eq!(automatic_batch_size(1_000_000, true), DEFAULT_BATCH_SIZE);
    }

    // Separator lines and double blank lines end a chat; single blank lines don't.
    #[test]
    fn splits_at_boundaries() {
        let text = "买家：在吗\n\n客服：在的\n\n\n买家：有货吗\n客服：有\n===== 会话 3 =====\n买家：包邮吗\n";
        let parts = split_conversations(text);
        assert_eq!(
            parts,
            vec![
                "买家：在吗\n\n客服：在的",
                "买家：有货吗\n客服：有",
                "买家：包邮吗"
            ]
        );
    }

    // A bad JSONL line is reported by number; the others are read.
    #[test]
    fn jsonl_bad_line_reported() {
        let read = read_jsonl("{\"id\": \"a\", \"text\": \"买家：在吗\"}\n{oops\n{\"id\": 7, \"text\": \"x\", \"agent\": \"小雅\", \"time\": \"2024-05-01 10:00:00\"}\n{\"id\": \"c\"}\n");
        assert_eq!(read.conversations.len(), 2);
        assert_eq!(read.conversations[1].source_ref.as_deref(), Some("7"));
        assert_eq!(read.conversations[1].agent.as_deref(), Some("小雅"));
        assert!(read.conversations[1].time.is_some());
        assert_eq!(read.problems.len(), 2);
        assert!(
            read.problems[0].starts_with("line 2:"),
            "{:?}",
            read.problems
        );
        assert!(
            read.problems[1].starts_with("line 4:"),
            "{:?}",
            read.problems
        );
    }

    // A message-per-row CSV is grouped into chats by the buyer's name.
    #[test]
    fn csv_messages_grouped_by_buyer() {
        let csv = "时间,发送方,接收方,内容\n\
            2024-05-01 10:00:00,tb_a,店:小雅,在吗\n\
            2024-05-01 10:00:05,店:小雅,tb_a,在的\n\
            2024-05-01 11:00:00,tb_b,店:小雅,有货吗\n\
            2024-05-01 10:01:00,tb_a,店:小雅,包邮吗\n";
        let read = read_delimited(csv, b',').unwrap();
        assert_eq!(read.conversations.len(), 2);
        assert_eq!(read.conversations[0].source_ref.as_deref(), Some("tb_a"));
        assert!(read.conversations[0]
            .text
            .starts_with("时间,发送方,接收方,内容\n"));
        assert_eq!(read.conversations[0].text.lines().count(), 4);
        assert_eq!(read.conversations[1].text.lines().count(), 2);
    }

    // A chat-per-row CSV keeps its metadata columns.
    #[test]
    fn csv_chat_per_row() {
        let csv = "id,客服,text\n1,小雅,\"买家：在吗\n客服：在的\"\n2,阿杰,\n";
        let read = read_delimited(csv, b',').unwrap();
        assert_eq!(read.conversations.len(), 1);
        assert_eq!(read.conversations[0].agent.as_deref(), Some("小雅"));
        assert_eq!(read.conversations[0].text, "买家：在吗\n客服：在的");
        assert_eq!(
            read.problems,
            vec!["row 3: the transcript cell is empty".to_string()]
        );
    }

    // Unbalanced quotes make a broken CSV an error naming the line.
    #[test]
    fn broken_csv_is_an_error() {
        let csv = "id,text\n1,\"买家：在吗\n2,ok\n3,\"\"\"引号\"\"\"\n";
        let message = read_delimited(csv, b',').unwrap_err();
        assert!(message.starts_with("line 2:"), "{message}");
        assert!(read_delimited("id,text\n1,\"a \"\"b\"\" c\"\n", b',').is_ok());
    }
}
