package org.cartengine.engine.ops;

import static org.cartengine.engine.autograd.Autograd.accumulate;
import static org.cartengine.engine.autograd.Autograd.record;

import java.util.Arrays;
import org.cartengine.engine.DType;
import org.cartengine.engine.Shape;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.Backend;

/** Softmax family over the last axis: softmax, log-softmax, cross-entropy (fused with its softmax), KL, MSE. */
public final class Softmax {
  private Softmax() {}

  public static Tensor softmax(Tensor x) {
    return softmax(x, false);
  }

  public static Tensor logSoftmax(Tensor x) {
    return softmax(x, true);
  }

  private static Tensor softmax(Tensor x, boolean log) {
    Elementwise.floating("softmax", x);
    int cols = x.dim(-1), rows = x.numel() / Math.max(1, cols);
    Tensor xc = Views.contiguous(x);
    Backend be = x.backend();
    Tensor y = Tensor.zeros(be, x.dtype(), x.shape());
    be.softmax(xc.buffer(), y.buffer(), rows, cols, log);
    return record(y, log ? "logSoftmax" : "softmax", g -> {
      Tensor gc = Views.contiguous(g);
      Tensor dx = Tensor.zeros(be, x.dtype(), x.shape());
      be.softmaxBackward(y.buffer(), gc.buffer(), dx.buffer(), rows, cols, log);
      accumulate(x, dx);
    }, x);
  }

  /**
   * Mean cross-entropy of logits [.., C] against I32 targets [..]; rows whose target is ignoreIndex
   * count neither in the sum nor in the mean. smoothing is label smoothing epsilon.
   */
  public static Tensor crossEntropy(Tensor logits, Tensor targets, int ignoreIndex, double smoothing) {
    return crossEntropy(logits, targets, ignoreIndex, smoothing, -1);
  }

  /**
   * As above; {@code validRows} >= 0 is the number of rows whose target is not ignoreIndex when the
   * caller knows it (it built the targets on the host), which spares reading the targets back from
   * the device. -1: count them.
   */
  public static Tensor crossEntropy(Tensor logits, Tensor targets, int ignoreIndex, double smoothing, int validRows) {
    Elementwise.floating("crossEntropy", logits);
    if (targets.dtype() != DType.I32) throw new IllegalArgumentException("crossEntropy: targets must be I32, got " + targets.dtype());
    int cols = logits.dim(-1), rows = logits.numel() / cols;
    if (targets.numel() != rows || !Arrays.equals(Arrays.copyOf(logits.shape(), logits.rank() - 1), targets.shape()))
      throw new IllegalArgumentException("crossEntropy: logits " + Shape.str(logits.shape()) + " and targets " + Shape.str(targets.shape()) + " do not match");
    Backend be = logits.backend();
    Tensor lc = Views.contiguous(logits), tc = Views.contiguous(targets);
    Tensor perRow = Tensor.zeros(be, logits.dtype(), rows);
    be.crossEntropy(lc.buffer(), tc.buffer(), perRow.buffer(), rows, cols, ignoreIndex, smoothing);
    // Ignored rows leave the mean's denominator too. Negative ignore indices (PyTorch's -100) are the
    // common case, so the rows are counted whatever the sign.
    int count = validRows;
    if (count < 0) {
      count = 0;
      for (int t : tc.toIntArray()) if (t != ignoreIndex) count++;
    }
    double inv = 1.0 / Math.max(1, count);
    Tensor loss = Tensor.zeros(be, logits.dtype());
    be.reduce(org.cartengine.engine.backend.ReduceOp.SUM, perRow.buffer(), loss.buffer(), null, 1, rows, 1);
    Tensor mean = Tensor.zeros(be, logits.dtype());
    be.axpy(inv, loss.buffer(), mean.buffer(), 1);
    return record(mean, "crossEntropy", g -> {
      Tensor dloss = perRowGrad(g, rows, inv);
      Tensor dl = Tensor.zeros(be, logits.dtype(), logits.shape());
      be.crossEntropyBackward(lc.buffer(), tc.buffer(), dloss.buffer(), dl.buffer(), rows, cols, ignoreIndex, smoothing);
      accumulate(logits, dl);
    }, logits);
  }

  /**
   * Mean over rows of KL(P || Q), both given as log-probabilities [.., C]: sum_j p_j (log p_j - log q_j).
   * R-Drop (paper eq. 7) uses it in both directions between two dropout passes.
   */
  public static Tensor klDiv(Tensor logP, Tensor logQ) {
    Elementwise.sameBackend("klDiv", logP, logQ);
    if (!Arrays.equals(logP.shape(), logQ.shape()))
      throw new IllegalArgumentException("klDiv: shapes " + Shape.str(logP.shape()) + " and " + Shape.str(logQ.shape()) + " differ");
    int cols = logP.dim(-1), rows = logP.numel() / cols;
    Backend be = logP.backend();
    Tensor pc = Views.contiguous(logP), qc = Views.contiguous(logQ);
    Tensor perRow = Tensor.zeros(be, logP.dtype(), rows);
    be.klDiv(pc.buffer(), qc.buffer(), perRow.buffer(), rows, cols);
    Tensor sum = Tensor.zeros(be, logP.dtype());
    be.reduce(org.cartengine.engine.backend.ReduceOp.SUM, perRow.buffer(), sum.buffer(), null, 1, rows, 1);
    Tensor mean = Tensor.zeros(be, logP.dtype());
    be.axpy(1.0 / rows, sum.buffer(), mean.buffer(), 1);
    return record(mean, "klDiv", g -> {
      Tensor dout = perRowGrad(g, rows, 1.0 / rows);
      Tensor dp = logP.requiresGrad() ? Tensor.zeros(be, logP.dtype(), logP.shape()) : null;
      Tensor dq = logQ.requiresGrad() ? Tensor.zeros(be, logP.dtype(), logP.shape()) : null;
      be.klDivBackward(pc.buffer(), qc.buffer(), dout.buffer(), dp == null ? null : dp.buffer(), dq == null ? null : dq.buffer(), rows, cols);
      if (dp != null) accumulate(logP, dp);
      if (dq != null) accumulate(logQ, dq);
    }, logP, logQ);
  }

  /** The scalar upstream gradient times scale, broadcast to one value per row, on the device. */
  private static Tensor perRowGrad(Tensor g, int rows, double scale) {
    return Views.contiguous(Elementwise.mulScalar(Views.expand(g.reshape(1), rows), scale));
  }

  /** Mean squared error between equal shapes. */
  public static Tensor mse(Tensor a, Tensor b) {
    Tensor d = Elementwise.sub(a, b);
    return Reductions.meanAll(Elementwise.square(d));
  }
}
