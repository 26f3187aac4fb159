package org.cartengine.cart.ids;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.cartengine.engine.backend.Backends;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class IndexStoreTest {
  @TempDir Path dir;

  static float[] corpus(int n, int dim, long seed) {
    return SyntheticCorpus.generate(SyntheticCorpus.Spec.clusters(n, dim, 6, 4, 0.5, 0.2, seed));
  }

  static List<String> names(String prefix, int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) out.add(prefix + i);
    return out;
  }

  /** Save, load, and add new items to the loaded index: the loaded model assigns as the fitted one did. */
  @ParameterizedTest
  @EnumSource(Scheme.class)
  void saveLoadAndAddKeepIdentifiers(Scheme scheme) throws Exception {
    int n = 300, dim = 12, m = 40;
    IndexConfig cfg = IdentifierPropertiesTest.tiny(scheme, 11);
    cfg.k = 8;
    cfg.codebookSize = 8;
    cfg.epochs = 2;
    float[] x = corpus(n, dim, 1), y = corpus(m, dim, 2);
    IndexResult built = IdentifierBuilder.build(x, n, dim, names("item-", n), cfg, null, Backends.get());
    IndexStore.save(dir, built);
    for (String f : List.of(IndexStore.IDENTIFIERS_TSV, IndexStore.MODEL_WEIGHTS, IndexStore.TRIE_WEIGHTS, IndexStore.INDEX_JSON)) assertTrue(Files.exists(dir.resolve(f)), f);
    try (var files = Files.list(dir)) {
      assertEquals(0, files.filter(p -> p.toString().endsWith(".tmp")).count(), "temporary files left behind");
    }
    IndexResult loaded = IndexStore.load(dir);
    assertEquals(built.itemIds(), loaded.itemIds());
    assertArrayEquals(built.identifiers().all(), loaded.identifiers().all());
    assertArrayEquals(built.identifiers().vocabSizes(), loaded.identifiers().vocabSizes());
    assertEquals(built.stats().collisionRate(), loaded.stats().collisionRate());

    IndexResult a = built.add(names("new-", m), y, m), b = loaded.add(names("new-", m), y, m);
    assertArrayEquals(a.identifiers().all(), b.identifiers().all(), "the loaded model assigns new items as the fitted one");
    int len = a.identifiers().length();
    for (int i = 0; i < n; i++) assertArrayEquals(built.identifiers().tokens(i), b.identifiers().tokens(i));
    TrieChecks.assertMatchesBruteForce(b.identifiers().trie(), b.identifiers().all(), n + m, len);
    // Existing rows re-assigned by the saved model give their own semantic tokens back (the model is deterministic).
    if (scheme != Scheme.ATOMIC) {
      int[] again = loaded.model().assign(x, n, 0);
      int sl = loaded.model().semanticLength();
      for (int i = 0; i < n; i++)
        for (int p = 0; p < sl; p++) assertEquals(built.identifiers().token(i, p), again[i * sl + p], "item " + i + " position " + p);
    }
    IndexStore.save(dir, b);
    assertEquals(n + m, IndexStore.load(dir).identifiers().size());
    assertEquals("new-0", IndexStore.load(dir).itemIds().get(n));
  }

  @Test
  void atomicDigitsRefuseItemsBeyondTheirCapacity() {
    IndexConfig cfg = IdentifierPropertiesTest.tiny(Scheme.ATOMIC, 0);
    cfg.atomicBase = 4;
    IndexResult r = IdentifierBuilder.build(corpus(10, 3, 1), 10, 3, cfg, null);
    assertEquals(2, r.identifiers().length()); // 10 items need 2 base-4 digits (capacity 16)
    assertArrayEquals(new int[] {2, 1}, r.identifiers().tokens(9));
    IndexResult six = r.add(names("n", 6), corpus(6, 3, 2), 6);
    assertEquals(16, six.identifiers().size());
    assertThrows(IllegalArgumentException.class, () -> six.add(names("m", 1), corpus(1, 3, 3), 1));
  }

  @Test
  void loadingSomethingElseFailsWithTheReason() throws Exception {
    Exception e = assertThrows(java.io.IOException.class, () -> IndexStore.load(dir));
    assertTrue(e.getMessage().contains("no index.json"), e.getMessage());
  }
}
