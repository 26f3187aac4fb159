package org.cartengine.engine.nn;

import java.util.List;
import org.cartengine.engine.DType;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.Backend;

/**
 * Pre-LN decoder layer: causal self-attention, a pluggable {@link CrossAttentionBlock}, feed-forward;
 * each as a residual branch with dropout.
 */
public final class TransformerDecoderLayer extends Module {
  public final MultiHeadAttention selfAttn;
  public final CrossAttentionBlock cross;
  public final FeedForward ffn;
  public final LayerNorm ln1;
  public final LayerNorm ln2;
  public final LayerNorm ln3;
  private final Dropout drop;

  /** cross must also be a {@link Module} so its parameters are registered. */
  public TransformerDecoderLayer(Backend be, DType dt, Rng rng, String name, int dModel, int heads, int dFF, double dropout, CrossAttentionBlock cross) {
    selfAttn = module("selfAttn", new MultiHeadAttention(be, dt, rng, name + ".selfAttn", dModel, heads));
    if (!(cross instanceof Module m)) throw new IllegalArgumentException("cross-attention block must be a Module");
    module("cross", m);
    this.cross = cross;
    ffn = module("ffn", new FeedForward(be, dt, rng, name + ".ffn", dModel, dFF));
    ln1 = module("ln1", new LayerNorm(be, dt, dModel));
    ln2 = module("ln2", new LayerNorm(be, dt, dModel));
    ln3 = module("ln3", new LayerNorm(be, dt, dModel));
    drop = module("drop", new Dropout(rng, dropout));
  }

  public Tensor forward(Tensor y, List<Tensor> encoderLayers, Tensor memoryPadding) {
    Tensor h = ln1.forward(y);
    y = y.add(drop.forward(selfAttn.forward(h, h, null, true)));
    y = y.add(drop.forward(cross.forward(ln2.forward(y), encoderLayers, memoryPadding)));
    return y.add(drop.forward(ffn.forward(ln3.forward(y))));
  }

  /**
   * Inference for one new position per row (no dropout): {@link #forward}'s last position, with the
   * earlier positions' self-attention keys and values read from the cache and the encoder memory's
   * projections read from {@code memory}.
   *
   * @param y [R, d] the new position's input of each row; each row has its own cache row
   * @param groupStart null: R / G consecutive rows per memory group; else group g owns rows groupStart[g] to
   *     groupStart[g + 1] (see {@link CrossAttentionBlock#forwardStep})
   */
  public Tensor forwardStep(Tensor y, KvCache cache, CrossAttentionBlock.Memory memory, int[] groupStart) {
    y = y.add(selfAttn.forwardStep(ln1.forward(y), cache));
    y = y.add(cross.forwardStep(ln2.forward(y), memory, groupStart));
    return y.add(ffn.infer(ln3.forward(y)));
  }
}
