// Who is using the app: the agents' names live in the store (so backups
// carry them); which of them sits at this machine is a UI preference in
// the webview's local storage.

import { listAgents, saveAgents } from "./api";

const CURRENT_KEY = "buyerlens.currentAgent";
let cached: string[] = [];

/** The agents' names as last loaded. */
export function agents(): string[] {
  return cached;
}

/** Loads the names from the store; keeps the old list if that fails. */
export async function loadAgents(): Promise<string[]> {
  try {
    cached = await listAgents();
  } catch {
    // no store: the list stays as it was, the agent can still classify
  }
  return cached;
}

export async function setAgents(names: string[]): Promise<string[]> {
  cached = await saveAgents(names);
  return cached;
}

export function currentAgent(): string | null {
  return localStorage.getItem(CURRENT_KEY);
}

export function setCurrentAgent(name: string | null): void {
  if (name) localStorage.setItem(CURRENT_KEY, name);
  else localStorage.removeItem(CURRENT_KEY);
}
