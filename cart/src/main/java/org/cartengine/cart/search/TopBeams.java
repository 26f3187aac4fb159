package org.cartengine.cart.search;

/**
 * The best {@code capacity} expansions of one query's beams, kept in a bounded heap on primitive
 * arrays while the candidates stream past: O(candidates * log beam) and no boxing, instead of
 * collecting and sorting every candidate. Order: higher score first, ties to the lower trie node
 * (the same total order as {@link ReferenceBeamSearch}, so both keep the same beams).
 */
final class TopBeams {
  private final double[] score;
  private final int[] row;
  private final int[] node;
  private int size;

  TopBeams(int capacity) {
    if (capacity < 1) throw new IllegalArgumentException("beam search: beam width " + capacity + " < 1");
    score = new double[capacity];
    row = new int[capacity];
    node = new int[capacity];
  }

  void clear() {
    size = 0;
  }

  int size() {
    return size;
  }

  /** Offers the expansion of beam row into trie node child with the given score. */
  void offer(double s, int r, int child) {
    if (size < score.length) {
      int i = size++;
      set(i, s, r, child);
      siftUp(i);
    } else if (worse(0, s, child)) {
      set(0, s, r, child);
      siftDown(0, size);
    }
  }

  /** Orders the kept expansions best first (heap sort in place); read them with the accessors below. */
  void sortBestFirst() {
    for (int end = size - 1; end > 0; end--) {
      swap(0, end);
      siftDown(0, end);
    }
  }

  double score(int i) {
    return score[i];
  }

  int row(int i) {
    return row[i];
  }

  int node(int i) {
    return node[i];
  }

  // The heap's root is its worst entry, so a better candidate replaces it.

  /** Whether entry i ranks below (s, child). */
  private boolean worse(int i, double s, int child) {
    int c = Double.compare(score[i], s);
    return c != 0 ? c < 0 : node[i] > child;
  }

  private void siftUp(int i) {
    while (i > 0) {
      int p = (i - 1) >>> 1;
      if (!worse(i, score[p], node[p])) return;
      swap(i, p);
      i = p;
    }
  }

  private void siftDown(int i, int n) {
    while (true) {
      int l = 2 * i + 1, w = i;
      if (l < n && worse(l, score[w], node[w])) w = l;
      if (l + 1 < n && worse(l + 1, score[w], node[w])) w = l + 1;
      if (w == i) return;
      swap(i, w);
      i = w;
    }
  }

  private void set(int i, double s, int r, int child) {
    score[i] = s;
    row[i] = r;
    node[i] = child;
  }

  private void swap(int a, int b) {
    double s = score[a];
    score[a] = score[b];
    score[b] = s;
    int t = row[a];
    row[a] = row[b];
    row[b] = t;
    t = node[a];
    node[a] = node[b];
    node[b] = t;
  }
}
