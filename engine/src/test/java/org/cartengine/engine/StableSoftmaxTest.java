package org.cartengine.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.cartengine.engine.DType;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.reference.ReferenceBackend;
import org.cartengine.engine.ops.Softmax;
import org.junit.jupiter.api.Test;

/** Softmax, log-softmax and cross-entropy stay finite and exact for logits of 1e4 (exp(1e4) overflows). */
class StableSoftmaxTest {
  private static final Backend REF = new ReferenceBackend();
  // Row 0: one logit far above the rest. Row 1: two huge, close logits. Row 2: all equal and huge.
  private static final double[] LOGITS = {1e4, 0, -1e4, 1e4, 1e4 + 1, -5, 1e4, 1e4, 1e4};

  private static void assertFinite(double[] v, String what) {
    for (double x : v) assertTrue(Double.isFinite(x), what + " has a non-finite value: " + java.util.Arrays.toString(v));
  }

  @Test
  void softmaxAndLogSoftmaxOfLargeLogits() {
    double e = Math.E;
    for (DType dt : new DType[] {DType.F64, DType.F32}) {
      double tol = dt == DType.F64 ? 1e-12 : 1e-6;
      double[] p = Softmax.softmax(Tensor.of(REF, dt, LOGITS, 3, 3)).toDoubleArray();
      assertFinite(p, "softmax " + dt);
      double[] expected = {1, 0, 0, 1 / (1 + e), e / (1 + e), 0, 1 / 3.0, 1 / 3.0, 1 / 3.0};
      for (int i = 0; i < 9; i++) assertEquals(expected[i], p[i], tol, "softmax " + dt + " element " + i);
      double[] lp = Softmax.logSoftmax(Tensor.of(REF, dt, LOGITS, 3, 3)).toDoubleArray();
      assertFinite(lp, "logSoftmax " + dt);
      double l1 = Math.log1p(e);
      double[] expectedLog = {0, -1e4, -2e4, -l1, 1 - l1, -1e4 - 5 - l1, -Math.log(3), -Math.log(3), -Math.log(3)};
      // In F32 values near 1e4 are spaced 1e-3 apart: the tolerance scales with the magnitude.
      for (int i = 0; i < 9; i++) assertEquals(expectedLog[i], lp[i], dt == DType.F64 ? 1e-9 : 2e-3 * Math.max(1, Math.abs(expectedLog[i]) / 1e4), "logSoftmax " + dt + " element " + i);
    }
  }

  @Test
  void softmaxBackwardOfLargeLogitsIsFinite() {
    for (DType dt : new DType[] {DType.F64, DType.F32}) {
      Tensor x = Tensor.of(REF, dt, LOGITS, 3, 3).requiresGrad(true);
      Softmax.softmax(x).backward(Tensor.of(REF, dt, new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 3, 3));
      assertFinite(x.grad().toDoubleArray(), "softmax grad " + dt);
      Tensor y = Tensor.of(REF, dt, LOGITS, 3, 3).requiresGrad(true);
      Softmax.logSoftmax(y).backward(Tensor.of(REF, dt, new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 3, 3));
      assertFinite(y.grad().toDoubleArray(), "logSoftmax grad " + dt);
    }
  }

  @Test
  void crossEntropyOfLargeLogits() {
    for (DType dt : new DType[] {DType.F64, DType.F32}) {
      // Targets: the dominant class (loss 0), class 0 of row 1 (loss log(1+e)), class 2 of a flat row (log 3).
      Tensor x = Tensor.of(REF, dt, LOGITS, 3, 3).requiresGrad(true);
      Tensor loss = Softmax.crossEntropy(x, Tensor.ofInts(REF, new int[] {0, 0, 2}, 3), -100, 0);
      assertEquals((Math.log1p(Math.E) + Math.log(3)) / 3, loss.item(), dt == DType.F64 ? 1e-12 : 1e-6, "cross-entropy " + dt);
      loss.backward();
      double[] g = x.grad().toDoubleArray();
      assertFinite(g, "cross-entropy grad " + dt);
      double e = Math.E;
      double[] expected = {0, 0, 0, (1 / (1 + e) - 1) / 3, e / (1 + e) / 3, 0, 1 / 9.0, 1 / 9.0, (1 / 3.0 - 1) / 3};
      for (int i = 0; i < 9; i++) assertEquals(expected[i], g[i], dt == DType.F64 ? 1e-12 : 1e-6, "cross-entropy grad " + dt + " element " + i);
      // A wrong prediction by 2e4 costs 2e4, not infinity.
      Tensor wrong = Softmax.crossEntropy(Tensor.of(REF, dt, LOGITS, 3, 3).slice(0, 0, 1), Tensor.ofInts(REF, new int[] {2}, 1), -100, 0.1);
      assertEquals(0.9 * 2e4 + 0.1 / 3 * (0 + 1e4 + 2e4), wrong.item(), 1e-6 * 2e4, "cross-entropy of a confidently wrong row " + dt);
    }
  }
}
