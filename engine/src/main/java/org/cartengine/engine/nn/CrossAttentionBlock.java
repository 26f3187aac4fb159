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
}
