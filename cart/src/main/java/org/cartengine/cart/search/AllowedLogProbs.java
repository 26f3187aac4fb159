package org.cartengine.cart.search;

import org.cartengine.cart.ids.PrefixTrie;

/**
 * The log-probabilities of the tokens the trie allows after one beam's prefix, from that beam's row
 * of logits (host side, on primitive arrays): each allowed token t scores logit[t] - lse, where lse
 * is the log-sum-exp over the allowed tokens ({@link BeamScoring#RENORMALISED}) or over the whole
 * vocabulary of the position ({@link BeamScoring#MASKED}).
 */
final class AllowedLogProbs {
  private AllowedLogProbs() {}

  /**
   * The normaliser lse of row logits[off .. off+vocab) for the children of node (checked to lie in the vocabulary).
   *
   * @throws IllegalStateException when node has no child or a child's token is outside the vocabulary
   */
  static double normaliser(float[] logits, int off, int vocab, PrefixTrie trie, int node, BeamScoring scoring, int position) {
    int c = trie.childCount(node);
    if (c == 0) throw new IllegalStateException("beam search: no allowed token after trie node " + node + " (position " + position + ")");
    int first = trie.child(node, 0);
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < c; i++) {
      int tok = trie.token(first + i);
      if (tok >= vocab) throw new IllegalStateException("beam search: trie token " + tok + " outside the model's vocabulary " + vocab + " at position " + position);
      max = Math.max(max, logits[off + tok]);
    }
    if (scoring == BeamScoring.MASKED) return logSumExp(logits, off, vocab);
    double sum = 0;
    for (int i = 0; i < c; i++) sum += Math.exp(logits[off + trie.token(first + i)] - max);
    return max + Math.log(sum);
  }

  /** log sum_t exp(logits[off + t]) over t in [0, n), shifted by the maximum for stability. */
  static double logSumExp(float[] logits, int off, int n) {
    double max = Double.NEGATIVE_INFINITY;
    for (int t = 0; t < n; t++) max = Math.max(max, logits[off + t]);
    double sum = 0;
    for (int t = 0; t < n; t++) sum += Math.exp(logits[off + t] - max);
    return max + Math.log(sum);
  }
}
