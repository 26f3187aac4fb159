package org.cartengine.engine.gradcheck;

import static org.cartengine.engine.gradcheck.GradCheck.input;
import static org.cartengine.engine.gradcheck.Values.distinct;
import static org.cartengine.engine.gradcheck.Values.normal;
import static org.cartengine.engine.gradcheck.Values.numel;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.cartengine.engine.ops.Reductions;

/** For any shape, axis (negative included) and keepDim, sum/mean/max over an axis match finite differences. */
class GradCheckReductionsTest {

  @Property(tries = 40)
  void sumAndMeanOverAnAxis(@ForAll(supplier = Shapes.Small.class) int[] shape, @ForAll long seed, @ForAll boolean keepDim, @ForAll boolean negativeAxis) {
    Random rng = new Random(seed);
    int axis = rng.nextInt(shape.length) - (negativeAxis ? shape.length : 0);
    double[] x = normal(rng, numel(shape));
    GradCheck.check("sum axis " + axis, seed, in -> Reductions.sum(in[0], axis, keepDim), input(x, shape));
    GradCheck.check("mean axis " + axis, seed, in -> Reductions.mean(in[0], axis, keepDim), input(x, shape));
  }

  @Property(tries = 30)
  void sumAndMeanOfAll(@ForAll(supplier = Shapes.SmallOrScalar.class) int[] shape, @ForAll long seed) {
    double[] x = normal(new Random(seed), numel(shape));
    GradCheck.check("sumAll", seed, in -> Reductions.sumAll(in[0]), input(x, shape));
    GradCheck.check("meanAll", seed, in -> Reductions.meanAll(in[0]), input(x, shape));
  }

  @Property(tries = 40)
  void maxOverAnAxisOfDistinctValues(@ForAll(supplier = Shapes.Small.class) int[] shape, @ForAll long seed, @ForAll boolean keepDim) {
    Random rng = new Random(seed);
    int axis = rng.nextInt(shape.length);
    // Values 0.1 apart: a perturbation of 1e-6 never changes which element is the maximum.
    GradCheck.check("max axis " + axis, seed, in -> Reductions.max(in[0], axis, keepDim), input(distinct(rng, numel(shape), 0.1), shape));
  }

  @Property(tries = 30)
  void reductionsOfATransposedView(@ForAll(supplier = Shapes.Small.class) int[] shape, @ForAll long seed) {
    Random rng = new Random(seed);
    if (shape.length < 2) return;
    int axis = rng.nextInt(shape.length);
    double[] x = distinct(rng, numel(shape), 0.1);
    GradCheck.check("sum of x.t()", seed, in -> Reductions.sum(in[0].t(), axis, false), input(x, shape));
    GradCheck.check("max of x.t()", seed, in -> Reductions.max(in[0].t(), axis, true), input(x, shape));
  }
}
