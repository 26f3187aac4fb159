package org.cartengine.engine.nn;

import org.cartengine.engine.DType;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.Backend;

/**
 * Pre-LN encoder layer: x + Drop(SelfAttn(LN(x))), then x + Drop(FFN(LN(x))). Pre-LN rather than the
 * original post-LN because it trains stably without a long warm-up, which matters for short CPU runs.
 */
public final class TransformerEncoderLayer extends Module {
  public final MultiHeadAttention selfAttn;
  public final FeedForward ffn;
  public final LayerNorm ln1;
  public final LayerNorm ln2;
  private final Dropout drop;

  public TransformerEncoderLayer(Backend be, DType dt, Rng rng, String name, int dModel, int heads, int dFF, double dropout) {
    selfAttn = module("selfAttn", new MultiHeadAttention(be, dt, rng, name + ".selfAttn", dModel, heads));
    ffn = module("ffn", new FeedForward(be, dt, rng, name + ".ffn", dModel, dFF));
    ln1 = module("ln1", new LayerNorm(be, dt, dModel));
    ln2 = module("ln2", new LayerNorm(be, dt, dModel));
    drop = module("drop", new Dropout(rng, dropout));
  }

  /** x [B, T, d]; padding null or I32 [B, T] with 1 = real token. */
  public Tensor forward(Tensor x, Tensor padding) {
    Tensor h = ln1.forward(x);
    x = x.add(drop.forward(selfAttn.forward(h, h, padding, false)));
    return x.add(drop.forward(ffn.forward(ln2.forward(x))));
  }
}
