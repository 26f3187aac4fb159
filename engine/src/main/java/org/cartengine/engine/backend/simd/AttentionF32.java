package org.cartengine.engine.backend.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.cartengine.engine.backend.Backend;

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

  // The inline exp's constants (Cephes expf). Below EXP_LO the result is 0, as Math.exp's float rounding gives.
  private static final float EXP_LO = -87.33654f, EXP_HI = 88.37626f;
  private static final float LOG2E = 1.44269504088896341f, LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
  private static final float P0 = 1.9875691500e-4f, P1 = 1.3981999507e-3f, P2 = 8.3334519073e-3f, P3 = 4.1665795894e-2f,
      P4 = 1.6666665459e-1f, P5 = 5.0000001201e-1f;
  /** 1.5 * 2^23: adding it rounds a float of magnitude below 2^22 to an integer held in the low mantissa bits. */
  private static final float ROUND = 12582912f;
  private static final int ROUND_BITS = 0x4B400000;

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

  /**
   * a . b in four independent scalar chains. For a handful of keys this beats a vector dot product: JDK 17 sums a
   * float vector's lanes one after another (Java's order of float additions), 16 dependent adds at 512 bits.
   */
  private static float scalarDot(float[] a, int ao, float[] b, int bo, int d) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int c = 0;
    for (; c + 4 <= d; c += 4) {
      s0 += a[ao + c] * b[bo + c];
      s1 += a[ao + c + 1] * b[bo + c + 1];
      s2 += a[ao + c + 2] * b[bo + c + 2];
      s3 += a[ao + c + 3] * b[bo + c + 3];
    }
    for (; c < d; c++) s0 += a[ao + c] * b[bo + c];
    return (s0 + s1) + (s2 + s3);
  }

  /** p[j] = exp(a * s[j] - shift) over [0, tkp) (masked scores are -inf and give 0; a > 0); returns the sum. */
  private float expShift(float[] s, int o, int tkp, float a, float shift) {
    int j = 0, e = end(tkp);
    if (e > 0) {
      for (; j < e; j += L) {
        // exp inline (Cephes' expf: 2^n times a degree-6 polynomial on |r| <= ln2/2, about 1 ulp): the library's EXP
        // calls a vector math stub, which at one or two vectors per score row costs more than the row's dot products.
        // Written out here rather than in a helper, so that no vector crosses a call C2 might not inline.
        FloatVector x = FloatVector.fromArray(S, s, o + j).mul(a).sub(shift);
        VectorMask<Float> zero = x.compare(VectorOperators.LT, EXP_LO);
        x = x.max(EXP_LO).min(EXP_HI);
        FloatVector t = x.fma(FloatVector.broadcast(S, LOG2E), FloatVector.broadcast(S, ROUND)); // round(x log2 e) in the low mantissa bits
        FloatVector n = t.sub(ROUND);
        FloatVector r = n.fma(FloatVector.broadcast(S, -LN2_HI), x);
        r = n.fma(FloatVector.broadcast(S, -LN2_LO), r);
        FloatVector poly = r.fma(FloatVector.broadcast(S, P0), FloatVector.broadcast(S, P1));
        poly = poly.fma(r, FloatVector.broadcast(S, P2));
        poly = poly.fma(r, FloatVector.broadcast(S, P3));
        poly = poly.fma(r, FloatVector.broadcast(S, P4));
        poly = poly.fma(r, FloatVector.broadcast(S, P5));
        poly = poly.fma(r.mul(r), r).add(1f);
        FloatVector pow2n = t.reinterpretAsInts().sub(ROUND_BITS - 127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector p = poly.mul(pow2n).blend(0f, zero);
        p.intoArray(s, o + j);
      }
    }
    for (; j < tkp; j++) s[o + j] = (float) Math.exp(a * s[o + j] - shift);
    return scalarSum(s, o, tkp); // masked keys add 0
  }

  /** x[o, o+n) summed in four scalar chains, for the reason {@link #scalarDot} gives. */
  private static float scalarSum(float[] x, int o, int n) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int i = 0;
    for (; i + 4 <= n; i += 4) {
      s0 += x[o + i];
      s1 += x[o + i + 1];
      s2 += x[o + i + 2];
      s3 += x[o + i + 3];
    }
    for (; i < n; i++) s0 += x[o + i];
    return (s0 + s1) + (s2 + s3);
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
          if (dots) for (int j = 0; j < tk; j++) s[j] = scalarDot(q, oi, k, ko + j * d, d);
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

  /** Rows of a group scored together by {@link #decode}: four score rows (and four output rows) of FMA chains overlap. */
  private static final int DECODE_ROWS = 4;

  /**
   * Backend#decodeAttention: q and out [R, H, D] in the rows' own layout, group g owning rows groupStart[g] to
   * groupStart[g + 1]; k [G, H, D, Tk] when keysTransposed (a memory read by many steps, transposed once by its owner)
   * or [G, H, Tk, D] (a cache that grows by a position per step), v [G, H, Tk, D]. A group's rows go four at a time
   * over the transposed keys: the score rows are four independent broadcast-FMA chains over D (one row alone is a chain
   * of D dependent FMAs) and the output rows four chains over Tk. A group of one row (a cache's, or the first step's)
   * takes dot products in place instead. No log-sum-exp is kept: nothing differentiates through a search.
   */
  void decode(float[] q, float[] k, float[] v, int[] pad, float[] out, int[] groupStart, int heads, int tk, int d, float scale,
      boolean keysTransposed) {
    int tkp = padded(tk), groups = groupStart.length - 1, rows = groupStart[groups];
    if (rows == 0) return;
    int wide = Backend.widestGroup(groupStart);
    par.forRange(groups * heads, 4L * Math.max(1, rows / groups) * tk * d, (lo, hi) -> {
      float[] s = new float[DECODE_ROWS * tkp];
      float[] kTs = keysTransposed || wide == 1 ? null : new float[d * tk];
      int[] row = new int[DECODE_ROWS];
      float[] inv = new float[DECODE_ROWS];
      for (int gh = lo; gh < hi; gh++) {
        int g = gh / heads, h = gh % heads, ko = gh * tk * d, first = groupStart[g], slots = groupStart[g + 1] - first;
        if (slots == 0) continue;
        if (slots == 1) {
          int oi = (first * heads + h) * d;
          for (int j = 0; j < tk; j++) s[j] = keysTransposed ? stridedDot(q, oi, k, ko + j, tk, d) : scalarDot(q, oi, k, ko + j * d, d);
          float max = mask(s, 0, pad, g, 0, 1, tk, tkp, false);
          if (max == Float.NEGATIVE_INFINITY) java.util.Arrays.fill(out, oi, oi + d, 0f);
          else vecMat(s, 0, tk, v, ko, d, d, out, oi, 1 / expShift(s, 0, tkp, scale, max * scale));
          continue;
        }
        float[] kT = k;
        int kto = ko;
        if (kTs != null) {
          for (int j = 0; j < tk; j++) for (int c = 0; c < d; c++) kTs[c * tk + j] = k[ko + j * d + c];
          kT = kTs;
          kto = 0;
        }
        for (int i0 = 0; i0 < slots; i0 += DECODE_ROWS) {
          int nb = Math.min(DECODE_ROWS, slots - i0);
          // A short last block repeats its last row: the same arithmetic, stored once.
          for (int r = 0; r < DECODE_ROWS; r++) row[r] = ((first + i0 + Math.min(r, nb - 1)) * heads + h) * d;
          scores4(q, row, d, kT, kto, tk, tkp, s);
          for (int r = 0; r < nb; r++) {
            float max = mask(s, r * tkp, pad, g, 0, 1, tk, tkp, false);
            inv[r] = max == Float.NEGATIVE_INFINITY ? 0f : 1 / expShift(s, r * tkp, tkp, scale, max * scale);
            // every key padded: p = 0 and out = 0
            if (max == Float.NEGATIVE_INFINITY) java.util.Arrays.fill(s, r * tkp, (r + 1) * tkp, 0f);
          }
          for (int r = nb; r < DECODE_ROWS; r++) {
            System.arraycopy(s, (nb - 1) * tkp, s, r * tkp, tkp);
            inv[r] = inv[nb - 1];
          }
          values4(s, tkp, tk, v, ko, d, inv, out, row, nb);
        }
      }
    });
  }

  /** a[ao, +d) . b[bo + c * stride] in four scalar chains (a query row against one column of transposed keys). */
  private static float stridedDot(float[] a, int ao, float[] b, int bo, int stride, int d) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int c = 0;
    for (; c + 4 <= d; c += 4) {
      s0 += a[ao + c] * b[bo + c * stride];
      s1 += a[ao + c + 1] * b[bo + (c + 1) * stride];
      s2 += a[ao + c + 2] * b[bo + (c + 2) * stride];
      s3 += a[ao + c + 3] * b[bo + (c + 3) * stride];
    }
    for (; c < d; c++) s0 += a[ao + c] * b[bo + c * stride];
    return (s0 + s1) + (s2 + s3);
  }

  /** s[r * tkp + j] = q_r . k_j (j < tk) for the four rows at q[row[r]], over the transposed keys kT[ko + c * tk + j]. */
  private void scores4(float[] q, int[] row, int d, float[] kT, int ko, int tk, int tkp, float[] s) {
    int j = 0;
    if (simd) {
      for (; j + L <= tk; j += L) {
        FloatVector a0 = FloatVector.zero(S), a1 = FloatVector.zero(S), a2 = FloatVector.zero(S), a3 = FloatVector.zero(S);
        int r0 = row[0], r1 = row[1], r2 = row[2], r3 = row[3];
        for (int c = 0; c < d; c++) {
          FloatVector kc = FloatVector.fromArray(S, kT, ko + c * tk + j);
          a0 = kc.fma(FloatVector.broadcast(S, q[r0 + c]), a0);
          a1 = kc.fma(FloatVector.broadcast(S, q[r1 + c]), a1);
          a2 = kc.fma(FloatVector.broadcast(S, q[r2 + c]), a2);
          a3 = kc.fma(FloatVector.broadcast(S, q[r3 + c]), a3);
        }
        a0.intoArray(s, j);
        a1.intoArray(s, tkp + j);
        a2.intoArray(s, 2 * tkp + j);
        a3.intoArray(s, 3 * tkp + j);
      }
    }
    for (; j < tk; j++) {
      float a0 = 0, a1 = 0, a2 = 0, a3 = 0;
      for (int c = 0; c < d; c++) {
        float kc = kT[ko + c * tk + j];
        a0 += q[row[0] + c] * kc;
        a1 += q[row[1] + c] * kc;
        a2 += q[row[2] + c] * kc;
        a3 += q[row[3] + c] * kc;
      }
      s[j] = a0;
      s[tkp + j] = a1;
      s[2 * tkp + j] = a2;
      s[3 * tkp + j] = a3;
    }
  }

  /** out[row[r], +d) = inv[r] * sum_j p[r * tkp + j] v_j for the first nb of the four rows. */
  private void values4(float[] p, int tkp, int tk, float[] v, int ko, int d, float[] inv, float[] out, int[] row, int nb) {
    int c = 0;
    if (simd) {
      for (; c + L <= d; c += L) {
        FloatVector a0 = FloatVector.zero(S), a1 = FloatVector.zero(S), a2 = FloatVector.zero(S), a3 = FloatVector.zero(S);
        for (int j = 0; j < tk; j++) {
          FloatVector vj = FloatVector.fromArray(S, v, ko + j * d + c);
          a0 = vj.fma(FloatVector.broadcast(S, p[j]), a0);
          a1 = vj.fma(FloatVector.broadcast(S, p[tkp + j]), a1);
          a2 = vj.fma(FloatVector.broadcast(S, p[2 * tkp + j]), a2);
          a3 = vj.fma(FloatVector.broadcast(S, p[3 * tkp + j]), a3);
        }
        a0.mul(inv[0]).intoArray(out, row[0] + c);
        if (nb > 1) a1.mul(inv[1]).intoArray(out, row[1] + c);
        if (nb > 2) a2.mul(inv[2]).intoArray(out, row[2] + c);
        if (nb > 3) a3.mul(inv[3]).intoArray(out, row[3] + c);
      }
    }
    for (; c < d; c++)
      for (int r = 0; r < nb; r++) {
        float acc = 0;
        for (int j = 0; j < tk; j++) acc += p[r * tkp + j] * v[ko + j * d + c];
        out[row[r] + c] = acc * inv[r];
      }
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
