package org.cartengine.cart.cli;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.cartengine.cart.data.Dataset;
import org.cartengine.cart.data.Split;
import org.cartengine.cart.ids.Identifiers;
import org.cartengine.cart.model.CartModel;
import org.cartengine.cart.report.Table;
import org.cartengine.cart.search.Evaluator;
import org.cartengine.cart.search.Metrics;
import org.cartengine.cart.text.BpeTokenizer;
import org.cartengine.cart.train.CartData;
import org.cartengine.cart.train.CartPipeline;
import org.cartengine.cart.train.Indexing;
import org.cartengine.cart.train.PairSet;
import org.cartengine.cart.train.RunDir;
import org.cartengine.engine.backend.Backend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "eval", mixinStandardHelpOptions = true, description = "Recall@1/5/10 and MRR@10 of a trained run on the test (or val) captions.")
public final class EvalCommand implements Callable<Integer> {
  @Option(names = "--run", description = "Run directory of `cart train` (default: ${DEFAULT-VALUE}).")
  Path runDir = Path.of("runs", "emoji");

  @Option(names = "--data", description = "Dataset (default: the one the run was trained on).")
  String data;

  @Option(names = "--split", description = "test or val (default: ${DEFAULT-VALUE}).")
  String split = "test";

  @Option(names = "--beam", description = "Beam width (default: ${DEFAULT-VALUE}).")
  int beam = 10;

  @Option(names = "--baseline", description = "Also train and evaluate a baseline: dual-tower.")
  String baseline;

  @Option(names = "--baseline-seconds", description = "Training time budget of the baseline (default: the run's training time, else 120).")
  Double baselineSeconds;

  @Option(names = "--json", description = "Where to write the metrics as JSON (default: RUN/eval-SPLIT.json).")
  Path json;

  @Mixin DeviceOption device = new DeviceOption();

  @Override
  public Integer call() throws Exception {
    RunDir run = new RunDir(runDir);
    JsonObject r = run.readRun();
    Dataset ds = Dataset.open(data != null ? data : r.get("data").getAsString());
    Backend be = device.backend();
    CartModel model = run.loadModel(be);
    BpeTokenizer tok = run.loadTokenizer();
    Identifiers ids = Indexing.load(run.index());
    PairSet qs = CartData.queries(ds, splitOf(split), tok);
    Evaluator.Ranked ranked = Evaluator.rank(model, ids.trie(), qs.queries(), beam, Math.min(10, beam), 256);
    Metrics m = Metrics.of(ranked.items(), qs.relevant());
    Table t = new Table("method", "R@1", "R@5", "R@10", "MRR@10", "queries/s");
    t.row("CART", m.r1(), m.r5(), m.r10(), m.mrr10(), String.format("%.0f", ranked.queriesPerSecond()));
    JsonObject out = new JsonObject();
    out.add("cart", CartPipeline.metricsJson(m, ranked.queriesPerSecond()));
    if (baseline != null) {
      if (!baseline.equals("dual-tower")) throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "--baseline: unknown baseline '" + baseline + "' (known: dual-tower)");
      double secs = baselineSeconds != null ? baselineSeconds : trainSeconds(run);
      var res = Baselines.dualTower(ds, tok, model, r, secs, splitOf(split));
      t.row("dual tower", res.metrics().r1(), res.metrics().r5(), res.metrics().r10(), res.metrics().mrr10(), String.format("%.0f", res.qps()));
      out.add("dual_tower", CartPipeline.metricsJson(res.metrics(), res.qps()));
    }
    System.out.println(split + " retrieval on " + ds.info().name() + " (" + m.queries() + " queries, " + ds.size() + " items, beam " + beam + "):");
    System.out.println(t);
    Path j = json != null ? json : run.dir.resolve("eval-" + split + ".json");
    RunDir.writeAtomic(j, RunDir.GSON.toJson(out));
    System.out.println("wrote " + j);
    return 0;
  }

  static Split splitOf(String s) {
    Split sp = Split.fromJson(s);
    if (sp == null || sp == Split.TRAIN) throw new IllegalArgumentException("--split: '" + s + "' is not an evaluation split (use test or val)");
    return sp;
  }

  static double trainSeconds(RunDir run) {
    try {
      JsonObject m = org.cartengine.engine.io.SealedJson.read(run.metrics());
      return m.get("train_seconds").getAsDouble();
    } catch (Exception e) {
      return 120;
    }
  }
}
