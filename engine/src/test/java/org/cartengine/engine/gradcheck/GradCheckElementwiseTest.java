package org.cartengine.engine.gradcheck;

import static org.cartengine.engine.gradcheck.GradCheck.input;
import static org.cartengine.engine.gradcheck.Values.awayFromZero;
import static org.cartengine.engine.gradcheck.Values.grid;
import static org.cartengine.engine.gradcheck.Values.normal;
import static org.cartengine.engine.gradcheck.Values.numel;
import static org.cartengine.engine.gradcheck.Values.uniform;

import java.util.Random;
import java.util.function.BiFunction;
import java.util.function.Function;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.cartengine.engine.DType;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.BinaryOp;
import org.cartengine.engine.ops.Elementwise;

/**
 * For any shapes and values away from kinks and poles, the elementwise ops' backward matches finite
 * differences: unary functions, broadcasting binary arithmetic, where/maskedFill, the sigmoid gate
 * and seeded dropout.
 */
class GradCheckElementwiseTest {

  /** Each unary op with the inputs on which it is smooth. */
  enum Unary {
    NEG(Elementwise::neg, Domain.ANY),
    EXP(Elementwise::exp, Domain.ANY),
    LOG(Elementwise::log, Domain.POSITIVE),
    SQRT(Elementwise::sqrt, Domain.POSITIVE),
    POW_2(x -> Elementwise.pow(x, 2), Domain.ANY),
    POW_3(x -> Elementwise.pow(x, 3), Domain.ANY),
    POW_HALF(x -> Elementwise.pow(x, 0.5), Domain.POSITIVE),
    POW_MINUS_1_5(x -> Elementwise.pow(x, -1.5), Domain.POSITIVE),
    POW_2_7(x -> Elementwise.pow(x, 2.7), Domain.POSITIVE),
    RELU(Elementwise::relu, Domain.NOT_NEAR_ZERO),
    GELU(Elementwise::gelu, Domain.ANY),
    GELU_ERF(Elementwise::geluErf, Domain.ANY),
    ELU(x -> Elementwise.elu(x, 1.0), Domain.ANY),
    ELU_ALPHA_0_3(x -> Elementwise.elu(x, 0.3), Domain.NOT_NEAR_ZERO),
    TANH(Elementwise::tanh, Domain.ANY),
    SIGMOID(Elementwise::sigmoid, Domain.ANY),
    SQUARE(Elementwise::square, Domain.ANY),
    ABS(x -> Elementwise.unary(org.cartengine.engine.backend.UnaryOp.ABS, 0, x), Domain.NOT_NEAR_ZERO),
    ADD_SCALAR(x -> Elementwise.addScalar(x, 1.5), Domain.ANY),
    MUL_SCALAR(x -> Elementwise.mulScalar(x, -0.7), Domain.ANY);

    final Function<Tensor, Tensor> f;
    final Domain domain;

    Unary(Function<Tensor, Tensor> f, Domain domain) {
      this.f = f;
      this.domain = domain;
    }
  }

  enum Domain {
    ANY, POSITIVE, NOT_NEAR_ZERO;

    double[] draw(Random rng, int n) {
      switch (this) {
        case POSITIVE: return uniform(rng, n, 0.2, 3);
        // 1e-3 from the kink: far beyond h = 1e-6, so both differences lie on one side.
        case NOT_NEAR_ZERO: return awayFromZero(rng, n, 1e-3);
        default: return normal(rng, n);
      }
    }
  }

  @Property(tries = 30)
  void everyUnaryOp(@ForAll(supplier = Shapes.SmallOrScalar.class) int[] shape, @ForAll long seed) {
    Random rng = new Random(seed);
    for (Unary op : Unary.values())
      GradCheck.check(op.name().toLowerCase(), seed, in -> op.f.apply(in[0]), input(op.domain.draw(rng, numel(shape)), shape));
  }

  @Property(tries = 30)
  void unaryOnATransposedView(@ForAll @IntRange(min = 1, max = 4) int r, @ForAll @IntRange(min = 1, max = 4) int c, @ForAll long seed) {
    Random rng = new Random(seed);
    for (Unary op : Unary.values())
      GradCheck.check(op.name().toLowerCase() + " of x.t()", seed, in -> op.f.apply(in[0].t()), input(op.domain.draw(rng, r * c), r, c));
  }

  /** Binary ops under NumPy broadcasting; divisors stay away from 0, max/min operands never tie. */
  @Property(tries = 40)
  void broadcastingBinaryOps(@ForAll(supplier = Shapes.BroadcastPairs.class) int[][] shapes, @ForAll long seed) {
    Random rng = new Random(seed);
    int[] sa = shapes[0], sb = shapes[1];
    binary("add", Elementwise::add, normal(rng, numel(sa)), sa, normal(rng, numel(sb)), sb, seed);
    binary("sub", Elementwise::sub, normal(rng, numel(sa)), sa, normal(rng, numel(sb)), sb, seed);
    binary("mul", Elementwise::mul, normal(rng, numel(sa)), sa, normal(rng, numel(sb)), sb, seed);
    binary("div", Elementwise::div, normal(rng, numel(sa)), sa, awayFromZero(rng, numel(sb), 0.5), sb, seed);
    binary("maximum", Elementwise::maximum, grid(rng, numel(sa), 0), sa, grid(rng, numel(sb), 0.05), sb, seed);
    binary("minimum", (a, b) -> Elementwise.binary(BinaryOp.MIN, a, b), grid(rng, numel(sa), 0.05), sa, grid(rng, numel(sb), 0), sb, seed);
  }

  private static void binary(String op, BiFunction<Tensor, Tensor, Tensor> f, double[] a, int[] sa, double[] b, int[] sb, long seed) {
    GradCheck.check(op + " " + java.util.Arrays.toString(sa) + " with " + java.util.Arrays.toString(sb), seed, in -> f.apply(in[0], in[1]),
        input(a, sa), input(b, sb));
  }

  @Property(tries = 30)
  void binaryOpsOnStridedAndOffsetViews(@ForAll @IntRange(min = 1, max = 4) int r, @ForAll @IntRange(min = 1, max = 4) int c, @ForAll long seed) {
    Random rng = new Random(seed);
    // a.t() is read through its strides in place; a row slice starting at row 1 has an offset.
    GradCheck.check("mul(x.t(), y[1:])", seed, in -> Elementwise.mul(in[0].t(), in[1].slice(0, 1, c + 1)),
        input(normal(rng, r * c), r, c), input(normal(rng, (c + 1) * r), c + 1, r));
    GradCheck.check("div(y[1:], x.t())", seed, in -> Elementwise.div(in[1].slice(0, 1, c + 1), in[0].t()),
        input(awayFromZero(rng, r * c, 0.5), r, c), input(normal(rng, (c + 1) * r), c + 1, r));
  }

  @Property(tries = 30)
  void squareOfASharedInput(@ForAll(supplier = Shapes.Small.class) int[] shape, @ForAll long seed) {
    // x * x and x + x: one leaf on both sides, so both partial derivatives accumulate into it.
    double[] x = normal(new Random(seed), numel(shape));
    GradCheck.check("mul(x, x)", seed, in -> Elementwise.mul(in[0], in[0]), input(x, shape));
    GradCheck.check("add(x, x)", seed, in -> Elementwise.add(in[0], in[0]), input(x, shape));
  }

  @Property(tries = 30)
  void whereSelectsGradients(@ForAll(supplier = Shapes.BroadcastPairs.class) int[][] shapes, @ForAll boolean condFull, @ForAll long seed) {
    Random rng = new Random(seed);
    int[] sa = shapes[0], sb = shapes[1];
    int[] out = org.cartengine.engine.Shape.broadcast("test", sa, sb);
    // The condition is either full-size or a single row broadcast over the leading axes.
    int[] sc = condFull || out.length == 0 ? out : new int[] {out[out.length - 1]};
    Tensor cond = mask(rng, sc);
    GradCheck.check("where", seed, in -> Elementwise.where(cond, in[0], in[1]), input(normal(rng, numel(sa)), sa), input(normal(rng, numel(sb)), sb));
  }

  @Property(tries = 30)
  void maskedFill(@ForAll(supplier = Shapes.Small.class) int[] shape, @ForAll long seed) {
    Random rng = new Random(seed);
    // Mask of the last axis only, as a key-padding mask broadcast over rows.
    Tensor mask = mask(rng, shape[shape.length - 1]);
    // A moderate fill value: with -1e9, L = sum(y * u) would be ~1e9 and its rounding (~1e-7) would
    // swamp the difference quotient's numerator (~1e-6), whatever the gradient.
    GradCheck.check("maskedFill", seed, in -> Elementwise.maskedFill(in[0], mask, -2.5), input(normal(rng, numel(shape)), shape));
  }

  private static Tensor mask(Random rng, int... shape) {
    double[] m = new double[numel(shape)];
    for (int i = 0; i < m.length; i++) m[i] = rng.nextBoolean() ? 1 : 0;
    return Tensor.of(GradCheck.REF, DType.F64, m, shape);
  }

  @Property(tries = 30)
  void sigmoidGateBothInputs(@ForAll(supplier = Shapes.SmallOrScalar.class) int[] shape, @ForAll long seed) {
    Random rng = new Random(seed);
    GradCheck.check("sigmoidGate", seed, in -> Elementwise.sigmoidGate(in[0], in[1]),
        input(uniform(rng, numel(shape), -4, 4), shape), input(normal(rng, numel(shape)), shape));
  }

  /**
   * cast is the identity on values up to rounding, so its backward is the identity: checked exactly
   * rather than by differences, which F32 rounding (1e-7 relative) would swamp at h = 1e-6.
   */
  @Test
  void castPassesGradientsThroughInTheSourceDtype() {
    Tensor x = Tensor.of(GradCheck.REF, DType.F64, new double[] {0.1, -2, 3.5}, 3).requiresGrad(true);
    Tensor y = Elementwise.cast(Elementwise.cast(x, DType.F32), DType.F64);
    y.backward(Tensor.of(GradCheck.REF, DType.F64, new double[] {1, -2, 0.5}, 3));
    org.junit.jupiter.api.Assertions.assertArrayEquals(new double[] {1, -2, 0.5}, x.grad().toDoubleArray(), 0.0);
  }

  @Property(tries = 30)
  void seededDropout(@ForAll(supplier = Shapes.Small.class) int[] shape, @ForAll @IntRange(min = 0, max = 3) int pIndex, @ForAll long seed) {
    double p = new double[] {0.0, 0.1, 0.5, 0.9}[pIndex];
    // The mask is a pure function of (seed, element), so f is deterministic and differentiable.
    GradCheck.check("dropout p=" + p, seed, in -> Elementwise.dropout(in[0], p, seed), input(normal(new Random(seed), numel(shape)), shape));
  }
}
