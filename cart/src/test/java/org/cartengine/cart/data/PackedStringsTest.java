package org.cartengine.cart.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

/** The packed columns behave as a list of strings and the id index as a map from string to its first position. */
class PackedStringsTest {

  @Property(tries = 200)
  void actsAsListAndIndex(@ForAll @Size(max = 300) List<@StringLength(max = 6) String> strings) {
    PackedStrings indexed = PackedStrings.indexed(), plain = PackedStrings.plain();
    List<String> expect = new ArrayList<>();
    Map<String, Integer> first = new HashMap<>();
    for (String s : strings) {
      indexed.add(s);
      plain.add(s);
      expect.add(s);
      first.putIfAbsent(s, expect.size() - 1);
    }
    indexed.trim();
    assertEquals(expect, indexed);
    assertEquals(expect, plain);
    Map<String, Integer> index = indexed.asIndex();
    assertEquals(expect.size(), index.size());
    for (String s : strings) {
      assertEquals(first.get(s), indexed.indexOf(s), s);
      assertEquals(first.get(s), plain.indexOf(s), s);
      assertEquals(first.get(s), index.get(s), s);
    }
    assertEquals(-1, indexed.indexOf("\u0000absent\u0000"));
    assertNull(index.get("\u0000absent\u0000"));
    assertNull(index.get(42));
  }

  @Test
  void unicodeRoundTripsAndBadIndexFails() {
    PackedStrings p = PackedStrings.indexed();
    for (String s : List.of("", "red heart \u2764\uFE0F", "\uD83D\uDE00 grinning", "tab\tinside", "caf\u00E9")) p.add(s);
    assertEquals("\uD83D\uDE00 grinning", p.get(2));
    assertEquals(4, p.indexOf("caf\u00E9"));
    assertEquals(0, p.indexOf(""));
    assertThrows(IndexOutOfBoundsException.class, () -> p.get(5));
    assertThrows(IllegalStateException.class, () -> PackedStrings.plain().asIndex());
    assertTrue(p.heapBytes() > 0);
  }

  @Test
  void manyIdsStayFindable() {
    PackedStrings p = PackedStrings.indexed();
    int n = 200_000;
    for (int i = 0; i < n; i++) p.add("item-" + i);
    for (int i = 0; i < n; i += 997) assertEquals(i, p.indexOf("item-" + i));
    assertEquals(-1, p.indexOf("item-" + n));
  }
}
