// The only module that talks to the Tauri shell. Every command is a typed
// function; a failed command rejects with an ApiError whose `kind` the UI
// may branch on (never on the message text).

import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import { getCurrentWebview } from "@tauri-apps/api/webview";
import { writeText } from "@tauri-apps/plugin-clipboard-manager";
import { open, save } from "@tauri-apps/plugin-dialog";

import type {
  Analysis,
  AppInfo,
  ConversationDetail,
  Correction,
  HistoryFilter,
  HistoryPage,
  HistoryRow,
  ImportProgress,
  ImportSummary,
  LabelInfo,
  LexiconEval,
  LexiconMatch,
  Restored,
  Stats,
  Template,
  TemplateEdit,
} from "./types";

/** Error kinds the shell sends (src-tauri/src/error.rs). */
export type ErrorKind =
  | "empty_input"
  | "binary"
  | "too_large"
  | "lexicon"
  | "bad_input"
  | "io"
  | "store"
  | "not_found"
  | "cancelled"
  | "unavailable"
  | "checking"
  | "locked"
  | "wrong_pin"
  | "internal";

export class ApiError extends Error {
  readonly kind: ErrorKind;
  constructor(kind: ErrorKind, message: string) {
    super(message);
    this.name = "ApiError";
    this.kind = kind;
  }
}

function isCommandError(e: unknown): e is { kind: ErrorKind; message: string } {
  return (
    typeof e === "object" &&
    e !== null &&
    typeof (e as { kind?: unknown }).kind === "string" &&
    typeof (e as { message?: unknown }).message === "string"
  );
}

/** Calls a command and turns every failure into an ApiError. */
export async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    if (isCommandError(e)) throw new ApiError(e.kind, e.message);
    throw new ApiError("internal", typeof e === "string" ? e : String(e));
  }
}

// --- analysis -------------------------------------------------------------

export const classifyTranscript = (text: string, agent: string | null) =>
  call<Analysis>("classify_transcript", { text, agent });

export const listLabels = () => call<LabelInfo[]>("list_labels");

export const appInfo = () => call<AppInfo>("app_info");

/** Replaces a damaged (or newer) database with the offered backup `name`; the old file is kept beside it. */
export const restoreLatestBackup = (name: string) => call<Restored>("restore_latest_backup", { name });

/** Tells the shell the first screen is up (start-up timing). */
export const uiReady = () => call<void>("ui_ready");

/** Copies a reply to the clipboard and records that it was used. */
export async function copyTemplate(
  templateId: number,
  conversationId: number | null,
  text: string,
): Promise<void> {
  try {
    await writeText(text);
  } catch (e) {
    throw new ApiError("internal", `无法写入剪贴板：${String(e)}`);
  }
  await call<void>("record_template_use", { templateId, conversationId });
}

// --- history --------------------------------------------------------------

/** A page at `offset`, or (cheaper deep down) right after the row `after`. */
export const listHistory = (filter: HistoryFilter, offset: number, limit: number, after: HistoryRow | null = null) =>
  call<HistoryPage>("list_history", { filter, offset, limit, after: after ? [after.at, after.id] : null });

export const getConversation = (id: number) =>
  call<ConversationDetail>("get_conversation", { id });

export const correctLabels = (id: number, correction: Correction) =>
  call<number>("correct_labels", { id, correction });

export const historyStats = (filter: HistoryFilter) =>
  call<Stats>("history_stats", { filter });

/** How many rows the filter matches in all. */
export const countHistory = (filter: HistoryFilter) => call<number>("count_history", { filter });

/** Writes the filtered history to a CSV or xlsx file; resolves to the row count. */
export const exportHistory = (filter: HistoryFilter, path: string, format: "csv" | "xlsx") =>
  call<number>("export_history", { filter, path, format });


// --- templates ------------------------------------------------------------

export const listTemplates = () => call<Template[]>("list_templates");

export const saveTemplate = (template: TemplateEdit) => call<number>("save_template", { template });

export const deleteTemplate = (id: number) => call<void>("delete_template", { id });

/** Writes all templates to a pack file; resolves to how many. */
export const exportTemplates = (path: string) => call<number>("export_templates", { path });
export const importTemplates = (path: string) =>
  call<{ added: number; updated: number }>("import_templates", { path });

/** Asks for one file to open with the given extensions; null if cancelled. */
export async function pickOpenPath(name: string, extensions: string[]): Promise<string | null> {
  const stub = stubbedDialog<string>();
  if (stub !== undefined) return stub;
  const picked = await open({ multiple: false, directory: false, filters: [{ name, extensions }] });
  return typeof picked === "string" ? picked : null;
}

export const previewTemplate = (body: string, agent: string | null) =>
  call<string>("preview_template", { body, agent });

// --- lexicon --------------------------------------------------------------

export const getLexicon = () => call<string>("get_lexicon");

export const tryLexicon = (source: string, phrase: string) =>
  call<LexiconMatch[]>("try_lexicon", { source, phrase });

/** Validates and saves; resolves to the new lexicon version. */
export const saveLexicon = (source: string) => call<string>("save_lexicon", { source });

export const resetLexicon = () => call<string>("reset_lexicon");

/** The edited lexicon's and the saved one's figures against corrected history. */
export const evalLexicon = (source: string) => call<LexiconEval>("eval_lexicon", { source });

// --- import ---------------------------------------------------------------

export const importPaths = (paths: string[]) => call<ImportSummary>("import_paths", { paths });

export const cancelImport = () => call<void>("cancel_import");

export function onImportProgress(fn: (p: ImportProgress) => void): Promise<UnlistenFn> {
  return listen<ImportProgress>("import-progress", (event) => fn(event.payload));
}

/** The database check after an unexpected exit is over (see checking.ts). */
export function onStoreChecked(fn: () => void): Promise<UnlistenFn> {
  return listen("store-checked", () => fn());
}

/** Paths dropped on the window (Tauri gives real paths, not File objects). */
export function onFilesDropped(fn: (paths: string[]) => void): Promise<UnlistenFn> {
  return getCurrentWebview().onDragDropEvent((event) => {
    if (event.payload.type === "drop") fn(event.payload.paths);
  });
}

/**
 * The native file dialogs are out of WebDriver's reach: an end-to-end test
 * puts the answer in `window.__BUYERLENS_E2E_PICK__` before it clicks, and
 * the next dialog takes it from there instead of opening. (Page script can
 * call every command anyway, so this opens nothing new.)
 */
function stubbedDialog<T>(): T | undefined {
  const w = window as unknown as { __BUYERLENS_E2E_PICK__?: T };
  const picked = w.__BUYERLENS_E2E_PICK__;
  delete w.__BUYERLENS_E2E_PICK__;
  return picked;
}

export async function pickImportFiles(folders: boolean): Promise<string[]> {
  const stub = stubbedDialog<string[]>();
  if (stub !== undefined) return stub;
  const picked = await open({
    multiple: true,
    directory: folders,
    filters: folders
      ? undefined
      : [{ name: "聊天记录", extensions: ["txt", "csv", "jsonl", "json", "xlsx", "tsv"] }],
  });
  if (picked === null) return [];
  return Array.isArray(picked) ? picked : [picked];
}

export async function pickSavePath(defaultName: string, extension: string): Promise<string | null> {
  const stub = stubbedDialog<string>();
  if (stub !== undefined) return stub;
  return save({ defaultPath: defaultName, filters: [{ name: extension.toUpperCase(), extensions: [extension] }] });
}

// --- settings -------------------------------------------------------------

export const listAgents = () => call<string[]>("list_agents");
export const saveAgents = (agents: string[]) => call<string[]>("save_agents", { agents });
export const backupDatabase = (path: string) => call<void>("backup_database", { path });

// --- supervisor PIN -------------------------------------------------------

export const supervisorStatus = () => call<{ pinSet: boolean; unlocked: boolean }>("supervisor_status");
export const unlockSupervisor = (pin: string) => call<void>("unlock_supervisor", { pin });
/** Sets the PIN, or removes it with null. */
export const setSupervisorPin = (pin: string | null) => call<void>("set_supervisor_pin", { pin });
