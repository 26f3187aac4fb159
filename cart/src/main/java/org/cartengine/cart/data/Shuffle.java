package org.cartengine.cart.data;

import java.util.Random;

/** Seeded permutations: the order of an epoch is a function of its seed only, so a resumed run sees the same order. */
public final class Shuffle {
  private Shuffle() {}

  /** 0..n-1 in a Fisher-Yates order drawn from {@code new Random(seed)}. */
  public static int[] order(int n, long seed) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) a[i] = i;
    Random r = new Random(seed);
    for (int i = n - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }
}
