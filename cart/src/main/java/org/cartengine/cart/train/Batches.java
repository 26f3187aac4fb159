package org.cartengine.cart.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.cartengine.cart.data.PairSet;
import org.cartengine.cart.data.Shuffle;

/** The training batches of an epoch. */
final class Batches {
  private Batches() {}

  /**
   * The batches of one epoch, a function of the seed only (so a resumed run sees the same batches):
   * a shuffled order is cut into windows of 32 batches, each window is sorted by query length and cut
   * into batches, and the batch order is shuffled again. Batches of similar lengths waste little on
   * padding, which is most of the encoder's and the fusion's cost on short queries.
   */
  static List<int[]> ofEpoch(PairSet train, int bs, long seed) {
    int n = train.size();
    int[] order = Shuffle.order(n, seed);
    int window = bs * 32;
    List<int[]> out = new ArrayList<>();
    for (int w = 0; w < n; w += window) {
      Integer[] win = new Integer[Math.min(n, w + window) - w];
      for (int i = 0; i < win.length; i++) win[i] = order[w + i];
      Arrays.sort(win, (a, b) -> Integer.compare(train.queries().get(a).length, train.queries().get(b).length));
      for (int s = 0; s < win.length; s += bs) {
        int[] b = new int[Math.min(win.length, s + bs) - s];
        for (int i = 0; i < b.length; i++) b[i] = win[s + i];
        out.add(b);
      }
    }
    int[] perm = Shuffle.order(out.size(), seed ^ 0x5DEECE66DL);
    List<int[]> shuffledBatches = new ArrayList<>();
    for (int p : perm) shuffledBatches.add(out.get(p));
    return shuffledBatches;
  }
}
