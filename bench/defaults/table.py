"""One markdown table per dataset from the metrics.json of each row of bench/defaults/run.sh: val figures (what defaults
are chosen by) and test figures (reported once per row). Usage: python3 bench/defaults/table.py OUT_DIR"""
import json
import os
import sys


def cell(o, *path):
    for p in path:
        if not isinstance(o, dict) or p not in o:
            return ""
        o = o[p]
    return f"{o:.2f}" if isinstance(o, float) else str(o)


out = sys.argv[1]
for ds in sorted(os.listdir(out)):
    d = os.path.join(out, ds)
    if not os.path.isdir(d):
        continue
    rows = [r for r in sorted(os.listdir(d)) if os.path.isfile(os.path.join(d, r, "metrics.json"))]
    if not rows:
        continue
    print(f"\n{ds}\n")
    print("| row | method | val CART R@1 | val + re-rank R@1 | val caption match R@1 | test CART R@1 | R@10 | MRR@10 | test + re-rank R@1 | R@10 | caption match R@1 | dual tower R@1 | epochs (kept) | train s | q/s |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        m = json.load(open(os.path.join(d, r, "metrics.json")))
        m = m.get("body", m)
        print("| " + " | ".join([
            r, m.get("method", ""), cell(m, "val", "cart_R@1"), cell(m, "val", "cart_rerank_R@1"), cell(m, "val", "caption_match_R@1"),
            cell(m, "cart", "R@1"), cell(m, "cart", "R@10"), cell(m, "cart", "MRR@10"),
            cell(m, "cart_rerank", "R@1"), cell(m, "cart_rerank", "R@10"), cell(m, "caption_match", "R@1"), cell(m, "dual_tower", "R@1"),
            f"{cell(m, 'epochs')} ({cell(m, 'best_epoch')})", f"{m.get('train_seconds', 0):.0f}",
            f"{m.get('cart', {}).get('queries_per_second', 0):.0f}"]) + " |")
