package org.cartengine.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.cartengine.engine.DType;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.reference.ReferenceBackend;
import org.cartengine.engine.ops.Quantize;
import org.junit.jupiter.api.Test;

/**
 * The VQ op of CART's RQ-VAE (section 3.2.2, eq. 1): nearest codes, the straight-through estimator,
 * and the codebook and commitment terms with their stop-gradients.
 */
class VectorQuantizationTest {
  private static final Backend REF = new ReferenceBackend();

  // Four codes in 2-d, and five inputs near codes 2, 0, 3, 2, 1.
  private static final double[] CODES = {0, 0, 3, 0, 0, 3, 3, 3};
  private static final double[] X = {0.2, 2.7, 0.1, -0.3, 2.6, 3.4, -0.4, 3.1, 3.3, 0.2};
  private static final int[] NEAREST = {2, 0, 3, 2, 1};

  private static Tensor x() {
    return Tensor.of(REF, DType.F64, X.clone(), 5, 2).requiresGrad(true);
  }

  private static Tensor codebook() {
    return Tensor.of(REF, DType.F64, CODES.clone(), 4, 2).requiresGrad(true);
  }

  private static double[] chosenCodes() {
    double[] e = new double[X.length];
    for (int i = 0; i < 5; i++) for (int j = 0; j < 2; j++) e[i * 2 + j] = CODES[NEAREST[i] * 2 + j];
    return e;
  }

  @Test
  void findsTheNearestCodeWithItsDistance() {
    Quantize.Result r = Quantize.nearest(x(), codebook());
    assertArrayEquals(NEAREST, r.indices().toIntArray());
    double[] e = chosenCodes(), dist = r.distances().toDoubleArray();
    for (int i = 0; i < 5; i++) {
      double dx = X[2 * i] - e[2 * i], dy = X[2 * i + 1] - e[2 * i + 1];
      assertEquals(dx * dx + dy * dy, dist[i], 1e-12);
    }
  }

  @Test
  void tiesGoToTheLowestIndex() {
    Tensor cb = Tensor.of(REF, DType.F64, new double[] {1, 0, -1, 0, 1, 0}, 3, 2);
    Tensor origin = Tensor.of(REF, DType.F64, new double[] {0, 0}, 1, 2);
    assertArrayEquals(new int[] {0}, Quantize.nearestIndices(origin, cb, null).toIntArray());
  }

  @Test
  void quantizedValueIsTheChosenCodeBitForBit() {
    // x + (e - x) is not e in floating point (about a third of random pairs differ in the last bit),
    // so the straight-through output must be the code itself, not that sum.
    Random rng = new Random(3);
    for (DType dt : new DType[] {DType.F64, DType.F32}) {
      Tensor x = Tensor.randn(REF, dt, rng, 1.0, 64, 3).requiresGrad(true);
      Tensor cb = Tensor.randn(REF, dt, rng, 1.0, 8, 3).requiresGrad(true);
      Quantize.Result r = Quantize.nearest(x, cb);
      int[] idx = r.indices().toIntArray();
      double[] codes = cb.toDoubleArray(), q = r.quantized().toDoubleArray();
      for (int i = 0; i < 64; i++)
        for (int j = 0; j < 3; j++) assertEquals(codes[idx[i] * 3 + j], q[i * 3 + j], 0.0, dt + " row " + i + " dim " + j);
    }
  }

  @Test
  void straightThroughGradientIsTheUpstreamGradientExactly() {
    Tensor x = x(), cb = codebook();
    double[] up = new double[X.length];
    Random rng = new Random(7);
    for (int i = 0; i < up.length; i++) up[i] = rng.nextGaussian();
    Quantize.nearest(x, cb).quantized().backward(Tensor.of(REF, DType.F64, up, 5, 2));
    assertArrayEquals(up, x.grad().toDoubleArray(), 0.0);
    // The straight-through path carries no gradient to the codebook: only the codebook loss does.
    assertTrue(cb.grad() == null || isZero(cb.grad().toDoubleArray()));
  }

  @Test
  void codebookLossMovesOnlyTheChosenCodesTowardsTheInputs() {
    Tensor x = x(), cb = codebook();
    Quantize.Result r = Quantize.nearest(x, cb);
    double[] e = chosenCodes();
    double mean = 0;
    for (int i = 0; i < X.length; i++) mean += (X[i] - e[i]) * (X[i] - e[i]) / X.length;
    assertEquals(mean, r.codebookLoss().item(), 1e-12);
    r.codebookLoss().backward();
    assertTrue(x.grad() == null || isZero(x.grad().toDoubleArray()), "codebook loss must not move the inputs: sg[x]");
    // d/de_c mean||sg[x] - e||^2 = sum over inputs assigned to c of 2 (e_c - x) / (N * D).
    double[] expected = new double[CODES.length];
    for (int i = 0; i < 5; i++) for (int j = 0; j < 2; j++) expected[NEAREST[i] * 2 + j] += 2 * (CODES[NEAREST[i] * 2 + j] - X[2 * i + j]) / X.length;
    assertArrayEquals(expected, cb.grad().toDoubleArray(), 1e-12);
  }

  @Test
  void commitmentLossMovesOnlyTheInputsTowardsTheirCodes() {
    Tensor x = x(), cb = codebook();
    Quantize.Result r = Quantize.nearest(x, cb);
    r.commitmentLoss().backward();
    assertTrue(cb.grad() == null || isZero(cb.grad().toDoubleArray()), "commitment loss must not move the codes: sg[e]");
    double[] e = chosenCodes(), expected = new double[X.length];
    for (int i = 0; i < X.length; i++) expected[i] = 2 * (X[i] - e[i]) / X.length;
    assertArrayEquals(expected, x.grad().toDoubleArray(), 1e-12);
  }

  @Test
  void indicesAndDistancesCarryNoHistory() {
    Quantize.Result r = Quantize.nearest(x(), codebook());
    assertTrue(!r.indices().requiresGrad() && !r.distances().requiresGrad());
    assertNull(r.indices().node());
  }

  private static boolean isZero(double[] v) {
    for (double d : v) if (d != 0) return false;
    return true;
  }
}
