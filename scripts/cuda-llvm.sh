#!/usr/bin/env bash
# Prepares, offline, the static LLVM that burn-cuda links against, and prints the
# XDG_DATA_HOME to build with. cubecl-llvm's build dependency tracel-llvm-bundler would
# download an LLVM bundle from GitHub (unreachable here); it skips the download when its
# install directory ($XDG_DATA_HOME/tracel/tracel-llvm-<version>) holds the marker
# `.tracel-llvm-installed`, and then only runs that directory's `bin/llvm-config`. PyPI's
# mlc-llvm-static wheels carry a static LLVM 23.1 with the NVPTX target. Everything goes
# under target/cuda-llvm (the project's build area).
set -euo pipefail
cd "$(dirname "$0")/.."

LLVM_WHEELS=23.1.1.post0
BUNDLER=$(awk '/^name = "tracel-llvm-bundler"$/ { getline; gsub(/"/, "", $3); print $3 }' Cargo.lock)
if [ -z "$BUNDLER" ]; then
  echo "cuda-llvm: tracel-llvm-bundler is not in Cargo.lock" >&2
  exit 1
fi
DIR="$PWD/target/cuda-llvm"
SDK="$DIR/sdk/mlc_llvm_static/static"
if [ ! -f "$SDK/.tracel-llvm-installed" ]; then
  echo "cuda-llvm: fetching mlc-llvm-static $LLVM_WHEELS from PyPI (about 92 MB)" >&2
  if ! python3 -m pip --version >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-pip >&2
  fi
  mkdir -p "$DIR/wheels" "$DIR/sdk"
  python3 -m pip download --quiet --no-deps -d "$DIR/wheels" \
    "mlc-llvm-static==$LLVM_WHEELS" "mlc-llvm-static-extra-targets==$LLVM_WHEELS" >&2
  for wheel in "$DIR"/wheels/*.whl; do
    python3 -m zipfile -e "$wheel" "$DIR/sdk"
  done
  # Wheels drop the run bit.
  chmod +x "$SDK/bin/llvm-config" "$SDK/bin/llvm-config.py"
  touch "$SDK/.tracel-llvm-installed"
fi
mkdir -p "$DIR/xdg/tracel"
ln -sfn "$SDK" "$DIR/xdg/tracel/tracel-llvm-$BUNDLER"
echo "$DIR/xdg"
