package org.cartengine.engine.nn;

import org.cartengine.engine.DType;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.ops.Linalg;

/** y = x W^T + b with W [out, in] (Xavier-uniform; zeros when rng is null, for weights a checkpoint will assign) and b [out] (zeros). */
public final class Linear extends Module {
  public final Tensor weight;
  public final Tensor bias;
  public final int in;
  public final int out;

  public Linear(Backend be, DType dt, Rng rng, String name, int in, int out, boolean bias) {
    this.in = in;
    this.out = out;
    this.weight = param("weight", rng == null ? Tensor.zeros(be, dt, out, in) : Init.xavierUniform(be, dt, rng.forName(name + ".weight"), out, in));
    this.bias = bias ? param("bias", Tensor.zeros(be, dt, out)) : null;
  }

  public Tensor forward(Tensor x) {
    if (x.dim(-1) != in) throw new IllegalArgumentException("Linear(" + in + " -> " + out + "): input last axis is " + x.dim(-1) + " in " + java.util.Arrays.toString(x.shape()));
    return Linalg.linear(x, weight, bias);
  }

  /** {@link #forward} for inference (no-grad scope): the bias is folded into the GEMM ({@link org.cartengine.engine.ops.Affine}). */
  public Tensor infer(Tensor x) {
    if (x.dim(-1) != in) throw new IllegalArgumentException("Linear(" + in + " -> " + out + "): input last axis is " + x.dim(-1) + " in " + java.util.Arrays.toString(x.shape()));
    return org.cartengine.engine.ops.Affine.linear(x, weight, bias);
  }
}
