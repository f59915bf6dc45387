// UI preferences kept in the webview's local storage (on this machine only):
// the agents' names and who is using the app now.

const AGENTS_KEY = "buyerlens.agents";
const CURRENT_KEY = "buyerlens.currentAgent";

export function agents(): string[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(AGENTS_KEY) ?? "[]");
    return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === "string") : [];
  } catch {
    return [];
  }
}

export function setAgents(names: string[]): void {
  const clean = [...new Set(names.map((n) => n.trim()).filter((n) => n.length > 0))];
  localStorage.setItem(AGENTS_KEY, JSON.stringify(clean));
}

export function currentAgent(): string | null {
  return localStorage.getItem(CURRENT_KEY);
}

export function setCurrentAgent(name: string | null): void {
  if (name) localStorage.setItem(CURRENT_KEY, name);
  else localStorage.removeItem(CURRENT_KEY);
}
