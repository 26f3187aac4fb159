#!/usr/bin/env bash
export CART_TEXT_MODEL=/work/main/cart/target/models/all-minilm-l6-v2
cd /tmp/s43
for r in 1 2 3; do for j in base loop; do echo -n "$j "; JAR=/tmp/s43/$j.jar LOG=/tmp/s43/srv-$j.log ./http1.sh 2>&1 | grep http; done; done
