#!/usr/bin/env bash
# The sitting behind bench/README.md's "one encoder pass per query" serving rows: `cart serve` of the previous commit
# (OLD_JAR) and of this one (cart/target/cart-engine.jar), alternated, each driven by the same ServeLoad (socket
# clients, 20 s unmeasured warm-up) at 1 and at 32 clients; then the in-process searcher at both.
#   OLD_JAR=... bench/results/serve-load-encoder-shared-2026-12-07/run.sh RUN
set -euo pipefail
cd "$(dirname "$0")/../../.."
RUN=$1; PORT=18090; RERANK=on
source bench/serve-common.sh
lscpu | grep -E 'Model name|^CPU\(s\)'; grep -o -w -E 'avx2|avx512f' /proc/cpuinfo | sort -u | tr '\n' ' '; echo
for round in 1 2; do
  for which in old new; do
    if [ $which = old ]; then JAR=$OLD_JAR; else JAR=cart/target/cart-engine.jar; fi
    export JAR
    start_server /tmp/serve-ab-$which.log
    for c in 1 32; do
      echo "round $round, $which server, $c clients (load $(cut -d' ' -f1 /proc/loadavg))"
      $LOAD http --run "$RUN" --port "$PORT" --server-pid "$SERVER" --clients $c --warmup 20 --seconds 20 2>/dev/null | grep -E '^http|^cpu'
    done
    stop_server
  done
done
for c in 1 32; do
  echo "in-process (this commit), $c clients (load $(cut -d' ' -f1 /proc/loadavg))"
  $LOAD inprocess --run "$RUN" --clients $c --warmup 20 --seconds 20 2>/dev/null | grep -E '^inprocess|^cpu|^searcher'
done
