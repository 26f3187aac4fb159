package org.cartengine.engine.nn;

import org.cartengine.engine.DType;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.Backend;

public final class LayerNorm extends Module {
  public final Tensor gamma;
  public final Tensor beta;
  private final double eps;

  public LayerNorm(Backend be, DType dt, int dim) {
    this(be, dt, dim, 1e-5);
  }

  /** eps as the checkpoint was trained with (BERT: 1e-12). */
  public LayerNorm(Backend be, DType dt, int dim, double eps) {
    this.gamma = param("gamma", Tensor.ones(be, dt, dim));
    this.beta = param("beta", Tensor.zeros(be, dt, dim));
    this.eps = eps;
  }

  public Tensor forward(Tensor x) {
    return org.cartengine.engine.ops.LayerNorm.layerNorm(x, gamma, beta, eps);
  }
}
