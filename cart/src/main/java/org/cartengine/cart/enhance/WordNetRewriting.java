package org.cartengine.cart.enhance;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Query-style rewriting through WordNet: one content word of one of the item's own short train texts is replaced by
 * a synonym or a direct hypernym ({@link WordNet}), so that "dog face" also reads "canine face" and "puppy head" can
 * meet "dog head". All such one-word rewrites of the item are candidates, shuffled by a random generator seeded from
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
    Set<String> out = new LinkedHashSet<>();
    for (String text : train.seeds(item)) {
      List<Texts.Token> toks = Texts.tokens(text);
      if (toks.size() > MAX_WORDS) continue;
      for (Texts.Token t : toks) {
        if (t.word().length() < 3 || !Texts.isContent(t.word()) || !Texts.isAlphabetic(t.word())) continue;
        for (String v : wordNet.variants(t.word()).all()) {
          out.add(text.substring(0, t.start()) + v + text.substring(t.end()));
        }
      }
    }
    List<String> list = new ArrayList<>(out);
    Collections.shuffle(list, CaptionEnhancer.rng(seed, ids.get(item), source()));
    return list;
  }
}
