package org.cartengine.engine.nn;

import java.util.Random;
import org.cartengine.engine.DType;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.Backend;

/** Parameter initialisers. */
public final class Init {
  private Init() {}

  /** Xavier/Glorot uniform: U(-a, a), a = sqrt(6 / (fanIn + fanOut)). */
  public static Tensor xavierUniform(Backend be, DType dt, Random rng, int fanOut, int fanIn) {
    double a = Math.sqrt(6.0 / (fanIn + fanOut));
    return Tensor.uniform(be, dt, rng, -a, a, fanOut, fanIn);
  }

  public static Tensor normal(Backend be, DType dt, Random rng, double std, int... shape) {
    return Tensor.randn(be, dt, rng, std, shape);
  }
}
