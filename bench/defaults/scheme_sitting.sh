#!/usr/bin/env bash
# The README's results: `cart train` with every default (time budget) on each dataset, once per variant (an identifier
# scheme, or a text encoder with everything else at its default), one run after the other in one sitting, into
# OUT/VARIANT/DATASET. Rows already run (metrics.json present) are skipped.
# Then: python3 bench/defaults/scheme_table.py OUT (schemes), or python3 bench/defaults/train_table.py OUT (encoders).
# Usage: bench/defaults/scheme_sitting.sh [JAR] [OUT_DIR]
#   DATASETS="emoji clipart-dev clipart-dev-cold"
#   VARIANTS="semantic-captions semantic-items atomic" (default), or "minilm scratch"
set -euo pipefail
JAR=${1:-cart/target/cart-engine.jar}
OUT=${2:-runs/scheme-sitting}
SHARED=${SHARED:-../shared/datasets}
args_of() {
  case "$1" in
    semantic-captions) echo "--scheme cart --id-space captions" ;;  # the paper's identifiers in the caption space
    semantic-items) echo "--scheme cart --id-space items" ;;        # the paper's identifiers on the raw item embeddings
    atomic) echo "--scheme atomic" ;;                               # one token per item
    minilm|scratch) echo "--text-encoder $1" ;;                     # every default, with or without the pretrained encoder
    *) echo "unknown variant $1" >&2; exit 2 ;;
  esac
}
mkdir -p "$OUT"
{ lscpu | grep -E 'Model name|^CPU\(s\)|Flags' | sed 's/Flags:.*/Flags: '"$(grep -o -w -E 'avx2|avx512f|avx512bw|fma' /proc/cpuinfo | sort -u | tr '\n' ' ')"'/'; java -version 2>&1 | head -1; } > "$OUT/machine.txt"
for ds in ${DATASETS:-emoji clipart-dev clipart-dev-cold}; do
  for v in ${VARIANTS:-semantic-captions semantic-items atomic}; do
    data=$ds; [ "$ds" = emoji ] || data="$SHARED/$ds"
    dir="$OUT/$v/$ds"
    [ -f "$dir/metrics.json" ] && { echo "skip $v/$ds (done)"; continue; }
    mkdir -p "$OUT/$v"
    echo "== $v $ds ($(date -u +%H:%M:%S), load $(cut -d' ' -f1-3 /proc/loadavg))"
    t0=$(date +%s)
    set +e
    # shellcheck disable=SC2046
    java -jar "$JAR" train --data "$data" --out "$dir" $(args_of "$v") > "$OUT/$v/$ds.out" 2> "$OUT/$v/$ds.log"
    rc=$?
    set -e
    echo "wall $(( $(date +%s) - t0 )) s, exit $rc, load after $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/$v/$ds.out"
  done
done
