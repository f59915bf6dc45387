// Shapes the shell sends. Core types (Classification and its parts) keep the
// core's snake_case JSON; shapes made for the UI (in src-tauri/src/dto.rs)
// use camelCase.

export type Speaker = "buyer" | "shop" | "unknown";
export type Axis = "motive" | "experience" | "intent" | "topic";

export interface Message {
  speaker: Speaker;
  name?: string;
  time?: string;
  text: string;
  system?: boolean;
}

export interface Evidence {
  /** Index into Classification.messages. */
  message: number;
  /** Start in Unicode scalar values (code points), not UTF-16 units. */
  start: number;
  end: number;
  text: string;
  rule: string;
}

export interface LabelScore {
  code: string;
  label: string;
  score: number;
  evidence: Evidence[];
}

export interface Classification {
  format: string;
  messages: Message[];
  motives: LabelScore[];
  experience: LabelScore;
  intent: LabelScore;
  topics: LabelScore[];
  buyer_credit: string | null;
}

export interface LabelInfo {
  code: string;
  zh: string;
  axis: Axis;
}

export interface SuggestedTemplate {
  id: number;
  title: string;
  /** The body with placeholders filled. */
  text: string;
  /** Why it was suggested, in Chinese. */
  why: string;
}

export interface Analysis {
  /** The stored conversation, or null when the store is unavailable. */
  conversationId: number | null;
  classification: Classification;
  templates: SuggestedTemplate[];
  /** Time spent in the core, in milliseconds. */
  elapsedMs: number;
}

export interface AppInfo {
  version: string;
  dbPath: string | null;
  /** Why the database could not be opened, if it could not. */
  storeError: string | null;
  lexiconVersion: string;
  conversations: number | null;
  /** The newest automatic backup, offered when the database is damaged or newer than this version. */
  restoreOffer: Backup | null;
  /** The database is being checked after an unexpected exit, or upgraded; the history waits for it. */
  checking: boolean;
  /** What the check does is bring a database of an older version up to date. */
  upgrading: boolean;
}

/** An automatic backup beside the database. */
export interface Backup {
  name: string;
  path: string;
  /** When it was taken, `YYYY-MM-DD HH:MM:SS` local time; null if the name does not say. */
  taken: string | null;
  bytes: number;
}

/** What restoring a backup did. */
export interface Restored {
  backup: Backup;
  /** Where the previous (damaged) file was kept; null if there was none. */
  keptAs: string | null;
  conversations: number;
}

export interface HistoryFilter {
  from?: string;
  to?: string;
  agent?: string;
  motive?: string;
  experience?: string;
  intent?: string;
  topic?: string;
  corrected?: boolean;
  search?: string;
}

export interface HistoryRow {
  id: number;
  /** The store's time of the row (for keyset paging). */
  at: number;
  /** Local `YYYY-MM-DD HH:MM:SS`: the chat's time, or the import's. */
  time: string;
  agent: string | null;
  buyer: string | null;
  motives: string[];
  experience: string | null;
  intent: string | null;
  topics: string[];
  corrected: boolean;
  preview: string;
}

export interface HistoryPage {
  rows: HistoryRow[];
  /** Whether rows follow this page. */
  more: boolean;
}

export interface Correction {
  motives?: string[];
  experience?: string;
  intent?: string;
  topics?: string[];
  /** Who corrects (the supervisor's name). */
  who: string;
  note?: string;
}

export interface EffectiveLabels {
  motives: string[];
  experience: string | null;
  intent: string | null;
  topics: string[];
}

export interface ConversationDetail {
  row: HistoryRow;
  classification: Classification | null;
  /** The labels before any correction. */
  original: EffectiveLabels;
  corrections: number;
}

export interface Stats {
  conversations: number;
  corrected: number;
  /** Count per label code. */
  labels: Record<string, number>;
  perDay: [string, number][];
  perAgent: { agent: string; conversations: number; labels: Record<string, number> }[];
}

export interface Template {
  id: number;
  title: string;
  body: string;
  group: string;
  tags: string[];
  shortcut: string | null;
  enabled: boolean;
  useCount: number;
}

export type TemplateEdit = Omit<Template, "id" | "useCount"> & { id: number | null };

export interface ImportProgress {
  filesDone: number;
  filesTotal: number;
  conversations: number;
  duplicates: number;
  currentFile: string | null;
}

export interface ImportSummary {
  files: number;
  conversationsAdded: number;
  duplicates: number;
  errors: ImportProblem[];
  cancelled: boolean;
}

/** A file (or a line of it) an import could not take, or took with a warning. */
export interface ImportProblem {
  path: string;
  kind: ImportProblemKind;
  /** The shell's message (English, with the line or row). */
  message: string;
}

export type ImportProblemKind = "too_large" | "not_text" | "unreadable" | "broken" | "skipped" | "no_chat" | "damaged";

export interface LexiconMatch {
  label: string;
  rule: string;
  text: string;
}

/** One motive's figures against corrected history. */
export interface LabelEval {
  code: string;
  /** Conversations a supervisor gave this label. */
  support: number;
  precision: number;
  recall: number;
  f1: number;
}

/** Eval figures, as `buyerlens eval --from-history` prints them. */
export interface EvalFigures {
  conversations: number;
  motivesMicroF1: number;
  motivesMacroF1: number;
  topicsMicroF1: number;
  experienceAccuracy: number;
  intentAccuracy: number;
  motives: LabelEval[];
  missedConversations: number;
}

export interface LexiconEval {
  edited: EvalFigures;
  saved: EvalFigures;
}
