#!/usr/bin/env bash
# Served against in-process search throughput, in one sitting: drives a Searcher in-process from CLIENTS
# threads for SECONDS; starts `cart serve` on RUN (loopback), drives it with CLIENTS concurrent HTTP clients for
# SECONDS and stops it with SIGTERM; then the in-process run again, so that the HTTP run is bracketed on a
# machine whose load drifts. Prints the CPU and the load average beside each.
# Both sides search alike: with the run's re-rank when it has one (as `cart serve` does), or without it with RERANK=off.
#   [RERANK=on|off] bench/serve-load.sh [RUN=runs/emoji] [CLIENTS=32] [SECONDS=30]
set -euo pipefail
cd "$(dirname "$0")/.."
RUN=${1:-runs/emoji}
CLIENTS=${2:-32}
SECONDS_=${3:-30}
PORT=${PORT:-18080}
RERANK=${RERANK:-on}
case "$RERANK" in on) SERVE_RERANK=--rerank ;; off) SERVE_RERANK=--no-rerank ;; *) echo "RERANK must be on or off, not $RERANK" >&2; exit 2 ;; esac
[ -f cart/target/cart-engine.jar ] && [ -f bench/target/benchmarks.jar ] || ./mvnw -q -pl bench -am -DskipTests package
OUT=${OUT:-bench/results}  # where the JSON and the server log go
mkdir -p "$OUT"
LOAD="java --add-modules=jdk.incubator.vector -cp bench/target/benchmarks.jar org.cartengine.bench.ServeLoad"
echo "cpu: $(lscpu | sed -n 's/^Model name:[ \t]*//p'), $(nproc) cores, avx512f: $(grep -q avx512f /proc/cpuinfo && echo yes || echo no)"
echo "load before: $(cat /proc/loadavg)"
$LOAD inprocess --run "$RUN" --rerank "$RERANK" --clients "$CLIENTS" --seconds "$SECONDS_" --json $OUT/serve-load-inprocess-1.json
echo "load after in-process: $(cat /proc/loadavg)"
# Started with the Vector API module and CART_NO_RELAUNCH, so that $SERVER is the JVM that serves (its CPU time is read).
CART_NO_RELAUNCH=1 java --add-modules=jdk.incubator.vector -jar "${JAR:-cart/target/cart-engine.jar}" serve --run "$RUN" "$SERVE_RERANK" --port "$PORT" > $OUT/serve-load-server.log 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -fs "http://127.0.0.1:$PORT/api/health" >/dev/null 2>&1 && break
  sleep 1
done
curl -fs "http://127.0.0.1:$PORT/api/health" >/dev/null || { echo "the server did not start:"; cat $OUT/serve-load-server.log; exit 1; }
# Warm-up (JIT), not measured.
$LOAD http --run "$RUN" --port "$PORT" --clients "$CLIENTS" --seconds 5 > /dev/null
$LOAD http --run "$RUN" --port "$PORT" --server-pid "$SERVER" --clients "$CLIENTS" --seconds "$SECONDS_" --json $OUT/serve-load-http.json
echo "load after http: $(cat /proc/loadavg)"
curl -fs "http://127.0.0.1:$PORT/api/stats" > $OUT/serve-load-stats.json || true
kill -TERM "$SERVER"
wait "$SERVER" || true
trap - EXIT
$LOAD inprocess --run "$RUN" --rerank "$RERANK" --clients "$CLIENTS" --seconds "$SECONDS_" --json $OUT/serve-load-inprocess-2.json
echo "load after in-process: $(cat /proc/loadavg)"
