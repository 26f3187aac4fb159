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
}
