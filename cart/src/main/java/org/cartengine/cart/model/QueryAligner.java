package org.cartengine.cart.model;

import org.cartengine.engine.DType;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.nn.Linear;
import org.cartengine.engine.nn.Module;
import org.cartengine.engine.nn.Rng;
import org.cartengine.engine.ops.Elementwise;

/**
 * Query-item alignment head (beyond the paper): the retriever's last encoder layer, mean-pooled over
 * the query's tokens and projected into the item embedding space. Trained jointly with the
 * identifier loss by in-batch InfoNCE against the fixed item embeddings, it teaches the shared encoder
 * where a query lies in the space the identifiers were quantised from (the coarse and fine tokens
 * are a coding of that space), and it gives the embedding re-rank a text tower at no extra training
 * budget.
 */
public final class QueryAligner extends Module {
  private final Linear proj;

  public QueryAligner(Backend be, DType dt, Rng rng, int dModel, int itemDim) {
    proj = module("proj", new Linear(be, dt, rng, "align.proj", dModel, itemDim, true));
  }

  /** L2-normalised query vectors [B, itemDim] from an encoded batch. */
  public Tensor embed(CartModel.Encoded enc) {
    Tensor x = enc.layers().get(enc.layers().size() - 1);
    int b = x.dim(0), t = x.dim(1);
    Tensor mask = Elementwise.cast(enc.padding(), x.dtype()).reshape(b, t, 1);
    Tensor pooled = x.mul(mask).sum(1, false).div(mask.sum(1, false));
    Tensor v = proj.forward(pooled);
    return v.div(v.mul(v).sum(1, true).add(1e-12).sqrt());
  }
}
