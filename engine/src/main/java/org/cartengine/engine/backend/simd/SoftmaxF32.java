package org.cartengine.engine.backend.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The softmax family over rows [rows, cols], forward and backward: softmax, log-softmax,
 * cross-entropy on logits (with ignore index and label smoothing) and KL divergence between
 * log-probabilities. Every row is made stable by subtracting its maximum before exp; rows are split
 * over the threads, and each row pass is a vector loop with a scalar tail.
 */
final class SoftmaxF32 {
  private static final VectorSpecies<Float> S = Vec.F;
  private static final int L = Vec.L;

  private final boolean simd;
  private final Parallel par;

  SoftmaxF32(boolean simd, Parallel par) {
    this.simd = simd;
    this.par = par;
  }

  private int end(int n) {
    return simd ? n / L * L : 0;
  }

  float max(float[] x, int o, int n) {
    int j = 0, e = end(n);
    float m = Float.NEGATIVE_INFINITY;
    if (e > 0) {
      FloatVector acc = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
      for (; j < e; j += L) acc = acc.max(FloatVector.fromArray(S, x, o + j));
      m = acc.reduceLanes(VectorOperators.MAX);
    }
    for (; j < n; j++) m = Math.max(m, x[o + j]);
    return m;
  }

  /** sum_j exp(x_j - shift); with out != null also stores each exp(x_j - shift) there. */
  float sumExp(float[] x, int o, int n, float shift, float[] out) {
    int j = 0, e = end(n);
    float s = 0;
    if (e > 0) {
      FloatVector acc = FloatVector.zero(S);
      for (; j < e; j += L) {
        FloatVector v = FloatVector.fromArray(S, x, o + j).sub(shift).lanewise(VectorOperators.EXP);
        if (out != null) v.intoArray(out, o + j);
        acc = acc.add(v);
      }
      s = acc.reduceLanes(VectorOperators.ADD);
    }
    for (; j < n; j++) {
      float v = (float) Math.exp(x[o + j] - shift);
      if (out != null) out[o + j] = v;
      s += v;
    }
    return s;
  }

  /** sum_j x_j. */
  float sum(float[] x, int o, int n) {
    int j = 0, e = end(n);
    float s = 0;
    if (e > 0) {
      FloatVector acc = FloatVector.zero(S);
      for (; j < e; j += L) acc = acc.add(FloatVector.fromArray(S, x, o + j));
      s = acc.reduceLanes(VectorOperators.ADD);
    }
    for (; j < n; j++) s += x[o + j];
    return s;
  }

  /** sum_j (x_j - shift). */
  float sumShifted(float[] x, int o, int n, float shift) {
    int j = 0, e = end(n);
    float s = 0;
    if (e > 0) {
      FloatVector acc = FloatVector.zero(S);
      for (; j < e; j += L) acc = acc.add(FloatVector.fromArray(S, x, o + j).sub(shift));
      s = acc.reduceLanes(VectorOperators.ADD);
    }
    for (; j < n; j++) s += x[o + j] - shift;
    return s;
  }

  /** sum_j a_j * b_j. */
  float dot(float[] a, int ao, float[] b, int bo, int n) {
    int j = 0, e = end(n);
    float s = 0;
    if (e > 0) {
      FloatVector acc = FloatVector.zero(S);
      for (; j < e; j += L) acc = FloatVector.fromArray(S, a, ao + j).fma(FloatVector.fromArray(S, b, bo + j), acc);
      s = acc.reduceLanes(VectorOperators.ADD);
    }
    for (; j < n; j++) s += a[ao + j] * b[bo + j];
    return s;
  }

  /** x[o..o+n) = x * mul + add. */
  private void affine(float[] x, int o, int n, float mul, float add) {
    int j = 0, e = end(n);
    for (; j < e; j += L) FloatVector.fromArray(S, x, o + j).fma(mul, add).intoArray(x, o + j);
    for (; j < n; j++) x[o + j] = x[o + j] * mul + add;
  }

  void softmax(float[] x, float[] y, int rows, int cols, boolean log) {
    par.forRange(rows, 8L * cols, (lo, hi) -> {
      for (int r = lo; r < hi; r++) {
        int o = r * cols;
        float m = max(x, o, cols);
        if (log) {
          // (x - max) - log(sum), not x - lse: with logits of 1e4 the latter loses every digit.
          float logSum = (float) Math.log(sumExp(x, o, cols, m, null));
          int j = 0, e = end(cols);
          for (; j < e; j += L) FloatVector.fromArray(S, x, o + j).sub(m).sub(logSum).intoArray(y, o + j);
          for (; j < cols; j++) y[o + j] = (x[o + j] - m) - logSum;
        } else {
          float s = sumExp(x, o, cols, m, y);
          affine(y, o, cols, 1f / s, 0f);
        }
      }
    });
  }

  /** softmax: dx = y * (dy - sum(dy*y)); log-softmax: dx = dy - exp(y) * sum(dy). */
  void softmaxBackward(float[] y, float[] dy, float[] dx, int rows, int cols, boolean log) {
    par.forRange(rows, 8L * cols, (lo, hi) -> {
      for (int r = lo; r < hi; r++) {
        int o = r * cols, j = 0, e = end(cols);
        if (log) {
          float s = sum(dy, o, cols);
          for (; j < e; j += L)
            FloatVector.fromArray(S, y, o + j).lanewise(VectorOperators.EXP).mul(-s).add(FloatVector.fromArray(S, dy, o + j)).intoArray(dx, o + j);
          for (; j < cols; j++) dx[o + j] = dy[o + j] - (float) Math.exp(y[o + j]) * s;
        } else {
          float s = dot(dy, o, y, o, cols);
          for (; j < e; j += L)
            FloatVector.fromArray(S, dy, o + j).sub(s).mul(FloatVector.fromArray(S, y, o + j)).intoArray(dx, o + j);
          for (; j < cols; j++) dx[o + j] = y[o + j] * (dy[o + j] - s);
        }
      }
    });
  }

  private static void checkTarget(int t, int row, int cols) {
    if (t < 0 || t >= cols) throw new IndexOutOfBoundsException("crossEntropy: target " + t + " of row " + row + " outside [0, " + cols + ")");
  }

  /** loss[r] = -(1-eps) * logp[t] - eps/cols * sum_j logp[j]; 0 for ignored rows. */
  void crossEntropy(float[] logits, int[] targets, float[] loss, int rows, int cols, int ignoreIndex, float smoothing) {
    par.forRange(rows, 8L * cols, (lo, hi) -> {
      for (int r = lo; r < hi; r++) {
        int t = targets[r];
        if (t == ignoreIndex) {
          loss[r] = 0;
          continue;
        }
        checkTarget(t, r, cols);
        int o = r * cols;
        // Log-probabilities as (x - max) - log(sum): stable for large logits.
        float m = max(logits, o, cols);
        float logSum = (float) Math.log(sumExp(logits, o, cols, m, null));
        float logpT = (logits[o + t] - m) - logSum;
        float loss0 = -(1 - smoothing) * logpT;
        if (smoothing != 0) loss0 -= smoothing / cols * (sumShifted(logits, o, cols, m) - cols * logSum);
        loss[r] = loss0;
      }
    });
  }

  /** dlogits[r] = dloss[r] * (softmax(logits[r]) - q_r), q the smoothed one-hot; 0 for ignored rows. */
  void crossEntropyBackward(float[] logits, int[] targets, float[] dloss, float[] dlogits, int rows, int cols, int ignoreIndex, float smoothing) {
    par.forRange(rows, 8L * cols, (lo, hi) -> {
      for (int r = lo; r < hi; r++) {
        int t = targets[r], o = r * cols;
        if (t == ignoreIndex) {
          java.util.Arrays.fill(dlogits, o, o + cols, 0f);
          continue;
        }
        checkTarget(t, r, cols);
        float m = max(logits, o, cols);
        float s = sumExp(logits, o, cols, m, dlogits);
        float g = dloss[r];
        affine(dlogits, o, cols, g / s, -g * smoothing / cols);
        dlogits[o + t] -= g * (1 - smoothing);
      }
    });
  }

  /** out[r] = sum_j exp(lp) * (lp - lq). */
  void klDiv(float[] logP, float[] logQ, float[] out, int rows, int cols) {
    par.forRange(rows, 8L * cols, (lo, hi) -> {
      for (int r = lo; r < hi; r++) {
        int o = r * cols, j = 0, e = end(cols);
        float s = 0;
        if (e > 0) {
          FloatVector acc = FloatVector.zero(S);
          for (; j < e; j += L) {
            FloatVector lp = FloatVector.fromArray(S, logP, o + j);
            acc = lp.lanewise(VectorOperators.EXP).fma(lp.sub(FloatVector.fromArray(S, logQ, o + j)), acc);
          }
          s = acc.reduceLanes(VectorOperators.ADD);
        }
        for (; j < cols; j++) s += (float) Math.exp(logP[o + j]) * (logP[o + j] - logQ[o + j]);
        out[r] = s;
      }
    });
  }

  /** dlogP = dout * p * (lp - lq + 1), dlogQ = -dout * p; either output may be null. */
  void klDivBackward(float[] logP, float[] logQ, float[] dout, float[] dlogP, float[] dlogQ, int rows, int cols) {
    par.forRange(rows, 8L * cols, (lo, hi) -> {
      for (int r = lo; r < hi; r++) {
        int o = r * cols, j = 0, e = end(cols);
        float g = dout[r];
        for (; j < e; j += L) {
          FloatVector lp = FloatVector.fromArray(S, logP, o + j);
          FloatVector gp = lp.lanewise(VectorOperators.EXP).mul(g);
          if (dlogP != null) lp.sub(FloatVector.fromArray(S, logQ, o + j)).add(1f).mul(gp).intoArray(dlogP, o + j);
          if (dlogQ != null) gp.neg().intoArray(dlogQ, o + j);
        }
        for (; j < cols; j++) {
          float gp = g * (float) Math.exp(logP[o + j]);
          if (dlogP != null) dlogP[o + j] = gp * (logP[o + j] - logQ[o + j] + 1);
          if (dlogQ != null) dlogQ[o + j] = -gp;
        }
      }
    });
  }
}
