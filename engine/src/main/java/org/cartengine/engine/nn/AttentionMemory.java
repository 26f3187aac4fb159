package org.cartengine.engine.nn;

import org.cartengine.engine.Tensor;

/**
 * The keys and values of G memories (one per query of a batch), projected once and shared by every
 * row that reads them: the incremental decoder lays out its rows (beams) in groups of {@code slots}
 * consecutive rows per memory, so row r reads memory r / slots. That index is the layout itself, so
 * the fused attention op serves it directly with the group's rows as its query axis, and no memory
 * is ever copied per row.
 *
 * @param keys [G, H, D, Tk] contiguous: transposed, as decode attention reads them
 * @param values [G, H, Tk, D] contiguous
 * @param padding null or I32 [G, Tk], 1 = real key
 */
public record AttentionMemory(Tensor keys, Tensor values, Tensor padding) implements CrossAttentionBlock.Memory {
  public AttentionMemory {
    if (keys.rank() != 4 || values.rank() != 4 || keys.dim(0) != values.dim(0) || keys.dim(1) != values.dim(1) || keys.dim(2) != values.dim(3)
        || keys.dim(3) != values.dim(2))
      throw new IllegalArgumentException("AttentionMemory: keys must be [G, H, D, Tk] and values [G, H, Tk, D], got "
          + java.util.Arrays.toString(keys.shape()) + " and " + java.util.Arrays.toString(values.shape()));
  }

  /** Number of memories G. */
  public int groups() {
    return keys.dim(0);
  }
}
