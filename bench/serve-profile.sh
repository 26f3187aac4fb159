#!/usr/bin/env bash
# Where a served query's time goes: `cart serve` under a JFR recording, driven over loopback by CLIENTS HTTP clients
# for SECONDS (after a 20 s warm-up), then the recording's top frames per thread group (search, HTTP, all) and the CPU
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
source bench/serve-common.sh
mkdir -p "$OUT"
echo "load before: $(cat /proc/loadavg)"
start_server "$OUT/server.log" -XX:StartFlightRecording=filename="$OUT/serve.jfr",settings=profile
# ServeLoad warms the server up itself (--warmup, 20 s by default) before the timed run.
$LOAD http --run "$RUN" --port "$PORT" --server-pid "$SERVER" --clients "$CLIENTS" --seconds "$SECONDS_" --json "$OUT/http.json" | tee "$OUT/http.txt"
curl -fs "http://127.0.0.1:$PORT/api/stats" > "$OUT/stats.json" || true
stop_server
echo "load after: $(cat /proc/loadavg)"
for t in cart-searcher cart-http ""; do
  echo "== threads ${t:-(all)}"
  python3 bench/jfr_top.py "$OUT/serve.jfr" 25 ${t:+--thread "$t"} | tee "$OUT/top-${t:-all}.txt"
done
