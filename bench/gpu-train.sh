#!/usr/bin/env bash
# CART on the card, after bench/gpu-check.sh (same build: bench/gpu-build.sh; .jre and bench/target/gpu-check.jar
# travel with the tree):
#   1. a JFR profile of CART's training step at the paper's shape (d_model 256, FFN 1024, 8 heads, batch 256):
#      where the host spends a step; read it on the dev machine with `jfr print --events jdk.ExecutionSample`
#   2. `cart train` end to end on the embedded emoji dataset on CUDA (index, training, beam search, test metrics,
#      the dual-tower baseline), with a short time budget
# Outputs go to $OUT (else bench/target/gpu-train-out).
set -uo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-bench/target/gpu-train-out}
mkdir -p "$out"
java=.jre/bin/java
[ -x "$java" ] || java=$(command -v java)
jar=bench/target/gpu-check.jar
backend=${CART_BACKEND:-cuda}
opts=(--add-modules jdk.incubator.vector -Xmx16g -XX:+UseParallelGC -Dcart.backend="$backend")
echo "== 1. JFR profile of the training step, paper shape, $backend"
timeout 120 "$java" "${opts[@]}" -XX:StartFlightRecording=filename="$out/train-step.jfr",settings=profile \
  -cp "$jar" org.cartengine.bench.TrainThroughput --steps "${STEPS:-30}" --d-model 256 --ffn 1024 --heads 8 --batch 256 2>&1 \
  | grep -v WARNING | tee "$out/train-step.txt"
echo "== 2. cart train on emoji, $backend, ${MINUTES:-1} minute(s) of retriever training"
run=$(mktemp -d)
timeout "${TRAIN_TIMEOUT:-200}" "$java" "${opts[@]}" -cp "$jar" org.cartengine.cart.cli.Main train --device "$backend" \
  --data cart/src/main/resources/datasets/emoji --minutes "${MINUTES:-1}" --out "$run" 2>&1 | tr '\r' '\n' | grep -v WARNING \
  | tee "$out/cart-train.log" | grep -v '%' | tail -n 40
cp "$run/metrics.json" "$out/metrics.json" 2>/dev/null || echo "(no metrics.json)"
