package org.cartengine.cart.ids;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** Brute-force oracle for a prefix trie: every prefix of every identifier, with its set of next tokens. */
final class TrieChecks {
  private TrieChecks() {}

  /** Asserts that trie answers exactly as the brute-force set of prefixes of ids (n x len). */
  static void assertMatchesBruteForce(PrefixTrie trie, int[] ids, int n, int len) {
    Map<List<Integer>, TreeSet<Integer>> next = new HashMap<>();
    for (int i = 0; i < n; i++) {
      List<Integer> prefix = new ArrayList<>();
      for (int p = 0; p < len; p++) {
        next.computeIfAbsent(List.copyOf(prefix), k -> new TreeSet<>()).add(ids[i * len + p]);
        prefix.add(ids[i * len + p]);
      }
    }
    if (n == 0) next.put(List.of(), new TreeSet<>());
    assertEquals(len, trie.length());
    assertEquals(n, trie.itemCount());
    // Nodes: one per distinct proper prefix (internal) plus one per identifier (leaf).
    assertEquals(next.size() + n, trie.nodeCount());
    for (var e : next.entrySet()) {
      int[] prefix = e.getKey().stream().mapToInt(Integer::intValue).toArray();
      int node = trie.walk(prefix, 0, prefix.length);
      int[] expect = e.getValue().stream().mapToInt(Integer::intValue).toArray();
      assertArrayEquals(expect, trie.allowed(node), "allowed after " + Arrays.toString(prefix));
      assertEquals(expect.length, trie.childCount(node));
      for (int c = 0; c < expect.length; c++) assertEquals(expect[c], trie.token(trie.child(node, c)));
      // Nothing else: a token just outside each gap leads nowhere.
      for (int t : new int[] {-1, expect.length == 0 ? 0 : expect[expect.length - 1] + 1})
        if (Arrays.binarySearch(expect, t) < 0) assertEquals(-1, trie.step(node, t));
      for (int c = 0; c + 1 < expect.length; c++)
        if (expect[c] + 1 < expect[c + 1]) assertEquals(-1, trie.step(node, expect[c] + 1), "gap after " + Arrays.toString(prefix));
    }
    for (int i = 0; i < n; i++) {
      int[] id = Arrays.copyOfRange(ids, i * len, i * len + len);
      assertEquals(i, trie.lookup(id));
      int leaf = trie.walk(id, 0, len);
      assertEquals(true, trie.isLeaf(leaf));
      assertEquals(i, trie.item(leaf));
    }
  }
}
