package org.cartengine.bench;

import java.util.List;
import java.util.Locale;
import org.cartengine.cart.baseline.DualTower;
import org.cartengine.cart.cli.ModelOptions;
import org.cartengine.cart.data.Dataset;
import org.cartengine.cart.data.Split;
import org.cartengine.cart.search.Metrics;
import org.cartengine.cart.text.BpeTokenizer;
import org.cartengine.cart.train.CartData;
import org.cartengine.cart.data.PairSet;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.Backends;
import org.cartengine.engine.nn.Rng;

/**
 * The dual tower's learning-rate schedule, before and after it was planned over the steps it runs:
 * the same tower (the no-argument {@code train}'s sizes and seed) stopped after the same number of
 * epochs, once with its cosine schedule laid over 120 epochs (what it had: the rate never annealed,
 * since the time budget stopped it near 25) and once over the epochs it runs (what the time planner
 * gives it now). Epoch-bounded, so the rows are deterministic and do not depend on the machine's load.
 * Run: {@code java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar
 * org.cartengine.bench.DualTowerSchedule [--data emoji] [--epochs 26] [--horizons 120,26] [--lr 4e-3]}: one row per
 * horizon in epochs, 0 = a constant rate after the warm-up.
 */
public final class DualTowerSchedule {
  public static void main(String[] args) throws Exception {
    String data = "emoji";
    int epochs = 26;
    String horizons = "120,26";
    double lr = DualTower.LR;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--data" -> data = args[++i];
        case "--epochs" -> epochs = Integer.parseInt(args[++i]);
        case "--horizons" -> horizons = args[++i];
        case "--lr" -> lr = Double.parseDouble(args[++i]);
        default -> throw new IllegalArgumentException("DualTowerSchedule: unknown argument " + args[i]);
      }
    }
    Dataset ds = Dataset.open(data);
    Backend be = Backends.get();
    ModelOptions mo = new ModelOptions();  // the no-argument train's sizes, seed and batch
    BpeTokenizer tok = BpeTokenizer.train(CartData.trainTexts(ds), mo.vocab, 2);
    PairSet train = CartData.trainPairs(ds, tok);
    PairSet test = CartData.queries(ds, Split.TEST, tok);
    System.out.printf(Locale.ROOT, "%s: %d train pairs, %d test queries, %d items; stopped after %d epochs; peak lr %s; backend %s%n", ds.info().name(),
        train.size(), test.size(), ds.size(), epochs, lr, be.name());
    System.out.println("| cosine schedule over | R@1 | R@5 | R@10 | MRR@10 | train s |");
    System.out.println("| --- | ---: | ---: | ---: | ---: | ---: |");
    for (String h : horizons.split(",")) {
      int horizon = Integer.parseInt(h.trim());
      // As CartPipeline.dualTower builds it under the no-argument train.
      DualTower dt = new DualTower(be, new Rng(mo.seed + 1), tok.vocabSize(), mo.dModel, mo.heads, mo.ffn, mo.encoderLayers, mo.dropout, mo.maxQueryLength,
          ds.embeddings().toArray(), ds.size(), ds.dim());
      DualTower.Result r = dt.train(train, epochs, Double.POSITIVE_INFINITY, mo.batchSize, lr, mo.seed, horizon);
      List<int[]> ranked = dt.rank(test.queries(), 10, 256);
      Metrics m = Metrics.of(ranked, test.relevant());
      System.out.printf(Locale.ROOT, "| %s%s | %.2f | %.2f | %.2f | %.2f | %.0f |%n", horizon == 0 ? "-" : horizon + " epochs", horizon == epochs ? " (annealed by the end)" : horizon == 0 ? " (constant after warm-up)" : "",
          m.r1(), m.r5(), m.r10(), m.mrr10(), r.seconds());
    }
  }
}
