package org.cartengine.cart.ids;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

class PrefixTriePropertiesTest {
  /** Distinct identifiers of length 1..5 over small vocabularies (so prefixes are shared), rows in random order. */
  @Provide
  Arbitrary<int[][]> identifierSets() {
    return Combinators.combine(Arbitraries.integers().between(1, 5), Arbitraries.integers().between(1, 6), Arbitraries.integers().between(0, 60), Arbitraries.longs())
        .as((len, vocab, n, seed) -> {
          java.util.Random r = new java.util.Random(seed);
          Set<List<Integer>> rows = new LinkedHashSet<>();
          for (int i = 0; i < n * 3 && rows.size() < n; i++) {
            List<Integer> row = new ArrayList<>();
            // Occasionally a large token, to exercise the sparse-token sort path.
            for (int p = 0; p < len; p++) row.add(r.nextInt(20) == 0 ? 1_000_000 + r.nextInt(3) : r.nextInt(vocab));
            rows.add(row);
          }
          int[][] out = new int[rows.size()][];
          int i = 0;
          for (List<Integer> row : rows) out[i++] = row.stream().mapToInt(Integer::intValue).toArray();
          return out;
        });
  }

  static int[] flat(int[][] rows, int len) {
    int[] out = new int[rows.length * len];
    for (int i = 0; i < rows.length; i++) System.arraycopy(rows[i], 0, out, i * len, len);
    return out;
  }

  @Property(tries = 200)
  void trieAllowsExactlyTheValidContinuations(@ForAll("identifierSets") int[][] rows) {
    int len = rows.length == 0 ? 3 : rows[0].length;
    int[] ids = flat(rows, len);
    TrieChecks.assertMatchesBruteForce(PrefixTrie.build(ids, rows.length, len), ids, rows.length, len);
  }

  @Property(tries = 200)
  void growingEqualsBuildingFromScratch(@ForAll("identifierSets") int[][] rows, @ForAll @IntRange(min = 0, max = 100) int splitPercent) {
    int len = rows.length == 0 ? 3 : rows[0].length;
    int[] ids = flat(rows, len);
    int n = rows.length, old = n * splitPercent / 100;
    PrefixTrie grown = PrefixTrie.build(Arrays.copyOf(ids, old * len), old, len).grow(ids, n, len);
    PrefixTrie built = PrefixTrie.build(ids, n, len);
    assertArrayEquals(built.layout().token(), grown.layout().token());
    assertArrayEquals(built.layout().firstChild(), grown.layout().firstChild());
    assertArrayEquals(built.layout().childCount(), grown.layout().childCount());
    assertArrayEquals(built.layout().leafItem(), grown.layout().leafItem());
    TrieChecks.assertMatchesBruteForce(grown, ids, n, len);
  }

  @Property(tries = 100)
  void duplicateIdentifiersAreRejectedNamingBothItems(@ForAll("identifierSets") int[][] rows, @ForAll @IntRange(min = 0, max = 1000) int pick) {
    if (rows.length == 0) return;
    int len = rows[0].length, n = rows.length;
    int[] ids = Arrays.copyOf(flat(rows, len), (n + 1) * len);
    int dup = pick % n;
    System.arraycopy(ids, dup * len, ids, n * len, len);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PrefixTrie.build(ids, n + 1, len));
    assertEquals(true, e.getMessage().contains("items " + dup + " and " + n) || e.getMessage().contains("items " + n + " and " + dup), e.getMessage());
  }

  @Property(tries = 100)
  void uniqueTokenCountsEarlierItemsWithTheSamePrefix(@ForAll("identifierSets") int[][] rows) {
    int len = rows.length == 0 ? 3 : rows[0].length, n = rows.length;
    // Treat each row's first len-1 tokens (or all, for len 1) as the semantic prefix, duplicates allowed.
    int pl = Math.max(1, len - 1);
    int[] sem = new int[n * pl];
    for (int i = 0; i < n; i++) System.arraycopy(rows[i], 0, sem, i * pl, pl);
    int[] withU = new PrefixDatabase(pl).appendUnique(sem, n);
    for (int i = 0; i < n; i++) {
      int earlier = 0;
      for (int j = 0; j < i; j++) if (Arrays.equals(sem, j * pl, j * pl + pl, sem, i * pl, i * pl + pl)) earlier++;
      assertEquals(earlier, withU[i * (pl + 1) + pl]);
    }
    // Continuing from a trie of the first half gives the same u as counting everything at once.
    int half = n / 2;
    PrefixTrie first = PrefixTrie.build(Arrays.copyOf(withU, half * (pl + 1)), half, pl + 1);
    int[] rest = new PrefixDatabase(pl, first).appendUnique(Arrays.copyOfRange(sem, half * pl, n * pl), n - half);
    assertArrayEquals(Arrays.copyOfRange(withU, half * (pl + 1), n * (pl + 1)), rest);
  }
}
