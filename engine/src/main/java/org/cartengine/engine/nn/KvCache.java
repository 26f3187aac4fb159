package org.cartengine.engine.nn;

import java.util.List;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.ops.Embedding;
import org.cartengine.engine.ops.Views;

/**
 * The self-attention keys and values of every position decoded so far, one row per sequence (for
 * beam search: per beam). Each decoding step projects only the new position and appends it; when the
 * search prunes and branches, {@link #reorder} keeps each surviving row's history under its new row
 * number (a parent with several surviving children is copied once per child, a dropped one vanishes).
 */
public final class KvCache {
  private Tensor keys; // [R, L, d], null before the first step
  private Tensor values;

  /** Positions cached per row. */
  public int length() {
    return keys == null ? 0 : keys.dim(1);
  }

  /** Rows (sequences) currently cached. */
  public int rows() {
    return keys == null ? 0 : keys.dim(0);
  }

  /** New row r takes the history of old row parent[r] (I32 [R'], each in [0, rows())). */
  public void reorder(Tensor parent) {
    if (keys == null) return;
    keys = gatherRows(keys, parent);
    values = gatherRows(values, parent);
  }

  /** Appends one position: k and v are [R, d] for the R cached rows (or start the cache). */
  public void append(Tensor k, Tensor v) {
    int r = k.dim(0), d = k.dim(1);
    if (keys != null && (r != rows() || d != keys.dim(2)))
      throw new IllegalArgumentException("KvCache: appending [" + r + ", " + d + "] to a cache of " + rows() + " rows of width " + keys.dim(2));
    Tensor k3 = k.reshape(r, 1, d), v3 = v.reshape(r, 1, d);
    keys = keys == null ? Views.contiguous(k3) : Views.concat(List.of(keys, k3), 1);
    values = values == null ? Views.contiguous(v3) : Views.concat(List.of(values, v3), 1);
  }

  /** [R, L, d]. */
  public Tensor keys() {
    return keys;
  }

  /** [R, L, d]. */
  public Tensor values() {
    return values;
  }

  private static Tensor gatherRows(Tensor x, Tensor idx) {
    int r = x.dim(0), l = x.dim(1), d = x.dim(2);
    return Embedding.lookup(x.reshape(r, l * d), idx).reshape(idx.numel(), l, d);
  }
}
