package org.cartengine.engine.gradcheck;

import static org.cartengine.engine.gradcheck.GradCheck.input;
import static org.cartengine.engine.gradcheck.Values.normal;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.cartengine.engine.ops.LayerNorm;

/** For any rows, width and affine parameters, layer norm's backward matches finite differences for x, gamma and beta. */
class GradCheckLayerNormTest {

  @Property(tries = 40)
  void layerNormXGammaBeta(@ForAll @IntRange(min = 1, max = 3) int b, @ForAll @IntRange(min = 0, max = 3) int t, @ForAll @IntRange(min = 1, max = 6) int cols,
      @ForAll long seed) {
    Random rng = new Random(seed);
    int[] shape = t == 0 ? new int[] {b, cols} : new int[] {b, t, cols};
    // Spread-out rows (std 1.5 around an offset) keep the variance well above eps.
    double[] x = normal(rng, Values.numel(shape));
    for (int i = 0; i < x.length; i++) x[i] = 0.7 + 1.5 * x[i];
    double[] gamma = normal(rng, cols);
    for (int i = 0; i < cols; i++) gamma[i] += 1;
    GradCheck.check("layerNorm", seed, in -> LayerNorm.layerNorm(in[0], in[1], in[2], 1e-5), input(x, shape), input(gamma, cols), input(normal(rng, cols), cols));
  }

  @Property(tries = 20)
  void layerNormOfATransposedView(@ForAll @IntRange(min = 1, max = 4) int r, @ForAll @IntRange(min = 2, max = 5) int c, @ForAll long seed) {
    Random rng = new Random(seed);
    GradCheck.check("layerNorm of x.t()", seed, in -> LayerNorm.layerNorm(in[0].t(), in[1], in[2], 1e-5),
        input(normal(rng, r * c), c, r), input(normal(rng, c), c), input(normal(rng, c), c));
  }
}
