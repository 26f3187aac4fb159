package org.cartengine.cart.ids;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class IdentifierPropertiesTest {
  record Corpus(float[] x, int n, int dim) {}

  /** Any embeddings: 1..40 rows of 1..6 dims, values drawn from a tiny set half the time so rows repeat. */
  @Provide
  Arbitrary<Corpus> corpora() {
    return Combinators.combine(Arbitraries.integers().between(1, 40), Arbitraries.integers().between(1, 6), Arbitraries.longs(), Arbitraries.of(true, false))
        .as((n, dim, seed, repeats) -> {
          java.util.Random r = new java.util.Random(seed);
          float[] x = new float[n * dim];
          for (int i = 0; i < x.length; i++) x[i] = repeats ? r.nextInt(3) - 1 : (float) r.nextGaussian();
          return new Corpus(x, n, dim);
        });
  }

  /** A tiny configuration of each scheme: the properties are about identifiers, not model quality. */
  static IndexConfig tiny(Scheme s, long seed) {
    IndexConfig c = new IndexConfig();
    c.scheme = s;
    c.k = 4;
    c.codebooks = 2;
    c.codebookSize = 4;
    c.latentDim = 3;
    c.hidden = new int[] {8};
    c.epochs = 1;
    c.warmupEpochs = 1;
    c.batchSize = 16;
    c.kmeansMaxSteps = 5;
    c.atomicBase = s == Scheme.ATOMIC && seed % 2 == 0 ? 3 : 0;
    c.seed = seed;
    return c;
  }

  @Property(tries = 60)
  void everySchemeGivesDistinctIdentifiersAndAnExactTrie(@ForAll("corpora") Corpus c, @ForAll Scheme scheme, @ForAll long seed) {
    IndexResult r = IdentifierBuilder.build(c.x(), c.n(), c.dim(), tiny(scheme, seed), null);
    Identifiers ids = r.identifiers();
    assertEquals(c.n(), ids.size());
    assertEquals(tiny(scheme, seed).length(c.n()), ids.length());
    Set<List<Integer>> seen = new HashSet<>();
    int[] vocab = ids.vocabSizes();
    for (int i = 0; i < c.n(); i++) {
      int[] t = ids.tokens(i);
      for (int p = 0; p < t.length; p++) assertTrue(t[p] >= 0 && t[p] < vocab[p]);
      assertTrue(seen.add(Arrays.stream(t).boxed().toList()), "duplicate identifier " + Arrays.toString(t));
    }
    TrieChecks.assertMatchesBruteForce(ids.trie(), ids.all(), c.n(), ids.length());
  }

  @Property(tries = 40)
  void addingItemsKeepsExistingIdentifiersAndStaysExact(@ForAll("corpora") Corpus c, @ForAll("corpora") Corpus more, @ForAll Scheme scheme, @ForAll long seed) {
    if (more.dim() != c.dim()) more = new Corpus(Arrays.copyOf(more.x(), more.n() * c.dim()), more.n(), c.dim());
    IndexConfig cfg = tiny(scheme, seed);
    if (cfg.atomicBase > 0) cfg.atomicBase = 0; // base-B atomic identifiers have a fixed capacity; covered in IndexStoreTest
    IndexResult r = IdentifierBuilder.build(c.x(), c.n(), c.dim(), cfg, null);
    IndexResult g = r.add(java.util.Collections.nCopies(more.n(), "x"), more.x(), more.n());
    Identifiers a = r.identifiers(), b = g.identifiers();
    assertEquals(c.n() + more.n(), b.size());
    for (int i = 0; i < c.n(); i++) assertEquals(Arrays.toString(a.tokens(i)), Arrays.toString(b.tokens(i)));
    TrieChecks.assertMatchesBruteForce(b.trie(), b.all(), b.size(), b.length());
  }
}
