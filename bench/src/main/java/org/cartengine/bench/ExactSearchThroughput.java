package org.cartengine.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import org.cartengine.cart.search.ExactTopK;
import org.cartengine.cart.search.TopK;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.Backends;

/**
 * Queries per second of exact inner-product top-10 over random unit vectors: {@link ExactTopK} (item blocks, running
 * heaps) against the old way, the full (batch x n) score matrix from one matmul copied to the host and a heap per row
 * ({@link TopK}). The old way holds batch x n floats at once (8 GB at 1M items and a batch of 2048), so it runs only up
 * to a given corpus size; where both run, their results are compared.
 *
 * <p>Usage: {@code java --add-modules jdk.incubator.vector -Xmx12g -cp bench/target/benchmarks.jar
 * org.cartengine.bench.ExactSearchThroughput [sizes, default 100000,1000000] [batches, default 2048,256] [dim 256]
 * [queries 2048] [largest corpus for the old way, default 100000]}
 */
public final class ExactSearchThroughput {
  public static void main(String[] args) {
    int[] sizes = ints(args.length > 0 ? args[0] : "100000,1000000");
    int[] batches = ints(args.length > 1 ? args[1] : "2048,256");
    int dim = args.length > 2 ? Integer.parseInt(args[2]) : 256;
    int nq = args.length > 3 ? Integer.parseInt(args[3]) : 2048;
    long naiveMax = args.length > 4 ? Long.parseLong(args[4]) : 100_000;
    int k = 10;
    Backend be = Backends.get();
    System.out.println("# exact inner-product top-" + k + ", dim " + dim + ", " + nq + " queries, backend " + be.name() + ": " + be.device());
    System.out.println("# " + MachineInfo.cpu() + "; " + MachineInfo.load());
    System.out.println(String.format(Locale.ROOT, "%-10s %6s %-8s %12s %10s", "items", "batch", "method", "queries/s", "seconds"));
    Random r = new Random(7);
    float[] queries = unitRows(r, nq, dim);
    for (int n : sizes) {
      float[] items = unitRows(r, n, dim);
      for (int batch : batches) {
        int[][] exact = new int[nq][];
        run(n, batch, "exact", nq, () -> {
          for (int s = 0; s < nq; s += batch) {
            int b = Math.min(batch, nq - s);
            int[][] t = ExactTopK.search(be, Arrays.copyOfRange(queries, s * dim, (s + b) * dim), b, items, n, dim, k);
            System.arraycopy(t, 0, exact, s, b);
          }
        });
        if (n > naiveMax) continue;
        int[][] naive = new int[nq][];
        Tensor itemsT = Tensor.of(be, items, n, dim).t();
        run(n, batch, "naive", nq, () -> {
          for (int s = 0; s < nq; s += batch) {
            int b = Math.min(batch, nq - s);
            float[] scores = Tensor.of(be, Arrays.copyOfRange(queries, s * dim, (s + b) * dim), b, dim).matmul(itemsT).toFloatArray();
            for (int i = 0; i < b; i++) naive[s + i] = TopK.topK(scores, i * n, n, k);
          }
        });
        System.out.println("#   same top-" + k + " lists as the old way: " + Arrays.deepEquals(exact, naive));
      }
    }
  }

  private static void run(int n, int batch, String method, int nq, Runnable pass) {
    double best = Timing.bestOfTwo(pass);
    System.out.println(String.format(Locale.ROOT, "%-10d %6d %-8s %12.1f %10.3f", n, batch, method, nq / best, best));
  }

  /** Row-major unit vectors, each a normalised Gaussian draw. */
  static float[] unitRows(Random r, int rows, int dim) {
    float[] a = new float[rows * dim];
    for (int i = 0; i < rows; i++) {
      double ss = 0;
      for (int x = 0; x < dim; x++) {
        float v = (float) r.nextGaussian();
        a[i * dim + x] = v;
        ss += v * v;
      }
      float inv = (float) (1 / Math.sqrt(ss));
      for (int x = 0; x < dim; x++) a[i * dim + x] *= inv;
    }
    return a;
  }

  private static int[] ints(String s) {
    return Arrays.stream(s.split(",")).mapToInt(Integer::parseInt).toArray();
  }
}
