package org.cartengine.engine.backend.parity;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.cartengine.engine.DType;
import org.cartengine.engine.Shape;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.Buffer;
import org.cartengine.engine.backend.parity.Parity.Precision;
import org.cartengine.engine.backend.parity.Parity.Twin;

/** Parity of the memory methods: write, read, fill, cast, copyStrided, and axpy/sumSquares of the optimiser. */
final class MemoryChecks {
  private MemoryChecks() {}

  /** Lengths that are no multiple of a vector width, and one long enough for every thread. */
  static final int[] LENGTHS = {1, 7, 33, 65, 130, 70001};

  static void writeReadFill(Parity p) {
    Backend dev = p.dut, ref = p.ref;
    int n = 37;
    Twin t = p.zeros(n);
    double[] v = new double[20];
    for (int i = 0; i < v.length; i++) v[i] = p.dt == DType.F32 ? (float) p.rnd.nextGaussian() : p.rnd.nextGaussian();
    dev.write(t.dut, 5, v, 3, 12);
    ref.write(t.ref, 5, v, 3, 12);
    dev.fill(t.dut, 20, 9, 2.5);
    ref.fill(t.ref, 20, 9, 2.5);
    p.exact("write+fill", t);
    float[] f = new float[n + 4];
    dev.read(t.dut, 2, f, 4, n - 2);
    double[] r = p.readRef(t);
    for (int i = 0; i < n - 2; i++) {
      int at = i;
      p.check(f[4 + i] == (float) r[2 + i], () -> "read with offsets: element " + at);
    }
    Twin ints = p.ints(p.randInts(11, -5, 5));
    dev.fill(ints.dut, 3, 4, 7);
    ref.fill(ints.ref, 3, 4, 7);
    p.sameInts("fill I32", ints);
  }

  static void cast(Parity p) {
    Backend dev = p.dut, ref = p.ref;
    int n = 301;
    DType other = p.dt == DType.F32 ? DType.F64 : DType.F32;
    Twin x = p.rand(n, -50, 50);
    if (dev.supports(other)) {
      Twin y = p.zeros(other, n);
      dev.cast(x.dut, y.dut, n);
      ref.cast(x.ref, y.ref, n);
      p.close("cast " + p.dt + "->" + other, y, 1, Precision.of(other));
    }
    Twin i = p.zeros(DType.I32, n), back = p.zeros(n);
    dev.cast(x.dut, i.dut, n);
    ref.cast(x.ref, i.ref, n);
    p.sameInts("cast " + p.dt + "->I32", i);
    dev.cast(i.dut, back.dut, n);
    ref.cast(i.ref, back.ref, n);
    p.exact("cast I32->" + p.dt, back);
    Twin y = p.zeros(n);
    dev.cast(x.dut, y.dut, n);
    ref.cast(x.ref, y.ref, n);
    p.exact("cast " + p.dt + "->" + p.dt, y);
  }

  static void castAndFill(Parity p) {
    for (int n : LENGTHS) {
      int[] iv = new int[n];
      for (int i = 0; i < n; i++) iv[i] = p.rnd.nextInt(2001) - 1000;
      Twin ints = p.ints(iv), out = p.zeros(n);
      p.both((be, s) -> be.cast(s.b(ints), s.b(out), n));
      p.exact("cast I32 -> float n=" + n, out);
      Twin x = p.random(n), copy = p.zeros(n);
      p.both((be, s) -> be.cast(s.b(x), s.b(copy), n));
      p.exact("cast float -> float n=" + n, copy);
      if (p.dt == DType.F32 && p.dut.supports(DType.F64)) {
        Buffer wide = p.allocate(DType.F64, n), back = p.allocate(DType.F32, n);
        p.dut.cast(x.dut, wide, n);
        p.dut.cast(wide, back, n);
        double[] w = new double[n];
        p.dut.read(wide, 0, w, 0, n);
        p.check(Arrays.equals(p.readRef(x), w), () -> "cast F32 -> F64 is not exact");
        double[] bk = new double[n];
        p.dut.read(back, 0, bk, 0, n);
        p.check(Arrays.equals(p.readDut(x), bk), () -> "cast F64 -> F32 does not round-trip");
      }
      Twin f = p.random(n + 3);
      int off = p.rnd.nextInt(3);
      p.both((be, s) -> be.fill(s.b(f), off, n, 0.375));
      p.exact("fill n=" + n, f);
    }
  }

  static void copyStrided(Parity p) {
    Backend dev = p.dut, ref = p.ref;
    // permute a random [a, b, c, d] view with an offset into a contiguous buffer, then accumulate it back
    for (int trial = 0; trial < 6; trial++) {
      int rank = 1 + p.rnd.nextInt(4);
      int[] shape = new int[rank];
      for (int i = 0; i < rank; i++) shape[i] = 1 + p.rnd.nextInt(6);
      int[] perm = permutation(p, rank);
      int[] srcStrides = new int[rank];
      int n = 1;
      for (int i = rank - 1; i >= 0; i--) {
        srcStrides[perm[i]] = n;
        n *= shape[perm[i]];
      }
      int off = p.rnd.nextInt(5);
      int[] dstStrides = Shape.contiguousStrides(shape);
      Twin src = p.random(n + off), dst = p.zeros(n + 3);
      dev.copyStrided(src.dut, off, srcStrides, dst.dut, 3, dstStrides, shape, false);
      ref.copyStrided(src.ref, off, srcStrides, dst.ref, 3, dstStrides, shape, false);
      p.exact("copyStrided permute " + Arrays.toString(shape), dst);
      dev.copyStrided(src.dut, off, srcStrides, dst.dut, 3, dstStrides, shape, true);
      ref.copyStrided(src.ref, off, srcStrides, dst.ref, 3, dstStrides, shape, true);
      p.close("copyStrided accumulate", dst, 1);
    }
    // broadcast: a [1, 5] row expanded to [4, 5] with a zero stride
    Twin row = p.random(5), wide = p.zeros(20);
    dev.copyStrided(row.dut, 0, new int[] {0, 1}, wide.dut, 0, new int[] {5, 1}, new int[] {4, 5}, false);
    ref.copyStrided(row.ref, 0, new int[] {0, 1}, wide.ref, 0, new int[] {5, 1}, new int[] {4, 5}, false);
    p.exact("copyStrided broadcast", wide);
    // rank 9, stored with its axes reversed: no two axes merge, so the space is split into several launches
    int[] shape = {2, 2, 2, 2, 2, 2, 2, 2, 2};
    int[] dstStrides = Shape.contiguousStrides(shape);
    int[] srcStrides = new int[shape.length];
    for (int i = 0; i < shape.length; i++) srcStrides[i] = 1 << i;
    Twin src = p.random(512), dst = p.zeros(512);
    dev.copyStrided(src.dut, 0, srcStrides, dst.dut, 0, dstStrides, shape, false);
    ref.copyStrided(src.ref, 0, srcStrides, dst.ref, 0, dstStrides, shape, false);
    p.exact("copyStrided rank 9", dst);
    // I32 slice
    Twin isrc = p.ints(p.randInts(30, -9, 9)), idst = p.zeros(DType.I32, 12);
    dev.copyStrided(isrc.dut, 2, new int[] {6, 2}, idst.dut, 0, new int[] {3, 1}, new int[] {4, 3}, false);
    ref.copyStrided(isrc.ref, 2, new int[] {6, 2}, idst.ref, 0, new int[] {3, 1}, new int[] {4, 3}, false);
    p.sameInts("copyStrided I32", idst);
  }

  private static int[] permutation(Parity p, int n) {
    int[] perm = new int[n];
    for (int i = 0; i < n; i++) perm[i] = i;
    for (int i = n - 1; i > 0; i--) {
      int j = p.rnd.nextInt(i + 1);
      int t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    return perm;
  }

  static void copyStridedRandom(Parity p) {
    for (int trial = 0; trial < 24; trial++) {
      int rank = trial == 0 ? 2 : trial == 3 ? 1 : 1 + p.rnd.nextInt(4);
      int[] shape = new int[rank];
      for (int d = 0; d < rank; d++) shape[d] = p.size(rank <= 2 ? 65 : 13);
      if (trial == 0) shape = new int[] {300, 260};
      if (trial == 3) shape = new int[] {70001};
      int kind = trial % 4; // 0 permute, 1 slice, 2 broadcast, 3 accumulate into a strided destination
      int[] srcStrides, dstStrides = Shape.contiguousStrides(shape);
      int srcOff = 0, srcLen, dstOff = 0, dstLen = Shape.numel(shape);
      if (kind == 0) {
        // Source stored with its axes in a random order: a permuted view.
        List<Integer> order = new ArrayList<>();
        for (int d = 0; d < rank; d++) order.add(d);
        Collections.shuffle(order, p.rnd);
        srcStrides = new int[rank];
        int acc = 1;
        for (int i = rank - 1; i >= 0; i--) {
          srcStrides[order.get(i)] = acc;
          acc *= shape[order.get(i)];
        }
        srcLen = acc;
      } else if (kind == 1) {
        // Source is a slice of a larger tensor (each axis padded), starting at an offset.
        int[] big = shape.clone();
        for (int d = 0; d < rank; d++) big[d] += p.rnd.nextInt(3);
        srcStrides = Shape.contiguousStrides(big);
        srcOff = p.rnd.nextInt(3);
        srcLen = srcOff + Shape.numel(big);
      } else if (kind == 2) {
        srcStrides = Shape.contiguousStrides(shape);
        for (int d = 0; d < rank; d++) if (p.rnd.nextBoolean()) srcStrides[d] = 0;
        srcLen = Shape.numel(shape);
      } else {
        srcStrides = Shape.contiguousStrides(shape);
        srcLen = Shape.numel(shape);
        int[] big = shape.clone();
        big[rank - 1] += 1 + p.rnd.nextInt(2);
        dstStrides = Shape.contiguousStrides(big);
        dstOff = 1;
        dstLen = 1 + Shape.numel(big);
      }
      Twin src = p.random(srcLen), dst = p.random(dstLen);
      boolean accumulate = kind == 3 || (kind == 1 && p.rnd.nextBoolean());
      int[] sh = shape, ss = srcStrides, ds = dstStrides;
      int so = srcOff, dO = dstOff;
      p.both((be, s) -> be.copyStrided(s.b(src), so, ss, s.b(dst), dO, ds, sh, accumulate));
      p.close("copyStrided kind=" + kind + " shape " + Shape.str(sh) + " src strides " + Arrays.toString(ss) + " dst strides " + Arrays.toString(ds) + " accumulate=" + accumulate, dst, 1);
    }
  }

  static void axpySumSquares(Parity p) {
    int n = 1000 + p.rnd.nextInt(5000);
    Twin x = p.random(n), y = p.random(n);
    p.both((be, s) -> be.axpy(-0.75, s.b(x), s.b(y), n));
    p.close("axpy", y, 1);
    p.close("sumSquares", p.dut.sumSquares(x.dut, n), p.ref.sumSquares(x.ref, n), n);
  }

  static void axpySumSquaresRagged(Parity p) {
    for (int n : LENGTHS) {
      Twin x = p.random(n), y = p.random(n);
      p.both((be, s) -> be.axpy(-0.75, s.b(x), s.b(y), n));
      p.close("axpy n=" + n, y, 1);
      p.close("sumSquares n=" + n, p.dut.sumSquares(x.dut, n), p.ref.sumSquares(x.ref, n), n);
    }
    // Several buffers in one call (the global norm of clipping), ragged lengths and an empty one among them.
    Twin[] xs = new Twin[LENGTHS.length + 1];
    int[] ns = new int[xs.length];
    int total = 0;
    for (int i = 0; i < LENGTHS.length; i++) {
      xs[i] = p.random(LENGTHS[i]);
      ns[i] = LENGTHS[i];
      total += ns[i];
    }
    xs[LENGTHS.length] = p.random(1);
    ns[LENGTHS.length] = 0;
    double ref = 0;
    for (int i = 0; i < xs.length; i++) ref += p.ref.sumSquares(xs[i].ref, ns[i]);
    org.cartengine.engine.backend.Buffer[] dut = new org.cartengine.engine.backend.Buffer[xs.length];
    for (int i = 0; i < xs.length; i++) dut[i] = xs[i].dut;
    p.close("sumSquares of " + xs.length + " buffers in one call", p.dut.sumSquares(dut, ns), ref, total);
  }
}
