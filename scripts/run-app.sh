#!/usr/bin/env bash
# Opens the BuyerLens desktop app on a fresh Debian 12 machine: installs what
# it needs (scripts/setup.sh, scripts/setup-desktop.sh), builds the UI and
# the app, and starts it.
#   scripts/run-app.sh             debug build (about 10 minutes the first time on 2 cores)
#   scripts/run-app.sh --release   optimised build (slower to build, faster to use)
# The history database is the same one the CLI uses (BUYERLENS_DB overrides
# it). The CLI, after this script's set-up:
#   cargo run --release -- classify --pretty assets/samples/qianniu.txt
# Honours CARGO_TARGET_DIR.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ -d "$HOME/.cargo/bin" && ":$PATH:" != *":$HOME/.cargo/bin:"* ]]; then
  export PATH="$HOME/.cargo/bin:$PATH"
fi

"$repo/scripts/setup.sh" >&2
"$repo/scripts/setup-desktop.sh"
app="$("$repo/scripts/build-desktop.sh" "$@")"

cat >&2 <<EOF
run-app: starting $app
run-app: the command-line tool: cargo run --release -- --help
EOF

if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" ]]; then
  echo "run-app: no display here (DISPLAY and WAYLAND_DISPLAY are unset): starting the app in a virtual one (xvfb-run)" >&2
  export WEBKIT_DISABLE_COMPOSITING_MODE=1 WEBKIT_DISABLE_DMABUF_RENDERER=1
  exec xvfb-run -a -s "-screen 0 1366x768x24" "$app"
fi
exec "$app"
