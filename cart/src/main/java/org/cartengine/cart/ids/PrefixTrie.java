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
   * Builds the trie of ids[i] (row-major, n x length). Identifiers must be distinct.
   * @throws IllegalArgumentException naming the two items when two identifiers are equal
   */
  public static PrefixTrie build(int[] ids, int n, int length) {
    if (ids.length != n * length) throw new IllegalArgumentException("PrefixTrie: " + ids.length + " tokens for " + n + " identifiers of length " + length);
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) order[i] = i;
    Arrays.sort(order, (a, b) -> Arrays.compare(ids, a * length, a * length + length, ids, b * length, b * length + length));
    int[] sorted = new int[n];
    for (int i = 0; i < n; i++) sorted[i] = order[i];
    for (int i = 1; i < n; i++) {
      int a = sorted[i - 1], b = sorted[i];
      if (Arrays.equals(ids, a * length, a * length + length, ids, b * length, b * length + length))
        throw new IllegalArgumentException("PrefixTrie: items " + a + " and " + b + " have the same identifier " + Arrays.toString(Arrays.copyOfRange(ids, a * length, a * length + length)));
    }
    // Count nodes per level: a new node at depth d starts wherever the d-prefix changes.
    int[] levelCount = new int[length + 1];
    levelCount[0] = 1;
    for (int d = 1; d <= length; d++) {
      int c = 0;
      for (int i = 0; i < n; i++) if (i == 0 || differs(ids, sorted[i - 1], sorted[i], d, length)) c++;
      levelCount[d] = c;
    }
    int internal = 0;
    for (int d = 0; d < length; d++) internal += levelCount[d];
    int total = internal + levelCount[length];
    int[] token = new int[total], first = new int[internal], count = new int[internal], leaf = new int[levelCount[length]];
    int[] levelStart = new int[length + 2];
    for (int d = 0; d <= length; d++) levelStart[d + 1] = levelStart[d] + levelCount[d];
    // Walk the sorted identifiers once per level, linking each new node to the current node one level up.
    for (int d = 1; d <= length; d++) {
      int parent = levelStart[d - 1] - 1, node = levelStart[d] - 1;
      for (int i = 0; i < n; i++) {
        int it = sorted[i];
        if (i == 0 || differs(ids, sorted[i - 1], it, d - 1, length)) parent++;
        if (i == 0 || differs(ids, sorted[i - 1], it, d, length)) {
          node++;
          token[node] = ids[it * length + d - 1];
          if (count[parent] == 0) first[parent] = node;
          count[parent]++;
          if (d == length) leaf[node - internal] = it;
        }
      }
    }
    return new PrefixTrie(length, token, first, count, leaf, internal);
  }

  private static boolean differs(int[] ids, int a, int b, int prefix, int length) {
    return !Arrays.equals(ids, a * length, a * length + prefix, ids, b * length, b * length + prefix);
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

  /** Bytes held by the arrays (what "memory per item" reports). */
  public long memoryBytes() {
    return 4L * (token.length + firstChild.length + childCount.length + leafItem.length);
  }
}
