"""Where an item without a train caption ("cold") sits in the caption space, judged without training: val caption-matching
R@1 and MRR@10 over the val queries for cold items, for each way of placing them (cart/.../text/CaptionSpace.java).
Captioned items are the normalised mean all-MiniLM-L6-v2 embedding of their human train captions. A cold item is
  - knn K T: the mean of its K nearest captioned items' vectors (item-embedding cosine), weighted by exp(cos / T);
  - transfer N: the mean embedding of the N neighbour-transfer pseudo-queries `train --uncaptioned-queries N` gives it
    (the texts of its 10 nearest captioned items, each scored by the summed cosine of the neighbours that have it).
A dataset with cold items (clipart-dev-cold) is used as it is; on one without, a seeded SHARE of the items is made cold
by dropping their train captions, and the val queries for those items are asked. Relevance as the dataset format says
for val queries, after the drop: the query's item and every item with a human train or val caption of the same text.
Input: DumpCaptionEmbeddings' output. Usage: python3 bench/enhance/cold_placement.py DUMP_DIR... (SHARE=0.3 SEED=0)"""
import collections, os, sys
import numpy as np

SHARE = float(os.environ.get('SHARE', 0.3)); SEED = int(os.environ.get('SEED', 0))

def unit(A):
    nrm = np.linalg.norm(A, axis=1, keepdims=True); nrm[nrm == 0] = 1
    return A / nrm

def study(d):
    E = unit(np.load(d + '/capemb.npy').astype(np.float64))
    rows = [l.rstrip('\n').split('\t', 3) for l in open(d + '/captions.tsv', encoding='utf-8')]
    item = np.array([int(r[0]) for r in rows]); split = np.array([r[1] for r in rows])
    human = np.array([r[2] == '-' for r in rows]); text = [' '.join(r[3].lower().split()) for r in rows]
    X = unit(np.load(d + '/items.npy').astype(np.float64)); n = X.shape[0]
    train = (split == 'TRAIN') & human
    has = np.zeros(n, bool); has[item[train]] = True
    if has.all():  # make a SHARE of the items cold
        cold = np.zeros(n, bool); cold[np.random.default_rng(SEED).permutation(n)[:int(SHARE * n)]] = True
        train &= ~cold[item]; has &= ~cold
    cold = ~has
    V = np.zeros((n, E.shape[1]))
    np.add.at(V, item[train], E[train]); V = unit(V)
    rel = collections.defaultdict(set)
    for i in np.where((train | (split == 'VAL')) & human)[0]: rel[text[i]].add(item[i])
    q = np.array([i for i in np.where((split == 'VAL') & human)[0] if cold[item[i]]])
    known = np.where(has)[0]; coldi = np.where(cold)[0]
    S = X[coldi] @ X[known].T
    order = np.argsort(-S, axis=1)

    def ev(W):
        top = np.argsort(-(E[q] @ W.T), axis=1)[:, :10]
        r1 = mrr = 0
        for a, i in enumerate(q):
            want = rel[text[i]] | {item[i]}
            hits = [j for j, x in enumerate(top[a]) if x in want]
            if hits: r1 += hits[0] == 0; mrr += 1 / (hits[0] + 1)
        return 100 * r1 / len(q), 100 * mrr / len(q)

    def knn(k, T):
        W = V.copy()
        for a, i in enumerate(coldi):
            nb = order[a, :k]; s = S[a, nb]; w = np.exp((s - s.max()) / T)
            W[i] = w @ V[known[nb]]
        return unit(W)

    texts_of = collections.defaultdict(list)
    for i in np.where(train)[0]: texts_of[item[i]].append(i)

    def transfer(per):
        W = V.copy()
        for a, i in enumerate(coldi):
            score = collections.OrderedDict()
            for j in known[order[a, :10]]:
                w = max(S[a, np.searchsorted(known, j)], 0); seen = set()
                for c in texts_of[j]:
                    if text[c] in seen: continue
                    seen.add(text[c]); s = score.setdefault(text[c], [0.0, c]); s[0] += w
            best = sorted(score.values(), key=lambda s: -s[0])[:per]
            W[i] = sum(E[c] for _, c in best)
        return unit(W)

    print(f"{os.path.basename(d.rstrip('/'))}: {n} items, {cold.sum()} cold, {len(q)} val queries for cold items")
    print(f"  {'placement':<16} {'R@1':>6} {'MRR@10':>7}")
    for name, W in [('transfer 3', transfer(3)), ('transfer 10', transfer(10))] + \
            [(f'knn {k} T {T}', knn(k, T)) for k in (1, 5, 10, 20) for T in (0.01, 0.02, 0.05, 0.1)]:
        r1, mrr = ev(W)
        print(f"  {name:<16} {r1:6.2f} {mrr:7.2f}")

for d in sys.argv[1:]:
    study(d)
