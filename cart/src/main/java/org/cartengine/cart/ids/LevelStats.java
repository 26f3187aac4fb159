package org.cartengine.cart.ids;

/**
 * Usage of one token position's vocabulary: how many codes are used (utilisation = used / size) and
 * the perplexity exp(H) of the code distribution, which equals size when every code is used equally
 * and 1 when one code takes everything (codebook collapse).
 */
public record LevelStats(String name, int size, int used, double utilisation, double perplexity) {

  /** Statistics of position pos of n identifiers (row-major, length tokens each) with vocabulary size. */
  public static LevelStats of(String name, int[] tokens, int n, int length, int pos, int size) {
    long[] counts = new long[size];
    for (int i = 0; i < n; i++) counts[tokens[i * length + pos]]++;
    return ofCounts(name, counts, n);
  }

  /** Statistics from the count of each code (counts.length = vocabulary size) over n identifiers (counted elsewhere, e.g. by Spark). */
  public static LevelStats ofCounts(String name, long[] counts, long n) {
    int size = counts.length;
    int used = 0;
    double h = 0;
    for (long c : counts) {
      if (c == 0) continue;
      used++;
      double p = (double) c / n;
      h -= p * Math.log(p);
    }
    return new LevelStats(name, size, used, size == 0 ? 0 : (double) used / size, n == 0 ? 0 : Math.exp(h));
  }
}
