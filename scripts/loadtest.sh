#!/usr/bin/env bash
# Prediction latency under load: 20 concurrent clients on loopback with wrk (Debian), against
# a server holding the history and a trained ensemble. /healthz under the same load is the
# baseline. Then the cost of a fresh prediction: store a round, ask for the next estimate.
# Usage: scripts/loadtest.sh [HISTORY.csv]   (needs target/release/jetx: scripts/build-site.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { [ "$(id -u)" = 0 ] && apt-get install -y -q wrk || sudo apt-get install -y -q wrk; }
BIN=$PWD/target/release/jetx
HIST=${1:-../shared/data/jetx_history.csv}
DIR=$(mktemp -d)
PORT=${PORT:-3917}
URL=http://127.0.0.1:$PORT
export JETX_DATABASE=$DIR/jetx.sqlite JETX_MODELS_DIR=$DIR/models RUST_LOG=${RUST_LOG:-warn}
cleanup() { [ -n "${PID:-}" ] && kill "$PID" 2>/dev/null; rm -rf "$DIR"; }
trap cleanup EXIT

if [ -f "$HIST" ]; then "$BIN" import "$HIST" --skip-faulty >/dev/null; else "$BIN" demo >/dev/null; fi
"$BIN" train --budget "${TRAIN_BUDGET:-20s}" --members logistic,gbt,mlp >/dev/null 2>&1
JETX_ADDR=127.0.0.1:$PORT LEPTOS_SITE_ROOT=target/site "$BIN" serve & PID=$!
for _ in $(seq 100); do curl -sf "$URL/healthz" >/dev/null && break; sleep 0.1; done

cat > "$DIR/predict.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"cashout": 2.0, "mode": "normal"}'
wrk.headers["Content-Type"] = "application/json"
LUA
echo "== baseline: GET /healthz, 20 connections"
wrk -t2 -c20 -d"${DURATION:-10s}" --latency "$URL/healthz"
echo "== POST /api/v1/predict, 20 connections (the model answered: $(curl -s -XPOST -H 'content-type: application/json' -d '{"cashout":2}' "$URL/api/v1/predict" | grep -o '"model":"[^"]*"'))"
wrk -t2 -c20 -d"${DURATION:-10s}" --latency -s "$DIR/predict.lua" "$URL/api/v1/predict"

echo "== fresh predictions: store a round, then time the first estimate for it (30 rounds)"
for i in $(seq 30); do
  v=$((100 + i * 37 % 400))
  curl -s -o /dev/null -XPOST -H 'content-type: application/json' -d "{\"value\": \"$((v / 100)).$(printf %02d $((v % 100)))\"}" "$URL/api/v1/rounds"
  curl -s -o /dev/null -w '%{time_total}\n' -XPOST -H 'content-type: application/json' -d '{"cashout": 2.0}' "$URL/api/v1/predict"
done | sort -n | awk '{a[NR]=$1*1000} END {printf "fresh prediction ms: median %.2f  p90 %.2f  max %.2f  (n=%d)\n", a[int(NR/2)+1], a[int(NR*0.9)], a[NR], NR}'
