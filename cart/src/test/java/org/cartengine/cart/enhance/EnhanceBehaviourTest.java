package org.cartengine.cart.enhance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
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
import org.junit.jupiter.api.io.TempDir;

/** Determinism under a seed, captions for caption-less items, transfer weighting, idempotence, the size cap. */
class EnhanceBehaviourTest {
  private static final Backend BE = new ReferenceBackend();

  @TempDir Path tmp;

  /** 12 items in three clusters; every item has several keyword texts, so the random methods have choices. */
  private Dataset rich(Path dir) {
    Random r = new Random(3);
    int n = 12, d = 4;
    float[] emb = new float[n * d];
    List<Caption> caps = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      for (int t = 0; t < d; t++) emb[i * d + t] = (t == i % 3 ? 5f : 0f) + (float) r.nextGaussian();
      for (int c = 0; c < 5; c++) caps.add(new Caption(i, null, Synthetic.text(r), Split.TRAIN));
      caps.add(new Caption(i, null, "held out " + i, Split.TEST));
    }
    return Synthetic.write(dir, emb, n, d, caps);
  }

  @Test
  void sameSeedSameOutputOtherSeedOtherChoices() {
    Dataset ds = rich(tmp.resolve("rich"));
    EnhanceConfig cfg = EnhanceConfig.DEFAULT.withNeighbours(3).withSeed(42);
    List<String> a = Synthetic.keys(CaptionEnhancer.enhance(ds, cfg, BE).dataset().captions());
    List<String> b = Synthetic.keys(CaptionEnhancer.enhance(Dataset.load(tmp.resolve("rich")), cfg, BE).dataset().captions());
    assertEquals(a, b, "same seed, same captions in the same order");
    List<String> c = Synthetic.keys(CaptionEnhancer.enhance(ds, cfg.withSeed(43), BE).dataset().captions());
    assertNotEquals(a, c, "another seed picks other recombinations / rewrites");
    List<String> transferA = a.stream().filter(k -> k.contains("|" + CaptionEnhancer.TRANSFER + "|")).toList();
    List<String> transferC = c.stream().filter(k -> k.contains("|" + CaptionEnhancer.TRANSFER + "|")).toList();
    assertEquals(transferA, transferC, "neighbour transfer does not depend on the seed");
  }

  @Property(tries = 30)
  void itemsWithoutTrainCaptionsReceiveSome(@ForAll @IntRange(min = 2, max = 12) int n,
      @ForAll @IntRange(min = 1, max = 6) int d, @ForAll long seed) throws Exception {
    Random r = new Random(seed);
    List<Caption> caps = Synthetic.captions(r, n, 0.5);
    caps.add(new Caption(r.nextInt(n), null, Synthetic.text(r), Split.TRAIN)); // at least one donor
    Path dir = Synthetic.tempDir();
    try {
      Dataset ds = Synthetic.write(dir.resolve("d"), Synthetic.gaussian(r, n, d), n, d, caps);
      TrainTexts before = TrainTexts.of(n, ds.captions(Split.TRAIN));
      Enhanced e = CaptionEnhancer.enhance(ds, EnhanceConfig.DEFAULT.withNeighbours(2), BE);
      TrainTexts after = TrainTexts.of(n, e.dataset().captions(Split.TRAIN));
      for (int i = 0; i < n; i++) {
        if (before.hasAny(i)) continue;
        assertTrue(after.hasAny(i), "item " + i + " got no train caption");
        for (Caption c : after.of(i)) assertEquals(CaptionEnhancer.TRANSFER, c.source());
      }
    } finally {
      Synthetic.deleteTree(dir);
    }
  }

  @Test
  void bareItemsAreNamedAfterTheirCluster() {
    // 6 well-separated clusters, each with its own words; 4 of each cluster's 10 items have no train caption
    List<List<String>> words = List.of(List.of("dog", "puppy", "bark"), List.of("cat", "kitten", "purr"),
        List.of("car", "wheel", "road"), List.of("tree", "leaf", "forest"), List.of("apple", "fruit", "red"),
        List.of("house", "roof", "door"));
    Random r = new Random(11);
    int n = 60, d = 8;
    float[] emb = new float[n * d];
    List<Caption> caps = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int c = i % 6;
      for (int t = 0; t < d; t++) emb[i * d + t] = (t == c ? 4f : 0f) + (float) (0.3 * r.nextGaussian());
      if (!bare(i)) {
        caps.add(new Caption(i, null, words.get(c).get(r.nextInt(3)), Split.TRAIN));
        caps.add(new Caption(i, null, words.get(c).get(r.nextInt(3)) + " " + words.get(c).get(r.nextInt(3)), Split.TRAIN));
      }
    }
    Dataset ds = Synthetic.write(tmp.resolve("clusters"), emb, n, d, caps);
    Enhanced e = CaptionEnhancer.enhance(ds, EnhanceConfig.DEFAULT.withNeighbours(5), BE);
    int bareCaptions = 0;
    for (Caption c : e.dataset().captions(Split.TRAIN)) {
      if (!bare(c.item())) continue;
      bareCaptions++;
      for (Texts.Token t : Texts.tokens(c.text())) {
        assertTrue(words.get(c.item() % 6).contains(t.word()), c.itemId() + " got \"" + c.text() + "\"");
      }
    }
    assertEquals(24 * 3, bareCaptions, "3 transferred texts for each of the 24 bare items");
  }

  /** 4 of the 10 items of each cluster. */
  private static boolean bare(int i) {
    return (i / 6) % 3 == 0;
  }

  @Test
  void transferRanksTextsBySummedSimilarity() {
    // item 0 is bare; items 1 and 2 are close to it and share "dog", item 3 is closest but alone with "cat"
    float[] emb = {1, 0, 0.8f, 0.6f, 0.8f, -0.6f, 0.95f, 0.31f};
    List<Caption> caps = List.of(new Caption(1, null, "dog", Split.TRAIN), new Caption(2, null, "Dog!", Split.TRAIN),
        new Caption(3, null, "cat", Split.TRAIN), new Caption(1, null, "grass", Split.TRAIN));
    Dataset ds = Synthetic.write(tmp.resolve("w"), emb, 4, 2, caps);
    TrainTexts train = TrainTexts.of(4, ds.captions(Split.TRAIN));
    NeighbourTransfer t = new NeighbourTransfer(train, ds.embeddings(), 3, 100, BE);
    assertEquals(List.of(3, 1, 2), java.util.Arrays.stream(t.neighbours().index()[0]).boxed().toList());
    // dog: 0.8 + 0.8 = 1.6 > cat: 0.95 > grass: 0.8; the first surface form met is kept
    assertEquals(List.of("dog", "cat", "grass"), t.candidates(0));
  }

  @Test
  void enhancingTwiceAddsNothing() {
    Dataset ds = rich(tmp.resolve("rich"));
    EnhanceConfig cfg = EnhanceConfig.DEFAULT.withNeighbours(3).withSeed(5);
    Enhanced once = CaptionEnhancer.enhance(ds, cfg, BE);
    assertTrue(once.added() > 0);
    EnhanceSplitIsolationTest.checkInvariants(ds, once, cfg.perItem());
    once.dataset().save(tmp.resolve("once"));
    Enhanced twice = CaptionEnhancer.enhance(Dataset.load(tmp.resolve("once")), cfg, BE);
    assertEquals(0, twice.added(), "pseudo-queries are not enhanced again and count against perItem");
  }

  @Test
  void methodsCanBeSwitchedOff() {
    Dataset ds = rich(tmp.resolve("rich"));
    Enhanced none = CaptionEnhancer.enhance(ds, EnhanceConfig.DEFAULT.withMethods(false, false, false), BE);
    assertEquals(0, none.added());
    assertEquals(Synthetic.keys(ds.captions()), Synthetic.keys(none.dataset().captions()));
    Enhanced onlyRecombination = CaptionEnhancer.enhance(ds, EnhanceConfig.DEFAULT.withMethods(false, true, false), BE);
    Set<String> sources = new HashSet<>();
    for (Caption c : onlyRecombination.dataset().captions()) if (c.source() != null) sources.add(c.source());
    assertEquals(Set.of(CaptionEnhancer.RECOMBINATION), sources);
  }

  @Test
  void recombinationPairsWordsOfDifferentTexts() {
    List<Caption> caps = List.of(new Caption(0, "x", "grinning face", Split.TRAIN),
        new Caption(0, "x", "happy", Split.TRAIN), new Caption(0, "x", "the smile", Split.TRAIN));
    Recombination rc = new Recombination(TrainTexts.of(1, caps), List.of("x"), 0);
    Set<String> got = new HashSet<>(rc.candidates(0));
    // never "grinning face" (one text), never a stop word ("the"), pairs in text order
    assertEquals(Set.of("grinning happy", "face happy", "grinning smile", "face smile", "happy smile"), got);
  }

  @Test
  void exactSearchIsCappedWithAMessage() {
    Dataset ds = rich(tmp.resolve("rich"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> CaptionEnhancer.enhance(ds, EnhanceConfig.DEFAULT.withMaxExactItems(5), BE));
    assertTrue(e.getMessage().contains("--max-exact") && e.getMessage().contains("--no-transfer"), e.getMessage());
  }
}
