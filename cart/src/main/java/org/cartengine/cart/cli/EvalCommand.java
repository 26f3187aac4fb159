package org.cartengine.cart.cli;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.cartengine.cart.data.Dataset;
import org.cartengine.cart.data.Split;
import org.cartengine.cart.ids.Identifiers;
import org.cartengine.cart.model.CartModel;
import org.cartengine.cart.report.Table;
import org.cartengine.cart.search.Evaluator;
import org.cartengine.cart.search.Metrics;
import org.cartengine.cart.search.Reranker;
import org.cartengine.cart.text.QueryTokenizer;
import org.cartengine.cart.train.CartData;
import org.cartengine.cart.train.CartPipeline;
import org.cartengine.cart.data.PairSet;
import org.cartengine.cart.run.RunDir;
import org.cartengine.cart.run.TrainedRun;
import org.cartengine.engine.backend.Backend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "eval", mixinStandardHelpOptions = true, description = "Recall@1/5/10 and MRR@10 of a trained run on the test (or val) captions.")
public final class EvalCommand implements Callable<Integer> {
  @Option(names = "--run", description = "Run directory of `cart train` (default: ${DEFAULT-VALUE}).")
  Path runDir = Path.of("runs", Main.DEFAULT_DATASET);

  @Option(names = "--data", description = "Dataset (default: the one the run was trained on).")
  String data;

  @Option(names = "--split", description = "test or val (default: ${DEFAULT-VALUE}).")
  String split = "test";

  @Option(names = "--beam", description = "Beam width (default: ${DEFAULT-VALUE}).")
  int beam = 10;

  @Option(names = "--scoring", description = "Beam scoring: renormalised (log-softmax over the allowed tokens) or masked (over the whole vocabulary, "
      + "forbidden tokens masked) (default: renormalised).")
  String scoring = "renormalised";

  @Option(names = "--rerank", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Also report CART with the embedding re-rank of its beam candidates by the run's text tower (rerank.json, written by "
          + "`cart train`), with the weight chosen on val at training time (default: on when the run has one; --no-rerank to skip).")
  boolean rerank;

  @Option(names = "--baseline", description = "Also evaluate a baseline: dual-tower (trained here) or caption-match (no training; the run's caption space).")
  String baseline;

  @Option(names = "--ann", paramLabel = "EF", description = "With --baseline caption-match: also search an HNSW graph (Lucene) of the caption space, keeping EF candidates, and report its recall@10 against exact search.")
  Integer ann;

  @Option(names = "--baseline-seconds", description = "Training time budget of the baseline (default: the run's training time, else 120).")
  Double baselineSeconds;

  @Option(names = "--json", description = "Where to write the metrics as JSON (default: RUN/eval-SPLIT.json).")
  Path json;

  @picocli.CommandLine.Option(names = "--guide", paramLabel = "W", description = "Weight of the caption-space guide of the re-rank's beam "
      + "(default: the one chosen on val, rerank.json; 0 = off).")
  Double guide;

  @Mixin DeviceOption device = new DeviceOption();

  @Override
  public Integer call() throws Exception {
    Backend be = device.backend();
    TrainedRun tr = TrainedRun.load(runDir, be, data);
    RunDir run = tr.run();
    JsonObject r = tr.runJson();
    Dataset ds = tr.dataset();
    CartModel model = tr.model();
    QueryTokenizer tok = tr.tokenizer();
    Identifiers ids = tr.identifiers();
    PairSet qs = CartData.queries(ds, splitOf(split), tok);
    Evaluator.Searched searched = Evaluator.searchAll(model, ids.trie(), qs.queries(), beam, 256, org.cartengine.cart.search.BeamScoring.parse(scoring));
    Metrics m = Metrics.of(Reranker.items(searched.hits()), qs.relevant());
    Table t = new Table("method", "R@1", "R@5", "R@10", "MRR@10", "queries/s");
    String method = CartPipeline.methodLabel(tr.index().config(), model.cfg.pretrainedText());
    t.row(method, m.r1(), m.r5(), m.r10(), m.mrr10(), String.format("%.0f", searched.queriesPerSecond()));
    JsonObject out = new JsonObject();
    out.addProperty("method", method);
    out.addProperty("scheme", tr.index().config().scheme.cliName);
    out.add("cart", CartPipeline.metricsJson(m, searched.queriesPerSecond()));
    Reranker rr = rerank ? org.cartengine.cart.run.RerankConfig.load(run, model, ds, ids.trie(), be) : null;
    if (rr != null && guide != null) rr.withPrior(guide > 0 ? org.cartengine.cart.run.RerankConfig.prior(run, ids.trie(), be) : null, guide);
    if (rr != null) {
      long r0 = System.nanoTime();
      Evaluator.Searched wide = rr.beam(beam) == beam && rr.prior() == null ? searched
          : Evaluator.searchAll(model, ids.trie(), qs.texts(), qs.queries(), rr.beam(beam), 256, org.cartengine.cart.search.BeamScoring.parse(scoring),
              rr.prior(), rr.priorWeight());
      Metrics mr = Metrics.of(Reranker.items(rr.rerank(qs.texts(), qs.queries(), wide.hits(), 10)), qs.relevant());
      double qps = wide == searched ? qs.size() / (qs.size() / searched.queriesPerSecond() + (System.nanoTime() - r0) / 1e9)
          : qs.size() / ((System.nanoTime() - r0) / 1e9);
      t.row(String.format("%s + re-rank (w %.1f, beam %d)", method, rr.weight(), rr.beam(beam)), mr.r1(), mr.r5(), mr.r10(), mr.mrr10(), String.format("%.0f", qps));
      JsonObject jr = CartPipeline.metricsJson(mr, qps);
      jr.addProperty("weight", rr.weight());
      out.add("cart_rerank", jr);
    }
    if ("caption-match".equals(baseline)) {
      // No training: the run's caption space (the train captions' mean embedding per item) against the query's embedding.
      if (!java.nio.file.Files.exists(run.captionSpace()))
        throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "--baseline caption-match: " + run.captionSpace()
            + " not found (the run was trained with --text-encoder scratch)");
      var enc = org.cartengine.cart.text.TextEncoders.load(org.cartengine.cart.text.TextEncoders.MINILM, be);
      long c0 = System.nanoTime();
      var matcher = new org.cartengine.cart.baseline.CaptionMatch(be, enc, org.cartengine.cart.text.CaptionSpace.load(run.captionSpace()));
      List<int[]> ranked = matcher.rank(qs.texts(), 10, 256);
      double cq = qs.size() / Math.max(1e-9, (System.nanoTime() - c0) / 1e9);
      Metrics cm = Metrics.of(ranked, qs.relevant());
      t.row("caption match (" + enc.name() + ")", cm.r1(), cm.r5(), cm.r10(), cm.mrr10(), String.format("%.0f", cq));
      out.add("caption_match", CartPipeline.metricsJson(cm, cq));
      if (ann != null) out.add("caption_match_hnsw", annRow(t, matcher, ranked, qs, enc.name()));
    } else if (ann != null) {
      throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "--ann: only with --baseline caption-match");
    } else if (baseline != null) {
      if (!baseline.equals("dual-tower")) throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "--baseline: unknown baseline '" + baseline + "' (known: dual-tower, caption-match)");
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

  /** The caption matcher through an HNSW graph: its metrics, queries/s (encoding included) and recall@10 against exact. */
  private JsonObject annRow(Table t, org.cartengine.cart.baseline.CaptionMatch matcher, List<int[]> exact, PairSet qs, String encoder) {
    if (ann < 10) throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "--ann: EF must be at least 10 (the top-10 is kept), got " + ann);
    long b0 = System.nanoTime();
    try (org.cartengine.cart.search.HnswIndex idx = matcher.buildAnn()) {
      double buildS = (System.nanoTime() - b0) / 1e9;
      long c0 = System.nanoTime();
      List<int[]> approx = matcher.rank(qs.texts(), 10, 256, idx, ann);
      double q = qs.size() / Math.max(1e-9, (System.nanoTime() - c0) / 1e9);
      // The first exact pass filled the encoder's cache of query embeddings: time exact again on the same warm
      // cache, so the two rates compare the searches and not the encoder.
      long e0 = System.nanoTime();
      matcher.rank(qs.texts(), 10, 256);
      double exactWarm = qs.size() / Math.max(1e-9, (System.nanoTime() - e0) / 1e9);
      double recall = org.cartengine.cart.search.ExactTopK.recall(approx.toArray(new int[0][]), exact.toArray(new int[0][]));
      Metrics am = Metrics.of(approx, qs.relevant());
      t.row(String.format("caption match (%s, HNSW ef %d, recall@10 %.3f; exact %.0f q/s on the same cache)", encoder, ann, recall, exactWarm), am.r1(), am.r5(), am.r10(), am.mrr10(), String.format("%.0f", q));
      JsonObject o = CartPipeline.metricsJson(am, q);
      o.addProperty("ef", ann);
      o.addProperty("recall_at_10_vs_exact", recall);
      o.addProperty("build_seconds", buildS);
      o.addProperty("exact_queries_per_second_same_cache", exactWarm);
      return o;
    }
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
