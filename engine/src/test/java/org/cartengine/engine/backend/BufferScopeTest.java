package org.cartengine.engine.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.cartengine.engine.DType;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.nn.Linear;
import org.cartengine.engine.nn.Rng;
import org.cartengine.engine.optim.Adam;
import org.junit.jupiter.api.Test;

/** A step's temporaries are released when its scope closes; what lives longer is left alone. */
class BufferScopeTest {
  static final Backend REF = Backends.create("reference");

  @Test
  void releasesWhatWasAllocatedInsideAndNothingElse() {
    Tensor before = Tensor.zeros(REF, DType.F32, 4);
    Tensor inside, kept, inner;
    try (BufferScope s = BufferScope.open()) {
      inside = Tensor.zeros(REF, DType.F32, 3).add(1.0);
      kept = BufferScope.outside(() -> Tensor.zeros(REF, DType.F32, 2));
      try (BufferScope nested = BufferScope.open()) {
        inner = Tensor.zeros(REF, DType.F32, 5);
      }
      assertTrue(released(inner), "the nested scope releases its own buffers when it closes");
      assertFalse(released(inside), "the outer scope's buffers live until it closes");
      s.close();
      assertTrue(s.released() >= 2, "zeros and the add's result: " + s.released());
    }
    assertTrue(released(inside));
    assertFalse(released(before));
    assertFalse(released(kept));
    Tensor after = Tensor.zeros(REF, DType.F32, 1);
    assertFalse(released(after));
    // A buffer used after its scope closed is an error, never silent garbage.
    assertThrows(IllegalStateException.class, () -> inside.add(1.0));
  }

  /** Tensor.buffer() refuses a released buffer: that refusal is how a use after the scope shows. */
  private static boolean released(Tensor t) {
    try {
      t.buffer();
      return false;
    } catch (IllegalStateException e) {
      return true;
    }
  }

  @Test
  void closingOutOfOrderIsRefused() {
    BufferScope outer = BufferScope.open();
    BufferScope inner = BufferScope.open();
    assertThrows(IllegalStateException.class, outer::close);
    inner.close();
    outer.close();
  }

  /** Optimisation steps inside a scope give the same parameters as without one, and leave parameters and Adam's moments open. */
  @Test
  void scopedTrainingStepsEqualUnscopedOnes() {
    double[] plain = train(false), scoped = train(true);
    assertEquals(plain.length, scoped.length);
    for (int i = 0; i < plain.length; i++) assertEquals(plain[i], scoped[i], 0.0, "loss of step " + i);
  }

  private static double[] train(boolean scoped) {
    Linear layer = new Linear(REF, DType.F32, new Rng(3), "l", 6, 4, true);
    Map<String, Tensor> params = layer.parameters();
    Adam opt = new Adam(params, 0.9, 0.98, 1e-9, 0);
    java.util.Random data = new java.util.Random(5);
    List<Double> losses = new ArrayList<>();
    for (int step = 0; step < 4; step++) {
      float[] x = new float[8 * 6];
      for (int i = 0; i < x.length; i++) x[i] = (float) data.nextGaussian();
      BufferScope s = scoped ? BufferScope.open() : null;
      Tensor y = layer.forward(Tensor.of(REF, x, 8, 6));
      Tensor loss = y.mul(y).mean();
      losses.add(loss.item());
      loss.backward();
      opt.step(1e-2, 1.0);
      opt.zeroGrad();
      if (s != null) {
        s.close();
        assertTrue(s.released() > 0);
        assertTrue(released(y));
      }
      for (Tensor p : params.values()) assertFalse(released(p), "parameters outlive the step");
      for (Tensor m : opt.stateDict().values()) assertFalse(released(m), "Adam's moments outlive the step");
    }
    for (Tensor p : params.values()) for (float v : p.toFloatArray()) losses.add((double) v);
    return losses.stream().mapToDouble(Double::doubleValue).toArray();
  }
}
