#!/bin/bash
# previous main (361adb6) and this tree alternated, RetrievalThroughput 1K/100K/1M, 8,192 queries, best of 3 rounds
lscpu | grep -E "Model name|Thread|Core"
for i in 1 2; do
for side in base new; do
  jar=/tmp/s41/base/bench/target/benchmarks.jar; [ $side = new ] && jar=/tmp/s41/new.jar
  echo "== $side $i"
  java --add-modules jdk.incubator.vector -Xmx12g -cp $jar org.cartengine.bench.RetrievalThroughput 1000,100000,1000000 256 8192 3 1000 2>&1 | grep -vE "WARNING|INFO|Backends pick"
done; done
