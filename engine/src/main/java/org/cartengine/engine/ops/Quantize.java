package org.cartengine.engine.ops;

import static org.cartengine.engine.autograd.Autograd.accumulateShared;
import static org.cartengine.engine.autograd.Autograd.record;

import org.cartengine.engine.DType;
import org.cartengine.engine.Shape;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.Backend;

/**
 * Vector quantization against a codebook, as used by the RQ-VAE of CART's section 3.2.2 (eq. 1).
 * The nearest code is found by one fused distance + argmin kernel.
 */
public final class Quantize {
  private Quantize() {}

  /**
   * @param indices I32 [N]: nearest code of each row
   * @param quantized [N, D] with value e (the chosen codes) and the straight-through gradient: d/dx = identity
   * @param codebookLoss mean ||sg[x] - e||^2: moves the codes towards the inputs
   * @param commitmentLoss mean ||x - sg[e]||^2: keeps inputs near their codes (weighted by beta in eq. 1)
   * @param distances [N] squared distance to the chosen code
   */
  public record Result(Tensor indices, Tensor quantized, Tensor codebookLoss, Tensor commitmentLoss, Tensor distances) {}

  /** Indices of the nearest codebook rows (no gradient). x [N, D], codebook [K, D]. */
  public static Tensor nearestIndices(Tensor x, Tensor codebook, Tensor distancesOut) {
    Elementwise.sameBackend("vqNearest", x, codebook);
    if (x.rank() != 2 || codebook.rank() != 2 || x.dim(1) != codebook.dim(1))
      throw new IllegalArgumentException("vqNearest: x " + Shape.str(x.shape()) + " and codebook " + Shape.str(codebook.shape()) + " must be [N, D] and [K, D]");
    Backend be = x.backend();
    Tensor xc = Views.contiguous(x), cc = Views.contiguous(codebook);
    Tensor idx = Tensor.zeros(be, DType.I32, x.dim(0));
    be.vqNearest(xc.buffer(), cc.buffer(), idx.buffer(), distancesOut == null ? null : distancesOut.buffer(), x.dim(0), codebook.dim(0), x.dim(1));
    return idx;
  }

  public static Result nearest(Tensor x, Tensor codebook) {
    Tensor dist = Tensor.zeros(x.backend(), x.dtype(), x.dim(0));
    Tensor idx = nearestIndices(x, codebook, dist);
    Tensor e = Embedding.lookup(codebook, idx);
    Tensor xd = x.detach(), ed = e.detach();
    Tensor codebookLoss = Softmax.mse(xd, e);
    Tensor commitment = Softmax.mse(x, ed);
    // Straight-through estimator: forward value e, gradient passed to x unchanged. Recorded as its own
    // node on a fresh view of e rather than as x + sg[e - x], whose value differs from e in the last bit.
    Tensor st = record(e.detach(), "straightThrough", g -> accumulateShared(x, g), x);
    return new Result(idx, st, codebookLoss, commitment, dist);
  }
}
