package org.cartengine.engine.ops;

import static org.cartengine.engine.autograd.Autograd.accumulate;
import static org.cartengine.engine.autograd.Autograd.record;

import org.cartengine.engine.DType;
import org.cartengine.engine.Shape;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.ReduceOp;

/** Sum, mean and max over axes, and the sum-to-shape that undoes broadcasting in backward passes. */
public final class Reductions {
  private Reductions() {}

  /** Sizes of x viewed as [outer, len, inner] around axis a. */
  private static int[] split3(int[] shape, int a) {
    int outer = 1, inner = 1;
    for (int i = 0; i < a; i++) outer *= shape[i];
    for (int i = a + 1; i < shape.length; i++) inner *= shape[i];
    return new int[] {outer, shape[a], inner};
  }

  private static int[] reducedShape(int[] shape, int a, boolean keepDim) {
    if (keepDim) {
      int[] s = shape.clone();
      s[a] = 1;
      return s;
    }
    int[] s = new int[shape.length - 1];
    for (int i = 0, j = 0; i < shape.length; i++) if (i != a) s[j++] = shape[i];
    return s;
  }

  public static Tensor sum(Tensor x, int axis, boolean keepDim) {
    Elementwise.floating("sum", x);
    int a = Shape.axis(axis, x.rank(), "sum");
    int[] inShape = x.shape();
    int[] d = split3(inShape, a);
    Tensor xc = Views.contiguous(x);
    Backend be = x.backend();
    Tensor y = Tensor.zeros(be, x.dtype(), reducedShape(inShape, a, keepDim));
    be.reduce(ReduceOp.SUM, xc.buffer(), y.buffer(), null, d[0], d[1], d[2]);
    return record(y, "sum", g -> {
      Tensor gk = g.reshape(reducedShape(inShape, a, true));
      accumulate(x, Views.contiguousCopy(Views.expand(gk, inShape)));
    }, x);
  }

  public static Tensor mean(Tensor x, int axis, boolean keepDim) {
    int a = Shape.axis(axis, x.rank(), "mean");
    return Elementwise.mulScalar(sum(x, a, keepDim), 1.0 / x.dim(a));
  }

  public static Tensor sumAll(Tensor x) {
    Tensor flat = Views.reshape(x, x.numel());
    return Views.reshape(sum(flat, 0, false), new int[0]);
  }

  public static Tensor meanAll(Tensor x) {
    return Elementwise.mulScalar(sumAll(x), 1.0 / Math.max(1, x.numel()));
  }

  /** Max over an axis; the gradient goes to the first maximum. */
  public static Tensor max(Tensor x, int axis, boolean keepDim) {
    Elementwise.floating("max", x);
    int a = Shape.axis(axis, x.rank(), "max");
    int[] inShape = x.shape();
    int[] d = split3(inShape, a);
    Tensor xc = Views.contiguous(x);
    Backend be = x.backend();
    int[] outShape = reducedShape(inShape, a, keepDim);
    Tensor y = Tensor.zeros(be, x.dtype(), outShape);
    Tensor arg = Tensor.zeros(be, DType.I32, outShape);
    be.reduce(ReduceOp.MAX, xc.buffer(), y.buffer(), arg.buffer(), d[0], d[1], d[2]);
    return record(y, "max", g -> {
      Tensor gc = Views.contiguous(g);
      Tensor dx = Tensor.zeros(be, x.dtype(), inShape);
      be.maxBackward(gc.buffer(), arg.buffer(), dx.buffer(), d[0], d[1], d[2]);
      accumulate(x, dx);
    }, x);
  }

  /** Index of the maximum along the last axis (no gradient). */
  public static Tensor argmax(Tensor x, int axis) {
    int a = Shape.axis(axis, x.rank(), "argmax");
    int[] d = split3(x.shape(), a);
    Tensor xc = Views.contiguous(x);
    Backend be = x.backend();
    int[] outShape = reducedShape(x.shape(), a, false);
    Tensor y = Tensor.zeros(be, x.dtype(), outShape);
    Tensor arg = Tensor.zeros(be, DType.I32, outShape);
    be.reduce(ReduceOp.MAX, xc.buffer(), y.buffer(), arg.buffer(), d[0], d[1], d[2]);
    y.close();
    return arg;
  }

  /**
   * Sums a (gradient) tensor down to a shape it was broadcast from: leading extra axes and axes where
   * the target has size 1. Returns a fresh tensor without history.
   */
  public static Tensor sumTo(Tensor g, int[] target) {
    int[] shape = g.shape();
    int lead = shape.length - target.length;
    if (lead < 0) throw new IllegalArgumentException("sumTo: cannot reduce " + Shape.str(shape) + " to " + Shape.str(target));
    Tensor cur = Views.contiguous(g);
    boolean owned = cur != g;
    for (int i = 0; i < lead; i++) {
      Tensor next = reduceAxis(cur, 0);
      if (owned) cur.close();
      cur = next;
      owned = true;
    }
    for (int i = 0; i < target.length; i++) {
      if (target[i] == 1 && cur.dim(i) != 1) {
        Tensor next = reduceAxis(cur, i);
        next = next.reshape(reducedShape(cur.shape(), i, true));
        if (owned) cur.close();
        cur = next;
        owned = true;
      } else if (target[i] != cur.dim(i)) {
        throw new IllegalArgumentException("sumTo: cannot reduce " + Shape.str(shape) + " to " + Shape.str(target));
      }
    }
    return owned ? cur : Views.contiguousCopy(cur);
  }

  private static Tensor reduceAxis(Tensor x, int a) {
    int[] d = split3(x.shape(), a);
    Tensor y = Tensor.zeros(x.backend(), x.dtype(), reducedShape(x.shape(), a, false));
    x.backend().reduce(ReduceOp.SUM, x.buffer(), y.buffer(), null, d[0], d[1], d[2]);
    return y;
  }
}
