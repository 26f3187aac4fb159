package org.cartengine.cart.enhance;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Word-set recombination: short query-style phrases made of an item's own tags and keywords. A candidate is a pair
 * of content words (no stop words) taken from two different train texts of the item and never found together in
 * one of them, in the order the texts come: tags "grinning", "face", "happy" give "grinning happy", "face happy", ...
 * Candidates are shuffled by a random generator seeded from (seed, item id), so the choice is deterministic and does
 * not depend on the other items.
 */
final class Recombination implements PseudoQueryMethod {
  /** Content words per text considered, so that a long caption does not make thousands of pairs. */
  static final int MAX_WORDS_PER_TEXT = 12;

  private final TrainTexts train;
  private final List<String> ids;
  private final long seed;

  Recombination(TrainTexts train, List<String> ids, long seed) {
    this.train = train;
    this.ids = ids;
    this.seed = seed;
  }

  @Override
  public String source() {
    return CaptionEnhancer.RECOMBINATION;
  }

  @Override
  public List<String> candidates(int item) {
    List<List<String>> words = new ArrayList<>();
    Map<String, Set<Integer>> textsOf = new HashMap<>();
    for (String t : train.seeds(item)) {
      LinkedHashSet<String> w = new LinkedHashSet<>();
      for (Texts.Token tok : Texts.tokens(t)) {
        if (w.size() < MAX_WORDS_PER_TEXT && Texts.isContent(tok.word())) w.add(tok.word());
      }
      if (w.isEmpty()) continue;
      for (String x : w) textsOf.computeIfAbsent(x, z -> new HashSet<>()).add(words.size());
      words.add(new ArrayList<>(w));
    }
    Set<String> pairs = new HashSet<>();
    List<String> out = new ArrayList<>();
    for (int a = 0; a < words.size(); a++) {
      for (int b = a + 1; b < words.size(); b++) {
        for (String w1 : words.get(a)) {
          for (String w2 : words.get(b)) {
            if (w1.equals(w2) || !Collections.disjoint(textsOf.get(w1), textsOf.get(w2))) continue;
            String key = w1.compareTo(w2) < 0 ? w1 + ' ' + w2 : w2 + ' ' + w1;
            if (pairs.add(key)) out.add(w1 + ' ' + w2);
          }
        }
      }
    }
    Collections.shuffle(out, CaptionEnhancer.rng(seed, ids.get(item), source()));
    return out;
  }
}
