package org.cartengine.cart.search;

import java.util.List;

/** A text encoder into the item embedding space, as used by the embedding re-rank ({@link Reranker}). */
public interface QueryTower {
  /**
   * Cosine between each query and each of its candidate items; row i lines up with candidates[i]. A tower reads the
   * queries as texts or as the run's tokens, whichever it was trained on.
   */
  double[][] candidateCosines(List<String> texts, List<int[]> queries, int[][] candidates, int batch);

  /** The InfoNCE temperature the tower was trained with: cosine / temperature is its logit scale. */
  double temperature();

  /** Dot products of query row {@code row} of qv [*, dim] with the candidate rows of items [n, dim]. */
  static double[] dots(float[] qv, int row, int dim, float[] items, int[] candidates) {
    double[] out = new double[candidates.length];
    for (int j = 0; j < candidates.length; j++) {
      double d = 0;
      for (int x = 0; x < dim; x++) d += qv[row * dim + x] * items[candidates[j] * dim + x];
      out[j] = d;
    }
    return out;
  }
}
