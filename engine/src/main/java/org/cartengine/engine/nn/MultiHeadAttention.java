package org.cartengine.engine.nn;

import org.cartengine.engine.DType;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.ops.Attention;

/** Multi-head attention: projections around the fused attention op. Inputs are [B, T, dModel]. */
public final class MultiHeadAttention extends Module {
  public final Linear q;
  public final Linear k;
  public final Linear v;
  public final Linear o;
  private final int heads;
  private final int dModel;

  public MultiHeadAttention(Backend be, DType dt, Rng rng, String name, int dModel, int heads) {
    if (dModel % heads != 0) throw new IllegalArgumentException("MultiHeadAttention: dModel " + dModel + " is not divisible by heads " + heads);
    this.heads = heads;
    this.dModel = dModel;
    q = module("q", new Linear(be, dt, rng, name + ".q", dModel, dModel, true));
    k = module("k", new Linear(be, dt, rng, name + ".k", dModel, dModel, true));
    v = module("v", new Linear(be, dt, rng, name + ".v", dModel, dModel, true));
    o = module("o", new Linear(be, dt, rng, name + ".o", dModel, dModel, true));
  }

  /**
   * @param x queries [B, Tq, d]
   * @param mem keys/values [B, Tk, d] (x itself for self-attention)
   * @param keyPadding null or I32 [B, Tk] (1 = real)
   */
  public Tensor forward(Tensor x, Tensor mem, Tensor keyPadding, boolean causal) {
    int b = x.dim(0), tq = x.dim(1), tk = mem.dim(1), dh = dModel / heads;
    Tensor qh = q.forward(x).reshape(b, tq, heads, dh).permute(0, 2, 1, 3);
    Tensor kh = k.forward(mem).reshape(b, tk, heads, dh).permute(0, 2, 1, 3);
    Tensor vh = v.forward(mem).reshape(b, tk, heads, dh).permute(0, 2, 1, 3);
    Tensor att = Attention.attention(qh, kh, vh, keyPadding, causal);
    return o.forward(att.permute(0, 2, 1, 3).reshape(b, tq, dModel));
  }
}
