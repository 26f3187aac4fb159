package org.cartengine.engine.backend.simd;

/**
 * An index space with one or more stride sets, simplified so that kernels loop over rows of a
 * contiguous-as-possible innermost axis: size-1 axes are dropped and neighbouring axes are merged
 * where every stride set allows it ({@code s[i] == s[i+1] * shape[i+1]}). A fully contiguous copy or
 * an elementwise op on same-shaped operands becomes one row; a bias broadcast becomes rows with an
 * inner stride of 0 or 1, which the vector loops handle.
 */
final class Strided {
  final int[] shape;
  final int[][] strides;
  final int inner;
  final int rows;

  private Strided(int[] shape, int[][] strides) {
    this.shape = shape;
    this.strides = strides;
    this.inner = shape[shape.length - 1];
    int r = 1;
    for (int i = 0; i < shape.length - 1; i++) r *= shape[i];
    this.rows = r;
  }

  static Strided of(int[] shape, int[]... strides) {
    int rank = shape.length, sets = strides.length;
    int[] sh = new int[Math.max(1, rank)];
    int[][] st = new int[sets][Math.max(1, rank)];
    int r = 0;
    for (int a = 0; a < rank; a++) {
      if (shape[a] == 1) continue;
      boolean merge = r > 0;
      for (int s = 0; s < sets && merge; s++) merge = st[s][r - 1] == strides[s][a] * shape[a];
      if (merge) {
        sh[r - 1] *= shape[a];
        for (int s = 0; s < sets; s++) st[s][r - 1] = strides[s][a];
      } else {
        sh[r] = shape[a];
        for (int s = 0; s < sets; s++) st[s][r] = strides[s][a];
        r++;
      }
    }
    for (int a = 0; a < rank; a++) if (shape[a] == 0) r = -1;
    if (r <= 0) {
      // A scalar (every axis 1) is one row of one element; an empty space is one row of none.
      int[][] one = new int[sets][1];
      return new Strided(new int[] {r == 0 ? 1 : 0}, one);
    }
    int[] fsh = java.util.Arrays.copyOf(sh, r);
    int[][] fst = new int[sets][];
    for (int s = 0; s < sets; s++) fst[s] = java.util.Arrays.copyOf(st[s], r);
    return new Strided(fsh, fst);
  }

  /**
   * How many segments to cut each row into so that a loop over rows x segments feeds every thread:
   * 1 when there are enough rows, more when a few long rows (a contiguous op is one row) would
   * leave threads idle.
   */
  int segments(int threads) {
    return rows >= threads ? 1 : Math.max(1, Math.min(threads, inner / 8192));
  }

  /** Start of segment part of a row cut into parts segments. */
  int segmentStart(int part, int parts) {
    return (int) ((long) inner * part / parts);
  }

  /** Innermost stride of a set. */
  int step(int set) {
    return strides[set][shape.length - 1];
  }

  /** A walker over the rows in order: the offsets of each stride set, without a division per row. */
  Cursor cursor() {
    return new Cursor();
  }

  /**
   * Row offsets of every stride set at the current row. {@link #seek} to the next row costs an add per
   * set (an odometer over the outer axes); any other row is computed afresh. Kernels walking rows of
   * 16 elements spent more time in per-row divisions than in the copy itself.
   */
  final class Cursor {
    final int[] off = new int[strides.length];
    private final int[] idx = new int[shape.length];
    private int row = -1;

    /** Moves to row r and returns this cursor; off[set] is then that row's offset in set. */
    Cursor seek(int r) {
      if (r == row) return this;
      if (r == row + 1 && row >= 0) {
        for (int a = shape.length - 2; a >= 0; a--) {
          idx[a]++;
          for (int s = 0; s < off.length; s++) off[s] += strides[s][a];
          if (idx[a] < shape[a]) break;
          for (int s = 0; s < off.length; s++) off[s] -= shape[a] * strides[s][a];
          idx[a] = 0;
        }
      } else {
        int rest = r;
        java.util.Arrays.fill(off, 0);
        for (int a = shape.length - 2; a >= 0; a--) {
          idx[a] = rest % shape[a];
          rest /= shape[a];
          for (int s = 0; s < off.length; s++) off[s] += idx[a] * strides[s][a];
        }
      }
      row = r;
      return this;
    }
  }
}
