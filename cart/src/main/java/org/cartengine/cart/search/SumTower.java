package org.cartengine.cart.search;

import java.util.List;

/**
 * Several text towers as one re-rank tower: the sum of their logits cos / temperature, so each keeps its own scale.
 * Two towers that err differently (the caption matcher knows the captions' wording, the dual tower the item embeddings,
 * which places items nobody captioned) make a better judge together than either alone.
 */
public final class SumTower implements QueryTower {
  private final List<QueryTower> towers;

  public SumTower(List<QueryTower> towers) {
    if (towers.isEmpty()) throw new IllegalArgumentException("SumTower needs at least one tower");
    this.towers = List.copyOf(towers);
  }

  @Override
  public double[][] candidateCosines(List<String> texts, List<int[]> queries, int[][] candidates, int batch) {
    double[][] out = null;
    for (QueryTower t : towers) {
      double[][] c = t.candidateCosines(texts, queries, candidates, batch);
      if (out == null) out = new double[c.length][];
      for (int i = 0; i < c.length; i++) {
        if (out[i] == null) out[i] = new double[c[i].length];
        for (int j = 0; j < c[i].length; j++) out[i][j] += c[i][j] / t.temperature();
      }
    }
    return out;
  }

  /** The parts' logits are already divided by their own temperatures. */
  @Override
  public double temperature() {
    return 1.0;
  }
}
