#!/usr/bin/env bash
# The prepared GPU check, for a lent GPU machine (no network there): run from the
# repository root with dist/cuda carried (`make cuda-dist` fills it here; the device tool's
# `carry` takes it). It unpacks the compressed, stripped CUDA build of gpu-check and the
# NVRTC runtime (PyPI wheel; cubecl compiles its kernels with NVRTC at run time), shows
# the driver, trains every network member on the GPU and on the CPU with the same seeds
# (times, and the largest gap between their probabilities on the last fifth), and writes
# it all to "$OUT/gpu-check.txt" (or ./gpu-check.txt).
set -uo pipefail
cd "$(dirname "$0")/.."
DIST=dist/cuda
OUT_DIR=${OUT:-.}
REPORT="$OUT_DIR/gpu-check.txt"
WORK=$(mktemp -d)
say() { echo "$*" | tee -a "$REPORT"; }
: > "$REPORT"

say "== nvidia-smi"
nvidia-smi 2>&1 | tee -a "$REPORT"
say "== unpack"
xz -dc "$DIST/gpu-check.xz" > "$WORK/gpu-check" && chmod +x "$WORK/gpu-check"
for wheel in "$DIST"/*.whl; do
  [ -f "$wheel" ] && python3 -m zipfile -e "$wheel" "$WORK/wheels"
done
for lib in $(find "$WORK/wheels" -name 'lib' -type d 2>/dev/null); do
  export LD_LIBRARY_PATH="$lib:${LD_LIBRARY_PATH:-}"
done
say "LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}"
for rounds in 3000 7000; do
  say "== gpu-check --device cuda --rounds $rounds --compare"
  "$WORK/gpu-check" --device cuda --rounds "$rounds" --compare 2>&1 | tee -a "$REPORT"
  say "exit ${PIPESTATUS[0]}"
done
say "== gpu-check --device auto"
"$WORK/gpu-check" --device auto --rounds 3000 2>&1 | tee -a "$REPORT"
say "== done: $REPORT"
