package org.cartengine.engine.nn;

import org.cartengine.engine.Tensor;
import org.cartengine.engine.ops.Elementwise;

/** Dropout that draws a fresh mask seed from the model's {@link Rng} on every training call. */
public final class Dropout extends Module {
  private final double p;
  private final Rng rng;

  public Dropout(Rng rng, double p) {
    this.rng = rng;
    this.p = p;
  }

  public Tensor forward(Tensor x) {
    if (!isTraining() || p == 0) return x;
    return Elementwise.dropout(x, p, rng.nextSeed());
  }
}
