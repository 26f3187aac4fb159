package org.cartengine.cart.data;

import java.util.List;
import java.util.Set;

/**
 * Tokenised queries with their items: training pairs &lt;query, identifier&gt; (paper section 3.5)
 * or evaluation queries with the set of items that count as hits.
 */
public record PairSet(List<int[]> queries, int[] items, List<Set<Integer>> relevant, List<String> texts) {
  public int size() {
    return queries.size();
  }
}
