#!/usr/bin/env bash
# Installs everything the build and the tests need on a fresh Debian machine.
# Idempotent: each step is skipped when its tool is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=0.2.130
CARGO_DENY_VERSION=0.20.2

log() { printf '\n== setup: %s\n' "$*"; }

# Compiled dependencies outlive the clone: `target` links to a cargo target directory
# outside it, so another clone on this machine (CI's clean clone) reuses what was built;
# cargo's fingerprints keep that correct. JETX_TARGET_DIR moves it; an existing `target`
# (a directory or a link) is left alone.
if [ ! -e target ] && [ ! -L target ]; then
  shared="${JETX_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/jetx-target}"
  mkdir -p "$shared"
  ln -s "$shared" target
  log "target -> $shared (compiled dependencies kept between clones)"
fi

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v sqlite3 >/dev/null 2>&1 || need_apt+=(sqlite3)
# The tests run the server's API tests on a throw-away PostgreSQL cluster too.
ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || need_apt+=(postgresql)
if [ ${#need_apt[@]} -gt 0 ]; then
  log "apt-get install ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: cargo not found; install Rust with rustup first (https://rustup.rs)" >&2
  exit 1
fi

for component in clippy rustfmt; do
  if ! rustup component list --installed | grep -q "^$component"; then
    log "rustup component add $component"
    rustup component add "$component"
  fi
done

if ! rustup target list --installed | grep -q '^wasm32-unknown-unknown$'; then
  log "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  log "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 6 minutes on 2 cores)"
  # Not --locked: its lock file pins a yanked crate.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

if [ "$(cargo deny --version 2>/dev/null | awk '{print $2}')" != "$CARGO_DENY_VERSION" ]; then
  log "cargo install cargo-deny $CARGO_DENY_VERSION (the dependency policy of make lint)"
  cargo install cargo-deny --version "$CARGO_DENY_VERSION" --locked
fi

if [ ! -x end2end/node_modules/.bin/wasm-opt ] || [ ! -d end2end/node_modules/@playwright/test ] || [ ! -d end2end/node_modules/@axe-core/playwright ]; then
  log "npm ci in end2end/"
  (cd end2end && npm ci --no-audit --no-fund)
fi
log "done"
