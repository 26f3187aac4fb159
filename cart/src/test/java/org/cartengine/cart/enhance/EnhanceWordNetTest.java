package org.cartengine.cart.enhance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.cartengine.cart.data.Caption;
import org.cartengine.cart.data.Split;
import org.junit.jupiter.api.Test;

/** WordNet 3.1 from the classpath: synonyms and hypernyms of known words, and the one-word rewrites built on them. */
class EnhanceWordNetTest {
  private final WordNet wn = WordNet.shared();

  @Test
  void knownWordsHaveSynonymsAndHypernyms() {
    assertTrue(wn.variants("dog").hypernyms().contains("canine"), wn.variants("dog").toString());
    assertTrue(wn.variants("car").synonyms().contains("automobile"), wn.variants("car").toString());
    assertTrue(wn.variants("puppy").hypernyms().contains("dog"), wn.variants("puppy").toString());
    assertTrue(wn.variants("Dogs").hypernyms().contains("canine"), "case and inflection are reduced");
    // "flag" as a masthead (sense 2, tagged 3 times against 31) would give "listing": rare senses are left out
    assertTrue(!wn.variants("flag").all().contains("listing"), wn.variants("flag").toString());
  }

  @Test
  void onlySingleWordLowerCaseLemmasOtherThanTheWord() {
    for (String w : List.of("dog", "face", "head", "grinning", "flag", "happy")) {
      for (String v : wn.variants(w).all()) {
        assertTrue(v.matches("[\\p{Ll}][\\p{Ll}-]*[\\p{Ll}]"), w + " -> " + v);
        assertTrue(!v.equals(w) && !Texts.STOP.contains(v), w + " -> " + v);
      }
    }
    assertEquals(List.of(), wn.variants("the").all(), "stop words are not looked up");
    assertEquals(List.of(), wn.variants("qwxzv").all(), "unknown word");
  }

  @Test
  void rewritesReplaceOneWordOfTheItemsText() {
    List<Caption> caps = List.of(new Caption(0, "x", "Dog face", Split.TRAIN));
    List<String> got = new WordNetRewriting(TrainTexts.of(1, caps), List.of("x"), 0, wn).candidates(0);
    assertTrue(got.contains("canine face"), got.toString());
    for (String s : got) {
      List<Texts.Token> t = Texts.tokens(s);
      assertTrue(t.get(t.size() - 1).word().equals("face") || t.get(0).word().equals("dog"), "one word replaced: " + s);
    }
  }
}
