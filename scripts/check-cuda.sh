#!/usr/bin/env bash
# Checks a CUDA-built gpu-check on this machine: with a CUDA device, `--device cuda` trains
# there; without one it exits 2 saying "no CUDA device" (never a panic), and `--device auto`
# trains on the CPU with a notice.
set -euo pipefail
BIN=${1:-target/cuda/release/gpu-check}
fail() { echo "check-cuda: $*" >&2; exit 1; }

set +e
cuda_out=$("$BIN" --device cuda --rounds 800 2>/tmp/check-cuda.err)
cuda_code=$?
set -e
cuda_err=$(cat /tmp/check-cuda.err)
if echo "$cuda_out" | grep -q '"used":"cuda"'; then
  echo "check-cuda: a CUDA device is here; trained on it: $cuda_out"
else
  [ "$cuda_code" -eq 2 ] || fail "--device cuda without a GPU exited $cuda_code (want 2): $cuda_err"
  echo "$cuda_err" | grep -q "no CUDA device" || fail "--device cuda did not say why: $cuda_err"
  echo "$cuda_err" | grep -qi "panick" && fail "--device cuda panicked: $cuda_err"
  echo "check-cuda: no CUDA device here: --device cuda refused (exit 2: $cuda_err)"
fi
auto_out=$("$BIN" --device auto --rounds 800 2>/tmp/check-cuda.err) || fail "--device auto failed: $(cat /tmp/check-cuda.err)"
echo "$auto_out" | grep -q '"cuda_compiled":true' || fail "not a CUDA build: $auto_out"
echo "$auto_out" | grep -q '"error"' && fail "a member failed: $auto_out"
echo "check-cuda: --device auto: $auto_out"
