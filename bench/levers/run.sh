#!/usr/bin/env bash
# The README's levers table: one `cart train` per row on the same data, seed and epoch budget (epochs, not minutes,
# so that rows stay comparable on a machine whose load changes), then one table of test metrics from each run's
# metrics.json. ONLY=row,row runs a subset; EXTRA="--lr 2e-3" adds options to every row (e.g. an earlier default, to
# add a row to a table measured before that default changed); rows already run (metrics.json present) are skipped. Usage: bench/levers/run.sh [JAR] [OUT_DIR] [EPOCHS] [DATA]
set -euo pipefail
JAR=${1:-cart/target/cart-engine.jar}
OUT=${2:-runs/levers}
EPOCHS=${3:-3}
DATA=${4:-emoji}
mkdir -p "$OUT"
# row name | extra train options. The rows are levers of the paper's semantic identifiers, so each names --scheme cart
# (train's default, auto, picks atomic identifiers on emoji and clipart-dev; the "atomic" row is that default).
ROWS=(
  "ids-paper|--scheme cart --k 128 --codebook-size 128 --no-normalize --kmeans-lloyd 0 --align-weight 0"
  "ids-corpus-scaled|--scheme cart --align-weight 0"
  "default|--scheme cart"
  "label-smoothing-0.1|--scheme cart --label-smoothing 0.1"
  "restarts-1-epoch|--scheme cart --restart-epochs 1"
  "warmup-400|--scheme cart --warmup-steps 400"
  "omega-0.5|--scheme cart --omega 0.5"
  "rqvae-paper-schedule|--scheme cart --index-epochs 500 --warmup-epochs 300 --index-lr 1e-4"
  "atomic|--scheme atomic"
)
for row in "${ROWS[@]}"; do
  name=${row%%|*}; opts=${row#*|}
  if [ -n "${ONLY:-}" ] && [[ ",$ONLY," != *",$name,"* ]]; then continue; fi
  [ -f "$OUT/$name/metrics.json" ] && { echo "skip $name (done)"; continue; }
  echo "== $name: train --data $DATA --minutes 0 --epochs $EPOCHS $opts ${EXTRA:-}"
  # shellcheck disable=SC2086
  java -jar "$JAR" train --data "$DATA" --out "$OUT/$name" --minutes 0 --epochs "$EPOCHS" --seed 42 $opts ${EXTRA:-} > "$OUT/$name.out" 2> "$OUT/$name.err" \
    || { echo "$name failed, see $OUT/$name.err"; continue; }
done
python3 - "$OUT" <<'PY'
import json, os, sys
out = sys.argv[1]
print("| row | CART R@1 | R@10 | MRR@10 | + re-rank R@1 | R@10 | dual tower R@1 | epochs | train s |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for name in sorted(os.listdir(out)):
    f = os.path.join(out, name, "metrics.json")
    if not os.path.isfile(f): continue
    m = json.load(open(f)); c = m["cart"]; r = m.get("cart_rerank"); d = m.get("dual_tower")
    fmt = lambda x: "%.2f" % x
    print(f"| {name} | {fmt(c['R@1'])} | {fmt(c['R@10'])} | {fmt(c['MRR@10'])} | {fmt(r['R@1']) if r else '-'} | {fmt(r['R@10']) if r else '-'} | "
          f"{fmt(d['R@1']) if d else '-'} | {m.get('epochs', '-')} | {m['train_seconds']:.0f} |")
PY
