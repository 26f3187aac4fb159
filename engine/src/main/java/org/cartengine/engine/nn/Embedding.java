package org.cartengine.engine.nn;

import org.cartengine.engine.DType;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.Backend;

/** A lookup table [vocab, dim], initialised N(0, dim^-1/2) as in Transformer practice (zeros when rng is null, for a checkpoint to assign). */
public final class Embedding extends Module {
  public final Tensor weight;

  public Embedding(Backend be, DType dt, Rng rng, String name, int vocab, int dim) {
    this.weight = param("weight", rng == null ? Tensor.zeros(be, dt, vocab, dim) : Init.normal(be, dt, rng.forName(name), 1.0 / Math.sqrt(dim), vocab, dim));
  }

  /** idx: I32 of any shape; returns idx.shape + [dim]. */
  public Tensor forward(Tensor idx) {
    return org.cartengine.engine.ops.Embedding.lookup(weight, idx);
  }
}
