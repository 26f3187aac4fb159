package org.cartengine.cart.enhance;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.cartengine.cart.data.Caption;
import org.cartengine.cart.data.Split;

/**
 * The {@code train} captions of every item: the only captions caption enhancement sees. Built from a list of train
 * captions (it rejects any other split), so that no path from the enhancer reaches a val or test query.
 */
public final class TrainTexts {
  private final List<List<Caption>> byItem;

  private TrainTexts(List<List<Caption>> byItem) {
    this.byItem = byItem;
  }

  /**
   * @param items N, the number of items
   * @param train captions of split train only, e.g. {@code dataset.captions(Split.TRAIN)}
   */
  public static TrainTexts of(int items, List<Caption> train) {
    List<List<Caption>> by = new ArrayList<>(items);
    for (int i = 0; i < items; i++) by.add(new ArrayList<>());
    for (Caption c : train) {
      if (c.split() != Split.TRAIN) {
        throw new IllegalArgumentException("caption enhancement reads train captions only, got a " + c.split().json()
            + " caption of item " + c.itemId());
      }
      if (c.item() < 0 || c.item() >= items) {
        throw new IllegalArgumentException("caption of item " + c.item() + " outside [0, " + items + ")");
      }
      by.get(c.item()).add(c);
    }
    for (int i = 0; i < items; i++) by.set(i, Collections.unmodifiableList(by.get(i)));
    return new TrainTexts(Collections.unmodifiableList(by));
  }

  public int items() {
    return byItem.size();
  }

  /** Item {@code i}'s train captions, in file order. */
  public List<Caption> of(int i) {
    return byItem.get(i);
  }

  public boolean hasAny(int i) {
    return !byItem.get(i).isEmpty();
  }

  /**
   * The texts that the methods start from: item {@code i}'s train captions except the pseudo-queries this enhancer
   * made itself (human captions and a user's own generated ones, e.g. source "blip", are kept), so that enhancing
   * an enhanced dataset again adds nothing new.
   */
  public List<String> seeds(int i) {
    List<String> out = new ArrayList<>();
    for (Caption c : byItem.get(i)) if (!CaptionEnhancer.isOwnSource(c.source())) out.add(c.text());
    return out;
  }

  /** How many of item {@code i}'s train captions have {@code source}. */
  int count(int i, String source) {
    int n = 0;
    for (Caption c : byItem.get(i)) if (source.equals(c.source())) n++;
    return n;
  }

  /** The normalised forms ({@link Texts#normalise}) of all of item {@code i}'s train texts. */
  Set<String> normalisedTexts(int i) {
    Set<String> out = new HashSet<>();
    for (Caption c : byItem.get(i)) out.add(Texts.normalise(c.text()));
    return out;
  }
}
