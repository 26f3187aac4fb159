package org.cartengine.engine.nn;

import org.cartengine.engine.DType;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.ops.Attention;
import org.cartengine.engine.ops.Elementwise;

/**
 * One BERT encoder layer, post-LN as the pretrained checkpoints are: x = LN1(x + SelfAttn(x)), then
 * x = LN2(x + W2 GELU_erf(W1 x)). No dropout: the layer exists to run (and fine-tune) pretrained weights.
 */
public final class BertLayer extends Module {
  public final MultiHeadAttention attention;
  public final LayerNorm attentionNorm;
  public final Linear intermediate;
  public final Linear output;
  public final LayerNorm outputNorm;
  private final int heads;

  public BertLayer(Backend be, DType dt, Rng rng, String name, int hidden, int heads, int ffn, double eps) {
    this.heads = heads;
    attention = module("attention", new MultiHeadAttention(be, dt, rng, name + ".attention", hidden, heads));
    attentionNorm = module("attentionNorm", new LayerNorm(be, dt, hidden, eps));
    intermediate = module("intermediate", new Linear(be, dt, rng, name + ".intermediate", hidden, ffn, true));
    output = module("output", new Linear(be, dt, rng, name + ".output", ffn, hidden, true));
    outputNorm = module("outputNorm", new LayerNorm(be, dt, hidden, eps));
  }

  /** x [B, T, d]; padding null or I32 [B, T] with 1 = real token. */
  public Tensor forward(Tensor x, Tensor padding) {
    x = attentionNorm.forward(x.add(attention.forward(x, x, padding, false)));
    return outputNorm.forward(x.add(output.forward(Elementwise.geluErf(intermediate.forward(x)))));
  }

  /** {@link #forward} for inference (no-grad scope): biases folded into the GEMMs. */
  public Tensor infer(Tensor x, Tensor padding) {
    int b = x.dim(0), t = x.dim(1), d = x.dim(2), dh = d / heads;
    Tensor q = attention.q.infer(x).reshape(b, t, heads, dh).permute(0, 2, 1, 3);
    Tensor k = attention.k.infer(x).reshape(b, t, heads, dh).permute(0, 2, 1, 3);
    Tensor v = attention.v.infer(x).reshape(b, t, heads, dh).permute(0, 2, 1, 3);
    Tensor att = Attention.attention(q, k, v, padding, false).permute(0, 2, 1, 3).reshape(b, t, d);
    x = attentionNorm.forward(x.add(attention.o.infer(att)));
    return outputNorm.forward(x.add(output.infer(Elementwise.geluErf(intermediate.infer(x)))));
  }
}
