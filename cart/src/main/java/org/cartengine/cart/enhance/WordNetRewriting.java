package org.cartengine.cart.enhance;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Query-style rewriting through WordNet: one content word of one of the item's own short train texts is replaced by
 * a synonym or a direct hypernym ({@link WordNet}), so that "dog face" also reads "canine face" and "puppy head" can
 * meet "dog head". Synonym rewrites come first (they keep the meaning; a hypernym generalises it, "cow" to
 * "organism", and makes the query less specific), each group shuffled by a random generator seeded from
 * (seed, item id).
 */
final class WordNetRewriting implements PseudoQueryMethod {
  /** Texts with more words than this are sentences, not queries: left alone. */
  static final int MAX_WORDS = 8;

  private final TrainTexts train;
  private final List<String> ids;
  private final long seed;
  private final WordNet wordNet;

  WordNetRewriting(TrainTexts train, List<String> ids, long seed, WordNet wordNet) {
    this.train = train;
    this.ids = ids;
    this.seed = seed;
    this.wordNet = wordNet;
  }

  @Override
  public String source() {
    return CaptionEnhancer.WORDNET;
  }

  @Override
  public List<String> candidates(int item) {
    Set<String> synonyms = new LinkedHashSet<>();
    Set<String> hypernyms = new LinkedHashSet<>();
    for (String text : train.seeds(item)) {
      List<Texts.Token> toks = Texts.tokens(text);
      if (toks.size() > MAX_WORDS) continue;
      for (Texts.Token t : toks) {
        if (t.word().length() < 3 || !Texts.isContent(t.word()) || !Texts.isAlphabetic(t.word())) continue;
        WordNet.Variants v = wordNet.variants(t.word());
        for (String s : v.synonyms()) synonyms.add(replace(text, t, s));
        for (String h : v.hypernyms()) hypernyms.add(replace(text, t, h));
      }
    }
    hypernyms.removeAll(synonyms);
    Random rng = CaptionEnhancer.rng(seed, ids.get(item), source());
    List<String> out = new ArrayList<>(synonyms);
    Collections.shuffle(out, rng);
    List<String> general = new ArrayList<>(hypernyms);
    Collections.shuffle(general, rng);
    out.addAll(general);
    return out;
  }

  private static String replace(String text, Texts.Token t, String by) {
    return text.substring(0, t.start()) + by + text.substring(t.end());
  }
}
