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
    if (vocab.length != length) throw new IllegalArgumentException("Identifiers: " + vocab.length + " vocabulary sizes for length " + length);
    for (int i = 0; i < n; i++)
      for (int j = 0; j < length; j++) {
        int t = tokens[i * length + j];
        if (t < 0 || t >= vocab[j]) throw new IllegalArgumentException("Identifiers: item " + i + " position " + j + " token " + t + " outside [0, " + vocab[j] + ")");
      }
    this.tokens = tokens.clone();
    this.n = n;
    this.length = length;
    this.vocab = vocab.clone();
    this.trie = PrefixTrie.build(this.tokens, n, length);
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
