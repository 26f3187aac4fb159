set -euo pipefail
cd /work/main
RUN=$1; PORT=18092; RERANK=on
source bench/serve-common.sh
for round in 1 2; do
  JAR=cart/target/cart-engine.jar; export JAR
  start_server /tmp/serve-fresh-new2.log
  for c in 1 32; do
    echo "round $round, new server (prepare), $c clients, unseen queries (load $(cut -d' ' -f1 /proc/loadavg))"
    $LOAD http --run "$RUN" --port "$PORT" --server-pid "$SERVER" --clients $c --warmup 15 --seconds 20 --fresh true 2>/dev/null | grep -E '^http|^cpu'
  done
  stop_server
done
for c in 1 32; do
  echo "in-process, $c clients, unseen queries"
  $LOAD inprocess --run "$RUN" --clients $c --warmup 15 --seconds 20 --fresh true 2>/dev/null | grep -E '^inprocess|^cpu|^searcher'
done
