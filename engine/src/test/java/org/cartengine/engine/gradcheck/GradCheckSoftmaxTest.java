package org.cartengine.engine.gradcheck;

import static org.cartengine.engine.gradcheck.GradCheck.input;
import static org.cartengine.engine.gradcheck.Values.normal;
import static org.cartengine.engine.gradcheck.Values.numel;

import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.ops.Softmax;

/** For any shapes and values: softmax, log-softmax, cross-entropy, KL divergence and MSE match finite differences. */
class GradCheckSoftmaxTest {

  @Property(tries = 40)
  void softmaxAndLogSoftmax(@ForAll(supplier = Shapes.Small.class) int[] shape, @ForAll long seed) {
    double[] x = normal(new Random(seed), numel(shape));
    for (int i = 0; i < x.length; i++) x[i] *= 2;
    GradCheck.check("softmax", seed, in -> Softmax.softmax(in[0]), input(x, shape));
    GradCheck.check("logSoftmax", seed, in -> Softmax.logSoftmax(in[0]), input(x, shape));
  }

  @Property(tries = 30)
  void softmaxOfATransposedView(@ForAll @IntRange(min = 1, max = 4) int r, @ForAll @IntRange(min = 1, max = 4) int c, @ForAll long seed) {
    double[] x = normal(new Random(seed), r * c);
    GradCheck.check("softmax of x.t()", seed, in -> Softmax.softmax(in[0].t()), input(x, r, c));
  }

  /**
   * Targets [rows..] in [0, C) with about a quarter of the rows set to the ignore index: either
   * PyTorch's -100 or class 0 (a padding token id), in which case every row with target 0 is ignored.
   */
  @Property(tries = 40)
  void crossEntropyWithIgnoreIndexAndLabelSmoothing(@ForAll @IntRange(min = 1, max = 3) int b, @ForAll @IntRange(min = 0, max = 3) int t,
      @ForAll @IntRange(min = 1, max = 5) int classes, @ForAll @IntRange(min = 0, max = 2) int smoothingIndex, @ForAll boolean padIsClass, @ForAll long seed) {
    Random rng = new Random(seed);
    double smoothing = new double[] {0, 0.1, 0.3}[smoothingIndex];
    int ignore = padIsClass ? 0 : -100;
    int[] rowsShape = t == 0 ? new int[] {b} : new int[] {b, t};
    int rows = numel(rowsShape);
    int[] targets = new int[rows];
    for (int r = 0; r < rows; r++) targets[r] = rng.nextInt(4) == 0 ? ignore : rng.nextInt(classes);
    Tensor tt = Tensor.ofInts(GradCheck.REF, targets, rowsShape);
    int[] logitsShape = Arrays.copyOf(rowsShape, rowsShape.length + 1);
    logitsShape[rowsShape.length] = classes;
    GradCheck.check("crossEntropy ignore=" + ignore + " smoothing=" + smoothing + " targets=" + Arrays.toString(targets), seed,
        in -> Softmax.crossEntropy(in[0], tt, ignore, smoothing), input(normal(rng, numel(logitsShape)), logitsShape));
  }

  @Property(tries = 40)
  void klDivergenceBothArguments(@ForAll(supplier = Shapes.Small.class) int[] shape, @ForAll long seed) {
    Random rng = new Random(seed);
    double[] a = normal(rng, numel(shape)), b = normal(rng, numel(shape));
    // As free log-probabilities (the kernel's own derivative) ...
    GradCheck.check("klDiv", seed, in -> Softmax.klDiv(in[0], in[1]), input(a, shape), input(b, shape));
    // ... and as R-Drop uses it, on the log-softmax of two sets of logits, in both directions.
    GradCheck.check("klDiv(logSoftmax, logSoftmax)", seed, in -> Softmax.klDiv(Softmax.logSoftmax(in[0]), Softmax.logSoftmax(in[1])), input(a, shape), input(b, shape));
    GradCheck.check("klDiv(logSoftmax(q), logSoftmax(p))", seed, in -> Softmax.klDiv(Softmax.logSoftmax(in[1]), Softmax.logSoftmax(in[0])), input(a, shape), input(b, shape));
  }

  @Property(tries = 30)
  void meanSquaredError(@ForAll(supplier = Shapes.SmallOrScalar.class) int[] shape, @ForAll long seed) {
    Random rng = new Random(seed);
    GradCheck.check("mse", seed, in -> Softmax.mse(in[0], in[1]), input(normal(rng, numel(shape)), shape), input(normal(rng, numel(shape)), shape));
  }
}
