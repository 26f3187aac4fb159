package org.cartengine.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.cartengine.cart.ids.SyntheticCorpus;
import org.cartengine.cart.search.ExactTopK;
import org.cartengine.cart.search.HnswIndex;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.Backends;

/**
 * Approximate search (Lucene's HNSW, {@link HnswIndex}) against exact search ({@link ExactTopK}) on synthetic unit
 * vectors: build time, then queries/s and recall@10 against the exact top-10 for each search width ef. The corpus is
 * {@link SyntheticCorpus} (topics, sub-topics and a low-dimensional fine subspace, as real embeddings have); queries
 * are further rows of the same corpus, not indexed. {@code random} instead draws isotropic unit vectors, the worst case
 * for any graph index (no structure to exploit).
 *
 * <p>Usage: {@code java --add-modules jdk.incubator.vector -Xmx16g -cp bench/target/benchmarks.jar
 * org.cartengine.bench.AnnThroughput [sizes, default 100000,1000000] [dim 256] [queries 2048] [ef list, default
 * 10,20,50,100,200] [corpus: synthetic|random]}
 */
public final class AnnThroughput {
  public static void main(String[] args) throws Exception {
    int[] sizes = ints(args.length > 0 ? args[0] : "100000,1000000");
    int dim = args.length > 1 ? Integer.parseInt(args[1]) : 256;
    int nq = args.length > 2 ? Integer.parseInt(args[2]) : 2048;
    int[] efs = ints(args.length > 3 ? args[3] : "10,20,50,100,200");
    boolean random = args.length > 4 && args[4].equals("random");
    int k = 10;
    Backend be = Backends.get();
    System.out.println("# top-" + k + " by inner product, dim " + dim + ", " + nq + " queries, " + (random ? "isotropic random" : "SyntheticCorpus")
        + " unit vectors; HNSW M " + HnswIndex.DEFAULT_M + ", beam width " + HnswIndex.DEFAULT_BEAM_WIDTH + ", " + HnswIndex.INDEX_THREADS
        + " indexing threads; exact: ExactTopK, batch 2048, backend " + be.name());
    System.out.println("# " + MachineInfo.cpu() + "; " + MachineInfo.load());
    System.out.println(String.format(Locale.ROOT, "%-10s %-14s %12s %10s %9s", "items", "method", "queries/s", "seconds", "recall@10"));
    for (int n : sizes) {
      float[] all = random ? ExactSearchThroughput.unitRows(new java.util.Random(7), n + nq, dim) : SyntheticCorpus.generate(SyntheticCorpus.Spec.of(n + nq, dim, 7));
      float[] queries = Arrays.copyOfRange(all, n * dim, (n + nq) * dim);
      int[][] exact = new int[nq][];
      double exactS = Timing.bestOfTwo(() -> {
        for (int s = 0; s < nq; s += 2048) {
          int b = Math.min(2048, nq - s);
          int[][] t = ExactTopK.search(be, Arrays.copyOfRange(queries, s * dim, (s + b) * dim), b, all, n, dim, k);
          System.arraycopy(t, 0, exact, s, b);
        }
      });
      System.out.println(String.format(Locale.ROOT, "%-10d %-14s %12.1f %10.3f %9s", n, "exact", nq / exactS, exactS, "1.000"));
      Path dir = Files.createTempDirectory("hnsw-bench");
      long t0 = System.nanoTime();
      int step = Math.max(1, n / 20);
      int[] shown = {0};
      HnswIndex idx = HnswIndex.build(all, n, dim, HnswIndex.DEFAULT_M, HnswIndex.DEFAULT_BEAM_WIDTH, dir, i -> {
        if (i / step > shown[0]) {
          shown[0] = i / step;
          System.err.printf(Locale.ROOT, "\r  building: %d of %d rows, %.0f s", i, n, (System.nanoTime() - t0) / 1e9);
        }
      });
      double buildS = (System.nanoTime() - t0) / 1e9;
      System.err.println();
      System.out.println(String.format(Locale.ROOT, "#   HNSW build of %d items: %.1f s (%.0f items/s), %d segments, %d MB on disk", n, buildS, n / buildS,
          idx.segments(), dirBytes(dir) >> 20));
      for (int ef : efs) {
        int[][][] got = new int[1][][];
        double s = Timing.bestOfTwo(() -> got[0] = idx.search(queries, nq, k, Math.max(k, ef)));
        System.out.println(String.format(Locale.ROOT, "%-10d %-14s %12.1f %10.3f %9.3f", n, "hnsw ef " + Math.max(k, ef), nq / s, s, ExactTopK.recall(got[0], exact)));
      }
      idx.close();
      deleteTree(dir);
    }
  }

  private static long dirBytes(Path dir) throws java.io.IOException {
    try (var s = Files.list(dir)) {
      return s.mapToLong(p -> p.toFile().length()).sum();
    }
  }

  private static void deleteTree(Path dir) throws java.io.IOException {
    try (var s = Files.list(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) Files.delete(p);
    }
    Files.delete(dir);
  }

  private static int[] ints(String s) {
    return Arrays.stream(s.split(",")).mapToInt(Integer::parseInt).toArray();
  }
}
