#!/bin/bash
# previous main (361adb6) and this tree alternated 4 times, RetrievalThroughput at 1M items only, best of 3 rounds each
lscpu | grep -E "Model name|Thread|Core"
for i in 1 2 3 4; do
for side in base new; do
  jar=/tmp/s41/base/bench/target/benchmarks.jar; [ $side = new ] && jar=/tmp/s41/new.jar
  echo "== $side $i"
  java --add-modules jdk.incubator.vector -Xmx12g -cp $jar org.cartengine.bench.RetrievalThroughput 1000000 256 8192 3 1000 2>&1 | grep -E "^round"
done; done
