"""Queries/s of FAISS's exact inner-product search (IndexFlatIP, 2 OpenMP threads) on random unit vectors,
the same sizes, dimension, batches and top-10 as org.cartengine.bench.ExactSearchThroughput.

Usage: python3 bench/exact_search_faiss.py [sizes 100000,1000000] [batches 2048,256] [dim 256] [queries 2048]
"""
import sys
import time

import faiss
import numpy as np


def unit_rows(rng, rows, dim):
    a = rng.standard_normal((rows, dim), dtype=np.float32)
    a /= np.linalg.norm(a, axis=1, keepdims=True)
    return a


def main():
    sizes = [int(s) for s in (sys.argv[1] if len(sys.argv) > 1 else "100000,1000000").split(",")]
    batches = [int(s) for s in (sys.argv[2] if len(sys.argv) > 2 else "2048,256").split(",")]
    dim = int(sys.argv[3]) if len(sys.argv) > 3 else 256
    nq = int(sys.argv[4]) if len(sys.argv) > 4 else 2048
    k = 10
    faiss.omp_set_num_threads(2)
    print(f"# faiss {faiss.__version__} IndexFlatIP, top-{k}, dim {dim}, {nq} queries, {faiss.omp_get_max_threads()} OpenMP threads")
    print(f"{'items':<10} {'batch':>6} {'method':<8} {'queries/s':>12} {'seconds':>10}")
    rng = np.random.default_rng(7)
    queries = unit_rows(rng, nq, dim)
    for n in sizes:
        index = faiss.IndexFlatIP(dim)
        index.add(unit_rows(rng, n, dim))
        for batch in batches:
            def one_pass():
                for s in range(0, nq, batch):
                    index.search(queries[s:s + batch], k)
            one_pass()
            best = float("inf")
            for _ in range(2):
                t0 = time.perf_counter()
                one_pass()
                best = min(best, time.perf_counter() - t0)
            print(f"{n:<10} {batch:>6} {'faiss':<8} {nq / best:>12.1f} {best:>10.3f}", flush=True)
        del index


if __name__ == "__main__":
    main()
