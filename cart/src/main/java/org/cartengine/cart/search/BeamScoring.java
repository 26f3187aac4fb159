package org.cartengine.cart.search;

/**
 * How constrained beam search scores a token the trie allows (paper section 3.5 says only that the
 * search follows the trie; issue 11 measures which scoring retrieves better).
 */
public enum BeamScoring {
  /**
   * Log-softmax over the allowed children only: the probabilities are renormalised over the tokens
   * the trie allows after the prefix, so a prefix with one allowed child adds 0 to the score.
   */
  RENORMALISED,
  /**
   * Log-softmax over the position's whole vocabulary, forbidden tokens masked out: the model's own
   * probability of the token, as prefix-constrained generation usually scores.
   */
  MASKED;

  /** The scoring every command uses unless told otherwise (the winner of the README's levers table). */
  public static final BeamScoring DEFAULT = RENORMALISED;

  /** The scoring named on a command line: "renormalised" or "masked". */
  public static BeamScoring parse(String s) {
    return switch (s.toLowerCase(java.util.Locale.ROOT)) {
      case "renormalised", "renormalized" -> RENORMALISED;
      case "masked" -> MASKED;
      default -> throw new IllegalArgumentException("--scoring: unknown beam scoring '" + s + "' (known: renormalised, masked)");
    };
  }
}
