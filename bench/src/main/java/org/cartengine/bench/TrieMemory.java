package org.cartengine.bench;

import java.util.Locale;
import java.util.SplittableRandom;
import org.cartengine.cart.ids.Identifiers;
import org.cartengine.cart.ids.PrefixDatabase;
import org.cartengine.cart.ids.PrefixTrie;

/**
 * Memory and speed of the identifier state at scale (paper section 3.2.3 and 3.5): the prefix database
 * that assigns unique tokens, the identifier table and the prefix trie, for n synthetic identifiers
 * (k, v1..vM, u). Semantic tokens are drawn uniformly (K x N^M prefixes), which maximises the number
 * of distinct prefixes and so the trie's internal nodes: real corpora collide more and need less.
 *
 * <p>Usage: {@code java -Xmx6g -cp bench/target/benchmarks.jar org.cartengine.bench.TrieMemory
 * [n, default 10000000] [K 128] [N 128] [M 2] [added 100000]}
 */
public final class TrieMemory {
  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000_000;
    int k = args.length > 1 ? Integer.parseInt(args[1]) : 128;
    int size = args.length > 2 ? Integer.parseInt(args[2]) : 128;
    int m = args.length > 3 ? Integer.parseInt(args[3]) : 2;
    int added = args.length > 4 ? Integer.parseInt(args[4]) : 100_000;
    int sl = m + 1, len = m + 2;

    long heap0 = usedHeap();
    int[] sem = semantic(n, k, size, m, 1);
    long t = System.nanoTime();
    int[] tokens = new PrefixDatabase(sl).appendUnique(sem, n);
    double dbSec = secs(t);
    sem = null;
    int maxU = 0;
    for (int i = 0; i < n; i++) maxU = Math.max(maxU, tokens[i * len + sl]);
    int[] vocab = new int[len];
    vocab[0] = k;
    for (int j = 1; j <= m; j++) vocab[j] = size;
    vocab[sl] = maxU + 1;
    t = System.nanoTime();
    Identifiers ids = new Identifiers(tokens, n, len, vocab);
    double trieSec = secs(t);
    tokens = null;
    long heap1 = usedHeap();
    PrefixTrie trie = ids.trie();

    // Lookups of random existing identifiers.
    SplittableRandom r = new SplittableRandom(7);
    int probes = 1_000_000, found = 0;
    int[] id = new int[len];
    t = System.nanoTime();
    for (int q = 0; q < probes; q++) {
      int item = r.nextInt(n);
      for (int p = 0; p < len; p++) id[p] = ids.token(item, p);
      if (trie.lookup(id) == item) found++;
    }
    double lookupNs = (System.nanoTime() - t) / (double) probes;
    if (found != probes) throw new IllegalStateException("lookup failed for " + (probes - found) + " identifiers");

    // Growth: new items continue the prefix database from the trie; the trie grows by merging.
    int[] more = semantic(added, k, size, m, 2);
    t = System.nanoTime();
    int[] moreTokens = new PrefixDatabase(sl, trie).appendUnique(more, added);
    int[] v2 = vocab.clone();
    for (int i = 0; i < added; i++) v2[sl] = Math.max(v2[sl], moreTokens[i * len + sl] + 1);
    Identifiers grown = ids.append(moreTokens, added, v2);
    double growSec = secs(t);

    System.out.printf(Locale.ROOT, "identifiers          %,d of length %d (K = %d, %d codebooks of %d, largest u %d)%n", n, len, k, m, size, maxU);
    System.out.printf(Locale.ROOT, "trie                 %,d nodes, %,d bytes = %.1f bytes/item%n", trie.nodeCount(), trie.memoryBytes(), (double) trie.memoryBytes() / n);
    System.out.printf(Locale.ROOT, "identifier table     %,d bytes = %.1f bytes/item%n", 4L * n * len, 4.0 * len);
    System.out.printf(Locale.ROOT, "heap held            %,d MB (identifier table + trie, measured)%n", (heap1 - heap0) >> 20);
    System.out.printf(Locale.ROOT, "prefix database      %.2f s for %,d items (unique tokens)%n", dbSec, n);
    System.out.printf(Locale.ROOT, "trie build           %.2f s%n", trieSec);
    System.out.printf(Locale.ROOT, "lookup               %.0f ns per full identifier%n", lookupNs);
    System.out.printf(Locale.ROOT, "add %,d items     %.2f s (unique tokens from the trie, merge-grow), %,d items now%n", added, growSec, grown.size());
    System.out.printf(Locale.ROOT, "java                 %s, %d cores, max heap %,d MB%n", System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
  }

  /** n uniform semantic prefixes (k, v1..vM), row-major. */
  static int[] semantic(int n, int k, int size, int m, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int sl = m + 1;
    int[] out = new int[n * sl];
    for (int i = 0; i < n; i++) {
      out[i * sl] = r.nextInt(k);
      for (int j = 1; j <= m; j++) out[i * sl + j] = r.nextInt(size);
    }
    return out;
  }

  private static long usedHeap() {
    for (int i = 0; i < 3; i++) System.gc();
    Runtime rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }

  private static double secs(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }
}
