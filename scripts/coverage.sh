#!/usr/bin/env bash
# `make coverage`: line and region coverage of every crate by the whole Rust suite (unit,
# integration and the real `jetx` binary's CLI tests: cargo-llvm-cov instruments the binary
# the tests start, and the training jobs it spawns write their profiles too). HTML report in
# target/llvm-cov/html, JSON in target/llvm-cov/coverage.json, a summary per crate printed.
# Installs what it needs on first use (llvm-tools-preview, cargo-llvm-cov from crates.io).
set -euo pipefail
cd "$(dirname "$0")/.."
LLVM_COV_VERSION=0.9.1

if ! rustup component list --installed | grep -q '^llvm-tools'; then
  rustup component add llvm-tools-preview
fi
if [ "$(cargo llvm-cov --version 2>/dev/null | awk '{print $2}')" != "$LLVM_COV_VERSION" ]; then
  cargo install cargo-llvm-cov --version "$LLVM_COV_VERSION" --locked
fi

out=target/llvm-cov
mkdir -p "$out"
# The same crates and features as `make test-rust`; instrumented objects live in their own
# target directory (target/llvm-cov-target), so the regular build stays warm.
# A test that fails under instrumentation (slower code, timing budgets) still counts its
# coverage; the failures are listed, and the regular `make test` is the judge of them.
status=0
cargo llvm-cov --release --no-report --no-fail-fast \
  -p models -p neural -p ensemble -p app -p server --features app/ssr || status=$?
[ "$status" -eq 0 ] || echo "coverage: some tests failed under instrumentation (exit $status); see above"
cargo llvm-cov report --release --html --output-dir "$out"
cargo llvm-cov report --release --json --summary-only --output-path "$out/coverage.json"
python3 scripts/coverage-by-crate.py "$out/coverage.json"
