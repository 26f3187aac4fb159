package org.cartengine.cart.search;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import java.util.List;
import org.cartengine.cart.ids.PrefixTrie;
import org.cartengine.cart.text.CaptionSpace;
import org.cartengine.cart.text.HashedWords;
import org.junit.jupiter.api.Test;

class CaptionPriorTest {
  // Four items in a 2-d caption space, identifiers (k, v): items 0, 1 under k = 0, items 2, 3 under k = 1.
  static final float[] VEC = {1, 0, 0.8f, 0.6f, 0, 1, -0.6f, 0.8f};
  static final int[] IDS = {0, 0, 0, 1, 1, 0, 1, 1};

  static CaptionSpace.Space space() {
    BitSet all = new BitSet();
    all.set(0, 4);
    return new CaptionSpace.Space(VEC.clone(), 4, 2, all);
  }

  @Test
  void aNodeIsTheNormalisedMeanOfTheItemsBelowIt() {
    PrefixTrie trie = PrefixTrie.build(IDS, 4, 2);
    float[] v = CaptionPrior.nodeVectors(space(), trie);
    int k0 = trie.step(trie.root(), 0), k1 = trie.step(trie.root(), 1);
    double n0 = Math.hypot(1.8, 0.6), n1 = Math.hypot(-0.6, 1.8);
    assertArrayEquals(new float[] {(float) (1.8 / n0), (float) (0.6 / n0)}, new float[] {v[k0 * 2], v[k0 * 2 + 1]}, 1e-6f);
    assertArrayEquals(new float[] {(float) (-0.6 / n1), (float) (1.8 / n1)}, new float[] {v[k1 * 2], v[k1 * 2 + 1]}, 1e-6f);
    for (int i = 0; i < 4; i++) {
      int leaf = trie.walk(new int[] {IDS[2 * i], IDS[2 * i + 1]}, 0, 2);
      assertEquals(i, trie.item(leaf));
      assertArrayEquals(new float[] {VEC[2 * i], VEC[2 * i + 1]}, new float[] {v[leaf * 2], v[leaf * 2 + 1]}, 1e-6f, "a leaf is its item");
    }
  }

  @Test
  void thePriorIsTheWeightedCosineOverTheTemperatureAndNothingAtWeightZero() {
    // An encoder whose vectors are the 2-d space itself: "x" -> (1, 0), "y" -> (0, 1).
    org.cartengine.cart.text.TextEmbedder enc = new org.cartengine.cart.text.TextEmbedder() {
      public int dim() {
        return 2;
      }

      public float[][] embed(List<String> texts) {
        return texts.stream().map(t -> t.equals("x") ? new float[] {1, 0} : new float[] {0, 1}).toArray(float[][]::new);
      }

      public String name() {
        return "axes";
      }
    };
    PrefixTrie trie = PrefixTrie.build(IDS, 4, 2);
    CaptionPrior p = new CaptionPrior(enc, space(), trie);
    assertNull(p.forQueries(List.of("x"), 0));
    BeamPrior b = p.forQueries(List.of("x", "y"), 0.5);
    int k0 = trie.step(trie.root(), 0), k1 = trie.step(trie.root(), 1);
    assertTrue(b.score(0, k0) > b.score(0, k1), "query x points to k = 0");
    assertTrue(b.score(1, k1) > b.score(1, k0), "query y points to k = 1");
    int leaf0 = trie.walk(new int[] {0, 0}, 0, 2);
    assertEquals(0.5 * 1.0 / CaptionPrior.TEMPERATURE, b.score(0, leaf0), 1e-9);
  }

  @Test
  void theQueriesAreEmbeddedOnTheFirstScoreOnceForAllThreads() throws Exception {
    // The guide must not run the encoder before the search has prepared its query features (whose pass caches the
    // sentence embeddings), and must run it once however many nodes and threads score.
    java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
    org.cartengine.cart.text.TextEmbedder enc = new org.cartengine.cart.text.TextEmbedder() {
      public int dim() {
        return 2;
      }

      public float[][] embed(List<String> texts) {
        calls.incrementAndGet();
        return texts.stream().map(t -> t.equals("x") ? new float[] {1, 0} : new float[] {0, 1}).toArray(float[][]::new);
      }

      public String name() {
        return "axes";
      }
    };
    PrefixTrie trie = PrefixTrie.build(IDS, 4, 2);
    java.util.ArrayList<String> texts = new java.util.ArrayList<>(List.of("x", "y"));
    BeamPrior b = new CaptionPrior(enc, space(), trie).forQueries(texts, 1.0);
    texts.set(0, "y"); // the prior took its own copy of the texts
    assertEquals(0, calls.get(), "nothing embedded before the first score");
    int k0 = trie.step(trie.root(), 0), k1 = trie.step(trie.root(), 1);
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      List<java.util.concurrent.Future<Double>> fs = new java.util.ArrayList<>();
      for (int i = 0; i < 16; i++) fs.add(pool.submit(() -> b.score(0, k0) - b.score(0, k1)));
      for (var f : fs) assertTrue(f.get() > 0, "query x points to k = 0");
    } finally {
      pool.shutdown();
    }
    assertTrue(b.score(1, k1) > b.score(1, k0));
    assertEquals(1, calls.get(), "one pass for every score and thread");
  }

  @Test
  void theDotProductMatchesTheSumForEveryLengthAndOffset() {
    java.util.Random r = new java.util.Random(7);
    for (int d = 0; d <= 13; d++) {
      float[] a = new float[d], b = new float[d + 5];
      for (int j = 0; j < d; j++) a[j] = (float) r.nextGaussian();
      for (int j = 0; j < b.length; j++) b[j] = (float) r.nextGaussian();
      for (int o = 0; o <= 5; o++) {
        double want = 0;
        for (int j = 0; j < d; j++) want += (double) a[j] * b[o + j];
        // Each product is rounded to float, as in the single-sum loop this replaces.
        assertEquals(want, CaptionPrior.dot(a, b, o, d), 1e-6 * Math.max(1, d), "d " + d + " offset " + o);
      }
    }
  }

  @Test
  void nodeVectorsOfARealisticTrieComeFromHashedCaptions() {
    // The space from captions, not hand-made: the node of items captioned about apples points to "apple".
    List<org.cartengine.cart.data.Caption> caps = List.of(
        new org.cartengine.cart.data.Caption(0, "a", "red apple", org.cartengine.cart.data.Split.TRAIN),
        new org.cartengine.cart.data.Caption(1, "b", "green apple", org.cartengine.cart.data.Split.TRAIN),
        new org.cartengine.cart.data.Caption(2, "c", "blue whale", org.cartengine.cart.data.Split.TRAIN),
        new org.cartengine.cart.data.Caption(3, "d", "grey whale", org.cartengine.cart.data.Split.TRAIN));
    HashedWords enc = new HashedWords(64);
    CaptionSpace.Space s = CaptionSpace.build(enc, caps, new float[8], 4, 2);
    PrefixTrie trie = PrefixTrie.build(IDS, 4, 2);
    BeamPrior b = new CaptionPrior(enc, s, trie).forQueries(List.of("apple"), 1.0);
    assertTrue(b.score(0, trie.step(trie.root(), 0)) > b.score(0, trie.step(trie.root(), 1)));
  }
}
