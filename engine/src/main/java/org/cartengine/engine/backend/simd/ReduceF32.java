package org.cartengine.engine.backend.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.cartengine.engine.backend.ReduceOp;

/**
 * Reductions of x viewed as [outer, len, inner] over its middle axis. SUM with inner == 1 (rows)
 * sums each row in vector lanes; with inner > 1 it adds whole [inner] slices, vectorised along
 * inner, and splits inner over the threads when outer is small (the bias-gradient case: outer 1).
 * MAX (with first-maximum argmax) and its backward are scalar loops on float arrays.
 */
final class ReduceF32 {
  private static final VectorSpecies<Float> S = Vec.F;
  private static final int L = Vec.L;

  private final boolean simd;
  private final Parallel par;

  ReduceF32(boolean simd, Parallel par) {
    this.simd = simd;
    this.par = par;
  }

  void reduce(ReduceOp op, float[] x, float[] out, int[] argmax, int outer, int len, int inner) {
    if (op == ReduceOp.MAX) {
      par.forRange(outer * inner, len, (lo, hi) -> {
        for (int e = lo; e < hi; e++) {
          int o = e / inner, i = e % inner, base = o * len * inner + i;
          float best = len == 0 ? Float.NEGATIVE_INFINITY : x[base];
          int arg = 0;
          for (int l = 1; l < len; l++) {
            float v = x[base + l * inner];
            if (v > best) {
              best = v;
              arg = l;
            }
          }
          out[e] = best;
          if (argmax != null) argmax[e] = arg;
        }
      });
      return;
    }
    if (inner == 1) {
      par.forRange(outer, len, (lo, hi) -> {
        for (int o = lo; o < hi; o++) out[o] = sum(x, o * len, len);
      });
      return;
    }
    // Column sums: split inner into vector-aligned slices so outer == 1 still uses every thread.
    int slices = Math.max(1, Math.min(par.threads, inner / Math.max(L, 64)));
    par.forRange(outer * slices, (long) len * inner / slices, (lo, hi) -> {
      for (int t = lo; t < hi; t++) {
        int o = t / slices, sl = t % slices;
        int i0 = (int) ((long) inner * sl / slices), i1 = (int) ((long) inner * (sl + 1) / slices);
        int ob = o * inner;
        java.util.Arrays.fill(out, ob + i0, ob + i1, 0f);
        for (int l = 0; l < len; l++) {
          int xb = (o * len + l) * inner;
          int i = i0;
          if (simd) {
            for (int end = i0 + (i1 - i0) / L * L; i < end; i += L)
              FloatVector.fromArray(S, x, xb + i).add(FloatVector.fromArray(S, out, ob + i)).intoArray(out, ob + i);
          }
          for (; i < i1; i++) out[ob + i] += x[xb + i];
        }
      }
    });
  }

  /** Sum of x[off, off+n) with four vector accumulators. */
  float sum(float[] x, int off, int n) {
    int i = 0;
    float s = 0;
    if (simd && n >= L) {
      FloatVector a0 = FloatVector.zero(S), a1 = FloatVector.zero(S), a2 = FloatVector.zero(S), a3 = FloatVector.zero(S);
      for (int end = n / (4 * L) * (4 * L); i < end; i += 4 * L) {
        a0 = a0.add(FloatVector.fromArray(S, x, off + i));
        a1 = a1.add(FloatVector.fromArray(S, x, off + i + L));
        a2 = a2.add(FloatVector.fromArray(S, x, off + i + 2 * L));
        a3 = a3.add(FloatVector.fromArray(S, x, off + i + 3 * L));
      }
      for (int end = n / L * L; i < end; i += L) a0 = a0.add(FloatVector.fromArray(S, x, off + i));
      s = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
    }
    for (; i < n; i++) s += x[off + i];
    return s;
  }

  void maxBackward(float[] dout, int[] argmax, float[] dx, int outer, int len, int inner) {
    par.forRange(outer, (long) len * inner, (lo, hi) -> {
      java.util.Arrays.fill(dx, lo * len * inner, hi * len * inner, 0f);
      for (int o = lo; o < hi; o++) {
        for (int i = 0; i < inner; i++) {
          int e = o * inner + i;
          dx[(o * len + argmax[e]) * inner + i] = dout[e];
        }
      }
    });
  }
}
