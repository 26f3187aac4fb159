package org.cartengine.cart.ids;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** The token table is stored in bytes, chars or ints by its largest vocabulary; every width reads back what was given. */
class IdentifiersPackingTest {

  @Property(tries = 60)
  void everyWidthReadsBack(@ForAll @IntRange(min = 1, max = 200) int n, @ForAll @IntRange(min = 0, max = 2) int width, @ForAll long seed) {
    Random r = new Random(seed);
    int top = width == 0 ? 256 : width == 1 ? 65536 : 1 << 20;
    int[] vocab = {1 + r.nextInt(top), top, n}; // the last position numbers the items, so identifiers are distinct
    int[] tok = new int[n * 3];
    for (int i = 0; i < n; i++)
      for (int j = 0; j < 3; j++) tok[i * 3 + j] = j == 2 ? i : r.nextInt(vocab[j]);
    if (n > 0) tok[1] = top - 1; // the largest token of the widest position
    Identifiers ids = new Identifiers(tok, n, 3, vocab);
    assertArrayEquals(tok, ids.all());
    for (int i = 0; i < n; i++) {
      assertArrayEquals(java.util.Arrays.copyOfRange(tok, i * 3, i * 3 + 3), ids.tokens(i));
      for (int j = 0; j < 3; j++) assertEquals(tok[i * 3 + j], ids.token(i, j));
      assertEquals(i, ids.trie().lookup(ids.tokens(i)), "item " + i + " is found by its identifier");
    }
  }
}
