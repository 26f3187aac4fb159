package org.cartengine.engine.gradcheck;

import static org.cartengine.engine.gradcheck.GradCheck.input;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.cartengine.engine.Tensor;
import org.cartengine.engine.autograd.Autograd;
import org.cartengine.engine.ops.Elementwise;
import org.junit.jupiter.api.Test;

/** The checker itself: it must pass a right gradient and catch a wrong one, saying where. */
class GradCheckSelfTest {

  /** y = 2x whose backward forgets the factor 2 on element 3 only. */
  private static Tensor doubledWithBadBackward(Tensor x) {
    Tensor y = Elementwise.mulScalar(x.detach(), 2);
    return Autograd.record(y, "badDouble", g -> {
      double[] d = g.toDoubleArray();
      for (int i = 0; i < d.length; i++) d[i] *= i == 3 ? 1 : 2;
      Autograd.accumulate(x, Tensor.of(GradCheck.REF, d, x.shape()));
    }, x);
  }

  @Test
  void passesACorrectGradient() {
    GradCheck.Worst w = GradCheck.check("mulScalar", 1, in -> Elementwise.mulScalar(in[0], 2), input(new double[] {1, 2, 3, 4, 5, 6}, 2, 3));
    assertTrue(w.excess() < 1e-3, "excess " + w.excess());
  }

  @Test
  void reportsTheWorstElementOfAWrongGradient() {
    AssertionError e = assertThrows(AssertionError.class,
        () -> GradCheck.check("badDouble", 1, in -> doubledWithBadBackward(in[0]), input(new double[] {1, 2, 3, 4, 5, 6}, 2, 3)));
    String m = e.getMessage();
    assertTrue(m.contains("gradcheck badDouble") && m.contains("input #0 [2, 3] at [1, 0]") && m.contains("1 of 6 elements"), m);
  }

  @Test
  void aMissingGradientIsAZeroGradientAndFails() {
    // An op that records history but never pushes a gradient to its input.
    AssertionError e = assertThrows(AssertionError.class, () -> GradCheck.check("noGrad", 1,
        in -> Autograd.record(Elementwise.exp(in[0].detach()), "noGrad", g -> {}, in[0]), input(new double[] {0.5, -0.5}, 2)));
    assertTrue(e.getMessage().contains("analytic 0.000"), e.getMessage());
  }
}
