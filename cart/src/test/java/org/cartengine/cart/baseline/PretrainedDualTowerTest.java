package org.cartengine.cart.baseline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.cartengine.cart.text.HashedWords;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.simd.SimdBackend;
import org.cartengine.engine.nn.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PretrainedDualTowerTest {
  static final String[] COLOURS = {"red", "green", "blue", "yellow", "black"};
  static final String[] THINGS = {"ball", "car", "house", "tree", "fish"};
  static final int ITEMS = COLOURS.length * THINGS.length, DIM = 24;
  /** The item never captioned in training: a cold item. */
  static final int COLD = 3 * THINGS.length + 1;  // yellow car

  static String name(int i) {
    return COLOURS[i / THINGS.length] + " " + THINGS[i % THINGS.length];
  }

  /** Item i = colour c, thing t: its embedding is the sum of a random colour vector and a random thing vector. */
  static float[] embeddings() {
    Random r = new Random(3);
    float[][] c = new float[COLOURS.length][DIM], t = new float[THINGS.length][DIM];
    for (float[] v : c) for (int j = 0; j < DIM; j++) v[j] = (float) r.nextGaussian();
    for (float[] v : t) for (int j = 0; j < DIM; j++) v[j] = (float) r.nextGaussian();
    float[] e = new float[ITEMS * DIM];
    for (int i = 0; i < ITEMS; i++) for (int j = 0; j < DIM; j++) e[i * DIM + j] = c[i / THINGS.length][j] + t[i % THINGS.length][j];
    return e;
  }

  record Pairs(List<String> texts, int[] items) {}

  /** Three phrasings of every item's name but the cold one's. */
  static Pairs pairs() {
    List<String> texts = new ArrayList<>();
    List<Integer> items = new ArrayList<>();
    for (int i = 0; i < ITEMS; i++) {
      if (i == COLD) continue;
      for (String f : new String[] {"%s", "a %s", "the %s picture"}) {
        texts.add(String.format(f, name(i)));
        items.add(i);
      }
    }
    return new Pairs(texts, items.stream().mapToInt(Integer::intValue).toArray());
  }

  static List<String> names() {
    List<String> q = new ArrayList<>();
    for (int i = 0; i < ITEMS; i++) q.add(name(i));
    return q;
  }

  static PretrainedDualTower tower(Backend be, boolean mlp) {
    return new PretrainedDualTower(be, new Rng(5), new HashedWords(64), embeddings(), ITEMS, DIM, 32, mlp, 32, PretrainedDualTower.TEMPERATURE);
  }

  static int hitsAt1(List<int[]> ranked) {
    int hits = 0;
    for (int i = 0; i < ranked.size(); i++) if (ranked.get(i)[0] == i) hits++;
    return hits;
  }

  @Test
  void learnsColoursAndThingsAndPlacesTheColdItem() {
    Backend be = new SimdBackend();
    for (boolean mlp : new boolean[] {false, true}) {
      PretrainedDualTower t = tower(be, mlp);
      Pairs p = pairs();
      PretrainedDualTower.Result r = t.train(p.texts(), p.items(), 60, 0, 16, 3e-3, 7);
      assertEquals(60, r.epochs());
      List<int[]> ranked = t.rank(names(), 5);
      int hits = hitsAt1(ranked);
      // Chance is 1 in 25.
      assertTrue(hits >= ITEMS * 3 / 4, (mlp ? "mlp" : "linear") + ": " + hits + " of " + ITEMS + " items ranked first by their own name");
      // The cold item was never captioned; the item tower still places it near its words.
      boolean found = false;
      for (int x : ranked.get(COLD)) found |= x == COLD;
      assertTrue(found, (mlp ? "mlp" : "linear") + ": cold item not in the top 5 of its name");
    }
  }

  @Test
  void sameSeedSameRankingsAndCandidateCosinesMatchTheRanking() {
    // The reference backend: the simd one is not bit-reproducible within a JVM, since a kernel's vector tanh and exp
    // differ in the last bit between the Java fallback (before C2 compiles the loop) and the compiled intrinsic.
    Backend be = new org.cartengine.engine.backend.reference.ReferenceBackend();
    Pairs p = pairs();
    PretrainedDualTower a = tower(be, true), b = tower(be, true);
    a.train(p.texts(), p.items(), 5, 0, 16, 3e-3, 11);
    b.train(p.texts(), p.items(), 5, 0, 16, 3e-3, 11);
    assertArrayEquals(a.itemVectors(), b.itemVectors());
    List<int[]> ra = a.rank(names(), ITEMS), rb = b.rank(names(), ITEMS);
    for (int i = 0; i < ITEMS; i++) assertArrayEquals(ra.get(i), rb.get(i));
    // The re-rank's cosines agree with the brute-force order.
    int[][] cand = ra.toArray(new int[0][]);
    double[][] cos = a.candidateCosines(names(), null, cand, 7);
    for (int i = 0; i < ITEMS; i++)
      for (int j = 1; j < ITEMS; j++) assertTrue(cos[i][j - 1] >= cos[i][j] - 1e-6, "query " + i + " rank " + j);
  }

  @Test
  void saveLoadRoundTripRanksIdentically(@TempDir Path dir) throws Exception {
    Backend be = new SimdBackend();
    Pairs p = pairs();
    PretrainedDualTower a = tower(be, true);
    a.train(p.texts(), p.items(), 10, 0, 16, 3e-3, 1);
    Path f = dir.resolve("pdt.safetensors");
    a.save(f);
    try (var files = Files.list(dir)) {
      assertEquals(1, files.count(), "only the checkpoint is left (written atomically)");
    }
    PretrainedDualTower b = PretrainedDualTower.load(f, new HashedWords(64), embeddings(), ITEMS, DIM, be);
    assertEquals(a.config(), b.config());
    assertArrayEquals(a.itemVectors(), b.itemVectors());
    List<int[]> ra = a.rank(names(), ITEMS), rb = b.rank(names(), ITEMS);
    for (int i = 0; i < ITEMS; i++) assertArrayEquals(ra.get(i), rb.get(i));
    assertThrows(java.io.IOException.class, () -> PretrainedDualTower.load(f, new HashedWords(32), embeddings(), ITEMS, DIM, be));
  }

  @Test
  void theTimeBudgetStopsIt() {
    Backend be = new SimdBackend();
    Pairs p = pairs();
    // A budget far below one step: one step runs (at least one always does), then it stops.
    PretrainedDualTower.Result r = tower(be, false).train(p.texts(), p.items(), 100, 1e-9, 8, 3e-3, 1);
    assertEquals(1, r.epochs());
  }

  @Test
  void valSelectionKeepsTheBestEpochsWeightsAndStopsAfterThePatience() {
    Backend be = new SimdBackend();
    Pairs p = pairs();
    // Val: every item's bare name, relevant = the item itself (the cold item included).
    List<java.util.Set<Integer>> rel = new ArrayList<>();
    for (int i = 0; i < ITEMS; i++) rel.add(java.util.Set.of(i));
    PretrainedDualTower a = tower(be, false);
    PretrainedDualTower.Selected s = a.trainSelectingOnVal(p.texts(), p.items(), names(), rel, 40, 0, 16, 3e-3, 9, 3);
    assertTrue(s.bestEpoch() >= 1 && s.bestEpoch() <= 40, "best epoch " + s.bestEpoch());
    assertEquals(Math.min(40, s.bestEpoch() + 3), s.result().epochs(), "stops 3 epochs after the best one (or at the cap)");
    // The weights kept are exactly those a plain run of bestEpoch epochs with the same seed ends with.
    PretrainedDualTower b = tower(be, false);
    b.train(p.texts(), p.items(), s.bestEpoch(), 0, 16, 3e-3, 9);
    assertArrayEquals(b.itemVectors(), a.itemVectors());
    assertEquals(s.bestValMrr(), org.cartengine.cart.search.Metrics.of(a.rank(names(), 10), rel).mrr10(), 1e-9);
  }
}
