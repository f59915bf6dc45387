#!/usr/bin/env bash
# Fuzzes the transcript parser, the importers (txt/csv/tsv/jsonl/json/xlsx
# bytes) and the lexicon loader with the proptest properties of
# tests/fuzz.rs, in a release build, for a bounded time.
#
#   scripts/fuzz.sh                    # 20,000 cases per property, at most 10 minutes
#   PROPTEST_CASES=200000 FUZZ_SECONDS=3600 scripts/fuzz.sh
#
# Why not cargo-fuzz: it needs a nightly toolchain; see tests/fuzz.rs.
# A failure is shrunk by proptest and written to
# tests/fuzz.proptest-regressions (commit it, and add a named case to
# `mod regressions` in tests/fuzz.rs). Reaching the time bound without a
# failure is a pass: the run prints how far it got.
# Exit: 0 no failure found, 1 a property failed.
set -uo pipefail
cd "$(dirname "$0")/.."

export PROPTEST_CASES="${PROPTEST_CASES:-20000}"
seconds="${FUZZ_SECONDS:-600}"

# Build first, so the time bound covers fuzzing only.
cargo test --release --test integration --no-run --quiet || exit 1

started=$SECONDS
echo "fuzzing: $PROPTEST_CASES cases per property, at most ${seconds}s" >&2
timeout --signal=INT "$seconds" \
  cargo test --release --quiet --test integration -- fuzz:: --test-threads=2
status=$?
elapsed=$((SECONDS - started))
case $status in
  0)   echo "fuzz: all properties passed $PROPTEST_CASES cases each in ${elapsed}s" >&2 ;;
  124|130) echo "fuzz: time bound of ${seconds}s reached without a failure" >&2; status=0 ;;
  *)   echo "fuzz: a property failed (see above and tests/fuzz.proptest-regressions)" >&2; status=1 ;;
esac
exit $status
