#!/usr/bin/env bash
# served/in-process at 32 clients, this tree's jars, alternated; unseen (--fresh true) and repeated (cached) queries
export CART_TEXT_MODEL=/work/main/cart/target/models/all-minilm-l6-v2
cd /work/main
for r in 1 2; do for f in true false; do
  echo -n "fresh=$f "; java --add-modules=jdk.incubator.vector -cp bench/target/benchmarks.jar org.cartengine.bench.ServeLoad inprocess --run /tmp/s43/run --clients 32 --warmup 8 --seconds 15 --fresh $f 2>&1 | grep -E "^inprocess"
  echo -n "fresh=$f "; sed "s/--fresh true/--fresh $f/" /tmp/s43/http1.sh > /tmp/s43/httpf.sh; CLIENTS=32 LOG=/tmp/s43/srv-r.log bash /tmp/s43/httpf.sh 2>&1 | grep -E "^http"
done; done
