package org.cartengine.cart.train;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.cartengine.cart.data.Caption;
import org.cartengine.cart.data.Dataset;
import org.cartengine.cart.data.Split;
import org.cartengine.cart.text.BpeTokenizer;

/** Turns a dataset's captions into tokenised training pairs and evaluation query sets. */
public final class CartData {
  private CartData() {}

  /** Texts of the train split (what the tokenizer is learned from). */
  public static List<String> trainTexts(Dataset ds) {
    List<String> out = new ArrayList<>();
    for (Caption c : ds.captions(Split.TRAIN)) out.add(c.text());
    return out;
  }

  /** &lt;query, item&gt; pairs of the train split (paper section 3.5). */
  public static PairSet trainPairs(Dataset ds, BpeTokenizer tok) {
    return pairs(ds.captions(Split.TRAIN), tok);
  }

  /**
   * Queries of a held-out split; a query counts as a hit for every item that has the same text in
   * that split (the dataset format, cart/data/package-info.java: a text written for several items counts for any of them).
   */
  public static PairSet queries(Dataset ds, Split split, BpeTokenizer tok) {
    return pairs(ds.captions(split), tok);
  }

  static PairSet pairs(List<Caption> caps, BpeTokenizer tok) {
    Map<String, Set<Integer>> byText = new HashMap<>();
    for (Caption c : caps) byText.computeIfAbsent(key(c.text()), k -> new HashSet<>()).add(c.item());
    List<int[]> q = new ArrayList<>();
    List<Set<Integer>> rel = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    int[] items = new int[caps.size()];
    for (int i = 0; i < caps.size(); i++) {
      Caption c = caps.get(i);
      q.add(tok.encode(c.text()));
      items[i] = c.item();
      rel.add(Set.copyOf(byText.get(key(c.text()))));
      texts.add(c.text());
    }
    return new PairSet(q, items, rel, texts);
  }

  private static String key(String text) {
    return text.trim().toLowerCase(Locale.ROOT);
  }
}
