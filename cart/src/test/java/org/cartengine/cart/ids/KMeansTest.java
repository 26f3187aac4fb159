package org.cartengine.cart.ids;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.cartengine.engine.backend.Backends;
import org.junit.jupiter.api.Test;

class KMeansTest {
  /** Blobs far apart relative to their spread: every blob must map to its own cluster, whatever the seed. */
  @Test
  void recoversWellSeparatedBlobs() {
    int blobs = 6, per = 120, dim = 8, n = blobs * per;
    Random r = new Random(3);
    float[] centres = new float[blobs * dim];
    for (int i = 0; i < centres.length; i++) centres[i] = (float) (r.nextGaussian() * 10);
    float[] x = new float[n * dim];
    int[] truth = new int[n];
    for (int i = 0; i < n; i++) {
      truth[i] = i % blobs;
      for (int j = 0; j < dim; j++) x[i * dim + j] = centres[truth[i] * dim + j] + (float) (r.nextGaussian() * 0.3);
    }
    KMeans.Options opt = new KMeans.Options(128, 200, 30, 10, 4096);
    for (long seed = 1; seed <= 3; seed++) {
      KMeans km = KMeans.fit(x, n, dim, blobs, opt, seed, Backends.get());
      int[] a = km.assign(x, n, null);
      int[] label = new int[blobs];
      java.util.Arrays.fill(label, -1);
      for (int i = 0; i < n; i++) {
        if (label[truth[i]] < 0) label[truth[i]] = a[i];
        assertEquals(label[truth[i]], a[i], "seed " + seed + ": blob " + truth[i] + " split across clusters");
      }
      Set<Integer> distinct = new HashSet<>();
      for (int l : label) distinct.add(l);
      assertEquals(blobs, distinct.size(), "seed " + seed + ": two blobs merged");
      // Each centroid sits at its blob's centre (noise std 0.3 over 120 points).
      for (int b = 0; b < blobs; b++)
        for (int j = 0; j < dim; j++) assertEquals(centres[b * dim + j], km.centroids()[label[b] * dim + j], 0.25);
    }
  }

  @Test
  void kEqualToNAndDuplicatePointsAreHandled() {
    float[] x = {1, 1, 1, 1, 1, 1, 2, 2};
    KMeans km = KMeans.fit(x, 4, 2, 4, KMeans.Options.defaults(), 7, Backends.get());
    int[] a = km.assign(x, 4, null);
    for (int i = 0; i < 4; i++) assertTrue(a[i] >= 0 && a[i] < 4);
    KMeans two = KMeans.fit(x, 4, 2, 2, KMeans.Options.defaults(), 7, Backends.get());
    int[] b = two.assign(x, 4, null);
    assertEquals(b[0], b[1]);
    assertEquals(b[0], b[2]);
    assertTrue(b[3] != b[0], "the distinct point gets its own cluster");
  }
}
