package org.cartengine.cart.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.cartengine.cart.ids.Identifiers;
import org.cartengine.cart.model.CartConfig;
import org.cartengine.cart.model.CartModel;
import org.cartengine.engine.DType;
import org.cartengine.engine.backend.Backends;
import org.cartengine.engine.nn.Rng;

/** For any corpus and query, the constrained beam search returns exactly k distinct, real items. */
class BeamSearchPropertyTest {

  @Property(tries = 15)
  void returnsExactlyKValidDistinctItems(@ForAll @IntRange(min = 1, max = 60) int n, @ForAll @IntRange(min = 1, max = 8) int k,
      @ForAll @IntRange(min = 0, max = 3) int extraBeam, @ForAll long seed) {
    Random r = new Random(seed);
    int len = 3;
    int[] vocab = {1 + r.nextInt(5), 1 + r.nextInt(5), 0};
    // Random identifiers made distinct by a unique token, as the prefix database does.
    int[] tok = new int[n * len];
    java.util.Map<Long, Integer> seen = new java.util.HashMap<>();
    int maxU = 0;
    for (int i = 0; i < n; i++) {
      int a = r.nextInt(vocab[0]), b = r.nextInt(vocab[1]);
      int u = seen.merge((long) a * 100 + b, 1, Integer::sum) - 1;
      maxU = Math.max(maxU, u);
      tok[i * len] = a;
      tok[i * len + 1] = b;
      tok[i * len + 2] = u;
    }
    vocab[2] = maxU + 1;
    Identifiers ids = new Identifiers(tok, n, len, vocab);
    CartModel m = new CartModel(Backends.get(), DType.F32, new Rng(seed), new CartConfig(20, vocab, 16, 2, 32, 1, 1, 0.0, 8, seed % 2 == 0));
    int beam = k + extraBeam;
    List<int[]> queries = List.of(new int[] {2, 3, 4}, new int[] {5}, new int[0]);
    List<List<BeamSearch.Hit>> res = BeamSearch.search(m, QueryBatch.of(m.backend(), queries, 8), ids.trie(), beam, k);
    assertEquals(queries.size(), res.size());
    for (List<BeamSearch.Hit> hits : res) {
      assertEquals(Math.min(k, n), hits.size(), "exactly k results (or every item when the corpus is smaller)");
      Set<Integer> distinct = new HashSet<>();
      double prev = Double.POSITIVE_INFINITY;
      for (BeamSearch.Hit h : hits) {
        assertTrue(h.item() >= 0 && h.item() < n, "a real item");
        assertTrue(distinct.add(h.item()), "distinct items");
        assertTrue(h.score() <= prev + 1e-9, "sorted by score");
        assertTrue(h.score() <= 1e-9, "log-probabilities");
        prev = h.score();
      }
    }
  }
}
