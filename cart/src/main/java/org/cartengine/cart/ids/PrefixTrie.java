package org.cartengine.cart.ids;

import java.util.Arrays;

/**
 * The prefix tree of all identifiers (paper section 3.5: constrained beam search only follows its
 * edges, so every decoded identifier names a real item).
 *
 * <p>Stored as flat arrays, level by level, with the children of a node contiguous and sorted by
 * token: "allowed next tokens after this prefix" is a range of {@link #token}, found in O(children).
 * Internal nodes cost 12 bytes (token, first child, child count), leaves 8 bytes (token, item).
 * Node 0 is the root.
 */
public final class PrefixTrie {
  private final int length;
  /** Token on the edge into node n (unused for the root). */
  private final int[] token;
  /** First child and number of children of internal node n (indexes < internalCount). */
  private final int[] firstChild;
  private final int[] childCount;
  /** Item of leaf node n, at leafItem[n - internalCount]. */
  private final int[] leafItem;
  private final int internalCount;

  private PrefixTrie(int length, int[] token, int[] firstChild, int[] childCount, int[] leafItem, int internalCount) {
    this.length = length;
    this.token = token;
    this.firstChild = firstChild;
    this.childCount = childCount;
    this.leafItem = leafItem;
    this.internalCount = internalCount;
  }

  /**
   * Builds the trie of ids[i] (row-major, n x length, tokens >= 0). Identifiers must be distinct.
   * O(n * length): a stable radix sort of the rows, then one pass per level.
   * @throws IllegalArgumentException naming the two items when two identifiers are equal
   */
  public static PrefixTrie build(int[] ids, int n, int length) {
    if (length < 1) throw new IllegalArgumentException("PrefixTrie: identifier length " + length + " < 1");
    if (ids.length != n * length) throw new IllegalArgumentException("PrefixTrie: " + ids.length + " tokens for " + n + " identifiers of length " + length);
    int[] all = new int[n];
    for (int i = 0; i < n; i++) all[i] = i;
    return fromSorted(ids, n, length, sortRows(ids, length, all));
  }

  /**
   * The trie of ids (n x length) where items [0, itemCount()) are this trie's items with unchanged
   * identifiers and items [itemCount(), n) are new: the new rows are sorted and merged with this
   * trie's leaves, which are already in identifier order, so growth costs O(n + m log m), not a full sort.
   */
  public PrefixTrie grow(int[] ids, int n, int length) {
    if (length != this.length) throw new IllegalArgumentException("PrefixTrie.grow: length " + length + " != " + this.length);
    if (ids.length != n * length) throw new IllegalArgumentException("PrefixTrie.grow: " + ids.length + " tokens for " + n + " identifiers of length " + length);
    int old = itemCount();
    if (n < old) throw new IllegalArgumentException("PrefixTrie.grow: " + n + " items, fewer than the " + old + " already in the trie");
    int[] fresh = new int[n - old];
    for (int i = 0; i < fresh.length; i++) fresh[i] = old + i;
    fresh = sortRows(ids, length, fresh);
    int[] merged = new int[n];
    int a = 0, b = 0, o = 0;
    while (a < old && b < fresh.length)
      merged[o++] = compareRows(ids, leafItem[a], fresh[b], length) <= 0 ? leafItem[a++] : fresh[b++];
    while (a < old) merged[o++] = leafItem[a++];
    while (b < fresh.length) merged[o++] = fresh[b++];
    return fromSorted(ids, n, length, merged);
  }

  /**
   * The given rows of ids, stably sorted by identifier. When an identifier packs into 31 bits (K = 128
   * and two codebooks of 128 leave 10 bits for u), rows are sorted as (packed identifier, row) longs,
   * one sequential pass and a primitive sort; otherwise by a least-significant-position-first radix sort.
   */
  static int[] sortRows(int[] ids, int length, int[] rows) {
    int m = rows.length;
    int[] max = new int[length];
    for (int r : rows)
      for (int p = 0; p < length; p++) {
        int t = ids[r * length + p];
        if (t < 0) throw new IllegalArgumentException("PrefixTrie: item " + r + " has negative token " + t + " at position " + p);
        if (t > max[p]) max[p] = t;
      }
    int[] bits = new int[length];
    int total = 0;
    for (int p = 0; p < length; p++) total += bits[p] = 32 - Integer.numberOfLeadingZeros(max[p]);
    if (total <= 31) {
      long[] keys = new long[m];
      for (int i = 0; i < m; i++) {
        int r = rows[i];
        long key = 0;
        for (int p = 0; p < length; p++) key = (key << bits[p]) | ids[r * length + p];
        keys[i] = (key << 32) | r;
      }
      java.util.Arrays.sort(keys);
      int[] out = new int[m];
      for (int i = 0; i < m; i++) out[i] = (int) keys[i];
      return out;
    }
    int[] cur = rows.clone(), next = new int[m];
    for (int p = length - 1; p >= 0; p--) {
      if (max[p] <= 4L * m + 1024) {
        // Counting sort: stable, O(m + max).
        int[] start = new int[max[p] + 2];
        for (int r : cur) start[ids[r * length + p] + 1]++;
        for (int t = 0; t <= max[p]; t++) start[t + 1] += start[t];
        for (int r : cur) next[start[ids[r * length + p]]++] = r;
      } else {
        // Sparse tokens: sort (token, current rank) pairs, which is stable by construction.
        long[] keys = new long[m];
        for (int i = 0; i < m; i++) keys[i] = ((long) ids[cur[i] * length + p] << 32) | i;
        java.util.Arrays.sort(keys);
        for (int i = 0; i < m; i++) next[i] = cur[(int) keys[i]];
      }
      int[] t = cur;
      cur = next;
      next = t;
    }
    return cur;
  }

  private static int compareRows(int[] ids, int a, int b, int length) {
    return Arrays.compare(ids, a * length, a * length + length, ids, b * length, b * length + length);
  }

  /** Builds the flat arrays from the rows in identifier order (sorted[i] = item of the i-th smallest identifier). */
  private static PrefixTrie fromSorted(int[] ids, int n, int length, int[] sorted) {
    // lcp[i]: length of the common prefix of the identifiers of sorted[i-1] and sorted[i]. A node at
    // depth d starts at row i exactly when lcp[i] < d.
    int[] lcp = new int[n];
    for (int i = 1; i < n; i++) {
      int a = sorted[i - 1] * length, b = sorted[i] * length, l = 0;
      while (l < length && ids[a + l] == ids[b + l]) l++;
      if (l == length)
        throw new IllegalArgumentException("PrefixTrie: items " + sorted[i - 1] + " and " + sorted[i] + " have the same identifier " + Arrays.toString(Arrays.copyOfRange(ids, a, a + length)));
      lcp[i] = l;
    }
    int[] levelCount = new int[length + 1];
    levelCount[0] = 1;
    if (n > 0) {
      for (int d = 1; d <= length; d++) levelCount[d] = 1;
      for (int i = 1; i < n; i++) for (int d = lcp[i] + 1; d <= length; d++) levelCount[d]++;
    }
    int internal = 0;
    for (int d = 0; d < length; d++) internal += levelCount[d];
    int total = internal + levelCount[length];
    int[] token = new int[total], first = new int[internal], count = new int[internal], leaf = new int[levelCount[length]];
    // One pass over the sorted rows: row i opens a node at every depth d > lcp[i], whose parent is the
    // node opened last one level up. cursor[d] is the next free node of level d (levels are contiguous).
    int[] cursor = new int[length + 1];
    for (int d = 1; d <= length; d++) cursor[d] = cursor[d - 1] + levelCount[d - 1];
    cursor[0] = 1;
    for (int i = 0; i < n; i++) {
      int it = sorted[i];
      for (int d = (i == 0 ? 0 : lcp[i]) + 1; d <= length; d++) {
        int node = cursor[d]++, parent = cursor[d - 1] - 1;
        token[node] = ids[it * length + d - 1];
        if (count[parent]++ == 0) first[parent] = node;
        if (d == length) leaf[node - internal] = it;
      }
    }
    return new PrefixTrie(length, token, first, count, leaf, internal);
  }

  public int root() {
    return 0;
  }

  /** Identifier length J. */
  public int length() {
    return length;
  }

  public int nodeCount() {
    return token.length;
  }

  public int itemCount() {
    return leafItem.length;
  }

  public boolean isLeaf(int node) {
    return node >= internalCount;
  }

  public int childCount(int node) {
    return isLeaf(node) ? 0 : childCount[node];
  }

  /** The i-th child of node (children sorted by token). */
  public int child(int node, int i) {
    return firstChild[node] + i;
  }

  /** Token on the edge into node. */
  public int token(int node) {
    return token[node];
  }

  /** The child of node reached by tok, or -1 (binary search over the sorted children). */
  public int step(int node, int tok) {
    if (isLeaf(node)) return -1;
    int lo = firstChild[node], hi = lo + childCount[node] - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int t = token[mid];
      if (t == tok) return mid;
      if (t < tok) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** Allowed next tokens after the prefix that led to node, ascending. */
  public int[] allowed(int node) {
    int c = childCount(node);
    int[] out = new int[c];
    for (int i = 0; i < c; i++) out[i] = token[firstChild[node] + i];
    return out;
  }

  /** The item of a full identifier's leaf. */
  public int item(int leaf) {
    if (!isLeaf(leaf)) throw new IllegalArgumentException("node " + leaf + " is not a leaf");
    return leafItem[leaf - internalCount];
  }

  /** The node reached by the prefix ids[off .. off+len), or -1 when no identifier starts with it. */
  public int walk(int[] ids, int off, int len) {
    int node = 0;
    for (int i = 0; i < len && node >= 0; i++) node = step(node, ids[off + i]);
    return node;
  }

  /** The item with this full identifier, or -1. */
  public int lookup(int[] id) {
    if (id.length != length) return -1;
    int node = 0;
    for (int t : id) {
      node = step(node, t);
      if (node < 0) return -1;
    }
    return item(node);
  }

  /** The flat arrays themselves (live, not copies: read only), for writing the trie to disk. */
  record Layout(int[] token, int[] firstChild, int[] childCount, int[] leafItem) {}

  Layout layout() {
    return new Layout(token, firstChild, childCount, leafItem);
  }

  /** Bytes held by the arrays (what "memory per item" reports). */
  public long memoryBytes() {
    return 4L * (token.length + firstChild.length + childCount.length + leafItem.length);
  }
}
