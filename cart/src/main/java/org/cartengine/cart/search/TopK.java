package org.cartengine.cart.search;

/** Indices of the k largest values of a row (ties: lower index first), by a size-k min-heap. */
public final class TopK {
  private TopK() {}

  public static int[] topK(float[] v, int off, int n, int k) {
    k = Math.min(k, n);
    int[] heap = new int[k];
    int size = 0;
    for (int i = 0; i < n; i++) {
      if (size < k) {
        heap[size++] = i;
        siftUp(v, off, heap, size - 1);
      } else if (better(v, off, i, heap[0])) {
        heap[0] = i;
        siftDown(v, off, heap, size);
      }
    }
    Integer[] idx = new Integer[size];
    for (int i = 0; i < size; i++) idx[i] = heap[i];
    java.util.Arrays.sort(idx, (a, b) -> better(v, off, a, b) ? -1 : (better(v, off, b, a) ? 1 : 0));
    int[] out = new int[size];
    for (int i = 0; i < size; i++) out[i] = idx[i];
    return out;
  }

  /** a ranks before b. */
  private static boolean better(float[] v, int off, int a, int b) {
    float x = v[off + a], y = v[off + b];
    return x > y || (x == y && a < b);
  }

  private static void siftUp(float[] v, int off, int[] h, int i) {
    while (i > 0) {
      int p = (i - 1) / 2;
      if (better(v, off, h[p], h[i])) {
        int t = h[p];
        h[p] = h[i];
        h[i] = t;
        i = p;
      } else break;
    }
  }

  private static void siftDown(float[] v, int off, int[] h, int size) {
    int i = 0;
    while (true) {
      int l = 2 * i + 1, r = l + 1, w = i;
      if (l < size && better(v, off, h[w], h[l])) w = l;
      if (r < size && better(v, off, h[w], h[r])) w = r;
      if (w == i) return;
      int t = h[w];
      h[w] = h[i];
      h[i] = t;
      i = w;
    }
  }
}
