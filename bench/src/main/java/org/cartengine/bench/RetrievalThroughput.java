package org.cartengine.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.cartengine.cart.baseline.DualTower;
import org.cartengine.cart.ids.Identifiers;
import org.cartengine.cart.model.CartConfig;
import org.cartengine.cart.model.CartModel;
import org.cartengine.cart.report.Plots;
import org.cartengine.cart.report.Table;
import org.cartengine.cart.search.Evaluator;
import org.cartengine.engine.DType;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.Backends;
import org.cartengine.engine.nn.Rng;

/**
 * Queries per second of CART's constrained beam search versus the dual tower's brute-force cosine
 * top-k as the corpus grows (the paper's Figure 4). Speed does not depend on training, so both run
 * untrained at the default model sizes on synthetic items with random distinct identifiers
 * (K = 128, two codebooks of 128, unique token) and random item embeddings.
 *
 * <p>Usage: {@code java --add-modules jdk.incubator.vector -Xmx12g -cp bench/target/benchmarks.jar
 * org.cartengine.bench.RetrievalThroughput [sizes, default 1000,10000,100000,1000000] [dim 256] [queries 256]}
 */
public final class RetrievalThroughput {
  public static void main(String[] args) throws Exception {
    int[] sizes = args.length > 0 ? java.util.Arrays.stream(args[0].split(",")).mapToInt(Integer::parseInt).toArray() : new int[] {1000, 10000, 100000, 1000000};
    int dim = args.length > 1 ? Integer.parseInt(args[1]) : 256;
    int nq = args.length > 2 ? Integer.parseInt(args[2]) : 256;
    Backend be = Backends.get();
    Random r = new Random(1);
    List<int[]> queries = new ArrayList<>();
    for (int i = 0; i < nq; i++) {
      int[] q = new int[4 + r.nextInt(6)];
      for (int j = 0; j < q.length; j++) q[j] = 2 + r.nextInt(2998);
      queries.add(q);
    }
    Table t = new Table("items", "CART queries/s", "dual tower queries/s");
    Map<String, double[][]> series = new LinkedHashMap<>();
    double[][] cartPts = new double[sizes.length][], dualPts = new double[sizes.length][];
    for (int s = 0; s < sizes.length; s++) {
      int n = sizes[s];
      Identifiers ids = syntheticIds(n, r);
      CartConfig cfg = new CartConfig(3000, ids.vocabSizes(), 128, 4, 256, 3, 3, 0.1, 24, true);
      CartModel model = new CartModel(be, DType.F32, new Rng(1), cfg);
      Evaluator.rank(model, ids.trie(), queries.subList(0, Math.min(32, nq)), 10, 10, 256); // warm-up
      double cartQps = Evaluator.rank(model, ids.trie(), queries, 10, 10, 256).queriesPerSecond();
      float[] emb = new float[n * dim];
      for (int i = 0; i < emb.length; i++) emb[i] = (float) r.nextGaussian();
      DualTower dt = new DualTower(be, new Rng(2), 3000, 128, 4, 256, 3, 0.1, 24, emb, n, dim);
      emb = null;
      dt.rank(queries.subList(0, Math.min(32, nq)), 10, 256); // warm-up
      long t0 = System.nanoTime();
      dt.rank(queries, 10, 256);
      double dualQps = nq / ((System.nanoTime() - t0) / 1e9);
      t.row(String.format("%,d", n), String.format("%.0f", cartQps), String.format("%.0f", dualQps));
      cartPts[s] = new double[] {n, cartQps};
      dualPts[s] = new double[] {n, dualQps};
      System.err.println(t);
    }
    series.put("CART (beam 10)", cartPts);
    series.put("dual tower (brute-force cosine, dim " + dim + ")", dualPts);
    System.out.println("backend " + be.name() + " (" + be.device() + "), " + nq + " queries, batch 256");
    System.out.println(t);
    Plots.lines(Path.of("bench", "results", "throughput.png"), "Retrieval throughput vs corpus size", "items", "queries/s", series, true);
    System.out.println("wrote bench/results/throughput.png");
  }

  /** Random distinct identifiers (k, v1, v2, u) with the paper's sizes: u counts collisions of (k, v1, v2). */
  static Identifiers syntheticIds(int n, Random r) {
    int[] tok = new int[n * 4];
    Map<Long, Integer> seen = new java.util.HashMap<>();
    int maxU = 0;
    for (int i = 0; i < n; i++) {
      int k = r.nextInt(128), v1 = r.nextInt(128), v2 = r.nextInt(128);
      long key = ((long) k << 16) | (v1 << 8) | v2;
      int u = seen.merge(key, 1, Integer::sum) - 1;
      maxU = Math.max(maxU, u);
      tok[i * 4] = k;
      tok[i * 4 + 1] = v1;
      tok[i * 4 + 2] = v2;
      tok[i * 4 + 3] = u;
    }
    return new Identifiers(tok, n, 4, new int[] {128, 128, 128, maxU + 1});
  }
}
