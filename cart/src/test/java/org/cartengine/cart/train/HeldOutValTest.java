package org.cartengine.cart.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.cartengine.cart.data.Caption;
import org.cartengine.cart.data.Split;

class HeldOutValTest {
  /** Random datasets: items with 0-5 captions, some generated. */
  static List<Caption> captions(int items, long seed) {
    java.util.Random r = new java.util.Random(seed);
    List<Caption> out = new ArrayList<>();
    for (int i = 0; i < items; i++) {
      int n = r.nextInt(6);
      for (int c = 0; c < n; c++) out.add(new Caption(i, "i" + i, "caption " + r.nextInt(50), Split.TRAIN, r.nextInt(5) == 0 ? "generated" : null));
    }
    return out;
  }

  @Property(tries = 60)
  void everyItemKeepsItsCaptionsButOneAndTheSliceIsBounded(@ForAll @IntRange(min = 1, max = 400) int items, @ForAll long seed) {
    List<Caption> train = captions(items, seed);
    HeldOutVal.Split s = HeldOutVal.of(train, items);
    assertEquals(train.size(), s.train().size() + s.heldOut().size());
    assertTrue(s.heldOut().size() <= Math.min(HeldOutVal.MAX_QUERIES, Math.floor(HeldOutVal.SHARE * train.size())));
    Set<Integer> heldItems = new HashSet<>();
    for (Caption c : s.heldOut()) {
      assertTrue(c.source() == null, "only human captions are held out");
      assertTrue(heldItems.add(c.item()), "at most one per item");
    }
    int[] before = new int[items], after = new int[items];
    for (Caption c : train) if (c.source() == null) before[c.item()]++;
    for (Caption c : s.train()) if (c.source() == null) after[c.item()]++;
    for (int i = 0; i < items; i++) if (before[i] > 0) assertTrue(after[i] >= 1, "item " + i + " keeps a human train caption");
  }

  @Property(tries = 30)
  void theSliceDoesNotDependOnCaptionOrder(@ForAll @IntRange(min = 1, max = 200) int items, @ForAll long seed) {
    List<Caption> train = captions(items, seed);
    List<Caption> shuffled = new ArrayList<>(train);
    Collections.shuffle(shuffled, new java.util.Random(seed + 1));
    assertEquals(new HashSet<>(HeldOutVal.of(train, items).heldOut()), new HashSet<>(HeldOutVal.of(shuffled, items).heldOut()));
  }
}
