package org.cartengine.engine.backend.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Fused scaled dot-product attention, forward and backward, one (batch, head) at a time and the
 * heads split over the threads (each head writes only its own slices of out, dq, dk, dv).
 *
 * <p>CART's heads are small (T up to 32, D 16 to 64), so every product in a head is one loop shape,
 * a row vector times a row-major matrix ({@link #vecMat}), with no horizontal reductions: K (and V
 * for the backward) are transposed into [D, Tk] scratch so that a score row s = q_i K^T is D
 * broadcast-FMAs over vectors of keys, and an output row o_i = sum_j p_ij v_j is Tk broadcast-FMAs
 * over vectors of channels. As the reference does, the backward recomputes the probabilities from
 * the saved log-sum-exp.
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

  /**
   * y[yo, yo+w) = sum over r < rows of x[xo + r] * m[mo + r*ld, +w): a row vector times a matrix whose
   * rows are contiguous. Four vector accumulators run side by side over w so the FMA chains overlap;
   * the score rows (q K^T), output rows (p V) and every gradient row of the backward are this loop.
   */
  private void vecMat(float[] x, int xo, int rows, float[] m, int mo, int ld, int w, float[] y, int yo) {
    vecMat(x, xo, rows, m, mo, ld, w, y, yo, 1f);
  }

  /** As above, times f as it is stored (the softmax's 1 / sum, with no second pass over y). */
  private void vecMat(float[] x, int xo, int rows, float[] m, int mo, int ld, int w, float[] y, int yo, float f) {
    int c = 0;
    if (simd) {
      for (; c + 4 * L <= w; c += 4 * L) {
        FloatVector a0 = FloatVector.zero(S), a1 = FloatVector.zero(S), a2 = FloatVector.zero(S), a3 = FloatVector.zero(S);
        for (int r = 0; r < rows; r++) {
          FloatVector xr = FloatVector.broadcast(S, x[xo + r]);
          int base = mo + r * ld + c;
          a0 = FloatVector.fromArray(S, m, base).fma(xr, a0);
          a1 = FloatVector.fromArray(S, m, base + L).fma(xr, a1);
          a2 = FloatVector.fromArray(S, m, base + 2 * L).fma(xr, a2);
          a3 = FloatVector.fromArray(S, m, base + 3 * L).fma(xr, a3);
        }
        a0.mul(f).intoArray(y, yo + c);
        a1.mul(f).intoArray(y, yo + c + L);
        a2.mul(f).intoArray(y, yo + c + 2 * L);
        a3.mul(f).intoArray(y, yo + c + 3 * L);
      }
      for (; c + L <= w; c += L) {
        FloatVector a0 = FloatVector.zero(S);
        for (int r = 0; r < rows; r++) a0 = FloatVector.fromArray(S, m, mo + r * ld + c).fma(FloatVector.broadcast(S, x[xo + r]), a0);
        a0.mul(f).intoArray(y, yo + c);
      }
    }
    for (; c < w; c++) {
      float acc = 0;
      for (int r = 0; r < rows; r++) acc += x[xo + r] * m[mo + r * ld + c];
      y[yo + c] = acc * f;
    }
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

  /** p[j] = exp(a * s[j] - shift) over [0, tkp) (masked scores are -inf and give 0; a > 0); returns the sum. */
  private float expShift(float[] s, int o, int tkp, float a, float shift) {
    int j = 0, e = end(tkp);
    float sum = 0;
    if (e > 0) {
      FloatVector acc = FloatVector.zero(S);
      for (; j < e; j += L) {
        FloatVector p = FloatVector.fromArray(S, s, o + j).mul(a).sub(shift).lanewise(VectorOperators.EXP);
        p.intoArray(s, o + j);
        acc = acc.add(p);
      }
      sum = acc.reduceLanes(VectorOperators.ADD);
    }
    for (; j < tkp; j++) {
      s[o + j] = (float) Math.exp(a * s[o + j] - shift);
      sum += s[o + j];
    }
    return sum;
  }

  /** Sets masked (and padding) keys of a score row to -inf; returns the maximum over the allowed ones. */
  private static float mask(float[] s, int o, int[] pad, int b, int i, int tq, int tk, int tkp, boolean causal) {
    float max = Float.NEGATIVE_INFINITY;
    for (int j = 0; j < tkp; j++) {
      if (j >= tk || !allowed(pad, b, tk, i, j, tq, causal)) s[o + j] = Float.NEGATIVE_INFINITY;
      else max = Math.max(max, s[o + j]);
    }
    return max;
  }

  /** Query rows per head below which scores are dot products with the keys in place: transposing K pays only over several rows. */
  private static final int DOT_ROWS = 4;

  void forward(float[] q, float[] k, float[] v, int[] pad, float[] out, float[] lse, int batch, int heads, int tq, int tk, int d, float scale, boolean causal) {
    int tkp = padded(tk);
    boolean dots = tq < DOT_ROWS;
    par.forRange(batch * heads, 4L * tq * tk * d, (lo, hi) -> {
      float[] kT = dots ? null : new float[d * tkp], s = new float[tkp];
      for (int bh = lo; bh < hi; bh++) {
        int b = bh / heads, qo = bh * tq * d, ko = bh * tk * d;
        if (!dots) transpose(k, ko, tk, d, kT, tkp);
        for (int i = 0; i < tq; i++) {
          int oi = qo + i * d;
          if (dots) for (int j = 0; j < tk; j++) s[j] = dot(q, oi, k, ko + j * d, d);
          else vecMat(q, oi, d, kT, 0, tkp, tkp, s, 0);
          // Raw scores q.k: the scale is applied inside the exponential (it is positive, so the maximum is the same key).
          float max = mask(s, 0, pad, b, i, tq, tk, tkp, causal);
          if (max == Float.NEGATIVE_INFINITY) {
            java.util.Arrays.fill(out, oi, oi + d, 0f);
            lse[bh * tq + i] = Float.NEGATIVE_INFINITY;
            continue;
          }
          float sum = expShift(s, 0, tkp, scale, max * scale);
          // Unnormalised p times V, then one division per channel instead of one per key.
          vecMat(s, 0, tk, v, ko, d, d, out, oi, 1 / sum);
          lse[bh * tq + i] = max * scale + (float) Math.log(sum);
        }
      }
    });
  }

  /**
   * Per head: P = exp(S - lse) and dS = P * (dO V^T - D) * scale as [Tq, Tk] matrices, then
   * dQ = dS K, dV = P^T dO, dK = dS^T Q, each row a {@link #vecMat}. Masked keys have P = 0 and
   * dS = 0, so they get exactly zero gradient.
   */
  void backward(float[] q, float[] k, float[] v, int[] pad, float[] out, float[] lse, float[] dout,
      float[] dq, float[] dk, float[] dv, int batch, int heads, int tq, int tk, int d, float scale, boolean causal) {
    int tkp = padded(tk);
    par.forRange(batch * heads, 10L * tq * tk * d, (lo, hi) -> {
      float[] kT = new float[d * tkp], vT = new float[d * tkp], p = new float[tq * tkp], ds = new float[tq * tkp];
      float[] pT = new float[tk * tq], dsT = new float[tk * tq], dp = new float[tkp];
      for (int bh = lo; bh < hi; bh++) {
        int b = bh / heads, qo = bh * tq * d, ko = bh * tk * d;
        transpose(k, ko, tk, d, kT, tkp);
        transpose(v, ko, tk, d, vT, tkp);
        for (int i = 0; i < tq; i++) {
          int oi = qo + i * d, pi = i * tkp;
          float l = lse[bh * tq + i];
          if (l == Float.NEGATIVE_INFINITY) {
            java.util.Arrays.fill(p, pi, pi + tkp, 0f);
            java.util.Arrays.fill(ds, pi, pi + tkp, 0f);
            continue;
          }
          vecMat(q, oi, d, kT, 0, tkp, tkp, p, pi);
          mask(p, pi, pad, b, i, tq, tk, tkp, causal);
          expShift(p, pi, tkp, scale, l);
          // dp_j = dout_i . v_j; D_i = dout_i . out_i is the softmax backward's row term.
          vecMat(dout, oi, d, vT, 0, tkp, tkp, dp, 0);
          float di = dot(dout, oi, out, oi, d);
          for (int j = 0; j < tkp; j++) ds[pi + j] = p[pi + j] * (dp[j] - di) * scale;
        }
        for (int i = 0; i < tq; i++) vecMat(ds, i * tkp, tk, k, ko, d, d, dq, qo + i * d);
        for (int i = 0; i < tq; i++) {
          for (int j = 0; j < tk; j++) {
            pT[j * tq + i] = p[i * tkp + j];
            dsT[j * tq + i] = ds[i * tkp + j];
          }
        }
        for (int j = 0; j < tk; j++) {
          vecMat(pT, j * tq, tq, dout, qo, d, d, dv, ko + j * d);
          vecMat(dsT, j * tq, tq, q, qo, d, d, dk, ko + j * d);
        }
      }
    });
  }
}
