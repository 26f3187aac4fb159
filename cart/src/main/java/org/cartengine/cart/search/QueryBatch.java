package org.cartengine.cart.search;

import java.util.List;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.Backend;

/** Tokenised queries padded to the longest in the batch (at most maxLength tokens; longer ones are cut). */
public record QueryBatch(Tensor ids, Tensor padding, Tensor positions, int size, int length) {

  public static QueryBatch of(Backend be, List<int[]> queries, int maxLength) {
    int b = queries.size(), t = 1;
    for (int[] q : queries) t = Math.max(t, Math.min(maxLength, q.length));
    int[] ids = new int[b * t], pad = new int[b * t], pos = new int[b * t];
    for (int i = 0; i < b; i++) {
      int[] q = queries.get(i);
      int n = Math.min(t, q.length);
      for (int j = 0; j < t; j++) {
        pos[i * t + j] = j;
        if (j < n) {
          ids[i * t + j] = q[j];
          pad[i * t + j] = 1;
        }
      }
      // An empty query still gets one (padding) position that may be attended, so attention has a key.
      if (n == 0) pad[i * t] = 1;
    }
    return new QueryBatch(Tensor.ofInts(be, ids, b, t), Tensor.ofInts(be, pad, b, t), Tensor.ofInts(be, pos, b, t), b, t);
  }

  /** Queries [lo, hi) of this batch, padded to the same length. */
  public QueryBatch rows(Backend be, int lo, int hi) {
    if (lo < 0 || hi > size || lo > hi) throw new IllegalArgumentException("query rows [" + lo + ", " + hi + ") of a batch of " + size);
    int n = hi - lo;
    return new QueryBatch(Tensor.ofInts(be, slice(ids, lo, hi), n, length), Tensor.ofInts(be, slice(padding, lo, hi), n, length),
        Tensor.ofInts(be, slice(positions, lo, hi), n, length), n, length);
  }

  private int[] slice(Tensor t, int lo, int hi) {
    return java.util.Arrays.copyOfRange(t.toIntArray(), lo * length, hi * length);
  }
}
