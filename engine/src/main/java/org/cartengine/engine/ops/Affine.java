package org.cartengine.engine.ops;

import org.cartengine.engine.DType;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.autograd.Autograd;

/**
 * y = x W^T + b for inference. The bias is gathered into every row of y first and the GEMM then
 * accumulates onto it (beta = 1), instead of a broadcasting add after the GEMM: on the decoder's
 * small widths (d_model 128) that add costs a large share of the GEMM itself. Outside a no-grad scope,
 * or when an input needs a gradient, this is exactly {@link Linalg#linear}.
 */
public final class Affine {
  private Affine() {}

  /** x [.., in], w [out, in], b [out] or null: [.., out]. */
  public static Tensor linear(Tensor x, Tensor w, Tensor b) {
    if (b == null || Autograd.needed(x, w, b) || x.rank() < 2) return Linalg.linear(x, w, b);
    int in = x.dim(-1), out = w.dim(0);
    if (w.dim(1) != in) return Linalg.linear(x, w, b); // let matmul report the mismatch
    Tensor x2 = Views.reshape(Views.contiguous(x), -1, in);
    int rows = x2.dim(0);
    // Every element is written by the bias gather: no zero fill.
    Tensor y = Tensor.uninitialized(x.backend(), x.dtype(), rows, out);
    Tensor zeros = Tensor.zeros(x.backend(), DType.I32, rows);
    x.backend().gather(Views.contiguous(b).buffer(), zeros.buffer(), y.buffer(), rows, out, 1);
    Linalg.gemm2(x2, w.t(), y, 1.0);
    int[] shape = x.shape();
    shape[shape.length - 1] = out;
    return y.reshape(shape);
  }
}
