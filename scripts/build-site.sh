#!/usr/bin/env bash
# Builds the server binary and the browser bundle into target/site, the way cargo-leptos
# would: server (ssr) → target/release/jetx; frontend (hydrate) → wasm-bindgen → wasm-opt
# → target/site/pkg/jetx{.js,_bg.wasm,.css}; public/ and echarts → target/site.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/end2end/node_modules/.bin:$PATH"   # npm wasm-opt 132 first (Debian's 108 breaks hydration)

SITE=target/site
PKG=$SITE/pkg
step() { printf '\n== build: %s\n' "$*"; }

# The crates the tests build, with the features they build them with. `make test` sets
# JETX_BUILD_TESTS=1: the test binaries are built in the same cargo run as the server, so
# every dependency is compiled once, with one feature set (a separate `cargo build -p
# server` resolves other features and compiles the Burn stack a second time).
CRATES=(-p models -p neural -p ensemble -p app -p server --features app/ssr)
if [ -n "${JETX_BUILD_TESTS:-}" ]; then
  step "server and test binaries (release)"
  cargo test --release --no-run "${CRATES[@]}"
else
  step "server (release)"
  cargo build --release -p server
fi

step "frontend (wasm32, profile wasm-release)"
cargo build --profile wasm-release -p frontend --target wasm32-unknown-unknown

step "wasm-bindgen"
rm -rf "$PKG" && mkdir -p "$PKG"
wasm-bindgen --target web --no-typescript --out-dir "$PKG" --out-name jetx \
  target/wasm32-unknown-unknown/wasm-release/frontend.wasm

step "wasm-opt $(wasm-opt --version)"
wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue "$PKG/jetx_bg.wasm" -o "$PKG/jetx_bg.wasm"

step "assets"
cp style/main.css "$PKG/jetx.css"
cp -r public/. "$SITE/"
# The bustabit engine emulation the script worker imports (the server embeds the same file).
cp models/src/strategy/autobet.js "$SITE/autobet.js"
cp end2end/node_modules/echarts/dist/echarts.min.js "$SITE/echarts.min.js"
# The API docs page's Swagger UI (npm swagger-ui-dist, pinned in end2end/package.json).
cp end2end/node_modules/swagger-ui-dist/swagger-ui-bundle.js end2end/node_modules/swagger-ui-dist/swagger-ui.css "$SITE/api-docs/"

raw=$(stat -c %s "$PKG/jetx_bg.wasm")
gz=$(gzip -9 -c "$PKG/jetx_bg.wasm" | wc -c)
echo "wasm: $raw bytes raw, $gz bytes gzip -9"
