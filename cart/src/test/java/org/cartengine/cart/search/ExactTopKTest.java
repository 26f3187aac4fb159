package org.cartengine.cart.search;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.Backends;
import org.cartengine.engine.backend.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;

/**
 * Blocked exact top-k against {@link TopK#topK} over the full score matrix from plain double loops. Entries are small
 * integers, so every dot product is exact in float whatever the GEMM's order of summation, and scores repeat often,
 * which exercises the tie rule (lower index first).
 */
class ExactTopKTest {
  private static List<Backend> backends() {
    List<Backend> out = new ArrayList<>();
    out.add(new ReferenceBackend());
    try {
      out.add(Backends.create("simd"));
    } catch (RuntimeException | LinkageError e) {
      // no Vector API in this JVM: the reference backend alone
    }
    return out;
  }

  private static float[] ints(Random r, int len, int range) {
    float[] a = new float[len];
    for (int i = 0; i < len; i++) a[i] = r.nextInt(2 * range + 1) - range;
    return a;
  }

  private static int[][] naive(float[] q, int nq, float[] items, int n, int d, int k) {
    float[] scores = new float[nq * n];
    for (int i = 0; i < nq; i++)
      for (int j = 0; j < n; j++) {
        double acc = 0;
        for (int x = 0; x < d; x++) acc += (double) q[i * d + x] * items[j * d + x];
        scores[i * n + j] = (float) acc;
      }
    int[][] out = new int[nq][];
    for (int i = 0; i < nq; i++) out[i] = TopK.topK(scores, i * n, n, k);
    return out;
  }

  @Test
  void equalsTopKOverTheFullMatrix() {
    Random r = new Random(20240607);
    for (Backend be : backends()) {
      for (int trial = 0; trial < 300; trial++) {
        int n = 1 + r.nextInt(trial % 10 == 0 ? 3000 : 200);
        int nq = 1 + r.nextInt(40);
        int d = 1 + r.nextInt(24);
        int k = switch (trial % 5) {
          case 0 -> 1;
          case 1 -> n + 1 + r.nextInt(5); // more than there are items
          case 2 -> n;
          default -> 1 + r.nextInt(Math.min(n, 50));
        };
        int range = trial % 3 == 0 ? 1 : 3; // range 1: very many equal scores
        float[] q = ints(r, nq * d, range), items = ints(r, n * d, range);
        int block = 1 + r.nextInt(Math.max(1, n / 2 + 1)); // rarely a divisor of n
        int tile = 1 + r.nextInt(nq + 2);
        int[][] want = naive(q, nq, items, n, d, k);
        int[][] got = trial % 4 == 0 ? ExactTopK.search(be, q, nq, items, n, d, k) : ExactTopK.search(be, q, nq, items, n, d, k, block, tile);
        String where = be.name() + " trial " + trial + " n=" + n + " nq=" + nq + " d=" + d + " k=" + k + " block=" + block + " tile=" + tile;
        assertEquals(nq, got.length, where);
        for (int i = 0; i < nq; i++) assertArrayEquals(want[i], got[i], where + " query " + i);
      }
    }
  }

  @Test
  void tiesGoToTheLowerIndex() {
    // All items score the same: the top-k is the first k indices, whatever the blocks.
    int n = 2500, d = 4, k = 7;
    float[] items = new float[n * d];
    java.util.Arrays.fill(items, 1f);
    float[] q = {1, 1, 1, 1, 0, 0, 0, 0};
    for (Backend be : backends()) {
      int[][] got = ExactTopK.search(be, q, 2, items, n, d, k, 300, 1);
      assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6}, got[0]);
      assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6}, got[1]);
    }
  }

  @Test
  void emptyInputs() {
    Backend be = new ReferenceBackend();
    assertEquals(0, ExactTopK.search(be, new float[0], 0, new float[8], 2, 4, 3).length);
    int[][] none = ExactTopK.search(be, new float[4], 1, new float[0], 0, 4, 3);
    assertEquals(0, none[0].length);
    assertEquals(0, ExactTopK.search(be, new float[4], 1, new float[8], 2, 4, 0)[0].length);
  }
}
