package org.cartengine.cart.enhance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.cartengine.cart.data.Caption;
import org.cartengine.cart.data.Dataset;
import org.cartengine.cart.data.Split;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;

/**
 * Enhancement reads train captions only: altering, adding or removing val/test captions changes nothing in its
 * output, and the output's val/test captions are the input's. Also the invariants of every output.
 */
class EnhanceSplitIsolationTest {
  private static final Backend BE = new ReferenceBackend();
  private static final EnhanceConfig CFG = EnhanceConfig.DEFAULT.withNeighbours(3).withPerItem(2);

  @Property(tries = 40)
  void valAndTestCaptionsDoNotChangeTheOutput(@ForAll @IntRange(min = 1, max = 10) int n,
      @ForAll @IntRange(min = 1, max = 5) int d, @ForAll long seed) throws Exception {
    Random r = new Random(seed);
    float[] emb = Synthetic.gaussian(r, n, d);
    List<Caption> caps = Synthetic.captions(r, n, 0.6);
    List<Caption> altered = alterHeldOut(r, caps, n);
    Path dir = Synthetic.tempDir();
    try {
      Dataset a = Synthetic.write(dir.resolve("a"), emb, n, d, caps);
      Dataset b = Synthetic.write(dir.resolve("b"), emb, n, d, altered);
      Enhanced ea = CaptionEnhancer.enhance(a, CFG.withSeed(seed), BE);
      Enhanced eb = CaptionEnhancer.enhance(b, CFG.withSeed(seed), BE);
      assertEquals(Synthetic.keys(ea.dataset().captions(Split.TRAIN)), Synthetic.keys(eb.dataset().captions(Split.TRAIN)));
      assertEquals(ea.addedPerSource(), eb.addedPerSource());
      for (Split s : List.of(Split.VAL, Split.TEST)) {
        assertEquals(Synthetic.keys(b.captions(s)), Synthetic.keys(eb.dataset().captions(s)), s + " copied unchanged");
      }
      checkInvariants(a, ea, CFG.perItem());
    } finally {
      Synthetic.deleteTree(dir);
    }
  }

  /** New val/test captions (other texts, other items, other counts and positions); train lines keep their order. */
  private static List<Caption> alterHeldOut(Random r, List<Caption> caps, int n) {
    List<Caption> out = new ArrayList<>();
    for (Caption c : caps) {
      if (c.split() == Split.TRAIN) {
        out.add(c);
      } else if (r.nextInt(3) > 0) {
        out.add(new Caption(r.nextInt(n), null, "changed " + Synthetic.text(r), r.nextBoolean() ? Split.VAL : Split.TEST));
      }
      if (r.nextInt(4) == 0) out.add(new Caption(r.nextInt(n), null, Synthetic.text(r), Split.TEST));
    }
    return out;
  }

  /**
   * Train = the original train captions then the pseudo-queries; each pseudo-query has an enhancer source, is new to
   * its item (normalised), and no method adds more than perItem to an item.
   */
  static void checkInvariants(Dataset before, Enhanced e, int perItem) {
    List<Caption> train0 = before.captions(Split.TRAIN);
    List<Caption> train1 = e.dataset().captions(Split.TRAIN);
    assertEquals(Synthetic.keys(train0), Synthetic.keys(train1.subList(0, train0.size())), "original train first");
    Map<Integer, Set<String>> seen = new HashMap<>();
    for (Caption c : train0) seen.computeIfAbsent(c.item(), x -> new HashSet<>()).add(Texts.normalise(c.text()));
    Map<String, Integer> perItemSource = new HashMap<>();
    Map<String, Integer> counts = new HashMap<>();
    for (Caption c : train1.subList(train0.size(), train1.size())) {
      assertTrue(CaptionEnhancer.SOURCES.contains(c.source()), "source " + c.source());
      assertTrue(seen.computeIfAbsent(c.item(), x -> new HashSet<>()).add(Texts.normalise(c.text())),
          "\"" + c.text() + "\" is new to " + c.itemId());
      int k = perItemSource.merge(c.item() + c.source(), 1, Integer::sum);
      assertTrue(k <= perItem, "at most " + perItem + " per item and source");
      counts.merge(c.source(), 1, Integer::sum);
    }
    for (String s : CaptionEnhancer.SOURCES) {
      assertEquals(counts.getOrDefault(s, 0), e.addedPerSource().get(s), "count of " + s);
    }
  }

  @Test
  void trainTextsRejectOtherSplits() {
    List<Caption> caps = List.of(new Caption(0, "a", "dog", Split.TRAIN), new Caption(0, "a", "cat", Split.TEST));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainTexts.of(1, caps));
    assertTrue(e.getMessage().contains("train captions only"), e.getMessage());
  }
}
