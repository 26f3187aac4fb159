package org.cartengine.cart.baseline;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cartengine.cart.search.Metrics;
import org.cartengine.cart.search.QueryBatch;
import org.cartengine.cart.train.PairSet;
import org.cartengine.engine.DType;
import org.cartengine.engine.Tensor;
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
public final class DualTower extends Module implements org.cartengine.cart.search.QueryTower {
  private final Embedding tokens;
  private final Embedding positions;
  private final List<TransformerEncoderLayer> layers = new ArrayList<>();
  private final LayerNorm norm;
  private final Linear proj;
  private final Backend be;
  private final int maxLen;
  private final Tensor items;
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
    float[] normed = itemEmb.clone();
    for (int i = 0; i < n; i++) {
      double s = 0;
      for (int j = 0; j < dim; j++) s += normed[i * dim + j] * normed[i * dim + j];
      float inv = (float) (1 / Math.sqrt(Math.max(s, 1e-12)));
      for (int j = 0; j < dim; j++) normed[i * dim + j] *= inv;
    }
    items = Tensor.of(be, normed, n, dim);
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

  /** Steps [UNTIMED, CALIBRATION_END) of a time-budgeted run are timed (the first carry the JIT warm-up). */
  static final int UNTIMED = 5;
  static final int CALIBRATION_END = 30;

  /**
   * Trains for up to maxEpochs or maxSeconds, whichever ends first. When time is the bound, the first
   * steps are timed and the cosine schedule is planned over the steps that fit, so the learning rate
   * anneals to its floor by the end of the budget instead of being cut off at a high value.
   */
  public Result train(PairSet train, int maxEpochs, double maxSeconds, int batch, double lr, long seed) {
    Adam opt = new Adam(parameters(), 0.9, 0.98, 1e-9, 0.0);
    int n = train.size();
    int stepsPerEpoch = (n + batch - 1) / batch;
    long maxSteps = (long) stepsPerEpoch * maxEpochs;
    int warmup = (int) Math.min(200, stepsPerEpoch);
    long planned = maxSteps;
    LrSchedule sched = cosine(lr, warmup, planned);
    long t0 = System.nanoTime(), tCal = t0;
    int step = 0, epoch = 0;
    train(true);
    outer:
    for (; epoch < maxEpochs; epoch++) {
      int[] order = org.cartengine.cart.train.Trainer.shuffledOrder(n, seed * 7919 + epoch);
      for (int s = 0; s < n; s += batch) {
        if (step >= planned) break outer;
        int[] rows = Arrays.copyOfRange(order, s, Math.min(n, s + batch));
        trainStep(train, rows, opt, sched.lr(++step));
        if (step == UNTIMED) tCal = System.nanoTime();
        if (step == CALIBRATION_END && maxSeconds > 0 && Double.isFinite(maxSeconds)) {
          double perStep = (System.nanoTime() - tCal) / 1e9 / (CALIBRATION_END - UNTIMED);
          double spent = (System.nanoTime() - t0) / 1e9;
          planned = Math.max(step, Math.min(maxSteps, step + (long) Math.floor((maxSeconds - spent) / perStep)));
          sched = cosine(lr, warmup, planned);
        }
      }
    }
    int epochsRun = (int) Math.ceil(step / (double) stepsPerEpoch);
    return new Result(epochsRun, (System.nanoTime() - t0) / 1e9);
  }

  private static LrSchedule cosine(double lr, int warmup, long totalSteps) {
    return LrSchedule.cosineWithRestarts(lr, warmup, (int) Math.max(1, totalSteps - warmup), 1.0, lr * 0.01);
  }

  /** In-batch InfoNCE over the distinct items of the batch (no duplicate item counted as a negative). */
  private void trainStep(PairSet train, int[] rows, Adam opt, double lr) {
    Map<Integer, Integer> col = new LinkedHashMap<>();
    List<int[]> qs = new ArrayList<>();
    int[] target = new int[rows.length];
    for (int i = 0; i < rows.length; i++) {
      int item = train.items()[rows[i]];
      target[i] = col.computeIfAbsent(item, k -> col.size());
      qs.add(train.queries().get(rows[i]));
    }
    int[] cols = col.keySet().stream().mapToInt(Integer::intValue).toArray();
    Tensor q = encode(QueryBatch.of(be, qs, maxLen));
    Tensor it = org.cartengine.engine.ops.Embedding.lookup(items, Tensor.ofInts(be, cols, cols.length));
    Tensor logits = q.matmul(it.t()).mul(1.0 / temperature);
    Tensor loss = Softmax.crossEntropy(logits, Tensor.ofInts(be, target, rows.length), -1, 0, rows.length);
    loss.backward();
    opt.step(lr, 1.0);
    opt.zeroGrad();
  }

  /** A loaded tower and the re-rank weight chosen on val when it was saved. */
  public record Saved(DualTower tower, double rerankWeight) {}

  /** Writes the text tower's weights and sizes (and the chosen re-rank weight) atomically. */
  public void save(Path file, double rerankWeight) throws IOException {
    com.google.gson.JsonObject meta = new com.google.gson.Gson().toJsonTree(cfg).getAsJsonObject();
    meta.addProperty("temperature", temperature);
    meta.addProperty("rerankWeight", rerankWeight);
    Safetensors.write(file, parameters(), Map.of("dual_tower", meta.toString()));
  }

  /** Loads a tower written by {@link #save}; the item embeddings come from the dataset. */
  public static Saved load(Path file, float[] itemEmb, int n, int dim, Backend be) throws IOException {
    Map<String, String> meta = new java.util.HashMap<>();
    Map<String, Tensor> t = Safetensors.readWithMetadata(file, be, meta);
    if (!meta.containsKey("dual_tower")) throw new IOException(file + ": not a dual-tower checkpoint (no dual_tower metadata)");
    com.google.gson.JsonObject m = com.google.gson.JsonParser.parseString(meta.get("dual_tower")).getAsJsonObject();
    Config c = new com.google.gson.Gson().fromJson(m, Config.class);
    DualTower d = new DualTower(be, new Rng(0), c.vocab(), c.dModel(), c.heads(), c.ffn(), c.layers(), c.dropout(), c.maxLen(), itemEmb, n, dim);
    Safetensors.loadInto(d, t, file.toString());
    return new Saved(d, m.get("rerankWeight").getAsDouble());
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
  public double[][] candidateCosines(List<int[]> queries, int[][] candidates, int batch) {
    double[][] out = new double[queries.size()][];
    train(false);
    try (AutoCloseable ng = Autograd.noGrad()) {
      for (int s = 0; s < queries.size(); s += batch) {
        List<int[]> qs = queries.subList(s, Math.min(queries.size(), s + batch));
        float[] qv = encode(QueryBatch.of(be, qs, maxLen)).toFloatArray();
        int dim = qv.length / qs.size();
        for (int i = 0; i < qs.size(); i++) {
          int[] c = candidates[s + i];
          double[] cos = new double[c.length];
          for (int j = 0; j < c.length; j++) {
            float[] row = itemRow(c[j]);
            double d = 0;
            for (int x = 0; x < dim; x++) d += qv[i * dim + x] * row[x];
            cos[j] = d;
          }
          out[s + i] = cos;
        }
      }
    } catch (Exception e) {
      throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
    }
    return out;
  }

  private float[] itemHost;

  private float[] itemRow(int item) {
    if (itemHost == null) itemHost = items.toFloatArray();
    int dim = items.dim(1);
    return Arrays.copyOfRange(itemHost, item * dim, item * dim + dim);
  }

  /** Exact top-k by cosine over every item. */
  public List<int[]> rank(List<int[]> queries, int k, int batch) {
    List<int[]> out = new ArrayList<>();
    train(false);
    try (AutoCloseable ng = Autograd.noGrad()) {
      for (int s = 0; s < queries.size(); s += batch) {
        List<int[]> qs = queries.subList(s, Math.min(queries.size(), s + batch));
        float[] scores = encode(QueryBatch.of(be, qs, maxLen)).matmul(items.t()).toFloatArray();
        for (int i = 0; i < qs.size(); i++) out.add(TopK.topK(scores, i * itemCount, itemCount, k));
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
