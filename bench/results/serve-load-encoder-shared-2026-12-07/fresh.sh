#!/usr/bin/env bash
# Unseen queries (ServeLoad --fresh true: each query text made distinct, so every one runs the text encoder) at one
# client: `cart serve` of the previous commit (OLD_JAR) and of this one, alternated, twice.
#   OLD_JAR=... bench/results/serve-load-encoder-shared-2026-12-07/fresh.sh RUN
set -euo pipefail
cd "$(dirname "$0")/../../.."
RUN=$1; PORT=18091; RERANK=on
source bench/serve-common.sh
for round in 1 2; do
  for which in old new; do
    if [ $which = old ]; then JAR=$OLD_JAR; else JAR=cart/target/cart-engine.jar; fi
    export JAR
    start_server /tmp/serve-fresh-$which.log
    for c in 1 32; do
      echo "round $round, $which server, $c clients, unseen queries (load $(cut -d' ' -f1 /proc/loadavg))"
      $LOAD http --run "$RUN" --port "$PORT" --server-pid "$SERVER" --clients $c --warmup 15 --seconds 20 --fresh true 2>/dev/null | grep -E '^http|^cpu'
    done
    stop_server
  done
done
