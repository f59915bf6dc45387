#!/usr/bin/env bash
# README screenshots from the real window under Xvfb (1366×768, the typical
# shop laptop), light and dark: scripts/screenshots.sh [OUT_DIR]
# (default docs/screenshots). Uses the same driver as scripts/e2e.sh, a
# fresh database, and the labeled corpus (../shared/corpus/dev.jsonl, or
# SHOTS_CORPUS) so History has data. Needs scripts/setup-desktop.sh.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if [[ "${1:-}" != "--inside-display" ]]; then
  out="$(realpath -m "${1:-$repo/docs/screenshots}")"
  mkdir -p "$out"
  # BUYERLENS_APP may name an already built binary (e.g. a release build).
  BUYERLENS_APP="${BUYERLENS_APP:-$("$repo/scripts/build-desktop.sh")}"
  export BUYERLENS_APP SHOTS_DIR="$out"
  export SHOTS_CORPUS="${SHOTS_CORPUS:-$repo/../shared/corpus/dev.jsonl}"
  SHOTS_SUFFIX="" xvfb-run -a -s "-screen 0 1366x768x24" "$0" --inside-display
  # WebKitGTK follows the GTK theme for prefers-color-scheme.
  SHOTS_SUFFIX="-dark" GTK_THEME=Adwaita:dark xvfb-run -a -s "-screen 0 1366x768x24" "$0" --inside-display
  ls -1 "$out"
  exit 0
fi

work="$(mktemp -d)"
export BUYERLENS_DB="$work/shots.sqlite"
export WEBKIT_DISABLE_COMPOSITING_MODE=1 WEBKIT_DISABLE_DMABUF_RENDERER=1
export TAURI_DRIVER_PORT="${TAURI_DRIVER_PORT:-4444}" E2E_SHOTS=1
tauri-driver --port "$TAURI_DRIVER_PORT" --native-port $((TAURI_DRIVER_PORT + 1)) >"$work/tauri-driver.log" 2>&1 &
driver_pid=$!
trap 'kill "$driver_pid" 2>/dev/null || true; wait "$driver_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 50); do
  if (echo >"/dev/tcp/127.0.0.1/$TAURI_DRIVER_PORT") 2>/dev/null; then break; fi
  sleep 0.1
done
cd "$repo/ui" && npx vitest run -c vitest.e2e.config.ts
