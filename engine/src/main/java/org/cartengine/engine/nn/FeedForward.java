package org.cartengine.engine.nn;

import org.cartengine.engine.DType;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.Backend;

/** Position-wise feed-forward: Linear -> GELU -> Linear. */
public final class FeedForward extends Module {
  public final Linear w1;
  public final Linear w2;

  public FeedForward(Backend be, DType dt, Rng rng, String name, int dModel, int dFF) {
    w1 = module("w1", new Linear(be, dt, rng, name + ".w1", dModel, dFF, true));
    w2 = module("w2", new Linear(be, dt, rng, name + ".w2", dFF, dModel, true));
  }

  public Tensor forward(Tensor x) {
    return w2.forward(w1.forward(x).gelu());
  }

  /** {@link #forward} for inference (no-grad scope). */
  public Tensor infer(Tensor x) {
    return w2.infer(w1.infer(x).gelu());
  }
}
