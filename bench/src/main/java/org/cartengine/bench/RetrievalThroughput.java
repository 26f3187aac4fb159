package org.cartengine.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.cartengine.cart.baseline.DualTower;
import org.cartengine.cart.cli.ModelOptions;
import org.cartengine.cart.ids.Identifiers;
import org.cartengine.cart.model.CartConfig;
import org.cartengine.cart.model.CartModel;
import org.cartengine.cart.report.Plots;
import org.cartengine.cart.report.Table;
import org.cartengine.engine.DType;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.Backends;
import org.cartengine.engine.nn.Rng;

/**
 * Queries per second of CART's constrained beam search versus the dual tower's brute-force cosine
 * top-k as the corpus grows (the paper's Figure 4), and the heap held by CART's served state (model,
 * identifier table, prefix trie) at each size. Speed does not depend on training, so both run
 * untrained (CART at the CLI's default width unless told otherwise) on synthetic items: identifiers (k, v1, v2, u) with K = 128,
 * two codebooks of 128 and a unique token u that grows as items collide, and random item embeddings.
 *
 * <p>CART is measured in several rounds over all sizes (the best round per size is kept, in queries per
 * wall-clock second and per CPU-second of the process), so a change
 * of load on a shared machine does not masquerade as a dependence on the corpus size. The dual tower
 * holds n x dim floats: sizes above the last argument are left out rather than swapping.
 *
 * <p>Usage: {@code java --add-modules jdk.incubator.vector -Xmx12g -cp bench/target/benchmarks.jar
 * org.cartengine.bench.RetrievalThroughput [sizes, default 1000,...,10000000] [dim 256] [queries 1024]
 * [rounds 3] [largest dual-tower corpus 1000000] [d_model, default the CLI's] [FFN, default 2 x d_model]}
 */
public final class RetrievalThroughput {
  public static void main(String[] args) throws Exception {
    int[] sizes = args.length > 0 ? java.util.Arrays.stream(args[0].split(",")).mapToInt(Integer::parseInt).toArray()
        : new int[] {1_000, 10_000, 100_000, 1_000_000, 10_000_000};
    int dim = args.length > 1 ? Integer.parseInt(args[1]) : 256;
    int nq = args.length > 2 ? Integer.parseInt(args[2]) : 1024;
    int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
    long dualMax = args.length > 4 ? Long.parseLong(args[4]) : 1_000_000;
    int dModel = args.length > 5 ? Integer.parseInt(args[5]) : new ModelOptions().dModel;
    int ffn = args.length > 6 ? Integer.parseInt(args[6]) : 2 * dModel;
    int beam = 10, batch = 256;
    Backend be = Backends.get();
    Random r = new Random(1);
    List<int[]> queries = randomQueries(nq, r);

    // CART's served state per size, its heap measured as it is built.
    List<Identifiers> idsBySize = new ArrayList<>();
    List<CartModel> models = new ArrayList<>();
    long[] heapMb = new long[sizes.length];
    int[] maxU = new int[sizes.length];
    for (int s = 0; s < sizes.length; s++) {
      long before = MachineInfo.usedHeap();
      Identifiers ids = syntheticIds(sizes[s], r);
      CartModel model = new CartModel(be, DType.F32, new Rng(1), config(ids, dModel, ffn));
      heapMb[s] = (MachineInfo.usedHeap() - before) >> 20;
      maxU[s] = ids.vocabSizes()[3] - 1;
      idsBySize.add(ids);
      models.add(model);
      System.err.printf(Locale.ROOT, "%,d items: served state %,d MB of heap, trie %,d nodes, largest u %d%n", sizes[s], heapMb[s], ids.trie().nodeCount(), maxU[s]);
    }
    SearchThroughput.run(models.get(0), idsBySize.get(0), queries.subList(0, batch), beam, batch, SearchThroughput.Method.INCREMENTAL); // warm-up
    double[] cartQps = new double[sizes.length], cartCpu = new double[sizes.length];
    for (int round = 0; round < rounds; round++)
      for (int s = 0; s < sizes.length; s++) {
        SearchThroughput.Rate rate = SearchThroughput.measure(models.get(s), idsBySize.get(s), queries, beam, batch, SearchThroughput.Method.INCREMENTAL);
        cartQps[s] = Math.max(cartQps[s], rate.wall());
        cartCpu[s] = Math.max(cartCpu[s], rate.cpu());
        System.err.printf(Locale.ROOT, "round %d, %,d items: CART %s (%s)%n", round + 1, sizes[s], rate, MachineInfo.load());
      }
    String loadAfterCart = MachineInfo.load();
    idsBySize.clear();
    models.clear();

    double[] dualQps = new double[sizes.length];
    for (int s = 0; s < sizes.length; s++) {
      int n = sizes[s];
      if ((long) n > dualMax) continue;
      float[] emb = new float[n * dim];
      for (int i = 0; i < emb.length; i++) emb[i] = (float) r.nextGaussian();
      DualTower dt = new DualTower(be, new Rng(2), 3000, 128, 4, 256, 3, 0.1, 24, emb, n, dim);
      emb = null;
      dt.rank(queries.subList(0, 32), 10, batch); // warm-up
      long t0 = System.nanoTime();
      dt.rank(queries, 10, batch);
      dualQps[s] = nq / ((System.nanoTime() - t0) / 1e9);
      System.err.printf(Locale.ROOT, "%,d items: dual tower %.0f queries/s (%s)%n", n, dualQps[s], MachineInfo.load());
    }

    Table t = new Table("items", "largest u", "CART queries/s", "vs smallest corpus", "CART queries per CPU-second", "vs smallest corpus",
        "served state heap (MB)", "dual tower queries/s");
    Map<String, double[][]> series = new LinkedHashMap<>();
    List<double[]> cartPts = new ArrayList<>(), dualPts = new ArrayList<>();
    for (int s = 0; s < sizes.length; s++) {
      t.row(String.format(Locale.ROOT, "%,d", sizes[s]), String.valueOf(maxU[s]), String.format(Locale.ROOT, "%.0f", cartQps[s]),
          String.format(Locale.ROOT, "%.2f", cartQps[s] / cartQps[0]), String.format(Locale.ROOT, "%.0f", cartCpu[s]),
          String.format(Locale.ROOT, "%.2f", cartCpu[s] / cartCpu[0]), String.format(Locale.ROOT, "%,d", heapMb[s]),
          dualQps[s] > 0 ? String.format(Locale.ROOT, "%.0f", dualQps[s]) : "not run (over " + dualMax + " items)");
      cartPts.add(new double[] {sizes[s], cartQps[s]});
      if (dualQps[s] > 0) dualPts.add(new double[] {sizes[s], dualQps[s]});
    }
    series.put("CART (beam 10)", cartPts.toArray(new double[0][]));
    series.put("dual tower (brute-force cosine, dim " + dim + ")", dualPts.toArray(new double[0][]));
    System.out.println("backend " + be.name() + " (" + be.device() + "), CART d_model " + dModel + " / FFN " + ffn + ", " + nq + " queries, batches of " + batch + ", best of " + rounds + " rounds for CART");
    System.out.println("cpu " + MachineInfo.cpu() + "; after CART: " + loadAfterCart + "; at the end: " + MachineInfo.load());
    System.out.println(t);
    Plots.lines(Path.of("bench", "results", "throughput.png"), "Retrieval throughput vs corpus size", "items", "queries/s", series, true);
    System.out.println("wrote bench/results/throughput.png");
  }

  /** The CLI's default retriever ({@code train} without options: 4 heads, 3 + 3 layers, fusion) at the given width. */
  static CartConfig config(Identifiers ids, int dModel, int ffn) {
    ModelOptions o = new ModelOptions();
    return new CartConfig(o.vocab, ids.vocabSizes(), dModel, o.heads, ffn, o.encoderLayers, o.decoderLayers, o.dropout, o.maxQueryLength, true);
  }

  /** n queries of 4 to 9 random text tokens. */
  static List<int[]> randomQueries(int n, Random r) {
    List<int[]> queries = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int[] q = new int[4 + r.nextInt(6)];
      for (int j = 0; j < q.length; j++) q[j] = 2 + r.nextInt(2998);
      queries.add(q);
    }
    return queries;
  }

  /** Random distinct identifiers (k, v1, v2, u) with the paper's sizes: u counts collisions of (k, v1, v2). */
  static Identifiers syntheticIds(int n, Random r) {
    int[] tok = new int[n * 4];
    int[] seen = new int[128 * 128 * 128];
    int maxU = 0;
    for (int i = 0; i < n; i++) {
      int k = r.nextInt(128), v1 = r.nextInt(128), v2 = r.nextInt(128);
      int u = seen[(k << 14) | (v1 << 7) | v2]++;
      maxU = Math.max(maxU, u);
      tok[i * 4] = k;
      tok[i * 4 + 1] = v1;
      tok[i * 4 + 2] = v2;
      tok[i * 4 + 3] = u;
    }
    return new Identifiers(tok, n, 4, new int[] {128, 128, 128, maxU + 1});
  }
}
