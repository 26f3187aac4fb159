package org.cartengine.cart.ids;

/**
 * Every item's identifier (k, v1, ..., vM, u) as a row of tokens (paper section 3.2), the vocabulary
 * size of each position, and the prefix trie over them. Items are indexed as rows of the dataset.
 */
public final class Identifiers {
  private final int[] tokens;
  private final int n;
  private final int length;
  private final int[] vocab;
  private final PrefixTrie trie;

  public Identifiers(int[] tokens, int n, int length, int[] vocab) {
    this(checked(tokens, n, length, vocab).clone(), n, length, vocab.clone(), null);
  }

  private Identifiers(int[] tokens, int n, int length, int[] vocab, PrefixTrie trie) {
    this.tokens = tokens;
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
    int[] all = java.util.Arrays.copyOf(tokens, (n + m) * length);
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
    return tokens[item * length + pos];
  }

  public int[] tokens(int item) {
    return java.util.Arrays.copyOfRange(tokens, item * length, item * length + length);
  }

  /** All tokens, row-major n x length (a copy). */
  public int[] all() {
    return tokens.clone();
  }

  public PrefixTrie trie() {
    return trie;
  }
}
