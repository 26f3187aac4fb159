package org.cartengine.cart.enhance;

/**
 * Settings of caption enhancement.
 *
 * @param neighbours k, the neighbours whose train texts are transferred to an item
 * @param perItem the most pseudo-queries each method adds to one item
 * @param seed seeds the choice among recombination and WordNet candidates (neighbour transfer has no randomness)
 * @param transfer run caption transfer from neighbours (source "neighbour-transfer")
 * @param recombination run word-set recombination (source "recombination")
 * @param wordnet run WordNet synonym/hypernym rewriting (source "wordnet")
 * @param maxExactItems the exact neighbour search is O(N^2 D): above this many items transfer refuses to run
 * @param uncaptionedOnly only items without a train caption get pseudo-queries (the others keep exactly their own)
 */
public record EnhanceConfig(int neighbours, int perItem, long seed, boolean transfer, boolean recombination,
    boolean wordnet, int maxExactItems, boolean uncaptionedOnly) {

  /**
   * 100,000 items: 10^10 pairs, 1.3 x 10^13 multiply-adds at D = 1280. The search ran at about 2.5 x 10^9
   * multiply-adds/s on the SIMD backend with two shared cores (emoji dataset, 1911 x 1911 x 1280 in 1.9 s), so the
   * cap is over an hour on such a CPU; on a GPU backend the GEMM is seconds and the host-side screening of 10^10
   * scores dominates (not measured). Beyond the cap an approximate index would be the tool; the project has none.
   */
  public static final int DEFAULT_MAX_EXACT_ITEMS = 100_000;

  /** k = 10 neighbours, 3 pseudo-queries per item and method, seed 0, all three methods. */
  public static final EnhanceConfig DEFAULT = new EnhanceConfig(10, 3, 0, true, true, true, DEFAULT_MAX_EXACT_ITEMS, false);

  /**
   * What {@code train} does by default: neighbour transfer for the items without a train caption only, so that the
   * retriever is trained on a {@code <query, identifier>} pair of every item in the corpus (an identifier never seen as
   * a target is one the decoder does not learn to generate). Items with captions keep exactly their own.
   */
  public static final EnhanceConfig UNCAPTIONED = DEFAULT.withMethods(true, false, false).withUncaptionedOnly(true);

  /** Backwards-compatible constructor: every item is enhanced. */
  public EnhanceConfig(int neighbours, int perItem, long seed, boolean transfer, boolean recombination, boolean wordnet,
      int maxExactItems) {
    this(neighbours, perItem, seed, transfer, recombination, wordnet, maxExactItems, false);
  }

  public EnhanceConfig {
    if (neighbours < 1) throw new IllegalArgumentException("neighbours must be >= 1, got " + neighbours);
    if (perItem < 0) throw new IllegalArgumentException("perItem must be >= 0, got " + perItem);
    if (maxExactItems < 0) throw new IllegalArgumentException("maxExactItems must be >= 0, got " + maxExactItems);
  }

  public EnhanceConfig withNeighbours(int k) {
    return new EnhanceConfig(k, perItem, seed, transfer, recombination, wordnet, maxExactItems, uncaptionedOnly);
  }

  public EnhanceConfig withPerItem(int n) {
    return new EnhanceConfig(neighbours, n, seed, transfer, recombination, wordnet, maxExactItems, uncaptionedOnly);
  }

  public EnhanceConfig withSeed(long s) {
    return new EnhanceConfig(neighbours, perItem, s, transfer, recombination, wordnet, maxExactItems, uncaptionedOnly);
  }

  /** Which methods run. */
  public EnhanceConfig withMethods(boolean transfer, boolean recombination, boolean wordnet) {
    return new EnhanceConfig(neighbours, perItem, seed, transfer, recombination, wordnet, maxExactItems, uncaptionedOnly);
  }

  public EnhanceConfig withMaxExactItems(int n) {
    return new EnhanceConfig(neighbours, perItem, seed, transfer, recombination, wordnet, n, uncaptionedOnly);
  }

  public EnhanceConfig withUncaptionedOnly(boolean only) {
    return new EnhanceConfig(neighbours, perItem, seed, transfer, recombination, wordnet, maxExactItems, only);
  }
}
