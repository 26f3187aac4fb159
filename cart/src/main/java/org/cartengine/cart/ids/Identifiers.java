package org.cartengine.cart.ids;

/**
 * Every item's identifier (k, v1, ..., vM, u) as a row of tokens (paper section 3.2), the vocabulary
 * size of each position, and the prefix trie over them. Items are indexed as rows of the dataset.
 */
public final class Identifiers {
  // The table in the narrowest type every vocabulary fits (bytes for the paper's sizes: K, codebooks and u below 256):
  // at 10M items of 4 tokens that is 40 MB of served heap instead of 160. Exactly one of the three is non-null.
  private final byte[] bytes;
  private final char[] chars;
  private final int[] ints;
  private final int n;
  private final int length;
  private final int[] vocab;
  private final PrefixTrie trie;

  public Identifiers(int[] tokens, int n, int length, int[] vocab) {
    this(checked(tokens, n, length, vocab).clone(), n, length, vocab.clone(), null);
  }

  private Identifiers(int[] tokens, int n, int length, int[] vocab, PrefixTrie trie) {
    int max = 0;
    for (int v : vocab) max = Math.max(max, v);
    if (max <= 256) {
      bytes = new byte[tokens.length];
      for (int i = 0; i < tokens.length; i++) bytes[i] = (byte) tokens[i];
      chars = null;
      ints = null;
    } else if (max <= 65536) {
      chars = new char[tokens.length];
      for (int i = 0; i < tokens.length; i++) chars[i] = (char) tokens[i];
      bytes = null;
      ints = null;
    } else {
      ints = tokens;
      bytes = null;
      chars = null;
    }
    this.n = n;
    this.length = length;
    this.vocab = vocab;
    this.trie = trie != null ? trie : PrefixTrie.build(tokens, n, length);
  }

  private static int[] checked(int[] tokens, int n, int length, int[] vocab) {
    if (vocab.length != length) throw new IllegalArgumentException("Identifiers: " + vocab.length + " vocabulary sizes for length " + length);
    if (tokens.length != n * length) throw new IllegalArgumentException("Identifiers: " + tokens.length + " tokens for " + n + " identifiers of length " + length);
    for (int i = 0; i < n; i++)
      for (int j = 0; j < length; j++) {
        int t = tokens[i * length + j];
        if (t < 0 || t >= vocab[j]) throw new IllegalArgumentException("Identifiers: item " + i + " position " + j + " token " + t + " outside [0, " + vocab[j] + ")");
      }
    return tokens;
  }

  /**
   * These identifiers followed by m new ones (items size() .. size()+m-1): existing identifiers are
   * unchanged, and the trie grows by merging instead of being rebuilt from scratch. Each vocabulary
   * size becomes the larger of the old one and newVocab's (a new item may carry a larger u).
   */
  public Identifiers append(int[] newTokens, int m, int[] newVocab) {
    int[] v = vocab.clone();
    for (int j = 0; j < length; j++) v[j] = Math.max(v[j], newVocab[j]);
    checked(newTokens, m, length, v);
    int[] all = java.util.Arrays.copyOf(all(), (n + m) * length);
    System.arraycopy(newTokens, 0, all, n * length, m * length);
    return new Identifiers(all, n + m, length, v, trie.grow(all, n + m, length));
  }

  public int size() {
    return n;
  }

  /** J: tokens per identifier. */
  public int length() {
    return length;
  }

  /** Vocabulary size at each position (K for the coarse token, codebook sizes, max u + 1). */
  public int[] vocabSizes() {
    return vocab.clone();
  }

  public int token(int item, int pos) {
    return at(item * length + pos);
  }

  /** Token i of the row-major table. */
  private int at(int i) {
    return bytes != null ? bytes[i] & 0xFF : chars != null ? chars[i] : ints[i];
  }

  public int[] tokens(int item) {
    int[] t = new int[length];
    for (int j = 0; j < length; j++) t[j] = token(item, j);
    return t;
  }

  /** All tokens, row-major n x length (a copy). */
  public int[] all() {
    if (ints != null) return ints.clone();
    int[] t = new int[n * length];
    for (int i = 0; i < t.length; i++) t[i] = at(i);
    return t;
  }

  public PrefixTrie trie() {
    return trie;
  }
}
