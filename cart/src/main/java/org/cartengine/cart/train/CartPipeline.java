package org.cartengine.cart.train;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cartengine.cart.baseline.CaptionMatch;
import org.cartengine.cart.baseline.DualTower;
import org.cartengine.cart.data.PairSet;
import org.cartengine.cart.run.RerankConfig;
import org.cartengine.cart.run.RunDir;
import org.cartengine.cart.search.BeamScoring;
import org.cartengine.cart.search.CaptionPrior;
import org.cartengine.cart.search.CaptionTower;
import org.cartengine.cart.text.CaptionSpace;
import org.cartengine.cart.text.TextEmbedder;
import org.cartengine.cart.text.TextEncoders;
import org.cartengine.cart.data.Dataset;
import org.cartengine.cart.data.Split;
import org.cartengine.cart.ids.IndexConfig;
import org.cartengine.cart.ids.Identifiers;
import org.cartengine.cart.model.CartConfig;
import org.cartengine.cart.model.CartModel;
import org.cartengine.cart.report.Plots;
import org.cartengine.cart.search.Evaluator;
import org.cartengine.cart.search.Metrics;
import org.cartengine.cart.search.Reranker;
import org.cartengine.cart.search.AlignedTower;
import org.cartengine.cart.search.QueryTower;
import org.cartengine.cart.model.QueryAligner;
import org.cartengine.engine.Tensor;
import org.cartengine.cart.text.BpeTokenizer;
import org.cartengine.cart.text.PretrainedQueryFeatures;
import org.cartengine.cart.text.QueryTokenizer;
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
  public record ModelSpec(int dModel, int heads, int ffn, int encoderLayers, int decoderLayers, double dropout, int maxQueryLength, boolean fusion, int vocab,
      double alignWeight, boolean pretrainedInput, int textLayers) {
    /** Without the pretrained encoder's layers as the fusion's encoder layers (the retriever's own encoder reads the last one). */
    public ModelSpec(int dModel, int heads, int ffn, int encoderLayers, int decoderLayers, double dropout, int maxQueryLength, boolean fusion, int vocab,
        double alignWeight, boolean pretrainedInput) {
      this(dModel, heads, ffn, encoderLayers, decoderLayers, dropout, maxQueryLength, fusion, vocab, alignWeight, pretrainedInput, 0);
    }
  }

  /**
   * @param rerank CART with the embedding re-rank of its beam candidates (null without the dual tower)
   * @param rerankChoice the re-rank weight chosen on val and the val metrics it gave
   */
  public record Outcome(Metrics cart, double cartQps, Trainer.Result training, Metrics dualTower, double dualQps, DualTower.Result dualTraining,
      Identifiers ids, double indexSeconds, double trainSeconds, Metrics rerank, double rerankQps, Reranker.Choice rerankChoice, String rerankNote,
      String method, IndexConfig index, Metrics captionMatch, double captionQps, String textEncoder, Metrics captionVal, int valQueries,
      double featureSeconds) {}

  /**
   * @param text the pretrained sentence encoder (null: none); it places items in its space ({@link CaptionSpace}), which
   *     gives the caption-matching baseline, a re-rank tower, and the vectors identifiers are built on when {@code icfg.space}
   *     is "captions"
   */
  public static Outcome run(Dataset ds, String dataName, RunDir run, IndexConfig icfg, ModelSpec spec, TrainConfig tc, boolean resume,
      boolean baseline, TextEmbedder text, Backend be, PrintStream log) throws IOException {
    Files.createDirectories(run.dir);
    if (!resume) {
      Files.deleteIfExists(run.last());
      Files.deleteIfExists(run.best());
      Files.deleteIfExists(run.aligner());
      Files.deleteIfExists(RerankConfig.file(run));
    }
    Splits sp = splits(ds);
    if (sp.heldOut()) log.printf("val: the dataset has no val split, so %,d train captions are held out as val queries (one per item with several)%n",
        sp.val().size());
    long t0 = System.nanoTime();
    CaptionSpace.Space space = null;
    if (text != null) {
      space = CaptionSpace.build(text, sp.train(), ds.embeddings().toArray(), ds.size(), ds.dim());
      CaptionSpace.save(run.captionSpace(), space);
      log.printf("caption space: %s embeddings of the train captions of %,d items; %,d items without one placed by their %d nearest captioned items (%.1f s)%n",
          text.name(), space.captioned().cardinality(), ds.size() - space.captioned().cardinality(), CaptionSpace.NEIGHBOURS, (System.nanoTime() - t0) / 1e9);
    }
    if (IndexConfig.SPACE_CAPTIONS.equals(icfg.space) && space == null)
      throw new IllegalArgumentException("--id-space captions needs a pretrained text encoder (--text-encoder " + TextEncoders.MINILM + ")");
    Identifiers ids = IndexConfig.SPACE_CAPTIONS.equals(icfg.space) ? Indexing.loadOrBuild(space.vectors(), space.dim(), ds, run.index(), icfg, be, log)
        : Indexing.loadOrBuild(ds, run.index(), icfg, be, log);
    double indexSeconds = (System.nanoTime() - t0) / 1e9;
    // The retriever reads the pretrained encoder's token features (its WordPiece vocabulary) or learns its own BPE vocabulary.
    if (spec.textLayers() < 0 || (text != null && spec.textLayers() > text.layers()))
      throw new org.cartengine.cart.UserError("--text-layers: " + spec.textLayers() + " is not in 0.." + (text == null ? 0 : text.layers())
          + (text == null ? "" : " (" + text.name() + " has " + text.layers() + " layers)"));
    PretrainedQueryFeatures features = text != null && spec.pretrainedInput() ? text.queryFeatures(be, Math.max(1, spec.textLayers())) : null;
    boolean pretrained = features != null;
    QueryTokenizer tok = queryTokenizer(run, resume, pretrained ? text : null, spec, sp);
    PairSet train = CartData.pairs(sp.train(), tok);
    PairSet val = sp.heldOut() ? CartData.pairs(sp.val(), CartData.relevance(CartData.relevanceCaptions(ds, Split.VAL)), tok)
        : CartData.queries(ds, Split.VAL, tok);
    PairSet test = CartData.queries(ds, Split.TEST, tok);
    if (train.size() == 0) throw new IllegalArgumentException(dataName + ": no train captions to learn from");
    CartConfig mc = new CartConfig(tok.vocabSize(), ids.vocabSizes(), spec.dModel(), spec.heads(), spec.ffn(), spec.encoderLayers(),
        spec.decoderLayers(), spec.dropout(), spec.maxQueryLength(), spec.fusion(), pretrained ? text.dim() : 0,
        pretrained ? spec.textLayers() : 0);
    run.writeRun(dataName, mc, tc, tc.seed());
    log.printf("retriever: %d train pairs, %d val and %d test queries; identifier length %d, vocabularies %s; %s%n", train.size(), val.size(),
        test.size(), ids.length(), java.util.Arrays.toString(ids.vocabSizes()), (mc.fusion() ? "coarse/fine fusion" : "no fusion")
            + (mc.pretrainedLayers() ? " over the pretrained encoder's last " + mc.textLayers() + " layers" : ""));

    Rng rng = new Rng(tc.seed());
    CartModel model = new CartModel(be, Trainer.dtype(), rng, mc);
    log.printf("model: %,d parameters on %s%n", model.parameterCount(), be.name());
    double featureSeconds = 0;
    if (pretrained) {
      // The frozen encoder's features of every train and val caption, computed once before training (so that the time
      // budget's calibration measures steady steps); test queries are encoded when searched, as a user's would be.
      long f0 = System.nanoTime();
      PretrainedQueryFeatures f = features;
      model.attach(f);
      List<int[]> all = new java.util.ArrayList<>(train.queries());
      all.addAll(val.queries());
      f.warm(all, spec.maxQueryLength());
      featureSeconds = (System.nanoTime() - f0) / 1e9;
      log.printf("encoder input: frozen %s token features of %,d train and val captions (%.1f s), projected to d_model %d%n", text.name(), all.size(),
          featureSeconds, spec.dModel());
    }
    Trainer.Alignment align = null;
    float[] itemsNormed = null;
    if (spec.alignWeight() > 0) {
      itemsNormed = RerankConfig.normalisedItems(ds);
      align = new Trainer.Alignment(new QueryAligner(be, Trainer.dtype(), rng, mc.dModel(), ds.dim()), Tensor.of(be, itemsNormed, ds.size(), ds.dim()),
          spec.alignWeight());
      log.printf("alignment head: query -> item embedding space (%d-d), InfoNCE weight %.2f%n", ds.dim(), spec.alignWeight());
    }
    Trainer trainer = new Trainer(model, rng, ids, tc, run.dir, false, align);
    log.printf("training step: %s%n", trainer.shards() > 1
        ? trainer.shards() + " data-parallel shards of each batch of " + tc.batchSize() + ", one per thread (-D" + Trainer.SHARDS_PROPERTY + "=1: one shard, kernels split across threads)"
        : "one shard per batch of " + tc.batchSize());
    if (resume) {
      int done = trainer.resume();
      if (done > 0) log.printf("resumed after epoch %d from %s%n", done, trainer.lastCheckpoint());
    }
    long t1 = System.nanoTime();
    Trainer.Result tr = trainer.train(train, val, List.of());
    double trainSeconds = (System.nanoTime() - t1) / 1e9;
    Safetensors.loadInto(model, Safetensors.read(run.best(), be), run.best().toString());
    if (align != null) Safetensors.loadInto(align.head(), Safetensors.read(trainer.alignerCheckpoint(), be), trainer.alignerCheckpoint().toString());
    Evaluator.Searched searched = Evaluator.searchAll(model, ids.trie(), test.queries(), tc.beam(), 256);
    Metrics cart = Metrics.of(Reranker.items(searched.hits()), test.relevant());

    CaptionMatchRows cm = space == null ? new CaptionMatchRows(null, 0, null) : captionMatch(text, space, val, test, be, log);
    Metrics captionMatch = cm.test(), captionVal = cm.val();
    double captionQps = cm.qps();
    Baseline b = null;
    if (baseline) {
      log.printf("dual-tower baseline%s: training for up to %.0f s (the retriever's training time)%n",
          text != null ? " (" + text.name() + " text tower, frozen, with a trained projection)" : "", trainSeconds);
      b = text != null ? pretrainedDualTower(ds, text, tc, train, val, test, trainSeconds, be, log) : dualTower(ds, tok, mc, tc, train, test, trainSeconds, be);
    }
    Rerank rr = chooseRerank(model, align, itemsNormed, b, text, space, ids, tc, val, test, searched, run, ds, log);
    Metrics rerank = rr.metrics();
    double rerankQps = rr.qps();
    Reranker.Choice choice = rr.choice();
    String note = rr.note();
    Outcome out = new Outcome(cart, searched.queriesPerSecond(), tr, b == null ? null : b.metrics(), b == null ? 0 : b.qps(), b == null ? null : b.training(),
        ids, indexSeconds, trainSeconds, rerank, rerankQps, choice, note, methodLabel(icfg, pretrained), icfg, captionMatch, captionQps,
        text == null ? null : text.name(), captionVal, val.size(), featureSeconds);
    writeMetrics(run, out, dataName, be);
    java.nio.file.Path png = run.trainingPlot();
    if (!tr.history().isEmpty() && org.cartengine.cart.report.Drawing.available(png)) Plots.trainingCurve(png, tr.history(), "CART on " + ds.info().name());
    return out;
  }

  /** CART + re-rank: what {@link #chooseRerank} chose on val and measured on test (all null / 0 without a text tower). */
  record Rerank(Metrics metrics, double qps, Reranker.Choice choice, String note) {}

  /**
   * Embedding re-rank of CART's beam candidates by a text tower: the retriever's own alignment head (no extra budget),
   * the dual tower and the caption space, whichever re-ranks val best, with its weight (and the caption-space guide of
   * the beam) chosen on val; measured on test and saved in rerank.json.
   */
  private static Rerank chooseRerank(CartModel model, Trainer.Alignment align, float[] itemsNormed, Baseline b, TextEmbedder text,
      CaptionSpace.Space space, Identifiers ids, TrainConfig tc, PairSet val, PairSet test, Evaluator.Searched searched, RunDir run,
      Dataset ds, PrintStream log) throws IOException {
    Metrics rerank = null;
    double rerankQps = 0;
    Reranker.Choice choice = null;
    String note = null;
    double priorWeight = 0;
    Map<String, QueryTower> towers = new LinkedHashMap<>();
    if (align != null) towers.put(RerankConfig.ALIGNER, new AlignedTower(model, align.head(), itemsNormed, ds.dim()));
    if (b != null) towers.put(RerankConfig.DUAL_TOWER, b.tower());
    if (space != null) towers.put(RerankConfig.CAPTIONS, new CaptionTower(text, space));
    if (space != null && b != null)
      towers.put(RerankConfig.CAPTIONS + "+" + RerankConfig.DUAL_TOWER, new org.cartengine.cart.search.SumTower(List.of(towers.get(RerankConfig.CAPTIONS), b.tower())));
    if (!towers.isEmpty()) {
      String towerName = towers.keySet().iterator().next();
      int rrBeam = Math.max(tc.beam(), Reranker.DEFAULT_BEAM);
      // With a caption space, the beam the candidates come from may also be guided by it (search.CaptionPrior); its
      // weight is chosen on val together with the tower and the re-rank weight.
      CaptionPrior prior = space != null ? new CaptionPrior(text, space, ids.trie()) : null;
      double[] priorWeights = prior != null ? CaptionPrior.WEIGHT_GRID : new double[] {0};
      if (val.size() > 0) {
        // What was tried, as one table on the log: val R@1 (re-rank weight) per tower and guide weight.
        Map<String, StringBuilder> tried = new java.util.LinkedHashMap<>();
        for (String t : towers.keySet()) tried.put(t, new StringBuilder(String.format("| %-19s |", t)));
        StringBuilder flat = new StringBuilder();
        for (double pw : priorWeights) {
          Evaluator.Searched valHits = Evaluator.searchAll(model, ids.trie(), val.texts(), val.queries(), rrBeam, 256, BeamScoring.DEFAULT, prior, pw);
          for (Map.Entry<String, QueryTower> t : towers.entrySet()) {
            Reranker.Choice c = Reranker.choose(valHits.hits(), new Reranker(t.getValue(), 0).towerLogits(val.texts(), val.queries(), valHits.hits()), val.relevant());
            tried.get(t.getKey()).append(String.format(" %6.2f (w %.1f) |", c.metrics().r1(), c.weight()));
            flat.append(String.format("%s%s%s w %.1f val R@1 %.2f", flat.length() == 0 ? "" : "; ", t.getKey(), prior != null ? String.format(" guide %.2f", pw) : "",
                c.weight(), c.metrics().r1()));
            if (choice == null || c.metrics().r1() > choice.metrics().r1()) {
              choice = c;
              towerName = t.getKey();
              priorWeight = pw;
            }
          }
        }
        StringBuilder head = new StringBuilder("| tower               |"), rule = new StringBuilder("| ------------------- |");
        for (double pw : priorWeights) {
          head.append(prior != null ? String.format(" guide %.2f   |", pw) : " val R@1      |");
          rule.append(" ------------ |");
        }
        log.printf("re-rank candidates, val R@1 on %d queries (re-rank weight):%n%s%n%s%n", val.size(), head, rule);
        for (StringBuilder row : tried.values()) log.println(row);
        note = String.format("%s tower over a beam of %d%s, weight %.1f chosen on %d val queries (val R@1 %.2f)", towerName, rrBeam,
            prior != null ? String.format(" guided by the caption space at %.2f", priorWeight) : "", choice.weight(), val.size(), choice.metrics().r1())
            + TRIED + flat;
      } else {
        choice = new Reranker.Choice(DEFAULT_RERANK_WEIGHT, null);
        note = String.format("%s tower, weight %.1f (no val split to choose it on)", towerName, DEFAULT_RERANK_WEIGHT);
      }
      QueryTower tower = towers.get(towerName);
      Reranker rr = new Reranker(tower, choice.weight(), rrBeam);
      long r0 = System.nanoTime();
      Evaluator.Searched wide = rrBeam == tc.beam() && priorWeight == 0 ? searched
          : Evaluator.searchAll(model, ids.trie(), test.texts(), test.queries(), rrBeam, 256, BeamScoring.DEFAULT, prior, priorWeight);
      List<List<org.cartengine.cart.search.BeamSearch.Hit>> reranked = rr.rerank(test.texts(), test.queries(), wide.hits(), 10);
      double rerankSecs = (System.nanoTime() - r0) / 1e9;
      rerank = Metrics.of(Reranker.items(reranked), test.relevant());
      // queries/s of search + re-rank: the wide search is inside rerankSecs; a shared one is added from its own rate.
      rerankQps = test.size() / Math.max(1e-9, rerankSecs + (wide == searched ? test.size() / searched.queriesPerSecond() : 0));
      if (b != null) b.saver().save(run.dualTower());
      RerankConfig.save(run, towerName, choice.weight(), rrBeam, priorWeight, note, text == null ? null : text.name(), b != null && text != null);
      log.println("re-rank: " + shortNote(note));
    }
    return new Rerank(rerank, rerankQps, choice, note);
  }

  /** Where a re-rank note's list of the candidates tried on val begins (metrics.json and rerank.json keep it). */
  static final String TRIED = "; tried: ";

  /** A re-rank note without its list of candidates, for the log. */
  public static String shortNote(String note) {
    int at = note.indexOf(TRIED);
    return at < 0 ? note : note.substring(0, at);
  }

  /** The caption-matching baseline's rows: test metrics and queries/s, val metrics (null without val queries). */
  record CaptionMatchRows(Metrics test, double qps, Metrics val) {}

  private static CaptionMatchRows captionMatch(TextEmbedder text, CaptionSpace.Space space, PairSet val, PairSet test, Backend be, PrintStream log) {
    long c0 = System.nanoTime();
    List<int[]> r = new CaptionMatch(be, text, space).rank(test.texts(), 10, 256);
    double qps = test.size() / Math.max(1e-9, (System.nanoTime() - c0) / 1e9);
    Metrics captionVal = null;
    if (val.size() > 0) {
      captionVal = Metrics.of(new CaptionMatch(be, text, space).rank(val.texts(), 10, 256), val.relevant());
      log.printf("caption match: val R@1 %.2f, R@10 %.2f (%d queries)%n", captionVal.r1(), captionVal.r10(), val.size());
    }
    return new CaptionMatchRows(Metrics.of(r, test.relevant()), qps, captionVal);
  }

  /** The retriever's tokenizer: the resumed run's, the pretrained encoder's WordPiece, or a BPE vocabulary learned on train. */
  private static QueryTokenizer queryTokenizer(RunDir run, boolean resume, TextEmbedder pretrained, ModelSpec spec, Splits sp) throws IOException {
    if (resume && Files.exists(run.tokenizer())) return run.loadTokenizer();
    QueryTokenizer tok = pretrained != null ? pretrained.queryTokenizer(spec.maxQueryLength())
        : BpeTokenizer.train(sp.train().stream().map(org.cartengine.cart.data.Caption::text).toList(), spec.vocab(), 2);
    tok.save(run.tokenizer());
    return tok;
  }

  /**
   * The captions a run trains on and validates with: the dataset's train and val splits, or, when it has no val split,
   * the train split less a held-out slice that serves as val ({@link HeldOutVal}).
   */
  public record Splits(List<org.cartengine.cart.data.Caption> train, List<org.cartengine.cart.data.Caption> val, boolean heldOut) {}

  public static Splits splits(Dataset ds) {
    List<org.cartengine.cart.data.Caption> train = ds.captions(Split.TRAIN), val = ds.captions(Split.VAL);
    if (!val.isEmpty()) return new Splits(train, val, false);
    HeldOutVal.Split h = HeldOutVal.of(train, ds.size());
    return new Splits(h.train(), h.heldOut(), !h.heldOut().isEmpty());
  }

  /** How results rows name a retriever: its identifier scheme and space, and whether it reads the pretrained encoder. */
  public static String methodLabel(IndexConfig icfg, boolean pretrainedEncoder) {
    return icfg.scheme.methodLabel(icfg.space, pretrainedEncoder);
  }

  /** Re-rank weight used when there is no val split to choose one on. */
  public static final double DEFAULT_RERANK_WEIGHT = 0.5;

  /** The dual-tower baseline's result on a query set, and the trained tower. */
  public record Baseline(Metrics metrics, double qps, DualTower.Result training, QueryTower tower, Saver saver) {}

  /** Writes a trained tower to a file. */
  public interface Saver {
    void save(java.nio.file.Path file) throws IOException;
  }

  /**
   * The dual tower a user would build with a pretrained encoder: its frozen sentence embeddings, a trained linear
   * projection of them and one of the item embeddings into a shared space, InfoNCE (baseline.PretrainedDualTower), for up
   * to {@code seconds} on the same training pairs; then exact cosine top-10 over every item.
   */
  public static Baseline pretrainedDualTower(Dataset ds, TextEmbedder text, TrainConfig tc, PairSet train, PairSet val, PairSet queries, double seconds,
      Backend be, java.io.PrintStream log) {
    org.cartengine.cart.baseline.PretrainedDualTower dt = new org.cartengine.cart.baseline.PretrainedDualTower(be, new Rng(tc.seed() + 1), text,
        ds.embeddings().toArray(), ds.size(), ds.dim());
    var sel = dt.trainSelectingOnVal(train.texts(), train.items(), val.texts(), val.relevant(), Math.max(1, tc.epochs() * 4), seconds, 256,
        org.cartengine.cart.baseline.PretrainedDualTower.LR, tc.seed(), org.cartengine.cart.baseline.PretrainedDualTower.PATIENCE);
    var res = sel.result();
    if (val.size() > 0)
      log.printf("dual tower: %d epochs in %.1f s, kept epoch %d (val MRR@10 %.2f, %d queries)%n", res.epochs(), res.seconds(), sel.bestEpoch(),
          sel.bestValMrr(), val.size());
    long q0 = System.nanoTime();
    List<int[]> r = dt.rank(queries.texts(), 10, 256);
    double qps = queries.size() / Math.max(1e-9, (System.nanoTime() - q0) / 1e9);
    return new Baseline(Metrics.of(r, queries.relevant()), qps, new DualTower.Result(res.epochs(), res.seconds()), dt, dt::save);
  }

  /**
   * Trains the dual tower with the retriever's encoder sizes on the same training pairs for up to
   * {@code seconds}, then ranks the queries by exact cosine top-10.
   */
  public static Baseline dualTower(Dataset ds, QueryTokenizer tok, CartConfig c, TrainConfig tc, PairSet train, PairSet queries, double seconds, Backend be) {
    DualTower dt = new DualTower(be, new Rng(tc.seed() + 1), tok.vocabSize(), c.dModel(), c.heads(), c.ffn(), c.encoderLayers(), c.dropout(),
        c.maxQueryLength(), ds.embeddings().toArray(), ds.size(), ds.dim());
    DualTower.Result res = dt.train(train, Math.max(1, tc.epochs() * 4), seconds, tc.batchSize(), DualTower.LR, tc.seed());
    long q0 = System.nanoTime();
    List<int[]> r = dt.rank(queries.queries(), 10, 256);
    double qps = queries.size() / Math.max(1e-9, (System.nanoTime() - q0) / 1e9);
    return new Baseline(Metrics.of(r, queries.relevant()), qps, res, dt, dt::save);
  }

  static void writeMetrics(RunDir run, Outcome o, String data, Backend be) throws IOException {
    JsonObject j = new JsonObject();
    j.addProperty("data", data);
    j.addProperty("backend", be.name());
    // Every row names its identifier scheme, so no result can be read as the paper's method when it is not.
    j.addProperty("method", o.method());
    j.addProperty("scheme", o.index().scheme.cliName);
    j.addProperty("commit", org.cartengine.cart.run.BuildInfo.commit());
    j.addProperty("command", org.cartengine.cart.run.BuildInfo.commandLine());
    j.add("index_config", RunDir.GSON.toJsonTree(o.index()));
    j.add("cart", metricsJson(o.cart(), o.cartQps()));
    j.addProperty("index_seconds", o.indexSeconds());
    j.addProperty("train_seconds", o.trainSeconds());
    j.addProperty("text_features_seconds", o.featureSeconds());
    j.addProperty("train_samples_per_second", o.training().samplesPerSecond());
    j.addProperty("best_epoch", o.training().bestEpoch());
    j.addProperty("epochs", o.training().epochs());
    j.addProperty("model_selection", o.training().selection());
    if (o.dualTower() != null) {
      JsonObject d = metricsJson(o.dualTower(), o.dualQps());
      d.addProperty("epochs", o.dualTraining().epochs());
      d.addProperty("train_seconds", o.dualTraining().seconds());
      j.add("dual_tower", d);
    }
    // What defaults are chosen by: the same methods on the val queries (the held-out slice when the dataset has no val split).
    JsonObject v = new JsonObject();
    v.addProperty("queries", o.valQueries());
    if (o.training().bestValR1() >= 0) v.addProperty("cart_R@1", o.training().bestValR1());
    else if (!o.training().history().isEmpty() && o.training().history().get(o.training().history().size() - 1).containsKey("valR1"))
      v.addProperty("cart_R@1", o.training().history().get(o.training().history().size() - 1).get("valR1"));
    if (o.rerankChoice() != null && o.rerankChoice().metrics() != null) v.addProperty("cart_rerank_R@1", o.rerankChoice().metrics().r1());
    if (o.captionVal() != null) v.addProperty("caption_match_R@1", o.captionVal().r1());
    j.add("val", v);
    if (o.textEncoder() != null) j.addProperty("text_encoder", o.textEncoder());
    if (o.captionMatch() != null) {
      JsonObject c = metricsJson(o.captionMatch(), o.captionQps());
      c.addProperty("encoder", o.textEncoder());
      j.add("caption_match", c);
    }
    if (o.rerank() != null) {
      JsonObject r = metricsJson(o.rerank(), o.rerankQps());
      r.addProperty("weight", o.rerankChoice().weight());
      r.addProperty("note", o.rerankNote());
      j.add("cart_rerank", r);
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
