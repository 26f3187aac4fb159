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
 *
 * <p>Keys and values are kept head by head, [R, H, L, Dh], the layout the attention kernel reads: appending a position
 * copies the cache once (as any append to a dense array does), and attending needs no permuted copy per step.
 */
public final class KvCache {
  private Tensor keys; // [R, H, L, Dh], null before the first step
  private Tensor values;

  /** Positions cached per row. */
  public int length() {
    return keys == null ? 0 : keys.dim(2);
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

  /** Appends one position: k and v are [R, heads * Dh] for the R cached rows (or start the cache). */
  public void append(Tensor k, Tensor v, int heads) {
    int r = k.dim(0), d = k.dim(1);
    if (heads < 1 || d % heads != 0) throw new IllegalArgumentException("KvCache: width " + d + " does not split into " + heads + " heads");
    int dh = d / heads;
    if (keys != null && (r != rows() || heads != keys.dim(1) || dh != keys.dim(3)))
      throw new IllegalArgumentException("KvCache: appending [" + r + ", " + d + "] in " + heads + " heads to a cache of " + rows() + " rows of "
          + keys.dim(1) + " heads of " + keys.dim(3));
    // [R, d] is [R, H, 1, Dh] without a copy: the position axis has size 1.
    Tensor k4 = k.reshape(r, heads, 1, dh), v4 = v.reshape(r, heads, 1, dh);
    keys = keys == null ? Views.contiguous(k4) : Views.concat(List.of(keys, k4), 2);
    values = values == null ? Views.contiguous(v4) : Views.concat(List.of(values, v4), 2);
  }

  /** [R, H, L, Dh]. */
  public Tensor keys() {
    return keys;
  }

  /** [R, H, L, Dh]. */
  public Tensor values() {
    return values;
  }

  private static Tensor gatherRows(Tensor x, Tensor idx) {
    int r = x.dim(0), h = x.dim(1), l = x.dim(2), d = x.dim(3);
    return Embedding.lookup(x.reshape(r, h * l * d), idx).reshape(idx.numel(), h, l, d);
  }
}
