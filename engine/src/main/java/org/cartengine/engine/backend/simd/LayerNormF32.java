package org.cartengine.engine.backend.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Layer norm over the last axis, forward and backward. The forward takes the mean, then the variance
 * around it (two passes: no cancellation), and saves mean and rstd per row. The backward writes dx
 * per row and sums dgamma, dbeta over rows in one partial array per chunk of rows, added at the end,
 * so the rows can be split over the threads without races.
 */
final class LayerNormF32 {
  private static final VectorSpecies<Float> S = Vec.F;
  private static final int L = Vec.L;

  private final boolean simd;
  private final Parallel par;
  private final SoftmaxF32 rows;

  LayerNormF32(boolean simd, Parallel par, SoftmaxF32 rows) {
    this.simd = simd;
    this.par = par;
    this.rows = rows;
  }

  private int end(int n) {
    return simd ? n / L * L : 0;
  }

  void forward(float[] x, float[] gamma, float[] beta, float[] y, float[] mean, float[] rstd, int nrows, int cols, float eps) {
    par.forRange(nrows, 6L * cols, (lo, hi) -> {
      for (int r = lo; r < hi; r++) {
        int o = r * cols, e = end(cols);
        float mu = rows.sum(x, o, cols) / cols;
        float var = 0;
        int j = 0;
        if (e > 0) {
          FloatVector acc = FloatVector.zero(S);
          for (; j < e; j += L) {
            FloatVector d = FloatVector.fromArray(S, x, o + j).sub(mu);
            acc = d.fma(d, acc);
          }
          var = acc.reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
        }
        for (; j < cols; j++) var += (x[o + j] - mu) * (x[o + j] - mu);
        float rs = (float) (1 / Math.sqrt(var / cols + eps));
        for (j = 0; j < e; j += L) {
          FloatVector xh = FloatVector.fromArray(S, x, o + j).sub(mu).mul(rs);
          xh.fma(FloatVector.fromArray(S, gamma, j), FloatVector.fromArray(S, beta, j)).intoArray(y, o + j);
        }
        for (; j < cols; j++) y[o + j] = (x[o + j] - mu) * rs * gamma[j] + beta[j];
        mean[r] = mu;
        rstd[r] = rs;
      }
    });
  }

  /** dx = rstd * (g - mean(g) - xhat * mean(g * xhat)) with g = dy * gamma; dgamma = sum dy*xhat; dbeta = sum dy. */
  void backward(float[] x, float[] gamma, float[] mean, float[] rstd, float[] dy, float[] dx, float[] dgamma, float[] dbeta, int nrows, int cols) {
    int chunks = (int) Math.max(1, Math.min(par.threads, (long) nrows * cols * 10 / Parallel.MIN_WORK));
    chunks = Math.min(chunks, Math.max(1, nrows));
    float[][] pg = new float[chunks][cols], pb = new float[chunks][cols];
    int nchunks = chunks;
    par.forRange(chunks, Parallel.MIN_WORK, (clo, chi) -> {
      for (int c = clo; c < chi; c++) {
        int r0 = (int) ((long) nrows * c / nchunks), r1 = (int) ((long) nrows * (c + 1) / nchunks);
        float[] dg = pg[c], db = pb[c];
        for (int r = r0; r < r1; r++) rowBackward(x, gamma, mean[r], rstd[r], dy, dx, dg, db, r * cols, cols);
      }
    });
    java.util.Arrays.fill(dgamma, 0, cols, 0f);
    java.util.Arrays.fill(dbeta, 0, cols, 0f);
    for (int c = 0; c < chunks; c++) {
      for (int j = 0; j < cols; j++) {
        dgamma[j] += pg[c][j];
        dbeta[j] += pb[c][j];
      }
    }
  }

  private void rowBackward(float[] x, float[] gamma, float mu, float rs, float[] dy, float[] dx, float[] dg, float[] db, int o, int cols) {
    int e = end(cols), j = 0;
    float sumG = 0, sumGX = 0;
    if (e > 0) {
      FloatVector ag = FloatVector.zero(S), agx = FloatVector.zero(S);
      for (; j < e; j += L) {
        FloatVector xh = FloatVector.fromArray(S, x, o + j).sub(mu).mul(rs);
        FloatVector d = FloatVector.fromArray(S, dy, o + j);
        FloatVector g = d.mul(FloatVector.fromArray(S, gamma, j));
        ag = ag.add(g);
        agx = g.fma(xh, agx);
        d.fma(xh, FloatVector.fromArray(S, dg, j)).intoArray(dg, j);
        d.add(FloatVector.fromArray(S, db, j)).intoArray(db, j);
      }
      sumG = ag.reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
      sumGX = agx.reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }
    for (; j < cols; j++) {
      float xh = (x[o + j] - mu) * rs, g = dy[o + j] * gamma[j];
      sumG += g;
      sumGX += g * xh;
      dg[j] += dy[o + j] * xh;
      db[j] += dy[o + j];
    }
    float mg = sumG / cols, mgx = sumGX / cols;
    for (j = 0; j < e; j += L) {
      FloatVector xh = FloatVector.fromArray(S, x, o + j).sub(mu).mul(rs);
      FloatVector g = FloatVector.fromArray(S, dy, o + j).mul(FloatVector.fromArray(S, gamma, j));
      g.sub(mg).sub(xh.mul(mgx)).mul(rs).intoArray(dx, o + j);
    }
    for (; j < cols; j++) {
      float xh = (x[o + j] - mu) * rs, g = dy[o + j] * gamma[j];
      dx[o + j] = rs * (g - mg - xh * mgx);
    }
  }
}
