package org.cartengine.engine.backend.simd;

/**
 * Nearest codebook row for each input vector (the RQ-VAE's quantizer, CART section 3.2.2, eq. 1).
 * Squared distances are expanded as ||x||^2 - 2 x.c + ||c||^2, so the x.c term of a block of rows
 * against the whole codebook is one GEMM (the register-tiled kernel, run serially inside each
 * thread's block of rows); ||x||^2 is the same for every code and is left out of the argmin. Ties go
 * to the lowest index (strict {@code <}). The distance reported for the winner is recomputed
 * directly as sum (x - c)^2, which is exact-er and never negative.
 *
 * <p>The expansion rounds differently from the direct sum, so two codes whose distances differ by
 * less than float rounding may be ranked either way; exact duplicates always tie and keep the lowest
 * index.
 */
final class VqF32 {
  private static final int BLOCK = 64;

  private final Parallel par;
  private final GemmF32 serialGemm;
  private final SoftmaxF32 rows;

  VqF32(boolean simd, Parallel par, SoftmaxF32 rows) {
    this.par = par;
    this.serialGemm = new GemmF32(simd, new Parallel(1));
    this.rows = rows;
  }

  void nearest(float[] x, float[] codebook, int[] idx, float[] dist, int n, int k, int d) {
    float[] cn = new float[k];
    for (int c = 0; c < k; c++) cn[c] = rows.dot(codebook, c * d, codebook, c * d, d);
    int blocks = (n + BLOCK - 1) / BLOCK;
    par.forRange(blocks, 2L * BLOCK * k * d, (lo, hi) -> {
      float[] dots = new float[BLOCK * k];
      for (int blk = lo; blk < hi; blk++) {
        int r0 = blk * BLOCK, nb = Math.min(BLOCK, n - r0);
        // dots[nb, k] = x[r0:r0+nb] @ codebook^T, with -2 folded into alpha.
        serialGemm.gemm(false, true, 1, nb, k, d, -2f, x, r0 * d, 0, d, codebook, 0, 0, d, 0f, dots, 0, 0, k);
        for (int r = 0; r < nb; r++) {
          int o = r * k, arg = 0;
          float best = Float.POSITIVE_INFINITY;
          for (int c = 0; c < k; c++) {
            float s = dots[o + c] + cn[c];
            if (s < best) {
              best = s;
              arg = c;
            }
          }
          int row = r0 + r;
          idx[row] = arg;
          if (dist != null) {
            float acc = 0;
            for (int j = 0; j < d; j++) {
              float diff = x[row * d + j] - codebook[arg * d + j];
              acc += diff * diff;
            }
            dist[row] = acc;
          }
        }
      }
    });
  }
}
