package org.cartengine.cart.train;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.cartengine.cart.data.Caption;

/**
 * A validation set for datasets without a {@code val} split: a deterministic slice of the human train captions, held out
 * of training and used as val queries (model selection, the re-rank weight). Many real datasets come without a val split;
 * without one, a run could only keep its last epoch and a fixed re-rank weight.
 *
 * <p>Only items with at least two human train captions give one away, and each gives at most one, so every item keeps a
 * train caption and stays learnable. The slice is a function of the captions alone (a hash of item and text), so a resumed
 * run holds out the same captions. Its size grows with the data: {@link #SHARE} of the train captions, at most
 * {@link #MAX_QUERIES} (enough to tell epochs apart; more would only take training data away).
 */
public final class HeldOutVal {
  /** Share of the train captions held out. */
  public static final double SHARE = 0.12;
  /** At most this many captions are held out. */
  public static final int MAX_QUERIES = 600;

  private HeldOutVal() {}

  /** The train captions split into what is trained on and what is held out. */
  public record Split(List<Caption> train, List<Caption> heldOut) {}

  public static Split of(List<Caption> train, int items) {
    int[] human = new int[items];
    for (Caption c : train) if (c.source() == null) human[c.item()]++;
    // Candidates: one human caption per item with two or more, the one with the smallest hash.
    Caption[] pick = new Caption[items];
    long[] best = new long[items];
    for (Caption c : train) {
      if (c.source() != null || human[c.item()] < 2) continue;
      long h = hash(c);
      if (pick[c.item()] == null || Long.compareUnsigned(h, best[c.item()]) < 0) {
        pick[c.item()] = c;
        best[c.item()] = h;
      }
    }
    int want = (int) Math.min(MAX_QUERIES, Math.floor(SHARE * train.size()));
    // The items whose picks hash lowest give theirs, so the choice does not depend on caption order.
    List<Integer> cands = new ArrayList<>();
    for (int i = 0; i < items; i++) if (pick[i] != null) cands.add(i);
    cands.sort((a, b) -> Long.compareUnsigned(best[a], best[b]));
    BitSet out = new BitSet(items);
    for (int k = 0; k < Math.min(want, cands.size()); k++) out.set(cands.get(k));
    List<Caption> keep = new ArrayList<>(), held = new ArrayList<>();
    for (Caption c : train) (out.get(c.item()) && c == pick[c.item()] ? held : keep).add(c);
    return new Split(keep, held);
  }

  /** FNV-1a over the item index and the caption text, then a 64-bit finaliser. */
  private static long hash(Caption c) {
    long h = 0xcbf29ce484222325L ^ c.item();
    for (int i = 0; i < c.text().length(); i++) {
      h ^= c.text().charAt(i);
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    return h ^ (h >>> 33);
  }
}
