package org.cartengine.engine;

import java.util.Arrays;

/** Shape arithmetic: sizes, contiguous strides and NumPy broadcasting. */
public final class Shape {
  private Shape() {}

  public static int numel(int[] shape) {
    long n = 1;
    for (int s : shape) {
      if (s < 0) throw new IllegalArgumentException("negative dimension in shape " + str(shape));
      n *= s;
    }
    if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("shape " + str(shape) + " has more than 2^31-1 elements");
    return (int) n;
  }

  public static int[] contiguousStrides(int[] shape) {
    int[] st = new int[shape.length];
    int s = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      st[i] = s;
      s *= shape[i];
    }
    return st;
  }

  /** NumPy broadcasting of two shapes; throws naming the op and both shapes when they do not broadcast. */
  public static int[] broadcast(String op, int[] a, int[] b) {
    int rank = Math.max(a.length, b.length);
    int[] out = new int[rank];
    for (int i = 0; i < rank; i++) {
      int da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
      int db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
      if (da != db && da != 1 && db != 1) throw new IllegalArgumentException(op + ": shapes " + str(a) + " and " + str(b) + " do not broadcast (axis " + i + ": " + da + " vs " + db + ")");
      out[i] = da == 1 ? db : da;
    }
    return out;
  }

  /** Strides that read a tensor of shape/strides {@code (shape, strides)} broadcast to {@code out}. */
  public static int[] broadcastStrides(int[] shape, int[] strides, int[] out) {
    int[] st = new int[out.length];
    int off = out.length - shape.length;
    for (int i = 0; i < shape.length; i++) st[i + off] = shape[i] == 1 && out[i + off] != 1 ? 0 : strides[i];
    return st;
  }

  public static String str(int[] shape) {
    return Arrays.toString(shape);
  }

  public static int axis(int axis, int rank, String op) {
    int a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= rank) throw new IllegalArgumentException(op + ": axis " + axis + " out of range for rank " + rank);
    return a;
  }
}
