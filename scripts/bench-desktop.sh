#!/usr/bin/env bash
# Desktop figures for BENCHMARKS.md, from the real window under Xvfb:
#   - cold start: from spawning the app to its first screen painted and taking
#     input (the UI calls `ui_ready`, which prints the wall clock with
#     BUYERLENS_STARTUP_LOG set), over RUNS starts: the first creates the
#     database (first use), the others open it;
#   - idle memory: RSS of the app process and of its WebKit processes, IDLE
#     seconds after start;
#   - paste → result on screen for a 50-message chat (through tauri-driver,
#     as ui/e2e/readme.shots.ts measures it).
# BUYERLENS_APP names the binary (default: the release build, built if
# missing). Needs scripts/setup-desktop.sh. Usage: scripts/bench-desktop.sh
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${RUNS:-7}"
IDLE="${IDLE:-5}"

if [[ "${1:-}" != "--inside-display" ]]; then
  BUYERLENS_APP="${BUYERLENS_APP:-$("$repo/scripts/build-desktop.sh" --release)}"
  export BUYERLENS_APP RUNS IDLE
  exec xvfb-run -a -s "-screen 0 1366x768x24" "$0" --inside-display
fi

export WEBKIT_DISABLE_COMPOSITING_MODE=1 WEBKIT_DISABLE_DMABUF_RENDERER=1
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "app: $BUYERLENS_APP ($(du -h "$BUYERLENS_APP" | cut -f1))"

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
# user + system CPU time of a process so far, in ms (the machine is shared:
# CPU time says more than wall time under load)
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{print int(($14 + $15) * 1000 / hz)}' "/proc/$1/stat" 2>/dev/null || echo 0; }

starts=()
cpu_app=()
cpu_webkit=()
for run in $(seq "$RUNS"); do
  log="$work/start-$run.log"
  t0=$(date +%s%3N)
  BUYERLENS_STARTUP_LOG=1 BUYERLENS_DB="$work/bench.sqlite" "$BUYERLENS_APP" 2>"$log" &
  pid=$!
  for _ in $(seq 300); do
    grep -q "interactive at" "$log" && break
    sleep 0.05
  done
  ready=$(sed -n 's/.*interactive at unix_ms=\([0-9]*\).*/\1/p' "$log" | head -1)
  if [[ -z "$ready" ]]; then
    echo "run $run: the window never said it was ready" >&2
    cat "$log" >&2
    kill "$pid"
    exit 1
  fi
  starts+=($((ready - t0)))
  cpu_app+=($(cpu_ms "$pid"))
  webkit_ms=0
  for child in $(pgrep -P "$pid" || true); do webkit_ms=$((webkit_ms + $(cpu_ms "$child"))); done
  cpu_webkit+=("$webkit_ms")
  if [[ $run -eq 1 ]]; then
    sleep "$IDLE"
    app_kb=$(rss_kb "$pid")
    webkit_kb=0
    for child in $(pgrep -P "$pid" || true); do
      name=$(cat "/proc/$child/comm")
      kb=$(rss_kb "$child")
      echo "  child $name: $((kb / 1024)) MiB"
      webkit_kb=$((webkit_kb + kb))
    done
    echo "idle RSS after ${IDLE}s: app $((app_kb / 1024)) MiB, WebKit processes $((webkit_kb / 1024)) MiB, total $(((app_kb + webkit_kb) / 1024)) MiB"
  fi
  kill "$pid"
  wait "$pid" 2>/dev/null || true
done
sorted=($(printf '%s\n' "${starts[@]}" | sort -n))
echo "start to interactive window, ${RUNS} runs (ms): ${starts[*]}; median ${sorted[$((RUNS / 2))]}, first ${starts[0]}"
echo "  CPU time until then (ms), app: ${cpu_app[*]}; WebKit processes: ${cpu_webkit[*]}"
echo "  (load average: $(cut -d' ' -f1-3 /proc/loadavg))"

# paste → result through the driver (the screenshot script's measurement only)
export TAURI_DRIVER_PORT="${TAURI_DRIVER_PORT:-4444}" E2E_SHOTS=1 SHOTS_DIR="$work/shots" BUYERLENS_DB="$work/paste.sqlite"
unset SHOTS_CORPUS
tauri-driver --port "$TAURI_DRIVER_PORT" --native-port $((TAURI_DRIVER_PORT + 1)) >"$work/tauri-driver.log" 2>&1 &
driver=$!
for _ in $(seq 50); do
  if (echo >"/dev/tcp/127.0.0.1/$TAURI_DRIVER_PORT") 2>/dev/null; then break; fi
  sleep 0.1
done
(cd "$repo/ui" && npx vitest run -c vitest.e2e.config.ts -t "paste to result" 2>&1 | grep -E "paste to result|start to interactive") || true
kill "$driver"
