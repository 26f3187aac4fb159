#!/usr/bin/env bash
# How train's defaults are chosen: one `cart train` per (dataset, row), epoch-bounded with seed 42 so that rows stay
# comparable on a loaded machine, then one table per dataset of the VAL figures the choice is made on (CART's best
# epoch, CART + re-rank, caption matching) beside the test figures reported once per row. Rows already run
# (metrics.json present) are skipped; ONLY=row,row and DATASETS="emoji clipart-dev" pick a subset; EXTRA adds options.
# Usage: bench/defaults/run.sh [JAR] [OUT_DIR]
set -euo pipefail
JAR=${1:-cart/target/cart-engine.jar}
OUT=${2:-runs/defaults}
SHARED=${SHARED:-../shared/datasets}
DATASETS=${DATASETS:-"emoji clipart-dev clipart-dev-cold"}
mkdir -p "$OUT"
# row name | train options
ROWS=(
  "semantic-captions|--scheme cart --id-space captions --text-encoder minilm"
  "atomic|--scheme atomic --text-encoder minilm"
  "semantic-items|--scheme cart --id-space items --text-encoder minilm"
  "semantic-captions-scratch-encoder|--scheme cart --id-space captions --text-encoder minilm --scratch-query-embeddings"
  "scratch-auto|--scheme auto --text-encoder scratch"
)
epochs_for() { case "$1" in emoji) echo "${EMOJI_EPOCHS:-8}" ;; *) echo "${SMALL_EPOCHS:-60}" ;; esac; }
for ds in $DATASETS; do
  data=$ds; [ "$ds" = emoji ] || data="$SHARED/$ds"
  for row in "${ROWS[@]}"; do
    name=${row%%|*}; opts=${row#*|}
    if [ -n "${ONLY:-}" ] && [[ ",$ONLY," != *",$name,"* ]]; then continue; fi
    dir="$OUT/$ds/$name"
    [ -f "$dir/metrics.json" ] && { echo "skip $ds/$name (done)"; continue; }
    mkdir -p "$OUT/$ds"
    ep=$(epochs_for "$ds")
    echo "== $ds/$name: train --minutes 0 --epochs $ep $opts ${EXTRA:-}"
    # shellcheck disable=SC2086
    java -jar "$JAR" train --data "$data" --out "$dir" --minutes 0 --epochs "$ep" --seed 42 $opts ${EXTRA:-} > "$dir.out" 2> "$dir.err" \
      || { echo "$ds/$name failed, see $dir.err"; continue; }
  done
done
python3 "$(dirname "$0")/table.py" "$OUT"
