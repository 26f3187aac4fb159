package org.cartengine.cart.train;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.List;
import org.cartengine.cart.baseline.DualTower;
import org.cartengine.cart.data.Dataset;
import org.cartengine.cart.data.Split;
import org.cartengine.cart.ids.IndexConfig;
import org.cartengine.cart.ids.Identifiers;
import org.cartengine.cart.model.CartConfig;
import org.cartengine.cart.model.CartModel;
import org.cartengine.cart.report.Plots;
import org.cartengine.cart.search.Evaluator;
import org.cartengine.cart.search.Metrics;
import org.cartengine.cart.text.BpeTokenizer;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.io.Safetensors;
import org.cartengine.engine.io.SealedJson;
import org.cartengine.engine.nn.Rng;

/**
 * The whole job behind {@code cart train}: identifiers (built if missing), tokenizer, retriever
 * training with validation, test evaluation, and the dual-tower baseline trained for the same time
 * on the same pairs.
 */
public final class CartPipeline {
  private CartPipeline() {}

  /** Model sizes chosen by the user; vocabularies are filled in from the data. */
  public record ModelSpec(int dModel, int heads, int ffn, int encoderLayers, int decoderLayers, double dropout, int maxQueryLength, boolean fusion, int vocab) {}

  public record Outcome(Metrics cart, double cartQps, Trainer.Result training, Metrics dualTower, double dualQps, DualTower.Result dualTraining,
      Identifiers ids, double indexSeconds, double trainSeconds) {}

  public static Outcome run(Dataset ds, String dataName, RunDir run, IndexConfig icfg, ModelSpec spec, TrainConfig tc, boolean resume,
      boolean baseline, Backend be, PrintStream log) throws IOException {
    Files.createDirectories(run.dir);
    if (!resume) {
      Files.deleteIfExists(run.dir.resolve("last.safetensors"));
      Files.deleteIfExists(run.best());
    }
    long t0 = System.nanoTime();
    Identifiers ids = Indexing.loadOrBuild(ds, run.index(), icfg, log);
    double indexSeconds = (System.nanoTime() - t0) / 1e9;

    BpeTokenizer tok;
    if (resume && Files.exists(run.tokenizer())) tok = run.loadTokenizer();
    else {
      tok = BpeTokenizer.train(CartData.trainTexts(ds), spec.vocab(), 2);
      tok.save(run.tokenizer());
    }
    PairSet train = CartData.trainPairs(ds, tok);
    PairSet val = CartData.queries(ds, Split.VAL, tok);
    PairSet test = CartData.queries(ds, Split.TEST, tok);
    if (train.size() == 0) throw new IllegalArgumentException(dataName + ": no train captions to learn from");
    CartConfig mc = new CartConfig(tok.vocabSize(), ids.vocabSizes(), spec.dModel(), spec.heads(), spec.ffn(), spec.encoderLayers(),
        spec.decoderLayers(), spec.dropout(), spec.maxQueryLength(), spec.fusion());
    run.writeRun(dataName, mc, tc, tc.seed());
    log.printf("retriever: %d train pairs, %d val and %d test queries; identifier length %d, vocabularies %s; %s%n", train.size(), val.size(),
        test.size(), ids.length(), java.util.Arrays.toString(ids.vocabSizes()), mc.fusion() ? "coarse/fine fusion" : "no fusion");

    Rng rng = new Rng(tc.seed());
    CartModel model = new CartModel(be, Trainer.dtype(), rng, mc);
    log.printf("model: %,d parameters on %s%n", model.parameterCount(), be.name());
    Trainer trainer = new Trainer(model, rng, ids, tc, run.dir, false);
    if (resume) {
      int done = trainer.resume();
      if (done > 0) log.printf("resumed after epoch %d from %s%n", done, trainer.lastCheckpoint());
    }
    long t1 = System.nanoTime();
    Trainer.Result tr = trainer.train(train, val, List.of());
    double trainSeconds = (System.nanoTime() - t1) / 1e9;
    Safetensors.loadInto(model, Safetensors.read(run.best(), be), run.best().toString());
    Evaluator.Ranked ranked = Evaluator.rank(model, ids.trie(), test.queries(), tc.beam(), Math.min(10, tc.beam()), 256);
    Metrics cart = Metrics.of(ranked.items(), test.relevant());

    Baseline b = null;
    if (baseline) {
      log.printf("dual-tower baseline: training for up to %.0f s (the retriever's training time)%n", trainSeconds);
      b = dualTower(ds, tok, mc, tc, train, test, trainSeconds, be);
    }
    Outcome out = new Outcome(cart, ranked.queriesPerSecond(), tr, b == null ? null : b.metrics(), b == null ? 0 : b.qps(), b == null ? null : b.training(),
        ids, indexSeconds, trainSeconds);
    writeMetrics(run, out, dataName, be);
    if (!tr.history().isEmpty()) Plots.trainingCurve(run.dir.resolve("training.png"), tr.history(), "CART on " + dataName);
    return out;
  }

  /** The dual-tower baseline's result on a query set. */
  public record Baseline(Metrics metrics, double qps, DualTower.Result training) {}

  /**
   * Trains the dual tower with the retriever's encoder sizes on the same training pairs for up to
   * {@code seconds}, then ranks the queries by exact cosine top-10.
   */
  public static Baseline dualTower(Dataset ds, BpeTokenizer tok, CartConfig c, TrainConfig tc, PairSet train, PairSet queries, double seconds, Backend be) {
    DualTower dt = new DualTower(be, new Rng(tc.seed() + 1), tok.vocabSize(), c.dModel(), c.heads(), c.ffn(), c.encoderLayers(), c.dropout(),
        c.maxQueryLength(), ds.embeddings().toArray(), ds.size(), ds.dim());
    DualTower.Result res = dt.train(train, Math.max(1, tc.epochs() * 4), seconds, tc.batchSize(), tc.lr(), tc.seed());
    long q0 = System.nanoTime();
    List<int[]> r = dt.rank(queries.queries(), 10, 256);
    double qps = queries.size() / Math.max(1e-9, (System.nanoTime() - q0) / 1e9);
    return new Baseline(Metrics.of(r, queries.relevant()), qps, res);
  }

  static void writeMetrics(RunDir run, Outcome o, String data, Backend be) throws IOException {
    JsonObject j = new JsonObject();
    j.addProperty("data", data);
    j.addProperty("backend", be.name());
    j.add("cart", metricsJson(o.cart(), o.cartQps()));
    j.addProperty("index_seconds", o.indexSeconds());
    j.addProperty("train_seconds", o.trainSeconds());
    j.addProperty("train_samples_per_second", o.training().samplesPerSecond());
    j.addProperty("best_epoch", o.training().bestEpoch());
    if (o.dualTower() != null) {
      JsonObject d = metricsJson(o.dualTower(), o.dualQps());
      d.addProperty("epochs", o.dualTraining().epochs());
      d.addProperty("train_seconds", o.dualTraining().seconds());
      j.add("dual_tower", d);
    }
    SealedJson.write(run.metrics(), j);
  }

  public static JsonObject metricsJson(Metrics m, double qps) {
    JsonObject o = new JsonObject();
    o.addProperty("R@1", m.r1());
    o.addProperty("R@5", m.r5());
    o.addProperty("R@10", m.r10());
    o.addProperty("MRR@10", m.mrr10());
    o.addProperty("queries", m.queries());
    o.addProperty("queries_per_second", qps);
    return o;
  }
}
