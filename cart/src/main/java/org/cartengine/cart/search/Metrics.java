package org.cartengine.cart.search;

import java.util.List;
import java.util.Set;

/**
 * Recall@1/5/10 and MRR@10 (paper appendix D). A query is a hit at rank r when the item at r is one
 * of its relevant items (a query text written for several items counts for any of them).
 */
public record Metrics(double r1, double r5, double r10, double mrr10, int queries) {

  public static Metrics of(List<int[]> ranked, List<Set<Integer>> relevant) {
    if (ranked.size() != relevant.size()) throw new IllegalArgumentException("metrics: " + ranked.size() + " rankings for " + relevant.size() + " queries");
    double r1 = 0, r5 = 0, r10 = 0, mrr = 0;
    for (int i = 0; i < ranked.size(); i++) {
      int[] r = ranked.get(i);
      Set<Integer> rel = relevant.get(i);
      int first = -1;
      for (int j = 0; j < Math.min(10, r.length); j++) {
        if (rel.contains(r[j])) {
          first = j;
          break;
        }
      }
      if (first == 0) r1++;
      if (first >= 0 && first < 5) r5++;
      if (first >= 0) {
        r10++;
        mrr += 1.0 / (first + 1);
      }
    }
    int n = Math.max(1, ranked.size());
    return new Metrics(100 * r1 / n, 100 * r5 / n, 100 * r10 / n, 100 * mrr / n, ranked.size());
  }
}
