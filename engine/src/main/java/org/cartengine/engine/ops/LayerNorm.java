package org.cartengine.engine.ops;

import static org.cartengine.engine.autograd.Autograd.accumulate;
import static org.cartengine.engine.autograd.Autograd.record;

import org.cartengine.engine.Shape;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.Backend;

/** Layer normalisation over the last axis with affine gamma and beta, one fused kernel each way. */
public final class LayerNorm {
  private LayerNorm() {}

  public static Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, double eps) {
    Elementwise.sameBackend("layerNorm", x, gamma);
    int cols = x.dim(-1), rows = x.numel() / cols;
    if (gamma.numel() != cols || beta.numel() != cols)
      throw new IllegalArgumentException("layerNorm: gamma " + Shape.str(gamma.shape()) + " / beta " + Shape.str(beta.shape()) + " do not match last axis of " + Shape.str(x.shape()));
    Backend be = x.backend();
    Tensor xc = Views.contiguous(x), gc = Views.contiguous(gamma), bc = Views.contiguous(beta);
    Tensor y = Tensor.zeros(be, x.dtype(), x.shape());
    Tensor mean = Tensor.zeros(be, x.dtype(), rows), rstd = Tensor.zeros(be, x.dtype(), rows);
    be.layerNorm(xc.buffer(), gc.buffer(), bc.buffer(), y.buffer(), mean.buffer(), rstd.buffer(), rows, cols, eps);
    return record(y, "layerNorm", g -> {
      Tensor dyc = Views.contiguous(g);
      Tensor dx = Tensor.zeros(be, x.dtype(), x.shape());
      Tensor dg = Tensor.zeros(be, x.dtype(), gamma.shape()), db = Tensor.zeros(be, x.dtype(), beta.shape());
      be.layerNormBackward(xc.buffer(), gc.buffer(), mean.buffer(), rstd.buffer(), dyc.buffer(), dx.buffer(), dg.buffer(), db.buffer(), rows, cols);
      accumulate(x, dx);
      accumulate(gamma, dg);
      accumulate(beta, db);
    }, x, gamma, beta);
  }
}
