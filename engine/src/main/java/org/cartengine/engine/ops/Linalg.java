package org.cartengine.engine.ops;

import static org.cartengine.engine.autograd.Autograd.accumulate;
import static org.cartengine.engine.autograd.Autograd.record;

import java.util.Arrays;
import org.cartengine.engine.Shape;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.Backend;

/**
 * Matrix products. Operands that are transposes of contiguous matrices (e.g. {@code w.t()}) are passed
 * to the GEMM kernel as transposed, without a copy. Shapes: [.., m, k] @ [k, n] (weights shared over
 * the batch) or [B.., m, k] @ [B.., k, n] with equal batch dims.
 */
public final class Linalg {
  private Linalg() {}

  /** How a GEMM reads one operand: in place, possibly transposed, with a batch stride. */
  record Operand(Tensor t, boolean trans, int ld, int batchStride) {}

  /** Describes t [.., r, c] as a GEMM operand, copying only when its strides allow neither layout. */
  static Operand operand(Tensor t) {
    int rank = t.rank();
    int r = t.dim(-2), c = t.dim(-1);
    int[] st = t.strides();
    boolean batchOk = true;
    int expect = r * c;
    for (int i = rank - 3; i >= 0; i--) {
      if (t.dim(i) != 1 && st[i] != expect) batchOk = false;
      expect *= t.dim(i);
    }
    if (batchOk && (st[rank - 1] == 1 || c == 1) && (st[rank - 2] == c || r == 1)) return new Operand(t, false, c, r * c);
    if (batchOk && (st[rank - 2] == 1 || r == 1) && (st[rank - 1] == r || c == 1)) return new Operand(t, true, r, r * c);
    Tensor tc = Views.contiguous(t);
    return new Operand(tc, false, c, r * c);
  }

  public static Tensor matmul(Tensor a, Tensor b) {
    Elementwise.sameBackend("matmul", a, b);
    Elementwise.floating("matmul", a);
    if (a.rank() < 2 || b.rank() < 2) throw new IllegalArgumentException("matmul: operands need rank >= 2, got " + Shape.str(a.shape()) + " @ " + Shape.str(b.shape()));
    int m = a.dim(-2), k = a.dim(-1), k2 = b.dim(-2), n = b.dim(-1);
    if (k != k2) throw new IllegalArgumentException("matmul: inner dimensions differ: " + Shape.str(a.shape()) + " @ " + Shape.str(b.shape()));
    Backend be = a.backend();
    if (b.rank() == 2) {
      // Shared weights: fold every leading axis of a into the rows.
      int[] outShape = a.shape();
      outShape[outShape.length - 1] = n;
      Tensor a2 = a.rank() == 2 ? a : Views.reshape(Views.contiguous(a), -1, k);
      Tensor y = Tensor.zeros(be, a.dtype(), outShape);
      gemm2(a2, b, y.reshape(a2.dim(0), n), 0);
      return record(y, "matmul", g -> {
        Tensor g2 = Views.reshape(Views.contiguous(g), -1, n);
        if (a.requiresGrad()) {
          Tensor da = Tensor.zeros(be, a.dtype(), a2.dim(0), k);
          gemm2(g2, b.t(), da, 0);
          accumulate(a, da.reshape(a.shape()));
        }
        if (b.requiresGrad()) {
          Tensor db = Tensor.zeros(be, a.dtype(), k, n);
          gemm2(a2.t(), g2, db, 0);
          accumulate(b, db);
        }
      }, a, b);
    }
    int[] batchA = Arrays.copyOf(a.shape(), a.rank() - 2), batchB = Arrays.copyOf(b.shape(), b.rank() - 2);
    if (!Arrays.equals(batchA, batchB))
      throw new IllegalArgumentException("matmul: batch dimensions differ: " + Shape.str(a.shape()) + " @ " + Shape.str(b.shape()));
    int batch = Shape.numel(batchA);
    int[] outShape = Arrays.copyOf(batchA, batchA.length + 2);
    outShape[batchA.length] = m;
    outShape[batchA.length + 1] = n;
    Tensor y = Tensor.zeros(be, a.dtype(), outShape);
    gemmBatched(a, b, y, batch);
    return record(y, "matmul", g -> {
      Tensor gc = Views.contiguous(g);
      if (a.requiresGrad()) {
        Tensor da = Tensor.zeros(be, a.dtype(), a.shape());
        gemmBatched(gc, b.transpose(-2, -1), da, batch);
        accumulate(a, da);
      }
      if (b.requiresGrad()) {
        Tensor db = Tensor.zeros(be, a.dtype(), b.shape());
        gemmBatched(a.transpose(-2, -1), gc, db, batch);
        accumulate(b, db);
      }
    }, a, b);
  }

  /** c (contiguous [m, n]) = a [m, k] @ b [k, n] + beta * c. */
  static void gemm2(Tensor a, Tensor b, Tensor c, double beta) {
    Operand oa = operand(a), ob = operand(b);
    int m = a.dim(0), k = a.dim(1), n = b.dim(1);
    a.backend().gemm(oa.trans(), ob.trans(), 1, m, n, k, 1.0, oa.t().buffer(), oa.t().offset(), 0, oa.ld(),
        ob.t().buffer(), ob.t().offset(), 0, ob.ld(), beta, c.buffer(), c.offset(), 0, n);
  }

  static void gemmBatched(Tensor a, Tensor b, Tensor c, int batch) {
    Operand oa = operand(a), ob = operand(b);
    int m = a.dim(-2), k = a.dim(-1), n = b.dim(-1);
    a.backend().gemm(oa.trans(), ob.trans(), batch, m, n, k, 1.0, oa.t().buffer(), oa.t().offset(), oa.batchStride(), oa.ld(),
        ob.t().buffer(), ob.t().offset(), ob.batchStride(), ob.ld(), 0.0, c.buffer(), c.offset(), m * n, n);
  }

  /** y = x @ w^T + b, PyTorch's Linear convention: w [out, in], b [out] or null. */
  public static Tensor linear(Tensor x, Tensor w, Tensor b) {
    Tensor y = matmul(x, w.t());
    return b == null ? y : Elementwise.add(y, b);
  }
}
