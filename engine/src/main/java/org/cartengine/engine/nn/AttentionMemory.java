package org.cartengine.engine.nn;

import org.cartengine.engine.Tensor;

/**
 * The keys and values of G memories (one per query of a batch), projected once and shared by every
 * row that reads them: the incremental decoder lays out its rows (beams) in groups of {@code slots}
 * consecutive rows per memory, so row r reads memory r / slots. That index is the layout itself, so
 * the fused attention op serves it directly with the group's rows as its query axis, and no memory
 * is ever copied per row.
 *
 * @param keys [G, H, Tk, D] contiguous
 * @param values [G, H, Tk, D] contiguous
 * @param padding null or I32 [G, Tk], 1 = real key
 */
public record AttentionMemory(Tensor keys, Tensor values, Tensor padding) implements CrossAttentionBlock.Memory {
  public AttentionMemory {
    if (keys.rank() != 4 || !java.util.Arrays.equals(keys.shape(), values.shape()))
      throw new IllegalArgumentException("AttentionMemory: keys and values must both be [G, H, Tk, D]");
  }

  /** Number of memories G. */
  public int groups() {
    return keys.dim(0);
  }
}
