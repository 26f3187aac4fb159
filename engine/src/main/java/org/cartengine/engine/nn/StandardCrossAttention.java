package org.cartengine.engine.nn;

import java.util.List;
import org.cartengine.engine.DType;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.Backend;

/** Vanilla Transformer cross-attention to the last encoder layer. */
public final class StandardCrossAttention extends Module implements CrossAttentionBlock {
  public final MultiHeadAttention attn;

  public StandardCrossAttention(Backend be, DType dt, Rng rng, String name, int dModel, int heads) {
    attn = module("attn", new MultiHeadAttention(be, dt, rng, name + ".attn", dModel, heads));
  }

  @Override
  public Tensor forward(Tensor y, List<Tensor> encoderLayers, Tensor memoryPadding) {
    return attn.forward(y, encoderLayers.get(encoderLayers.size() - 1), memoryPadding, false);
  }

  @Override
  public Memory prepare(List<Tensor> encoderLayers, Tensor memoryPadding) {
    return attn.projectMemory(encoderLayers.get(encoderLayers.size() - 1), memoryPadding);
  }

  @Override
  public Tensor forwardStep(Tensor y, Memory memory, int[] groupStart) {
    return attn.forwardMemory(y, (AttentionMemory) memory, groupStart);
  }
}
