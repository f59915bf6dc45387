#!/usr/bin/env bash
# Runs every test on a fresh Debian 12 machine (installing what it needs
# first): formatting and lints, the Rust workspace's tests (unit,
# integration, golden, property), the UI's type-check and unit tests, the
# desktop shell's tests on the mock runtime, and the end-to-end suite in the
# real app window under Xvfb. Stops at the first failure, non-zero.
# Honours CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"

# rustup's cargo (and tauri-driver, installed by cargo) live here.
if [[ -d "$HOME/.cargo/bin" && ":$PATH:" != *":$HOME/.cargo/bin:"* ]]; then
  export PATH="$HOME/.cargo/bin:$PATH"
fi

started=$SECONDS
step() { printf '\n==> [%4ss] %s\n' "$((SECONDS - started))" "$*" >&2; }

step "set-up: CLI and core"
scripts/setup.sh
step "set-up: desktop (system packages, npm packages, tauri-driver)"
scripts/setup-desktop.sh

step "rustfmt"
cargo fmt --all -- --check
# The core must stay free of the desktop shell.
if cargo tree -p buyerlens-core -e normal --prefix none | grep -q '^tauri'; then
  echo "buyerlens-core depends on tauri" >&2
  exit 1
fi

step "UI: type-check and unit tests (Vitest)"
(cd ui && npm run --silent typecheck && npm test)
step "UI: bundle (ui/dist is served from inside the desktop binary)"
(cd ui && npx vite build --logLevel warn)

step "clippy: CLI and core"
cargo clippy --all-targets -- -D warnings
step "clippy: desktop shell"
cargo clippy -p buyerlens-desktop --all-targets -- -D warnings

step "tests: CLI and core"
cargo test

# One debug build of the desktop crate serves both its tests and the
# end-to-end suite: the same features for both (--all-targets unifies the
# dev-dependencies' features), so nothing is compiled twice.
desktop=(-p buyerlens-desktop --features custom-protocol)
step "build: desktop app (debug)"
cargo build "${desktop[@]}" --all-targets
step "tests: desktop shell (mock runtime)"
cargo test "${desktop[@]}"

step "end-to-end: the real window (tauri-driver + WebKitWebDriver under Xvfb)"
BUYERLENS_APP="${CARGO_TARGET_DIR:-$repo/target}/debug/buyerlens-desktop" scripts/e2e.sh

step "all tests passed"
