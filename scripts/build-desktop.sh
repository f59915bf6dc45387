#!/usr/bin/env bash
# Builds the desktop app (the UI into ui/dist, then the Tauri binary that
# serves it from inside) and prints the binary's path.
#   scripts/build-desktop.sh            debug build (fast; e2e tests, screenshots)
#   scripts/build-desktop.sh --release  optimised build
# Honours CARGO_TARGET_DIR. Needs scripts/setup-desktop.sh to have run.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
profile=debug
cargo_flags=()
if [[ "${1:-}" == "--release" ]]; then
  profile=release
  cargo_flags+=(--release)
fi

(cd "$repo/ui" && npm run --silent build >&2)
(cd "$repo" && cargo build "${cargo_flags[@]}" -p buyerlens-desktop --features custom-protocol >&2)

target="${CARGO_TARGET_DIR:-$repo/target}"
echo "$target/$profile/buyerlens-desktop"
