import json, os, sys
root = sys.argv[1]
def f(x): return f"{x:.2f}"
def q(x): return f"{x:,.0f}"
rows = []
for ds in ['emoji', 'clipart-dev', 'clipart-dev-cold']:
    p = os.path.join(root, ds, 'metrics.json')
    if not os.path.exists(p): continue
    m = json.load(open(p))
    wall = ''
    try:
        wall = [l for l in open(os.path.join(root, ds + '.out')) if l.startswith('wall')][0].split()[1]
    except Exception: pass
    v = m.get('val', {})
    def row(label, k, val, train):
        r = m[k]
        rows.append(f"| {ds} | {label} | {val} | **{f(r['R@1'])}** | {f(r['R@5'])} | {f(r['R@10'])} | {f(r['MRR@10'])} | {q(r['queries_per_second'])} | {train} |")
    rr = json.load(open(os.path.join(root, ds, 'rerank.json')))
    row(m['method'], 'cart', f(v['cart_R@1']) if 'cart_R@1' in v else '', f"{m['train_seconds']:.0f} ({m['epochs']} epochs, kept {m['best_epoch']})")
    row(f"+ re-rank ({rr['tower']} tower, guide {rr['prior_weight']:.2f}, w {rr['weight']:.1f}, beam {rr['beam']})", 'cart_rerank', f(v['cart_rerank_R@1']), '')
    row("caption match (all-MiniLM-L6-v2, no training)", 'caption_match', f(v['caption_match_R@1']), '0')
    row("dual tower (frozen all-MiniLM-L6-v2 + trained projections)", 'dual_tower', '', f"{m['dual_tower']['train_seconds']:.0f}")
    rows.append(f"| {ds} | *`train` wall clock: {wall} s* | | | | | | | |")
print("| dataset | method | val R@1 | test R@1 | R@5 | R@10 | MRR@10 | queries/s | train s |")
print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
print("\n".join(rows))
