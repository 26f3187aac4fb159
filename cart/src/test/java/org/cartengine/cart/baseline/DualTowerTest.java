package org.cartengine.cart.baseline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.cartengine.cart.data.PairSet;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.simd.SimdBackend;
import org.cartengine.engine.nn.Rng;
import org.junit.jupiter.api.Test;

class DualTowerTest {
  static final int ITEMS = 24, DIM = 16;

  /** Item i is named by the query of token 2 + i; every item's embedding is random. */
  static PairSet pairs(int copies) {
    List<int[]> q = new ArrayList<>();
    int[] items = new int[ITEMS * copies];
    for (int c = 0; c < copies; c++)
      for (int i = 0; i < ITEMS; i++) {
        q.add(new int[] {2 + i});
        items[c * ITEMS + i] = i;
      }
    return new PairSet(q, items, null, null);
  }

  static float[] embeddings() {
    Random r = new Random(3);
    float[] e = new float[ITEMS * DIM];
    for (int i = 0; i < e.length; i++) e[i] = (float) r.nextGaussian();
    return e;
  }

  static DualTower tower(Backend be) {
    return new DualTower(be, new Rng(5), 2 + ITEMS, 16, 2, 32, 1, 0.0, 4, embeddings(), ITEMS, DIM);
  }

  static float[] weights(DualTower t) {
    List<float[]> parts = new ArrayList<>();
    int n = 0;
    for (Tensor p : t.parameters().values()) {
      parts.add(p.toFloatArray());
      n += parts.get(parts.size() - 1).length;
    }
    float[] all = new float[n];
    int o = 0;
    for (float[] p : parts) {
      System.arraycopy(p, 0, all, o, p.length);
      o += p.length;
    }
    return all;
  }

  @Test
  void learnsToNameEveryItemAtItsDefaultRate() {
    Backend be = new SimdBackend();
    DualTower dt = tower(be);
    DualTower.Result r = dt.train(pairs(4), 60, 0, 32, DualTower.LR, 7);
    assertEquals(60, r.epochs());
    List<int[]> ranked = dt.rank(pairs(1).queries(), 1, 64);
    int hits = 0;
    for (int i = 0; i < ITEMS; i++) if (ranked.get(i)[0] == i) hits++;
    assertTrue(hits >= ITEMS * 3 / 4, hits + " of " + ITEMS + " items ranked first by their own query");
  }

  @Test
  void aScheduleHorizonChangesTrainingAndTheTimeBudgetStopsIt() {
    Backend be = new SimdBackend();
    // Same seed and data: the constant rate and a cosine over the two epochs run end in different weights.
    DualTower a = tower(be), b = tower(be);
    a.train(pairs(2), 2, 0, 16, DualTower.LR, 1, 0);
    b.train(pairs(2), 2, 0, 16, DualTower.LR, 1, 2);
    assertFalse(Arrays.equals(weights(a), weights(b)), "the horizon had no effect");
    // A budget far below one step: one step runs (at least one always does), then it stops.
    DualTower.Result r = tower(be).train(pairs(8), 100, 1e-9, 16, DualTower.LR, 1);
    assertEquals(1, r.epochs());
  }
}
