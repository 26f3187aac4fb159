package org.cartengine.engine.optim;

import java.util.Collection;
import org.cartengine.engine.Tensor;

public final class GradClip {
  private GradClip() {}

  /** sqrt of the sum of squares of every gradient (one device reduction per parameter). */
  public static double globalNorm(Collection<Tensor> params) {
    double s = 0;
    for (Tensor p : params) {
      Tensor g = p.grad();
      if (g != null) s += g.backend().sumSquares(g.buffer(), g.numel());
    }
    return Math.sqrt(s);
  }
}
