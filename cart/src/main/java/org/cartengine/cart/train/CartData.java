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
import org.cartengine.cart.data.PairSet;
import org.cartengine.cart.data.Split;
import org.cartengine.cart.text.QueryTokenizer;

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
  public static PairSet trainPairs(Dataset ds, QueryTokenizer tok) {
    return pairs(ds.captions(Split.TRAIN), tok);
  }

  /**
   * Queries of a held-out split. Relevance rule of the dataset format (cart/data/package-info.java): a query is a hit for every item that has a caption with the same text,
   * after lower-casing and collapsing whitespace; so a test label that is also another item's train caption counts for
   * both items. A {@code test} query looks at the captions of every split; a {@code val} query only at {@code train}
   * and {@code val} captions, so that nothing chosen on val ever reads a test caption. Generated captions (those with
   * a {@code source}, the caption enhancement's pseudo-queries) do not make an item relevant: they are training data
   * made by a tool, and counting them would let enhancement redefine the ground truth it is measured on.
   */
  public static PairSet queries(Dataset ds, Split split, QueryTokenizer tok) {
    return pairs(ds.captions(split), relevance(relevanceCaptions(ds, split)), tok);
  }

  /** The captions whose texts decide relevance for queries of {@code split} (the dataset format's rule). */
  public static List<Caption> relevanceCaptions(Dataset ds, Split split) {
    List<Caption> all = new ArrayList<>();
    for (Split s : Split.values()) {
      if (split == Split.VAL && s == Split.TEST) continue;
      for (Caption c : ds.captions(s)) if (c.source() == null || s == split) all.add(c);
    }
    return all;
  }

  static PairSet pairs(List<Caption> caps, QueryTokenizer tok) {
    return pairs(caps, relevance(caps), tok);
  }

  /** Normalised caption text -> every item that has it among {@code caps}. */
  static Map<String, Set<Integer>> relevance(List<Caption> caps) {
    Map<String, Set<Integer>> byText = new HashMap<>();
    for (Caption c : caps) byText.computeIfAbsent(key(c.text()), k -> new HashSet<>()).add(c.item());
    return byText;
  }

  static PairSet pairs(List<Caption> caps, Map<String, Set<Integer>> byText, QueryTokenizer tok) {
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

  /** The relevance rule's normal form: lower case, whitespace runs collapsed to one space, trimmed. */
  public static String key(String text) {
    return WHITESPACE.matcher(text.toLowerCase(Locale.ROOT)).replaceAll(" ").trim();
  }

  private static final java.util.regex.Pattern WHITESPACE = java.util.regex.Pattern.compile("\\s+");
}
