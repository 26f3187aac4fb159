package org.cartengine.engine.backend.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Embedding lookup (gather rows of a table) and its backward (scatter-add rows into the table's
 * gradient). The backward splits the columns, not the rows, over the threads: repeated indices then
 * add into the same row from one thread only, so no locks are needed.
 */
final class EmbeddingF32 {
  private static final VectorSpecies<Float> S = Vec.F;
  private static final int L = Vec.L;

  private final boolean simd;
  private final Parallel par;

  EmbeddingF32(boolean simd, Parallel par) {
    this.simd = simd;
    this.par = par;
  }

  void gather(float[] table, int[] idx, float[] out, int n, int dim, int vocab) {
    par.forRange(n, dim, (lo, hi) -> {
      for (int k = lo; k < hi; k++) {
        int row = idx[k];
        if (row < 0 || row >= vocab) throw new IndexOutOfBoundsException("gather: index " + row + " at position " + k + " outside [0, " + vocab + ")");
        System.arraycopy(table, row * dim, out, k * dim, dim);
      }
    });
  }

  void scatterAdd(float[] dout, int[] idx, float[] dtable, int n, int dim, int vocab) {
    for (int k = 0; k < n; k++) {
      if (idx[k] < 0 || idx[k] >= vocab) throw new IndexOutOfBoundsException("scatterAdd: index " + idx[k] + " at position " + k + " outside [0, " + vocab + ")");
    }
    int slices = Math.max(1, Math.min(par.threads, dim / Math.max(L, 32)));
    par.forRange(slices, (long) n * dim / slices, (lo, hi) -> {
      for (int sl = lo; sl < hi; sl++) {
        int c0 = dim * sl / slices, c1 = dim * (sl + 1) / slices;
        for (int k = 0; k < n; k++) {
          int src = k * dim, dst = idx[k] * dim, j = c0;
          if (simd) {
            for (int end = c0 + (c1 - c0) / L * L; j < end; j += L)
              FloatVector.fromArray(S, dout, src + j).add(FloatVector.fromArray(S, dtable, dst + j)).intoArray(dtable, dst + j);
          }
          for (; j < c1; j++) dtable[dst + j] += dout[src + j];
        }
      }
    });
  }
}
