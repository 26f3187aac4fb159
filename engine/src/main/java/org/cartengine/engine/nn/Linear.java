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
  /** With {@link #keepTransposedForInference}: a [out, in] view of a contiguous W^T [in, out], which infer multiplies by. */
  private volatile Tensor inferenceWeight;

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
    Tensor w = inferenceWeight;
    return org.cartengine.engine.ops.Affine.linear(x, w != null ? w : weight, bias);
  }

  /**
   * For a frozen layer only: infer() from now on multiplies by a copy of W^T laid out [in, out], the same values. Why:
   * y = x W^T is a GEMM with a transposed B, and a blocked GEMM packs op(B) on every call; packing a transposed B moves
   * one element at a time (a strided gather), which for the few rows of a served query batch cost more than the
   * multiplication (30% of a server's CPU in the pretrained encoder, bench/README.md). The copy costs in x out floats;
   * a later change of {@link #weight} is not seen by infer.
   */
  @Override
  public void keepTransposedForInference() {
    if (inferenceWeight != null) return;
    try (Tensor wt = weight.t(); Tensor c = wt.contiguous()) {
      inferenceWeight = c.t();
    }
  }
}
