#!/usr/bin/env bash
# End-to-end tests through the real window: builds the app, then, inside a
# virtual X display, starts tauri-driver (which drives Debian's
# WebKitWebDriver) and runs ui/e2e/*.e2e.ts with WebdriverIO against a
# fresh database (and the CLI beside it: BUYERLENS_CLI). Needs
# scripts/setup-desktop.sh to have run.
# Arguments go to Vitest, e.g. `scripts/e2e.sh restore` runs only
# e2e/restore.e2e.ts. e2e/network.e2e.ts runs the app under strace (no
# IPv4/IPv6 connection but loopback) and says SKIPPED where ptrace is not
# allowed.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if [[ "${1:-}" != "--inside-display" ]]; then
  for tool in xvfb-run tauri-driver WebKitWebDriver xclip; do
    command -v "$tool" >/dev/null || { echo "e2e: $tool is missing: run scripts/setup-desktop.sh" >&2; exit 2; }
  done
  # BUYERLENS_APP may name an already built binary (e.g. a release build).
  BUYERLENS_APP="${BUYERLENS_APP:-$("$repo/scripts/build-desktop.sh")}"
  export BUYERLENS_APP
  # The CLI, which e2e/concurrent.e2e.ts runs beside the app.
  if [[ -z "${BUYERLENS_CLI:-}" ]]; then
    (cd "$repo" && cargo build --quiet --bin buyerlens)
    BUYERLENS_CLI="${CARGO_TARGET_DIR:-$repo/target}/debug/buyerlens"
  fi
  export BUYERLENS_CLI
  exec xvfb-run -a -s "-screen 0 1366x768x24" "$0" --inside-display "$@"
fi
shift

# Inside the display from here on.
work="$(mktemp -d)"
export BUYERLENS_DB="$work/e2e.sqlite"
# WebKitGTK paints in a virtual display only without GPU compositing.
export WEBKIT_DISABLE_COMPOSITING_MODE=1 WEBKIT_DISABLE_DMABUF_RENDERER=1
export TAURI_DRIVER_PORT="${TAURI_DRIVER_PORT:-4444}"
# Screenshots of failed tests go here.
export E2E_ARTIFACTS="${E2E_ARTIFACTS:-$repo/target/e2e}"
mkdir -p "$E2E_ARTIFACTS"
native_port=$((TAURI_DRIVER_PORT + 1))

tauri-driver --port "$TAURI_DRIVER_PORT" --native-port "$native_port" >"$work/tauri-driver.log" 2>&1 &
driver_pid=$!
cleanup() {
  kill "$driver_pid" 2>/dev/null || true
  wait "$driver_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

for _ in $(seq 50); do
  if (echo >"/dev/tcp/127.0.0.1/$TAURI_DRIVER_PORT") 2>/dev/null; then break; fi
  sleep 0.1
done

status=0
(cd "$repo/ui" && npx vitest run -c vitest.e2e.config.ts "$@") || status=$?
if [[ $status -ne 0 ]]; then
  echo "e2e: failed; tauri-driver said:" >&2
  tail -n 40 "$work/tauri-driver.log" >&2 || true
fi
exit "$status"
