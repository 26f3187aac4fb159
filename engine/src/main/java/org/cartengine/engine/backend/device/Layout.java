package org.cartengine.engine.backend.device;

import java.util.ArrayList;
import java.util.List;

/**
 * A strided index space over two operands (a, b), reduced to the fewest axes: size-1 axes are dropped and
 * neighbouring axes merged where both operands are contiguous across them. Merging preserves the row-major
 * order of elements, so an output indexed by the linear element number stays correct. The kernels take it as
 * the {@code layout8} struct of common.h: {rank, shape[8], sa[8], sb[8]}; spaces that still have more than 8
 * axes are split over their leading axes into several launches ({@link #blocks}).
 */
final class Layout {
  static final int MAX_RANK = 8;

  final int[] shape;
  final int[] sa;
  final int[] sb;

  private Layout(int[] shape, int[] sa, int[] sb) {
    this.shape = shape;
    this.sa = sa;
    this.sb = sb;
  }

  static Layout of(int[] shape, int[] sa, int[] sb) {
    if (sa.length != shape.length || sb.length != shape.length)
      throw new IllegalArgumentException("strides of rank " + sa.length + "/" + sb.length + " for a shape of rank " + shape.length);
    List<int[]> dims = new ArrayList<>();
    for (int d = 0; d < shape.length; d++) if (shape[d] != 1) dims.add(new int[] {shape[d], sa[d], sb[d]});
    if (dims.isEmpty()) return new Layout(new int[] {1}, new int[] {0}, new int[] {0});
    List<int[]> merged = new ArrayList<>();
    int[] cur = dims.get(dims.size() - 1).clone();
    for (int d = dims.size() - 2; d >= 0; d--) {
      int[] prev = dims.get(d);
      if (prev[1] == cur[1] * cur[0] && prev[2] == cur[2] * cur[0]) {
        cur = new int[] {prev[0] * cur[0], cur[1], cur[2]};
      } else {
        merged.add(0, cur);
        cur = prev.clone();
      }
    }
    merged.add(0, cur);
    int r = merged.size();
    int[] s = new int[r], a = new int[r], b = new int[r];
    for (int i = 0; i < r; i++) {
      s[i] = merged.get(i)[0];
      a[i] = merged.get(i)[1];
      b[i] = merged.get(i)[2];
    }
    return new Layout(s, a, b);
  }

  int rank() {
    return shape.length;
  }

  long total() {
    long t = 1;
    for (int s : shape) t *= s;
    return t;
  }

  /** The layout8 struct, as 25 ints. Only valid for rank <= 8. */
  int[] struct() {
    if (rank() > MAX_RANK) throw new IllegalStateException("layout of rank " + rank() + " needs splitting");
    int[] st = new int[1 + 3 * MAX_RANK];
    st[0] = rank();
    for (int i = 0; i < rank(); i++) {
      st[1 + i] = shape[i];
      st[1 + MAX_RANK + i] = sa[i];
      st[1 + 2 * MAX_RANK + i] = sb[i];
    }
    return st;
  }

  /** One launchable piece: a layout of rank <= 8 and the offsets of its first element in a, b and the linear order. */
  record Block(Layout layout, int offA, int offB, int offLinear) {}

  interface BlockVisitor {
    void visit(Block block);
  }

  /** Visits this space as pieces of rank <= 8 (one piece unless it has more axes), in row-major order. */
  void blocks(BlockVisitor v) {
    if (rank() <= MAX_RANK) {
      v.visit(new Block(this, 0, 0, 0));
      return;
    }
    int lead = rank() - MAX_RANK;
    int[] inner = java.util.Arrays.copyOfRange(shape, lead, rank());
    Layout in = new Layout(inner, java.util.Arrays.copyOfRange(sa, lead, rank()), java.util.Arrays.copyOfRange(sb, lead, rank()));
    int innerTotal = (int) in.total();
    int[] idx = new int[lead];
    int outer = 1;
    for (int d = 0; d < lead; d++) outer *= shape[d];
    for (int o = 0; o < outer; o++) {
      int oa = 0, ob = 0;
      for (int d = 0; d < lead; d++) {
        oa += idx[d] * sa[d];
        ob += idx[d] * sb[d];
      }
      v.visit(new Block(in, oa, ob, o * innerTotal));
      for (int d = lead - 1; d >= 0; d--) {
        if (++idx[d] < shape[d]) break;
        idx[d] = 0;
      }
    }
  }
}
