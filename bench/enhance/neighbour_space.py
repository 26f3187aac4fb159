"""Caption enhancement's neighbour space, judged without training: the val caption-matching R@1 / R@10 / MRR@10 of a
dataset when each item is the mean all-MiniLM-L6-v2 embedding of its train captions, human and pseudo-queries alike.
Run by bench/enhance/neighbour-space.sh on DumpCaptionEmbeddings' output of the plain and the enhanced datasets.
Relevance as the dataset format says for val queries: the query's item and every item with a human train or val
caption of the same text (pseudo-queries never make an item relevant)."""
import collections, sys
import numpy as np

def load(d):
    E = np.load(d + '/capemb.npy')
    rows = [l.rstrip('\n').split('\t', 3) for l in open(d + '/captions.tsv', encoding='utf-8')]
    item = np.array([int(r[0]) for r in rows]); split = np.array([r[1] for r in rows]); source = [r[2] for r in rows]
    text = [' '.join(r[3].lower().split()) for r in rows]
    n = np.load(d + '/items.npy').shape[0]
    return E, item, split, source, text, n

def unit(A):
    nrm = np.linalg.norm(A, axis=1, keepdims=True); nrm[nrm == 0] = 1
    return A / nrm

def main(d):
    E, item, split, source, text, n = load(d)
    V = np.zeros((n, E.shape[1])); c = np.zeros(n)
    for i in range(len(item)):
        if split[i] == 'TRAIN': V[item[i]] += E[i]; c[item[i]] += 1
    V = unit(V)
    rel = collections.defaultdict(set)
    for it, s, src, t in zip(item, split, source, text):
        if s in ('TRAIN', 'VAL') and src == '-': rel[t].add(it)
    q = np.where(split == 'VAL')[0]
    top = np.argsort(-(unit(E[q]) @ V.T), axis=1)[:, :10]
    r1 = r10 = mrr = 0
    for a, i in enumerate(q):
        want = rel[text[i]] | {item[i]}
        hits = [j for j, x in enumerate(top[a]) if x in want]
        if hits:
            r1 += hits[0] == 0; r10 += 1; mrr += 1 / (hits[0] + 1)
    k = len(q)
    print(f"{d}: {k} val queries, {int((split == 'TRAIN').sum())} train captions: R@1 {100 * r1 / k:.2f}, R@10 {100 * r10 / k:.2f}, MRR@10 {100 * mrr / k:.2f}")

for d in sys.argv[1:]:
    main(d)
