package org.cartengine.cart.ids;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.Backends;
import org.junit.jupiter.api.Test;

/** Identifier sizes scaled to the corpus, L2 normalisation and K-Means run to a fixed point. */
class IdentifierSizingTest {
  @Test
  void branchingGrowsWithTheCorpusUpToThePapers128() {
    assertEquals(8, IndexConfig.branching(1));
    assertEquals(56, IndexConfig.branching(1911));   // emoji: cbrt(64 * 1911) = 49.7
    assertEquals(128, IndexConfig.branching(31_783)); // Flickr30K: the paper's 128
    assertEquals(128, IndexConfig.branching(10_000_000));
    int prev = 0;
    for (int n = 1; n < 100_000; n = n * 3 / 2 + 1) {
      int b = IndexConfig.branching(n);
      assertTrue(b >= prev && b % 8 == 0, "n " + n + ": " + b);
      prev = b;
    }
    IndexConfig c = new IndexConfig().resolved(1911);
    assertEquals(56, c.k);
    assertEquals(56, c.codebookSize);
  }

  @Test
  void indexesWrittenBeforeNormalisationLoadWithoutIt() {
    String old = new IndexConfig().toJson().replaceAll("\\s*\"normalize\": true,", "").replaceAll(",\\s*\"kmeansLloydIterations\": 100", "")
        .replaceAll("\\s*\"kmeansLloydIterations\": 100,", "");
    assertFalse(old.contains("normalize"), old);
    IndexConfig c = IndexConfig.fromJson(old);
    assertFalse(c.normalize);
    assertEquals(0, c.kmeansLloydIterations);
    assertTrue(IndexConfig.fromJson(new IndexConfig().toJson()).normalize);
  }

  @Test
  void lloydReachesAFixedPointAndNeverRaisesTheInertia() {
    Backend be = Backends.create("reference");
    int n = 400, dim = 6, k = 7;
    Random r = new Random(3);
    float[] x = new float[n * dim];
    for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian() + (i / dim % 5) * 2;
    KMeans km = KMeans.fit(x, n, dim, k, new KMeans.Options(64, 3, 1, 0, 100), 1, be);
    double before = inertia(km, x, n);
    int iters = km.lloyd(x, n, 200);
    assertTrue(iters < 200, "converged");
    assertTrue(inertia(km, x, n) <= before + 1e-6);
    int[] a = km.assign(x, n, null);
    assertTrue(km.lloyd(x, n, 5) <= 1, "a fixed point stays one");
    org.junit.jupiter.api.Assertions.assertArrayEquals(a, km.assign(x, n, null));
  }

  private static double inertia(KMeans km, float[] x, int n) {
    float[] d = new float[n];
    km.assign(x, n, d);
    double s = 0;
    for (float v : d) s += v;
    return s;
  }
}
