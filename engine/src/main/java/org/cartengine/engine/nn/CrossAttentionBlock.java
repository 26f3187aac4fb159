package org.cartengine.engine.nn;

import java.util.List;
import org.cartengine.engine.Tensor;

/**
 * What a decoder layer attends to in the encoder. The standard block attends to the last encoder
 * layer; CART replaces it with its coarse + fine fusion over all encoder layers (paper eqs. 2-5).
 */
public interface CrossAttentionBlock {
  /**
   * @param y normalised decoder states [B, Ty, d]
   * @param encoderLayers outputs of every encoder layer, each [B, Tx, d], last one last
   * @param memoryPadding null or I32 [B, Tx]
   */
  Tensor forward(Tensor y, List<Tensor> encoderLayers, Tensor memoryPadding);

  /** What the block reads of the encoder during incremental decoding: every projection of the memory, made once per query. */
  interface Memory {}

  /**
   * Projects the encoder memory of G queries once (no autograd), for {@link #forwardStep}.
   *
   * @param encoderLayers outputs of every encoder layer, each [G, Tx, d]
   * @param memoryPadding null or I32 [G, Tx]
   */
  Memory prepare(List<Tensor> encoderLayers, Tensor memoryPadding);

  /**
   * The block's output for one new position per row: y [R, d] holds the normalised decoder states, rows grouped by
   * query (the memory is shared by a query's rows, never copied). groupStart null: R / G consecutive rows per query;
   * else query g owns rows groupStart[g] to groupStart[g + 1] (G + 1 entries; a query may own none).
   */
  Tensor forwardStep(Tensor y, Memory memory, int[] groupStart);
}
