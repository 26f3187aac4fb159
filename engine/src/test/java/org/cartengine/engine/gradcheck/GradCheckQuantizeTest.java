package org.cartengine.engine.gradcheck;

import static org.cartengine.engine.gradcheck.GradCheck.input;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.cartengine.engine.DType;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.ops.Quantize;

/**
 * The VQ op's loss terms (CART eq. 1) with the assignments frozen: codes are far apart and inputs sit
 * near them, so a perturbation of 1e-6 never changes an argmin. The codebook loss is checked with
 * respect to the codebook and the commitment loss with respect to the inputs: the other argument of
 * each sits behind a stop-gradient, which finite differences cannot see.
 */
class GradCheckQuantizeTest {

  /** Codes on well-separated points: code c has coordinate 4c + noise on axis c mod d. */
  static double[] separatedCodebook(Random rng, int k, int d) {
    double[] cb = new double[k * d];
    for (int c = 0; c < k; c++)
      for (int j = 0; j < d; j++) cb[c * d + j] = 0.1 * rng.nextGaussian() + (j == c % d ? 4.0 * (c / d + 1) : 0);
    return cb;
  }

  /** Each input is a random code plus noise of std 0.2: its nearest code is the one it came from. */
  static double[] inputsNear(Random rng, double[] codebook, int k, int d, int n) {
    double[] x = new double[n * d];
    for (int i = 0; i < n; i++) {
      int c = rng.nextInt(k);
      for (int j = 0; j < d; j++) x[i * d + j] = codebook[c * d + j] + 0.2 * rng.nextGaussian();
    }
    return x;
  }

  @Property(tries = 40)
  void codebookAndCommitmentLosses(@ForAll @IntRange(min = 1, max = 5) int n, @ForAll @IntRange(min = 1, max = 4) int k, @ForAll @IntRange(min = 1, max = 3) int d,
      @ForAll long seed) {
    Random rng = new Random(seed);
    double[] cb = separatedCodebook(rng, k, d);
    double[] x = inputsNear(rng, cb, k, d, n);
    Tensor xConst = Tensor.of(GradCheck.REF, DType.F64, x, n, d), cbConst = Tensor.of(GradCheck.REF, DType.F64, cb, k, d);
    GradCheck.check("vq codebook loss (d/dcodebook)", seed, in -> Quantize.nearest(xConst, in[0]).codebookLoss(), input(cb, k, d));
    GradCheck.check("vq commitment loss (d/dx)", seed, in -> Quantize.nearest(in[0], cbConst).commitmentLoss(), input(x, n, d));
  }
}
