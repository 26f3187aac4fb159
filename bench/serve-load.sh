#!/usr/bin/env bash
# Served against in-process search throughput, in one sitting: drives a Searcher in-process from CLIENTS
# threads for SECONDS; starts `cart serve` on RUN (loopback), drives it with CLIENTS concurrent HTTP clients for
# SECONDS and stops it with SIGTERM; then the in-process run again, so that the HTTP run is bracketed on a
# machine whose load drifts. Prints the CPU and the load average beside each.
# Both sides search alike: with the run's re-rank when it has one (as `cart serve` does), or without it with RERANK=off.
# FRESH=true sends every query once, so that each is unseen (no cached encoder pass); by default the queries repeat.
#   [RERANK=on|off] [FRESH=false|true] bench/serve-load.sh [RUN=runs/emoji] [CLIENTS=32] [SECONDS=30]
set -euo pipefail
cd "$(dirname "$0")/.."
RUN=${1:-runs/emoji}
CLIENTS=${2:-32}
SECONDS_=${3:-30}
PORT=${PORT:-18080}
RERANK=${RERANK:-on}
FRESH=${FRESH:-false}
source bench/serve-common.sh
OUT=${OUT:-bench/results}  # where the JSON and the server log go
mkdir -p "$OUT"
echo "load before: $(cat /proc/loadavg)"
$LOAD inprocess --run "$RUN" --rerank "$RERANK" --clients "$CLIENTS" --seconds "$SECONDS_" --fresh "$FRESH" --json $OUT/serve-load-inprocess-1.json
echo "load after in-process: $(cat /proc/loadavg)"
start_server $OUT/serve-load-server.log
# (ServeLoad warms each side up itself, unmeasured, before its timed run: --warmup, 20 s by default.)
$LOAD http --run "$RUN" --port "$PORT" --server-pid "$SERVER" --clients "$CLIENTS" --seconds "$SECONDS_" --fresh "$FRESH" --json $OUT/serve-load-http.json
echo "load after http: $(cat /proc/loadavg)"
curl -fs "http://127.0.0.1:$PORT/api/stats" > $OUT/serve-load-stats.json || true
stop_server
$LOAD inprocess --run "$RUN" --rerank "$RERANK" --clients "$CLIENTS" --seconds "$SECONDS_" --fresh "$FRESH" --json $OUT/serve-load-inprocess-2.json
echo "load after in-process: $(cat /proc/loadavg)"
