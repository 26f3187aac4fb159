#!/usr/bin/env bash
# `cart enhance --neighbour-space items` against `captions` on a dataset, judged by val caption matching (no training):
# bench/enhance/neighbour_space.py. Output: bench/results/enhance-neighbour-space-<dataset>.txt
#   bench/enhance/neighbour-space.sh [DATASET ../shared/datasets/clipart-dev]
set -euo pipefail
cd "$(dirname "$0")/../.."
DATA=${1:-../shared/datasets/clipart-dev}; NAME=$(basename "$DATA"); W=bench/target/enhance-$NAME
JAR=cart/target/cart-engine.jar; BENCH=bench/target/benchmarks.jar
mkdir -p "$W" bench/results
for sp in items captions; do
  [ -d "$W/enhanced-$sp" ] || java -jar "$JAR" enhance --data "$DATA" --out "$W/enhanced-$sp" --neighbour-space "$sp" > "$W/enhance-$sp.log" 2>&1
done
for d in plain:"$DATA" items:"$W/enhanced-items" captions:"$W/enhanced-captions"; do
  java --add-modules jdk.incubator.vector -cp "$BENCH" org.cartengine.bench.DumpCaptionEmbeddings "${d#*:}" "$W/dump-${d%%:*}" 2>/dev/null
done
python3 bench/enhance/neighbour_space.py "$W/dump-plain" "$W/dump-items" "$W/dump-captions" | tee bench/results/enhance-neighbour-space-$NAME.txt
