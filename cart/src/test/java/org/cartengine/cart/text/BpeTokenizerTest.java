package org.cartengine.cart.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class BpeTokenizerTest {
  static final List<String> TEXTS = List.of("grin", "grinning face", "big grin", "face with tears of joy", "smiling face", "smile", "grin face",
      "dog face", "cat face", "running", "run", "sunny", "sun", "winning", "win");

  @Test
  void unseenWordFormIsSpelledWithKnownPieces() {
    BpeTokenizer tok = BpeTokenizer.train(TEXTS.subList(0, 1).isEmpty() ? TEXTS : List.of("grin", "grin face", "running", "sun", "win"), 60, 1);
    int[] ids = tok.encode("grinning");
    assertTrue(ids.length >= 2, "grinning must split into several pieces");
    for (int id : ids) assertTrue(id != BpeTokenizer.UNK, "no unknown piece in 'grinning'");
    assertEquals("\u2581grin", tok.piece(ids[0]), "the known stem is the first piece");
    assertArrayEquals(new int[] {ids[0]}, tok.encode("grin"));
  }

  @Test
  void trainingIsDeterministicAndRoundTripsThroughJson() throws Exception {
    BpeTokenizer a = BpeTokenizer.train(TEXTS, 80, 2), b = BpeTokenizer.train(TEXTS, 80, 2);
    assertEquals(a.toJson(), b.toJson());
    Path f = Files.createTempFile("bpe", ".json");
    a.save(f);
    BpeTokenizer c = BpeTokenizer.load(f);
    for (String t : TEXTS) assertArrayEquals(a.encode(t), c.encode(t));
  }

  @Test
  void unknownCharactersMapToUnknownAndPunctuationSplitsWords() {
    BpeTokenizer tok = BpeTokenizer.train(TEXTS, 80, 2);
    assertEquals(List.of("dog", "face"), BpeTokenizer.words("Dog-FACE!"));
    int[] ids = tok.encode("\u00e9");
    assertEquals(1, ids.length);
    assertEquals(BpeTokenizer.UNK, ids[0]);
    assertFalse(tok.vocabSize() > 80);
  }
}
