package org.cartengine.cart.search;

import java.util.Arrays;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import org.cartengine.engine.DType;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.Buffer;

/**
 * Exact inner-product top-k of a batch of queries against a host item matrix, without the full
 * (queries x items) score matrix: items are scored a block at a time with the backend's GEMM, and each
 * query row keeps a running size-k heap whose worst entry is the threshold, so most scores are turned
 * away by one compare. The result equals {@link TopK#topK} over the full matrix from the same GEMM
 * (higher score first, lower index first on ties).
 *
 * <p>Block sizes: a GEMM call scores a tile of {@link #QUERY_TILE} queries by {@link #ITEM_BLOCK} items.
 * The SIMD GEMM splits its m dimension over the threads in blocks of 128 rows, so 256 query rows keep
 * both cores busy; 128 x 1024 scores are 512 KB, one Zen 3 core's L2, so the half of the tile a core
 * writes is still in its cache when it is scanned, and 1024 item columns keep the GEMM's packing cost
 * (one 1024 x d panel of items per tile) small against its 2 x 256 x 1024 x d flops. The scan of a tile
 * is split over query rows between the caller and the common fork/join pool; a row is always scanned
 * by one thread, block after block in item order, so no heaps need merging and a later item with an
 * equal score never displaces an earlier one.
 */
public final class ExactTopK {
  static final int ITEM_BLOCK = 1024;
  static final int QUERY_TILE = 256;
  /** Below this many scores per tile the scan stays on the caller's thread. */
  private static final int PARALLEL_SCORES = 1 << 15;

  private ExactTopK() {}

  /**
   * The top-k items of each query, best first.
   *
   * @param queries nq x d, row-major
   * @param items n x d, row-major
   */
  public static int[][] search(Backend be, float[] queries, int nq, float[] items, int n, int d, int k) {
    return search(be, queries, nq, items, n, d, k, ITEM_BLOCK, QUERY_TILE);
  }

  static int[][] search(Backend be, float[] queries, int nq, float[] items, int n, int d, int k, int itemBlock, int queryTile) {
    if (nq < 0 || n < 0 || d < 1 || k < 0 || itemBlock < 1 || queryTile < 1) throw new IllegalArgumentException("exact top-k: bad sizes");
    if ((long) nq * d > queries.length || (long) n * d > items.length) throw new IllegalArgumentException("exact top-k: arrays shorter than the sizes");
    int kk = Math.min(k, n);
    Heaps h = new Heaps(nq, kk);
    if (nq > 0 && kk > 0) {
      int qt = Math.min(nq, queryTile), b = Math.min(n, itemBlock);
      float[] scores = new float[qt * b];
      try (Buffer qb = be.allocate(DType.F32, nq * d); Buffer ib = be.allocate(DType.F32, b * d); Buffer sb = be.allocate(DType.F32, qt * b)) {
        be.write(qb, 0, queries, 0, nq * d);
        for (int j0 = 0; j0 < n; j0 += b) {
          int bn = Math.min(b, n - j0);
          be.write(ib, 0, items, j0 * d, bn * d);
          for (int r0 = 0; r0 < nq; r0 += qt) {
            int rn = Math.min(qt, nq - r0);
            be.gemm(false, true, 1, rn, bn, d, 1.0, qb, r0 * d, 0, d, ib, 0, 0, d, 0.0, sb, 0, 0, bn);
            be.read(sb, 0, scores, 0, rn * bn);
            scan(h, scores, r0, rn, bn, j0);
          }
        }
      }
    }
    return h.sorted();
  }

  private static void scan(Heaps h, float[] scores, int r0, int rn, int bn, int j0) {
    if (rn < 2 || (long) rn * bn < PARALLEL_SCORES) {
      h.offer(scores, r0, 0, rn, bn, j0);
      return;
    }
    int mid = rn / 2;
    ForkJoinTask<?> other = ForkJoinPool.commonPool().submit(() -> h.offer(scores, r0, mid, rn, bn, j0));
    h.offer(scores, r0, 0, mid, bn, j0);
    other.join();
  }

  /** One min-heap of size k per query row, worst entry at the root; score and index kept side by side. */
  private static final class Heaps {
    final int k;
    final float[] s;
    final int[] idx;
    final int[] size;

    Heaps(int rows, int k) {
      this.k = k;
      s = new float[rows * k];
      idx = new int[rows * k];
      size = new int[rows];
    }

    /** Offers tile rows [lo, hi) (query r0 + row) with scores for items j0 .. j0 + bn - 1. */
    void offer(float[] scores, int r0, int lo, int hi, int bn, int j0) {
      for (int t = lo; t < hi; t++) {
        int r = r0 + t, o = r * k, so = t * bn, j = 0, sz = size[r];
        for (; j < bn && sz < k; j++) {
          s[o + sz] = scores[so + j];
          idx[o + sz] = j0 + j;
          siftUp(o, sz++);
        }
        size[r] = sz;
        if (j == bn) continue;
        float thr = s[o];
        for (; j < bn; j++) {
          float v = scores[so + j];
          // Items come in increasing index, so an equal score is never better: one compare decides.
          if (v > thr) {
            s[o] = v;
            idx[o] = j0 + j;
            siftDown(o);
            thr = s[o];
          }
        }
      }
    }

    /** Entry a ranks after entry b: lower score, or equal score and higher index. */
    private boolean worse(int a, int b) {
      float x = s[a], y = s[b];
      return x < y || (x == y && idx[a] > idx[b]);
    }

    private void swap(int a, int b) {
      float t = s[a];
      s[a] = s[b];
      s[b] = t;
      int u = idx[a];
      idx[a] = idx[b];
      idx[b] = u;
    }

    private void siftUp(int o, int i) {
      while (i > 0) {
        int p = (i - 1) / 2;
        if (!worse(o + i, o + p)) return;
        swap(o + i, o + p);
        i = p;
      }
    }

    private void siftDown(int o) {
      int i = 0;
      while (true) {
        int l = 2 * i + 1, r = l + 1, w = i;
        if (l < k && worse(o + l, o + w)) w = l;
        if (r < k && worse(o + r, o + w)) w = r;
        if (w == i) return;
        swap(o + i, o + w);
        i = w;
      }
    }

    int[][] sorted() {
      int[][] out = new int[size.length][];
      for (int r = 0; r < size.length; r++) {
        int o = r * k, n = size[r];
        Integer[] pos = new Integer[n];
        for (int i = 0; i < n; i++) pos[i] = o + i;
        Arrays.sort(pos, (a, b) -> worse(b, a) ? -1 : (worse(a, b) ? 1 : 0));
        out[r] = new int[n];
        for (int i = 0; i < n; i++) out[r][i] = idx[pos[i]];
      }
      return out;
    }
  }

  /**
   * Recall of approximate top-k lists against exact ones: the share of the exact lists' items the approximate
   * lists also hold (query by query, pooled over all queries); 1 when there are no exact items.
   */
  public static double recall(int[][] approx, int[][] exact) {
    if (approx.length != exact.length) throw new IllegalArgumentException("recall: " + approx.length + " approximate lists, " + exact.length + " exact ones");
    long hit = 0, all = 0;
    for (int q = 0; q < exact.length; q++) {
      java.util.Set<Integer> truth = new java.util.HashSet<>();
      for (int i : exact[q]) truth.add(i);
      for (int i : approx[q]) if (truth.contains(i)) hit++;
      all += exact[q].length;
    }
    return all == 0 ? 1 : (double) hit / all;
  }
}
