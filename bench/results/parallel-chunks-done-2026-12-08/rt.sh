#!/usr/bin/env bash
cd /tmp/s43
for r in 1 2; do for j in base loop; do echo "== $j"; if [ $j = base ]; then CP=/tmp/s43/base.jar:/work/main/bench/target/classes; else CP=/work/main/bench/target/benchmarks.jar; fi
timeout 400 java --add-modules=jdk.incubator.vector -Xmx12g -cp $CP org.cartengine.bench.RetrievalThroughput 1000,100000 256 8192 3 1000 2>&1 | grep -v "WARN\|warn\|INFO" | tail -8; done; done
