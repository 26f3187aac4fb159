package org.cartengine.engine.backend.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Strided F32 copies (views made contiguous, slice, concat, permute, broadcast expansion). The index
 * space is simplified first ({@link Strided}), so a contiguous run becomes one arraycopy, or one
 * vector add when accumulating; anything else is a scalar loop over rows.
 */
final class CopyF32 {
  private static final VectorSpecies<Float> S = Vec.F;
  private static final int L = Vec.L;

  private final boolean simd;
  private final Parallel par;

  CopyF32(boolean simd, Parallel par) {
    this.simd = simd;
    this.par = par;
  }

  void copyStrided(float[] src, int srcOff, int[] srcStrides, float[] dst, int dstOff, int[] dstStrides, int[] shape, boolean accumulate) {
    Strided s = Strided.of(shape, srcStrides, dstStrides);
    int ss = s.step(0), ds = s.step(1), parts = s.segments(par.threads);
    par.forRange(s.rows * parts, s.inner / parts, (lo, hi) -> {
      Strided.Cursor cur = s.cursor();
      for (int t = lo; t < hi; t++) {
        int r = t / parts, j0 = s.segmentStart(t % parts, parts), n = s.segmentStart(t % parts + 1, parts) - j0;
        int[] off = cur.seek(r).off;
        int si = srcOff + off[0] + j0 * ss, di = dstOff + off[1] + j0 * ds;
        if (ss == 1 && ds == 1) {
          if (!accumulate) {
            System.arraycopy(src, si, dst, di, n);
            continue;
          }
          int j = 0;
          if (simd) {
            for (int end = n / L * L; j < end; j += L)
              FloatVector.fromArray(S, src, si + j).add(FloatVector.fromArray(S, dst, di + j)).intoArray(dst, di + j);
          }
          for (; j < n; j++) dst[di + j] += src[si + j];
        } else if (accumulate) {
          for (int j = 0; j < n; j++) dst[di + j * ds] += src[si + j * ss];
        } else {
          for (int j = 0; j < n; j++) dst[di + j * ds] = src[si + j * ss];
        }
      }
    });
  }
}
