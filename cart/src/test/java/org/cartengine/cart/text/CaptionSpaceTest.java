package org.cartengine.cart.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.cartengine.cart.baseline.CaptionMatch;
import org.cartengine.cart.data.Caption;
import org.cartengine.cart.data.Split;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaptionSpaceTest {
  @TempDir Path dir;

  // Items 0-3 in a 2-d item space: 0 and 2 look alike, 1 and 3 look alike; item 3 has no caption.
  static final float[] ITEMS = {1, 0, 0, 1, 0.9f, 0.1f, 0.1f, 0.9f};
  static final List<Caption> TRAIN = List.of(
      new Caption(0, "a", "red apple", Split.TRAIN), new Caption(0, "a", "apple fruit", Split.TRAIN),
      new Caption(1, "b", "blue whale", Split.TRAIN),
      new Caption(2, "c", "green pear", Split.TRAIN));

  @Test
  void captionedItemsAreTheMeanOfTheirCaptionsAndColdItemsBorrowTheirLookAlikes() {
    HashedWords enc = new HashedWords(64);
    CaptionSpace.Space s = CaptionSpace.build(enc, TRAIN, ITEMS, 4, 2);
    assertEquals(4, s.n());
    assertTrue(s.captioned().get(0) && s.captioned().get(2));
    assertFalse(s.captioned().get(3));
    float[][] e = enc.embed(List.of("red apple", "apple fruit", "blue whale"));
    float[] mean = new float[64];
    for (int j = 0; j < 64; j++) mean[j] = e[0][j] + e[1][j];
    CaptionSpace.normalise(mean, 1, 64);
    assertArrayEquals(mean, s.row(0), 1e-6f);
    // Item 3 looks like item 1 (cosine 0.99 against 0.22 for item 0 and item 2): its vector is essentially "blue whale"'s.
    assertTrue(dot(s.row(3), e[2]) > 0.99, "cold item's vector follows its look-alike");
    for (int i = 0; i < 4; i++) assertEquals(1.0, dot(s.row(i), s.row(i)), 1e-5);
  }

  @Test
  void pseudoQueriesTrainTheRetrieverButDoNotPlaceItems() {
    HashedWords enc = new HashedWords(64);
    java.util.List<Caption> withPseudo = new java.util.ArrayList<>(TRAIN);
    withPseudo.add(new Caption(0, "a", "yellow banana", Split.TRAIN, "neighbour-transfer"));
    withPseudo.add(new Caption(3, "d", "red apple", Split.TRAIN, "neighbour-transfer"));
    CaptionSpace.Space plain = CaptionSpace.build(enc, TRAIN, ITEMS, 4, 2);
    CaptionSpace.Space s = CaptionSpace.build(enc, withPseudo, ITEMS, 4, 2);
    assertFalse(s.captioned().get(3), "an item with pseudo-queries only is still cold");
    assertArrayEquals(plain.vectors(), s.vectors(), 0f);
    // With no human caption anywhere, the generated ones are all there is.
    CaptionSpace.Space generated = CaptionSpace.build(enc, List.of(new Caption(1, "b", "blue whale", Split.TRAIN, "wordnet")), ITEMS, 4, 2);
    assertTrue(generated.captioned().get(1));
    assertTrue(dot(generated.row(1), enc.embed(List.of("blue whale"))[0]) > 0.999);
  }

  @Test
  void captionMatchRanksTheItemWhoseCaptionsSayItFirst() {
    CaptionSpace.Space s = CaptionSpace.build(new HashedWords(64), TRAIN, ITEMS, 4, 2);
    List<int[]> r = new CaptionMatch(new HashedWords(64), s).rank(List.of("an apple", "whale", "pear"), 2, 2);
    assertEquals(0, r.get(0)[0]);
    assertEquals(1, r.get(1)[0]);
    assertEquals(3, r.get(1)[1], "the uncaptioned look-alike of the whale comes next");
    assertEquals(2, r.get(2)[0]);
  }

  @Test
  void savedSpaceLoadsBack() throws Exception {
    CaptionSpace.Space s = CaptionSpace.build(new HashedWords(16), TRAIN, ITEMS, 4, 2);
    Path f = dir.resolve("space.npy");
    CaptionSpace.save(f, s);
    CaptionSpace.Space back = CaptionSpace.load(f);
    assertEquals(4, back.n());
    assertArrayEquals(s.vectors(), back.vectors());
  }

  static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) s += a[i] * b[i];
    return s;
  }
}
