package org.cartengine.cart.search;

/**
 * A score added to the log-probability of every trie node a beam enters, beyond the retriever's own (beam search guided
 * by an embedding space; see {@link CaptionPrior}).
 */
public interface BeamPrior {
  /** The score of entering trie node {@code node} for query {@code query} (its row in the batch being searched). */
  double score(int query, int node);
}
