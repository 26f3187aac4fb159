#!/usr/bin/env bash
# A bounded soak of `cart serve` on loopback: CLIENTS clients at saturation for SECONDS with mixed valid and hostile
# requests (bench ServeSoak); per interval: valid queries/s, p99 latency, the server's heap after a full GC, outcome
# counts. Exits non-zero on any error other than the intended 4xx / 429 / 503.
#   bench/serve-soak.sh [RUN (default: a small run trained into bench/target/soak-run)] [SECONDS=600] [CLIENTS=16] [INTERVAL=60]
# A short check: bench/serve-soak.sh "" 60 8 10. Output: bench/results/serve-soak-${SECONDS}s.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
RUN=${1:-}; SECS=${2:-600}; CLIENTS=${3:-16}; INTERVAL=${4:-60}; PORT=${PORT:-18181}
JAR=cart/target/cart-engine.jar
[ -f "$JAR" ] || ./mvnw -q -pl cart -am -DskipTests package
if [ -z "$RUN" ]; then
  RUN=bench/target/soak-run
  [ -f "$RUN/metrics.json" ] || java -jar "$JAR" train --out "$RUN" --no-baseline --minutes 0 --epochs 1 --d-model 16 --heads 2 \
    --ffn 32 --encoder-layers 1 --decoder-layers 1 --batch-size 32 --beam 5 --vocab 150 > bench/target/soak-train.log 2>&1
fi
CLS=bench/target/soak-classes; mkdir -p "$CLS" bench/results
javac -nowarn -d "$CLS" -cp "$JAR" bench/src/main/java/org/cartengine/bench/ServeSoak.java
OUT=bench/results/serve-soak-${SECS}s.txt
# The server JVM directly (no relaunch), so that its PID is the one jcmd asks for its heap.
CART_NO_RELAUNCH=1 java --add-modules=jdk.incubator.vector -Xmx512m -XX:+UseParallelGC -jar "$JAR" serve --run "$RUN" --port "$PORT" \
  > bench/target/soak-server.log 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$PORT/api/health" >/dev/null 2>&1 && break; sleep 1; done
curl -fs "http://127.0.0.1:$PORT/api/health" >/dev/null || { echo "the server did not start:"; cat bench/target/soak-server.log; exit 1; }
{
  echo "cpu: $(lscpu | sed -n 's/^Model name:[ \t]*//p'), $(nproc) cores; run $RUN; $CLIENTS clients for $SECS s, interval $INTERVAL s; server -Xmx512m"
  echo "load before: $(cat /proc/loadavg)"
  set +e
  java -cp "$CLS:$JAR" org.cartengine.bench.ServeSoak "$PORT" "$SERVER" "$SECS" "$CLIENTS" "$INTERVAL"
  rc=$?
  set -e
  echo "load after: $(cat /proc/loadavg)"
  echo "server stats: $(curl -fs "http://127.0.0.1:$PORT/api/stats" | head -c 600)"
  exit $rc
} 2>&1 | tee "$OUT"
rc=${PIPESTATUS[0]}
kill -TERM "$SERVER"; wait "$SERVER" 2>/dev/null || true
echo "server exit after SIGTERM: ok; output in $OUT"
exit "$rc"
