#!/usr/bin/env bash
# The README's results: `cart train` with every default (time budget) on each dataset, once with the pretrained text
# encoder (the default, minilm) and once without (--text-encoder scratch), one run after the other in one sitting.
# Rows already run (metrics.json present) are skipped. Then: python3 bench/defaults/train_table.py OUT
# Usage: bench/defaults/train_sitting.sh [JAR] [OUT_DIR]   (ENCODERS="minilm scratch", DATASETS="emoji clipart-dev clipart-dev-cold")
set -euo pipefail
JAR=${1:-cart/target/cart-engine.jar}
OUT=${2:-runs/train-defaults}
SHARED=${SHARED:-../shared/datasets}
mkdir -p "$OUT"
for enc in ${ENCODERS:-minilm scratch}; do
  for ds in ${DATASETS:-emoji clipart-dev clipart-dev-cold}; do
    data=$ds; [ "$ds" = emoji ] || data="$SHARED/$ds"
    dir="$OUT/$enc/$ds"
    [ -f "$dir/metrics.json" ] && { echo "skip $enc/$ds (done)"; continue; }
    mkdir -p "$OUT/$enc"
    echo "== $enc $ds ($(date -u +%H:%M:%S), load $(cut -d' ' -f1-3 /proc/loadavg))"
    t0=$(date +%s)
    set +e
    java -jar "$JAR" train --data "$data" --out "$dir" --text-encoder "$enc" > "$OUT/$enc/$ds.out" 2> "$OUT/$enc/$ds.log"
    rc=$?
    set -e
    echo "wall $(( $(date +%s) - t0 )) s, exit $rc, load after $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/$enc/$ds.out"
  done
done
