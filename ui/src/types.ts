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
  dataDir: string;
  dbPath: string;
  lexiconVersion: string;
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
  /** Unix seconds. */
  importedAt: number;
  chatTime: string | null;
  agent: string | null;
  buyer: string | null;
  motives: string[];
  experience: string;
  intent: string;
  topics: string[];
  corrected: boolean;
  preview: string;
}

export interface HistoryPage {
  rows: HistoryRow[];
  total: number;
}

export interface Correction {
  motives?: string[];
  experience?: string;
  intent?: string;
  topics?: string[];
  note?: string;
}

export interface ConversationDetail {
  row: HistoryRow;
  analysis: Analysis;
}

export interface Stats {
  conversations: number;
  motives: Record<string, number>;
  experience: Record<string, number>;
  intent: Record<string, number>;
  topics: Record<string, number>;
  perDay: { day: string; count: number }[];
  perAgent: { agent: string; count: number; motives: Record<string, number> }[];
}

export interface Template {
  id: number;
  title: string;
  body: string;
  group: string | null;
  tags: string[];
  shortcut: string | null;
  enabled: boolean;
  useCount: number;
}

export type TemplateDraft = Omit<Template, "id" | "useCount"> & { id: number | null };

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
  errors: { path: string; message: string }[];
  cancelled: boolean;
}

export interface LexiconMatch {
  label: string;
  rule: string;
  text: string;
}
