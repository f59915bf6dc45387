#!/usr/bin/env bash
# The load soak of issue 5: the desktop app's UI-facing commands (history
# pages with filters and scrolling, counts, conversation detail, charts,
# search, export, classify, templates, an import) called as the UI calls them, through
# the app's IPC layer and `AppState`, against a database of a million
# conversations: latency per command (median / p95 / max) and the process's
# memory over SOAK_CALLS calls. Not run in CI (it needs the large database
# and takes minutes); the figures are in BENCHMARKS.md.
#
#   scripts/soak.sh                      # SOAK_DB, else $TMPDIR/buyerlens-bench-store.sqlite
#   SOAK_DB=/path/to/1m.sqlite SOAK_CALLS=20000 scripts/soak.sh
#
# When the database does not exist it is generated first with
# `buyerlens bench --store --db PATH` (1M synthetic conversations through
# the real write path; about 4.8 GB and half an hour or more on 2 cores).
# The database is used in place, never copied: no backup is taken, and a
# file with an older schema is refused (migrating would copy it aside
# first) unless SOAK_ALLOW_MIGRATION=1. The soak's classify calls add a few
# hundred conversations with the agent `soak`, and its import 20,000
# synthetic chats (SOAK_IMPORT=0 skips it); nothing else is written.
# Other knobs (see src-tauri/src/soak.rs): SOAK_RUNS, SOAK_BUDGET_S,
# SOAK_MAX_GROWTH_MIB. Exit: 0 done, non-zero when a command failed or
# memory kept growing. Honours CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -d "$HOME/.cargo/bin" && ":$PATH:" != *":$HOME/.cargo/bin:"* ]]; then
  export PATH="$HOME/.cargo/bin:$PATH"
fi

SOAK_DB="${SOAK_DB:-${TMPDIR:-/tmp}/buyerlens-bench-store.sqlite}"
export SOAK_DB
if [[ ! -s "$SOAK_DB" ]]; then
  echo "soak: no database at $SOAK_DB: generating 1,000,000 conversations (long)" >&2
  cargo run --release --quiet -- bench --store --db "$SOAK_DB"
fi

# The UI is served from inside the binary, as in the shipped app.
[[ -f ui/dist/index.html ]] || (cd ui && npx vite build --logLevel warn)

desktop=(-p buyerlens-desktop --features custom-protocol --release --lib)
echo "soak: building (release)" >&2
cargo test "${desktop[@]}" --no-run --quiet
echo "soak: $SOAK_DB, load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
cargo test "${desktop[@]}" --quiet -- --ignored --exact --nocapture --test-threads 1 \
  soak::soak_commands_on_a_large_database
