package org.cartengine.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.cartengine.engine.DType;
import org.cartengine.engine.Shape;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.BackendCatalog;
import org.cartengine.engine.backend.Backends;
import org.cartengine.engine.backend.BinaryOp;
import org.cartengine.engine.backend.Buffer;
import org.cartengine.engine.backend.ReduceOp;
import org.cartengine.engine.backend.UnaryOp;
import org.cartengine.engine.backend.reference.ReferenceBackend;
import org.cartengine.engine.backend.simd.SimdBackend;
import org.cartengine.tests.Parity.Twin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Parity: every kernel of the {@link Backend} interface, forward and backward, on every backend the
 * provider knows (in its order, reference excepted) plus the SIMD backend's scalar path, against
 * {@link ReferenceBackend}. For any shapes, including sizes that are no multiple of a vector width
 * (1, 7, 33, 65, 130), and any values, the F32 result of the backend under test matches the F64
 * reference on the same inputs within {@code atol + |ref| * eps * sqrt(K)} for results that sum K
 * terms. A backend that cannot be created on this machine is reported as skipped, with its reason.
 *
 * <p>Only the Backend interface is used, so the GPU backends run here unchanged.
 */
class BackendParityTest {
  private static final String SIMD_SCALAR = "simd-scalar";
  private static final Map<String, Object> BACKENDS = new LinkedHashMap<>();

  /** The provider's candidates in its order, minus the reference itself, with the SIMD backend's scalar path after it. */
  static Stream<String> backends() {
    List<String> names = BackendCatalog.names();
    names.remove("reference");
    int simd = names.indexOf("simd");
    names.add(simd < 0 ? names.size() : simd + 1, SIMD_SCALAR);
    return names.stream();
  }

  private static synchronized Parity parity(String name, long seed) {
    Object b = BACKENDS.computeIfAbsent(name, BackendParityTest::create);
    if (b instanceof String reason) Assumptions.abort(name + " skipped: " + reason);
    return new Parity(name, (Backend) b, seed * 31 + name.hashCode());
  }

  private static Object create(String name) {
    try {
      Backend b = name.equals(SIMD_SCALAR) ? new SimdBackend(false, 0) : Backends.create(name);
      System.out.println("[parity] " + name + ": " + b.device());
      return b;
    } catch (RuntimeException | LinkageError e) {
      String reason = e.getClass().getSimpleName() + ": " + e.getMessage();
      System.out.println("[parity] SKIPPED " + name + ": " + reason);
      return reason;
    }
  }

  @AfterAll
  static synchronized void close() {
    for (Object b : BACKENDS.values()) if (b instanceof Backend be) be.close();
    BACKENDS.clear();
  }

  private static float[] rounded(double[] v) {
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
    return f;
  }

  /** The reference's result, rounded to float, as a new input for both sides (backward kernels get identical saved tensors). */
  private static Twin refResult(Parity p, Twin t) {
    return p.floats(rounded(p.readRef(t)));
  }

  // ---------------------------------------------------------------- matmul

  @ParameterizedTest(name = "{0}")
  @MethodSource("backends")
  void gemmMatchesForEveryTransposeBatchAlphaBeta(String name) {
    Parity p = parity(name, 1);
    int[][] shapes = {{1, 1, 1}, {7, 33, 65}, {65, 7, 33}, {33, 130, 7}, {130, 65, 33}, {5, 3100, 3}, {300, 70, 520}};
    double[] alphas = {1, 0.5, -2}, betas = {0, 1, 0.5};
    for (boolean ta : new boolean[] {false, true}) {
      for (boolean tb : new boolean[] {false, true}) {
        for (int[] sh : shapes) {
          int m = sh[0], n = sh[1], k = sh[2];
          boolean big = (long) m * n * k > 1_000_000;
          int batch = big ? 1 : 1 + p.rnd.nextInt(3);
          double alpha = alphas[p.rnd.nextInt(3)], beta = betas[p.rnd.nextInt(3)];
          int lda = (ta ? m : k) + p.rnd.nextInt(3), ldb = (tb ? k : n) + p.rnd.nextInt(3), ldc = n + p.rnd.nextInt(3);
          int rowsA = ta ? k : m, rowsB = tb ? n : k;
          int strideA = rowsA * lda, strideB = p.rnd.nextBoolean() ? 0 : rowsB * ldb, strideC = m * ldc + p.rnd.nextInt(2);
          int aOff = p.rnd.nextInt(4), bOff = p.rnd.nextInt(4), cOff = p.rnd.nextInt(4);
          Twin a = p.random(aOff + (batch - 1) * strideA + rowsA * lda);
          Twin b = p.random(bOff + (batch - 1) * strideB + rowsB * ldb);
          Twin c = p.random(cOff + (batch - 1) * strideC + m * ldc);
          p.both((be, s) -> be.gemm(ta, tb, batch, m, n, k, alpha, s.b(a), aOff, strideA, lda, s.b(b), bOff, strideB, ldb, beta, s.b(c), cOff, strideC, ldc));
          p.assertClose("gemm transA=" + ta + " transB=" + tb + " batch=" + batch + " m=" + m + " n=" + n + " k=" + k + " alpha=" + alpha + " beta=" + beta, c, 4 * k);
        }
      }
    }
  }

  /**
   * The training step's thin GEMMs (n up to a few hundred columns, alpha 1): the SIMD backend reads
   * op(A) in place instead of packing it, and with beta 0 stores its first k block instead of adding.
   * Covered here deterministically: both transposes of A, beta 0 and 1, several k blocks, edge rows.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("backends")
  void gemmThinOperandsMatch(String name) {
    Parity p = parity(name, 1);
    int[][] shapes = {{2048, 64, 64}, {64, 64, 2048}, {130, 64, 300}, {6, 20, 520}, {37, 192, 64}, {64, 257, 9}};
    for (boolean ta : new boolean[] {false, true}) {
      for (boolean tb : new boolean[] {false, true}) {
        for (int[] sh : shapes) {
          for (double beta : new double[] {0, 1}) {
            int m = sh[0], n = sh[1], k = sh[2];
            int lda = (ta ? m : k) + 1, ldb = tb ? k : n, ldc = n;
            Twin a = p.random((ta ? k : m) * lda), b = p.random((tb ? n : k) * ldb), c = p.random(m * ldc);
            p.both((be, s) -> be.gemm(ta, tb, 1, m, n, k, 1.0, s.b(a), 0, 0, lda, s.b(b), 0, 0, ldb, beta, s.b(c), 0, 0, ldc));
            p.assertClose("gemm transA=" + ta + " transB=" + tb + " m=" + m + " n=" + n + " k=" + k + " beta=" + beta, c, 4 * k);
          }
        }
      }
    }
  }

  // ---------------------------------------------------------------- elementwise

  private static final int[] LENGTHS = {1, 7, 33, 65, 130, 70001};

  private static double param(UnaryOp op) {
    return op == UnaryOp.POW ? 1.7 : op == UnaryOp.ELU ? 0.8 : 0;
  }

  /** Inputs in the op's domain and away from its kinks (relu, abs and elu at 0). */
  private static float[] domain(Parity p, UnaryOp op, int n) {
    return switch (op) {
      case LOG, SQRT, POW -> p.uniform(n, 0.1, 3);
      default -> p.signed(n, 0.05, 3);
    };
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("backends")
  void unaryAndBackwardMatchForEveryOp(String name) {
    Parity p = parity(name, 2);
    for (UnaryOp op : UnaryOp.values()) {
      for (int n : LENGTHS) {
        double prm = param(op);
        float[] xv = domain(p, op, n);
        Twin x = p.floats(xv), y = p.zeros(n);
        p.both((be, s) -> be.unary(op, prm, s.b(x), s.b(y), n));
        p.assertClose("unary " + op + " n=" + n, y, 1);
        float[] yv = new float[n];
        for (int i = 0; i < n; i++) yv[i] = (float) ReferenceBackend.unaryForward(op, prm, xv[i]);
        Twin ys = p.floats(yv), dy = p.random(n), dx = p.zeros(n);
        p.both((be, s) -> be.unaryBackward(op, prm, s.b(x), s.b(ys), s.b(dy), s.b(dx), n));
        p.assertClose("unaryBackward " + op + " n=" + n, dx, 1);
      }
    }
  }

  /** An operand of outShape broadcast on some axes (stride 0), stored row-major or, when transposed, column-major. */
  private record Operand(Twin data, int[] strides, String desc) {}

  private static Operand operand(Parity p, int[] outShape, boolean forceFull, float[] values) {
    int rank = outShape.length;
    int[] shape = outShape.clone();
    if (!forceFull) for (int d = 0; d < rank; d++) if (p.rnd.nextInt(3) == 0) shape[d] = 1;
    boolean transposed = rank >= 2 && p.rnd.nextInt(3) == 0;
    int[] strides = new int[rank];
    int acc = 1;
    if (transposed) {
      for (int d = 0; d < rank; d++) {
        strides[d] = acc;
        acc *= shape[d];
      }
    } else {
      strides = Shape.contiguousStrides(shape);
    }
    for (int d = 0; d < rank; d++) if (shape[d] == 1) strides[d] = 0;
    int numel = Shape.numel(shape);
    Twin t = p.floats(values == null ? p.signed(numel, 0.5, 2) : Arrays.copyOf(values, numel));
    return new Operand(t, strides, Shape.str(shape) + (transposed ? " column-major" : ""));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("backends")
  void binaryAndBackwardMatchWithBroadcastingStrides(String name) {
    Parity p = parity(name, 3);
    for (BinaryOp op : BinaryOp.values()) {
      for (int trial = 0; trial < 7; trial++) {
        int[] outShape;
        if (trial == 0) outShape = new int[] {300, 257};
        else if (trial == 1) outShape = new int[] {70001};
        else {
          outShape = new int[1 + p.rnd.nextInt(3)];
          for (int d = 0; d < outShape.length; d++) outShape[d] = p.size(outShape.length == 1 ? 130 : 33);
        }
        int numel = Shape.numel(outShape);
        Operand a = operand(p, outShape, trial <= 1, null);
        Operand b = trial == 0 ? new Operand(p.floats(p.signed(257, 0.5, 2)), new int[] {0, 1}, "[1, 257] bias") : operand(p, outShape, false, null);
        Twin out = p.zeros(numel);
        String what = op + " out " + Shape.str(outShape) + " a " + a.desc() + " b " + b.desc();
        p.both((be, s) -> be.binary(op, s.b(a.data()), a.strides(), s.b(b.data()), b.strides(), s.b(out), outShape));
        p.assertClose("binary " + what, out, 1);
        Twin dout = p.random(numel);
        for (int which = 0; which < 2; which++) {
          Twin g = p.zeros(numel);
          int w = which;
          p.both((be, s) -> be.binaryBackward(op, w, s.b(a.data()), a.strides(), s.b(b.data()), b.strides(), s.b(dout), s.b(g), outShape));
          p.assertClose("binaryBackward which=" + which + " " + what, g, 1);
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("backends")
  void whereSelectsLikeTheReference(String name) {
    Parity p = parity(name, 4);
    for (int n : LENGTHS) {
      float[] cv = new float[n];
      for (int i = 0; i < n; i++) cv[i] = p.rnd.nextBoolean() ? 1 : 0;
      Twin cond = p.floats(cv), a = p.random(n), b = p.random(n), out = p.zeros(n);
      p.both((be, s) -> be.where(s.b(cond), s.b(a), s.b(b), s.b(out), n));
      p.assertClose("where n=" + n, out, 0, 0);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("backends")
  void sigmoidGateAndBackwardMatch(String name) {
    Parity p = parity(name, 5);
    for (int n : LENGTHS) {
      Twin a = p.floats(p.uniform(n, -6, 6)), b = p.random(n), out = p.zeros(n);
      p.both((be, s) -> be.sigmoidGate(s.b(a), s.b(b), s.b(out), n));
      p.assertClose("sigmoidGate n=" + n, out, 1);
      Twin dout = p.random(n), da = p.zeros(n), db = p.zeros(n);
      p.both((be, s) -> be.sigmoidGateBackward(s.b(a), s.b(b), s.b(dout), s.b(da), s.b(db), n));
      p.assertClose("sigmoidGateBackward da n=" + n, da, 1);
      p.assertClose("sigmoidGateBackward db n=" + n, db, 1);
      Twin da2 = p.zeros(n), db2 = p.zeros(n);
      p.both((be, s) -> be.sigmoidGateBackward(s.b(a), s.b(b), s.b(dout), null, s.b(db2), n));
      p.assertClose("sigmoidGateBackward (da null) db n=" + n, db2, 1);
      p.both((be, s) -> be.sigmoidGateBackward(s.b(a), s.b(b), s.b(dout), s.b(da2), null, n));
      p.assertClose("sigmoidGateBackward (db null) da n=" + n, da2, 1);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("backends")
  void dropoutDrawsBitIdenticalMasks(String name) {
    Parity p = parity(name, 6);
    for (int n : LENGTHS) {
      for (double prob : new double[] {0, 0.1, 0.5, 0.9}) {
        long seed = p.rnd.nextLong();
        Twin x = p.floats(p.signed(n, 0.5, 1.5)), y = p.zeros(n);
        p.both((be, s) -> be.dropout(s.b(x), s.b(y), n, prob, seed));
        double[] r = p.readRef(y);
        float[] d = p.readDut(y);
        for (int i = 0; i < n; i++)
          assertEquals(r[i] == 0, d[i] == 0, name + " dropout p=" + prob + " seed=" + seed + ": element " + i + " of " + n + " kept differently");
        p.assertClose("dropout p=" + prob + " n=" + n, y, 1);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("backends")
  void axpyAndSumSquaresMatch(String name) {
    Parity p = parity(name, 7);
    for (int n : LENGTHS) {
      Twin x = p.random(n), y = p.random(n);
      p.both((be, s) -> be.axpy(-0.75, s.b(x), s.b(y), n));
      p.assertClose("axpy n=" + n, y, 1);
      double r = p.ref.sumSquares(x.ref, n), d = p.dut.sumSquares(x.dut, n);
      assertTrue(Math.abs(r - d) <= Parity.ATOL + r * Parity.EPS * Math.sqrt(n), name + " sumSquares n=" + n + ": " + d + " vs reference " + r);
    }
  }

  // ---------------------------------------------------------------- memory

  @ParameterizedTest(name = "{0}")
  @MethodSource("backends")
  void copyStridedPermutesSlicesBroadcastsAndAccumulates(String name) {
    Parity p = parity(name, 8);
    for (int trial = 0; trial < 24; trial++) {
      int rank = trial == 0 ? 2 : trial == 3 ? 1 : 1 + p.rnd.nextInt(4);
      int[] shape = new int[rank];
      for (int d = 0; d < rank; d++) shape[d] = p.size(rank <= 2 ? 65 : 13);
      if (trial == 0) shape = new int[] {300, 260};
      if (trial == 3) shape = new int[] {70001};
      int kind = trial % 4; // 0 permute, 1 slice, 2 broadcast, 3 accumulate into a strided destination
      int[] srcStrides, dstStrides = Shape.contiguousStrides(shape);
      int srcOff = 0, srcLen, dstOff = 0, dstLen = Shape.numel(shape);
      int[] ranks = new int[rank];
      for (int d = 0; d < rank; d++) ranks[d] = d;
      if (kind == 0) {
        // Source stored with its axes in a random order: a permuted view.
        List<Integer> order = new ArrayList<>();
        for (int d = 0; d < rank; d++) order.add(d);
        java.util.Collections.shuffle(order, p.rnd);
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
      p.assertClose("copyStrided kind=" + kind + " shape " + Shape.str(sh) + " src strides " + Arrays.toString(ss) + " dst strides " + Arrays.toString(ds) + " accumulate=" + accumulate, dst, 1);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("backends")
  void castAndFillMatch(String name) {
    Parity p = parity(name, 9);
    for (int n : LENGTHS) {
      int[] iv = new int[n];
      for (int i = 0; i < n; i++) iv[i] = p.rnd.nextInt(2001) - 1000;
      Twin ints = p.ints(iv), out = p.zeros(n);
      p.both((be, s) -> be.cast(s.b(ints), s.b(out), n));
      p.assertClose("cast I32 -> float n=" + n, out, 0, 0);
      Twin x = p.random(n), copy = p.zeros(n);
      p.both((be, s) -> be.cast(s.b(x), s.b(copy), n));
      p.assertClose("cast float -> float n=" + n, copy, 0, 0);
      if (p.dut.supports(DType.F64)) {
        Buffer wide = p.dut.allocate(DType.F64, n), back = p.dut.allocate(DType.F32, n);
        p.dut.cast(x.dut, wide, n);
        p.dut.cast(wide, back, n);
        double[] w = new double[n];
        p.dut.read(wide, 0, w, 0, n);
        assertTrue(Arrays.equals(p.readRef(x), w), name + " cast F32 -> F64 is not exact");
        float[] bk = new float[n];
        p.dut.read(back, 0, bk, 0, n);
        assertTrue(Arrays.equals(p.readDut(x), bk), name + " cast F64 -> F32 does not round-trip");
      }
      Twin f = p.random(n + 3);
      int off = p.rnd.nextInt(3);
      p.both((be, s) -> be.fill(s.b(f), off, n, 0.375));
      p.assertClose("fill n=" + n, f, 0, 0);
    }
  }

  // ---------------------------------------------------------------- reductions

  @ParameterizedTest(name = "{0}")
  @MethodSource("backends")
  void reduceSumMaxArgmaxAndMaxBackwardMatch(String name) {
    Parity p = parity(name, 10);
    for (int trial = 0; trial < 16; trial++) {
      int outer = p.size(65), len = p.size(130), inner = trial % 2 == 0 ? 1 : p.size(65);
      if (trial == 0) {
        outer = 600;
        len = 130;
      } else if (trial == 1) {
        outer = 1;
        len = 300;
        inner = 257;
      }
      int o = outer, l = len, in = inner;
      Twin x = p.random(o * l * in), sum = p.zeros(o * in), max = p.zeros(o * in);
      Twin arg = p.ints(new int[o * in]);
      String what = " outer=" + o + " len=" + l + " inner=" + in;
      p.both((be, s) -> be.reduce(ReduceOp.SUM, s.b(x), s.b(sum), null, o, l, in));
      p.assertClose("reduce SUM" + what, sum, l);
      p.both((be, s) -> be.reduce(ReduceOp.MAX, s.b(x), s.b(max), s.b(arg), o, l, in));
      p.assertClose("reduce MAX" + what, max, 0, 0);
      p.assertIntsEqual("reduce MAX argmax" + what, arg);
      Twin dout = p.random(o * in), dx = p.random(o * l * in);
      Twin argIn = p.ints(p.readRefInts(arg));
      p.both((be, s) -> be.maxBackward(s.b(dout), s.b(argIn), s.b(dx), o, l, in));
      p.assertClose("maxBackward" + what, dx, 0, 0);
    }
  }

  // ---------------------------------------------------------------- softmax family

  /** Logits [rows, cols] in [-5, 5), the first row shifted by 1e4 (stability). */
  private static float[] logits(Parity p, int rows, int cols) {
    float[] v = p.uniform(rows * cols, -5, 5);
    for (int j = 0; j < cols; j++) v[j] += 1e4f;
    return v;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("backends")
  void softmaxAndLogSoftmaxMatchForwardAndBackward(String name) {
    Parity p = parity(name, 11);
    for (int trial = 0; trial < 10; trial++) {
      int rows = trial == 0 ? 300 : p.size(65), cols = trial == 0 ? 257 : p.size(130);
      for (boolean log : new boolean[] {false, true}) {
        Twin x = p.floats(logits(p, rows, cols)), y = p.zeros(rows * cols);
        String what = (log ? "logSoftmax" : "softmax") + " rows=" + rows + " cols=" + cols;
        p.both((be, s) -> be.softmax(s.b(x), s.b(y), rows, cols, log));
        p.assertClose(what, y, cols);
        Twin ys = refResult(p, y), dy = p.random(rows * cols), dx = p.zeros(rows * cols);
        p.both((be, s) -> be.softmaxBackward(s.b(ys), s.b(dy), s.b(dx), rows, cols, log));
        p.assertClose(what + " backward", dx, cols);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("backends")
  void crossEntropyMatchesWithIgnoreIndexAndSmoothing(String name) {
    Parity p = parity(name, 12);
    for (int trial = 0; trial < 12; trial++) {
      int rows = trial == 0 ? 300 : p.size(65), cols = trial == 0 ? 257 : p.size(130);
      int ignore = trial % 3 == 0 ? 0 : -100;
      double smoothing = trial % 2 == 0 ? 0 : 0.1;
      int[] tv = new int[rows];
      for (int r = 0; r < rows; r++) tv[r] = p.rnd.nextInt(5) == 0 ? ignore : p.rnd.nextInt(cols);
      Twin x = p.floats(logits(p, rows, cols)), t = p.ints(tv), loss = p.zeros(rows);
      String what = "crossEntropy rows=" + rows + " cols=" + cols + " ignore=" + ignore + " smoothing=" + smoothing;
      p.both((be, s) -> be.crossEntropy(s.b(x), s.b(t), s.b(loss), rows, cols, ignore, smoothing));
      p.assertClose(what, loss, 4 * cols);
      Twin dloss = p.random(rows), dl = p.random(rows * cols);
      p.both((be, s) -> be.crossEntropyBackward(s.b(x), s.b(t), s.b(dloss), s.b(dl), rows, cols, ignore, smoothing));
      p.assertClose(what + " backward", dl, cols);
    }
  }

  /** Rows of log-probabilities: the reference's log-softmax of random logits, rounded to float. */
  private static Twin logProbs(Parity p, int rows, int cols) {
    Twin x = p.floats(p.uniform(rows * cols, -3, 3)), y = p.zeros(rows * cols);
    p.ref.softmax(x.ref, y.ref, rows, cols, true);
    return refResult(p, y);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("backends")
  void klDivMatchesForwardAndBackward(String name) {
    Parity p = parity(name, 13);
    for (int trial = 0; trial < 10; trial++) {
      int rows = trial == 0 ? 300 : p.size(65), cols = trial == 0 ? 257 : p.size(130);
      Twin lp = logProbs(p, rows, cols), lq = logProbs(p, rows, cols), out = p.zeros(rows);
      String what = "klDiv rows=" + rows + " cols=" + cols;
      p.both((be, s) -> be.klDiv(s.b(lp), s.b(lq), s.b(out), rows, cols));
      p.assertClose(what, out, 4 * cols);
      Twin dout = p.random(rows), dp = p.zeros(rows * cols), dq = p.zeros(rows * cols);
      p.both((be, s) -> be.klDivBackward(s.b(lp), s.b(lq), s.b(dout), s.b(dp), s.b(dq), rows, cols));
      p.assertClose(what + " backward dlogP", dp, 1);
      p.assertClose(what + " backward dlogQ", dq, 1);
      Twin dq2 = p.zeros(rows * cols);
      p.both((be, s) -> be.klDivBackward(s.b(lp), s.b(lq), s.b(dout), null, s.b(dq2), rows, cols));
      p.assertClose(what + " backward dlogQ only", dq2, 1);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("backends")
  void layerNormMatchesForwardAndBackward(String name) {
    Parity p = parity(name, 14);
    for (int trial = 0; trial < 10; trial++) {
      int rows = trial == 0 ? 300 : p.size(65), cols = trial == 0 ? 257 : p.size(130);
      float[] xv = p.uniform(rows * cols, -2, 2);
      for (int i = 0; i < xv.length; i++) xv[i] += 3;
      Twin x = p.floats(xv), gamma = p.floats(p.signed(cols, 0.5, 1.5)), beta = p.random(cols);
      Twin y = p.zeros(rows * cols), mean = p.zeros(rows), rstd = p.zeros(rows);
      String what = "layerNorm rows=" + rows + " cols=" + cols;
      p.both((be, s) -> be.layerNorm(s.b(x), s.b(gamma), s.b(beta), s.b(y), s.b(mean), s.b(rstd), rows, cols, 1e-5));
      p.assertClose(what + " y", y, 4 * cols);
      p.assertClose(what + " mean", mean, 4 * cols);
      p.assertClose(what + " rstd", rstd, 4 * cols);
      Twin m = refResult(p, mean), r = refResult(p, rstd), dy = p.random(rows * cols);
      Twin dx = p.zeros(rows * cols), dg = p.random(cols), db = p.random(cols);
      p.both((be, s) -> be.layerNormBackward(s.b(x), s.b(gamma), s.b(m), s.b(r), s.b(dy), s.b(dx), s.b(dg), s.b(db), rows, cols));
      p.assertClose(what + " backward dx", dx, 4 * cols);
      p.assertClose(what + " backward dgamma", dg, 4 * rows);
      p.assertClose(what + " backward dbeta", db, 4 * rows);
    }
  }

  // ---------------------------------------------------------------- embedding

  @ParameterizedTest(name = "{0}")
  @MethodSource("backends")
  void gatherAndScatterAddWithRepeatedIndices(String name) {
    Parity p = parity(name, 15);
    for (int trial = 0; trial < 10; trial++) {
      int n = trial == 0 ? 2000 : p.size(130), dim = trial == 0 ? 257 : p.size(130), vocab = 1 + p.rnd.nextInt(13);
      int[] iv = new int[n];
      for (int i = 0; i < n; i++) iv[i] = p.rnd.nextInt(vocab);
      Twin table = p.random(vocab * dim), idx = p.ints(iv), out = p.zeros(n * dim);
      String what = " n=" + n + " dim=" + dim + " vocab=" + vocab;
      p.both((be, s) -> be.gather(s.b(table), s.b(idx), s.b(out), n, dim, vocab));
      p.assertClose("gather" + what, out, 0, 0);
      Twin dout = p.random(n * dim), dtable = p.random(vocab * dim);
      p.both((be, s) -> be.scatterAdd(s.b(dout), s.b(idx), s.b(dtable), n, dim, vocab));
      p.assertClose("scatterAdd" + what, dtable, n);
    }
  }

  // ---------------------------------------------------------------- attention

  @ParameterizedTest(name = "{0}")
  @MethodSource("backends")
  void attentionMatchesWithCausalAndKeyPaddingMasks(String name) {
    Parity p = parity(name, 16);
    int[] dims = {1, 7, 16, 33, 64};
    for (int trial = 0; trial < 14; trial++) {
      int b = 1 + p.rnd.nextInt(3), h = 1 + p.rnd.nextInt(4), tq = p.size(33), tk = p.size(33), d = dims[p.rnd.nextInt(dims.length)];
      if (trial == 0) {
        b = 4;
        h = 8;
        tq = 32;
        tk = 32;
        d = 64;
      }
      boolean causal = p.rnd.nextBoolean(), padded = trial % 3 != 1;
      int B = b, H = h, Tq = tq, Tk = tk, D = d;
      Twin pad = null;
      if (padded) {
        int[] pv = new int[b * tk];
        for (int i = 0; i < pv.length; i++) pv[i] = p.rnd.nextInt(10) < 7 ? 1 : 0;
        if (trial % 4 == 0) Arrays.fill(pv, 0, tk, 0); // batch 0 has every key padded: zero output, lse -inf
        pad = p.ints(pv);
      }
      Twin kp = pad;
      double scale = 1 / Math.sqrt(d);
      Twin q = p.random(b * h * tq * d), k = p.random(b * h * tk * d), v = p.random(b * h * tk * d);
      Twin out = p.zeros(b * h * tq * d), lse = p.zeros(b * h * tq);
      String what = "attention B=" + b + " H=" + h + " Tq=" + tq + " Tk=" + tk + " D=" + d + " causal=" + causal + " padding=" + padded;
      p.both((be, s) -> be.attention(s.b(q), s.b(k), s.b(v), s.b(kp), s.b(out), s.b(lse), B, H, Tq, Tk, D, scale, causal));
      p.assertClose(what + " out", out, 4 * tk);
      p.assertClose(what + " lse", lse, 4 * (tk + d));
      Twin o = refResult(p, out), l = refResult(p, lse), dout = p.random(b * h * tq * d);
      Twin dq = p.random(b * h * tq * d), dk = p.random(b * h * tk * d), dv = p.random(b * h * tk * d);
      p.both((be, s) -> be.attentionBackward(s.b(q), s.b(k), s.b(v), s.b(kp), s.b(o), s.b(l), s.b(dout), s.b(dq), s.b(dk), s.b(dv), B, H, Tq, Tk, D, scale, causal));
      int kk = 4 * (tq + tk) * d;
      p.assertClose(what + " backward dq", dq, kk);
      p.assertClose(what + " backward dk", dk, kk);
      p.assertClose(what + " backward dv", dv, kk);
    }
  }

  // ---------------------------------------------------------------- vector quantization

  @ParameterizedTest(name = "{0}")
  @MethodSource("backends")
  void vqNearestFindsTheNearestCodeAndItsDistance(String name) {
    Parity p = parity(name, 17);
    int[] ks = {1, 7, 33, 65, 256}, dims = {1, 7, 16, 33, 64};
    for (int trial = 0; trial < 12; trial++) {
      int n = trial == 0 ? 200 : p.size(130), k = ks[p.rnd.nextInt(ks.length)], d = dims[p.rnd.nextInt(dims.length)];
      float[] xv = p.uniform(n * d, -1, 1), cv = p.uniform(k * d, -1, 1);
      Twin x = p.floats(xv), cb = p.floats(cv), idx = p.ints(new int[n]), dist = p.zeros(n);
      p.both((be, s) -> be.vqNearest(s.b(x), s.b(cb), s.b(idx), s.b(dist), n, k, d));
      String what = "vqNearest n=" + n + " k=" + k + " d=" + d;
      int[] ri = p.readRefInts(idx), di = p.readDutInts(idx);
      double tol = 1e-5 * Math.sqrt(d) * 4;
      for (int r = 0; r < n; r++) {
        double[] dd = new double[k];
        double best = Double.POSITIVE_INFINITY, second = Double.POSITIVE_INFINITY;
        for (int c = 0; c < k; c++) {
          for (int j = 0; j < d; j++) dd[c] += Math.pow(xv[r * d + j] - cv[c * d + j], 2);
          if (dd[c] < best) {
            second = best;
            best = dd[c];
          } else if (dd[c] < second) second = dd[c];
        }
        assertTrue(dd[di[r]] <= best + tol, name + " " + what + ": row " + r + " chose code " + di[r] + " at " + dd[di[r]] + ", nearest is " + ri[r] + " at " + best);
        if (second - best > tol) assertEquals(ri[r], di[r], name + " " + what + ": row " + r + " (clear winner)");
      }
      p.assertClose(what + " distance", dist, 4 * d);
    }
    // Exact duplicates tie, and the lowest index wins.
    int k = 12, d = 9, n = 20;
    float[] cv = p.uniform(k * d, -1, 1);
    for (int dup : new int[] {5, 9}) System.arraycopy(cv, 2 * d, cv, dup * d, d);
    float[] xv = new float[n * d];
    for (int r = 0; r < n; r++) for (int j = 0; j < d; j++) xv[r * d + j] = cv[(r % 2 == 0 ? 5 : 9) * d + j] + (float) (0.01 * p.rnd.nextGaussian());
    Twin x = p.floats(xv), cb = p.floats(cv), idx = p.ints(new int[n]);
    p.both((be, s) -> be.vqNearest(s.b(x), s.b(cb), s.b(idx), null, n, k, d));
    for (int i : p.readDutInts(idx)) assertEquals(2, i, name + " vqNearest: duplicates of code 2 must resolve to the lowest index");
    p.assertIntsEqual("vqNearest duplicates", idx);
  }

  // ---------------------------------------------------------------- optimiser

  @ParameterizedTest(name = "{0}")
  @MethodSource("backends")
  void adamStepMatches(String name) {
    Parity p = parity(name, 18);
    for (int n : LENGTHS) {
      for (int trial = 0; trial < 2; trial++) {
        int step = trial == 0 ? 1 : 7;
        double wd = trial == 0 ? 0 : 0.01, gradScale = trial == 0 ? 1 : 0.5;
        Twin param = p.random(n), grad = p.random(n), m = p.floats(p.uniform(n, -0.1, 0.1)), v = p.floats(p.uniform(n, 1e-4, 1e-2));
        p.both((be, s) -> be.adamStep(s.b(param), s.b(grad), s.b(m), s.b(v), n, 1e-3, 0.9, 0.999, 1e-8, wd, step, gradScale));
        String what = "adamStep n=" + n + " step=" + step + " wd=" + wd + " gradScale=" + gradScale;
        p.assertClose(what + " param", param, 4);
        p.assertClose(what + " m", m, 4);
        p.assertClose(what + " v", v, 4);
      }
    }
  }
}
