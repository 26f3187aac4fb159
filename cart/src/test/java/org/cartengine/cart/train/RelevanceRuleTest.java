package org.cartengine.cart.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.cartengine.cart.data.Caption;
import org.cartengine.cart.data.Dataset;
import org.cartengine.cart.data.DatasetInfo;
import org.cartengine.cart.data.Embeddings;
import org.cartengine.cart.data.PairSet;
import org.cartengine.cart.data.Split;
import org.cartengine.cart.text.BpeTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dataset format's relevance rule: same text (lower-cased, whitespace collapsed), human captions only; any split for a test query, train and val for a val query. */
class RelevanceRuleTest {
  @TempDir Path dir;

  @Test
  void aQueryIsAHitForEveryItemWithTheSameTextInTheSplitsItMayRead() {
    List<String> ids = List.of("a", "b", "c", "d");
    List<Caption> caps = List.of(
        new Caption(0, "a", "Skull", Split.TEST),
        new Caption(1, "b", "skull", Split.TRAIN),            // another item's train caption: relevant
        new Caption(2, "c", "  SKULL ", Split.VAL),           // case and surrounding space differ: relevant
        new Caption(3, "d", "skull", Split.TRAIN, "neighbour-transfer"), // generated: not relevant
        new Caption(0, "a", "pirate   flag", Split.TEST),
        new Caption(1, "b", "Pirate flag", Split.VAL),        // inner whitespace collapsed: relevant
        new Caption(2, "c", "pirate-flag", Split.TRAIN),      // different text: not relevant
        new Caption(3, "d", "bones", Split.TEST));
    org.cartengine.cart.data.DatasetWriter.write(dir, DatasetInfo.of("rel", "image", "test", "made up", "CC0"), ids, List.of("", "", "", ""), List.of("", "", "", ""),
        Embeddings.of(new float[16], 4, 4), caps);
    Dataset ds = Dataset.load(dir);
    BpeTokenizer tok = BpeTokenizer.train(CartData.trainTexts(ds), 64, 1);
    PairSet test = CartData.queries(ds, Split.TEST, tok);
    assertEquals(3, test.size());
    assertEquals(Set.of(0, 1, 2), test.relevant().get(0));
    assertEquals(Set.of(0, 1), test.relevant().get(1));
    assertEquals(Set.of(3), test.relevant().get(2));
    // A val query never reads a test caption: item 0's "Skull" is a test caption, so only the train and val ones count.
    PairSet val = CartData.queries(ds, Split.VAL, tok);
    assertEquals(Set.of(1, 2), val.relevant().get(0));
    assertEquals(Set.of(1), val.relevant().get(1));
  }
}
