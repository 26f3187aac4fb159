package org.cartengine.engine.backend;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.cartengine.engine.DType;
import org.cartengine.engine.backend.reference.ReferenceBackend;

/**
 * Runs every {@link Backend} method of a device backend on random inputs (ragged shapes, offsets, broadcasts,
 * masks, ties) and compares it with {@link ReferenceBackend}: float outputs by ||out - ref|| / ||ref||, index
 * outputs and dropout masks exactly. It is main code, not a test, so the GPU check can run it where there is
 * no JUnit (bench/gpu-check.sh); the engine's tests wrap it for OpenCL. Each {@link Check} throws
 * {@link AssertionError} naming the op, the shape and the error.
 */
public final class BackendCheck {
  /** One named parity check. */
  public record Check(String name, Runnable body) {}

  private final Backend dev;
  private final ReferenceBackend ref = new ReferenceBackend();
  private final DType dt;
  private final Random rnd;
  /** Relative tolerance of float outputs: float kernels against the double-precision oracle. */
  private final double tol;
  /** False in a dry run that only exercises the device's launches (its outputs are not compared). */
  private boolean compare = true;

  public BackendCheck(Backend dev, DType dt, long seed) {
    this.dev = dev;
    this.dt = dt;
    this.rnd = new Random(seed);
    this.tol = dt == DType.F64 ? 1e-10 : 2e-5;
  }

  /**
   * A dry run: every check makes the same calls but compares nothing, for backends that record or validate
   * launches without computing (the PTX entry-point test).
   */
  public BackendCheck withoutComparisons() {
    compare = false;
    return this;
  }

  // ---------------------------------------------------------------- buffers on both backends

  /** The same values on the device and on the reference. */
  private final class Pair implements AutoCloseable {
    final Buffer d;
    final Buffer r;
    final int n;

    Pair(DType type, int n) {
      this.n = n;
      d = dev.allocate(type, n);
      r = ref.allocate(type, n);
    }

    Pair set(double[] v) {
      dev.write(d, 0, v, 0, n);
      ref.write(r, 0, v, 0, n);
      return this;
    }

    Pair set(int[] v) {
      dev.write(d, 0, v, 0, n);
      ref.write(r, 0, v, 0, n);
      return this;
    }

    double[] devValues() {
      double[] v = new double[n];
      dev.read(d, 0, v, 0, n);
      return v;
    }

    double[] refValues() {
      double[] v = new double[n];
      ref.read(r, 0, v, 0, n);
      return v;
    }

    int[] devInts() {
      int[] v = new int[n];
      dev.read(d, 0, v, 0, n);
      return v;
    }

    int[] refInts() {
      int[] v = new int[n];
      ref.read(r, 0, v, 0, n);
      return v;
    }

    @Override
    public void close() {
      d.close();
      r.close();
    }
  }

  private Pair rand(int n, double lo, double hi) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) v[i] = lo + (hi - lo) * rnd.nextDouble();
    return new Pair(dt, n).set(v);
  }

  private Pair rand(int n) {
    return rand(n, -1, 1);
  }

  private Pair zeros(int n) {
    return new Pair(dt, n);
  }

  private Pair ints(int[] v) {
    return new Pair(DType.I32, v.length).set(v);
  }

  private int[] randInts(int n, int lo, int hi) {
    int[] v = new int[n];
    for (int i = 0; i < n; i++) v[i] = lo + rnd.nextInt(hi - lo);
    return v;
  }

  private static Buffer dOf(Pair p) {
    return p == null ? null : p.d;
  }

  private static Buffer rOf(Pair p) {
    return p == null ? null : p.r;
  }

  /** ||dev - ref|| / ||ref|| <= tolerance (absolute when ref is ~0). NaN and inf must match in place. */
  private void close(String what, Pair p, double tolerance) {
    if (!compare) return;
    double[] a = p.devValues(), b = p.refValues();
    double num = 0, den = 0;
    for (int i = 0; i < a.length; i++) {
      if (Double.isNaN(b[i]) || Double.isInfinite(b[i])) {
        if (!(Double.isNaN(b[i]) ? Double.isNaN(a[i]) : a[i] == b[i]))
          throw new AssertionError(what + ": element " + i + " is " + a[i] + ", reference " + b[i]);
        continue;
      }
      if (!Double.isFinite(a[i])) throw new AssertionError(what + ": element " + i + " is " + a[i] + ", reference " + b[i]);
      num += (a[i] - b[i]) * (a[i] - b[i]);
      den += b[i] * b[i];
    }
    double err = Math.sqrt(num) / Math.max(Math.sqrt(den), 1e-3);
    if (!(err <= tolerance)) {
      int worst = 0;
      for (int i = 0; i < a.length; i++) if (Math.abs(a[i] - b[i]) > Math.abs(a[worst] - b[worst]) || Double.isNaN(a[i])) worst = i;
      throw new AssertionError(String.format("%s: relative error %.3g > %.1g (worst element %d: %s vs reference %s)", what, err, tolerance, worst, a[worst], b[worst]));
    }
  }

  private void close(String what, Pair p) {
    close(what, p, tol);
  }

  private void same(String what, Pair p) {
    if (!compare) return;
    int[] a = p.devInts(), b = p.refInts();
    for (int i = 0; i < a.length; i++)
      if (a[i] != b[i]) throw new AssertionError(what + ": index element " + i + " is " + a[i] + ", reference " + b[i]);
  }

  private static void closeAll(Pair... ps) {
    for (Pair p : ps) if (p != null) p.close();
  }

  // ---------------------------------------------------------------- the checks

  public List<Check> checks() {
    List<Check> c = new ArrayList<>();
    c.add(new Check("write/read/fill with offsets", this::memory));
    c.add(new Check("cast", this::cast));
    c.add(new Check("copyStrided (permute, slice, broadcast, accumulate, rank 9)", this::copyStrided));
    c.add(new Check("axpy, sumSquares", this::axpySumSquares));
    for (String v : new String[] {"auto", "tiled", "rb128", "tf32"}) {
      if (dt == DType.F64 && !v.equals("auto")) continue;
      c.add(new Check("gemm " + v, () -> gemm(v)));
    }
    c.add(new Check("unary and unaryBackward", this::unary));
    c.add(new Check("binary and binaryBackward (broadcast)", this::binary));
    c.add(new Check("where, sigmoidGate (+backward)", this::whereGate));
    c.add(new Check("dropout (mask bit-exact)", this::dropout));
    c.add(new Check("reduce sum/max+argmax, maxBackward", this::reduce));
    c.add(new Check("softmax, log-softmax (+backward)", this::softmax));
    c.add(new Check("crossEntropy (smoothing, ignore) (+backward)", this::crossEntropy));
    c.add(new Check("klDiv (+backward)", this::klDiv));
    c.add(new Check("layerNorm (+backward)", this::layerNorm));
    c.add(new Check("gather, scatterAdd (repeated indices)", this::embedding));
    c.add(new Check("attention forward and backward (masks, tiles, wide heads)", this::attention));
    c.add(new Check("vqNearest (ties: lowest index)", this::vq));
    c.add(new Check("adamStep", this::adam));
    return c;
  }

  /** Runs every check; returns the failures' messages (empty when all pass). */
  public List<String> runAll(java.util.function.Consumer<String> log) {
    List<String> failures = new ArrayList<>();
    for (Check ch : checks()) {
      long t0 = System.nanoTime();
      try {
        ch.body().run();
        log.accept(String.format("  ok    %-62s %6.0f ms", ch.name(), (System.nanoTime() - t0) / 1e6));
      } catch (AssertionError | RuntimeException e) {
        failures.add(ch.name() + ": " + e);
        log.accept(String.format("  FAIL  %-62s %s", ch.name(), e));
      }
    }
    return failures;
  }

  private void memory() {
    int n = 37;
    try (Pair p = zeros(n)) {
      double[] v = new double[20];
      for (int i = 0; i < v.length; i++) v[i] = rnd.nextGaussian();
      dev.write(p.d, 5, v, 3, 12);
      ref.write(p.r, 5, v, 3, 12);
      dev.fill(p.d, 20, 9, 2.5);
      ref.fill(p.r, 20, 9, 2.5);
      close("write+fill", p);
      float[] f = new float[n + 4];
      dev.read(p.d, 2, f, 4, n - 2);
      double[] r = p.refValues();
      for (int i = 0; compare && i < n - 2; i++)
        if (f[4 + i] != (float) r[2 + i]) throw new AssertionError("read with offsets: element " + i);
    }
    try (Pair p = new Pair(DType.I32, 11)) {
      p.set(randInts(11, -5, 5));
      dev.fill(p.d, 3, 4, 7);
      ref.fill(p.r, 3, 4, 7);
      same("fill I32", p);
    }
  }

  private void cast() {
    int n = 301;
    DType other = dt == DType.F32 ? DType.F64 : DType.F32;
    try (Pair x = rand(n, -50, 50)) {
      if (dev.supports(other)) {
        try (Pair y = new Pair(other, n)) {
          dev.cast(x.d, y.d, n);
          ref.cast(x.r, y.r, n);
          close("cast " + dt + "->" + other, y, 1e-7);
        }
      }
      try (Pair i = new Pair(DType.I32, n); Pair back = zeros(n)) {
        dev.cast(x.d, i.d, n);
        ref.cast(x.r, i.r, n);
        same("cast " + dt + "->I32", i);
        dev.cast(i.d, back.d, n);
        ref.cast(i.r, back.r, n);
        close("cast I32->" + dt, back);
      }
      try (Pair y = zeros(n)) {
        dev.cast(x.d, y.d, n);
        ref.cast(x.r, y.r, n);
        close("cast " + dt + "->" + dt, y);
      }
    }
  }

  private void copyStrided() {
    // permute a random [a, b, c, d] view with an offset into a contiguous buffer, then accumulate it back
    for (int trial = 0; trial < 6; trial++) {
      int rank = 1 + rnd.nextInt(4);
      int[] shape = new int[rank];
      for (int i = 0; i < rank; i++) shape[i] = 1 + rnd.nextInt(6);
      int[] perm = permutation(rank);
      int[] srcStrides = new int[rank];
      int n = 1;
      for (int i = rank - 1; i >= 0; i--) {
        srcStrides[perm[i]] = n;
        n *= shape[perm[i]];
      }
      int off = rnd.nextInt(5);
      int[] dstStrides = contiguous(shape);
      try (Pair src = rand(n + off); Pair dst = zeros(n + 3)) {
        dev.copyStrided(src.d, off, srcStrides, dst.d, 3, dstStrides, shape, false);
        ref.copyStrided(src.r, off, srcStrides, dst.r, 3, dstStrides, shape, false);
        close("copyStrided permute " + java.util.Arrays.toString(shape), dst);
        dev.copyStrided(src.d, off, srcStrides, dst.d, 3, dstStrides, shape, true);
        ref.copyStrided(src.r, off, srcStrides, dst.r, 3, dstStrides, shape, true);
        close("copyStrided accumulate", dst);
      }
    }
    // broadcast: a [1, 5] row expanded to [4, 5] with a zero stride
    try (Pair src = rand(5); Pair dst = zeros(20)) {
      dev.copyStrided(src.d, 0, new int[] {0, 1}, dst.d, 0, new int[] {5, 1}, new int[] {4, 5}, false);
      ref.copyStrided(src.r, 0, new int[] {0, 1}, dst.r, 0, new int[] {5, 1}, new int[] {4, 5}, false);
      close("copyStrided broadcast", dst);
    }
    // rank 9, stored with its axes reversed: no two axes merge, so the space is split into several launches
    int[] shape = {2, 2, 2, 2, 2, 2, 2, 2, 2};
    int[] dstStrides = contiguous(shape);
    int[] srcStrides = new int[shape.length];
    for (int i = 0; i < shape.length; i++) srcStrides[i] = 1 << i;
    try (Pair src = rand(512); Pair dst = zeros(512)) {
      dev.copyStrided(src.d, 0, srcStrides, dst.d, 0, dstStrides, shape, false);
      ref.copyStrided(src.r, 0, srcStrides, dst.r, 0, dstStrides, shape, false);
      close("copyStrided rank 9", dst);
    }
    // I32 slice
    try (Pair src = ints(randInts(30, -9, 9)); Pair dst = new Pair(DType.I32, 12)) {
      dev.copyStrided(src.d, 2, new int[] {6, 2}, dst.d, 0, new int[] {3, 1}, new int[] {4, 3}, false);
      ref.copyStrided(src.r, 2, new int[] {6, 2}, dst.r, 0, new int[] {3, 1}, new int[] {4, 3}, false);
      same("copyStrided I32", dst);
    }
  }

  private static int[] contiguous(int[] shape) {
    int[] s = new int[shape.length];
    int n = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      s[i] = n;
      n *= shape[i];
    }
    return s;
  }

  private int[] permutation(int n) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) p[i] = i;
    for (int i = n - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  private void axpySumSquares() {
    int n = 1000 + rnd.nextInt(5000);
    try (Pair x = rand(n); Pair y = rand(n)) {
      dev.axpy(-0.75, x.d, y.d, n);
      ref.axpy(-0.75, x.r, y.r, n);
      close("axpy", y);
      double a = dev.sumSquares(x.d, n), b = ref.sumSquares(x.r, n);
      if (compare && Math.abs(a - b) > 1e-6 * b) throw new AssertionError("sumSquares: " + a + " vs reference " + b);
    }
  }

  private void gemm(String variant) {
    String before = null;
    if (dev instanceof org.cartengine.engine.backend.device.DeviceBackend db) {
      before = db.gemmVariant();
      db.gemmVariant(variant);
    }
    double t = variant.equals("tf32") ? 5e-3 : tol;
    try {
      int[][] sizes = {{1, 1, 1}, {7, 5, 3}, {64, 64, 16}, {65, 130, 67}, {128, 128, 128}, {200, 72, 33}, {3, 150, 260}, {256, 129, 8}};
      for (int[] s : sizes) {
        for (int combo = 0; combo < 4; combo++) {
          boolean ta = (combo & 1) != 0, tb = (combo & 2) != 0;
          int m = s[0], n = s[1], k = s[2];
          int batch = 1 + rnd.nextInt(2);
          // leading dimensions larger than needed, and offsets, as views of bigger tensors produce
          int lda = (ta ? m : k) + rnd.nextInt(3), ldb = (tb ? k : n) + rnd.nextInt(3), ldc = n + rnd.nextInt(2) * 4;
          int sa = (ta ? k : m) * lda, sb = (tb ? n : k) * ldb, sc = m * ldc;
          int ao = rnd.nextInt(3), bo = rnd.nextInt(3), co = rnd.nextInt(2) * 4;
          double alpha = 0.5 + rnd.nextDouble(), beta = combo == 3 ? 0.7 : 0;
          try (Pair a = rand(ao + batch * sa); Pair b = rand(bo + batch * sb); Pair c = rand(co + batch * sc)) {
            dev.gemm(ta, tb, batch, m, n, k, alpha, a.d, ao, sa, lda, b.d, bo, sb, ldb, beta, c.d, co, sc, ldc);
            ref.gemm(ta, tb, batch, m, n, k, alpha, a.r, ao, sa, lda, b.r, bo, sb, ldb, beta, c.r, co, sc, ldc);
            close(String.format("gemm[%s] %s%s batch %d m %d n %d k %d", variant, ta ? "T" : "N", tb ? "T" : "N", batch, m, n, k), c, t);
          }
        }
      }
      // aligned sizes reach the float4 path of the 128x128 kernels
      try (Pair a = rand(256 * 96); Pair b = rand(96 * 192); Pair c = rand(256 * 192)) {
        dev.gemm(false, false, 1, 256, 192, 96, 1, a.d, 0, 0, 96, b.d, 0, 0, 192, 1, c.d, 0, 0, 192);
        ref.gemm(false, false, 1, 256, 192, 96, 1, a.r, 0, 0, 96, b.r, 0, 0, 192, 1, c.r, 0, 0, 192);
        close("gemm[" + variant + "] NN 256x192x96 aligned", c, t);
        // TT: op(A) = c^T viewed [256, 192] -> its first 96 columns, op(B) = b^T viewed [64, 256]
        dev.gemm(true, true, 1, 96, 64, 256, 1, c.d, 0, 0, 192, b.d, 0, 0, 256, 0, a.d, 0, 0, 64);
        ref.gemm(true, true, 1, 96, 64, 256, 1, c.r, 0, 0, 192, b.r, 0, 0, 256, 0, a.r, 0, 0, 64);
        close("gemm[" + variant + "] TT 96x64x256 aligned", a, t);
      }
    } finally {
      if (before != null) ((org.cartengine.engine.backend.device.DeviceBackend) dev).gemmVariant(before);
    }
  }

  private void unary() {
    int n = 777;
    for (UnaryOp op : UnaryOp.values()) {
      boolean positive = op == UnaryOp.LOG || op == UnaryOp.SQRT || op == UnaryOp.POW;
      double param = op == UnaryOp.POW ? 1.7 : op == UnaryOp.ELU ? 0.8 : 0;
      try (Pair x = positive ? rand(n, 0.1, 3) : rand(n, -3, 3); Pair y = zeros(n); Pair dy = rand(n); Pair dx = zeros(n)) {
        dev.unary(op, param, x.d, y.d, n);
        ref.unary(op, param, x.r, y.r, n);
        close("unary " + op, y);
        dev.unaryBackward(op, param, x.d, y.d, dy.d, dx.d, n);
        ref.unaryBackward(op, param, x.r, y.r, dy.r, dx.r, n);
        close("unaryBackward " + op, dx);
      }
    }
  }

  private void binary() {
    // out [3, 4, 5]: a full, b broadcast over axis 1 ([3, 1, 5]) and a scalar-like [1, 1, 5]
    int[] shape = {3, 4, 5};
    int[][] aStrides = {{20, 5, 1}, {5, 0, 1}, {20, 5, 1}};
    int[][] bStrides = {{5, 0, 1}, {20, 5, 1}, {0, 0, 1}};
    int[] aLen = {60, 15, 60}, bLen = {15, 60, 5};
    for (BinaryOp op : BinaryOp.values()) {
      for (int v = 0; v < aStrides.length; v++) {
        try (Pair a = rand(aLen[v], 0.5, 2); Pair b = rand(bLen[v], 0.5, 2); Pair out = zeros(60); Pair dout = rand(60); Pair g = zeros(60)) {
          if (op == BinaryOp.MAX || op == BinaryOp.MIN) {
            // exact ties go to a: make some
            dev.copyStrided(a.d, 0, new int[] {1}, b.d, 0, new int[] {1}, new int[] {Math.min(3, Math.min(aLen[v], bLen[v]))}, false);
            ref.copyStrided(a.r, 0, new int[] {1}, b.r, 0, new int[] {1}, new int[] {Math.min(3, Math.min(aLen[v], bLen[v]))}, false);
          }
          dev.binary(op, a.d, aStrides[v], b.d, bStrides[v], out.d, shape);
          ref.binary(op, a.r, aStrides[v], b.r, bStrides[v], out.r, shape);
          close("binary " + op + " layout " + v, out);
          for (int which = 0; which < 2; which++) {
            dev.binaryBackward(op, which, a.d, aStrides[v], b.d, bStrides[v], dout.d, g.d, shape);
            ref.binaryBackward(op, which, a.r, aStrides[v], b.r, bStrides[v], dout.r, g.r, shape);
            close("binaryBackward " + op + " which " + which + " layout " + v, g);
          }
        }
      }
    }
  }

  private void whereGate() {
    int n = 513;
    double[] mask = new double[n];
    for (int i = 0; i < n; i++) mask[i] = rnd.nextBoolean() ? 1 : 0;
    try (Pair cond = zeros(n).set(mask); Pair a = rand(n, -6, 6); Pair b = rand(n); Pair out = zeros(n); Pair dout = rand(n); Pair da = zeros(n); Pair db = zeros(n)) {
      dev.where(cond.d, a.d, b.d, out.d, n);
      ref.where(cond.r, a.r, b.r, out.r, n);
      close("where", out);
      dev.sigmoidGate(a.d, b.d, out.d, n);
      ref.sigmoidGate(a.r, b.r, out.r, n);
      close("sigmoidGate", out);
      dev.sigmoidGateBackward(a.d, b.d, dout.d, da.d, db.d, n);
      ref.sigmoidGateBackward(a.r, b.r, dout.r, da.r, db.r, n);
      close("sigmoidGateBackward da", da);
      close("sigmoidGateBackward db", db);
      dev.fill(da.d, 0, n, 0);
      ref.fill(da.r, 0, n, 0);
      dev.sigmoidGateBackward(a.d, b.d, dout.d, null, db.d, n);
      ref.sigmoidGateBackward(a.r, b.r, dout.r, null, db.r, n);
      close("sigmoidGateBackward (da null)", db);
    }
  }

  private void dropout() {
    int n = 4099;
    for (double p : new double[] {0.1, 0.5, 0.0, 1.0}) {
      long seed = rnd.nextLong();
      try (Pair x = rand(n, 0.5, 1.5); Pair y = zeros(n)) {
        dev.dropout(x.d, y.d, n, p, seed);
        ref.dropout(x.r, y.r, n, p, seed);
        double[] a = y.devValues(), b = y.refValues();
        for (int i = 0; compare && i < n; i++)
          if ((a[i] == 0) != (b[i] == 0)) throw new AssertionError("dropout p=" + p + " seed " + seed + ": mask differs at element " + i);
        if (p < 1) close("dropout p=" + p, y);
      }
    }
  }

  private void reduce() {
    int[][] shapes = {{3, 17, 1}, {2, 300, 1}, {4, 7, 33}, {1, 1000, 5}, {5, 1, 3}, {1, 64, 1}};
    for (int[] s : shapes) {
      int outer = s[0], len = s[1], inner = s[2], n = outer * len * inner;
      for (ReduceOp op : ReduceOp.values()) {
        try (Pair x = rand(n); Pair out = zeros(outer * inner); Pair arg = op == ReduceOp.MAX ? new Pair(DType.I32, outer * inner) : null) {
          dev.reduce(op, x.d, out.d, dOf(arg), outer, len, inner);
          ref.reduce(op, x.r, out.r, rOf(arg), outer, len, inner);
          String what = "reduce " + op + " [" + outer + ", " + len + ", " + inner + "]";
          close(what, out);
          if (arg != null) {
            same(what + " argmax", arg);
            try (Pair dout = rand(outer * inner); Pair dx = rand(n)) {
              dev.maxBackward(dout.d, arg.d, dx.d, outer, len, inner);
              ref.maxBackward(dout.r, arg.r, dx.r, outer, len, inner);
              close("maxBackward", dx);
            }
          }
        }
      }
    }
    // ties: the first maximum wins, across threads and lanes too
    int outer = 3, len = 200;
    int[] vals = randInts(outer * len, 0, 4);
    double[] v = new double[vals.length];
    for (int i = 0; i < v.length; i++) v[i] = vals[i];
    for (int in : new int[] {1, 2}) {
      int l = len / in;
      try (Pair x = zeros(v.length).set(v); Pair out = zeros(outer * in); Pair arg = new Pair(DType.I32, outer * in)) {
        dev.reduce(ReduceOp.MAX, x.d, out.d, arg.d, outer, l, in);
        ref.reduce(ReduceOp.MAX, x.r, out.r, arg.r, outer, l, in);
        same("reduce MAX ties argmax (inner " + in + ")", arg);
      }
    }
  }

  private void softmax() {
    int[][] shapes = {{5, 7}, {3, 300}, {2, 1}, {17, 64}, {4, 1500}, {2, 3000}};  // rows longer than 2048 leave the register cache
    for (int[] s : shapes) {
      int rows = s[0], cols = s[1], n = rows * cols;
      for (boolean log : new boolean[] {false, true}) {
        try (Pair x = largeFirstRow(rows, cols); Pair y = zeros(n); Pair dy = rand(n); Pair dx = zeros(n)) {
          dev.softmax(x.d, y.d, rows, cols, log);
          ref.softmax(x.r, y.r, rows, cols, log);
          close((log ? "logSoftmax " : "softmax ") + rows + "x" + cols, y);
          dev.softmaxBackward(y.d, dy.d, dx.d, rows, cols, log);
          ref.softmaxBackward(y.r, dy.r, dx.r, rows, cols, log);
          close((log ? "logSoftmaxBackward " : "softmaxBackward ") + rows + "x" + cols, dx);
        }
      }
    }
  }

  /** Logits in [-20, 20] with 1e4 added to the first row: stable kernels keep full precision there. */
  private Pair largeFirstRow(int rows, int cols) {
    double[] v = new double[rows * cols];
    for (int i = 0; i < v.length; i++) v[i] = -20 + 40 * rnd.nextDouble() + (i < cols ? 1e4 : 0);
    return zeros(v.length).set(v);
  }

  private void crossEntropy() {
    int[][] shapes = {{6, 10}, {9, 257}, {1, 3000}};
    for (int[] s : shapes) {
      int rows = s[0], cols = s[1];
      int[] t = randInts(rows, 0, cols);
      if (rows > 2) t[1] = -100;  // ignored row
      for (double eps : new double[] {0, 0.1}) {
        try (Pair x = largeFirstRow(rows, cols); Pair tg = ints(t); Pair loss = zeros(rows); Pair dloss = rand(rows); Pair dx = rand(rows * cols)) {
          dev.crossEntropy(x.d, tg.d, loss.d, rows, cols, -100, eps);
          ref.crossEntropy(x.r, tg.r, loss.r, rows, cols, -100, eps);
          close("crossEntropy " + rows + "x" + cols + " eps " + eps, loss);
          dev.crossEntropyBackward(x.d, tg.d, dloss.d, dx.d, rows, cols, -100, eps);
          ref.crossEntropyBackward(x.r, tg.r, dloss.r, dx.r, rows, cols, -100, eps);
          close("crossEntropyBackward " + rows + "x" + cols + " eps " + eps, dx);
        }
      }
    }
  }

  private void klDiv() {
    int rows = 7, cols = 45, n = rows * cols;
    try (Pair x1 = rand(n, -3, 3); Pair x2 = rand(n, -3, 3); Pair lp = zeros(n); Pair lq = zeros(n); Pair out = zeros(rows); Pair dout = rand(rows); Pair dp = zeros(n); Pair dq = zeros(n)) {
      dev.softmax(x1.d, lp.d, rows, cols, true);
      ref.softmax(x1.r, lp.r, rows, cols, true);
      dev.softmax(x2.d, lq.d, rows, cols, true);
      ref.softmax(x2.r, lq.r, rows, cols, true);
      dev.klDiv(lp.d, lq.d, out.d, rows, cols);
      ref.klDiv(lp.r, lq.r, out.r, rows, cols);
      close("klDiv", out, Math.max(tol, 1e-4));
      dev.klDivBackward(lp.d, lq.d, dout.d, dp.d, dq.d, rows, cols);
      ref.klDivBackward(lp.r, lq.r, dout.r, dp.r, dq.r, rows, cols);
      close("klDivBackward dlogP", dp);
      close("klDivBackward dlogQ", dq);
      dev.klDivBackward(lp.d, lq.d, dout.d, null, dq.d, rows, cols);
      ref.klDivBackward(lp.r, lq.r, dout.r, null, dq.r, rows, cols);
      close("klDivBackward (dlogP null)", dq);
    }
  }

  private void layerNorm() {
    int[][] shapes = {{4, 16}, {33, 100}, {300, 8}, {2, 1030}, {1000, 64}, {3, 2100}};
    for (int[] s : shapes) {
      int rows = s[0], cols = s[1], n = rows * cols;
      try (Pair x = rand(n, -2, 3); Pair g = rand(cols, 0.5, 1.5); Pair b = rand(cols); Pair y = zeros(n); Pair mean = zeros(rows); Pair rstd = zeros(rows);
          Pair dy = rand(n); Pair dx = zeros(n); Pair dg = rand(cols); Pair db = rand(cols)) {
        String what = "layerNorm " + rows + "x" + cols;
        dev.layerNorm(x.d, g.d, b.d, y.d, mean.d, rstd.d, rows, cols, 1e-5);
        ref.layerNorm(x.r, g.r, b.r, y.r, mean.r, rstd.r, rows, cols, 1e-5);
        close(what, y);
        close(what + " mean", mean);
        close(what + " rstd", rstd);
        dev.layerNormBackward(x.d, g.d, mean.d, rstd.d, dy.d, dx.d, dg.d, db.d, rows, cols);
        ref.layerNormBackward(x.r, g.r, mean.r, rstd.r, dy.r, dx.r, dg.r, db.r, rows, cols);
        close(what + " dx", dx, Math.max(tol, 1e-4));
        close(what + " dgamma", dg);
        close(what + " dbeta", db);
      }
    }
  }

  private void embedding() {
    int vocab = 50, dim = 24, n = 300;
    int[] idx = randInts(n, 0, vocab);
    try (Pair table = rand(vocab * dim); Pair ix = ints(idx); Pair out = zeros(n * dim); Pair dout = rand(n * dim); Pair dtable = rand(vocab * dim)) {
      dev.gather(table.d, ix.d, out.d, n, dim, vocab);
      ref.gather(table.r, ix.r, out.r, n, dim, vocab);
      close("gather", out);
      dev.scatterAdd(dout.d, ix.d, dtable.d, n, dim, vocab);
      ref.scatterAdd(dout.r, ix.r, dtable.r, n, dim, vocab);
      close("scatterAdd", dtable);
    }
  }

  private void attention() {
    // {B, H, Tq, Tk, D, causal, padded}
    int[][] cases = {
        {2, 3, 5, 5, 8, 0, 0}, {2, 2, 7, 9, 16, 1, 1}, {3, 1, 4, 4, 64, 1, 0}, {1, 2, 32, 32, 64, 0, 1},
        {1, 1, 40, 37, 24, 1, 1}, {2, 1, 6, 6, 70, 0, 1}, {1, 2, 9, 3, 5, 1, 0}, {2, 2, 33, 70, 32, 0, 1}, {1, 1, 1, 1, 1, 0, 0}};
    for (int[] cs : cases) {
      int b = cs[0], h = cs[1], tq = cs[2], tk = cs[3], d = cs[4];
      boolean causal = cs[5] == 1, padded = cs[6] == 1;
      String what = String.format("attention B%d H%d Tq%d Tk%d D%d%s%s", b, h, tq, tk, d, causal ? " causal" : "", padded ? " padded" : "");
      int[] mask = new int[b * tk];
      for (int i = 0; i < mask.length; i++) mask[i] = rnd.nextInt(4) == 0 ? 0 : 1;
      if (padded) for (int j = 0; j < tk; j++) mask[j] = 0;  // batch 0 fully padded: rows with no key
      double scale = 1 / Math.sqrt(d);
      int nq = b * h * tq * d, nk = b * h * tk * d;
      try (Pair q = rand(nq, -2, 2); Pair k = rand(nk, -2, 2); Pair v = rand(nk); Pair pad = padded ? ints(mask) : null;
          Pair out = zeros(nq); Pair lse = zeros(b * h * tq); Pair dout = rand(nq); Pair dq = rand(nq); Pair dk = rand(nk); Pair dv = rand(nk)) {
        dev.attention(q.d, k.d, v.d, dOf(pad), out.d, lse.d, b, h, tq, tk, d, scale, causal);
        ref.attention(q.r, k.r, v.r, rOf(pad), out.r, lse.r, b, h, tq, tk, d, scale, causal);
        close(what + " out", out);
        close(what + " lse", lse);
        // the backward reads the forward's outputs; give both sides the reference ones
        double[] o = out.refValues(), l = lse.refValues();
        out.set(o);
        lse.set(l);
        dev.attentionBackward(q.d, k.d, v.d, dOf(pad), out.d, lse.d, dout.d, dq.d, dk.d, dv.d, b, h, tq, tk, d, scale, causal);
        ref.attentionBackward(q.r, k.r, v.r, rOf(pad), out.r, lse.r, dout.r, dq.r, dk.r, dv.r, b, h, tq, tk, d, scale, causal);
        close(what + " dq", dq, Math.max(tol, 5e-5));
        close(what + " dk", dk, Math.max(tol, 5e-5));
        close(what + " dv", dv, Math.max(tol, 5e-5));
      }
    }
  }

  private void vq() {
    int[][] cases = {{100, 16, 8}, {33, 70, 40}, {5, 3, 1}, {64, 256, 64}};
    for (int[] cs : cases) {
      int n = cs[0], k = cs[1], d = cs[2];
      try (Pair x = rand(n * d); Pair code = rand(k * d); Pair idx = new Pair(DType.I32, n); Pair dist = zeros(n)) {
        if (k >= 3) {
          // duplicate code rows: equal distances, the lower index must win
          dev.copyStrided(code.d, 0, new int[] {1}, code.d, d * (k - 1), new int[] {1}, new int[] {d}, false);
          ref.copyStrided(code.r, 0, new int[] {1}, code.r, d * (k - 1), new int[] {1}, new int[] {d}, false);
          // and a row of x equal to a code row
          dev.copyStrided(code.d, 0, new int[] {1}, x.d, 0, new int[] {1}, new int[] {d}, false);
          ref.copyStrided(code.r, 0, new int[] {1}, x.r, 0, new int[] {1}, new int[] {d}, false);
        }
        dev.vqNearest(x.d, code.d, idx.d, dist.d, n, k, d);
        ref.vqNearest(x.r, code.r, idx.r, dist.r, n, k, d);
        same("vqNearest n" + n + " k" + k + " d" + d, idx);
        close("vqNearest distance", dist, Math.max(tol, 1e-5));
        dev.vqNearest(x.d, code.d, idx.d, null, n, k, d);
        same("vqNearest (dist null)", idx);
      }
    }
  }

  private void adam() {
    int n = 2345;
    try (Pair p = rand(n); Pair g = rand(n); Pair m = rand(n, -0.1, 0.1); Pair v = rand(n, 0, 0.01)) {
      for (int step = 1; step <= 3; step++) {
        dev.adamStep(p.d, g.d, m.d, v.d, n, 1e-3, 0.9, 0.999, 1e-8, step == 2 ? 0.01 : 0, step, step == 3 ? 0.5 : 1);
        ref.adamStep(p.r, g.r, m.r, v.r, n, 1e-3, 0.9, 0.999, 1e-8, step == 2 ? 0.01 : 0, step, step == 3 ? 0.5 : 1);
      }
      close("adam param", p);
      close("adam m", m);
      close("adam v", v);
    }
  }
}
