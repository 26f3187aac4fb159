package org.cartengine.cart.search;

import java.util.List;

/** A text encoder into the item embedding space, as used by the embedding re-rank ({@link Reranker}). */
public interface QueryTower {
  /** Cosine between each query and each of its candidate items; row i lines up with candidates[i]. */
  double[][] candidateCosines(List<int[]> queries, int[][] candidates, int batch);

  /** The InfoNCE temperature the tower was trained with: cosine / temperature is its logit scale. */
  double temperature();
}
