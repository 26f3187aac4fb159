package org.cartengine.cart.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.cartengine.cart.ids.Identifiers;
import org.cartengine.cart.model.CartConfig;
import org.cartengine.cart.model.CartModel;
import org.cartengine.engine.DType;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.Backends;
import org.cartengine.engine.nn.Rng;

/**
 * The incremental beam search returns what the original full-recompute search returns: on random
 * small models (width, heads, layers, fusion on or off, identifier vocabularies) and random tries,
 * the same items in the same order with the same scores (within 1e-5), for both scorings, on every
 * backend this machine can create (reference in float64, the others in float32); and only real
 * items of the trie.
 */
class BeamSearchEqualityTest {

  private static final Map<String, Backend> CREATED = new java.util.concurrent.ConcurrentHashMap<>();

  @Provide
  Arbitrary<String> backends() {
    return Arbitraries.of(Backends.available().stream().filter(n -> !n.equals("cuda")).toList());
  }

  @Property(tries = 60)
  void incrementalSearchEqualsReference(@ForAll("backends") String backend, @ForAll long seed) {
    Random r = new Random(seed);
    Backend be = CREATED.computeIfAbsent(backend, Backends::create);
    DType dt = backend.equals("reference") ? DType.F64 : DType.F32;
    int heads = 1 << r.nextInt(3), dModel = heads * 4 * (1 + r.nextInt(3));
    int len = 2 + r.nextInt(3);
    int[] vocab = new int[len];
    for (int p = 0; p + 1 < len; p++) vocab[p] = 1 + r.nextInt(7);
    Identifiers ids = randomIds(r, 1 + r.nextInt(80), vocab);
    CartConfig cfg = new CartConfig(30, ids.vocabSizes(), dModel, heads, 2 * dModel, 1 + r.nextInt(3), 1 + r.nextInt(3), 0.1, 8, r.nextBoolean());
    CartModel model = new CartModel(be, dt, new Rng(seed), cfg);
    List<int[]> queries = new ArrayList<>();
    for (int i = 1 + r.nextInt(5); i > 0; i--) {
      int[] q = new int[r.nextInt(10)]; // may be empty, may exceed the maximum length
      for (int j = 0; j < q.length; j++) q[j] = 1 + r.nextInt(29);
      queries.add(q);
    }
    QueryBatch batch = QueryBatch.of(be, queries, cfg.maxQueryLength());
    int beam = 1 + r.nextInt(6), k = 1 + r.nextInt(beam);
    for (BeamScoring scoring : BeamScoring.values()) {
      List<List<BeamSearch.Hit>> fast = BeamSearch.search(model, batch, ids.trie(), beam, k, scoring);
      List<List<BeamSearch.Hit>> ref = ReferenceBeamSearch.search(model, batch, ids.trie(), beam, k, scoring);
      assertEquals(ref.size(), fast.size(), "one result list per query");
      for (int q = 0; q < ref.size(); q++) {
        List<BeamSearch.Hit> a = ref.get(q), b = fast.get(q);
        String where = backend + " " + scoring + " query " + q + ": reference " + a + " incremental " + b;
        assertEquals(Math.min(k, ids.size()), b.size(), where);
        assertEquals(a.size(), b.size(), where);
        for (int i = 0; i < a.size(); i++) {
          assertEquals(a.get(i).item(), b.get(i).item(), where);
          assertEquals(a.get(i).score(), b.get(i).score(), 1e-5, where);
          int item = b.get(i).item();
          assertTrue(item >= 0 && item < ids.size() && ids.trie().lookup(ids.tokens(item)) == item, "a real identifier of the trie: " + where);
        }
      }
    }
  }

  /** A batch cut into shards decoded side by side gives what the whole batch gives, query by query, with and without a prior. */
  @Property(tries = 20)
  void shardedSearchEqualsWholeBatch(@ForAll("backends") String backend, @ForAll long seed) {
    Random r = new Random(seed);
    Backend be = CREATED.computeIfAbsent(backend, Backends::create);
    DType dt = backend.equals("reference") ? DType.F64 : DType.F32;
    int[] vocab = {1 + r.nextInt(7), 1 + r.nextInt(7), 0};
    Identifiers ids = randomIds(r, 1 + r.nextInt(80), vocab);
    CartConfig cfg = new CartConfig(30, ids.vocabSizes(), 8, 2, 16, 1, 1 + r.nextInt(2), 0.1, 8, r.nextBoolean());
    CartModel model = new CartModel(be, dt, new Rng(seed), cfg);
    List<int[]> queries = new ArrayList<>();
    for (int i = 2 + r.nextInt(30); i > 0; i--) {
      int[] q = new int[r.nextInt(10)];
      for (int j = 0; j < q.length; j++) q[j] = 1 + r.nextInt(29);
      queries.add(q);
    }
    QueryBatch batch = QueryBatch.of(be, queries, cfg.maxQueryLength());
    int beam = 1 + r.nextInt(6), k = 1 + r.nextInt(beam), shards = 2 + r.nextInt(Math.min(3, queries.size() - 1));
    // A prior that depends on the query's row: a shard must see its rows under their batch numbers.
    BeamPrior prior = r.nextBoolean() ? null : (query, node) -> 0.01 * ((query * 31 + node * 7) % 13);
    List<List<BeamSearch.Hit>> whole = BeamSearch.search(model, batch, ids.trie(), beam, k, BeamScoring.DEFAULT, prior, 1);
    List<List<BeamSearch.Hit>> cut = BeamSearch.search(model, batch, ids.trie(), beam, k, BeamScoring.DEFAULT, prior, shards);
    assertEquals(whole.size(), cut.size(), "one result list per query");
    for (int q = 0; q < whole.size(); q++) {
      List<BeamSearch.Hit> a = whole.get(q), b = cut.get(q);
      String where = backend + " " + shards + " shards, query " + q + ": whole " + a + " sharded " + b;
      assertEquals(a.size(), b.size(), where);
      for (int i = 0; i < a.size(); i++) {
        assertEquals(a.get(i).item(), b.get(i).item(), where);
        assertEquals(a.get(i).score(), b.get(i).score(), 1e-5, where);
      }
    }
  }

  /** n random identifiers over the given vocabularies, made distinct by a last (unique) token as the prefix database does. */
  static Identifiers randomIds(Random r, int n, int[] vocab) {
    int len = vocab.length, maxU = 0;
    int[] tok = new int[n * len];
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < n; i++) {
      StringBuilder key = new StringBuilder();
      for (int p = 0; p + 1 < len; p++) {
        tok[i * len + p] = r.nextInt(vocab[p]);
        key.append(tok[i * len + p]).append(',');
      }
      int u = seen.merge(key.toString(), 1, Integer::sum) - 1;
      tok[i * len + len - 1] = u;
      maxU = Math.max(maxU, u);
    }
    int[] v = vocab.clone();
    v[len - 1] = maxU + 1;
    return new Identifiers(tok, n, len, v);
  }
}
