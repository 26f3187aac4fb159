#!/usr/bin/env bash
export CART_TEXT_MODEL=/work/main/cart/target/models/all-minilm-l6-v2
cd /tmp/s43/probe
echo "# in-process, one caller, 1,911 unseen emoji test queries per pass, 4 passes per JVM: java --add-modules=jdk.incubator.vector -cp JAR Probe.java RUN 1911 4"
for r in 1 2; do for j in base loop; do echo "== $j"; java --add-modules=jdk.incubator.vector -cp /tmp/s43/$j.jar Probe.java /tmp/s43/run 1911 4 2>&1 | grep "^pass"; done; done
cd /tmp/s43
echo "# HTTP, 32 clients, unseen queries, 15 s"
for r in 1 2; do for j in base loop; do echo -n "$j "; CLIENTS=32 JAR=/tmp/s43/$j.jar LOG=/tmp/s43/srv-$j.log ./http1.sh 2>&1 | grep http; done; done
