package org.cartengine.cart.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.cartengine.cart.ids.SyntheticCorpus;
import org.cartengine.engine.backend.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lucene's HNSW against exact search on clustered unit vectors: recall, the item mapping, reopening, bad input. */
class HnswIndexTest {
  private static final int N = 3000, D = 32, NQ = 200;

  private static float[] corpus() {
    // rows N..N+NQ are held-out queries from the same distribution
    return SyntheticCorpus.generate(SyntheticCorpus.Spec.of(N + NQ, D, 7));
  }

  @Test
  void recallAgainstExactSearchGrowsWithEf(@TempDir Path dir) {
    float[] all = corpus();
    float[] queries = java.util.Arrays.copyOfRange(all, N * D, (N + NQ) * D);
    int[][] exact = ExactTopK.search(new ReferenceBackend(), queries, NQ, all, N, D, 10);
    try (HnswIndex idx = HnswIndex.build(all, N, D, HnswIndex.DEFAULT_M, HnswIndex.DEFAULT_BEAM_WIDTH, dir, null)) {
      assertEquals(N, idx.size());
      double low = ExactTopK.recall(idx.search(queries, NQ, 10, 10), exact);
      double high = ExactTopK.recall(idx.search(queries, NQ, 10, 200), exact);
      assertTrue(high >= 0.97, "recall@10 at ef 200: " + high);
      assertTrue(high >= low, "recall fell with a wider search: ef 10 " + low + ", ef 200 " + high);
    }
    // the files on disk answer the same as the index that wrote them
    try (HnswIndex reopened = HnswIndex.open(dir, D)) {
      assertTrue(ExactTopK.recall(reopened.search(queries, NQ, 10, 200), exact) >= 0.97);
    }
  }

  @Test
  void anItemIsItsOwnNearestNeighbour() {
    float[] all = corpus();
    int[] probe = {0, 1, 17, 1234, N - 1};
    float[] q = new float[probe.length * D];
    for (int i = 0; i < probe.length; i++) System.arraycopy(all, probe[i] * D, q, i * D, D);
    try (HnswIndex idx = HnswIndex.build(all, N, D, 16, 100, null, null)) {
      int[][] r = idx.search(q, probe.length, 1, 100);
      for (int i = 0; i < probe.length; i++) assertEquals(probe[i], r[i][0], "item " + probe[i] + " did not come back first");
    }
  }

  @Test
  void refusesRowsThatAreNotUnitVectors() {
    float[] v = corpus();
    for (int x = 0; x < D; x++) v[5 * D + x] *= 3;
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HnswIndex.build(v, N, D, 16, 100, null, null));
    assertTrue(e.getMessage().contains("row 5"), e.getMessage());
  }
}
