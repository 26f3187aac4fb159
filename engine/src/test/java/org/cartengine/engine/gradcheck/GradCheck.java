package org.cartengine.engine.gradcheck;

import java.util.Arrays;
import java.util.Random;
import org.cartengine.engine.DType;
import org.cartengine.engine.Shape;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.reference.ReferenceBackend;

/**
 * Finite-difference gradient check in float64 on the reference backend, as PyTorch's gradcheck.
 *
 * <p>For f(x_1..x_n) -> y and a random upstream gradient u of y's shape, the scalar L = sum(y * u)
 * has analytic gradients dL/dx_i = the vector-Jacobian products that {@code y.backward(u)} computes.
 * Each element of each input is compared with the central difference (L(x + h) - L(x - h)) / 2h,
 * h = 1e-6, passing when |analytic - numeric| <= atol + rtol * |numeric| (atol 1e-5, rtol 1e-3).
 *
 * <p>Every tensor f receives is a differentiable input. Constants (indices, masks, frozen tensors)
 * are captured by f itself, so a stop-gradient on them cannot make the check disagree with itself.
 */
public final class GradCheck {
  /** The oracle backend every check runs on. */
  public static final Backend REF = new ReferenceBackend();

  public static final double H = 1e-6;
  public static final double ATOL = 1e-5;
  public static final double RTOL = 1e-3;

  private GradCheck() {}

  /** The function under test: differentiable inputs in, one tensor out. */
  @FunctionalInterface
  public interface Fn {
    Tensor apply(Tensor[] in);
  }

  /** One differentiable input: float64 values in row-major order and a shape. */
  public record Input(double[] data, int[] shape) {
    public Input {
      if (data.length != Shape.numel(shape)) throw new IllegalArgumentException("input of " + data.length + " values for shape " + Shape.str(shape));
    }
  }

  public static Input input(double[] data, int... shape) {
    return new Input(data, shape);
  }

  /** The worst element of a check: the one furthest outside (or closest to) the tolerance. */
  public record Worst(int input, int[] position, double analytic, double numeric) {
    double excess() {
      return Math.abs(analytic - numeric) / (ATOL + RTOL * Math.abs(numeric));
    }
  }

  /** An F64 leaf on the reference backend. */
  public static Tensor leaf(Input in, boolean requiresGrad) {
    return Tensor.of(REF, DType.F64, in.data(), in.shape()).requiresGrad(requiresGrad);
  }

  /**
   * Checks f's backward against central differences for every element of every input; throws an
   * AssertionError naming op, input, position, analytic and numeric values of the worst element.
   * seed draws the upstream gradient. Returns the worst element (for tests of the checker itself).
   */
  public static Worst check(String op, long seed, Fn f, Input... inputs) {
    Tensor[] leaves = new Tensor[inputs.length];
    for (int i = 0; i < inputs.length; i++) leaves[i] = leaf(inputs[i], true);
    Tensor out = f.apply(leaves);
    if (out.dtype() != DType.F64) throw new AssertionError(op + ": output is " + out.dtype() + ", the check needs F64");
    int[] outShape = out.shape();
    double[] upstream = new double[out.numel()];
    Random rng = new Random(seed);
    for (int j = 0; j < upstream.length; j++) upstream[j] = rng.nextGaussian();
    if (!out.requiresGrad()) throw new AssertionError(op + ": output " + Shape.str(outShape) + " records no history although its inputs require grad");
    out.backward(Tensor.of(REF, DType.F64, upstream, outShape));

    Worst worst = null;
    int failures = 0, total = 0;
    for (int i = 0; i < inputs.length; i++) {
      Input in = inputs[i];
      Tensor g = leaves[i].grad();
      double[] analytic = g == null ? new double[in.data().length] : g.toDoubleArray();
      for (int j = 0; j < analytic.length; j++) {
        double numeric = centralDifference(f, inputs, i, j, upstream, outShape, op);
        Worst w = new Worst(i, unravel(j, in.shape()), analytic[j], numeric);
        total++;
        if (w.excess() > 1) failures++;
        if (worst == null || w.excess() > worst.excess() || Double.isNaN(w.excess())) worst = w;
      }
    }
    if (worst != null && !(worst.excess() <= 1)) {
      throw new AssertionError(String.format(
          "gradcheck %s: input #%d %s at %s: analytic %.10g vs numeric %.10g (|diff| %.3g > atol %.0e + rtol %.0e * |numeric|); "
              + "%d of %d elements out of tolerance; output %s; input shapes %s",
          op, worst.input(), Shape.str(inputs[worst.input()].shape()), Arrays.toString(worst.position()), worst.analytic(), worst.numeric(),
          Math.abs(worst.analytic() - worst.numeric()), ATOL, RTOL, failures, total, Shape.str(outShape), shapes(inputs)));
    }
    return worst;
  }

  /** dL/dx_i[j] by central differences, L = sum(f(inputs) * upstream), evaluated without history. */
  private static double centralDifference(Fn f, Input[] inputs, int i, int j, double[] upstream, int[] outShape, String op) {
    double[] data = inputs[i].data();
    double saved = data[j];
    try {
      data[j] = saved + H;
      double plus = objective(f, inputs, upstream, outShape, op);
      data[j] = saved - H;
      double minus = objective(f, inputs, upstream, outShape, op);
      return (plus - minus) / (2 * H);
    } finally {
      data[j] = saved;
    }
  }

  private static double objective(Fn f, Input[] inputs, double[] upstream, int[] outShape, String op) {
    Tensor[] ts = new Tensor[inputs.length];
    for (int k = 0; k < inputs.length; k++) ts[k] = leaf(inputs[k], false);
    Tensor y = f.apply(ts);
    if (!Arrays.equals(y.shape(), outShape)) throw new AssertionError(op + ": output shape changed from " + Shape.str(outShape) + " to " + Shape.str(y.shape()) + " under perturbation");
    double[] v = y.toDoubleArray();
    double s = 0;
    for (int k = 0; k < v.length; k++) s += v[k] * upstream[k];
    return s;
  }

  static int[] unravel(int flat, int[] shape) {
    int[] pos = new int[shape.length];
    for (int a = shape.length - 1; a >= 0; a--) {
      pos[a] = flat % shape[a];
      flat /= shape[a];
    }
    return pos;
  }

  private static String shapes(Input[] inputs) {
    StringBuilder sb = new StringBuilder();
    for (Input in : inputs) sb.append(sb.length() == 0 ? "" : ", ").append(Shape.str(in.shape()));
    return "[" + sb + "]";
  }
}
