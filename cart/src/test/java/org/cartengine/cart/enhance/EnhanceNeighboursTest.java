package org.cartengine.cart.enhance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.cartengine.cart.data.Embeddings;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.Backends;
import org.cartengine.engine.backend.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;

/**
 * The engine's F32 screen plus double rescoring returns exactly the neighbours of a brute-force double-precision
 * cosine search, ties (duplicates, scaled copies, zero vectors, small integer vectors) broken by the lower index, on
 * every backend available here (reference and SIMD on a CPU; CUDA and OpenCL where present).
 */
class EnhanceNeighboursTest {
  private static final Backend BE = new ReferenceBackend();
  private static final List<Backend> ALL = Backends.available().stream().map(Backends::create).toList();

  /** Brute force, written independently of NearestNeighbours: every pair, sums in double in index order, full sort. */
  static int[][] bruteForce(float[] x, int n, int d, int[] candidates, int k) {
    double[] norm = new double[n];
    for (int i = 0; i < n; i++) {
      double s = 0;
      for (int t = 0; t < d; t++) s += (double) x[i * d + t] * x[i * d + t];
      norm[i] = Math.sqrt(s);
    }
    int[][] out = new int[n][];
    for (int i = 0; i < n; i++) {
      List<double[]> all = new ArrayList<>();
      for (int j : candidates) {
        if (j == i) continue;
        double dot = 0;
        for (int t = 0; t < d; t++) dot += (double) x[i * d + t] * x[j * d + t];
        double cos = norm[i] == 0 || norm[j] == 0 ? 0 : dot / (norm[i] * norm[j]);
        all.add(new double[] {cos, j});
      }
      all.sort((a, b) -> a[0] != b[0] ? Double.compare(b[0], a[0]) : Double.compare(a[1], b[1]));
      out[i] = all.stream().limit(k).mapToInt(a -> (int) a[1]).toArray();
    }
    return out;
  }

  /**
   * Rows that make ties and near-ties: small integers (exact ties, zero rows), Gaussians, exact copies, copies
   * scaled by a power of two (same cosine to the bit), and copies moved by a few ulps (below the F32 screen's
   * resolution, so the double rescoring must decide).
   */
  static float[] trickyRows(Random r, int n, int d) {
    float[] x = new float[n * d];
    for (int i = 0; i < n; i++) {
      int kind = i == 0 ? 1 : r.nextInt(5);
      int src = i == 0 ? 0 : r.nextInt(i);
      for (int t = 0; t < d; t++) {
        float v = switch (kind) {
          case 0 -> r.nextInt(5) - 2;
          case 1 -> (float) r.nextGaussian();
          case 2 -> x[src * d + t];
          case 3 -> x[src * d + t] * (r.nextBoolean() ? 2f : 0.5f);
          default -> t == 0 ? Math.nextUp(Math.nextUp(x[src * d + t])) : x[src * d + t];
        };
        x[i * d + t] = v;
      }
    }
    return x;
  }

  static int[] subset(Random r, int n, double p) {
    return java.util.stream.IntStream.range(0, n).filter(i -> r.nextDouble() < p).toArray();
  }

  @Property(tries = 150)
  void searchEqualsBruteForce(@ForAll @IntRange(min = 1, max = 30) int n, @ForAll @IntRange(min = 1, max = 8) int d,
      @ForAll @IntRange(min = 1, max = 7) int k, @ForAll @IntRange(min = 1, max = 90) int blockScores,
      @ForAll long seed) {
    Random r = new Random(seed);
    float[] x = trickyRows(r, n, d);
    int[] cand = subset(r, n, 0.75);
    int[][] want = bruteForce(x, n, d, cand, k);
    NearestNeighbours.Result ref = NearestNeighbours.reference(Embeddings.of(x, n, d), cand, k);
    for (int i = 0; i < n; i++) assertArrayEquals(want[i], ref.index()[i], "reference, row " + i);
    for (Backend be : ALL) {
      // tiny blocks: many blocks of query rows, the last one partial
      NearestNeighbours.Result got = NearestNeighbours.search(Embeddings.of(x, n, d), cand, k, be, blockScores);
      for (int i = 0; i < n; i++) {
        assertArrayEquals(want[i], got.index()[i], be.name() + ": neighbours of row " + i);
        assertArrayEquals(ref.similarity()[i], got.similarity()[i], 0.0, be.name() + ": similarities of row " + i);
      }
    }
  }

  /** Searching for a subset of the items gives exactly their rows of the full search, and nothing for the others. */
  @Property(tries = 100)
  void querySubsetEqualsItsRowsOfTheFullSearch(@ForAll @IntRange(min = 1, max = 30) int n, @ForAll @IntRange(min = 1, max = 8) int d,
      @ForAll @IntRange(min = 1, max = 7) int k, @ForAll @IntRange(min = 1, max = 90) int blockScores, @ForAll long seed) {
    Random r = new Random(seed);
    float[] x = trickyRows(r, n, d);
    int[] cand = subset(r, n, 0.75);
    int[] queries = subset(r, n, 0.4);
    java.util.Set<Integer> asked = new java.util.HashSet<>();
    for (int q : queries) asked.add(q);
    int[][] want = bruteForce(x, n, d, cand, k);
    for (Backend be : ALL) {
      NearestNeighbours.Result got = NearestNeighbours.search(Embeddings.of(x, n, d), queries, cand, k, be, blockScores);
      for (int i = 0; i < n; i++) {
        assertArrayEquals(asked.contains(i) ? want[i] : new int[0], got.index()[i], be.name() + ": neighbours of row " + i);
      }
    }
  }

  @Test
  void largerGaussianCorpusWithNearDuplicates() {
    Random r = new Random(7);
    int n = 400, d = 96, k = 10;
    float[] x = gaussianWithNearDuplicates(r, n, d);
    int[] all = java.util.stream.IntStream.range(0, n).toArray();
    int[][] want = bruteForce(x, n, d, all, k);
    for (Backend be : ALL) {
      NearestNeighbours.Result got = NearestNeighbours.search(Embeddings.of(x, n, d), all, k, be);
      for (int i = 0; i < n; i++) assertArrayEquals(want[i], got.index()[i], be.name() + ": neighbours of row " + i);
    }
  }

  private static float[] gaussianWithNearDuplicates(Random r, int n, int d) {
    float[] x = new float[n * d];
    for (int i = 0; i < n; i++) {
      for (int t = 0; t < d; t++) {
        // every third row: the previous one plus noise far below F32 dot-product resolution
        x[i * d + t] = i % 3 == 2 ? x[(i - 1) * d + t] + (float) (r.nextGaussian() * 1e-6)
            : (float) r.nextGaussian();
      }
    }
    return x;
  }

  @Test
  void backendsUnderTest() {
    List<String> names = ALL.stream().map(Backend::name).toList();
    assertTrue(names.contains("reference"), names.toString());
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
      assertTrue(names.contains("simd"), "the Vector API is there, so SIMD is tested too: " + names);
    }
  }

  @Test
  void selfIsNeverItsOwnNeighbour() {
    float[] x = {1, 0, 1, 0, 0, 1};
    NearestNeighbours.Result got = NearestNeighbours.search(Embeddings.of(x, 3, 2), new int[] {0}, 5, BE);
    assertEquals(0, got.index()[0].length, "the only candidate is the item itself");
    assertArrayEquals(new int[] {0}, got.index()[1]);
    assertArrayEquals(new int[] {0}, got.index()[2]);
    assertEquals(1.0, got.similarity()[1][0]);
    assertEquals(0.0, got.similarity()[2][0]);
  }
}
