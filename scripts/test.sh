#!/usr/bin/env bash
# Runs every test: installs what a fresh Debian machine needs, then the
# Rust workspace's tests (unit, integration, golden, property), lint
# checks, and the desktop suites when the desktop app is present.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh

cargo fmt --all -- --check
cargo clippy --all-targets -- -D warnings
cargo test
