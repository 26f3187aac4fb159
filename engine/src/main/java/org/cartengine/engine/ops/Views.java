package org.cartengine.engine.ops;

import static org.cartengine.engine.autograd.Autograd.accumulate;
import static org.cartengine.engine.autograd.Autograd.accumulateShared;
import static org.cartengine.engine.autograd.Autograd.record;

import java.util.Arrays;
import java.util.List;
import org.cartengine.engine.Shape;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.Backend;

/**
 * Shape ops. reshape/transpose/permute/slice/expand/unsqueeze return views (no copy) where the
 * strides allow; concat, split and contiguous copy through the backend's strided copy.
 */
public final class Views {
  private Views() {}

  /** A contiguous tensor starting at offset 0: this one if it already is, else a copy. */
  public static Tensor contiguous(Tensor x) {
    if (x.isContiguous() && x.offset() == 0) return x;
    // The copy below writes every element of out.
    Tensor out = Tensor.uninitialized(x.backend(), x.dtype(), x.shape());
    x.backend().copyStrided(x.buffer(), x.offset(), x.strides(), out.buffer(), 0, out.strides(), x.shape(), false);
    return record(out, "contiguous", g -> accumulateShared(x, g), x);
  }

  public static Tensor reshape(Tensor x, int... newShape) {
    int[] shape = inferShape(x, newShape);
    Tensor c = x.isContiguous() ? x : contiguous(x);
    Tensor out = c.view(shape, Shape.contiguousStrides(shape), c.offset());
    int[] inShape = x.shape();
    return record(out, "reshape", g -> accumulateShared(x, g.reshape(inShape)), x);
  }

  private static int[] inferShape(Tensor x, int[] newShape) {
    int[] s = newShape.clone();
    int infer = -1;
    long known = 1;
    for (int i = 0; i < s.length; i++) {
      if (s[i] == -1) {
        if (infer >= 0) throw new IllegalArgumentException("reshape: more than one -1 in " + Shape.str(newShape));
        infer = i;
      } else known *= s[i];
    }
    if (infer >= 0) {
      if (known == 0 || x.numel() % known != 0) throw new IllegalArgumentException("reshape: cannot reshape " + Shape.str(x.shape()) + " to " + Shape.str(newShape));
      s[infer] = (int) (x.numel() / known);
    }
    if (Shape.numel(s) != x.numel()) throw new IllegalArgumentException("reshape: cannot reshape " + Shape.str(x.shape()) + " (" + x.numel() + " elements) to " + Shape.str(newShape));
    return s;
  }

  public static Tensor permute(Tensor x, int... axes) {
    int rank = x.rank();
    if (axes.length != rank) throw new IllegalArgumentException("permute: " + Arrays.toString(axes) + " for a tensor of rank " + rank);
    int[] shape = x.shape(), strides = x.strides();
    int[] ns = new int[rank], nst = new int[rank], inverse = new int[rank];
    boolean[] used = new boolean[rank];
    for (int i = 0; i < rank; i++) {
      int a = Shape.axis(axes[i], rank, "permute");
      if (used[a]) throw new IllegalArgumentException("permute: repeated axis in " + Arrays.toString(axes));
      used[a] = true;
      ns[i] = shape[a];
      nst[i] = strides[a];
      inverse[a] = i;
    }
    Tensor out = x.view(ns, nst, x.offset());
    return record(out, "permute", g -> accumulateShared(x, permute(g, inverse)), x);
  }

  public static Tensor transpose(Tensor x, int a, int b) {
    int rank = x.rank();
    int[] axes = new int[rank];
    for (int i = 0; i < rank; i++) axes[i] = i;
    int aa = Shape.axis(a, rank, "transpose"), bb = Shape.axis(b, rank, "transpose");
    axes[aa] = bb;
    axes[bb] = aa;
    return permute(x, axes);
  }

  public static Tensor slice(Tensor x, int axis, int start, int end) {
    int a = Shape.axis(axis, x.rank(), "slice");
    int[] shape = x.shape(), strides = x.strides();
    if (start < 0 || end > shape[a] || start > end)
      throw new IllegalArgumentException("slice: [" + start + ", " + end + ") out of range for axis " + a + " of shape " + Shape.str(shape));
    shape[a] = end - start;
    Tensor out = x.view(shape, strides, x.offset() + start * strides[a]);
    int[] inShape = x.shape();
    return record(out, "slice", g -> {
      Tensor full = Tensor.zeros(g.backend(), g.dtype(), inShape);
      Tensor gc = contiguous(g);
      int[] fs = full.strides();
      g.backend().copyStrided(gc.buffer(), 0, gc.strides(), full.buffer(), start * fs[a], fs, gc.shape(), false);
      accumulate(x, full);
    }, x);
  }

  /** Broadcast view to a larger shape (size-1 axes get stride 0). Backward sums over the broadcast axes. */
  public static Tensor expand(Tensor x, int... newShape) {
    int[] target = Shape.broadcast("expand", x.shape(), newShape);
    if (!Arrays.equals(target, newShape)) throw new IllegalArgumentException("expand: cannot expand " + Shape.str(x.shape()) + " to " + Shape.str(newShape));
    Tensor out = x.view(newShape.clone(), Shape.broadcastStrides(x.shape(), x.strides(), newShape), x.offset());
    int[] inShape = x.shape();
    return record(out, "expand", g -> accumulate(x, Reductions.sumTo(g, inShape)), x);
  }

  public static Tensor unsqueeze(Tensor x, int axis) {
    int rank = x.rank();
    int a = axis < 0 ? axis + rank + 1 : axis;
    int[] s = x.shape();
    if (a < 0 || a > rank) throw new IllegalArgumentException("unsqueeze: axis " + axis + " out of range for a tensor of shape " + Shape.str(s) + " (valid: " + (-rank - 1) + ".." + rank + ")");
    int[] ns = new int[rank + 1];
    for (int i = 0, j = 0; i <= rank; i++) ns[i] = i == a ? 1 : s[j++];
    return reshape(x, ns);
  }

  public static Tensor squeeze(Tensor x, int axis) {
    int a = Shape.axis(axis, x.rank(), "squeeze");
    int[] s = x.shape();
    if (s[a] != 1) throw new IllegalArgumentException("squeeze: axis " + a + " of shape " + Shape.str(s) + " has size " + s[a] + ", not 1");
    int[] ns = new int[s.length - 1];
    for (int i = 0, j = 0; i < s.length; i++) if (i != a) ns[j++] = s[i];
    return reshape(x, ns);
  }

  /** Concatenation along an axis; all other axes must agree. */
  public static Tensor concat(List<Tensor> xs, int axis) {
    if (xs.isEmpty()) throw new IllegalArgumentException("concat: no tensors");
    Tensor first = xs.get(0);
    int a = Shape.axis(axis, first.rank(), "concat");
    int[] shape = first.shape();
    int total = 0;
    for (Tensor t : xs) {
      int[] s = t.shape();
      if (s.length != shape.length) throw new IllegalArgumentException("concat: rank mismatch " + Shape.str(shape) + " vs " + Shape.str(s));
      for (int i = 0; i < s.length; i++)
        if (i != a && s[i] != shape[i]) throw new IllegalArgumentException("concat: shapes " + Shape.str(shape) + " and " + Shape.str(s) + " differ outside axis " + a);
      if (t.dtype() != first.dtype()) throw new IllegalArgumentException("concat: dtypes " + first.dtype() + " and " + t.dtype());
      total += s[a];
    }
    shape[a] = total;
    Backend be = first.backend();
    Tensor out = Tensor.zeros(be, first.dtype(), shape);
    int[] os = out.strides();
    int pos = 0;
    int[] starts = new int[xs.size()];
    for (int i = 0; i < xs.size(); i++) {
      Tensor t = xs.get(i);
      starts[i] = pos;
      be.copyStrided(t.buffer(), t.offset(), t.strides(), out.buffer(), pos * os[a], os, t.shape(), false);
      pos += t.dim(a);
    }
    Tensor[] ins = xs.toArray(new Tensor[0]);
    return record(out, "concat", g -> {
      for (int i = 0; i < ins.length; i++) {
        if (!ins[i].requiresGrad()) continue;
        Tensor part = slice(g, a, starts[i], starts[i] + ins[i].dim(a));
        accumulate(ins[i], contiguousCopy(part));
      }
    }, ins);
  }

  /** Splits along an axis into pieces of the given sizes (views). */
  public static List<Tensor> split(Tensor x, int axis, int... sizes) {
    int a = Shape.axis(axis, x.rank(), "split");
    int sum = 0;
    for (int s : sizes) sum += s;
    if (sum != x.dim(a)) throw new IllegalArgumentException("split: sizes " + Arrays.toString(sizes) + " do not add up to " + x.dim(a) + " (axis " + a + " of " + Shape.str(x.shape()) + ")");
    Tensor[] out = new Tensor[sizes.length];
    int pos = 0;
    for (int i = 0; i < sizes.length; i++) {
      out[i] = slice(x, a, pos, pos + sizes[i]);
      pos += sizes[i];
    }
    return List.of(out);
  }

  /** A fresh contiguous copy (never the same storage). */
  public static Tensor contiguousCopy(Tensor x) {
    Tensor out = Tensor.uninitialized(x.backend(), x.dtype(), x.shape());
    x.backend().copyStrided(x.buffer(), x.offset(), x.strides(), out.buffer(), 0, out.strides(), x.shape(), false);
    return out;
  }
}
