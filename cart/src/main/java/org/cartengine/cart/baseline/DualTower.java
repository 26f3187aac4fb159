package org.cartengine.cart.baseline;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cartengine.cart.data.Shuffle;
import org.cartengine.cart.search.Metrics;
import org.cartengine.cart.search.QueryBatch;
import org.cartengine.cart.search.QueryTower;
import org.cartengine.cart.data.PairSet;
import org.cartengine.cart.search.ExactTopK;
import org.cartengine.engine.DType;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.BufferScope;
import org.cartengine.engine.autograd.Autograd;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.io.Safetensors;
import org.cartengine.engine.nn.Embedding;
import org.cartengine.engine.nn.LayerNorm;
import org.cartengine.engine.nn.Linear;
import org.cartengine.engine.nn.Module;
import org.cartengine.engine.nn.Rng;
import org.cartengine.engine.nn.TransformerEncoderLayer;
import org.cartengine.engine.ops.Elementwise;
import org.cartengine.engine.ops.Softmax;
import org.cartengine.engine.optim.Adam;
import org.cartengine.engine.optim.LrSchedule;

/**
 * The dual-tower baseline (the CLIP/CLAP family of the paper's Table 2, at our scale): a Transformer
 * text encoder, mean-pooled and projected into the item embedding space, trained with in-batch
 * InfoNCE against the FIXED item embeddings; retrieval is exact brute-force cosine top-k over every
 * item.
 */
public final class DualTower extends Module implements QueryTower {
  private final Embedding tokens;
  private final Embedding positions;
  private final List<TransformerEncoderLayer> layers = new ArrayList<>();
  private final LayerNorm norm;
  private final Linear proj;
  private final Backend be;
  private final int maxLen;
  private final Tensor items;
  /** The L2-normalised item embeddings on the host, for the re-rank's few candidate dot products. */
  private final float[] itemHost;
  private final int itemCount;
  private final double temperature;

  /** The text tower's sizes, saved with its weights. */
  public record Config(int vocab, int dModel, int heads, int ffn, int layers, double dropout, int maxLen) {}

  private final Config cfg;

  /** itemEmb: n x dim row-major; rows are L2-normalised here. */
  public DualTower(Backend be, Rng rng, int vocab, int dModel, int heads, int ffn, int nLayers, double dropout, int maxLen, float[] itemEmb, int n, int dim) {
    this.cfg = new Config(vocab, dModel, heads, ffn, nLayers, dropout, maxLen);
    this.be = be;
    this.maxLen = maxLen;
    this.itemCount = n;
    this.temperature = 0.05;
    tokens = module("tokens", new Embedding(be, DType.F32, rng, "dt.tokens", vocab, dModel));
    positions = module("positions", new Embedding(be, DType.F32, rng, "dt.positions", maxLen, dModel));
    for (int i = 0; i < nLayers; i++) layers.add(module("layer" + i, new TransformerEncoderLayer(be, DType.F32, rng, "dt.layer" + i, dModel, heads, ffn, dropout)));
    norm = module("norm", new LayerNorm(be, DType.F32, dModel));
    proj = module("proj", new Linear(be, DType.F32, rng, "dt.proj", dModel, dim, true));
    itemHost = itemEmb.clone();
    org.cartengine.cart.ids.CoarseFineModel.l2Normalize(itemHost, n, dim);
    items = Tensor.of(be, itemHost, n, dim);
  }

  /** L2-normalised query vectors [B, dim]. */
  public Tensor encode(QueryBatch q) {
    Tensor x = tokens.forward(q.ids()).add(positions.forward(q.positions()));
    for (TransformerEncoderLayer l : layers) x = l.forward(x, q.padding());
    x = norm.forward(x);
    // Mean over real tokens: multiply by the 0/1 mask, sum over time, divide by the count.
    Tensor mask = Elementwise.cast(q.padding(), DType.F32).reshape(q.size(), q.length(), 1);
    Tensor pooled = x.mul(mask).sum(1, false).div(mask.sum(1, false));
    Tensor v = proj.forward(pooled);
    Tensor n2 = v.mul(v).sum(1, true).add(1e-12).sqrt();
    return v.div(n2);
  }

  public record Result(int epochs, double seconds) {}

  /**
   * The baseline's own peak learning rate, independent of the retriever's. Measured with bench
   * DualTowerSchedule (constant rate, same seed, the no-argument train's sizes): emoji 26 epochs R@1
   * 19.6 (2e-3, near-constant) / 23.9 (4e-3) / 21.0 (8e-3); clipart-dev 59 epochs 12.8 / 18.0 / 19.4.
   */
  public static final double LR = 4e-3;

  /**
   * Trains for up to maxEpochs or maxSeconds, whichever ends first, at a constant learning rate after a
   * linear warm-up. Measured (bench DualTowerSchedule, epoch-bounded, same seed): annealing the rate
   * to 1% by the end of the budget lost 2.7 points of R@1 on emoji (16.95 against 19.62) and 1.8 on
   * clipart-dev against a rate that stays near its peak; a tower trained for a few minutes is far from
   * converged and gains more from large steps than from settling.
   */
  public Result train(PairSet train, int maxEpochs, double maxSeconds, int batch, double lr, long seed) {
    return train(train, maxEpochs, maxSeconds, batch, lr, seed, 0);
  }

  /**
   * As above; scheduleEpochs > 0 lays a cosine schedule (to 1% of lr) over that many epochs whatever
   * the stopping point, 0 keeps the rate constant after the warm-up. The before/after rows of bench
   * DualTowerSchedule compare them.
   */
  public Result train(PairSet train, int maxEpochs, double maxSeconds, int batch, double lr, long seed, int scheduleEpochs) {
    Adam opt = new Adam(parameters(), 0.9, 0.98, 1e-9, 0.0);
    int n = train.size();
    int stepsPerEpoch = (n + batch - 1) / batch;
    int warmup = (int) Math.min(200, stepsPerEpoch);
    LrSchedule sched = scheduleEpochs > 0 ? cosine(lr, warmup, (long) stepsPerEpoch * scheduleEpochs) : warmupThenConstant(lr, warmup);
    long t0 = System.nanoTime();
    boolean timed = maxSeconds > 0 && Double.isFinite(maxSeconds);
    int step = 0;
    train(true);
    outer:
    for (int epoch = 0; epoch < maxEpochs; epoch++) {
      int[] order = Shuffle.order(n, seed * 7919 + epoch);
      for (int s = 0; s < n; s += batch) {
        if (timed && step > 0 && (System.nanoTime() - t0) / 1e9 >= maxSeconds) break outer;
        int[] rows = Arrays.copyOfRange(order, s, Math.min(n, s + batch));
        trainStep(train, rows, opt, sched.lr(++step));
      }
    }
    int epochsRun = (int) Math.ceil(step / (double) stepsPerEpoch);
    return new Result(epochsRun, (System.nanoTime() - t0) / 1e9);
  }

  static LrSchedule warmupThenConstant(double lr, int warmup) {
    return step -> step <= warmup ? lr * step / warmup : lr;
  }

  private static LrSchedule cosine(double lr, int warmup, long totalSteps) {
    return LrSchedule.cosineWithRestarts(lr, warmup, (int) Math.max(1, totalSteps - warmup), 1.0, lr * 0.01);
  }

  /** In-batch InfoNCE over the distinct items of the batch (no duplicate item counted as a negative). */
  private void trainStep(PairSet train, int[] rows, Adam opt, double lr) {
    List<int[]> qs = new ArrayList<>();
    int[] rowItems = new int[rows.length];
    for (int i = 0; i < rows.length; i++) {
      rowItems[i] = train.items()[rows[i]];
      qs.add(train.queries().get(rows[i]));
    }
    InBatchItems in = InBatchItems.of(rowItems);
    try (BufferScope scope = BufferScope.open()) {  // the step's temporaries go back when it ends (see Trainer)
      Tensor q = encode(QueryBatch.of(be, qs, maxLen));
      Tensor it = org.cartengine.engine.ops.Embedding.lookup(items, Tensor.ofInts(be, in.columns(), in.columns().length));
      Tensor logits = q.matmul(it.t()).mul(1.0 / temperature);
      Tensor loss = Softmax.crossEntropy(logits, Tensor.ofInts(be, in.targets(), rows.length), -1, 0, rows.length);
      loss.backward();
      opt.step(lr, 1.0);
      opt.zeroGrad();
    }
  }

  /** Writes the text tower's weights and sizes atomically (the re-rank weight lives in the run's rerank.json). */
  public void save(Path file) throws IOException {
    com.google.gson.JsonObject meta = new com.google.gson.Gson().toJsonTree(cfg).getAsJsonObject();
    meta.addProperty("temperature", temperature);
    Safetensors.write(file, parameters(), Map.of("dual_tower", meta.toString()));
  }

  /** Loads a tower written by {@link #save}; the item embeddings come from the dataset. */
  public static DualTower load(Path file, float[] itemEmb, int n, int dim, Backend be) throws IOException {
    Map<String, String> meta = new java.util.HashMap<>();
    Map<String, Tensor> t = Safetensors.readWithMetadata(file, be, meta);
    if (!meta.containsKey("dual_tower")) throw new IOException(file + ": not a dual-tower checkpoint (no dual_tower metadata)");
    com.google.gson.JsonObject m = com.google.gson.JsonParser.parseString(meta.get("dual_tower")).getAsJsonObject();
    Config c = new com.google.gson.Gson().fromJson(m, Config.class);
    DualTower d = new DualTower(be, new Rng(0), c.vocab(), c.dModel(), c.heads(), c.ffn(), c.layers(), c.dropout(), c.maxLen(), itemEmb, n, dim);
    Safetensors.loadInto(d, t, file.toString());
    return d;
  }

  /** The InfoNCE temperature: cosine / temperature is this tower's logit scale. */
  @Override
  public double temperature() {
    return temperature;
  }

  /**
   * Cosine between each query and each of its candidate items (row i of the result lines up with
   * candidates[i]); cost is the candidates', not the corpus's.
   */
  @Override
  public double[][] candidateCosines(List<String> texts, List<int[]> queries, int[][] candidates, int batch) {
    double[][] out = new double[queries.size()][];
    train(false);
    try (AutoCloseable ng = Autograd.noGrad()) {
      for (int s = 0; s < queries.size(); s += batch) {
        List<int[]> qs = queries.subList(s, Math.min(queries.size(), s + batch));
        float[] qv = encode(QueryBatch.of(be, qs, maxLen)).toFloatArray();
        for (int i = 0; i < qs.size(); i++) out[s + i] = QueryTower.dots(qv, i, items.dim(1), itemHost, candidates[s + i]);
      }
    } catch (Exception e) {
      throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
    }
    return out;
  }

  /** Exact top-k by cosine over every item. */
  public List<int[]> rank(List<int[]> queries, int k, int batch) {
    List<int[]> out = new ArrayList<>();
    train(false);
    try (AutoCloseable ng = Autograd.noGrad()) {
      for (int s = 0; s < queries.size(); s += batch) {
        List<int[]> qs = queries.subList(s, Math.min(queries.size(), s + batch));
        float[] qv = encode(QueryBatch.of(be, qs, maxLen)).toFloatArray();
        out.addAll(Arrays.asList(ExactTopK.search(be, qv, qs.size(), itemHost, itemCount, items.dim(1), k)));
      }
    } catch (Exception e) {
      throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
    }
    return out;
  }

  public Metrics evaluate(PairSet set) {
    return Metrics.of(rank(set.queries(), 10, 256), set.relevant());
  }
}
