package org.cartengine.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.cartengine.engine.DType;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.reference.ReferenceBackend;
import org.cartengine.engine.ops.Softmax;

/**
 * The losses' values against their definitions (gradient checks only prove backward consistent with
 * forward): cross-entropy with ignore index and label smoothing, KL divergence, MSE.
 */
class LossValuesTest {
  private static final Backend REF = new ReferenceBackend();

  /**
   * PyTorch's cross_entropy(reduction='mean', ignore_index, label_smoothing): ignored rows count neither
   * in the sum nor in the number of rows averaged over, whatever the sign of the ignore index.
   */
  @Property(tries = 40)
  void crossEntropyMatchesItsDefinition(@ForAll @IntRange(min = 1, max = 6) int rows, @ForAll @IntRange(min = 1, max = 5) int classes,
      @ForAll @IntRange(min = 0, max = 2) int ignoreKind, @ForAll @IntRange(min = 0, max = 2) int smoothingIndex, @ForAll long seed) {
    Random rng = new Random(seed);
    int ignore = new int[] {-100, 0, -1}[ignoreKind];
    double eps = new double[] {0, 0.1, 0.4}[smoothingIndex];
    double[] logits = new double[rows * classes];
    for (int i = 0; i < logits.length; i++) logits[i] = 2 * rng.nextGaussian();
    int[] targets = new int[rows];
    for (int r = 0; r < rows; r++) targets[r] = rng.nextInt(3) == 0 ? ignore : rng.nextInt(classes);
    double sum = 0;
    int counted = 0;
    for (int r = 0; r < rows; r++) {
      if (targets[r] == ignore) continue;
      double max = Double.NEGATIVE_INFINITY, z = 0, sumLogp = 0;
      for (int j = 0; j < classes; j++) max = Math.max(max, logits[r * classes + j]);
      for (int j = 0; j < classes; j++) z += Math.exp(logits[r * classes + j] - max);
      double lse = max + Math.log(z);
      for (int j = 0; j < classes; j++) sumLogp += logits[r * classes + j] - lse;
      sum += -(1 - eps) * (logits[r * classes + targets[r]] - lse) - eps / classes * sumLogp;
      counted++;
    }
    double expected = counted == 0 ? 0 : sum / counted;
    double got = Softmax.crossEntropy(Tensor.of(REF, DType.F64, logits, rows, classes), Tensor.ofInts(REF, targets, rows), ignore, eps).item();
    assertEquals(expected, got, 1e-12, "ignore " + ignore + " targets " + java.util.Arrays.toString(targets));
  }

  @Property(tries = 30)
  void klDivergenceMatchesItsDefinition(@ForAll @IntRange(min = 1, max = 4) int rows, @ForAll @IntRange(min = 1, max = 5) int classes, @ForAll long seed) {
    Random rng = new Random(seed);
    double[] a = new double[rows * classes], b = new double[rows * classes];
    for (int i = 0; i < a.length; i++) {
      a[i] = rng.nextGaussian();
      b[i] = rng.nextGaussian();
    }
    double[] lp = Softmax.logSoftmax(Tensor.of(REF, DType.F64, a, rows, classes)).toDoubleArray();
    double[] lq = Softmax.logSoftmax(Tensor.of(REF, DType.F64, b, rows, classes)).toDoubleArray();
    double kl = 0;
    for (int i = 0; i < lp.length; i++) kl += Math.exp(lp[i]) * (lp[i] - lq[i]);
    double got = Softmax.klDiv(Tensor.of(REF, DType.F64, lp, rows, classes), Tensor.of(REF, DType.F64, lq, rows, classes)).item();
    assertEquals(kl / rows, got, 1e-12);
  }

  @Property(tries = 30)
  void meanSquaredErrorMatchesItsDefinition(@ForAll @IntRange(min = 1, max = 12) int n, @ForAll long seed) {
    Random rng = new Random(seed);
    double[] a = new double[n], b = new double[n];
    double s = 0;
    for (int i = 0; i < n; i++) {
      a[i] = rng.nextGaussian();
      b[i] = rng.nextGaussian();
      s += (a[i] - b[i]) * (a[i] - b[i]);
    }
    assertEquals(s / n, Softmax.mse(Tensor.of(REF, DType.F64, a, n), Tensor.of(REF, DType.F64, b, n)).item(), 1e-12);
  }
}
