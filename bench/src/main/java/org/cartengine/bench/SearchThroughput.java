package org.cartengine.bench;

import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.cartengine.cart.ids.Identifiers;
import org.cartengine.cart.model.CartConfig;
import org.cartengine.cart.model.CartModel;
import org.cartengine.cart.search.BeamScoring;
import org.cartengine.cart.search.BeamSearch;
import org.cartengine.cart.search.QueryBatch;
import org.cartengine.cart.search.ReferenceBeamSearch;
import org.cartengine.engine.DType;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.Backends;
import org.cartengine.engine.nn.Rng;

/**
 * Batched search speed (issue 10): the incremental {@link BeamSearch} against the original
 * {@link ReferenceBeamSearch}, in the same process and the same sitting, alternating rounds so that a
 * change of machine load hits both. Beam 10, batches of 256 queries, the CLI's default model
 * (d_model 64, FFN 128, 4 heads, 3 + 3 layers, fusion) unless told otherwise, untrained (speed does not depend on training),
 * synthetic identifiers (k, v1, v2, u) with K = 128 and two codebooks of 128.
 *
 * <p>Usage: {@code java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar
 * org.cartengine.bench.SearchThroughput [items 100000] [queries 2048] [reference queries 256] [rounds 3] [d_model, default the CLI's] [FFN, default 2 x d_model]}
 */
public final class SearchThroughput {
  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int nq = args.length > 1 ? Integer.parseInt(args[1]) : 2048;
    int nRef = args.length > 2 ? Integer.parseInt(args[2]) : 256;
    int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
    int dModel = args.length > 4 ? Integer.parseInt(args[4]) : new org.cartengine.cart.cli.ModelOptions().dModel;
    int ffn = args.length > 5 ? Integer.parseInt(args[5]) : 2 * dModel;
    int beam = 10, batch = 256;
    Backend be = Backends.get();
    Random r = new Random(1);
    List<int[]> queries = RetrievalThroughput.randomQueries(nq, r);
    Identifiers ids = RetrievalThroughput.syntheticIds(n, r);
    CartModel model = new CartModel(be, DType.F32, new Rng(1), RetrievalThroughput.config(ids, dModel, ffn));
    // Warm-up: JIT and the backend's buffers.
    run(model, ids, queries.subList(0, batch), beam, batch, Method.INCREMENTAL);
    run(model, ids, queries.subList(0, Math.min(32, nRef)), beam, batch, Method.REFERENCE);
    Rate[] fast = new Rate[rounds], masked = new Rate[rounds], ref = new Rate[rounds];
    for (int i = 0; i < rounds; i++) {
      fast[i] = measure(model, ids, queries, beam, batch, Method.INCREMENTAL);
      masked[i] = measure(model, ids, queries, beam, batch, Method.INCREMENTAL_MASKED);
      ref[i] = measure(model, ids, queries.subList(0, nRef), beam, batch, Method.REFERENCE);
      System.err.printf(Locale.ROOT, "round %d: incremental %s, incremental (masked scoring) %s, reference %s (%s)%n", i + 1, fast[i], masked[i], ref[i], MachineInfo.load());
    }
    System.out.println("backend " + be.name() + " (" + be.device() + ")");
    System.out.println("cpu " + MachineInfo.cpu() + "; " + MachineInfo.load() + " at the end");
    System.out.printf(Locale.ROOT, "%,d items, d_model %d / FFN %d, beam %d, batches of %d, median of %d rounds (rounds alternate the searches)%n", n, dModel, ffn, beam, batch, rounds);
    System.out.println("| search | queries per wall-clock second | vs reference | queries per CPU-second | vs reference |");
    System.out.println("| --- | ---: | ---: | ---: | ---: |");
    row("ReferenceBeamSearch (full recompute), " + nRef + " queries per round", ref, ref);
    row("BeamSearch, RENORMALISED, " + nq + " queries per round", fast, ref);
    row("BeamSearch, MASKED, " + nq + " queries per round", masked, ref);
  }

  private static void row(String name, Rate[] rates, Rate[] ref) {
    double w = median(rates, true), c = median(rates, false), rw = median(ref, true), rc = median(ref, false);
    System.out.printf(Locale.ROOT, "| %s | %.1f | %.1fx | %.1f | %.1fx |%n", name, w, w / rw, c, c / rc);
  }

  static double median(Rate[] rates, boolean wall) {
    double[] s = new double[rates.length];
    for (int i = 0; i < s.length; i++) s[i] = wall ? rates[i].wall() : rates[i].cpu();
    java.util.Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  enum Method { INCREMENTAL, INCREMENTAL_MASKED, REFERENCE }

  /** Queries per second (wall clock) of one pass over the queries in batches. */
  static double run(CartModel model, Identifiers ids, List<int[]> queries, int beam, int batch, Method method) {
    return measure(model, ids, queries, beam, batch, method).wall();
  }

  /** Queries per wall-clock second and per CPU-second of this process (all threads). */
  record Rate(double wall, double cpu) {
    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%.1f q/s (%.1f per CPU-second)", wall, cpu);
    }
  }

  static Rate measure(CartModel model, Identifiers ids, List<int[]> queries, int beam, int batch, Method method) {
    System.gc(); // the previous pass's garbage is not charged to this one
    long t0 = System.nanoTime(), c0 = MachineInfo.processCpuNanos();
    int found = 0;
    for (int s = 0; s < queries.size(); s += batch) {
      QueryBatch q = QueryBatch.of(model.backend(), queries.subList(s, Math.min(queries.size(), s + batch)), model.cfg.maxQueryLength());
      List<List<BeamSearch.Hit>> hits = switch (method) {
        case INCREMENTAL -> BeamSearch.search(model, q, ids.trie(), beam, beam);
        case INCREMENTAL_MASKED -> BeamSearch.search(model, q, ids.trie(), beam, beam, BeamScoring.MASKED);
        case REFERENCE -> ReferenceBeamSearch.search(model, q, ids.trie(), beam, beam, BeamScoring.RENORMALISED);
      };
      for (List<BeamSearch.Hit> h : hits) found += h.size();
    }
    double secs = (System.nanoTime() - t0) / 1e9, cpu = (MachineInfo.processCpuNanos() - c0) / 1e9;
    if (found != queries.size() * Math.min(beam, ids.size())) throw new IllegalStateException("search returned " + found + " hits for " + queries.size() + " queries");
    return new Rate(queries.size() / secs, queries.size() / cpu);
  }
}
