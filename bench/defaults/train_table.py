"""The per-encoder results table from `VARIANTS="minilm scratch" bench/defaults/scheme_sitting.sh JAR OUT`'s runs:
python3 bench/defaults/train_table.py OUT"""
import json, os, sys
root = sys.argv[1]
def f(x): return f"{x:.2f}"
def q(x): return f"{x:,.0f}"
print("| dataset | text encoder | method | val R@1 | test R@1 | R@5 | R@10 | MRR@10 | queries/s | train s |")
print("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for ds in ['emoji', 'clipart-dev', 'clipart-dev-cold']:
    for enc in ['minilm', 'scratch']:
        d = os.path.join(root, enc, ds)
        p = os.path.join(d, 'metrics.json')
        if not os.path.exists(p): continue
        m = json.load(open(p))
        wall = ''
        try:
            wall = [l for l in open(os.path.join(root, enc, ds + '.out')) if l.startswith('wall')][0].split()[1]
        except Exception: pass
        v = m.get('val', {})
        name = 'all-MiniLM-L6-v2' if enc == 'minilm' else 'none (scratch)'
        def row(label, k, val, train):
            if k not in m: return
            r = m[k]
            print(f"| {ds} | {name} | {label} | {val} | **{f(r['R@1'])}** | {f(r['R@5'])} | {f(r['R@10'])} | {f(r['MRR@10'])} | {q(r['queries_per_second'])} | {train} |")
        row(m['method'], 'cart', f(v['cart_R@1']) if 'cart_R@1' in v else '', f"{m['train_seconds']:.0f} ({m['epochs']} epochs, kept {m['best_epoch']})")
        rrp = os.path.join(d, 'rerank.json')
        if os.path.exists(rrp):
            rr = json.load(open(rrp))
            guide = f", guide {rr['prior_weight']:.2f}" if rr.get('prior_weight') else ""
            row(f"+ re-rank ({rr['tower']} tower{guide}, w {rr['weight']:.1f}, beam {rr['beam']})", 'cart_rerank', f(v['cart_rerank_R@1']) if 'cart_rerank_R@1' in v else '', '')
        row("caption match (no training)", 'caption_match', f(v['caption_match_R@1']) if 'caption_match_R@1' in v else '', '0')
        dt = m.get('dual_tower', {})
        label = "dual tower (frozen encoder + trained projections)" if enc == 'minilm' else "dual tower (trained from scratch)"
        row(label, 'dual_tower', '', f"{dt.get('train_seconds', 0):.0f}")
        print(f"| {ds} | {name} | *`train` wall clock: {wall} s* | | | | | | | |")
