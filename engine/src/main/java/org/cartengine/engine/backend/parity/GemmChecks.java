package org.cartengine.engine.backend.parity;

import java.util.List;
import org.cartengine.engine.DType;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.device.DeviceBackend;
import org.cartengine.engine.backend.parity.Parity.Precision;
import org.cartengine.engine.backend.parity.Parity.Twin;

/** Parity of gemm: every kernel variant of a device backend, views with offsets and leading dimensions, transposes. */
final class GemmChecks {
  private GemmChecks() {}

  /** The variants a backend can be switched between: a device backend's GEMM kernels in F32, else its one path. */
  static List<String> variants(Backend dut, DType dt) {
    return dut instanceof DeviceBackend && dt == DType.F32 ? List.of("auto", "tiled", "rb128", "tf32") : List.of("auto");
  }

  /** A result of K products: K terms, and a factor 4 for alpha, beta and the accumulation order of tiles. */
  private static int terms(int k) {
    return 4 * k;
  }

  static void views(Parity p, String variant) {
    Backend dev = p.dut, ref = p.ref;
    String before = null;
    if (dev instanceof DeviceBackend db) {
      before = db.gemmVariant();
      db.gemmVariant(variant);
    }
    Precision pr = variant.equals("tf32") ? Precision.TF32 : Precision.of(p.dt);
    try {
      int[][] sizes = {{1, 1, 1}, {7, 5, 3}, {64, 64, 16}, {65, 130, 67}, {128, 128, 128}, {200, 72, 33}, {3, 150, 260}, {256, 129, 8}, {8, 96, 270}};
      for (int[] s : sizes) {
        for (int combo = 0; combo < 4; combo++) {
          boolean ta = (combo & 1) != 0, tb = (combo & 2) != 0;
          int m = s[0], n = s[1], k = s[2];
          int batch = 1 + p.rnd.nextInt(2);
          // leading dimensions larger than needed, and offsets, as views of bigger tensors produce
          int lda = (ta ? m : k) + p.rnd.nextInt(3), ldb = (tb ? k : n) + p.rnd.nextInt(3), ldc = n + p.rnd.nextInt(2) * 4;
          int sa = (ta ? k : m) * lda, sb = (tb ? n : k) * ldb, sc = m * ldc;
          int ao = p.rnd.nextInt(3), bo = p.rnd.nextInt(3), co = p.rnd.nextInt(2) * 4;
          double alpha = 0.5 + p.rnd.nextDouble(), beta = combo == 3 ? 0.7 : 0;
          Twin a = p.random(ao + batch * sa), b = p.random(bo + batch * sb), c = p.random(co + batch * sc);
          dev.gemm(ta, tb, batch, m, n, k, alpha, a.dut, ao, sa, lda, b.dut, bo, sb, ldb, beta, c.dut, co, sc, ldc);
          ref.gemm(ta, tb, batch, m, n, k, alpha, a.ref, ao, sa, lda, b.ref, bo, sb, ldb, beta, c.ref, co, sc, ldc);
          p.close(String.format("gemm[%s] %s%s batch %d m %d n %d k %d", variant, ta ? "T" : "N", tb ? "T" : "N", batch, m, n, k), c, terms(k), pr);
        }
      }
      // aligned sizes reach the float4 path of the 128x128 kernels
      Twin a = p.random(256 * 96), b = p.random(96 * 192), c = p.random(256 * 192);
      dev.gemm(false, false, 1, 256, 192, 96, 1, a.dut, 0, 0, 96, b.dut, 0, 0, 192, 1, c.dut, 0, 0, 192);
      ref.gemm(false, false, 1, 256, 192, 96, 1, a.ref, 0, 0, 96, b.ref, 0, 0, 192, 1, c.ref, 0, 0, 192);
      p.close("gemm[" + variant + "] NN 256x192x96 aligned", c, terms(96), pr);
      // TT: op(A) = c^T viewed [256, 192] -> its first 96 columns, op(B) = b^T viewed [64, 256]; inputs made equal first
      Twin cIn = p.refResult(c);
      dev.gemm(true, true, 1, 96, 64, 256, 1, cIn.dut, 0, 0, 192, b.dut, 0, 0, 256, 0, a.dut, 0, 0, 64);
      ref.gemm(true, true, 1, 96, 64, 256, 1, cIn.ref, 0, 0, 192, b.ref, 0, 0, 256, 0, a.ref, 0, 0, 64);
      p.close("gemm[" + variant + "] TT 96x64x256 aligned", a, terms(256), pr);
    } finally {
      if (before != null) ((DeviceBackend) dev).gemmVariant(before);
    }
  }

  static void transposes(Parity p) {
    int[][] shapes = {{1, 1, 1}, {7, 33, 65}, {65, 7, 33}, {33, 130, 7}, {130, 65, 33}, {5, 3100, 3}, {300, 70, 520},
        // few rows, whole B panels: B read in place (GemmF32.DIRECT_B_ROWS), over two k blocks and two column blocks
        {9, 64, 300}, {4, 3104, 20}, {32, 128, 40},
        // one or two rows past a multiple of 4 over whole panels (a query of 5 or 6 tokens): the edge tile, odd and even k, two k blocks
        {1, 64, 260}, {2, 128, 7}, {5, 128, 300}, {6, 64, 513}, {13, 128, 41}, {150, 64, 9}};
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
          p.close("gemm transA=" + ta + " transB=" + tb + " batch=" + batch + " m=" + m + " n=" + n + " k=" + k + " alpha=" + alpha + " beta=" + beta, c, terms(k));
        }
      }
    }
  }

  /**
   * The training step's thin GEMMs (n of a few hundred columns at most, alpha 1): the SIMD backend reads
   * op(A) in place instead of packing it, and with beta 0 stores its first k block instead of adding.
   * Both transposes of A and B, beta 0 and 1, several k blocks, edge rows.
   */
  static void thinOperands(Parity p) {
    int[][] shapes = {{2048, 64, 64}, {64, 64, 2048}, {130, 64, 300}, {6, 20, 520}, {37, 192, 64}, {64, 257, 9}};
    for (boolean ta : new boolean[] {false, true}) {
      for (boolean tb : new boolean[] {false, true}) {
        for (int[] sh : shapes) {
          for (double beta : new double[] {0, 1}) {
            int m = sh[0], n = sh[1], k = sh[2];
            int lda = (ta ? m : k) + 1, ldb = tb ? k : n, ldc = n;
            Twin a = p.random((ta ? k : m) * lda), b = p.random((tb ? n : k) * ldb), c = p.random(m * ldc);
            p.both((be, s) -> be.gemm(ta, tb, 1, m, n, k, 1.0, s.b(a), 0, 0, lda, s.b(b), 0, 0, ldb, beta, s.b(c), 0, 0, ldc));
            p.close("gemm thin transA=" + ta + " transB=" + tb + " m=" + m + " n=" + n + " k=" + k + " beta=" + beta, c, terms(k));
          }
        }
      }
    }
  }
}
