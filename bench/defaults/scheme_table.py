"""The README's identifier table from bench/defaults/scheme_sitting.sh's runs: python3 bench/defaults/scheme_table.py OUT

One block per dataset: CART and CART + re-rank per identifier scheme, then the caption matcher and the dual tower (from
the default run; every run trains its own dual tower for its re-rank, and the table shows the default run's)."""
import json, os, sys
root = sys.argv[1]
# The rows name their scheme from metrics.json's "method"; this is only the order.
VARIANTS = ['semantic-captions', 'semantic-items', 'atomic']
def f(x): return f"{x:.2f}"
def q(x): return f"{x:,.0f}"
print("| dataset | method | val R@1 | test R@1 | R@5 | R@10 | MRR@10 | queries/s | train s |")
print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for ds in ['emoji', 'clipart-dev', 'clipart-dev-cold']:
    base = None
    for v in VARIANTS:
        p = os.path.join(root, v, ds, 'metrics.json')
        if not os.path.exists(p): continue
        m = json.load(open(p))
        if v == 'semantic-captions': base = m
        val = m.get('val', {})
        def row(label, r, vr, train):
            print(f"| {ds} | {label} | {vr} | **{f(r['R@1'])}** | {f(r['R@5'])} | {f(r['R@10'])} | {f(r['MRR@10'])} | {q(r['queries_per_second'])} | {train} |")
        row(m['method'], m['cart'], f(val['cart_R@1']) if 'cart_R@1' in val else '',
            f"{m['train_seconds']:.0f} ({m['epochs']} ep., kept {m['best_epoch']})")
        rrp = os.path.join(root, v, ds, 'rerank.json')
        if 'cart_rerank' in m and os.path.exists(rrp):
            rr = json.load(open(rrp))
            guide = f", guide {rr['prior_weight']:.2f}" if rr.get('prior_weight') else ""
            row(f"&nbsp;&nbsp;+ re-rank ({rr['tower']}{guide}, w {rr['weight']:.1f})", m['cart_rerank'],
                f(val['cart_rerank_R@1']) if 'cart_rerank_R@1' in val else '', '')
    if base is None: continue
    v = base.get('val', {})
    if 'caption_match' in base:
        r = base['caption_match']
        print(f"| {ds} | caption match (no training) | {f(v['caption_match_R@1']) if 'caption_match_R@1' in v else ''} | **{f(r['R@1'])}** | {f(r['R@5'])} | {f(r['R@10'])} | {f(r['MRR@10'])} | {q(r['queries_per_second'])} | 0 |")
    if 'dual_tower' in base:
        r = base['dual_tower']
        print(f"| {ds} | dual tower (frozen encoder + trained projections) |  | **{f(r['R@1'])}** | {f(r['R@5'])} | {f(r['R@10'])} | {f(r['MRR@10'])} | {q(r['queries_per_second'])} | {r.get('train_seconds', 0):.0f} |")
