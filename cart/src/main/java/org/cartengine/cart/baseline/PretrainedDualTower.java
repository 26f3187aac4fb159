package org.cartengine.cart.baseline;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;
import org.cartengine.cart.data.Shuffle;
import org.cartengine.cart.search.QueryTower;
import org.cartengine.cart.search.ExactTopK;
import org.cartengine.cart.text.TextEmbedder;
import org.cartengine.engine.DType;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.autograd.Autograd;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.BufferScope;
import org.cartengine.engine.io.Safetensors;
import org.cartengine.engine.nn.Linear;
import org.cartengine.engine.nn.Module;
import org.cartengine.engine.nn.Rng;
import org.cartengine.engine.ops.Softmax;
import org.cartengine.engine.optim.Adam;
import org.cartengine.engine.optim.LrSchedule;

/**
 * The dual-tower baseline on a FROZEN pretrained sentence encoder: the text tower is the encoder (all-MiniLM-L6-v2 in a
 * run, any {@link TextEmbedder} in tests) followed by a trained projection into a shared space of width {@code p}; the
 * item tower is a trained projection of the (L2-normalised) item embeddings into the same space. Score = cosine, trained
 * with in-batch InfoNCE (query to item, over the distinct items of a batch, as {@link DualTower}) at a fixed temperature.
 * Retrieval is exact brute force over the projected item matrix, computed once after training.
 *
 * <p>Unlike {@link DualTower} every item is placed by the item tower, so items with no train caption (cold items) are
 * ranked by what their embedding looks like.
 *
 * <p>The encoder's embeddings of the train texts are computed once, deduplicated by text, and kept in this object.
 *
 * <p>Defaults chosen on val (bench PretrainedDualTowerEval, seed 1, batch 256, lr 1e-3, temperature 0.05): the linear
 * projection against the residual MLP (hidden 512), val R@1 / R@10 at 40 epochs: clipart-dev 23.4 / 53.7 against
 * 20.6 / 50.9, clipart-dev-cold (80 epochs) 10.2 / 30.5 against 8.5 / 22.0; the MLP is ahead only early (10 epochs) and
 * costs twice the time. Emoji, linear, 20 epochs: val 71.4 / 84.5.
 */
public final class PretrainedDualTower extends Module implements QueryTower {
  /**
   * The projections' sizes, saved with their weights. mlp: Linear(in, p) plus a residual Linear(in, hidden), GELU,
   * Linear(hidden, p); otherwise Linear(in, p).
   */
  public record Config(int textDim, int itemDim, int width, boolean mlp, int hidden, double temperature, String encoder) {}

  /** Default width of the shared space. */
  public static final int WIDTH = 256;
  /** Default fixed InfoNCE temperature (as {@link DualTower}). */
  public static final double TEMPERATURE = 0.05;
  /** Default peak learning rate of the projections. */
  public static final double LR = 1e-3;

  /** A projection of one tower: Linear, or Linear plus a residual MLP branch. */
  static final class Projection extends Module {
    private final Linear proj;
    private final Linear fc1;
    private final Linear fc2;

    Projection(Backend be, Rng rng, String name, int in, int out, boolean mlp, int hidden) {
      proj = module("proj", new Linear(be, DType.F32, rng, name + ".proj", in, out, true));
      fc1 = mlp ? module("fc1", new Linear(be, DType.F32, rng, name + ".fc1", in, hidden, true)) : null;
      fc2 = mlp ? module("fc2", new Linear(be, DType.F32, rng, name + ".fc2", hidden, out, true)) : null;
    }

    /** L2-normalised rows of the projection of x [B, in]. */
    Tensor forward(Tensor x) {
      Tensor y = proj.forward(x);
      if (fc1 != null) y = y.add(fc2.forward(fc1.forward(x).gelu()));
      return y.div(y.mul(y).sum(1, true).add(1e-12).sqrt());
    }
  }

  private final Config cfg;
  private final Backend be;
  private final TextEmbedder encoder;
  private final Projection text;
  private final Projection item;
  private final int itemCount;
  /** The L2-normalised item embeddings [n, itemDim]. */
  private final Tensor items;
  /** Encoder embeddings by text: the train texts (and any text passed to {@link #cacheTexts}). */
  private final Map<String, float[]> textCache = new HashMap<>();
  /** The projected item matrix [n, p] (null until computed after training or loading), and its host copy. */
  private Tensor itemSpace;
  private float[] itemSpaceHost;

  /** itemEmb: n x itemDim row-major; rows are L2-normalised here. */
  public PretrainedDualTower(Backend be, Rng rng, TextEmbedder encoder, float[] itemEmb, int n, int itemDim, int width, boolean mlp, int hidden, double temperature) {
    if (itemEmb.length != (long) n * itemDim) throw new IllegalArgumentException("item embeddings: " + itemEmb.length + " values for " + n + " x " + itemDim);
    if (!(temperature > 0)) throw new IllegalArgumentException("temperature must be positive, got " + temperature);
    this.cfg = new Config(encoder.dim(), itemDim, width, mlp, hidden, temperature, encoder.name());
    this.be = be;
    this.encoder = encoder;
    this.itemCount = n;
    text = module("text", new Projection(be, rng, "pdt.text", encoder.dim(), width, mlp, hidden));
    item = module("item", new Projection(be, rng, "pdt.item", itemDim, width, mlp, hidden));
    float[] host = itemEmb.clone();
    org.cartengine.cart.ids.CoarseFineModel.l2Normalize(host, n, itemDim);
    items = Tensor.of(be, host, n, itemDim);
  }

  /** A linear projection of width {@link #WIDTH} at temperature {@link #TEMPERATURE}. */
  public PretrainedDualTower(Backend be, Rng rng, TextEmbedder encoder, float[] itemEmb, int n, int itemDim) {
    this(be, rng, encoder, itemEmb, n, itemDim, WIDTH, false, 0, TEMPERATURE);
  }

  public Config config() {
    return cfg;
  }

  public record Result(int epochs, double seconds) {}

  /** Trains for up to maxEpochs or maxSeconds (0 or infinite: no limit), whichever ends first. */
  public Result train(List<String> texts, int[] itemsOf, int maxEpochs, double maxSeconds, int batch, double lr, long seed) {
    return train(texts, itemsOf, maxEpochs, maxSeconds, batch, lr, seed, null);
  }

  /**
   * As above; afterEpoch (may be null) is called with the number of epochs done after each full epoch, and stops the
   * training when it answers false (bench uses it to read val along the way). A linear warm-up over the first epoch
   * (at most 200 steps), then a constant rate, as {@link DualTower}'s default.
   */
  public Result train(List<String> texts, int[] itemsOf, int maxEpochs, double maxSeconds, int batch, double lr, long seed, IntPredicate afterEpoch) {
    if (texts.size() != itemsOf.length) throw new IllegalArgumentException(texts.size() + " texts for " + itemsOf.length + " items");
    for (int it : itemsOf) if (it < 0 || it >= itemCount) throw new IllegalArgumentException("item " + it + " out of range [0, " + itemCount + ")");
    long t0 = System.nanoTime();
    // The distinct train texts, embedded once (those not cached yet), and each pair's row among them.
    Map<String, Integer> row = new LinkedHashMap<>();
    int[] textRow = new int[texts.size()];
    for (int i = 0; i < texts.size(); i++) textRow[i] = row.computeIfAbsent(texts.get(i), k -> row.size());
    cacheTexts(new ArrayList<>(row.keySet()));
    int d = encoder.dim();
    float[] table = new float[row.size() * d];
    int r = 0;
    for (String t : row.keySet()) System.arraycopy(textCache.get(t), 0, table, d * r++, d);
    Tensor textTable = Tensor.of(be, table, row.size(), d);

    Adam opt = new Adam(parameters(), 0.9, 0.98, 1e-9, 0.0);
    int n = texts.size();
    int stepsPerEpoch = (n + batch - 1) / batch;
    int warmup = Math.min(200, stepsPerEpoch);
    LrSchedule sched = DualTower.warmupThenConstant(lr, warmup);
    boolean timed = maxSeconds > 0 && Double.isFinite(maxSeconds);
    int step = 0;
    itemSpace = null;
    itemSpaceHost = null;
    train(true);
    outer:
    for (int epoch = 0; epoch < maxEpochs; epoch++) {
      int[] order = Shuffle.order(n, seed * 7919 + epoch);
      for (int s = 0; s < n; s += batch) {
        if (timed && step > 0 && (System.nanoTime() - t0) / 1e9 >= maxSeconds) break outer;
        int[] rows = Arrays.copyOfRange(order, s, Math.min(n, s + batch));
        trainStep(textTable, textRow, itemsOf, rows, opt, sched.lr(++step));
      }
      if (afterEpoch != null) {
        itemSpace = null;
        itemSpaceHost = null;
        boolean go = afterEpoch.test(epoch + 1);
        train(true);
        if (!go) break;
      }
    }
    itemSpace = null;
    itemSpaceHost = null;
    train(false);
    projectItems();
    int epochsRun = (int) Math.ceil(step / (double) stepsPerEpoch);
    return new Result(epochsRun, (System.nanoTime() - t0) / 1e9);
  }

  /** Epochs without a better val MRR@10 after which {@link #trainSelectingOnVal} stops. */
  public static final int PATIENCE = 10;

  /** A training run with its val-selected epoch: the weights kept are those of {@code bestEpoch}. */
  public record Selected(Result result, int bestEpoch, double bestValMrr) {}

  /**
   * Trains as {@link #train}, reads val after every epoch and keeps the weights of the epoch with the best val MRR@10
   * (smoother than R@1 on a few hundred queries), stopping after {@code patience} epochs without a better one. A frozen
   * encoder with linear projections fits a few thousand captions within seconds and then overfits them: on clipart-dev,
   * 16 s of training scored test R@1 37.9 and 129 s 32.6, so a time budget alone picks the worse tower.
   *
   * @param valTexts the val queries; valRelevant their relevant items (val relevance: train and val captions only)
   */
  public Selected trainSelectingOnVal(List<String> texts, int[] itemsOf, List<String> valTexts, List<java.util.Set<Integer>> valRelevant,
      int maxEpochs, double maxSeconds, int batch, double lr, long seed, int patience) {
    if (valTexts.isEmpty()) return new Selected(train(texts, itemsOf, maxEpochs, maxSeconds, batch, lr, seed), 0, Double.NaN);
    cacheTexts(valTexts);
    Map<String, float[]> best = new HashMap<>();
    double[] bestMrr = {Double.NEGATIVE_INFINITY};
    int[] bestEpoch = {0};
    Result r = train(texts, itemsOf, maxEpochs, maxSeconds, batch, lr, seed, epoch -> {
      double mrr = org.cartengine.cart.search.Metrics.of(rank(valTexts, 10), valRelevant).mrr10();
      if (mrr > bestMrr[0]) {
        bestMrr[0] = mrr;
        bestEpoch[0] = epoch;
        for (Map.Entry<String, Tensor> p : parameters().entrySet()) best.put(p.getKey(), p.getValue().toFloatArray());
      }
      return epoch - bestEpoch[0] < patience;
    });
    if (!best.isEmpty()) {
      for (Map.Entry<String, Tensor> p : parameters().entrySet())
        Module.assign(p.getValue(), Tensor.of(be, best.get(p.getKey()), p.getValue().shape()));
      itemSpace = null;
      itemSpaceHost = null;
      projectItems();
    }
    return new Selected(r, bestEpoch[0], bestMrr[0]);
  }

  private void trainStep(Tensor textTable, int[] textRow, int[] itemsOf, int[] rows, Adam opt, double lr) {
    int[] tr = new int[rows.length];
    int[] rowItems = new int[rows.length];
    for (int i = 0; i < rows.length; i++) {
      tr[i] = textRow[rows[i]];
      rowItems[i] = itemsOf[rows[i]];
    }
    InBatchItems in = InBatchItems.of(rowItems);
    try (BufferScope scope = BufferScope.open()) {
      Tensor q = text.forward(org.cartengine.engine.ops.Embedding.lookup(textTable, Tensor.ofInts(be, tr, tr.length)));
      Tensor it = item.forward(org.cartengine.engine.ops.Embedding.lookup(items, Tensor.ofInts(be, in.columns(), in.columns().length)));
      Tensor logits = q.matmul(it.t()).mul(1.0 / cfg.temperature());
      Tensor loss = Softmax.crossEntropy(logits, Tensor.ofInts(be, in.targets(), rows.length), -1, 0, rows.length);
      loss.backward();
      opt.step(lr, 1.0);
      opt.zeroGrad();
    }
  }

  /** Embeds the texts not yet cached with the encoder and keeps them (so later ranks of the same texts skip it). */
  public void cacheTexts(List<String> texts) {
    List<String> missing = new ArrayList<>(new java.util.LinkedHashSet<>(texts));
    missing.removeIf(textCache::containsKey);
    if (missing.isEmpty()) return;
    float[][] e = encoder.embed(missing);
    for (int i = 0; i < missing.size(); i++) textCache.put(missing.get(i), e[i]);
  }

  /** Encoder rows of texts (cached ones from the cache, others embedded and not kept), row-major [texts, dim]. */
  private float[] encoderRows(List<String> texts) {
    int d = encoder.dim();
    float[] out = new float[texts.size() * d];
    List<String> missing = new ArrayList<>();
    List<Integer> at = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      float[] c = textCache.get(texts.get(i));
      if (c != null) System.arraycopy(c, 0, out, i * d, d);
      else {
        missing.add(texts.get(i));
        at.add(i);
      }
    }
    if (!missing.isEmpty()) {
      float[][] e = encoder.embed(missing);
      for (int j = 0; j < e.length; j++) System.arraycopy(e[j], 0, out, at.get(j) * d, d);
    }
    return out;
  }

  /** L2-normalised query vectors in the shared space, [texts, p] row-major. */
  public float[] encodeTexts(List<String> texts) {
    train(false);
    try (Autograd.Scope ng = Autograd.noGrad()) {
      return text.forward(Tensor.of(be, encoderRows(texts), texts.size(), encoder.dim())).toFloatArray();
    }
  }

  /** The projected item matrix [n, p], computed on first use after training or loading. */
  private Tensor projectItems() {
    if (itemSpace == null) {
      train(false);
      try (Autograd.Scope ng = Autograd.noGrad()) {
        itemSpace = item.forward(items);
        itemSpaceHost = itemSpace.toFloatArray();
      }
    }
    return itemSpace;
  }

  /** L2-normalised item vectors in the shared space, [n, p] row-major (a copy). */
  public float[] itemVectors() {
    projectItems();
    return itemSpaceHost.clone();
  }

  /** Exact top-k by cosine over every item, for queries as texts. */
  public List<int[]> rank(List<String> queries, int k) {
    return rank(queries, k, 256);
  }

  public List<int[]> rank(List<String> queries, int k, int batch) {
    projectItems();
    List<int[]> out = new ArrayList<>();
    for (int s = 0; s < queries.size(); s += batch) {
      List<String> qs = queries.subList(s, Math.min(queries.size(), s + batch));
      float[] qv = encodeTexts(qs);
      out.addAll(Arrays.asList(ExactTopK.search(be, qv, qs.size(), itemSpaceHost, itemCount, cfg.width(), k)));
    }
    return out;
  }

  @Override
  public double temperature() {
    return cfg.temperature();
  }

  /** Cosine between each query text and each of its candidate items; reads the texts (the token lists are ignored). */
  @Override
  public double[][] candidateCosines(List<String> texts, List<int[]> queries, int[][] candidates, int batch) {
    if (texts == null) throw new IllegalArgumentException("PretrainedDualTower reads the query texts; none were given");
    projectItems();
    double[][] out = new double[texts.size()][];
    for (int s = 0; s < texts.size(); s += batch) {
      List<String> qs = texts.subList(s, Math.min(texts.size(), s + batch));
      float[] qv = encodeTexts(qs);
      for (int i = 0; i < qs.size(); i++) out[s + i] = QueryTower.dots(qv, i, cfg.width(), itemSpaceHost, candidates[s + i]);
    }
    return out;
  }

  /** Writes both projections and their sizes atomically ({@link Safetensors#write}); the encoder and items are not saved. */
  public void save(Path file) throws IOException {
    String meta = new com.google.gson.Gson().toJson(cfg);
    Safetensors.write(file, parameters(), Map.of("pretrained_dual_tower", meta));
  }

  /** Loads a tower written by {@link #save}; the encoder must be of the saved dimension, the items of the saved width. */
  public static PretrainedDualTower load(Path file, TextEmbedder encoder, float[] itemEmb, int n, int itemDim, Backend be) throws IOException {
    Map<String, String> meta = new HashMap<>();
    Map<String, Tensor> t = Safetensors.readWithMetadata(file, be, meta);
    if (!meta.containsKey("pretrained_dual_tower")) throw new IOException(file + ": not a pretrained dual-tower checkpoint (no pretrained_dual_tower metadata)");
    Config c = new com.google.gson.Gson().fromJson(meta.get("pretrained_dual_tower"), Config.class);
    if (c.textDim() != encoder.dim()) throw new IOException(file + ": trained on a " + c.textDim() + "-d text encoder (" + c.encoder() + "), given " + encoder.dim() + "-d " + encoder.name());
    if (c.itemDim() != itemDim) throw new IOException(file + ": trained on " + c.itemDim() + "-d item embeddings, given " + itemDim + "-d");
    PretrainedDualTower d = new PretrainedDualTower(be, null, encoder, itemEmb, n, itemDim, c.width(), c.mlp(), c.hidden(), c.temperature());
    Safetensors.loadInto(d, t, file.toString());
    d.train(false);
    return d;
  }
}
