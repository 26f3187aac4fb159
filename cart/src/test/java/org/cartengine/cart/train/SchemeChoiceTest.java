package org.cartengine.cart.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import org.cartengine.cart.data.Dataset;
import org.cartengine.cart.ids.Scheme;
import org.junit.jupiter.api.Test;

/** --scheme auto: atomic only where every item can be learned and the corpus is small; the paper's ids otherwise. */
class SchemeChoiceTest {
  private static BitSet all(int n) {
    BitSet b = new BitSet(n);
    b.set(0, n);
    return b;
  }

  @Test
  void smallCorpusWithEveryItemCaptionedGetsAtomicIds() {
    assertEquals(Scheme.ATOMIC, SchemeChoice.auto(1911, all(1911)).scheme());
    assertEquals(Scheme.ATOMIC, SchemeChoice.auto(SchemeChoice.ATOMIC_MAX_ITEMS, all(SchemeChoice.ATOMIC_MAX_ITEMS)).scheme());
  }

  @Test
  void anItemWithoutATrainCaptionKeepsSemanticIds() {
    BitSet covered = all(100);
    covered.clear(42);
    SchemeChoice.Choice c = SchemeChoice.auto(100, covered);
    assertEquals(Scheme.CART, c.scheme());
    assertTrue(c.reason().startsWith("1 of 100 items have no train caption"), c.reason());
  }

  @Test
  void aLargeCorpusKeepsSemanticIds() {
    int n = SchemeChoice.ATOMIC_MAX_ITEMS + 1;
    assertEquals(Scheme.CART, SchemeChoice.auto(n, all(n)).scheme());
  }

  @Test
  void pseudoQueriesDoNotMakeAnItemCovered() {
    Dataset emoji = Dataset.open("emoji");
    java.util.List<org.cartengine.cart.data.Caption> kept = new java.util.ArrayList<>();
    for (org.cartengine.cart.data.Caption c : emoji.captions()) if (c.item() != 7 || c.split() != org.cartengine.cart.data.Split.TRAIN) kept.add(c);
    kept.add(new org.cartengine.cart.data.Caption(7, emoji.ids().get(7), "borrowed words", org.cartengine.cart.data.Split.TRAIN,
        org.cartengine.cart.enhance.CaptionEnhancer.TRANSFER));
    SchemeChoice.Choice c = SchemeChoice.auto(emoji.withCaptions(kept));
    assertEquals(Scheme.CART, c.scheme());
    assertTrue(c.reason().startsWith("1 of 1,911 items have no train caption of their own"), c.reason());
  }

  @Test
  void theEmbeddedDatasetHasACaptionForEveryItem() {
    assertEquals(Scheme.ATOMIC, SchemeChoice.auto(Dataset.open("emoji")).scheme());
  }
}
