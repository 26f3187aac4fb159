#!/usr/bin/env bash
# Where a served query's time goes: `cart serve` under a JFR recording, driven over loopback by CLIENTS HTTP clients
# for SECONDS (after a 5 s warm-up), then the recording's top frames per thread group (search, HTTP, all) and the CPU
# seconds of the server and of the load generator, which share the machine.
#   [RERANK=on|off] bench/serve-profile.sh [RUN=runs/emoji] [CLIENTS=32] [SECONDS=20]   (OUT=DIR for the files)
set -euo pipefail
cd "$(dirname "$0")/.."
RUN=${1:-runs/emoji}
CLIENTS=${2:-32}
SECONDS_=${3:-20}
PORT=${PORT:-18081}
RERANK=${RERANK:-off}
OUT=${OUT:-bench/results/serve-profile}
case "$RERANK" in on) SERVE_RERANK=--rerank ;; off) SERVE_RERANK=--no-rerank ;; *) echo "RERANK must be on or off, not $RERANK" >&2; exit 2 ;; esac
[ -f cart/target/cart-engine.jar ] && [ -f bench/target/benchmarks.jar ] || ./mvnw -q -pl bench -am -DskipTests package
mkdir -p "$OUT"
LOAD="java --add-modules=jdk.incubator.vector -cp bench/target/benchmarks.jar org.cartengine.bench.ServeLoad"
echo "cpu: $(lscpu | sed -n 's/^Model name:[ \t]*//p'), $(nproc) cores, avx512f: $(grep -q avx512f /proc/cpuinfo && echo yes || echo no); load before: $(cat /proc/loadavg)"
# CART_NO_RELAUNCH with the module given here, so that the recording is of the JVM that serves.
CART_NO_RELAUNCH=1 java --add-modules=jdk.incubator.vector -XX:StartFlightRecording=filename="$OUT/serve.jfr",settings=profile \
  -jar "${JAR:-cart/target/cart-engine.jar}" serve --run "$RUN" "$SERVE_RERANK" --port "$PORT" > "$OUT/server.log" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$PORT/api/health" >/dev/null 2>&1 && break; sleep 1; done
curl -fs "http://127.0.0.1:$PORT/api/health" >/dev/null || { echo "the server did not start:"; cat "$OUT/server.log"; exit 1; }
$LOAD http --run "$RUN" --port "$PORT" --clients "$CLIENTS" --seconds 5 > /dev/null
$LOAD http --run "$RUN" --port "$PORT" --server-pid "$SERVER" --clients "$CLIENTS" --seconds "$SECONDS_" --json "$OUT/http.json" | tee "$OUT/http.txt"
curl -fs "http://127.0.0.1:$PORT/api/stats" > "$OUT/stats.json" || true
kill -TERM "$SERVER"; wait "$SERVER" || true; trap - EXIT
echo "load after: $(cat /proc/loadavg)"
for t in cart-searcher cart-http ""; do
  echo "== threads ${t:-(all)}"
  python3 bench/jfr_top.py "$OUT/serve.jfr" 25 ${t:+--thread "$t"} | tee "$OUT/top-${t:-all}.txt"
done
