package org.cartengine.engine.backend.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Fused scaled dot-product attention, forward and backward, one (batch, head) at a time and the
 * heads split over the threads (each head writes only its own slices of out, dq, dk, dv).
 *
 * <p>CART's heads are small (T up to 32, D 16 to 64), so a head is done with two kinds of vector
 * loop and no horizontal reductions in the inner loops: K (and V for the backward) are transposed
 * into [D, Tk] scratch so that a score row s = q_i K^T is D broadcast-FMAs over a vector of keys,
 * and an output row o_i = sum_j p_ij v_j is Tk broadcast-FMAs over a vector of channels. As the
 * reference does, the backward recomputes the probabilities from the saved log-sum-exp.
 */
final class AttentionF32 {
  private static final VectorSpecies<Float> S = Vec.F;
  private static final int L = Vec.L;

  private final boolean simd;
  private final Parallel par;

  AttentionF32(boolean simd, Parallel par) {
    this.simd = simd;
    this.par = par;
  }

  private int end(int n) {
    return simd ? n / L * L : 0;
  }

  /** Keys padded to whole vectors, so score rows need no tail. */
  private int padded(int tk) {
    return simd ? (tk + L - 1) / L * L : tk;
  }

  private static boolean allowed(int[] pad, int b, int tk, int i, int j, int tq, boolean causal) {
    if (pad != null && pad[b * tk + j] == 0) return false;
    return !causal || j <= i + tk - tq;
  }

  /** xT[c, j] = x[o + j*d + c] for j < tk, 0 for the padding keys. */
  private static void transpose(float[] x, int o, int tk, int d, float[] xT, int tkp) {
    java.util.Arrays.fill(xT, 0, d * tkp, 0f);
    for (int j = 0; j < tk; j++) for (int c = 0; c < d; c++) xT[c * tkp + j] = x[o + j * d + c];
  }

  /** s[0, tkp) = scale * x_row . yT[:, j] (a row times the transposed keys). */
  private void scores(float[] x, int xo, float[] yT, int tkp, int d, float scale, float[] s) {
    java.util.Arrays.fill(s, 0, tkp, 0f);
    int e = end(tkp);
    for (int c = 0; c < d; c++) {
      float xc = x[xo + c];
      FloatVector vc = FloatVector.broadcast(S, xc);
      int base = c * tkp, j = 0;
      for (; j < e; j += L) FloatVector.fromArray(S, yT, base + j).fma(vc, FloatVector.fromArray(S, s, j)).intoArray(s, j);
      for (; j < tkp; j++) s[j] += xc * yT[base + j];
    }
    for (int j = 0; j < e; j += L) FloatVector.fromArray(S, s, j).mul(scale).intoArray(s, j);
    for (int j = e; j < tkp; j++) s[j] *= scale;
  }

  /** y[yo, yo+d) += a * x[xo, xo+d). */
  private void axpy(float a, float[] x, int xo, float[] y, int yo, int d) {
    int c = 0, e = end(d);
    FloatVector va = FloatVector.broadcast(S, a);
    for (; c < e; c += L) FloatVector.fromArray(S, x, xo + c).fma(va, FloatVector.fromArray(S, y, yo + c)).intoArray(y, yo + c);
    for (; c < d; c++) y[yo + c] += a * x[xo + c];
  }

  private float dot(float[] a, int ao, float[] b, int bo, int d) {
    int c = 0, e = end(d);
    float s = 0;
    if (e > 0) {
      FloatVector acc = FloatVector.zero(S);
      for (; c < e; c += L) acc = FloatVector.fromArray(S, a, ao + c).fma(FloatVector.fromArray(S, b, bo + c), acc);
      s = acc.reduceLanes(VectorOperators.ADD);
    }
    for (; c < d; c++) s += a[ao + c] * b[bo + c];
    return s;
  }

  /** p[j] = exp(s[j] - shift) over [0, tkp) (masked scores are -inf and give 0); returns the sum. */
  private float expShift(float[] s, int tkp, float shift) {
    int j = 0, e = end(tkp);
    float sum = 0;
    if (e > 0) {
      FloatVector acc = FloatVector.zero(S);
      for (; j < e; j += L) {
        FloatVector p = FloatVector.fromArray(S, s, j).sub(shift).lanewise(VectorOperators.EXP);
        p.intoArray(s, j);
        acc = acc.add(p);
      }
      sum = acc.reduceLanes(VectorOperators.ADD);
    }
    for (; j < tkp; j++) {
      s[j] = (float) Math.exp(s[j] - shift);
      sum += s[j];
    }
    return sum;
  }

  /** Sets masked (and padding) keys of a score row to -inf; returns the maximum over the allowed ones. */
  private static float mask(float[] s, int[] pad, int b, int i, int tq, int tk, int tkp, boolean causal) {
    float max = Float.NEGATIVE_INFINITY;
    for (int j = 0; j < tkp; j++) {
      if (j >= tk || !allowed(pad, b, tk, i, j, tq, causal)) s[j] = Float.NEGATIVE_INFINITY;
      else max = Math.max(max, s[j]);
    }
    return max;
  }

  void forward(float[] q, float[] k, float[] v, int[] pad, float[] out, float[] lse, int batch, int heads, int tq, int tk, int d, float scale, boolean causal) {
    int tkp = padded(tk);
    par.forRange(batch * heads, 4L * tq * tk * d, (lo, hi) -> {
      float[] kT = new float[d * tkp], s = new float[tkp];
      for (int bh = lo; bh < hi; bh++) {
        int b = bh / heads, qo = bh * tq * d, ko = bh * tk * d;
        transpose(k, ko, tk, d, kT, tkp);
        for (int i = 0; i < tq; i++) {
          int oi = qo + i * d;
          java.util.Arrays.fill(out, oi, oi + d, 0f);
          scores(q, oi, kT, tkp, d, scale, s);
          float max = mask(s, pad, b, i, tq, tk, tkp, causal);
          if (max == Float.NEGATIVE_INFINITY) {
            lse[bh * tq + i] = Float.NEGATIVE_INFINITY;
            continue;
          }
          float sum = expShift(s, tkp, max), inv = 1 / sum;
          for (int j = 0; j < tk; j++) if (s[j] != 0) axpy(s[j] * inv, v, ko + j * d, out, oi, d);
          lse[bh * tq + i] = max + (float) Math.log(sum);
        }
      }
    });
  }

  void backward(float[] q, float[] k, float[] v, int[] pad, float[] out, float[] lse, float[] dout,
      float[] dq, float[] dk, float[] dv, int batch, int heads, int tq, int tk, int d, float scale, boolean causal) {
    int tkp = padded(tk);
    par.forRange(batch * heads, 10L * tq * tk * d, (lo, hi) -> {
      float[] kT = new float[d * tkp], vT = new float[d * tkp], p = new float[tkp], dp = new float[tkp];
      for (int bh = lo; bh < hi; bh++) {
        int b = bh / heads, qo = bh * tq * d, ko = bh * tk * d;
        java.util.Arrays.fill(dq, qo, qo + tq * d, 0f);
        java.util.Arrays.fill(dk, ko, ko + tk * d, 0f);
        java.util.Arrays.fill(dv, ko, ko + tk * d, 0f);
        transpose(k, ko, tk, d, kT, tkp);
        transpose(v, ko, tk, d, vT, tkp);
        for (int i = 0; i < tq; i++) {
          float l = lse[bh * tq + i];
          if (l == Float.NEGATIVE_INFINITY) continue;
          int oi = qo + i * d;
          scores(q, oi, kT, tkp, d, scale, p);
          mask(p, pad, b, i, tq, tk, tkp, causal);
          expShift(p, tkp, l);
          // dp_j = dout_i . v_j; D_i = dout_i . out_i is the softmax backward's row term.
          scores(dout, oi, vT, tkp, d, 1f, dp);
          float di = dot(dout, oi, out, oi, d);
          for (int j = 0; j < tk; j++) {
            if (p[j] == 0) continue;
            float ds = p[j] * (dp[j] - di) * scale;
            int kj = ko + j * d;
            axpy(p[j], dout, oi, dv, kj, d);
            axpy(ds, k, kj, dq, oi, d);
            axpy(ds, q, oi, dk, kj, d);
          }
        }
      }
    });
  }
}
